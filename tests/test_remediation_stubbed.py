"""Every remediation against botocore's Stubber: the exact calls, the permissions, the AWS errors.

For each remediation one full path (every optional call taken) is stubbed call by call with
the exact request expected. That proves three things at once: the remediation's declared
IAM permissions are exactly the actions its read and apply call; a dry run makes only the
reads; and when AWS refuses any call with a given error code, `engine.remediate.remediate`
returns a FAILED outcome carrying that code, with no call made after the refused one (the
Stubber fails the test on any call it was not given). The last tests drive the handler
against moto with an injected refusal and check the finding ends NOTIFIED with the code in
its note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from engine.clients import ClientFactory
from engine.remediate import remediate
from localaws import estate
from localaws.engine_setup import make_engine
from localaws.events import load_event
from localaws.faults import inject_call_faults
from model.finding import Finding, FindingSource, Resource
from model.outcome import Outcome, Status
from remediations import CATALOG
from rules.registry import Rule, load_registry

ACCOUNT, REGION = estate.ACCOUNT, estate.REGION
BUCKET, QUEUE, TOPIC_ARN = estate.BUCKET, estate.QUEUE, estate.TOPIC_ARN
QUEUE_URL = estate.QUEUE_URL
SG = "sg-0123456789abcdef0"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
ALL_ON = dict.fromkeys(
    ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
)
#: IAM actions whose name is not the API operation's (Service Authorization Reference).
IAM_ACTION_FOR = {
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "PutBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "PutPublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
    ("s3control", "PutPublicAccessBlock"): "s3:PutAccountPublicAccessBlock",
}


@dataclass(frozen=True)
class Missing:
    """A read AWS answers with an error that means "not configured yet"."""

    code: str


@dataclass(frozen=True)
class Call:
    method: str
    response: Mapping[str, Any] | Missing
    params: Mapping[str, Any]


@dataclass(frozen=True)
class StubbedPath:
    rule_id: str
    resource: Resource
    calls: tuple[Call, ...]
    parameters: Mapping[str, Any] | None = None  # replaces the rule's, to take optional calls


def resource(type_: str, id_: str, name: str) -> Resource:
    return Resource(type=type_, id=id_, name=name, account_id=ACCOUNT, region=REGION)


ACCOUNT_RESOURCE = resource("AwsAccount", f"AWS::::Account:{ACCOUNT}", ACCOUNT)
BUCKET_RESOURCE = resource("AwsS3Bucket", f"arn:aws:s3:::{BUCKET}", BUCKET)
GROUP_RESOURCE = resource("AwsEc2SecurityGroup", f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{SG}", SG)
SG_FILTER = {"Filters": [{"Name": "group-id", "Values": [SG]}]}
OPEN_SSH = {"SecurityGroupRuleId": "sgr-open", "GroupId": SG, "IsEgress": False, "IpProtocol": "tcp"}
OPEN_SSH |= {"FromPort": 22, "ToPort": 22, "CidrIpv4": "0.0.0.0/0"}
PRIVATE_SSH = {**OPEN_SSH, "SecurityGroupRuleId": "sgr-private", "CidrIpv4": "10.0.0.0/8"}
SELF_INGRESS = {"SecurityGroupRuleId": "sgr-self", "GroupId": SG, "IsEgress": False, "IpProtocol": "-1"}
SELF_INGRESS |= {"FromPort": -1, "ToPort": -1, "ReferencedGroupInfo": {"GroupId": SG, "UserId": ACCOUNT}}
ALL_EGRESS = {"SecurityGroupRuleId": "sgr-out", "GroupId": SG, "IsEgress": True, "IpProtocol": "-1"}
ALL_EGRESS |= {"FromPort": -1, "ToPort": -1, "CidrIpv4": "0.0.0.0/0"}

PATHS: dict[str, StubbedPath] = {
    "s3.enable-default-encryption": StubbedPath(
        "s3-bucket-kms-encryption",
        BUCKET_RESOURCE,
        (
            Call(
                "get_bucket_encryption",
                Missing("ServerSideEncryptionConfigurationNotFoundError"),
                {"Bucket": BUCKET},
            ),
            Call(
                "put_bucket_encryption",
                {},
                {
                    "Bucket": BUCKET,
                    "ServerSideEncryptionConfiguration": {
                        "Rules": [
                            {
                                "ApplyServerSideEncryptionByDefault": {
                                    "SSEAlgorithm": "aws:kms",
                                    "KMSMasterKeyID": KEY_ARN,
                                },
                                "BucketKeyEnabled": True,
                            }
                        ]
                    },
                },
            ),
        ),
        {"algorithm": "aws:kms", "kms_key_id": KEY_ARN},
    ),
    "ec2.enable-ebs-default-encryption": StubbedPath(
        "ebs-default-encryption",
        ACCOUNT_RESOURCE,
        (
            Call("get_ebs_encryption_by_default", {"EbsEncryptionByDefault": False}, {}),
            Call(
                "get_ebs_default_kms_key_id",
                {"KmsKeyId": f"arn:aws:kms:{REGION}:{ACCOUNT}:alias/aws/ebs"},
                {},
            ),
            Call("modify_ebs_default_kms_key_id", {"KmsKeyId": KEY_ARN}, {"KmsKeyId": KEY_ARN}),
            Call("enable_ebs_encryption_by_default", {"EbsEncryptionByDefault": True}, {}),
        ),
        {"kms_key_id": KEY_ARN},
    ),
    "sqs.enable-queue-encryption": StubbedPath(
        "sqs-queue-encryption",
        resource("AwsSqsQueue", f"arn:aws:sqs:{REGION}:{ACCOUNT}:{QUEUE}", QUEUE),
        (
            Call(
                "get_queue_url",
                {"QueueUrl": QUEUE_URL},
                {"QueueName": QUEUE, "QueueOwnerAWSAccountId": ACCOUNT},
            ),
            Call(
                "get_queue_attributes",
                {"Attributes": {"SqsManagedSseEnabled": "false"}},
                {"QueueUrl": QUEUE_URL, "AttributeNames": ["KmsMasterKeyId", "SqsManagedSseEnabled"]},
            ),
            Call(
                "set_queue_attributes", {}, {"QueueUrl": QUEUE_URL, "Attributes": {"KmsMasterKeyId": KEY_ARN}}
            ),
        ),
        {"kms_key_id": KEY_ARN},
    ),
    "sns.enable-topic-encryption": StubbedPath(
        "sns-topic-encryption",
        resource("AwsSnsTopic", TOPIC_ARN, TOPIC_ARN),
        (
            Call("get_topic_attributes", {"Attributes": {"TopicArn": TOPIC_ARN}}, {"TopicArn": TOPIC_ARN}),
            Call(
                "set_topic_attributes",
                {},
                {"TopicArn": TOPIC_ARN, "AttributeName": "KmsMasterKeyId", "AttributeValue": "alias/aws/sns"},
            ),
        ),
    ),
    "iam.strengthen-password-policy": StubbedPath(
        "iam-password-policy-strong",
        ACCOUNT_RESOURCE,
        (
            Call("get_account_password_policy", {"PasswordPolicy": {"MinimumPasswordLength": 16}}, {}),
            Call(
                "update_account_password_policy",
                {},
                {
                    "MinimumPasswordLength": 16,
                    "RequireUppercaseCharacters": True,
                    "RequireLowercaseCharacters": True,
                    "RequireNumbers": True,
                    "RequireSymbols": True,
                    "AllowUsersToChangePassword": True,
                    "MaxPasswordAge": 90,
                    "PasswordReusePrevention": 24,
                },
            ),
        ),
    ),
    "ec2.revoke-public-ingress": StubbedPath(
        "sg-public-ssh",
        GROUP_RESOURCE,
        (
            Call("describe_security_group_rules", {"SecurityGroupRules": [OPEN_SSH, PRIVATE_SSH]}, SG_FILTER),
            Call(
                "revoke_security_group_ingress",
                {"Return": True},
                {"GroupId": SG, "SecurityGroupRuleIds": ["sgr-open"]},
            ),
        ),
    ),
    "ec2.close-default-security-group": StubbedPath(
        "sg-default-closed",
        GROUP_RESOURCE,
        (
            Call(
                "describe_security_group_rules", {"SecurityGroupRules": [ALL_EGRESS, SELF_INGRESS]}, SG_FILTER
            ),
            Call(
                "describe_security_groups",
                {"SecurityGroups": [{"GroupId": SG, "GroupName": "default"}]},
                {"GroupIds": [SG]},
            ),
            Call(
                "revoke_security_group_ingress",
                {"Return": True},
                {"GroupId": SG, "SecurityGroupRuleIds": ["sgr-self"]},
            ),
            Call(
                "revoke_security_group_egress",
                {"Return": True},
                {"GroupId": SG, "SecurityGroupRuleIds": ["sgr-out"]},
            ),
        ),
    ),
    "s3.block-account-public-access": StubbedPath(
        "s3-account-public-access-block",
        ACCOUNT_RESOURCE,
        (
            Call(
                "get_public_access_block",
                Missing("NoSuchPublicAccessBlockConfiguration"),
                {"AccountId": ACCOUNT},
            ),
            Call(
                "put_public_access_block",
                {},
                {"AccountId": ACCOUNT, "PublicAccessBlockConfiguration": ALL_ON},
            ),
        ),
    ),
    "s3.block-bucket-public-access": StubbedPath(
        "s3-bucket-public-access-block",
        BUCKET_RESOURCE,
        (
            Call(
                "get_public_access_block",
                {"PublicAccessBlockConfiguration": {**dict.fromkeys(ALL_ON, False), "BlockPublicAcls": True}},
                {"Bucket": BUCKET},
            ),
            Call("put_public_access_block", {}, {"Bucket": BUCKET, "PublicAccessBlockConfiguration": ALL_ON}),
        ),
    ),
}

#: (remediation, index of the refused call in its path, AWS error code)
REFUSALS = [
    ("s3.enable-default-encryption", 0, "AccessDenied"),
    ("s3.enable-default-encryption", 0, "NoSuchBucket"),
    ("s3.enable-default-encryption", 1, "KMS.NotFoundException"),
    ("s3.enable-default-encryption", 1, "SlowDown"),
    ("ec2.enable-ebs-default-encryption", 0, "UnauthorizedOperation"),
    ("ec2.enable-ebs-default-encryption", 2, "InvalidParameterValue"),  # key unknown, disabled or asymmetric
    ("ec2.enable-ebs-default-encryption", 3, "RequestLimitExceeded"),
    ("sqs.enable-queue-encryption", 0, "AWS.SimpleQueueService.NonExistentQueue"),
    ("sqs.enable-queue-encryption", 1, "AccessDenied"),
    ("sqs.enable-queue-encryption", 2, "KMS.NotFoundException"),
    ("sqs.enable-queue-encryption", 2, "KMS.DisabledException"),
    ("sqs.enable-queue-encryption", 2, "RequestThrottled"),
    ("sns.enable-topic-encryption", 0, "NotFound"),
    ("sns.enable-topic-encryption", 0, "AuthorizationError"),
    ("sns.enable-topic-encryption", 1, "InvalidParameter"),
    ("sns.enable-topic-encryption", 1, "KMSNotFound"),
    ("sns.enable-topic-encryption", 1, "Throttled"),
    ("iam.strengthen-password-policy", 0, "AccessDenied"),
    ("iam.strengthen-password-policy", 1, "Throttling"),
    ("ec2.revoke-public-ingress", 0, "UnauthorizedOperation"),
    ("ec2.revoke-public-ingress", 1, "RequestLimitExceeded"),
    ("ec2.close-default-security-group", 0, "UnauthorizedOperation"),
    ("ec2.close-default-security-group", 1, "InvalidGroup.NotFound"),
    ("ec2.close-default-security-group", 2, "UnauthorizedOperation"),
    ("ec2.close-default-security-group", 3, "InvalidPermission.NotFound"),
    ("s3.block-account-public-access", 0, "AccessDenied"),
    ("s3.block-account-public-access", 1, "SlowDown"),
    ("s3.block-bucket-public-access", 0, "NoSuchBucket"),
    ("s3.block-bucket-public-access", 1, "AccessDenied"),
]


class StubbedClients(ClientFactory):
    """Hands out one stubbed client and records which (service, account, region) were asked for."""

    def __init__(self, client: Any) -> None:
        super().__init__(boto3.Session(region_name=REGION), home_account_id=ACCOUNT)
        self.stubbed = client
        self.asked: set[tuple[str, str, str]] = set()

    def client(self, service: str, account_id: str, region: str) -> Any:
        self.asked.add((service, account_id, region))
        return self.stubbed


def finding_for(target: Resource) -> Finding:
    return Finding(
        source=FindingSource.CUSTOM_ACTION,
        event_id="stubbed",
        hub_account_id=ACCOUNT,
        hub_region=REGION,
        account_id=target.account_id,
        region=target.region,
        resources=(target,),
        lookup_keys=(),
        finding_id=f"arn:aws:securityhub:{REGION}:{ACCOUNT}:security-control/X.1/finding/stubbed",
        product_arn=f"arn:aws:securityhub:{REGION}::product/aws/securityhub",
    )


def rule_for(path: StubbedPath) -> Rule:
    rule = load_registry().by_id(path.rule_id)
    return rule if path.parameters is None else replace(rule, parameters=path.parameters)


def run(
    name: str, *, refuse: tuple[int, str] | None = None, dry_run: bool = False
) -> tuple[Outcome, Stubber]:
    """Stub the path (up to and including the refused call) and remediate through the engine."""
    path = PATHS[name]
    client = boto3.client(CATALOG[name].service, region_name=REGION)  # type: ignore[call-overload]
    stubber = Stubber(client)
    calls = path.calls if refuse is None else path.calls[: refuse[0] + 1]
    if dry_run:
        calls = tuple(call for call in calls if is_read(client, call))
    for index, call in enumerate(calls):
        if refuse is not None and index == refuse[0]:
            stubber.add_client_error(
                call.method, service_error_code=refuse[1], expected_params=dict(call.params)
            )
        elif isinstance(call.response, Missing):
            stubber.add_client_error(call.method, service_error_code=call.response.code, http_status_code=404)
        else:
            stubber.add_response(call.method, dict(call.response), dict(call.params))
    clients = StubbedClients(client)
    with stubber:
        outcome = remediate(finding_for(path.resource), rule_for(path), clients, dry_run=dry_run)
    assert clients.asked <= {(CATALOG[name].service, ACCOUNT, REGION)}
    return outcome, stubber


def operation(client: Any, call: Call) -> str:
    return str(client.meta.method_to_api_mapping[call.method])


def is_read(client: Any, call: Call) -> bool:
    return operation(client, call).startswith(("Get", "Describe", "List", "Head"))


def test_every_remediation_has_a_stubbed_path() -> None:
    assert sorted(PATHS) == sorted(CATALOG)
    assert {name for name, _, _ in REFUSALS} == set(CATALOG)


@pytest.mark.parametrize("name", sorted(PATHS))
def test_full_path_makes_exactly_the_expected_calls(name: str) -> None:
    outcome, stubber = run(name)
    assert outcome.status is Status.REMEDIATED, outcome.reason
    assert outcome.changes and outcome.undo
    stubber.assert_no_pending_responses()


#: Actions a remediation calls only on another path than its PATHS entry, each tested below.
OPTIONAL_CALLS = {"ec2.revoke-public-ingress": {"ec2:DescribeSecurityGroups"}}


def test_a_group_with_no_rules_is_checked_to_exist() -> None:
    """An unknown group id reads as no rules; DescribeSecurityGroups then says it is gone."""
    client = boto3.client("ec2", region_name=REGION)
    stubber = Stubber(client)
    stubber.add_response("describe_security_group_rules", {"SecurityGroupRules": []}, SG_FILTER)
    stubber.add_client_error(
        "describe_security_groups",
        service_error_code="InvalidGroup.NotFound",
        expected_params={"GroupIds": [SG]},
    )
    path = PATHS["ec2.revoke-public-ingress"]
    with stubber:
        outcome = remediate(finding_for(path.resource), rule_for(path), StubbedClients(client), dry_run=False)
    assert outcome.status is Status.FAILED and outcome.error_code == "InvalidGroup.NotFound"
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize("name", sorted(PATHS))
def test_declared_permissions_are_exactly_the_actions_called(name: str) -> None:
    remediation = CATALOG[name]
    client = boto3.client(remediation.service, region_name=REGION)  # type: ignore[call-overload]
    service = client.meta.service_model.service_name
    called = set()
    for call in PATHS[name].calls:
        api = operation(client, call)
        called.add(IAM_ACTION_FOR.get((service, api), f"{service}:{api}"))
    assert set(remediation.permissions) == called | OPTIONAL_CALLS.get(name, set())
    assert len(remediation.permissions) == len(set(remediation.permissions)), "a permission is declared twice"


@pytest.mark.parametrize("name", sorted(PATHS))
def test_dry_run_only_reads(name: str) -> None:
    outcome, stubber = run(name, dry_run=True)
    assert outcome.status is Status.PLANNED and outcome.changes
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize(("name", "index", "code"), REFUSALS)
def test_refused_call_fails_with_the_aws_error_code(name: str, index: int, code: str) -> None:
    outcome, stubber = run(name, refuse=(index, code))
    assert outcome.status is Status.FAILED
    assert outcome.error_code == code
    assert code in outcome.reason
    assert outcome.workflow_status == "NOTIFIED"
    stubber.assert_no_pending_responses()  # nothing was called after the refusal


#: (fixture, operation to refuse, code): the handler against moto, one per new remediation family.
HANDLER_REFUSALS = [
    ("securityhub-imported-s3.8-consolidated.json", "s3.PutPublicAccessBlock", "AccessDenied"),
    ("securityhub-imported-s3.1-consolidated.json", "s3control.PutPublicAccessBlock", "AccessDenied"),
    (
        "securityhub-imported-ec2.7-consolidated.json",
        "ec2.EnableEbsEncryptionByDefault",
        "UnauthorizedOperation",
    ),
    ("securityhub-imported-sns.1-consolidated.json", "sns.SetTopicAttributes", "AuthorizationError"),
    (
        "securityhub-imported-sqs.1-consolidated.json",
        "sqs.GetQueueAttributes",
        "AWS.SimpleQueueService.NonExistentQueue",
    ),
    ("securityhub-imported-ec2.2-consolidated.json", "ec2.DescribeSecurityGroups", "InvalidGroup.NotFound"),
]


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize(("name", "refused", "code"), HANDLER_REFUSALS)
def test_refusal_through_the_handler_notifies_with_the_code(name: str, refused: str, code: str) -> None:
    estate.enable_security_hub()
    estate.create_bucket()
    ids = {**estate.create_unencrypted_queue(), **estate.create_unencrypted_topic()}
    ids |= estate.create_default_security_group()
    event = load_event(name, ids)
    estate.import_findings(event)
    engine, recorder = make_engine()
    inject_call_faults(engine.clients.session, lambda op, _: code if op == refused else None)

    report = engine.handle(event)

    assert [(f["status"], f["error_code"]) for f in report["findings"]] == [("failed", code)]
    stored = estate.finding(event["detail"]["findings"][0]["Id"])
    assert stored["Workflow"]["Status"] == "NOTIFIED"
    assert code in stored["Note"]["Text"]
    assert refused in recorder.calls
