"""deploy/member-baseline.yaml: publishes every destination a remediation reads, and nothing wider.

The template is generated (deploy/member_baseline.py) and checked like the others: committed
copy current (tests/test_template.py), cfn-lint (`make cfn`). Here: every destination the
catalog declares is published under the prefix remediations read; each service may deliver
for this account only; the roles have the fixed names PassRole grants will name; the stack
documented in deploy/README.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from deploy.member_baseline import PUBLISHED, ROLE_NAMES, baseline_template
from remediations import catalog
from remediations.destinations import BASELINE_ROLES, BASELINE_TEMPLATE, PREFIX

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = baseline_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
THIS_ACCOUNT = {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


def of_type(kind: str) -> dict[str, Any]:
    return {key: value for key, value in RESOURCES.items() if value["Type"] == kind}


def test_every_declared_destination_is_published_under_the_prefix() -> None:
    published = {p["Properties"]["Name"] for p in of_type("AWS::SSM::Parameter").values()}
    declared = {d.ssm_name for r in catalog().values() for d in r.destinations}
    assert declared and declared <= published
    assert published == {PREFIX + name for name in PUBLISHED}
    assert all(p["Properties"]["Type"] == "String" for p in of_type("AWS::SSM::Parameter").values())


def test_the_committed_file_is_the_one_remediations_name() -> None:
    committed = yaml.safe_load((ROOT / BASELINE_TEMPLATE).read_text(encoding="utf-8"))
    assert committed["Resources"].keys() == RESOURCES.keys()


def test_services_deliver_and_assume_for_this_account_only() -> None:
    for policy in of_type("AWS::S3::BucketPolicy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Allow":
                assert "Service" in statement["Principal"] and statement["Condition"] == THIS_ACCOUNT
    for role in of_type("AWS::IAM::Role").values():
        (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert "Service" in trust["Principal"] and trust["Condition"] == THIS_ACCOUNT


def test_the_access_log_bucket_admits_s3_log_delivery_and_does_not_log_to_itself() -> None:
    statements = RESOURCES["AccessLogBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert any(s.get("Principal") == {"Service": "logging.s3.amazonaws.com"} for s in statements)
    assert "LoggingConfiguration" not in RESOURCES["AccessLogBucket"]["Properties"]
    logging = RESOURCES["LogBucket"]["Properties"]["LoggingConfiguration"]
    assert logging["DestinationBucketName"] == {"Ref": "AccessLogBucket"}


def test_buckets_are_private_and_encrypted_with_sse_s3() -> None:
    for bucket in of_type("AWS::S3::Bucket").values():
        properties = bucket["Properties"]
        assert all(properties["PublicAccessBlockConfiguration"].values())
        (rule,) = properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}
        assert bucket["DeletionPolicy"] == "Retain"


def test_the_key_lets_cloudtrail_encrypt_only_this_accounts_trails() -> None:
    statements = RESOURCES["Key"]["Properties"]["KeyPolicy"]["Statement"]
    (encrypt,) = [s for s in statements if s["Sid"] == "CloudTrailEncryptsThisAccountsTrails"]
    assert encrypt["Condition"]["StringLike"]["kms:EncryptionContext:aws:cloudtrail:arn"] == {
        "Fn::Sub": "arn:${AWS::Partition}:cloudtrail:*:${AWS::AccountId}:trail/*"
    }
    assert RESOURCES["Key"]["Properties"]["EnableKeyRotation"] is True


def test_roles_have_the_fixed_names_a_pass_role_grant_names() -> None:
    names = {r["Properties"]["RoleName"]["Fn::Sub"] for r in of_type("AWS::IAM::Role").values()}
    assert names == {name.format(region="${AWS::Region}") for name in ROLE_NAMES.values()}
    assert set(ROLE_NAMES) <= set(PUBLISHED)


def test_deploy_readme_shows_how_to_deploy_it() -> None:
    readme = (ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    assert BASELINE_TEMPLATE.removeprefix("deploy/") in readme
    for parameter in TEMPLATE["Parameters"]:
        assert f"`{parameter}`" in readme


def test_each_role_destination_is_a_baseline_role_its_service_may_assume() -> None:
    by_name = {r["Properties"]["RoleName"]["Fn::Sub"]: r for r in of_type("AWS::IAM::Role").values()}
    for destination in BASELINE_ROLES:
        role = by_name[destination.role_name.replace("*", "${AWS::Region}")]
        (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert trust["Principal"] == {"Service": destination.passed_to}
        assert destination.name in PUBLISHED
