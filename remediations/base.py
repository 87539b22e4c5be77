"""How a remediation declares itself: everything the engine, the deploy step and the tests need.

One remediation is one module holding one `Remediation`: how to find its resource in each input
format (`Identity`), `read` → `plan` → `apply`, `revert` (planned from the current state like any
other change), its IAM actions split by use, its risk class, and its own test cases. Nothing
else in the code branches on a resource type or a remediation name, so adding one edits no
shared table.

A `Plan` is the exact list of API calls, so `apply` is the same for every remediation (run the
calls in order), a dry run reports exactly what would be sent, and the permissions a remediation
declares can be checked against the calls its cases make.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from botocore.exceptions import ClientError

from model.errors import RegistryError
from model.finding import Resource, ResourceFormat
from model.outcome import Plan
from remediations.destinations import PASS_ROLE, READ_ACTION, Destination

if TYPE_CHECKING:
    from remediations.cases import Cases

Params = Mapping[str, Any]
State = Any  # what `read` returns: JSON-able, so the undo record can keep it
#: read(client, resource, params) -> state. The client is a boto3 client for `service`.
Reader = Callable[[Any, Resource, Params], State]
#: read_many(client, names) -> {name: state}: many resources of one account and Region in one
#: call, each state what `read` returns for it whatever the parameters; a name left out is read
#: by `read` (engine/read_ahead.py).
BatchReader = Callable[[Any, Sequence[str]], Mapping[str, State]]
#: plan(state, params) -> Plan. Pure: no AWS calls, so dry-run reports exactly what apply does.
Planner = Callable[[State, Params], Plan]
#: revert(current, before, after, force) -> Plan: the way back to `before` from what is there now.
Reverter = Callable[[State, State, State, bool], Plan]
#: Told the number of calls done after each call succeeds (the engine's write-ahead record).
Progress = Callable[[int], None]
#: look_up(client, resource) -> the short name the API takes, for a producer that names the
#: resource by another id (AWS Config names an RDS instance by its `db-…` resource id).
Lookup = Callable[[Any, Resource], str]


class TagSource(NamedTuple):
    """How the resource's live tags are read with the remediation's own client: one call of its
    service (`GetBucketTagging`, `DescribeSecurityGroups`…), `action` its IAM action.

    The exclusion check (engine/tag_readers.py) then needs no Resource Groups Tagging API client,
    whose creation costs a cold start more than the call. `read` raises `ClientError` when the
    tags cannot be read; a resource without tags reads as {}.
    """

    action: str
    read: Callable[[Any, Resource], Mapping[str, str]]


class Applier(Protocol):
    """apply(client, plan, done) -> None: make the plan's calls, reporting each one done."""

    def __call__(self, client: Any, plan: Plan, done: Progress | None = None) -> None: ...


#: The one schema of a KMS key parameter (id, ARN, alias name or alias ARN).
KMS_KEY_SCHEMA: Mapping[str, Any] = {"type": "string", "minLength": 1, "maxLength": 2048}
KMS_KEY_PARAMETER = "kms_key_id"
#: The default of a mapping field: one shared, read-only empty mapping.
NOTHING: Mapping[Any, Any] = MappingProxyType({})


class Risk(StrEnum):
    """What a fix can do to a workload: shown beside each rule's mode by `remediator rules`."""

    SAFE = "safe"  # a setting no workload depends on
    WORKLOAD_AFFECTING = "workload-affecting"  # an application may depend on what is removed
    CREATES_RESOURCES = "creates-resources"  # costs money or adds infrastructure


class Scope(NamedTuple):
    """Where one action may act when "any resource of its kind in the account" is too wide.

    `resources` are ARN templates: `{partition}`, `{account}` and the rule's parameters by name
    (a parameter's schema `default` where the rule sets none), so a role granted
    `iam:CreateRole` may create only the role the rules name. `condition` is the statement's IAM
    Condition block, its strings templated the same way (e.g. `iam:PolicyARN` pinned to the one
    policy the fix attaches).
    """

    resources: tuple[str, ...]
    condition: Mapping[str, Any] | None = None


