"""Every remediation module, listed in this one place by family and imported on demand.

A deployed function imports only its own family's modules (`catalog(settings.families)`), so
neither its cold start nor its package (`deploy/package.py` ships what those modules import)
grows with the other families; the CLI, the tests and the tools take the whole catalog
(`catalog()`). The registry still knows every rule's family from its remediation's name alone
(`s3.require-ssl` is the s3 family's), so a function recognises another family's finding
without importing its code.

Adding one: write `remediations/<family>_<what>.py` with its `REMEDIATION`, add the module's name
under its family below (a new family is a new key, and a new function in `make template`), then
give it a rule in `rules/registry.json`. A module whose file name does not start with its
remediation's family, or a remediation name declared twice, fails when the catalog is built.
`base`, `cases`, `identities`, `revert`, `destinations` (what a fix points at, see
remediations/destinations.py) and the other modules not listed are shared helpers.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from functools import cache
from types import MappingProxyType

from model.errors import RegistryError
from remediations.base import Remediation, build_catalog

#: family → its remediation modules. The family is the prefix of each module's file name and of
#: each remediation's name; one function (and one IAM role) of the stack serves one family.
MODULES: Mapping[str, tuple[str, ...]] = {
    "cloudtrail": (
        "cloudtrail_log_file_validation",
        "cloudtrail_log_encryption",
        "cloudtrail_cloudwatch_logs",
        "cloudtrail_multi_region",
    ),
    "cloudwatch": ("cloudwatch_cis_alarm",),
    "config": ("config_recorder",),
    "dynamodb": ("dynamodb_deletion_protection",),
    "ec2": (
        "ec2_ebs_default_encryption",  # encryption at rest
        "ec2_public_ingress",  # security groups open to the internet
        "ec2_default_security_group",
        "ec2_public_snapshots",  # data shared with everyone
        "ec2_subnet_public_ip",  # exposure: public addresses, attachments accepted unasked
        "ec2_transit_gateway_auto_accept",
        "ec2_instance_imdsv2",  # instance metadata
        "ec2_vpc_flow_logs",  # logging
    ),
    "ecr": ("ecr_scan_on_push",),
    "guardduty": ("guardduty_detector",),
    "iam": (
        "iam_password_policy",
        "iam_access_key_rotation",  # credentials
        "iam_unused_credentials",
        "iam_support_role",  # account support
    ),
    "kms": ("kms_key_rotation",),
    "lambda": ("lambda_public_access",),
    "rds": (
        "rds_public_snapshot",  # data shared with everyone
        "rds_public_access",
        "rds_instance_setting",  # resources harder to lose
        "rds_cluster_setting",
    ),
    "s3": (
        "s3_default_encryption",  # encryption at rest
        "s3_account_public_access",  # public access
        "s3_bucket_public_access",
        "s3_require_ssl",  # transport security
        "s3_server_access_logging",  # logging
        "s3_trail_bucket_public_access",
    ),
    "sns": ("sns_topic_encryption",),
    "sqs": ("sqs_queue_encryption",),
    "ssm": ("ssm_public_document",),
}
FAMILIES: frozenset[str] = frozenset(MODULES)


def catalog(families: Iterable[str] = ()) -> Mapping[str, Remediation]:
    """The remediations of `families` by name (none named: every family), read-only.

    Each family's modules are imported on the first call that names it. An unknown family is a
    `RegistryError` (a function deployed for a family this code does not have).
    """
    return _catalog(frozenset(families) or FAMILIES)


@cache
def _catalog(families: frozenset[str]) -> Mapping[str, Remediation]:
    if unknown := families - FAMILIES:
        raise RegistryError(f"unknown remediation families {sorted(unknown)}; known: {sorted(FAMILIES)}")
    return MappingProxyType(
        build_catalog(_load(family, module) for family in sorted(families) for module in MODULES[family])
    )


def _load(family: str, module: str) -> Remediation:
    if not module.startswith(f"{family}_"):
        raise RegistryError(f"remediations/{module}.py is listed under {family!r}: name it {family}_…")
    remediation: Remediation = importlib.import_module(f"{__name__}.{module}").REMEDIATION
    if remediation.family != family:
        raise RegistryError(
            f"remediations/{module}.py declares {remediation.name!r}, of family {remediation.family!r}, "
            f"not {family!r}: a module's file name starts with its remediation's family"
        )
    return remediation
