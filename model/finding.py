"""The normalised finding: one shape for Security Hub (ASFF and OCSF) and AWS Config inputs.

Remediations and rules only ever see this model, so a new input format is a change to the
parser alone. Fields keep both "where the finding was received" (hub account/region, where
`BatchUpdateFindings` must go) and "where the resource lives" (account/region to act in),
because in an aggregating administrator account the two differ.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class FindingSource(StrEnum):
    """Which EventBridge input produced the finding."""

    IMPORTED = "securityhub-imported"
    #: `Findings Imported V2`: AWS Security Hub's OCSF Compliance Findings, updated with the V2 API.
    IMPORTED_V2 = "securityhub-imported-v2"
    CUSTOM_ACTION = "securityhub-custom-action"
    CONFIG = "config"


class ResourceFormat(StrEnum):
    """How the producer described the resource; each remediation says what it acts on in each."""

    ASFF = "asff"  # Security Hub CSPM: Resources[].Type / Id
    CONFIG = "config"  # AWS Config: resourceType / resourceId
    #: AWS Security Hub (OCSF): resources[].type, a CloudFormation type as in Config, and the ARN
    #: (`uid_alt`, else `uid`). An `Identity` that lists no OCSF types uses its Config ones.
    OCSF = "ocsf"


class Resource(NamedTuple):
    """One resource a finding names, in the account and region it lives in.

    The parser fills what the producer said; the remediation's `Identity` fills `name` (the
    identifier its API takes) and `arn` (its canonical ARN) once the rule is known.
    """

    type: str  # as the producer wrote it: AwsS3Bucket (ASFF), AWS::S3::Bucket (Config, OCSF)
    id: str  # as the producer gave it: an ARN, a Config resource id or `AWS::::Account:<id>`
    name: str  # the short identifier AWS APIs take: bucket name, sg-id, queue name, account id
    account_id: str
    region: str
    partition: str = "aws"
    arn: str | None = None
    format: ResourceFormat = ResourceFormat.ASFF
    tags: tuple[tuple[str, str], ...] = ()  # as the finding reported them (ASFF Tags, OCSF tags[])


class Finding(NamedTuple):
    """A failed check on one or more resources, as the engine needs it."""

    source: FindingSource
    event_id: str
    hub_account_id: str
    hub_region: str
    account_id: str
    region: str
    resources: tuple[Resource, ...]
    lookup_keys: tuple[str, ...]  # registry keys, most specific first (see engine.identifiers)
    finding_id: str | None = None  # ASFF Id, OCSF finding_info.uid; None for Config events
    product_arn: str | None = None  # ASFF ProductArn, OCSF metadata.product.uid (…::productv2/…)
    company_name: str | None = None  # ASFF CompanyName, OCSF metadata.product.vendor_name: "AWS"
    control_id: str | None = None
    generator_id: str | None = None
    config_rule_name: str | None = None
    config_rule_arn: str | None = None  # the Config event's rule ARN: whose rule it is
    compliance_status: str | None = None  # FAILED (ASFF), NON_COMPLIANT (Config), Fail (OCSF)…
    workflow_status: str | None = None  # NEW (ASFF Workflow.Status), New (OCSF status_id 1)…
    record_state: str | None = None  # ASFF only; OCSF says Archived in its status
    note_text: str | None = None  # ASFF Note.Text, OCSF comment
    standards: tuple[str, ...] = ()  # ASFF AssociatedStandards, OCSF compliance.standards
    #: The custom action a person ran (the id its ARN ends with: `Remediate`, `ApproveRemediation`),
    #: "" for any other input.
    action_id: str = ""

    @property
    def from_custom_action(self) -> bool:
        return self.source is FindingSource.CUSTOM_ACTION

    @property
    def ocsf(self) -> bool:
        """Recorded with BatchUpdateFindingsV2 (StatusId, Comment), not BatchUpdateFindings."""
        return self.source is FindingSource.IMPORTED_V2

    @property
    def key(self) -> str:
        """A stable id for logs and de-duplication across deliveries."""
        if self.finding_id:
            return self.finding_id
        resource = self.resources[0].id if self.resources else "-"
        return f"config:{self.account_id}:{self.region}:{self.config_rule_name}:{resource}"
