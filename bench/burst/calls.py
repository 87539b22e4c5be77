"""What one invocation costs in AWS calls, modelled on the engine's own path (engine/process.py).

One Imported event carries one finding (reference: events.md §2), so one invocation is, in order:
the live exclusion tag (`tag:GetResources`, for resources with an ARN), the claim in the state
table, the remediation's reads, (first time only) the write-ahead undo record and the writes, the
release with the outcome, then one `BatchUpdateFindings` in the administrator account. The member-account clients need the
member role: `sts:AssumeRole` once per account per execution environment, again when botocore
refreshes the credentials (engine/clients.py caches the session).

Each call follows botocore's standard retry mode as the engine configures it (engine/clients.py:
5 retries, so 6 attempts): a throttled attempt i waits `rand * min(2 ** (i - 1), 20)` s, and
each client's retry quota (500, a throttled retry costs 5) can stop retrying early. What the
engine does when a call still fails is kept too: a claim, read, write or state write makes the
finding retryable, so the invocation raises and Lambda retries it; unreadable live tags skip the
finding with a note (not retried); a BatchUpdateFindings that gives up makes the invocation fail
after everything else was recorded (engine/process.py), so Lambda retries the event and the next
delivery writes the note (`retry_unrecorded=False` models the engine before it did).

Latencies are assumptions (a round trip in the Region, plus one between Regions), not AWS figures.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum

from bench.burst.des import Process, Simulation, TokenBucket
from bench.burst.quotas import QUOTAS, SDK_RETRY, Quota, Scope, SdkRetry


@dataclass(frozen=True, slots=True)
class Profile:
    """The remediation's own calls for one control, as bench/aws_calls.py counts them."""

    reads: tuple[str, ...]
    writes: tuple[str, ...]
    has_arn: bool = True  # account-level settings have no ARN: no live tag read
    global_resource: bool = False  # one resource per account, whatever the Region (IAM)


_SG = Profile(("ec2:DescribeSecurityGroupRules",), ("ec2:RevokeSecurityGroupIngress",))
_PASSWORD_POLICY = Profile(
    ("iam:GetAccountPasswordPolicy",), ("iam:UpdateAccountPasswordPolicy",), False, True
)
PROFILES: dict[str, Profile] = {
    "S3.17": Profile(("s3:GetBucketEncryption",), ("s3:PutBucketEncryption",)),
    "S3.8": Profile(("s3:GetPublicAccessBlock",), ("s3:PutPublicAccessBlock",)),
    "S3.1": Profile(("s3control:GetPublicAccessBlock",), ("s3control:PutPublicAccessBlock",), False),
    "EC2.13": _SG,
    "EC2.14": _SG,
    "EC2.19": _SG,
    "EC2.2": Profile(
        ("ec2:DescribeSecurityGroupRules", "ec2:DescribeSecurityGroups"),
        ("ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress"),
    ),
    "EC2.7": Profile(("ec2:GetEbsEncryptionByDefault",), ("ec2:EnableEbsEncryptionByDefault",), False),
    **{f"IAM.{n}": _PASSWORD_POLICY for n in (7, 10, 11, 12, 13, 14, 15, 16, 17)},
    "SQS.1": Profile(("sqs:GetQueueAttributes",), ("sqs:SetQueueAttributes",)),
    "SNS.1": Profile(("sns:GetTopicAttributes",), ("sns:SetTopicAttributes",)),
}
#: Seconds per round trip in the Region (assumed); a call to another Region adds CROSS_REGION.
LATENCY = {
    "sts": 0.15,
    "tag": 0.10,
    "dynamodb": 0.01,
    "securityhub": 0.15,
    "ec2": 0.12,
    "iam": 0.15,
    "s3": 0.10,
    "s3control": 0.12,
    "sqs": 0.05,
    "sns": 0.06,
}
CROSS_REGION = 0.07
COLD_START = 0.6  # handler import and first clients (cold start (a) measured 0.44 s locally)
NEW_CLIENT = 0.03  # botocore builds a client per (service, account, Region) on first use
#: assumed-role credentials last 1 h; botocore refreshes them 15 min before they expire
SESSION_SECONDS = 45 * 60
HOME_ACCOUNT = "admin"


class Outcome(Enum):
    RESOLVED = "resolved"  # remediated or already compliant, and the finding updated
    UNRECORDED = "unrecorded"  # fixed, but BatchUpdateFindings failed: the finding still says NEW
    SKIPPED = "skipped"  # live tags unreadable: a note, the resource left alone
    ERROR = "error"  # a retryable fault: the invocation fails and Lambda retries it


@dataclass(frozen=True, slots=True)
class Finding:
    index: int
    control: str
    function: str
    account: str
    region: str
    resource: str
    arrival: float


@dataclass
class RetryQuota:
    """botocore's per-client retry quota."""

    available: int = SDK_RETRY.quota_capacity


@dataclass
class Environment:
    """One execution environment: warm clients, cached member sessions, per-client retry quotas."""

    function: str
    cold: bool = True
    sessions: dict[str, float] = field(default_factory=dict)  # account -> when botocore refreshes
    quotas: dict[tuple[str, str, str], RetryQuota] = field(default_factory=dict)


@dataclass
class Stats:
    calls: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)
    exhausted: Counter[str] = field(default_factory=Counter)


