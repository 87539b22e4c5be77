"""Hypothesis strategies that spoil one finding's own fields, and what "untrusted" means for it.

`tests/test_fuzz_events.py` puts a finding spoiled here beside valid ones. A field is deleted,
replaced by arbitrary JSON or text, by a value that is plausible for it (another account,
Region, product, control, resource type), or edited one token at a time (`arn:aws:ec2:us-east-1:`
→ `arn:aws:ec2:eu-west-1:`), so the values get past the schema as often as they are stopped by it.

Regions: a made-up Region that looks real (`zz-north-1`) reaches the service, where AWS fails to
connect and moto raises KeyError instead; so Regions that look real are ones moto serves, and
made-up ones are ill-formed.

The classifiers below say, from the event alone, which findings must never be acted on: they are
this test's own reading of issue 12, written apart from `engine/trust.py` and `engine/decide.py`
on purpose, and they only ever say "must not act", never "must act".
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any

from hypothesis import strategies as st

from localaws import estate

SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
JSON = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)


class Deleted:
    """The value that removes a field instead of setting it."""

    def __repr__(self) -> str:
        return "<deleted>"


DELETE = Deleted()
OTHER_ACCOUNT = "999999999999"
REGIONS = ("us-east-1", "eu-west-1", "us-gov-west-1", "cn-north-1")
ILL_FORMED_REGIONS = ("mars-north-1x", "US-EAST-1", "us-east-1 ", "x", "")
SH_PRODUCT = "arn:aws:securityhub:us-east-1::product/aws/securityhub"
GENUINE_PRODUCTS = (
    SH_PRODUCT,
    "arn:aws:securityhub:eu-west-1::product/aws/securityhub",
    "arn:aws-us-gov:securityhub:us-gov-west-1::product/aws/securityhub",
)
FORGED_PRODUCTS = (
    f"arn:aws:securityhub:us-east-1:{estate.ACCOUNT}:product/{estate.ACCOUNT}/default",  # a member's own
    f"arn:aws:securityhub:us-east-1:{estate.ACCOUNT}:product/aws/securityhub",
    "arn:aws:securityhub:us-east-1::product/aws/guardduty",
    f"{SH_PRODUCT}/x",
    f"{SH_PRODUCT}x",
)
FORGED_COMPANIES = ("Example Security", "aws", "AWS ", "Amazon", "")
#: Tokens an edit puts in place of one token of an ARN or id.
TOKENS = (*REGIONS, *ILL_FORMED_REGIONS, estate.ACCOUNT, OTHER_ACCOUNT, "aws", "aws-cn", "aws-us-gov", "*")
ACCOUNT_RESOURCE = {"Type": "AwsAccount", "Id": f"AWS::::Account:{estate.ACCOUNT}", "Region": estate.REGION}
SERVICE_LINKED = "config-rule/aws-service-rule/securityhub.amazonaws.com/"

Path = tuple[str | int, ...]
Values = Callable[[Any], st.SearchStrategy[Any]]


@st.composite
def edited(draw: st.DrawFn, original: str) -> str:
    """`original` with one of its `:`/`/`-separated tokens replaced."""
    tokens = re.split(r"([:/])", original)
    words = [index for index, token in enumerate(tokens) if token not in (":", "/")]
    tokens[draw(st.sampled_from(words))] = draw(st.sampled_from(TOKENS) | st.text(max_size=8))
    return "".join(tokens)


def variants(*alternatives: Any) -> Values:
    """Values for a field: an alternative or its own value edited (three times in four, so that
    most spoiled findings get past the schema to the decisions behind it), else deleted or
    arbitrary JSON or text."""

    def values(original: Any) -> st.SearchStrategy[Any]:
        wild = st.just(DELETE) | JSON | st.text(max_size=20)
        plausible: list[st.SearchStrategy[Any]] = []
        if alternatives:
            plausible.append(st.sampled_from(alternatives))
        if isinstance(original, str) and original:
            plausible.append(edited(original))
        if not plausible:
            return wild
        return st.one_of(*[st.one_of(plausible)] * 3, wild)

    return values


#: The fields of an ASFF finding the engine reads (and some it must ignore), and their values.
ASFF_FIELDS: Mapping[Path, Values] = {
    ("Id",): variants(),
    ("ProductArn",): variants(*GENUINE_PRODUCTS, *FORGED_PRODUCTS),
    ("AwsAccountId",): variants(estate.ACCOUNT, OTHER_ACCOUNT, "12345678901"),
    ("Region",): variants(*REGIONS, *ILL_FORMED_REGIONS),
    ("CompanyName",): variants("AWS", *FORGED_COMPANIES),
    ("ProductName",): variants("Security Hub", "Default"),
    ("GeneratorId",): variants("security-control/IAM.7", "cis-aws-foundations-benchmark/v/1.2.0/4.1"),
    ("Compliance",): variants({}, {"Status": "FAILED"}),
    ("Compliance", "SecurityControlId"): variants("IAM.7", "S3.17", "EC2.13", "EC2.2", "Macie.1"),
    ("Compliance", "Status"): variants("PASSED", "FAILED", "WARNING", "NOT_AVAILABLE"),
    ("ProductFields",): variants({}, {"ControlId": "IAM.7"}, {"RuleId": "4.1"}),
    ("ProductFields", "RelatedAWSResources:0/name"): variants("securityhub-restricted-ssh-1399bc40"),
    ("ProductFields", "aws/securityhub/CompanyName"): variants("Example Security"),
    ("Workflow",): variants({}, {"Status": "SUPPRESSED"}),
    ("Workflow", "Status"): variants("NEW", "NOTIFIED", "RESOLVED", "SUPPRESSED"),
    ("WorkflowState",): variants("NEW", "SUPPRESSED"),
    ("RecordState",): variants("ACTIVE", "ARCHIVED"),
    ("Note",): variants({"Text": "noted"}),
    ("Resources",): variants([], [ACCOUNT_RESOURCE]),
    ("Resources", 0, "Type"): variants("AwsAccount", "AwsS3Bucket", "AwsEc2SecurityGroup", "AWS::S3::Bucket"),
    ("Resources", 0, "Id"): variants(f"AWS::::Account:{OTHER_ACCOUNT}", "sg-0123456789abcdef0", "arn:short"),
    ("Resources", 0, "Region"): variants(*REGIONS, *ILL_FORMED_REGIONS),
    ("Resources", 0, "Partition"): variants("aws", "aws-cn", "aws-us-gov", "aws:evil", "AWS"),
    ("Resources", 0, "Tags"): variants({}, {"remediation:exclude": "yes"}, {"Name": 1}),
    ("Resources", 0, "Details"): variants({}, {"AwsEc2SecurityGroup": {"GroupId": "sg-0"}}),
    ("Resources", 1): variants(ACCOUNT_RESOURCE, {"Type": "AwsS3Bucket", "Id": "arn:aws:s3:::other"}),
}

#: The fields of a Config rule compliance change the engine reads, and their values.
CONFIG_FIELDS: Mapping[Path, Values] = {
    ("resourceId",): variants(
        "sg-0", estate.BUCKET, f"arn:aws:ec2:us-east-1:{OTHER_ACCOUNT}:security-group/sg-0"
    ),
    ("resourceType",): variants(
        "AWS::EC2::SecurityGroup", "AWS::S3::Bucket", "AWS::::Account", "AWS::SNS::Topic"
    ),
    ("awsRegion",): variants(*REGIONS, *ILL_FORMED_REGIONS),
    ("awsAccountId",): variants(estate.ACCOUNT, OTHER_ACCOUNT),
    ("configRuleName",): variants("restricted-ssh", "securityhub-restricted-ssh-1399bc40"),
    ("configRuleARN",): variants(
        f"arn:aws:config:us-east-1:{OTHER_ACCOUNT}:{SERVICE_LINKED}config-rule-1",
        f"arn:aws:config:us-east-1:{estate.ACCOUNT}:config-rule/x:{SERVICE_LINKED}",
    ),
    ("newEvaluationResult", "complianceType"): variants("COMPLIANT", "NON_COMPLIANT", "NOT_APPLICABLE"),
}


def get(document: Any, path: Path) -> Any:
    for step in path:
        try:
            document = document[step]
        except (KeyError, IndexError, TypeError):
            return None
    return document


def put(document: Any, path: Path, value: Any) -> None:
    """Set (or, with DELETE, remove) the field at `path`; a no-op when its parent is gone."""
    parent, last, value = get(document, path[:-1]), path[-1], copy.deepcopy(value)
    if isinstance(parent, dict) and isinstance(last, str):
        if value is DELETE:
            parent.pop(last, None)
        else:
            parent[last] = value
    elif isinstance(parent, list) and isinstance(last, int) and last <= len(parent):
        if value is DELETE:
            del parent[last:]
        elif last == len(parent):
            parent.append(value)
        else:
            parent[last] = value


@st.composite
def spoiled(
    draw: st.DrawFn, original: Mapping[str, Any], fields: Mapping[Path, Values], most: int = 3
) -> Any:
    """A copy of `original` with one to `most` of `fields` changed, in order."""
    document = copy.deepcopy(dict(original))
    for path in draw(st.lists(st.sampled_from(list(fields)), min_size=1, max_size=most, unique=True)):
        put(document, path, draw(fields[path](get(document, path))))
    return document


def forged(finding: Mapping[str, Any]) -> bool:
    """Not Security Hub's own: its ProductArn is no `…::product/aws/securityhub`, or its company is not AWS."""
    parts = str(finding.get("ProductArn")).split(":")
    own_product = (
        len(parts) == 6
        and parts[0] == "arn"
        and parts[1].startswith("aws")
        and parts[2] == "securityhub"
        and parts[4:] == ["", "product/aws/securityhub"]
    )
    return not own_product or finding.get("CompanyName", "AWS") != "AWS"


