"""AWS calls per remediation, counted with botocore's `before-call` hook, in moto.

Each case is one estate piece of the demo (one vulnerable resource and its finding) handled
through `Engine.handle` on its Imported event, approved as `remediator invoke --approve` does
(manual rules apply): the calls to the resource's service are the remediation's reads and writes; Security Hub's are the engine's. Then 100 findings in one
batch (a sweep or custom action) show how many BatchUpdateFindings calls they cost: the
engine groups findings whose note and workflow are the same, 100 a call.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import boto3
from moto import mock_aws

from bench.figures import Figure
from demo import asff
from demo.estate import PIECES, Piece
from engine.clients import ClientFactory
from engine.handler import build_engine
from engine.identifiers import finding_keys
from engine.settings import Settings
from localaws.doubles.moto_patches import install_aws_doubles
from localaws.recorder import CallRecorder, recording_session
from rules.registry import Registry, Rule, load_registry

ACCOUNT, REGION = "123456789012", "us-east-1"
#: Services of the calls the engine makes around a remediation (recording, notifying, state); a call
#: to one of them is still the remediation's own when its action is one the remediation declares
#: (DynamoDB.6's DescribeTable and UpdateTable, beside the engine's GetItem and UpdateItem).
ENGINE_SERVICES = frozenset({"securityhub", "sts", "config", "dynamodb", "resourcegroupstaggingapi"})
ENGINE_CALLS = frozenset({"sns.Publish"})
READS = ("Get", "Describe", "List", "Head")


def _engine(settings: Settings) -> tuple[Any, CallRecorder]:
    session, recorder = recording_session(REGION)
    engine = build_engine(settings, ClientFactory(session, home_account_id=ACCOUNT))
    engine.on_outcome = None
    return engine, recorder


def per_remediation(registry: Registry) -> list[Figure]:
    figures = []
    seen: set[str] = set()
    for piece in PIECES:
        for spec in piece.findings:
            probe = asff.finding(
                spec.control, asff.Target("AwsAccount", "x"), ACCOUNT, REGION, legacy=spec.legacy
            )
            rule = registry.match(finding_keys(probe))
            if (
                not isinstance(rule, Rule) or spec.legacy or spec.format == "ocsf" or spec.control in seen
            ):  # one case per control
                continue
            seen.add(spec.control)
            counts = _count_one(piece, spec.control)
            own = set(rule.remediation.actions)
            remediation_calls = {
                call: n
                for call, n in counts.items()
                if call.split(".")[0] not in ENGINE_SERVICES or call.replace(".", ":", 1) in own
            }
            reads = sum(n for call, n in remediation_calls.items() if call.split(".")[1].startswith(READS))
            writes = sum(remediation_calls.values()) - reads
            figures.append(
                Figure(
                    f"AWS calls: {rule.remediation.name} ({spec.control})",
                    float(reads + writes),
                    "calls",
                    2,
                    detail=f"{reads} read, {writes} write: "
                    + ", ".join(
                        f"{call} x{n}" if n > 1 else call for call, n in sorted(remediation_calls.items())
                    )
                    + f"; plus {counts.get('securityhub.BatchUpdateFindings', 0)} BatchUpdateFindings",
                    extra={"calls": dict(counts)},
                )
            )
    return figures


def _count_one(piece: Piece, control: str) -> Counter[str]:
    with mock_aws():
        session = boto3.Session(region_name=REGION)
        session.client("securityhub").enable_security_hub()
        target = piece.build(session, ACCOUNT, REGION)
        finding = asff.finding(control, target, ACCOUNT, REGION)
        session.client("securityhub").batch_import_findings(Findings=[finding])  # type: ignore[list-item]
        # Approved: a manual rule's Imported event only plans; the figure is what applying costs.
        engine, recorder = _engine(Settings(home_account_id=ACCOUNT, manual_approved=True))
        report = engine.handle(asff.imported_event(finding, ACCOUNT, REGION))
        assert report["summary"] == {"remediated": 1}, report
        return Counter(recorder.calls)


def batch_updates(findings: int = 100) -> list[Figure]:
    """BatchUpdateFindings calls for `findings` findings in one batch, for buckets and for security groups."""
    figures = []
    for label, control, make in (
        ("S3.17 buckets, one note for all", "S3.17", _buckets),
        ("EC2.13 security groups, notes name rules by what they open", "EC2.13", _open_groups),
    ):
        with mock_aws():
            session = boto3.Session(region_name=REGION)
            securityhub = session.client("securityhub")
            securityhub.enable_security_hub()
            batch = [asff.finding(control, target, ACCOUNT, REGION) for target in make(session, findings)]
            securityhub.batch_import_findings(Findings=batch)  # type: ignore[arg-type]
            engine, recorder = _engine(Settings(home_account_id=ACCOUNT))
            action = f"arn:aws:securityhub:{REGION}:{ACCOUNT}:action/custom/Remediate"
            report = engine.handle(asff.custom_action_event(batch, action, "Remediate", ACCOUNT, REGION))
            assert report["summary"] == {"remediated": findings}, report["summary"]
            calls = recorder.count("securityhub.BatchUpdateFindings")
        figures.append(
            Figure(
                f"BatchUpdateFindings per 100 findings: {label}",
                calls * 100 / findings,
                "calls",
                1,
                detail=f"{calls} call(s) for {findings} findings remediated in one batch (sweep, custom action)",
            )
        )
    return figures


def _buckets(session: boto3.Session, count: int) -> list[asff.Target]:
    s3 = session.client("s3")
    for n in range(count):
        s3.create_bucket(Bucket=f"bench-batch-{n:04d}")
    return [asff.Target("AwsS3Bucket", f"arn:aws:s3:::bench-batch-{n:04d}") for n in range(count)]


def _open_groups(session: boto3.Session, count: int) -> list[asff.Target]:
    ec2 = session.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    targets = []
    for n in range(count):
        group = ec2.create_security_group(GroupName=f"open-{n}", Description="bench", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            ],
        )
        targets.append(
            asff.Target("AwsEc2SecurityGroup", f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group}")
        )
    return targets


def aws_calls() -> list[Figure]:
    install_aws_doubles()
    return per_remediation(load_registry()) + batch_updates()