class Permissions(NamedTuple):
    """IAM actions by use: the function role gets `read` + `write`; `revert` serves undo only.

    `with_key` are writes the fix makes only when it is given a KMS key (the rule's `kms_key_id`
    or the stack's `RemediationKmsKeyId`), such as setting a Region's default EBS key: the roles
    grant them only where a key is configured, so no role may point a setting at an arbitrary key.
    """

    read: tuple[str, ...]
    write: tuple[str, ...]
    revert: tuple[str, ...] = ()
    with_key: tuple[str, ...] = ()
    #: actions granted only on these resources (and under this condition), wherever granted
    scopes: Mapping[str, Scope] = NOTHING

    @property
    def remediate(self) -> tuple[str, ...]:
        """Every action the fix may call."""
        return (*self.read, *self.write, *self.with_key)

    @property
    def undo(self) -> tuple[str, ...]:
        return (*self.read, *self.revert)

    @property
    def all(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*self.read, *self.write, *self.with_key, *self.revert)))


def last_segment(resource: Resource) -> str:
    """`bucket` of `arn:aws:s3:::bucket`, `sg-1` of `…:security-group/sg-1`, a queue name of its URL."""
    text = resource.id.rstrip("/")
    return text[max(text.rfind("/"), text.rfind(":")) + 1 :] or resource.id


#: A Region as an ARN names it (`us-east-1`, `us-gov-west-1`); anything else is not taken as one.
ARN_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")


def arn_region(resource_id: str) -> str:
    """The Region an ARN names ('' for an ARN without one, an ill-formed one, or no ARN)."""
    parts = resource_id.split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and ARN_REGION.match(parts[3]):
        return parts[3]
    return ""


def whole_id(resource: Resource) -> str:
    """The id as given: for APIs that take the ARN itself (SNS topics)."""
    return resource.id


def account_of(resource: Resource) -> str:
    """The account an account-level resource names (`AWS::::Account:<id>` or a bare id)."""
    candidate = last_segment(resource)
    return candidate if candidate.isdigit() and len(candidate) == 12 else resource.account_id


