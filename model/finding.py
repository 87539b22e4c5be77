"""The normalised finding: one shape for Security Hub and AWS Config inputs.

Remediations and rules only ever see this model, so a new input format is a change to the
parser alone. Fields keep both "where the finding was received" (hub account/region, where
`BatchUpdateFindings` must go) and "where the resource lives" (account/region to act in),
because in an aggregating administrator account the two differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FindingSource(StrEnum):
    """Which EventBridge input produced the finding."""

    IMPORTED = "securityhub-imported"
    CUSTOM_ACTION = "securityhub-custom-action"
    CONFIG = "config"


class ResourceFormat(StrEnum):
    """How the producer described the resource; each remediation says what it acts on in each."""

    ASFF = "asff"  # Security Hub CSPM: Resources[].Type / Id
    CONFIG = "config"  # AWS Config: resourceType / resourceId


@dataclass(frozen=True, slots=True)
class Resource:
    """One resource a finding names, in the account and region it lives in.

    The parser fills what the producer said; the remediation's `Identity` fills `name` (the
    identifier its API takes) and `arn` (its canonical ARN) once the rule is known.
    """

    type: str  # as the producer wrote it: AwsS3Bucket (ASFF), AWS::S3::Bucket (Config)
    id: str  # as the producer gave it: an ARN, a Config resource id or `AWS::::Account:<id>`
    name: str  # the short identifier AWS APIs take: bucket name, sg-id, queue name, account id
    account_id: str
    region: str
    partition: str = "aws"
    arn: str | None = None
    format: ResourceFormat = ResourceFormat.ASFF
    tags: tuple[tuple[str, str], ...] = ()  # as the finding reported them (ASFF Resources[].Tags)


@dataclass(frozen=True, slots=True)
class Finding:
    """A failed check on one or more resources, as the engine needs it."""

    source: FindingSource
    event_id: str
    hub_account_id: str
    hub_region: str
    account_id: str
    region: str
    resources: tuple[Resource, ...]
    lookup_keys: tuple[str, ...]  # registry keys, most specific first (see engine.identifiers)
    finding_id: str | None = None  # None for Config events: they name a resource, not a finding
    product_arn: str | None = None
    company_name: str | None = None  # ASFF CompanyName: "AWS" for Security Hub's own findings
    control_id: str | None = None
    generator_id: str | None = None
    config_rule_name: str | None = None
    config_rule_arn: str | None = None  # the Config event's rule ARN: whose rule it is
    compliance_status: str | None = None
    workflow_status: str | None = None
    record_state: str | None = None
    note_text: str | None = None

    @property
    def from_custom_action(self) -> bool:
        return self.source is FindingSource.CUSTOM_ACTION

    @property
    def key(self) -> str:
        """A stable id for logs and de-duplication across deliveries."""
        if self.finding_id:
            return self.finding_id
        resource = self.resources[0].id if self.resources else "-"
        return f"config:{self.account_id}:{self.region}:{self.config_rule_name}:{resource}"
