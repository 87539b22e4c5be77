"""A burst of events through the engine against moto, with faults injected, and a full audit.

Shared by `tests/test_reliability.py` (200 events) and `bench/reliability.py` (1,000). Faults,
each decided by a seeded random generator so a run can be replayed:
- throttling: about 10% of HTTP attempts answer 503; botocore retries them with backoff;
- AccessDenied: about 2% of resources refuse the write (a permanent error);
- deleted: about 2% of resources disappear before their event is delivered;
- duplicates: about 5% of events are delivered twice.
Mixed in, about 3% each (`Mix`), are findings the engine must leave alone (issue 12):
- forged: a member's own product, as `events/forged-securityhub-imported-ec2.2-member-product.json`
  (on a VPC's default group);
- stale tags: the live resource carries the exclusion tag, the finding's `Resources[].Tags` do not;
- foreign: the resource's ARN names another account or Region than the finding.
Deliveries follow Lambda's asynchronous contract: an invocation that raises is retried twice,
then its event goes to the dead-letter queue. The audit then checks where every finding ended,
and counts from the write calls themselves (botocore's hooks on the engine's session, not the
engine's report) whether any of those findings was acted on and whether any resource was
changed twice.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.awsrequest import AWSResponse

from engine.settings import Settings
from localaws import estate
from localaws.burst_audit import Burst, Kind, audit
from localaws.engine_setup import automatic, create_state_table, make_engine
from localaws.events import load_event
from localaws.faults import http_response, inject_call_faults
from localaws.recorder import READ_PREFIXES

S3_EVENT = "securityhub-imported-s3.17-consolidated.json"
SG_EVENT = "securityhub-imported-ec2.13-consolidated.json"
FORGED_EVENT = "forged-securityhub-imported-ec2.2-member-product.json"
FIXTURE_UUIDS = {
    S3_EVENT: "00000001-0000-4000-8000-000000000001",
    SG_EVENT: "00000005-0000-4000-8000-000000000005",
    FORGED_EVENT: "forged-0000-4000-8000-000000000001",
}
LAMBDA_ASYNC_RETRIES = 2
TABLE = "reliability-state"
EXCLUSION_TAG = "remediation:exclude"
OTHER_ACCOUNT = "999999999999"
#: The services the burst's resources live in: any call to them but a read is a write.
ESTATE_SERVICES = frozenset({"s3", "ec2"})
#: How a call names a resource of the burst: one of its buckets or a security group id.
RESOURCE_NAME = re.compile(r"burst-bucket-\d{5}|sg-[0-9a-f]{17}")


@dataclass(frozen=True)
class Mix:
    """The share of the burst of each kind the engine must leave alone; the rest is ordinary."""

    forged: float = 0.03
    stale_tags: float = 0.03
    foreign: float = 0.03

    def draw(self, rng: random.Random) -> Kind:
        roll = rng.random()
        for kind, share in (
            (Kind.FORGED, self.forged),
            (Kind.STALE_TAGS, self.stale_tags),
            (Kind.FOREIGN, self.foreign),
        ):
            if roll < share:
                return kind
            roll -= share
        return Kind.ORDINARY


def build_burst(count: int, rng: random.Random, mix: Mix) -> Burst:
    """`count` findings on buckets and security groups, each resource its own."""
    burst = Burst()
    s3 = boto3.client("s3", region_name=estate.REGION)
    for index in range(count):
        uuid = f"{index:08x}-1111-4000-8000-{index:012x}"
        kind = mix.draw(rng)
        if kind is Kind.FORGED:
            resource = estate.default_security_group().id
            event = load_event(
                FORGED_EVENT, {estate.DEFAULT_SG_PLACEHOLDER: resource, FIXTURE_UUIDS[FORGED_EVENT]: uuid}
            )
        elif index % 2 == 0:
            resource = f"burst-bucket-{index:05d}"
            s3.create_bucket(Bucket=resource)
            event = load_event(S3_EVENT, {estate.BUCKET: resource, FIXTURE_UUIDS[S3_EVENT]: uuid})
        else:
            resource = estate.create_open_security_group()
            event = load_event(SG_EVENT, {estate.SG_PLACEHOLDER: resource, FIXTURE_UUIDS[SG_EVENT]: uuid})
        finding = event["detail"]["findings"][0]
        if kind is Kind.STALE_TAGS:
            _tag_excluded(resource)
            finding["Resources"][0]["Tags"] = {"Name": resource}  # the snapshot from before the tag
        elif kind is Kind.FOREIGN:
            finding["Resources"][0]["Id"] = _foreign_arn(resource, rng)
        elif kind is Kind.ORDINARY and rng.random() < 0.02:
            burst.denied.add(resource)
        elif kind is Kind.ORDINARY and rng.random() < 0.02:
            burst.deleted.add(resource)
        burst.resource_of[finding["Id"]] = resource
        burst.kind_of[finding["Id"]] = kind
        burst.events.append(event)
    estate.import_findings({"detail": {"findings": [e["detail"]["findings"][0] for e in burst.events]}})
    return burst


def _tag_excluded(resource: str) -> None:
    key, value = EXCLUSION_TAG, "owner said so"
    if resource.startswith("sg-"):
        boto3.client("ec2", region_name=estate.REGION).create_tags(
            Resources=[resource], Tags=[{"Key": key, "Value": value}]
        )
    else:
        boto3.client("s3", region_name=estate.REGION).put_bucket_tagging(
            Bucket=resource, Tagging={"TagSet": [{"Key": key, "Value": value}]}
        )


def _foreign_arn(resource: str, rng: random.Random) -> str:
    """The resource's ARN, in another account (half the time) or another Region than the finding's."""
    other_account = rng.random() < 0.5
    account = OTHER_ACCOUNT if other_account else estate.ACCOUNT
    region = estate.REGION if other_account else "eu-west-1"
    if resource.startswith("sg-"):
        return f"arn:aws:ec2:{region}:{account}:security-group/{resource}"
    return f"arn:aws:s3:{'' if other_account else region}:{account if other_account else ''}:{resource}"


def _delete(resource: str) -> None:
    if resource.startswith("sg-"):
        boto3.client("ec2", region_name=estate.REGION).delete_security_group(GroupId=resource)
    else:
        boto3.client("s3", region_name=estate.REGION).delete_bucket(Bucket=resource)


def run_burst(count: int, seed: int = 7, mix: Mix | None = None) -> tuple[Burst, dict[str, int]]:
    """Deliver the burst with faults; returns it and the audit's counts. Needs moto active."""
    rng = random.Random(seed)
    estate.enable_security_hub()
    create_state_table(TABLE)
    burst = build_burst(count, rng, mix or Mix())
    # The blast-radius limit would hold most of a burst of one control in one hour (which is what
    # it is for: tests/test_blast_radius.py); here every finding must reach its end, so it is lifted.
    settings = Settings(
        home_account_id=estate.ACCOUNT,
        state_table=TABLE,
        exclusion_tag=EXCLUSION_TAG,
        control_changes_per_hour=count,
        account_changes_per_hour=count,
    )
    engine, _ = make_engine(settings)
    # The burst measures claims, retries, records and the trust checks: EC2.13 and EC2.2 (manual by
    # their class) act on Imported events here, as they do where a team makes them automatic, so a
    # forged EC2.2 finding would reach a write if the producer check let it through.
    engine.registry = automatic(engine.registry, "sg-public-ssh", "sg-default-closed")
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


