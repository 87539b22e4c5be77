"""The registry's key format, shared by the index and by the parser that builds lookups.

Keys are lower case because AWS itself is not consistent (`security-control/iam.9` appears
in its documentation beside `IAM.9`).
"""

from __future__ import annotations

CONTROL = "control/"
STANDARD = "standard/"
CONFIG = "config/"


def control_key(control_id: str) -> str:
    return CONTROL + control_id.lower()


def standard_key(standard: str, control: str) -> str:
    """`standard` is `<standard>/v/<version>`, e.g. `cis-aws-foundations-benchmark/v/1.2.0`."""
    return f"{STANDARD}{standard.lower()}/{control.lower()}"


def config_key(rule_name: str) -> str:
    return CONFIG + rule_name.lower()
