"""The burst itself, the controls read from the generated template, and one run of the model.

The burst: a standard enabled across `accounts` x `regions` member account-Regions, whose first
evaluation (each account-Region's findings within a minute, the account-Regions spread over
`minutes`) imports 100 failed findings per account-Region that the engine's rules route
(the mix below is an assumption: buckets, security groups, queues, topics, and the account-level
password policy, Block Public Access and EBS settings), aggregated into the administrator's Region.

The controls are read from `deploy.template_gen.admin_template()`, the document `make template`
writes to template.yaml (a test keeps the file equal to it), so the model runs with the
template's own reserved concurrency, maximum event age, retry attempts and timeout.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bench.burst.calls import PROFILES, Aws, Finding
from bench.burst.des import Simulation
from bench.burst.lambda_queue import LambdaService, Tally
from bench.burst.quotas import LAMBDA, QUOTAS, Quota
from engine.clients import MAX_RETRIES

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "eu-central-1")  # the first is the administrator's
#: Failed findings per account-Region that the engine routes (assumed mix, 100 in all).
MIX: Mapping[str, int] = {
    "S3.17": 15,
    "S3.8": 15,
    "S3.1": 1,
    "EC2.13": 20,
    "EC2.14": 10,
    "EC2.19": 8,
    "EC2.2": 1,
    "EC2.7": 1,
    **{f"IAM.{n}": 1 for n in (7, 10, 11, 12, 13, 14, 15, 16, 17)},
    "SQS.1": 10,
    "SNS.1": 10,
}
EVALUATION_SECONDS = 60.0  # one account-Region's findings arrive within this
#: Tries per call: the engine's client Config asks botocore for MAX_RETRIES retries after the first.
ATTEMPTS = MAX_RETRIES + 1


@dataclass(frozen=True, slots=True)
class Controls:
    """What the stack sets: per-function reserved concurrency (None: the unreserved pool) and async settings."""

    name: str
    reserved: Mapping[str, int | None]
    max_event_age: int
    retry_attempts: int
    timeout: float


def templated_controls(template: Mapping[str, Any] | None = None) -> Controls:
    """The controls `template` (default: the generated template.yaml) gives each remediation function."""
    if template is None:
        from deploy.template_gen import admin_template

        template = admin_template()
    resolve = _Resolver(template)
    function_globals = template["Globals"]["Function"]
    reserved: dict[str, int | None] = {}
    ages, retries, timeouts = set(), set(), set()
    for logical_id, resource in template["Resources"].items():
        properties = resource["Properties"]
        if resource["Type"] != "AWS::Serverless::Function" or "EventInvokeConfig" not in properties:
            continue
        merged = {**function_globals, **properties}
        limit = resolve(merged.get("ReservedConcurrentExecutions"))
        reserved[logical_id] = int(limit) if limit is not None else None
        ages.add(
            int(merged["EventInvokeConfig"].get("MaximumEventAgeInSeconds", LAMBDA.default_max_event_age))
        )
        retries.add(
            int(merged["EventInvokeConfig"].get("MaximumRetryAttempts", LAMBDA.default_retry_attempts))
        )
        timeouts.add(float(merged["Timeout"]))
    if len(ages) != 1 or len(retries) != 1 or len(timeouts) != 1:
        raise ValueError(f"functions differ in async settings or timeout: {ages} {retries} {timeouts}")
    return Controls("templated controls", reserved, ages.pop(), retries.pop(), timeouts.pop())


def no_controls(template_controls: Controls) -> Controls:
    """The same functions with nothing set: the unreserved pool and Lambda's default async settings."""
    return Controls(
        "no controls",
        dict.fromkeys(template_controls.reserved),
        LAMBDA.default_max_event_age,
        LAMBDA.default_retry_attempts,
        template_controls.timeout,
    )


