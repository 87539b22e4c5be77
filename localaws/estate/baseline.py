"""What `deploy/member-baseline.yaml` creates, built in moto: the destinations remediations point at.

`deploy_baseline` deploys the committed template itself, resource by resource, in template order
(the generator writes each resource after those it names): its intrinsics are resolved by
`localaws.intrinsics` with the physical names and ARNs of what was created before, then each
resource is made with the calls CloudFormation would make for the properties the template sets.
moto's own CloudFormation is not used: it drops the bucket and topic policies and the buckets'
settings (and gives a log group's `Arn` without CloudFormation's `:*`), which would hand the
remediations destinations that differ from the deployed ones. So the demo's destinations cannot
drift from the template: names, policies, key, encryption and the published SSM parameters are
the template's own.

`create_log_bucket` builds the access log bucket alone, for tests that need only that one.
(A remediation's own cases build theirs inline: the Lambda's packages never import localaws.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from localaws.intrinsics import Resolver
from localaws.project import project_path
from remediations.destinations import BASELINE_TEMPLATE, PREFIX

#: A created resource's attributes: "Ref" and, where it has one, "Arn".
Attributes = dict[str, str]
Create = Callable[[Any, Mapping[str, Any]], Attributes]


def publish(session: Any, name: str, value: str) -> None:
    """One baseline output, as the template publishes it: a String parameter under PREFIX."""
    session.client("ssm").put_parameter(Name=PREFIX + name, Value=value, Type="String", Overwrite=True)


def create_log_bucket(session: Any, name: str) -> str:
    """The access log bucket, whose policy admits S3 log delivery from this account, published."""
    s3 = session.client("s3")
    account = session.client("sts").get_caller_identity()["Account"]
    s3.create_bucket(Bucket=name)
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "S3ServerAccessLogs",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"arn:aws:s3:::{name}/*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account}},
            }
        ],
    }
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps(policy))
    publish(session, "access-log-bucket", name)
    return name


def deploy_baseline(session: Any, parameters: Mapping[str, str] | None = None) -> dict[str, str]:
    """Create the baseline stack's resources in the session's account and Region.

    Returns the parameters it published: name under PREFIX → value (a bucket name or an ARN).
    """
    template = yaml.safe_load(project_path(BASELINE_TEMPLATE).read_text(encoding="utf-8"))
    account = session.client("sts").get_caller_identity()["Account"]
    stack = _Stack(template, account=account, region=session.region_name, parameters=parameters)
    published: dict[str, str] = {}
    for logical_id, declaration in template["Resources"].items():
        if "Condition" in declaration and not stack.condition(declaration["Condition"]):
            continue
        kind = declaration["Type"]
        properties = stack.resolve(declaration.get("Properties", {}))
        stack.created[logical_id] = CREATE[kind](session, properties)
        if kind == "AWS::SSM::Parameter":
            published[properties["Name"].removeprefix(PREFIX)] = properties["Value"]
    return published


class _Stack(Resolver):
    """Intrinsics resolved to what was created: a resource must be created before it is named."""

    created: dict[str, Attributes]

    def __init__(self, template: Mapping[str, Any], **options: Any) -> None:
        super().__init__(template, **options)
        self.created = {}

    def ref(self, name: str) -> str:
        return self.values[name] if name in self.values else self.created[name]["Ref"]

    def get_att(self, name: str, attribute: str) -> str:
        return self.created[name][attribute]


def _key(session: Any, properties: Mapping[str, Any]) -> Attributes:
    kms = session.client("kms")
    key = kms.create_key(Description=properties["Description"], Policy=json.dumps(properties["KeyPolicy"]))
    key_id = key["KeyMetadata"]["KeyId"]
    if properties.get("EnableKeyRotation"):
        kms.enable_key_rotation(KeyId=key_id)
    return {"Ref": key_id, "Arn": key["KeyMetadata"]["Arn"]}


def _alias(session: Any, properties: Mapping[str, Any]) -> Attributes:
    session.client("kms").create_alias(
        AliasName=properties["AliasName"], TargetKeyId=properties["TargetKeyId"]
    )
    return {"Ref": properties["AliasName"]}


def _bucket(session: Any, properties: Mapping[str, Any]) -> Attributes:
    s3, name = session.client("s3"), properties["BucketName"]
    where = {} if session.region_name == "us-east-1" else {"LocationConstraint": session.region_name}
    s3.create_bucket(Bucket=name, **({"CreateBucketConfiguration": where} if where else {}))
    if "BucketEncryption" in properties:
        rules = [  # CloudFormation's `ServerSideEncryptionByDefault` is the API's `Apply…`
            {"ApplyServerSideEncryptionByDefault": rule["ServerSideEncryptionByDefault"]}
            for rule in properties["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        ]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
    if "PublicAccessBlockConfiguration" in properties:
        s3.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration=properties["PublicAccessBlockConfiguration"]
        )
    if "OwnershipControls" in properties:
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=properties["OwnershipControls"])
    if "VersioningConfiguration" in properties:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration=properties["VersioningConfiguration"])
    if "LifecycleConfiguration" in properties:
        rules = [
            {
                "ID": rule["Id"],
                "Status": rule["Status"],
                "Filter": {"Prefix": ""},
                "Expiration": {"Days": int(rule["ExpirationInDays"])},
                "NoncurrentVersionExpiration": rule["NoncurrentVersionExpiration"],
            }
            for rule in properties["LifecycleConfiguration"]["Rules"]
        ]
        s3.put_bucket_lifecycle_configuration(Bucket=name, LifecycleConfiguration={"Rules": rules})
    if "LoggingConfiguration" in properties:
        logging = properties["LoggingConfiguration"]
        target = {"TargetBucket": logging["DestinationBucketName"], "TargetPrefix": logging["LogFilePrefix"]}
        s3.put_bucket_logging(Bucket=name, BucketLoggingStatus={"LoggingEnabled": target})
    return {"Ref": name, "Arn": f"arn:aws:s3:::{name}"}


def _bucket_policy(session: Any, properties: Mapping[str, Any]) -> Attributes:
    bucket = properties["Bucket"]
    session.client("s3").put_bucket_policy(Bucket=bucket, Policy=json.dumps(properties["PolicyDocument"]))
    return {"Ref": bucket}


def _log_group(session: Any, properties: Mapping[str, Any]) -> Attributes:
    logs, name = session.client("logs"), properties["LogGroupName"]
    logs.create_log_group(
        logGroupName=name, **({"kmsKeyId": properties["KmsKeyId"]} if "KmsKeyId" in properties else {})
    )
    if "RetentionInDays" in properties:
        logs.put_retention_policy(logGroupName=name, retentionInDays=int(properties["RetentionInDays"]))
    (group,) = (
        g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name
    )
    # CloudFormation's `Arn` of a log group ends in `:*` (the form CloudTrail takes).
    arn = group["arn"] if group["arn"].endswith(":*") else group["arn"] + ":*"
    return {"Ref": name, "Arn": arn}


def _role(session: Any, properties: Mapping[str, Any]) -> Attributes:
    iam, name = session.client("iam"), properties["RoleName"]
    role = iam.create_role(
        RoleName=name,
        Description=properties.get("Description", ""),
        AssumeRolePolicyDocument=json.dumps(properties["AssumeRolePolicyDocument"]),
    )["Role"]
    for policy in properties.get("Policies", []):
        iam.put_role_policy(
            RoleName=name,
            PolicyName=policy["PolicyName"],
            PolicyDocument=json.dumps(policy["PolicyDocument"]),
        )
    return {"Ref": name, "Arn": role["Arn"]}


def _topic(session: Any, properties: Mapping[str, Any]) -> Attributes:
    attributes = {"KmsMasterKeyId": properties["KmsMasterKeyId"]} if "KmsMasterKeyId" in properties else {}
    arn = session.client("sns").create_topic(Name=properties["TopicName"], Attributes=attributes)["TopicArn"]
    return {"Ref": arn, "TopicArn": arn}


def _topic_policy(session: Any, properties: Mapping[str, Any]) -> Attributes:
    sns = session.client("sns")
    for topic in properties["Topics"]:
        sns.set_topic_attributes(
            TopicArn=topic, AttributeName="Policy", AttributeValue=json.dumps(properties["PolicyDocument"])
        )
    return {"Ref": ",".join(properties["Topics"])}


def _subscription(session: Any, properties: Mapping[str, Any]) -> Attributes:
    made = session.client("sns").subscribe(
        TopicArn=properties["TopicArn"], Protocol=properties["Protocol"], Endpoint=properties["Endpoint"]
    )
    return {"Ref": made["SubscriptionArn"]}


def _parameter(session: Any, properties: Mapping[str, Any]) -> Attributes:
    session.client("ssm").put_parameter(
        Name=properties["Name"],
        Value=properties["Value"],
        Type=properties["Type"],
        Description=properties.get("Description", ""),
        Overwrite=True,
    )
    return {"Ref": properties["Name"]}


#: How each resource type of the template is created; another type is a KeyError, never skipped.
CREATE: Mapping[str, Create] = {
    "AWS::KMS::Key": _key,
    "AWS::KMS::Alias": _alias,
    "AWS::S3::Bucket": _bucket,
    "AWS::S3::BucketPolicy": _bucket_policy,
    "AWS::Logs::LogGroup": _log_group,
    "AWS::IAM::Role": _role,
    "AWS::SNS::Topic": _topic,
    "AWS::SNS::TopicPolicy": _topic_policy,
    "AWS::SNS::Subscription": _subscription,
    "AWS::SSM::Parameter": _parameter,
}
