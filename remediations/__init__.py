"""Every remediation, imported explicitly from this one place.

Adding one: write the module (read, plan, apply and a `REMEDIATION` declaration), add it to
the list below, then give it a rule in `rules/registry.json`. A duplicate name fails at import.
"""

from __future__ import annotations

from remediations import ec2_public_ingress, iam_password_policy, s3_default_encryption
from remediations.base import Remediation, build_catalog

CATALOG: dict[str, Remediation] = build_catalog(
    [
        s3_default_encryption.REMEDIATION,
        iam_password_policy.REMEDIATION,
        ec2_public_ingress.REMEDIATION,
    ]
)
