"""What moto lacks, or does unlike AWS, for Security Hub, Config, EC2, KMS, Lambda and GuardDuty: patched into moto itself.

See `moto_patches`.
"""