class Identity(NamedTuple):
    """How this remediation finds its resource in a finding, in each input format.

    `types` maps an input format to the resource types (as that producer writes them) this
    remediation acts on; a new format is a new key. `arn` is the ARN form built from the
    resource's short name, account and region; the exclusion check reads the tags of that ARN and
    the claim key uses it. It is "" for account- or region-level settings, which have no ARN and
    no tags: they are keyed by account and region.

    `lookups` are for a format whose id is not the name the API takes and cannot be turned into
    it without asking AWS (AWS Config names an RDS instance by its `db-…` resource id, not its
    identifier). There `identify` leaves the ARN unset, and the engine calls `look_up` (one read
    call, with the remediation's client) before the tag check, the claim and the fix: no ARN is
    ever guessed from an id that is not a name.

    `region_in_arn`: the resource lives in the Region its ARN names, which need not be the Region
    the finding names. A multi-Region CloudTrail trail is evaluated, and reported, in every Region
    it logs, but exists, and can be read and updated, only in its home Region, which its ARN
    names. The identified resource then has that Region, so the client, the claim key, the tag
    check and the undo record all go there; the account must still be the finding's
    (`engine.decide.foreign_resource`). A resource named without an ARN (a Config resource id) or
    by an ARN with no well-formed Region keeps the finding's Region.
    """

    types: Mapping[ResourceFormat, frozenset[str]]
    arn: str = ""
    name: Callable[[Resource], str] = last_segment
    lookups: Mapping[ResourceFormat, Lookup] = NOTHING
    region_in_arn: bool = False
    #: the live tags from the resource's own service; None: the Resource Groups Tagging API
    tags: TagSource | None = None

    def locate(self, resources: Iterable[Resource]) -> Resource | None:
        """The first resource this remediation acts on, with its short name and canonical ARN."""
        for resource in resources:
            if resource.type in self.types_in(resource.format):
                return self.identify(resource)
        return None

    def types_in(self, format_: ResourceFormat) -> frozenset[str]:
        """The types this remediation acts on as `format_` writes them.

        OCSF findings name resources by their CloudFormation type (`AWS::S3::Bucket`), as AWS
        Config does, so a remediation that lists no OCSF types of its own acts on its Config ones.
        """
        if format_ is ResourceFormat.OCSF and format_ not in self.types:
            format_ = ResourceFormat.CONFIG
        return self.types.get(format_, frozenset())

    def identify(self, resource: Resource) -> Resource:
        """The resource with its short name and canonical ARN; no ARN yet where a lookup is due."""
        return self._named(resource, self.name(resource), known=resource.format not in self.lookups)

    def needs_lookup(self, resource: Resource) -> bool:
        """Is this resource named by an id only AWS can turn into its name (see `lookups`)?"""
        return resource.format in self.lookups and resource.arn is None

    def look_up(self, client: Any, resource: Resource) -> Resource:
        """The resource named as its API takes it, with its canonical ARN: one read call."""
        return self._named(resource, self.lookups[resource.format](client, resource), known=True)

    def _named(self, resource: Resource, name: str, *, known: bool) -> Resource:
        region = (arn_region(resource.id) if self.region_in_arn else "") or resource.region
        arn = self.arn.format(
            partition=resource.partition, region=region, account=resource.account_id, name=name
        )
        # Built field by field: dataclasses.replace costs as much as the rest of the decision.
        return Resource(
            type=resource.type,
            id=resource.id,
            name=name,
            account_id=resource.account_id,
            region=region,
            partition=resource.partition,
            arn=(arn or None) if known else None,
            format=resource.format,
            tags=resource.tags,
        )

    @property
    def account_level(self) -> bool:
        return not self.arn

    def described(self) -> str:
        return ", ".join(sorted({t for types in self.types.values() for t in types}))


class ServiceClients:
    """The clients of a remediation that calls more than one service, used as one client.

    Each method goes to the first client (the remediation's own `service` first, then its `also`)
    whose API has it, so a plan's `ApiCall`s and `apply_calls` work unchanged. A method two of its
    services share (`tag_resource`) reaches the first: a remediation calls no such method.
    """

    def __init__(self, clients: Sequence[Any]) -> None:
        self.clients = tuple(clients)

    def owner(self, method: str) -> Any:
        """The client whose API has `method`."""
        for client in self.clients:
            if method in client.meta.method_to_api_mapping:
                return client
        raise AttributeError(method)

    def __getattr__(self, method: str) -> Any:
        return getattr(self.owner(method), method)

    def get_paginator(self, method: str) -> Any:
        return self.owner(method).get_paginator(method)


def owner_of(client: Any, method: str) -> Any:
    """The boto3 client that makes `method`: itself, or the one of `ServiceClients` that has it."""
    return client.owner(method) if isinstance(client, ServiceClients) else client


def canonical_id(resource: Resource) -> str:
    """One key per resource whatever the producer wrote: its ARN, or the account and region."""
    return resource.arn or f"account/{resource.account_id}/{resource.region}"


def apply_calls(client: Any, plan: Plan, done: Progress | None = None) -> None:
    """Make the plan's calls in order; an error code the call tolerates means "already so"."""
    for count, call in enumerate(plan.calls, start=1):
        try:
            getattr(client, call.method)(**call.params)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in call.tolerate:
                raise
        if done is not None:
            done(count)