class _Resolver:
    """Just enough of CloudFormation's intrinsics for the reserved concurrency: Ref, Fn::If, Fn::Not, Fn::Equals."""

    def __init__(self, template: Mapping[str, Any]) -> None:
        self.parameters = template.get("Parameters", {})
        self.conditions = template.get("Conditions", {})

    def __call__(self, node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        ((function, argument),) = node.items()
        if function == "Ref":
            return None if argument == "AWS::NoValue" else self.parameters[argument]["Default"]
        if function == "Fn::If":
            condition, if_true, if_false = argument
            return self(if_true if self.condition(self.conditions[condition]) else if_false)
        raise ValueError(f"cannot resolve {node}")

    def condition(self, node: Any) -> bool:
        ((function, argument),) = node.items()
        if function == "Fn::Not":
            return not self.condition(argument[0])
        if function == "Fn::Equals":
            left, right = (str(self(value)) for value in argument)
            return left == right
        raise ValueError(f"cannot evaluate {node}")


def burst(
    function_of: Mapping[str, str],
    *,
    accounts: int = 100,
    regions: int = 4,
    minutes: float = 10.0,
    seed: int = 7,
) -> list[Finding]:
    """The findings of a first evaluation, in arrival order; `function_of` maps a control to its function."""
    rng = random.Random(seed)
    window = max(minutes * 60 - EVALUATION_SECONDS, 0.0)
    findings = []
    for account_number in range(accounts):
        account = f"member{account_number:03d}"
        for region in REGIONS[:regions]:
            start = rng.uniform(0, window)
            for control, count in MIX.items():
                where = "global" if PROFILES[control].global_resource else region
                for n in range(count):
                    arrival = start + rng.uniform(0, EVALUATION_SECONDS)
                    resource = f"{account}/{where}/{control}/{n}"
                    findings.append(
                        Finding(0, control, function_of[control], account, region, resource, arrival)
                    )
    findings.sort(key=lambda finding: finding.arrival)
    return [replace(finding, index=i) for i, finding in enumerate(findings)]


def functions_by_control() -> dict[str, str]:
    """Each routed control's function, as the registry and deploy/functions.py split them."""
    from deploy.functions import families
    from rules.registry import load_registry

    rules = load_registry().rules
    function_ids = {family.name: family.function_id for family in families(rules)}
    return {rule.control: function_ids[rule.family] for rule in rules if rule.control}


@dataclass
class Result:
    controls: Controls
    findings: int
    tally: Tally
    calls: Counter[str] = field(default_factory=Counter)
    throttled: Counter[str] = field(default_factory=Counter)
    exhausted: Counter[str] = field(default_factory=Counter)
    peaks: dict[str, int] = field(default_factory=dict)
    environments: int = 0

    @property
    def dead_lettered(self) -> int:
        return sum(self.tally.dead_letters.values())

    @property
    def unrecorded(self) -> int:
        return self.tally.outcomes["unrecorded"]


def run(
    controls: Controls,
    findings: Sequence[Finding],
    *,
    seed: int = 7,
    quotas: Sequence[Quota] = QUOTAS,
    quota_scale: float = 1.0,
    max_attempts: int | None = None,
    retry_unrecorded: bool = True,
) -> Result:
    """Deliver `findings` to the functions under `controls`; every figure of the run."""
    sim, rng = Simulation(), random.Random(seed)
    attempts = max_attempts if max_attempts is not None else ATTEMPTS
    aws = Aws(
        sim,
        rng,
        max_attempts=attempts,
        home_region=REGIONS[0],
        quotas=quotas,
        quota_scale=quota_scale,
        retry_unrecorded=retry_unrecorded,
    )
    service = LambdaService(
        sim,
        rng,
        aws,
        controls.reserved,
        max_event_age=controls.max_event_age,
        retry_attempts=controls.retry_attempts,
        timeout=controls.timeout,
    )
    for finding in findings:
        service.invoke_async(finding)
    sim.run()
    return Result(
        controls,
        len(findings),
        service.tally,
        aws.stats.calls,
        aws.stats.throttled,
        aws.stats.exhausted,
        {name: function.peak for name, function in service.functions.items()},
        sum(function.environments for function in service.functions.values()),
    )
