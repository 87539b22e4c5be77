"""The estate the finding-level fuzzers of `tests/test_fuzz_events.py` run against, and how they
read the engine's answer: its report, or the `InvalidEventError` that refuses an event whole.

The estate is the one the mixed custom-action event names (a bucket, the account's password
policy, an open security group), put back between examples; reads go through one client per
service, so an example costs little more than the engine's own work.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.exceptions import ClientError

from localaws import estate
from localaws.events import load_event
from model.errors import InvalidEventError, RetryLaterError

MIXED = "securityhub-custom-action-mixed.json"  # S3.17 bucket, IAM.7, CIS 4.1 group, Macie.1 (no rule)
SETTLED = {"already-compliant": "remediated"}  # fixed by this finding or by another one first


@dataclass
class Mixed:
    """The estate the mixed custom-action event names, put back before every example.

    One client per service for the whole run: a new boto3 client per read would cost more than
    the engine's own work on the event.
    """

    group: str
    findings: list[dict[str, Any]]
    clients: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def build(cls) -> Mixed:
        estate.enable_security_hub()
        estate.create_bucket()
        group = estate.create_open_security_group()
        return cls(group, load_event(MIXED, {estate.SG_PLACEHOLDER: group})["detail"]["findings"])

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = boto3.client(service, region_name=estate.REGION)  # type: ignore[call-overload]
        return self.clients[service]

    def event(self, detail_type: str, findings: list[Any]) -> dict[str, Any]:
        event = load_event(MIXED)
        event["detail-type"], event["detail"]["findings"] = detail_type, findings
        return event

    def reset(self) -> None:
        self.client("iam").update_account_password_policy(**estate.WEAK_POLICY)
        self.client("s3").delete_bucket_encryption(Bucket=estate.BUCKET)
        try:
            self.client("ec2").authorize_security_group_ingress(
                GroupId=self.group, IpProtocol="tcp", FromPort=22, ToPort=22, CidrIp="0.0.0.0/0"
            )
        except ClientError as error:  # still open: nothing revoked it
            assert error.response["Error"]["Code"] == "InvalidPermission.Duplicate", error
        blank = {"Text": "-", "UpdatedBy": "fuzz", "UpdatedAt": "2026-11-30T08:00:00.000Z"}
        self.client("securityhub").batch_import_findings(
            Findings=[{**f, "Note": blank} for f in self.findings]
        )

    def changed(self) -> list[bool]:
        """Per finding, read from the estate: was its resource changed? (Macie.1 has no rule.)"""
        try:
            self.client("s3").get_bucket_encryption(Bucket=estate.BUCKET)
            encrypted = True
        except ClientError:
            encrypted = False
        policy = self.client("iam").get_account_password_policy()["PasswordPolicy"]
        rules = self.client("ec2").describe_security_group_rules(
            Filters=[{"Name": "group-id", "Values": [self.group]}]
        )["SecurityGroupRules"]
        ssh_open = any(
            not rule["IsEgress"] and rule.get("FromPort") == 22 and rule.get("CidrIpv4") == "0.0.0.0/0"
            for rule in rules
        )
        weak = all(policy.get(key) == value for key, value in estate.WEAK_POLICY.items())
        return [encrypted, not weak, not ssh_open, False]

    def recorded(self) -> list[tuple[str, str]]:
        """Per finding, its workflow status and note in Security Hub."""
        ids = [{"Value": finding["Id"], "Comparison": "EQUALS"} for finding in self.findings]
        found = self.client("securityhub").get_findings(Filters={"Id": ids})["Findings"]
        stored = {finding["Id"]: finding for finding in found}
        return [
            (stored[f["Id"]]["Workflow"]["Status"], stored[f["Id"]].get("Note", {}).get("Text", ""))
            for f in self.findings
        ]


def deliver(engine: Any, event: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The report (also of a delivery to retry), or None and the path `InvalidEventError` names."""
    try:
        return engine.handle(event), ""
    except RetryLaterError as error:
        return error.report, ""
    except InvalidEventError as error:
        return None, error.path


def notable(finding: Any) -> bool:
    """Can an invalid finding still carry a note? Only with the non-blank Id and ProductArn
    `BatchUpdateFindings` takes (its `NonEmptyString`)."""
    values = [finding.get(key) for key in ("Id", "ProductArn")] if isinstance(finding, dict) else []
    return all(isinstance(value, str) and value.strip() for value in values) and bool(values)


def assert_accounted(findings: list[Any], report: dict[str, Any]) -> None:
    """Each finding has exactly one line in the report, or is invalid (one line if it can carry a note)."""
    lines = Counter(line["finding"] for line in report["findings"])
    expected: Counter[Any] = Counter()
    for index, finding in enumerate(findings):
        invalid = [e for e in report["invalid"] if re.match(rf"event\.detail\.findings\[{index}\][.:]", e)]
        assert len(invalid) <= 1, invalid
        if not invalid or notable(finding):
            expected[finding["Id"]] += 1
    assert lines == expected, (lines, expected, report["invalid"])


def outcome_of(finding: dict[str, Any], report: dict[str, Any] | None) -> str:
    """How a finding ended, for hypothesis' statistics: what the fuzzer reached."""
    if report is None:
        return "event refused"
    lines = [line for line in report["findings"] if line["finding"] == finding.get("Id")]
    return f"{lines[0]['status']} {lines[0]['error_code'] or ''}".strip() if lines else "invalid"


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {line["finding"]: SETTLED.get(line["status"], line["status"]) for line in report["findings"]}
