"""The meta-tests: every remediation of the catalog, checked from its own cases.

Nothing here names a remediation. Each one's `cases()` gives the states it starts from and the
plan expected, a full path of exact AWS calls with the refusals to try, revert cases ("stricter
since", "changed by someone else since") and a live case for moto; this file walks the catalog
and checks, for every remediation:
- plans: the changes expected, never weaker than the state read, and idempotent (the state a
  plan leaves plans nothing more);
- the full path against botocore's Stubber through `engine.remediate`: exactly these calls; a
  dry run makes only the reads; a refused call fails with its code and nothing is called after;
- permissions: the read and write actions declared are exactly the actions the path calls, and
  the revert actions exactly what its revert plans call;
- revert: planned from the current state, keeping what is stricter, refusing (unless forced)
  what someone else changed;
- live, on moto: fix, read back exactly the state the plan announced, revert, read back the
  state from before the fix;
- identity: the resource found in every input format, with its short name and canonical ARN; where
  a format names it by an id its API does not take, no ARN until the one read call looks it up.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from engine.clients import ClientFactory
from engine.decide import Decision
from engine.remediate import remediate
from model.errors import RemediationFailedError, RevertConflictError
from model.finding import Finding, FindingSource, Resource
from model.outcome import Outcome, Plan, Status
from remediations import catalog
from remediations.base import Remediation, ServiceClients, canonical_id, owner_of
from remediations.cases import ACCOUNT, REGION, Cases, Exchange
from remediations.destinations import READ_ACTION
from rules.registry import Rule, load_registry

REMEDIATIONS = sorted(catalog())
#: IAM actions whose name is not the API operation's (Service Authorization Reference).
IAM_ACTION_FOR = {
    ("s3", "GetBucketEncryption"): "s3:GetEncryptionConfiguration",
    ("s3", "PutBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "DeleteBucketEncryption"): "s3:PutEncryptionConfiguration",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("s3", "PutPublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("s3", "DeletePublicAccessBlock"): "s3:PutBucketPublicAccessBlock",
    ("s3", "PutBucketPolicy"): "s3:PutBucketPolicy",
    ("s3", "DeleteBucketPolicy"): "s3:DeleteBucketPolicy",
    ("s3control", "GetPublicAccessBlock"): "s3:GetAccountPublicAccessBlock",
    ("s3control", "PutPublicAccessBlock"): "s3:PutAccountPublicAccessBlock",
    ("s3control", "DeletePublicAccessBlock"): "s3:PutAccountPublicAccessBlock",
}
_CASES: dict[str, Cases] = {}


def cases_of(name: str) -> Cases:
    if name not in _CASES:
        _CASES[name] = catalog()[name].cases()
    return _CASES[name]


def all_params(remediation: Remediation) -> list[dict[str, Any]]:
    """Every parameter set the registry runs this remediation with, destinations resolved as the cases say."""
    found = dict(cases_of(remediation.name).destinations)
    return [
        {**found, **rule.parameters} for rule in load_registry().rules if rule.remediation is remediation
    ] or [found]


def iam_action(client: Any, method: str) -> str:
    client = owner_of(client, method)
    service = client.meta.service_model.service_name
    api = client.meta.method_to_api_mapping[method]
    return IAM_ACTION_FOR.get((service, api), f"{service}:{api}")


def client_for(remediation: Remediation) -> Any:
    return remediation.client_from(
        lambda service: boto3.client(service, region_name=REGION)  # type: ignore[call-overload]
    )


# --- what every remediation must carry ----------------------------------------------------------


@pytest.mark.parametrize("name", REMEDIATIONS)
def test_every_remediation_carries_its_cases(name: str) -> None:
    remediation, cases = catalog()[name], cases_of(name)
    assert any(case.changes for case in cases.plans), "a plan case that changes something"
    assert any(not case.changes for case in cases.plans), "a plan case that is already compliant"
    assert cases.stubbed.refusals, "a refusal to try"
    kinds = {case.since for case in cases.reverts}
    assert "changed" in kinds, "a revert case: changed by someone else since"
    assert "stricter" in kinds or cases.strictest, "a revert case: made stricter since (or why none can be)"
    formats = {resource.format for resource, _ in cases.identities}
    assert formats == set(remediation.identity.types), "an identity case for each input format it declares"
    looked_up = {case.resource.format for case in cases.lookups}
    assert looked_up == set(remediation.identity.lookups), (
        "a lookup case for each format it looks names up in"
    )
    assert not remediation.identity.lookups or cases.live.id_in, (
        "the live case names its resource by those ids"
    )
    assert remediation.summary and remediation.risk and remediation.permissions.revert
    assert set(cases.destinations) == {d.parameter for d in remediation.destinations}, (
        "what the baseline's parameters hold in the cases, for each destination"
    )
    assert (READ_ACTION in remediation.actions) == bool(remediation.destinations)


# --- plans ----------------------------------------------------------------------------------------


def plan_cases() -> Iterator[Any]:
    for name in REMEDIATIONS:
        for case in cases_of(name).plans:
            yield pytest.param(name, case, id=f"{name}: {case.title}")


@pytest.mark.parametrize(("name", "case"), list(plan_cases()))
def test_plan(name: str, case: Any) -> None:
    remediation = catalog()[name]
    plan = remediation.plan(case.state, case.params)
    assert [change.describe() for change in plan.changes] == list(case.changes)
    assert plan.compliant == (not case.changes)
    assert remediation.plan(plan.after, case.params).compliant, "the state a plan leaves plans nothing more"


@pytest.mark.parametrize("name", REMEDIATIONS)
def test_never_weakens(name: str) -> None:
    """Every state of its cases, with every parameter set of the registry: the plan keeps what is there."""
    remediation, cases = catalog()[name], cases_of(name)
    states = [case.state for case in cases.plans] + [
        state for r in cases.reverts for state in (r.before, r.current)
    ]
    for params in all_params(remediation):
        for state in states:
            plan = remediation.plan(state, params)
            assert cases.keeps(state, plan.after), f"{params}: {state} → {plan.after}"


# --- the full path, stubbed -----------------------------------------------------------------------


class StubbedClients(ClientFactory):
    """Hands out stubbed clients (the remediation's, SSM's for its destinations) and records which
    (service, account, region) were asked for."""

    def __init__(self, client: Any, ssm: Any = None) -> None:
        super().__init__(boto3.Session(region_name=REGION), home_account_id=ACCOUNT)
        self.stubbed = client
        self.ssm = ssm
        self.asked: set[tuple[str, str, str]] = set()

    def client(self, service: str, account_id: str, region: str, *, home: bool = False) -> Any:
        self.asked.add((service, account_id, region))
        if service == "ssm" and self.ssm is not None:
            return self.ssm
        if isinstance(self.stubbed, ServiceClients):  # a remediation over several services: that one's
            return next(c for c in self.stubbed.clients if c.meta.service_model.service_name == service)
        return self.stubbed


class Stubbers:
    """One Stubber per client of a remediation (several where it calls several services)."""

    def __init__(self, client: Any) -> None:
        clients = client.clients if isinstance(client, ServiceClients) else (client,)
        self.by_client = [(c, Stubber(c)) for c in clients]

    def of(self, client: Any, method: str) -> Stubber:
        owner = owner_of(client, method)
        return next(stubber for c, stubber in self.by_client if c is owner)

    def __enter__(self) -> Stubbers:
        for _, stubber in self.by_client:
            stubber.activate()
        return self

    def __exit__(self, *exc: object) -> None:
        for _, stubber in self.by_client:
            stubber.deactivate()

    def assert_no_pending_responses(self) -> None:
        for _, stubber in self.by_client:
            stubber.assert_no_pending_responses()


def destinations_read(name: str, params: Any) -> Exchange | None:
    """The one GetParameters call the engine makes for the destinations the rule does not name."""
    remediation, found = catalog()[name], cases_of(name).destinations
    wanted = [d for d in remediation.destinations if d.parameter not in params]
    if not wanted:
        return None
    names = sorted({d.ssm_name for d in wanted})
    by_name = {d.ssm_name: found[d.parameter] for d in wanted}
    return Exchange(
        "get_parameters",
        {"Names": names},
        {"Parameters": [{"Name": n, "Value": by_name[n], "Type": "String"} for n in names]},
    )


def decision_for(
    remediation: Remediation, resource: Resource, params: Any, *, dry_run: bool = False
) -> Decision:
    rule = Rule(id="case", remediation=remediation, mode="automatic", parameters=params)
    located = remediation.identity.locate([resource])
    assert located is not None
    return Decision(rule=rule, resource=located, parameters=params, dry_run=dry_run, mode="automatic")


def finding_for(resource: Resource) -> Finding:
    return Finding(
        source=FindingSource.CUSTOM_ACTION,
        event_id="case",
        hub_account_id=ACCOUNT,
        hub_region=REGION,
        account_id=resource.account_id,
        region=resource.region,
        resources=(resource,),
        lookup_keys=(),
        finding_id=f"arn:aws:securityhub:{REGION}:{ACCOUNT}:security-control/X.1/finding/case",
    )


def run_stubbed(
    name: str, *, refuse: tuple[int, str] | None = None, dry_run: bool = False
) -> tuple[Outcome, Stubbers]:
    remediation, case = catalog()[name], cases_of(name).stubbed
    client = client_for(remediation)
    stubbers = Stubbers(client)
    calls = case.calls if refuse is None else case.calls[: refuse[0] + 1]
    if dry_run:
        calls = tuple(call for call in calls if is_read(client, call.method))
    for index, call in enumerate(calls):
        stubber = stubbers.of(client, call.method)
        if refuse is not None and index == refuse[0]:
            stubber.add_client_error(
                call.method, service_error_code=refuse[1], expected_params=dict(call.params)
            )
        elif call.error:
            stubber.add_client_error(
                call.method,
                service_error_code=call.error,
                http_status_code=404,
                expected_params=dict(call.params),
            )
        else:
            stubber.add_response(call.method, dict(call.response), dict(call.params))
    ssm = boto3.client("ssm", region_name=REGION)
    ssm_stubber = Stubber(ssm)
    reads = next(
        (i for i, call in enumerate(case.calls) if not is_read(client, call.method)), len(case.calls)
    )
    read_destinations = destinations_read(name, case.params)
    if read_destinations and (refuse is None or refuse[0] >= reads):  # planned only after every read
        ssm_stubber.add_response(
            read_destinations.method, dict(read_destinations.response), dict(read_destinations.params)
        )
    clients = StubbedClients(client, ssm if remediation.destinations else None)
    with stubbers, ssm_stubber:
        outcome = remediate(
            finding_for(case.resource),
            decision_for(remediation, case.resource, case.params, dry_run=dry_run),
            clients,
        )
    ssm_stubber.assert_no_pending_responses()
    services = (remediation.service, *remediation.also, "ssm")
    assert clients.asked <= {(service, ACCOUNT, REGION) for service in services}
    return outcome, stubbers


def is_read(client: Any, method: str) -> bool:
    client = owner_of(client, method)
    return str(client.meta.method_to_api_mapping[method]).startswith(("Get", "Describe", "List", "Head"))


@pytest.mark.parametrize("name", REMEDIATIONS)
def test_full_path_makes_exactly_the_expected_calls(name: str) -> None:
    outcome, stubber = run_stubbed(name)
    assert outcome.status is Status.REMEDIATED, outcome.reason
    assert outcome.changes and outcome.calls and outcome.after is not None
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize("name", REMEDIATIONS)
def test_dry_run_only_reads(name: str) -> None:
    outcome, stubber = run_stubbed(name, dry_run=True)
    assert outcome.status is Status.PLANNED and outcome.changes and outcome.dry_run
    stubber.assert_no_pending_responses()


def refusals() -> Iterator[Any]:
    for name in REMEDIATIONS:
        for index, code in cases_of(name).stubbed.refusals:
            yield pytest.param(name, index, code, id=f"{name}-{index}-{code}")


@pytest.mark.parametrize(("name", "index", "code"), list(refusals()))
def test_refused_call_fails_with_the_aws_error_code(name: str, index: int, code: str) -> None:
    outcome, stubber = run_stubbed(name, refuse=(index, code))
    assert outcome.status is Status.FAILED
    assert outcome.error_code == code and code in outcome.reason
    assert outcome.workflow_status == "NOTIFIED"
    stubber.assert_no_pending_responses()  # nothing was called after the refusal


@pytest.mark.parametrize("name", REMEDIATIONS)
def test_declared_permissions_are_exactly_the_actions_called(name: str) -> None:
    remediation, case = catalog()[name], cases_of(name).stubbed
    client = client_for(remediation)
    called = {iam_action(client, call.method) for call in case.calls}
    declared = remediation.permissions
    assert set(declared.remediate) == called | case.optional_actions
    assert set(declared.read) == {a for a in called | case.optional_actions if is_read_action(a)}
    assert len(declared.remediate) == len(set(declared.remediate)), "a permission is declared twice"


def is_read_action(action: str) -> bool:
    return action.split(":", 1)[1].startswith(("Get", "Describe", "List", "Head"))


@pytest.mark.parametrize("name", REMEDIATIONS)
def test_revert_permissions_are_exactly_the_actions_reverts_call(name: str) -> None:
    remediation = catalog()[name]
    client = client_for(remediation)
    called = set()
    for case in cases_of(name).reverts:
        for force in (False, True):
            try:
                plan = remediation.revert(case.current, case.before, case.after, force)
            except RevertConflictError:
                continue
            called |= {iam_action(client, call.method) for call in plan.calls}
    assert set(remediation.permissions.revert) == called


# --- revert ---------------------------------------------------------------------------------------


def revert_cases() -> Iterator[Any]:
    for name in REMEDIATIONS:
        for case in cases_of(name).reverts:
            yield pytest.param(name, case, id=f"{name}: {case.title}")


@pytest.mark.parametrize(("name", "case"), list(revert_cases()))
def test_revert_is_planned_from_the_current_state(name: str, case: Any) -> None:
    revert = catalog()[name].revert
    if case.conflict:
        with pytest.raises(RevertConflictError, match="someone changed it since"):
            revert(case.current, case.before, case.after, False)
        plan = revert(case.current, case.before, case.after, True)
        assert describe(plan) == list(case.forced)
        return
    plan = revert(case.current, case.before, case.after, False)
    assert describe(plan) == list(case.changes)
    if case.kept:
        assert any(case.kept in note for note in plan.notes), plan.notes


def describe(plan: Plan) -> list[str]:
    return [change.describe() for change in plan.changes]


# --- live, on moto --------------------------------------------------------------------------------


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize("name", REMEDIATIONS)
def test_fix_then_revert_round_trip_on_moto(name: str) -> None:
    remediation, live = catalog()[name], cases_of(name).live
    session = boto3.Session(region_name=REGION)
    resource = remediation.identity.locate([live.setup(session)])
    assert resource is not None
    client = remediation.client_from(lambda service: session.client(service))  # type: ignore[call-overload]
    before = remediation.read(client, resource, live.params)
    plan = remediation.plan(before, live.params)
    assert plan.calls, "the live case must start non-compliant"
    remediation.apply(client, plan)
    fixed = remediation.read(client, resource, live.params)
    assert live.normalize(fixed) == live.normalize(plan.after), "the plan said what the resource would read"
    assert remediation.plan(fixed, live.params).compliant
    # As the engine records them: through JSON.
    recorded_before, recorded_after = (json.loads(json.dumps(s, default=str)) for s in (before, plan.after))
    back = remediation.undo(fixed, recorded_before, recorded_after)
    remediation.apply(client, back)
    reverted = remediation.read(client, resource, live.params)
    assert live.normalize(reverted) == live.normalize(before)
    assert remediation.undo(reverted, recorded_before, recorded_after).compliant, "undo twice: no-op"


# --- identity -------------------------------------------------------------------------------------


def identity_cases() -> Iterator[Any]:
    for name in REMEDIATIONS:
        for resource, expected in cases_of(name).identities:
            yield pytest.param(name, resource, expected, id=f"{name}: {resource.format}:{resource.type}")


@pytest.mark.parametrize(("name", "resource", "expected"), list(identity_cases()))
def test_identity_in_every_input_format(name: str, resource: Resource, expected: str) -> None:
    identity = catalog()[name].identity
    located = identity.locate([Resource("AwsSomethingElse", "x", "x", ACCOUNT, REGION), resource])
    assert located is not None and located.name == expected
    if resource.format in identity.lookups:  # named by another id: no ARN is guessed from it
        assert located.arn is None and identity.needs_lookup(located)
    elif identity.account_level:
        assert located.arn is None and canonical_id(located) == f"account/{ACCOUNT}/{REGION}"
    else:
        assert located.arn and located.arn.startswith("arn:aws:") and expected in located.arn


def lookup_cases() -> Iterator[Any]:
    for name in REMEDIATIONS:
        for case in cases_of(name).lookups:
            yield pytest.param(name, case, id=f"{name}: {case.resource.format}:{case.resource.type}")


@pytest.mark.parametrize(("name", "case"), list(lookup_cases()))
def test_lookup_names_the_resource_with_one_declared_read(name: str, case: Any) -> None:
    remediation = catalog()[name]
    client = client_for(remediation)
    located = remediation.identity.locate([case.resource])
    assert located is not None
    with Stubber(client) as stubber:
        stubber.add_response(case.call.method, dict(case.call.response), dict(case.call.params))
        named = remediation.identity.look_up(client, located)
        stubber.assert_no_pending_responses()
    assert named.name == case.name and named.arn and named.arn.endswith(case.name)
    assert not remediation.identity.needs_lookup(named)
    assert iam_action(client, case.call.method) in remediation.permissions.read


@pytest.mark.parametrize(("name", "case"), list(lookup_cases()))
def test_lookup_fails_when_aws_finds_nothing(name: str, case: Any) -> None:
    remediation = catalog()[name]
    client = client_for(remediation)
    located = remediation.identity.locate([case.resource])
    assert located is not None
    empty: dict[str, list[Any]] = {
        key: [] for key, value in case.call.response.items() if isinstance(value, list)
    }
    with Stubber(client) as stubber, pytest.raises(RemediationFailedError, match="expected one") as error:
        stubber.add_response(case.call.method, empty, dict(case.call.params))
        remediation.identity.look_up(client, located)
    assert error.value.error_code and not error.value.transient


@pytest.mark.parametrize("name", [name for name in REMEDIATIONS if catalog()[name].service == "s3"])
def test_every_s3_call_names_the_expected_bucket_owner(name: str) -> None:
    """A bucket name is global: S3 refuses the call when the bucket is not the finding account's."""
    remediation, cases = catalog()[name], cases_of(name)
    assert all(call.params.get("ExpectedBucketOwner") == ACCOUNT for call in cases.stubbed.calls)
    for case in cases.reverts:
        try:
            plan = remediation.revert(case.current, case.before, case.after, True)
        except RevertConflictError:
            continue
        assert all(call.params.get("ExpectedBucketOwner") == ACCOUNT for call in plan.calls)
