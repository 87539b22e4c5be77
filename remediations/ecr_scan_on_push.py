"""Turn on scan on push for a private ECR repository (control ECR.1).

Controls: ECR.1 (Config rule `ecr-private-image-scanning-enabled`); PCI DSS v4.0.1 6.2.3/6.2.4
list it, PCI 3.2.1 does not.
Why: every image pushed is then scanned for known vulnerabilities (basic scanning: no cost);
pushes and pulls are not affected.
The trap: scanning is configured in two places, and the registry's setting can make the
repository's ignored. `PutImageScanningConfiguration` sets the repository's own `scanOnPush`
flag (AWS marks it deprecated in favour of the registry's rules). With the registry on ENHANCED
scanning (Amazon Inspector), only the registry's rules count: a repository that matches no rule
is not scanned at all, whatever its own flag says, so setting the flag would report a fix that
changes nothing. And `PutRegistryScanningConfiguration` replaces every rule of the registry
(at most two), for every repository, and ENHANCED scanning is billed by Inspector: not a
change a finding about one repository should make. So:
- registry ENHANCED: compliant when one of its scan-on-push or continuous rules matches the
  repository; otherwise nothing is changed and the finding is NOTIFIED (`UnsupportedResourceError`)
  saying that the registry's rules must cover it;
- registry BASIC (AWS's default): compliant when the repository's flag is on or a registry
  scan-on-push rule matches it; otherwise the flag is switched on, which is what AWS's own
  remediation (ASR `EnablePrivateRepositoryScanning`) does. That BASIC honours the repository's
  flag beside registry rules is AWS's documented past behaviour, unverified for registries that
  have basic scan-on-push rules of their own (then the rules match or the fix is a no-op the
  next evaluation reports again).
Rule filters match as documented: without `*` a filter matches every name containing it, with
`*` the whole name, `*` standing for any characters.
Two reads: DescribeRepositories for the repository's flag, GetRegistryScanningConfiguration for
the registry's type and rules, which decide whether that flag counts at all.
Guarantee: only the named repository, in the finding's account (`registryId`), is written, and
only its scan-on-push flag; a repository already scanned is left alone. Revert switches the
flag off again unless it is off already (someone else's change: refused unless forced).
APIs: https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_PutImageScanningConfiguration.html
https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetRegistryScanningConfiguration.html
https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeRepositories.html
https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-filters.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from model.errors import UnsupportedResourceError
from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Identity, Params, Permissions, Remediation, Risk
from remediations.revert import refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_ecr import ECRClient

    from remediations.cases import Cases

SCANNING_FREQUENCIES = ("CONTINUOUS_SCAN", "SCAN_ON_PUSH")
REPOSITORY_MARK = ":repository/"


def repository_name(resource: Resource) -> str:
    """`team/app` of `arn:…:repository/team/app` (names may hold slashes), or the Config id as is."""
    _, marked, name = resource.id.partition(REPOSITORY_MARK)
    return name if marked else resource.id


def read(client: ECRClient, resource: Resource, params: Params) -> dict[str, Any]:
    repositories = client.describe_repositories(
        registryId=resource.account_id, repositoryNames=[resource.name]
    )
    repository = (repositories.get("repositories") or [{}])[0]  # an unknown name: RepositoryNotFoundException
    registry = client.get_registry_scanning_configuration()["scanningConfiguration"]
    return {
        "RegistryId": resource.account_id,
        "RepositoryName": resource.name,
        "ScanOnPush": bool(repository.get("imageScanningConfiguration", {}).get("scanOnPush")),
        "ScanType": registry.get("scanType") or "BASIC",
        "RegistryFrequency": registry_frequency(resource.name, registry.get("rules") or []),
    }


def registry_frequency(name: str, rules: Sequence[Mapping[str, Any]]) -> str | None:
    """The scanning frequency the registry's rules give this repository (continuous wins), or None."""
    matched = {
        rule["scanFrequency"]
        for rule in rules
        if any(filter_matches(f.get("filter", ""), name) for f in rule.get("repositoryFilters", []))
    }
    return next((frequency for frequency in SCANNING_FREQUENCIES if frequency in matched), None)


