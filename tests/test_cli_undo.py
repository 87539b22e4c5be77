"""`remediator undo`: every remediation's undo puts back exactly the state it read before.

The round trip is generic: build the vulnerable resource in moto, read its state, plan and
apply the remediation, hand the plan's undo payload to the applier (as the engine records it
in the state table), and read again: the state must equal the first read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

from cli.main import main
from cli.undo_appliers import APPLIERS
from engine.state import UndoRecord
from localaws import estate
from localaws.engine_setup import create_state_table
from localaws.events import EVENTS_DIR, load_event
from model.finding import Resource
from remediations import CATALOG

ACCOUNT, REGION = estate.ACCOUNT, estate.REGION
S3_EVENT = "securityhub-imported-s3.17-consolidated.json"
TABLE = "remediator-state"


@dataclass(frozen=True)
class Case:
    remediation: str
    build: Callable[[], Resource]  # makes the vulnerable resource in moto
    params: dict[str, Any]
    normalize: Callable[[Any], Any] = lambda state: state


def bucket(name: str = "undo-bucket", encryption: str | None = None) -> Callable[[], Resource]:
    def build() -> Resource:
        estate.create_bucket(name)
        if encryption:
            boto3.client("s3", region_name=REGION).put_bucket_encryption(
                Bucket=name,
                ServerSideEncryptionConfiguration={
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": encryption}}]
                },
            )
        return Resource("AwsS3Bucket", f"arn:aws:s3:::{name}", name, ACCOUNT, REGION)

    return build


def account(policy: bool) -> Callable[[], Resource]:
    def build() -> Resource:
        if policy:
            estate.set_weak_password_policy()
        return Resource("AwsAccount", f"AWS::::Account:{ACCOUNT}", ACCOUNT, ACCOUNT, REGION)

    return build


def open_group() -> Resource:
    group = estate.create_open_security_group()
    return Resource(
        "AwsEc2SecurityGroup",
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group}",
        group,
        ACCOUNT,
        REGION,
    )


def default_group() -> Resource:
    ec2 = boto3.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    group = ec2.describe_security_groups(
        Filters=[{"Name": "vpc-id", "Values": [vpc]}, {"Name": "group-name", "Values": ["default"]}]
    )["SecurityGroups"][0]["GroupId"]
    ec2.authorize_security_group_ingress(
        GroupId=group, IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": group}]}]
    )
    return Resource(
        "AwsEc2SecurityGroup",
        f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group}",
        group,
        ACCOUNT,
        REGION,
    )


def queue() -> Resource:
    boto3.client("sqs", region_name=REGION).create_queue(
        QueueName="undo-queue", Attributes={"SqsManagedSseEnabled": "false"}
    )
    return Resource(
        "AwsSqsQueue", f"arn:aws:sqs:{REGION}:{ACCOUNT}:undo-queue", "undo-queue", ACCOUNT, REGION
    )


def topic() -> Resource:
    arn = boto3.client("sns", region_name=REGION).create_topic(Name="undo-topic")["TopicArn"]
    return Resource("AwsSnsTopic", arn, arn, ACCOUNT, REGION)


def rules_without_ids(state: Any) -> Any:
    """Security-group rules compared by what they allow; re-created rules get new ids."""
    rules = state["Rules"] if isinstance(state, dict) else state
    shape = {
        json.dumps(
            {
                k: v
                for k, v in rule.items()
                if k not in ("SecurityGroupRuleId", "SecurityGroupRuleArn", "Tags")
            },
            sort_keys=True,
            default=str,
        )
        for rule in rules
    }
    return ({k: v for k, v in state.items() if k != "Rules"}, shape) if isinstance(state, dict) else shape


CASES = [
    Case("s3.enable-default-encryption", bucket(), {"algorithm": "AES256"}),
    Case("s3.enable-default-encryption", bucket(encryption="AES256"), {"algorithm": "aws:kms"}),
    Case("iam.strengthen-password-policy", account(policy=True), {}),
    Case("iam.strengthen-password-policy", account(policy=False), {}),
    Case("ec2.revoke-public-ingress", open_group, {"ports": [22, 3389]}, rules_without_ids),
    Case("ec2.close-default-security-group", default_group, {}, rules_without_ids),
    Case("s3.block-bucket-public-access", bucket(), {}),
    Case("s3.block-account-public-access", account(policy=False), {}),
    Case("ec2.enable-ebs-default-encryption", account(policy=False), {}),
    Case("sns.enable-topic-encryption", topic, {}),
    Case("sqs.enable-queue-encryption", queue, {}),
]


def test_every_remediation_can_be_undone() -> None:
    assert set(CATALOG) <= set(APPLIERS), f"no undo for {sorted(set(CATALOG) - set(APPLIERS))}"
    assert set(CATALOG) <= {case.remediation for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda case: f"{case.remediation}-{len(case.params)}")
def test_undo_restores_the_state_read_before(case: Case, aws: None) -> None:
    if case.remediation not in CATALOG:
        pytest.skip(f"{case.remediation} is not in this version's catalog")
    remediation = CATALOG[case.remediation]
    resource = case.build()
    client = boto3.client(remediation.service, region_name=REGION)  # type: ignore[call-overload]
    before = remediation.read(client, resource, case.params)
    plan = remediation.plan(before, case.params)
    assert plan.changes, "the case must start non-compliant"
    remediation.apply(client, resource, plan)
    assert remediation.plan(remediation.read(client, resource, case.params), case.params).compliant
    record = UndoRecord(
        finding_id="f",
        remediation=case.remediation,
        rule_id="r",
        account_id=ACCOUNT,
        region=REGION,
        resource_type=resource.type,
        resource_id=resource.id,
        resource_name=resource.name,
        undo=json.loads(json.dumps(dict(plan.undo), default=str)),  # as stored: through JSON
        changed_at=0.0,
    )
    applier = APPLIERS[case.remediation]
    assert applier.describe(record)
    applier.apply(client, record)
    applier.apply(client, record)  # idempotent: a second undo changes nothing more
    after = remediation.read(client, resource, case.params)
    assert case.normalize(after) == case.normalize(before)


# --- the command --------------------------------------------------------------------------


@pytest.fixture
def remediated_bucket(aws: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    """The S3.17 sample remediated through `invoke` with the state table on; returns the finding id."""
    monkeypatch.setenv("STATE_TABLE_NAME", TABLE)
    create_state_table(TABLE)
    estate.enable_security_hub()
    estate.create_bucket()
    event = load_event(S3_EVENT)
    estate.import_findings(event)
    assert main(["invoke", str(EVENTS_DIR / S3_EVENT)]) == 0
    capsys.readouterr()
    assert estate.bucket_encryption() == "aws:kms"
    return str(event["detail"]["findings"][0]["Id"])


def test_undo_puts_the_bucket_back(remediated_bucket: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["undo", remediated_bucket, "--dry-run"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith(
        "Dry run: would delete the default-encryption configuration of bucket example-unencrypted-bucket"
    )
    assert estate.bucket_encryption() == "aws:kms"
    code = main(["undo", remediated_bucket])
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Undone: delete the default-encryption configuration")
    assert estate.bucket_encryption() is None


def test_undo_of_a_finding_without_record_exits_2(
    remediated_bucket: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["undo", "arn:aws:securityhub:us-east-1:123456789012:security-control/S3.17/finding/unknown"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("remediator: error: no undo record for") and err.count("\n") == 1


def test_undo_without_a_state_table_exits_2(aws: None, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["undo", "any-finding"])
    assert code == 2
    assert "STATE_TABLE_NAME" in capsys.readouterr().err
