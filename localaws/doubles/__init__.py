"""What moto lacks, or does unlike AWS, for Security Hub, Config and EC2: patched into moto itself.

See `moto_patches`.
"""
