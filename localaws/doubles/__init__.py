"""What moto lacks, or does unlike AWS, for Security Hub, Config, EC2, KMS and Lambda: patched into moto itself.

See `moto_patches`.
"""
