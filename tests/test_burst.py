"""The burst model's core (bench/burst): token buckets, the Lambda queue, and its ties to the template.

Small bursts only: each run here takes well under a second. The figures of the full burst are
`make bench`'s business; these tests check that the parts the figures rest on behave as documented.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import boto3
import pytest
from botocore.retries import quota as botocore_quota
from botocore.retries import standard as botocore_standard
from hypothesis import given
from hypothesis import strategies as st

from bench.burst.calls import PROFILES
from bench.burst.des import Simulation, TokenBucket
from bench.burst.quotas import QUOTAS, SDK_RETRY
from bench.burst.scenario import (
    ATTEMPTS,
    MIX,
    Controls,
    burst,
    functions_by_control,
    no_controls,
    run,
    templated_controls,
)
from deploy import functions, stack, template_gen
from engine.clients import MAX_RETRIES, RETRY_CONFIG
from rules.registry import load_registry

FUNCTION_OF = functions_by_control()
BACKOFF, QUOTA_CHECKER = botocore_standard.ExponentialBackoff, botocore_standard.RetryQuotaChecker


def small_burst(accounts: int = 2, regions: int = 2, minutes: float = 2.0) -> list[Any]:
    return burst(FUNCTION_OF, accounts=accounts, regions=regions, minutes=minutes, seed=3)


@given(
    rate=st.floats(min_value=0.1, max_value=50),
    capacity=st.integers(min_value=1, max_value=40),
    gaps=st.lists(st.one_of(st.just(0.0), st.floats(min_value=0, max_value=5)), min_size=1, max_size=120),
)
def test_a_token_bucket_admits_at_most_its_burst_plus_its_rate_over_any_interval(
    rate: float, capacity: int, gaps: list[float]
) -> None:
    bucket, now, admitted = TokenBucket(rate, capacity), 0.0, []
    for gap in gaps:
        now += gap
        if bucket.take(now):
            admitted.append(now)
    for first, start in enumerate(admitted):
        for last in range(first, len(admitted)):
            assert last - first + 1 <= capacity + rate * (admitted[last] - start) + 1e-9


def test_a_token_bucket_refills_at_its_rate() -> None:
    bucket = TokenBucket(rate=2, capacity=3)
    assert [bucket.take(0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(0.5) and not bucket.take(0.5)  # one token back after half a second


def test_the_simulator_runs_actions_in_time_order_and_processes_compose() -> None:
    sim, seen = Simulation(), []

    def waits(label: str, delay: float) -> Any:
        yield delay
        seen.append((label, sim.now))
        return label

    def both() -> Any:
        first = yield from waits("a", 2.0)
        second = yield from waits("b", 1.0)
        return first + second

    sim.start(both(), lambda result: seen.append((result, sim.now)))
    sim.at(0.5, lambda: seen.append(("x", sim.now)))
    assert sim.run() == 3.0
    assert seen == [("x", 0.5), ("a", 2.0), ("b", 3.0), ("ab", 3.0)]


def test_zero_load_throttles_nothing() -> None:
    result = run(templated_controls(), [])
    assert (result.tally.throttles, sum(result.throttled.values()), result.dead_lettered) == (0, 0, 0)


def test_a_quota_far_above_demand_gives_no_throttle_and_no_dead_letter() -> None:
    findings = small_burst()
    result = run(no_controls(templated_controls()), findings, quota_scale=1000)
    assert not result.throttled and result.dead_lettered == 0
    assert result.tally.outcomes["resolved"] == len(findings) == 400


def test_a_quota_too_small_with_no_retries_dead_letters() -> None:
    findings = small_burst()
    controls = replace(templated_controls(), retry_attempts=0)
    result = run(controls, findings, quota_scale=0.001, max_attempts=1)
    assert result.tally.dead_letters["retries exhausted"] == result.tally.errors > 0, "one try each, no retry"
    assert result.throttled["dynamodb:UpdateItem"] > 0  # the claim is what fails first
    ended = sum(result.tally.outcomes.values()) + result.dead_lettered
    assert ended == len(findings), "every finding ends somewhere"


def test_an_event_older_than_the_maximum_age_is_dead_lettered() -> None:
    findings = small_burst(minutes=1)
    controls = replace(templated_controls(), reserved=dict.fromkeys(templated_controls().reserved, 1))
    result = run(replace(controls, max_event_age=60), findings)
    assert result.tally.dead_letters["expired"] > 0
    assert result.tally.peak <= len(controls.reserved), "reserved concurrency caps each function"


def test_a_throttled_call_is_retried_as_botocore_does_and_then_given_up() -> None:
    findings = small_burst(accounts=4, minutes=1)
    buf = "securityhub:BatchUpdateFindings"
    tight = [replace(q, rate=1, burst=1) if buf in q.apis else q for q in QUOTAS]
    unretried = run(no_controls(templated_controls()), findings, quotas=tight, retry_unrecorded=False)
    assert unretried.throttled[buf] > unretried.exhausted[buf] > 0
    assert unretried.unrecorded == unretried.exhausted[buf], "without the retry, a note that gives up is lost"
    assert set(unretried.throttled) == {buf}
    retried = run(no_controls(templated_controls()), findings, quotas=tight)  # the engine retries the event
    assert retried.unrecorded == 0 and retried.tally.errors > 0


def test_the_same_seed_gives_the_same_run() -> None:
    findings = small_burst()
    first, second = (run(no_controls(templated_controls()), findings, quota_scale=0.2) for _ in range(2))
    assert first.tally == second.tally and first.calls == second.calls


def test_the_model_runs_with_the_templates_own_controls() -> None:
    controls = templated_controls()
    template = template_gen.admin_template()
    function_ids = {family.function_id for family in functions.families(load_registry().rules)}
    assert set(controls.reserved) == function_ids
    assert set(controls.reserved.values()) == {stack.PARAMETERS["ReservedConcurrency"]["Default"]}
    assert controls.max_event_age == functions.ASYNC_RETRIES["MaximumEventAgeInSeconds"]
    assert controls.retry_attempts == functions.ASYNC_RETRIES["MaximumRetryAttempts"]
    assert controls.timeout == template["Globals"]["Function"]["Timeout"]
    unreserved = {**template, "Parameters": {**template["Parameters"], "ReservedConcurrency": {"Default": 0}}}
    assert set(templated_controls(unreserved).reserved.values()) == {None}, "0 means the unreserved pool"


def test_no_controls_means_the_unreserved_pool_and_lambdas_defaults() -> None:
    bare = no_controls(templated_controls())
    assert set(bare.reserved.values()) == {None}
    assert (bare.max_event_age, bare.retry_attempts) == (21600, 2)


def test_every_control_of_the_burst_is_routed_to_a_function_and_has_a_call_profile() -> None:
    assert set(MIX) <= set(FUNCTION_OF), "a control the registry does not route"
    assert set(MIX) <= set(PROFILES)
    assert sum(MIX.values()) == 100
    modelled = {api for quota in QUOTAS for api in quota.apis}
    called = {api for profile in PROFILES.values() for api in (*profile.reads, *profile.writes)}
    assert {api for api in called if api.split(":")[0] in {"ec2", "iam"}} <= modelled


@pytest.mark.parametrize(
    ("ours", "botocores"),
    [
        (SDK_RETRY.max_backoff, lambda: vars(BACKOFF)["_MAX_BACKOFF"]),
        (
            SDK_RETRY.throttling_base,
            lambda: vars(BACKOFF)["_DEFAULT_BACKOFF_CONFIG"]["throttling_base_scale"],
        ),
        (SDK_RETRY.throttling_retry_cost, lambda: vars(QUOTA_CHECKER)["_THROTTLING_RETRY_COST"]),
        (SDK_RETRY.no_retry_refund, lambda: vars(QUOTA_CHECKER)["_NO_RETRY_INCREMENT"]),
        (SDK_RETRY.quota_capacity, lambda: botocore_quota.RetryQuota.INITIAL_CAPACITY),
    ],
)
def test_the_sdk_retry_figures_are_botocores(ours: float, botocores: Any) -> None:
    assert ours == botocores()


def test_the_model_tries_a_call_as_often_as_the_engines_clients() -> None:
    """botocore reads a client Config's max_attempts as retries: 5 of them is 6 attempts in all."""
    client = boto3.Session(region_name="us-east-1").client("sts", config=RETRY_CONFIG)
    assert vars(client.meta.config)["retries"] == {"mode": "standard", "total_max_attempts": ATTEMPTS}
    assert ATTEMPTS == MAX_RETRIES + 1


def test_controls_are_one_value_per_stack() -> None:
    """A template whose functions disagree is refused rather than averaged."""
    template = template_gen.admin_template()
    resources = dict(template["Resources"])
    first = next(k for k, v in resources.items() if "EventInvokeConfig" in v.get("Properties", {}))
    changed = dict(resources[first]["Properties"]["EventInvokeConfig"], MaximumRetryAttempts=0)
    resources[first] = {
        **resources[first],
        "Properties": {**resources[first]["Properties"], "EventInvokeConfig": changed},
    }
    with pytest.raises(ValueError, match="differ"):
        templated_controls({**template, "Resources": resources})
    assert isinstance(templated_controls(), Controls)
