"""Every AWS figure the burst model uses, in one place, each with the page that documents it.

Figures were checked against the cited page (2026-12, through the docs search index); a figure
AWS does not publish is marked `verified=False` with what was assumed instead, so a reader can
tell the quotas the engine must respect from the guesses that fill the gaps. The SDK's retry
constants are botocore's own (tests/test_burst.py checks them against the installed botocore).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Scope(Enum):
    """Whose bucket a call draws from: the quotas are per account and Region unless said otherwise."""

    HOME = "administrator account, its Region"  # the stack's own calls
    MEMBER_REGION = "member account, the resource's Region"
    MEMBER_GLOBAL = "member account (global service)"
    TABLE = "the stack's state table"


@dataclass(frozen=True, slots=True)
class Quota:
    """A token bucket: `rate` tokens a second refill a bucket of `burst`; each request takes one."""

    apis: tuple[str, ...]  # the calls that share this bucket
    rate: float
    burst: float
    scope: Scope
    source: str
    verified: bool
    note: str = ""


SECURITY_HUB_API = "https://docs.aws.amazon.com/securityhub/1.0/APIReference/Welcome.html"
IAM_STS_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
EC2_THROTTLING = "https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html"
DYNAMODB_ON_DEMAND = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html"
)
TAGGING_QUOTAS = "https://docs.aws.amazon.com/general/latest/gr/arg.html"
IAM_THROTTLING = "https://repost.aws/knowledge-center/iam-sts-throttling-error"

QUOTAS: tuple[Quota, ...] = (
    # "BatchUpdateFindings - RateLimit of 10 requests per second. BurstLimit of 30 requests per second."
    Quota(("securityhub:BatchUpdateFindings",), 10, 30, Scope.HOME, SECURITY_HUB_API, True),
    # "600 requests per second, per account, per Region" shared by AssumeRole, GetCallerIdentity, …;
    # only the calling account's quota counts for a cross-account AssumeRole. No burst is given.
    Quota(
        ("sts:AssumeRole",),
        600,
        600,
        Scope.HOME,
        IAM_STS_QUOTAS,
        True,
        "burst UNVERIFIED: not published, one second's rate assumed",
    ),
    # Request token buckets (bucket maximum capacity, refill rate per second), per API, per account and Region.
    Quota(
        ("ec2:DescribeSecurityGroupRules",),
        20,
        100,
        Scope.MEMBER_REGION,
        EC2_THROTTLING,
        True,
        "non-mutating",
    ),
    Quota(
        ("ec2:DescribeSecurityGroups",),
        10,
        50,
        Scope.MEMBER_REGION,
        EC2_THROTTLING,
        True,
        "unfiltered and unpaginated: GroupIds but no filter, so the smaller bucket, to be safe",
    ),
    Quota(
        ("ec2:GetEbsEncryptionByDefault",), 20, 100, Scope.MEMBER_REGION, EC2_THROTTLING, True, "non-mutating"
    ),
    Quota(
        ("ec2:RevokeSecurityGroupIngress",),
        5,
        50,
        Scope.MEMBER_REGION,
        EC2_THROTTLING,
        True,
        "resource-intensive",
    ),
    Quota(("ec2:RevokeSecurityGroupEgress",), 5, 50, Scope.MEMBER_REGION, EC2_THROTTLING, True, "mutating"),
    Quota(
        ("ec2:EnableEbsEncryptionByDefault",), 5, 50, Scope.MEMBER_REGION, EC2_THROTTLING, True, "mutating"
    ),
    # IAM throttles with token buckets too, but AWS publishes no IAM request rates.
    Quota(
        ("iam:GetAccountPasswordPolicy", "iam:UpdateAccountPasswordPolicy"),
        5,
        10,
        Scope.MEMBER_GLOBAL,
        IAM_THROTTLING,
        False,
        "no published rate: 5/s, burst 10 assumed",
    ),
    # "New on-demand tables will be able to sustain up to 4,000 writes per second"
    Quota(
        ("dynamodb:UpdateItem", "dynamodb:PutItem"),
        4000,
        4000,
        Scope.TABLE,
        DYNAMODB_ON_DEMAND,
        True,
        "a new table; later, twice its previous peak",
    ),
    Quota(
        ("tag:GetResources",),
        20,
        20,
        Scope.MEMBER_REGION,
        TAGGING_QUOTAS,
        False,
        "no published rate found: 20/s assumed",
    ),
)
#: Calls the model times but does not throttle: no per-account rate for them was found, and the
#: burst spreads them over 400 account-Regions (S3 bucket configuration, SQS and SNS attributes).
UNTHROTTLED = ("s3", "s3control", "sqs", "sns")


@dataclass(frozen=True, slots=True)
class LambdaFigures:
    """Lambda's documented behaviour that shapes a burst."""

    #: "Concurrent executions: 1,000" per Region, shared by every function of the account
    account_concurrency: int = 1000
    #: "1,000 execution environment instances every 10 seconds" per function, refilled continuously
    scaling_burst: int = 1000
    scaling_per_second: float = 100.0
    #: MaximumEventAgeInSeconds: 60 s to 6 h, default 6 h; MaximumRetryAttempts: 0 to 2, default 2
    default_max_event_age: int = 21600
    default_retry_attempts: int = 2
    #: after a function error: "a one-minute wait between the first two attempts, and two minutes
    #: between the second and third"
    error_retry_delays: tuple[float, ...] = (60.0, 120.0)
    #: after a throttle (429): "The retry interval increases exponentially from 1 second after the
    #: first attempt to a maximum of 5 minutes", for up to the maximum event age
    throttle_first_delay: float = 1.0
    throttle_max_delay: float = 300.0


LAMBDA = LambdaFigures()
LAMBDA_SOURCES = {
    "account_concurrency": "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html",
    "scaling": "https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html",
    "async settings": "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html",
    "async retries": "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html",
}


@dataclass(frozen=True, slots=True)
class SdkRetry:
    """botocore's standard retry mode (botocore/retries/standard.py and quota.py)."""

    #: delay before retry i (1-based): rand(0, 1) * min(base * 2 ** (i - 1), max_backoff)
    throttling_base: float = 1.0
    max_backoff: float = 20.0
    #: each client's retry quota: a throttled retry costs 5, a call that needed no retry gives 1 back
    quota_capacity: int = 500
    throttling_retry_cost: int = 5
    no_retry_refund: int = 1


SDK_RETRY = SdkRetry()