def _estate_write(operation: str) -> bool:
    service, name = operation.split(".", 1)
    return service in ESTATE_SERVICES and not name.startswith(READ_PREFIXES)


def _install_faults(session: boto3.Session, burst: Burst, rng: random.Random) -> None:
    def throttle(request: Any, **_: Any) -> AWSResponse | None:
        if rng.random() < 0.10:
            burst.throttled_attempts += 1
            return http_response(request.url, 503)
        return None

    def deny(operation: str, params: dict[str, Any]) -> str | None:
        if _estate_write(operation) and burst.denied & set(RESOURCE_NAME.findall(str(params))):
            return "AccessDenied"
        return None

    session.events.register("before-send", throttle)  # type: ignore[arg-type]  # stubs: hooks return None; a response short-circuits
    inject_call_faults(session, deny)
    observe_writes(session, burst)


def observe_writes(session: boto3.Session, burst: Burst) -> None:
    """Count each write call to the estate under every resource it names (`burst.writes`: once a
    call, whatever botocore retried or AWS answered), and note which invocation's writes AWS
    accepted (`burst.changes`): a resource changed by two invocations was changed twice."""

    def remember(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        if _estate_write(f"{model.service_model.service_name}.{model.name}"):
            named = set(RESOURCE_NAME.findall(str(params)))
            burst.writes.update(named)
            context["burst_resources"] = named

    def count(http_response: Any, context: dict[str, Any], **_: Any) -> None:
        if http_response.status_code < 300:
            for resource in context.get("burst_resources", ()):
                burst.changes[resource].add(burst.invocations)

    session.events.register("before-parameter-build", remember)
    session.events.register("after-call", count)