def filter_matches(pattern: str, name: str) -> bool:
    if "*" not in pattern:
        return pattern in name
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), name) is not None


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if state["RegistryFrequency"] in SCANNING_FREQUENCIES:
        return Plan(after=dict(state))
    if state["ScanType"] != "BASIC":
        raise UnsupportedResourceError(
            f"the registry of account {state['RegistryId']} uses {state['ScanType']} scanning, under which "
            f"repository {state['RepositoryName']}'s own scan-on-push flag is ignored and no registry rule "
            "covers it: add it to a scan-on-push or continuous rule of the registry's scanning configuration "
            "(PutRegistryScanningConfiguration replaces every rule, so it is not done here); nothing was changed"
        )
    if state["ScanOnPush"]:
        return Plan(after=dict(state))
    return Plan(
        changes=(Change("scanOnPush", False, True),),
        calls=(_put(state, scan_on_push=True),),
        after={**state, "ScanOnPush": True},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    if not current["ScanOnPush"]:
        refuse_unless_forced(force, f"scan on push of repository {current['RepositoryName']}", "off", "on")
        return Plan(after=dict(current))
    return Plan(
        changes=(Change("scanOnPush", True, False),),
        calls=(_put(current, scan_on_push=False),),
        after={**current, "ScanOnPush": False},
    )


def _put(state: Mapping[str, Any], *, scan_on_push: bool) -> ApiCall:
    return ApiCall(
        "put_image_scanning_configuration",
        {
            "registryId": state["RegistryId"],
            "repositoryName": state["RepositoryName"],
            "imageScanningConfiguration": {"scanOnPush": scan_on_push},
        },
    )


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """The repository's flag is never switched off, and the registry's configuration never touched."""
    registry = ("ScanType", "RegistryFrequency")
    return (bool(after["ScanOnPush"]) or not before["ScanOnPush"]) and all(
        after[key] == before[key] for key in registry
    )


def cases() -> Cases:
    from remediations.cases import (
        ACCOUNT,
        REGION,
        Cases,
        Exchange,
        LiveCase,
        PlanCase,
        RevertCase,
        StubbedCase,
        resource,
    )

    name = "team/web"
    arn = f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{name}"
    off = {
        "RegistryId": ACCOUNT,
        "RepositoryName": name,
        "ScanOnPush": False,
        "ScanType": "BASIC",
        "RegistryFrequency": None,
    }
    on = {**off, "ScanOnPush": True}
    enhanced = {**off, "ScanType": "ENHANCED", "RegistryFrequency": "CONTINUOUS_SCAN"}

    def setup(session: Any) -> Resource:
        made = session.client("ecr").create_repository(repositoryName="case/repository")["repository"]
        return resource("AwsEcrRepository", made["repositoryArn"])

    return Cases(
        plans=(
            PlanCase("not scanned", off, {}, ("scanOnPush: false → true",)),
            PlanCase("scan on push already", on, {}, ()),
            PlanCase(
                "a basic registry rule scans it on push", {**off, "RegistryFrequency": "SCAN_ON_PUSH"}, {}, ()
            ),
            PlanCase("an enhanced registry rule scans it continuously", enhanced, {}, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsEcrRepository", arn),
            params={},
            calls=(
                Exchange(
                    "describe_repositories",
                    {"registryId": ACCOUNT, "repositoryNames": [name]},
                    {
                        "repositories": [
                            {
                                "repositoryArn": arn,
                                "registryId": ACCOUNT,
                                "repositoryName": name,
                                "imageScanningConfiguration": {"scanOnPush": False},
                            }
                        ]
                    },
                ),
                Exchange(
                    "get_registry_scanning_configuration",
                    {},
                    {
                        "registryId": ACCOUNT,
                        "scanningConfiguration": {
                            "scanType": "BASIC",
                            "rules": [
                                {
                                    "scanFrequency": "SCAN_ON_PUSH",
                                    "repositoryFilters": [{"filter": "prod-*", "filterType": "WILDCARD"}],
                                }
                            ],
                        },
                    },
                ),
                Exchange(
                    "put_image_scanning_configuration",
                    {
                        "registryId": ACCOUNT,
                        "repositoryName": name,
                        "imageScanningConfiguration": {"scanOnPush": True},
                    },
                ),
            ),
            refusals=(
                (0, "RepositoryNotFoundException"),
                (1, "ValidationException"),
                (2, "InvalidParameterException"),
                (2, "AccessDeniedException"),
            ),
        ),
        reverts=(
            RevertCase("scan on push off again", off, on, on, ("scanOnPush: true → false",)),
            RevertCase("switched off by someone else since", off, on, off, conflict=True, since="changed"),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        identities=(
            (resource("AwsEcrRepository", arn), name),
            (resource("AWS::ECR::Repository", name, ResourceFormat.CONFIG), name),
        ),
        strictest="the repository's scan on push is one flag: nothing is stricter than on, which the fix sets",
    )


REMEDIATION = Remediation(
    name="ecr.enable-scan-on-push",
    summary="Turn on scan on push for a private ECR repository; a registry on enhanced scanning is left to a person.",
    service="ecr",
    identity=Identity(
        {
            ResourceFormat.ASFF: frozenset({"AwsEcrRepository"}),
            ResourceFormat.CONFIG: frozenset({"AWS::ECR::Repository"}),
        },
        arn="arn:{partition}:ecr:{region}:{account}:repository/{name}",
        name=repository_name,
    ),
    permissions=Permissions(
        read=("ecr:DescribeRepositories", "ecr:GetRegistryScanningConfiguration"),
        write=("ecr:PutImageScanningConfiguration",),
        revert=("ecr:PutImageScanningConfiguration",),
    ),
    risk=Risk.SAFE,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