class Remediation(NamedTuple):
    """A remediation as the registry, the engine, the deploy step and the meta-tests know it."""

    name: str
    summary: str
    service: str  # boto3 client name the engine creates for read, apply and revert
    identity: Identity
    permissions: Permissions
    risk: Risk
    read: Reader
    plan: Planner
    revert: Reverter
    cases: Callable[[], Cases]  # built only by the tests: not at cold start
    parameters: Mapping[str, Any] = NOTHING  # JSON Schema properties
    takes_kms_key: bool = False
    schema_extra: Mapping[str, Any] = NOTHING  # e.g. a oneOf over parameters
    apply: Applier = apply_calls
    #: where the fix points the resource (remediations/destinations.py): read, never created
    destinations: tuple[Destination, ...] = ()
    #: other services read, apply and revert call (the client is then a `ServiceClients`)
    also: tuple[str, ...] = ()
    #: reads a batch's resources of this kind in one call (engine/read_ahead.py); None: one by one
    read_many: BatchReader | None = None

    def client_from(self, make: Callable[[str], Any]) -> Any:
        """Its client, made by `make(service)`: one service's, or `ServiceClients` over `also` too."""
        own = make(self.service)
        return ServiceClients([own, *(make(service) for service in self.also)]) if self.also else own

    @property
    def actions(self) -> tuple[str, ...]:
        """Every action the fix may call: its own, the read of its destinations if it has any,
        `iam:PassRole` if one is a role it hands to a service, and the read of its resource's tags
        where its own service gives them (`Identity.tags`)."""
        reads = (READ_ACTION,) if self.destinations else ()
        passes = (PASS_ROLE,) if any(d.passed_to for d in self.destinations) else ()
        tags = (self.identity.tags.action,) if self.identity.tags else ()
        return tuple(dict.fromkeys((*self.permissions.remediate, *reads, *passes, *tags)))

    @property
    def parameters_schema(self) -> dict[str, Any]:
        """A closed JSON Schema: an unknown parameter is an error, not silently ignored."""
        properties = dict(self.parameters)
        if self.takes_kms_key:
            properties[KMS_KEY_PARAMETER] = dict(KMS_KEY_SCHEMA)
        return {
            "type": "object",
            "properties": properties,
            "required": [],
            "additionalProperties": False,
            **self.schema_extra,
        }

    def undo(self, current: State, before: State, after: State, *, force: bool = False) -> Plan:
        """The revert plan; nothing at all when the resource already reads as before the fix."""
        if current == before:
            return Plan(after=current)
        return self.revert(current, before, after, force)

    @property
    def family(self) -> str:
        """`s3`, `ec2`, `iam`…: one function (and one role) per family."""
        return family_of(self.name)


def family_of(remediation_name: str) -> str:
    """`s3` of `s3.require-ssl`: a remediation's family, known from its name without importing it."""
    return remediation_name.partition(".")[0]


def build_catalog(remediations: Iterable[Remediation]) -> dict[str, Remediation]:
    """Index remediations by name; a duplicate name is an error, never an overwrite."""
    catalog: dict[str, Remediation] = {}
    for remediation in remediations:
        if remediation.name in catalog:
            raise RegistryError(f"remediation {remediation.name!r} is declared twice")
        if not remediation.permissions.read or not remediation.permissions.write:
            raise RegistryError(f"remediation {remediation.name!r} declares no read or write IAM actions")
        if remediation.permissions.with_key and not remediation.takes_kms_key:
            raise RegistryError(f"remediation {remediation.name!r} declares key writes but takes no KMS key")
        unnamed = [
            d.parameter
            for d in remediation.destinations
            if d.parameter not in remediation.parameters_schema["properties"]
        ]
        if unnamed:
            raise RegistryError(
                f"remediation {remediation.name!r}: destinations {unnamed} are not parameters"
            )
        if PASS_ROLE in remediation.permissions.all:
            raise RegistryError(
                f"remediation {remediation.name!r} declares {PASS_ROLE}: declare the role as a Destination "
                "(passed_to, role_name), so it is granted on that role alone"
            )
        if any(bool(d.passed_to) != bool(d.role_name) for d in remediation.destinations):
            raise RegistryError(
                f"remediation {remediation.name!r}: a role destination names its service and role"
            )
        catalog[remediation.name] = remediation
    return catalog
