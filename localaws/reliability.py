"""A burst of events through the engine against moto, with faults injected, and a full audit.

Shared by `tests/test_reliability.py` (200 events) and `bench/reliability.py` (1,000). Faults,
each decided by a seeded random generator so a run can be replayed:
- throttling: about 10% of HTTP attempts answer 503; botocore retries them with backoff;
- AccessDenied: about 2% of resources refuse the write (a permanent error);
- deleted: about 2% of resources disappear before their event is delivered;
- duplicates: about 5% of events are delivered twice.
Deliveries follow Lambda's asynchronous contract: an invocation that raises is retried twice,
then its event goes to the dead-letter queue. The audit then checks every finding.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from engine.settings import Settings
from localaws import estate
from localaws.engine_setup import automatic, create_state_table, make_engine
from localaws.events import load_event
from localaws.faults import http_response, inject_call_faults

S3_EVENT = "securityhub-imported-s3.17-consolidated.json"
SG_EVENT = "securityhub-imported-ec2.13-consolidated.json"
FIXTURE_UUIDS = {
    S3_EVENT: "00000001-0000-4000-8000-000000000001",
    SG_EVENT: "00000005-0000-4000-8000-000000000005",
}
LAMBDA_ASYNC_RETRIES = 2
WRITES = {"s3.PutBucketEncryption": "Bucket", "ec2.RevokeSecurityGroupIngress": "GroupId"}
TABLE = "reliability-state"


@dataclass
class Burst:
    events: list[dict[str, Any]] = field(default_factory=list)
    resource_of: dict[str, str] = field(default_factory=dict)  # finding id -> bucket / group id
    denied: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)
    dead_letters: list[dict[str, Any]] = field(default_factory=list)
    changes: Counter[str] = field(default_factory=Counter)  # successful writes per resource
    deliveries: int = 0
    duplicates: int = 0
    invocations: int = 0
    throttled_attempts: int = 0


def build_burst(count: int, rng: random.Random) -> Burst:
    """`count` findings, half on buckets and half on security groups, each resource its own."""
    burst = Burst()
    s3 = boto3.client("s3", region_name=estate.REGION)
    for index in range(count):
        uuid = f"{index:08x}-1111-4000-8000-{index:012x}"
        if index % 2 == 0:
            bucket = f"burst-bucket-{index:05d}"
            s3.create_bucket(Bucket=bucket)
            event = load_event(S3_EVENT, {estate.BUCKET: bucket, FIXTURE_UUIDS[S3_EVENT]: uuid})
            resource = bucket
        else:
            resource = estate.create_open_security_group()
            event = load_event(SG_EVENT, {estate.SG_PLACEHOLDER: resource, FIXTURE_UUIDS[SG_EVENT]: uuid})
        finding_id = event["detail"]["findings"][0]["Id"]
        burst.resource_of[finding_id] = resource
        if rng.random() < 0.02:
            burst.denied.add(resource)
        elif rng.random() < 0.02:
            burst.deleted.add(resource)
        burst.events.append(event)
    estate.import_findings({"detail": {"findings": [e["detail"]["findings"][0] for e in burst.events]}})
    return burst


def _delete(resource: str) -> None:
    if resource.startswith("sg-"):
        boto3.client("ec2", region_name=estate.REGION).delete_security_group(GroupId=resource)
    else:
        boto3.client("s3", region_name=estate.REGION).delete_bucket(Bucket=resource)


def run_burst(count: int, seed: int = 7) -> tuple[Burst, dict[str, int]]:
    """Deliver the burst with faults; returns it and the audit's counts. Needs moto active."""
    rng = random.Random(seed)
    estate.enable_security_hub()
    create_state_table(TABLE)
    burst = build_burst(count, rng)
    engine, _ = make_engine(Settings(home_account_id=estate.ACCOUNT, state_table=TABLE))
    # The burst measures claims, retries and records: EC2.13 (manual by its class) acts on its
    # Imported events here, as it does where a team makes it automatic.
    engine.registry = automatic(engine.registry, "sg-public-ssh")
    _install_faults(engine.clients.session, burst, rng)
    queue = list(burst.events)
    queue += [event for event in burst.events if rng.random() < 0.05]  # redeliveries arrive later
    burst.duplicates = len(queue) - len(burst.events)
    rng.shuffle(queue)
    gone: set[str] = set()
    for event in queue:
        resource = burst.resource_of[event["detail"]["findings"][0]["Id"]]
        if resource in burst.deleted and resource not in gone:  # deleted just before its event arrives
            _delete(resource)
            gone.add(resource)
        _deliver(engine, event, burst)
    return burst, audit(burst)


