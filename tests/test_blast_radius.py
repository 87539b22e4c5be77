"""Issue 16 point 2: the blast-radius limit (`engine/blast_radius.py`).

The counters against moto (with DynamoDB's per-item atomic writes, `localaws/doubles/
dynamodb_atomic.py`): under the limit, at it, the account's window, a person's act, the one
notification a window, giving a slot back. Then the limit under concurrency, two ways: threads
hammering moto, and every interleaving of the counters' requests, driven one request at a time
by a hypothesis-chosen schedule. Last, the engine: N findings of one control, N+k deliveries at
once, exactly the limit changed, the rest held with a note naming the limit, window and reopening.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.blast_radius import ACCOUNT, CONTROL, LIMIT_CODE, BlastRadius, Held, Slot
from engine.settings import Settings
from localaws import estate
from localaws.engine_setup import create_state_table, make_engine
from localaws.events import load_event
from localaws.faults import inject_call_faults

TABLE = "remediator-state"
NOW = 1_796_300_000.0  # 2026-12-03 12:13:20 UTC
S3_EVENT = "securityhub-imported-s3.17-consolidated.json"

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def table(aws: None) -> None:
    create_state_table(TABLE)


def limits(
    per_control: int = 3, per_account: int = 5, clock: Callable[[], float] = lambda: NOW
) -> BlastRadius:
    client = boto3.client("dynamodb", region_name="us-east-1")
    return BlastRadius(lambda: client, TABLE, per_control, per_account, clock)


@pytest.mark.usefixtures("table")
def test_counts_up_to_the_control_limit_then_holds_until_the_next_hour() -> None:
    radius = limits(per_control=2)
    assert isinstance(radius.take("EC2.13", "111111111111"), Slot)
    assert isinstance(radius.take("EC2.13", "222222222222"), Slot)
    held = radius.take("EC2.13", "333333333333")
    assert isinstance(held, Held) and held.window.scope == CONTROL
    assert "2 changes per hour for control EC2.13" in held.reason
    assert "from 2026-12-03 12:00 UTC" in held.reason and "reopens at 13:00 UTC" in held.reason
    control, account = radius.windows("EC2.13", "333333333333")
    assert radius.count(control) == 2 and radius.count(account) == 0, "the account's slot was not taken"
    assert isinstance(radius.take("S3.17", "333333333333"), Slot), "another control has its own window"
    later = limits(per_control=2, clock=lambda: NOW + 3600)
    assert isinstance(later.take("EC2.13", "333333333333"), Slot), "the next hour is a new window"


@pytest.mark.usefixtures("table")
def test_a_full_account_window_gives_the_control_slot_back() -> None:
    radius = limits(per_control=10, per_account=1)
    assert isinstance(radius.take("EC2.13", "111111111111"), Slot)
    held = radius.take("S3.17", "111111111111")
    assert isinstance(held, Held) and held.window.scope == ACCOUNT
    assert "1 changes per hour for account 111111111111" in held.reason
    control, _ = radius.windows("S3.17", "111111111111")
    assert radius.count(control) == 0


@pytest.mark.usefixtures("table")
def test_a_person_is_counted_never_held() -> None:
    radius = limits(per_control=1)
    for _ in range(3):
        assert isinstance(radius.take("EC2.13", "111111111111", person=True), Slot)
    control, account = radius.windows("EC2.13", "111111111111")
    assert radius.count(control) == 3 and radius.count(account) == 3
    assert isinstance(radius.take("EC2.13", "111111111111"), Held), "automatic changes see the fuller window"


@pytest.mark.usefixtures("table")
def test_one_notification_a_window() -> None:
    radius = limits(per_control=1)
    radius.take("EC2.13", "111111111111")
    first, second = radius.take("EC2.13", "1"), radius.take("EC2.13", "2")
    assert isinstance(first, Held) and isinstance(second, Held)
    assert radius.first_hold(first) and not radius.first_hold(second)
    later = limits(per_control=1, clock=lambda: NOW + 3600)
    later.take("EC2.13", "1")
    third = later.take("EC2.13", "2")
    assert isinstance(third, Held) and later.first_hold(third), "a new window notifies again"


@pytest.mark.usefixtures("table")
def test_a_slot_given_back_is_free_again() -> None:
    radius = limits(per_control=1)
    slot = radius.take("EC2.13", "111111111111")
    assert isinstance(slot, Slot)
    assert radius.give_back(slot) == ""
    assert isinstance(radius.take("EC2.13", "111111111111"), Slot)


@pytest.mark.usefixtures("table")
def test_threads_never_count_past_the_limits() -> None:
    """40 deliveries at once over 4 accounts: at most 7 per control and 3 per account."""
    radius = limits(per_control=7, per_account=3)
    accounts = [f"{n:012d}" for n in range(4)]

    def deliver(n: int) -> Slot | Held:
        return radius.take("EC2.13", accounts[n % 4])

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(deliver, range(40)))
    slots = [r for r in results if isinstance(r, Slot)]
    assert len(slots) == 7
    control, _ = radius.windows("EC2.13", accounts[0])
    assert radius.count(control) == 7
    for account in accounts:
        assert radius.count(radius.windows("EC2.13", account)[1]) <= 3


class Turnstile:
    """Lets one thread's DynamoDB request through at a time, in the order a schedule names.

    Each thread announces itself before every request and waits until the schedule's next entry
    names it (or names a thread that has finished, which is skipped). So a schedule is one
    interleaving of the requests of all the deliveries, replayed exactly.
    """

    def __init__(self, schedule: list[int], threads: int) -> None:
        self._schedule = iter(schedule)
        self._turn: int | None = None
        self._waiting: set[int] = set()
        self._done: set[int] = set()
        self._threads = threads
        self._cond = threading.Condition()

    def _advance(self) -> None:
        live = set(range(self._threads)) - self._done
        if not live or not live <= self._waiting:
            return  # somebody is still running: they will advance when they next wait or finish
        for turn in self._schedule:
            if turn in live:
                self._turn = turn
                break
        else:
            self._turn = min(live)
        self._cond.notify_all()

    def wait(self, thread: int) -> None:
        with self._cond:
            self._waiting.add(thread)
            self._advance()
            self._cond.wait_for(lambda: self._turn == thread)
            self._waiting.discard(thread)
            self._turn = None

    def finish(self, thread: int) -> None:
        with self._cond:
            self._done.add(thread)
            self._advance()


class ScheduledClient:
    """A DynamoDB client whose every request waits for its thread's turn."""

    def __init__(self, client: Any, turnstile: Turnstile, thread: int) -> None:
        self._client, self._turnstile, self._thread = client, turnstile, thread

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self._turnstile.wait(self._thread)
            return method(*args, **kwargs)

        return call