def foreign(finding: Mapping[str, Any], event_region: str) -> bool:
    """Every resource it names is an ARN in another account or Region than the finding says.

    The Region a resource is in: its own `Region`, else the finding's, else the one in its
    ProductArn, else the event's.
    """
    resources = finding.get("Resources")
    if not isinstance(resources, list) or not resources:
        return False
    product = str(finding.get("ProductArn")).split(":")
    default_region = finding.get("Region") or (product[3] if len(product) >= 6 else "") or event_region
    return all(
        isinstance(resource, dict)
        and _arn_elsewhere(
            resource.get("Id"), finding.get("AwsAccountId"), resource.get("Region") or default_region
        )
        for resource in resources
    )


def _arn_elsewhere(resource_id: Any, account: Any, region: Any) -> bool:
    parts = str(resource_id).split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return False
    return bool(parts[4] and parts[4] != account) or bool(parts[3] and parts[3] != region)


def elsewhere(account: Any) -> bool:
    """Another account than the engine's own, where it has no member role to act."""
    return bool(account != estate.ACCOUNT)


def untrusted_config_rule(detail: Mapping[str, Any], aws_rules: frozenset[str]) -> bool:
    """Neither Security Hub's service-linked rule in the event's own account and Region, nor a
    rule AWS owns (`aws_rules`, created in the estate's account and Region)."""
    account, region = detail.get("awsAccountId"), detail.get("awsRegion")
    service_linked = f"arn:aws:config:{region}:{account}:{SERVICE_LINKED}"
    arn = detail.get("configRuleARN")
    if isinstance(arn, str) and arn.startswith(service_linked) and ":" not in arn[len(service_linked) :]:
        return False
    return not (
        detail.get("configRuleName") in aws_rules and account == estate.ACCOUNT and region == estate.REGION
    )


