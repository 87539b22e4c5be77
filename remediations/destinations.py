"""Destinations: where a fix points a resource (a log bucket, a KMS key, a role), never made by it.

A remediation that sends logs somewhere, or encrypts with a key, names the destination; it never
creates a bucket, key, role or topic. Those come from infrastructure as code: the member baseline
(`deploy/member-baseline.yaml`, one stack per account and Region) creates them and publishes each
one as an SSM parameter under `PREFIX`. An organisation with central logging points the same
parameters at its own destinations instead.

A remediation declares each destination it may need (`Destination`): the parameter of its own
schema the value fills, and the SSM parameter that holds it. The planner asks for it with
`needed(params, destination)` only when it has something to change, so a compliant resource
costs no read. The engine then reads every destination the rule does not name itself, with one
`ssm:GetParameters` call in the resource's account and Region (`resolve`), and plans again. A
parameter that does not exist there fails the finding (NOTIFIED) with a note that names the
parameter and the template that provides it (`MissingDestinationError`): nothing is changed.
API: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParameters.html
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from model.errors import RemediationError

#: Where the baseline publishes its destinations, in each member account and Region.
PREFIX = "/sechub-remediator/baseline/"
#: The template that creates them.
BASELINE_TEMPLATE = "deploy/member-baseline.yaml"
#: The one call that reads them: the engine grants it on `PREFIX`'s parameters only.
READ_ACTION = "ssm:GetParameters"
#: GetParameters takes at most 10 names: one call always suffices for a remediation's few.
MAX_NAMES = 10


#: Handing a role to a service: granted only for a `Destination` that is a baseline role.
PASS_ROLE = "iam:PassRole"


class Destination(NamedTuple):
    """A destination a remediation needs: the schema parameter it fills and the SSM parameter.

    A role the fix hands to a service (the role CloudTrail assumes to write a log group) also
    names the service (`passed_to`) and the role's name as the baseline makes it (`role_name`,
    `*` for the Region): the remediation is then granted `iam:PassRole` on exactly that name,
    for that service only (`deploy/iam.py`), never on any role.
    """

    parameter: str  # e.g. "log_bucket": a rule may name it itself, then nothing is read
    name: str  # under PREFIX, e.g. "access-log-bucket"
    what: str  # for the note: "the S3 server access log bucket"
    passed_to: str = ""  # e.g. "cloudtrail.amazonaws.com"
    role_name: str = ""  # e.g. "sechub-baseline-cloudtrail-logs-*"

    @property
    def ssm_name(self) -> str:
        return PREFIX + self.name


#: The roles the baseline makes for a service to assume (`*` is the Region in their names):
#: destinations the logging remediations hand to CloudTrail (CloudTrail.5) and flow logs (EC2.6).
CLOUDTRAIL_LOGS_ROLE = Destination(
    "cloudtrail_logs_role_arn",
    "cloudtrail-logs-role-arn",
    "the role CloudTrail writes to its log group with",
    passed_to="cloudtrail.amazonaws.com",
    role_name="sechub-baseline-cloudtrail-logs-*",
)
FLOW_LOGS_ROLE = Destination(
    "flow_logs_role_arn",
    "flow-logs-role-arn",
    "the role VPC flow logs write to their log group with",
    passed_to="vpc-flow-logs.amazonaws.com",
    role_name="sechub-baseline-flow-logs-*",
)
BASELINE_ROLES = (CLOUDTRAIL_LOGS_ROLE, FLOW_LOGS_ROLE)


def passed_roles(destinations: Iterable[Destination]) -> dict[str, frozenset[str]]:
    """Role name → the services the role is handed to, for the destinations that are roles."""
    roles: dict[str, set[str]] = {}
    for destination in destinations:
        if destination.passed_to:
            roles.setdefault(destination.role_name, set()).add(destination.passed_to)
    return {name: frozenset(services) for name, services in roles.items()}


class DestinationNeededError(RemediationError):
    """Raised by a planner that must change something and was not given the destination yet.

    The engine catches it, reads the destinations (`resolve`) and plans again; it never reaches
    a finding unless a remediation asks for a destination it does not declare.
    """

    code = "DestinationNeeded"

    def __init__(self, destination: Destination) -> None:
        super().__init__(f"{destination.what} ({destination.parameter}) is needed and was not resolved")
        self.destination = destination


class MissingDestinationError(RemediationError):
    """The destination's SSM parameter does not exist (or is empty) in the resource's account and Region."""

    code = "MissingDestination"


def needed(params: Mapping[str, Any], destination: Destination) -> str:
    """The destination's value, from the rule or the baseline; raises until it has been resolved."""
    value = params.get(destination.parameter)
    if not value:
        raise DestinationNeededError(destination)
    return str(value)


def resolve(
    client: Any, destinations: Iterable[Destination], params: Mapping[str, Any], *, account: str, region: str
) -> dict[str, Any]:
    """`params` with every destination the rule does not name read from SSM: one GetParameters call."""
    wanted = [d for d in destinations if not params.get(d.parameter)]
    if not wanted:
        return dict(params)
    names = sorted({d.ssm_name for d in wanted})
    response = client.get_parameters(Names=names[:MAX_NAMES])
    found = {p["Name"]: p.get("Value", "") for p in response.get("Parameters", [])}
    missing = [d for d in wanted if not found.get(d.ssm_name)]
    if missing:
        raise MissingDestinationError(
            "; ".join(
                f"{d.what} is not set up in account {account} {region}: SSM parameter {d.ssm_name} "
                f"does not exist there. Deploy {BASELINE_TEMPLATE} in that account and Region (or point "
                f"{d.ssm_name} at your own), or name it in the rule's {d.parameter!r}; nothing was changed"
                for d in missing
            )
        )
    return {**params, **{d.parameter: found[d.ssm_name] for d in wanted}}