class Aws:
    """The quotas as token buckets, created on first use per scope, and the resources' state."""

    def __init__(
        self,
        sim: Simulation,
        rng: random.Random,
        *,
        max_attempts: int,
        home_region: str,
        quotas: Sequence[Quota] = QUOTAS,
        quota_scale: float = 1.0,
        retry_unrecorded: bool = True,
        sdk: SdkRetry = SDK_RETRY,
    ) -> None:
        self.sim, self.rng, self.max_attempts, self.home_region = sim, rng, max_attempts, home_region
        self.quotas = {api: quota for quota in quotas for api in quota.apis}
        self.quota_scale = quota_scale  # tests shrink or grow every quota
        #: the engine lets Lambda retry an invocation whose BatchUpdateFindings gave up (False: it did not)
        self.retry_unrecorded = retry_unrecorded
        self.sdk = sdk
        self.stats = Stats()
        self.fixed: set[str] = set()
        self._buckets: dict[tuple[str, ...], TokenBucket] = {}

    def bucket(self, quota: Quota, account: str, region: str) -> TokenBucket:
        scope = {
            Scope.HOME: (),
            Scope.TABLE: (),
            Scope.MEMBER_GLOBAL: (account,),
            Scope.MEMBER_REGION: (account, region),
        }[quota.scope]
        key = (quota.apis[0], *scope)
        if key not in self._buckets:
            scale = self.quota_scale
            self._buckets[key] = TokenBucket(quota.rate * scale, max(1.0, quota.burst * scale))
        return self._buckets[key]

    def call(self, env: Environment, api: str, account: str, region: str) -> Process[bool]:
        """One SDK call with botocore's retries; True when it succeeded."""
        service = api.split(":")[0]
        client = (service, account, region)
        if client not in env.quotas:
            env.quotas[client] = RetryQuota()
            yield NEW_CLIENT
        retry_quota = env.quotas[client]
        quota = self.quotas.get(api)
        bucket = self.bucket(quota, account, region) if quota else None
        latency = LATENCY[service] + (CROSS_REGION if region != self.home_region else 0.0)
        acquired = 0
        for attempt in range(1, self.max_attempts + 1):
            self.stats.calls[api] += 1
            trip = latency * self.rng.uniform(0.7, 1.3)
            yield trip / 2
            admitted = bucket is None or bucket.take(self.sim.now)
            yield trip / 2
            if admitted:
                retry_quota.available = min(
                    self.sdk.quota_capacity, retry_quota.available + (acquired or self.sdk.no_retry_refund)
                )
                return True
            self.stats.throttled[api] += 1
            cost = self.sdk.throttling_retry_cost
            if attempt == self.max_attempts or retry_quota.available < cost:
                self.stats.exhausted[api] += 1
                return False
            retry_quota.available -= cost
            acquired = cost
            yield self.rng.random() * min(self.sdk.throttling_base * 2 ** (attempt - 1), self.sdk.max_backoff)
        return False

    def session(self, env: Environment, account: str) -> Process[bool]:
        """The member role's session, assumed when the environment has none or it is due a refresh."""
        if env.sessions.get(account, -1.0) > self.sim.now:
            return True
        assumed = yield from self.call(env, "sts:AssumeRole", HOME_ACCOUNT, self.home_region)
        if assumed:
            env.sessions[account] = self.sim.now + SESSION_SECONDS
        return assumed

    def member_call(self, env: Environment, api: str, finding: Finding) -> Process[bool]:
        if not (yield from self.session(env, finding.account)):
            return False
        return (yield from self.call(env, api, finding.account, finding.region))

    def home_call(self, env: Environment, api: str) -> Process[bool]:
        return (yield from self.call(env, api, HOME_ACCOUNT, self.home_region))


def invocation(aws: Aws, env: Environment, finding: Finding) -> Process[Outcome]:
    """The engine handling one Imported event (engine/process.py `Engine.handle`)."""
    if env.cold:
        env.cold = False
        yield COLD_START
    profile = PROFILES[finding.control]
    outcome = Outcome.RESOLVED
    if profile.has_arn and not (yield from aws.member_call(env, "tag:GetResources", finding)):
        outcome = Outcome.SKIPPED  # exclusions.py: unreadable tags exclude the resource
    else:
        outcome = yield from _remediate_once(aws, env, finding, profile)
    if outcome is Outcome.ERROR:
        return outcome  # resolve.py: a retried delivery records it; the invocation raises
    recorded = yield from aws.home_call(env, "securityhub:BatchUpdateFindings")
    if recorded or outcome is Outcome.SKIPPED:
        return outcome
    return Outcome.ERROR if aws.retry_unrecorded else Outcome.UNRECORDED


def _remediate_once(aws: Aws, env: Environment, finding: Finding, profile: Profile) -> Process[Outcome]:
    """Claim, read, write-ahead record (pointer + intent), write, release with the outcome
    (engine/journal.py); any failure is retryable (process.py)."""
    if not (yield from aws.home_call(env, "dynamodb:UpdateItem")):
        return Outcome.ERROR
    for api in profile.reads:
        if not (yield from aws.member_call(env, api, finding)):
            yield from aws.home_call(env, "dynamodb:UpdateItem")
            return Outcome.ERROR
    if finding.resource not in aws.fixed:
        for api in ("dynamodb:PutItem", "dynamodb:UpdateItem"):  # pointer, then the intent
            if not (yield from aws.home_call(env, api)):
                yield from aws.home_call(env, "dynamodb:UpdateItem")
                return Outcome.ERROR
        for api in profile.writes:
            if not (yield from aws.member_call(env, api, finding)):
                yield from aws.home_call(env, "dynamodb:UpdateItem")
                return Outcome.ERROR
        aws.fixed.add(finding.resource)
    if not (yield from aws.home_call(env, "dynamodb:UpdateItem")):
        return Outcome.ERROR
    return Outcome.RESOLVED