@st.composite
def untrusted_findings(draw: st.DrawFn, bases: list[dict[str, Any]]) -> dict[str, Any]:
    """A spoiled finding, then made one the engine must not act on: forged, elsewhere or foreign."""
    finding: dict[str, Any] = draw(spoiled(draw(st.sampled_from(bases)), ASFF_FIELDS))
    how = draw(st.sampled_from(["product", "company", "account", "resource account", "resource region"]))
    if how == "product":
        finding["ProductArn"] = draw(st.sampled_from(FORGED_PRODUCTS))
    elif how == "company":
        finding["CompanyName"] = draw(st.sampled_from(FORGED_COMPANIES))
    elif how == "account":
        finding["AwsAccountId"] = OTHER_ACCOUNT
    else:
        resources = finding.get("Resources")
        for resource in resources if isinstance(resources, list) else []:
            if isinstance(resource, dict):
                resource["Region"] = estate.REGION
                account = OTHER_ACCOUNT if how == "resource account" else estate.ACCOUNT
                region = "eu-west-1" if how == "resource region" else estate.REGION
                resource["Id"] = arn_in(resource.get("Id"), account, region)
    return finding


def arn_in(resource_id: Any, account: str, region: str) -> str:
    """The resource's ARN, or one made from its id, naming `account` and `region`."""
    parts = str(resource_id).split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        parts = ["arn", "aws", "ec2", "", "", str(resource_id)]
    parts[3:5] = [region, account]
    return ":".join(parts)