def _deliver(engine: Any, event: dict[str, Any], burst: Burst) -> None:
    burst.deliveries += 1
    for _ in range(1 + LAMBDA_ASYNC_RETRIES):
        burst.invocations += 1
        try:
            engine.handle(event)
            return
        except Exception:  # noqa: BLE001 - Lambda retries any failed async invocation
            continue
    burst.dead_letters.append(event)


def _install_faults(session: boto3.Session, burst: Burst, rng: random.Random) -> None:
    def throttle(request: Any, **_: Any) -> AWSResponse | None:
        if rng.random() < 0.10:
            burst.throttled_attempts += 1
            return http_response(request.url, 503)
        return None

    def deny(operation: str, params: dict[str, Any]) -> str | None:
        if operation in WRITES and any(resource in str(params) for resource in burst.denied):
            return "AccessDenied"
        return None

    def remember(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        operation = f"{model.service_model.service_name}.{model.name}"
        if operation in WRITES:
            context["burst_resource"] = params.get(WRITES[operation])

    def count(http_response: Any, context: dict[str, Any], **_: Any) -> None:
        if "burst_resource" in context and http_response.status_code < 300:
            burst.changes[context["burst_resource"]] += 1

    session.events.register("before-send", throttle)  # type: ignore[arg-type]  # stubs: hooks return None; a response short-circuits
    inject_call_faults(session, deny)
    session.events.register("before-parameter-build", remember)
    session.events.register("after-call", count)


def audit(burst: Burst) -> dict[str, int]:
    """Every finding ends in exactly one place; raises AssertionError naming any that does not."""
    dead = {event["detail"]["findings"][0]["Id"] for event in burst.dead_letters}
    securityhub = boto3.client("securityhub", region_name=estate.REGION)
    stored = {}
    for page in securityhub.get_paginator("get_findings").paginate():
        stored.update({finding["Id"]: finding for finding in page["Findings"]})
    counts: Counter[str] = Counter()
    for finding_id, resource in burst.resource_of.items():
        finding = stored[finding_id]
        workflow = finding["Workflow"]["Status"]
        note = finding.get("Note", {}).get("Text", "")
        if workflow == "RESOLVED":
            counts["resolved"] += 1
        elif workflow == "NOTIFIED" and note:
            counts["notified"] += 1
            expected = (
                "AccessDenied" if resource in burst.denied else "NoSuch" if resource in burst.deleted else "?"
            )
            assert expected in note or "NotFound" in note, f"{finding_id}: unexpected note {note}"
        elif finding_id in dead:
            counts["dead-letter"] += 1
        else:
            raise AssertionError(f"lost: {finding_id} is {workflow} with note {note!r} and not in the DLQ")
        assert burst.changes[resource] <= 1, f"{resource} was changed {burst.changes[resource]} times"
    counts["changed"] = sum(1 for n in burst.changes.values() if n)
    counts.update(
        deliveries=burst.deliveries,
        duplicates=burst.duplicates,
        invocations=burst.invocations,
        throttled_attempts=burst.throttled_attempts,
        denied=len(burst.denied),
        deleted=len(burst.deleted),
    )
    return dict(counts)
