"""Act only on what AWS itself produced: Security Hub's own control findings, AWS's Config rules.

The same holds for AWS Security Hub's OCSF findings: `metadata.product.uid` must be Security
Hub's own `…::productv2/aws/securityhub` and `metadata.product.vendor_name`, when present, "AWS".

A finding is an instruction to a principal with write access to every member account, and a
member account that may call `securityhub:BatchImportFindings` can import findings of its own
that look like control findings. It cannot import them under Security Hub's product ARN
(`arn:<partition>:securityhub:<region>::product/aws/securityhub`): BatchImportFindings accepts
only products the caller is entitled to, so the product ARN is the proof, whatever
`ProductName` ("Security Hub", "Security Hub CSPM") or `CompanyName` say. The generated
EventBridge patterns ask for it too, so a forged finding never invokes a function; this check
holds the CLI, the custom action and a redrive to it as well.

A Config event names a rule in the member account, and a member can create a custom rule
called `restricted-ssh`. A rule is trusted when its ARN is one of Security Hub's
service-linked rules (`config-rule/aws-service-rule/securityhub.amazonaws.com/…`, which only
Security Hub can create), or when `DescribeConfigRules` in that account says
`Source.Owner` is `AWS` (an AWS managed rule, whoever deployed it: directly or in a
conformance pack). Answers are cached for the life of the execution environment, for
`OWNER_TTL_SECONDS`. A rule whose owner cannot be read is not trusted.
API: https://docs.aws.amazon.com/config/latest/APIReference/API_DescribeConfigRules.html
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from botocore.exceptions import BotoCoreError, ClientError

from model.errors import RemediationError
from model.finding import Finding, FindingSource

#: The same, as an EventBridge `wildcard` pattern for the generated rules.
SECURITY_HUB_PRODUCT_PATTERN = "arn:*:securityhub:*::product/aws/securityhub"
SECURITY_HUB_PRODUCT = re.compile(r"^arn:aws(-[a-z]+)*:securityhub:[a-z0-9-]+::product/aws/securityhub$")
#: AWS Security Hub's OCSF findings carry `productv2` in `metadata.product.uid`: Security Hub's own
#: (CSPM controls among them). `…::productv2/aws/securityhub-coverage` and other products do not match.
SECURITY_HUB_PRODUCT_V2_PATTERN = "arn:*:securityhub:*::productv2/aws/securityhub"
SECURITY_HUB_PRODUCT_V2 = re.compile(r"^arn:aws(-[a-z]+)*:securityhub:[a-z0-9-]+::productv2/aws/securityhub$")
SECURITY_HUB_RULE = ":config-rule/aws-service-rule/securityhub.amazonaws.com/"
AWS_OWNER = "AWS"
OWNER_TTL_SECONDS = 900

#: owner(account, region, rule name) -> the rule's Source.Owner, or None when it cannot be read
OwnerReader = Callable[[str, str, str], str | None]


def foreign_producer(finding: Finding) -> str:
    """Why a Security Hub finding is not one of Security Hub's own control findings ('' if it is)."""
    if finding.source is FindingSource.CONFIG:
        return ""
    product = SECURITY_HUB_PRODUCT_V2 if finding.ocsf else SECURITY_HUB_PRODUCT
    if not product.match(finding.product_arn or ""):
        return f"not a Security Hub control finding (product {finding.product_arn}): nothing was changed"
    if finding.company_name not in (None, AWS_OWNER):
        return f"not a Security Hub control finding (company {finding.company_name!r}): nothing was changed"
    return ""


def untrusted_config_rule(finding: Finding, owner_of: OwnerReader) -> str:
    """Why a Config event's rule is not AWS's ('' if it is); may call DescribeConfigRules."""
    if finding.source is not FindingSource.CONFIG or SECURITY_HUB_RULE in (finding.config_rule_arn or ""):
        return ""
    name = finding.config_rule_name or ""
    owner = owner_of(finding.account_id, finding.region, name)
    if owner is None:
        return f"could not read who owns Config rule {name!r} (DescribeConfigRules): nothing was changed"
    if owner != AWS_OWNER:
        return f"Config rule {name!r} is not an AWS managed rule (Source.Owner {owner}): nothing was changed"
    return ""


def config_rule_owner_reader(
    client_for: Callable[[str, str], object], clock: Callable[[], float] = time.monotonic
) -> OwnerReader:
    """An OwnerReader over `config:DescribeConfigRules`; client_for(account, region) gives the client."""
    cache: dict[tuple[str, str, str], tuple[float, str]] = {}

    def owner(account: str, region: str, name: str) -> str | None:
        key = (account, region, name)
        if key in cache and clock() - cache[key][0] < OWNER_TTL_SECONDS:
            return cache[key][1]
        try:
            client = client_for(account, region)
            rules = client.describe_config_rules(ConfigRuleNames=[name])["ConfigRules"]  # type: ignore[attr-defined]
        except (ClientError, BotoCoreError, RemediationError):  # unreadable: the caller says so
            return None
        if not rules:
            return None
        found = str(rules[0].get("Source", {}).get("Owner", ""))
        cache[key] = (clock(), found)
        return found

    return owner