@settings(max_examples=40, deadline=None)
@given(
    schedule=st.lists(st.integers(min_value=0, max_value=5), min_size=0, max_size=40),
    person=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_every_interleaving_keeps_automatic_changes_within_both_limits(
    schedule: list[int], person: list[bool]
) -> None:
    """Six deliveries (two accounts, one control; some a person's), interleaved request by request."""
    client = boto3.client("dynamodb", region_name="us-east-1")
    table = f"t{abs(hash((tuple(schedule), tuple(person))))}"
    client.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    turnstile = Turnstile(schedule, threads=6)
    accounts = ["111111111111", "222222222222"]
    results: dict[int, Slot | Held] = {}

    def deliver(n: int) -> None:
        scheduled = ScheduledClient(client, turnstile, n)
        radius = BlastRadius(lambda: scheduled, table, 2, 2, lambda: NOW)  # type: ignore[arg-type,return-value]
        try:
            results[n] = radius.take("EC2.13", accounts[n % 2], person=person[n])
        finally:
            turnstile.finish(n)

    threads = [threading.Thread(target=deliver, args=(n,), daemon=True) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 6
    taken = [n for n, r in results.items() if isinstance(r, Slot)]
    assert all(isinstance(results[n], Slot) for n in range(6) if person[n]), "a person is never held"
    automatic = [n for n in taken if not person[n]]
    assert len(automatic) <= 2, "never more automatic changes than the control's limit"
    for index, account in enumerate(accounts):
        assert len([n for n in automatic if n % 2 == index]) <= 2, f"account {account} over its limit"
    radius = BlastRadius(lambda: client, table, 2, 2, lambda: NOW)
    control, _ = radius.windows("EC2.13", accounts[0])
    assert radius.count(control) == len(taken), "every slot counted once, every given-back one uncounted"
    for account in accounts:
        _, window = radius.windows("EC2.13", account)
        assert radius.count(window) == sum(1 for n in taken if accounts[n % 2] == account)


# --- the engine ----------------------------------------------------------------------------------


def bucket_events(count: int) -> Iterator[tuple[str, dict[str, Any]]]:
    """`count` S3.17 findings, one per bucket, each in its own Imported event."""
    template = json.dumps(load_event(S3_EVENT))
    for n in range(count):
        name = f"blast-radius-bucket-{n}"
        text = template.replace(estate.BUCKET, name).replace(
            "00000001-0000-4000-8000-000000000001", f"00000001-0000-4000-8000-{n:012d}"
        )
        yield name, json.loads(text)


@pytest.fixture
def buckets(table: None) -> list[tuple[str, dict[str, Any]]]:
    estate.enable_security_hub()
    events = list(bucket_events(6))
    for name, event in events:
        estate.create_bucket(name)
        estate.import_findings(event)
    return events


def test_concurrent_deliveries_change_no_more_than_the_limit(
    buckets: list[tuple[str, dict[str, Any]]],
) -> None:
    """Six findings of one control delivered at once (an engine each, as six Lambda invocations),
    limit 2: two changed, four held, one notification for the window."""
    sns = boto3.client("sns", region_name="us-east-1")
    topic = sns.create_topic(Name="remediator")["TopicArn"]
    stack = Settings(
        home_account_id=estate.ACCOUNT, state_table=TABLE, control_changes_per_hour=2, topic_arn=topic
    )
    engines = [make_engine(stack) for _ in buckets]
    with ThreadPoolExecutor(max_workers=6) as pool:
        reports = list(
            pool.map(lambda pair: pair[0][0].handle(pair[1][1]), zip(engines, buckets, strict=True))
        )
    statuses = [report["findings"][0]["status"] for report in reports]
    assert sorted(statuses) == ["held"] * 4 + ["remediated"] * 2
    encrypted = [name for name, _ in buckets if estate.bucket_encryption(name) == "aws:kms"]
    assert len(encrypted) == 2
    held = [report["findings"][0] for report in reports if report["findings"][0]["status"] == "held"]
    assert all(f["error_code"] == LIMIT_CODE for f in held)
    assert "blast-radius limit: 2 changes per hour for control S3.17" in held[0]["reason"]
    note = estate.finding(held[0]["finding"])["Note"]["Text"]
    assert "blast-radius limit" in note and "reopens at" in note and "keeps reverting" not in note
    assert sum(recorder.count("sns.Publish") for _, recorder in engines) == 1, "one notification a window"
    assert estate.finding(held[0]["finding"])["Workflow"]["Status"] == "NOTIFIED"


def test_dry_run_and_compliant_findings_take_no_slot(buckets: list[tuple[str, dict[str, Any]]]) -> None:
    dry, _ = make_engine(
        Settings(home_account_id=estate.ACCOUNT, state_table=TABLE, control_changes_per_hour=1, dry_run=True)
    )
    for _, event in buckets[:3]:
        assert dry.handle(event)["findings"][0]["status"] == "planned"
    engine, _ = make_engine(
        Settings(home_account_id=estate.ACCOUNT, state_table=TABLE, control_changes_per_hour=1)
    )
    assert engine.handle(buckets[0][1])["findings"][0]["status"] == "remediated"
    assert engine.handle(buckets[0][1])["findings"][0]["status"] == "already-compliant", "no slot needed"
    assert engine.handle(buckets[1][1])["findings"][0]["status"] == "held"


def test_a_fix_that_fails_before_any_call_gives_its_slot_back(
    buckets: list[tuple[str, dict[str, Any]]],
) -> None:
    engine, _ = make_engine(
        Settings(home_account_id=estate.ACCOUNT, state_table=TABLE, control_changes_per_hour=1)
    )
    faults = inject_call_faults(
        engine.clients.session,
        lambda operation, _: "AccessDenied" if operation == "s3.PutBucketEncryption" else None,
    )
    first = engine.handle(buckets[0][1])["findings"][0]
    assert first["status"] == "failed" and faults.injected
    assert engine.limits is not None
    window, _ = engine.limits.windows("S3.17", estate.ACCOUNT)
    assert engine.limits.count(window) == 0, "nothing changed: the slot is free again"


def test_the_custom_action_is_never_held(buckets: list[tuple[str, dict[str, Any]]]) -> None:
    engine, _ = make_engine(
        Settings(
            home_account_id=estate.ACCOUNT,
            state_table=TABLE,
            control_changes_per_hour=1,
            manual_approved=True,
        )
    )
    assert [engine.handle(event)["findings"][0]["status"] for _, event in buckets[:3]] == ["remediated"] * 3
    assert engine.limits is not None
    window, _ = engine.limits.windows("S3.17", estate.ACCOUNT)
    assert engine.limits.count(window) == 3, "counted all the same"


def test_a_slot_the_table_will_not_take_back_is_said_in_the_note(
    buckets: list[tuple[str, dict[str, Any]]],
) -> None:
    engine, _ = make_engine(
        Settings(home_account_id=estate.ACCOUNT, state_table=TABLE, control_changes_per_hour=1)
    )

    def refuse(operation: str, params: Any) -> str | None:
        if operation == "s3.PutBucketEncryption":
            return "AccessDenied"
        if operation == "dynamodb.UpdateItem" and '"N": "-1"' in str(params):
            return "InternalServerError"  # the give-back
        return None

    inject_call_faults(engine.clients.session, refuse)
    finding = engine.handle(buckets[0][1])["findings"][0]
    assert finding["status"] == "failed"
    assert "its slot in the control window was not given back" in finding["reason"]
    assert "counted until" in finding["reason"]
