"""What moto lacks for Security Hub and Config, patched into moto itself (see `moto_patches`)."""
