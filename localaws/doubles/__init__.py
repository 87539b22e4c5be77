"""What moto lacks for Security Hub, Config and KMS rotation, patched into moto itself (see `moto_patches`)."""
