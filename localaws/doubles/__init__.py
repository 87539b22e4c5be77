"""What moto lacks for Security Hub, Config and Lambda policies, patched into moto itself (see `moto_patches`)."""
