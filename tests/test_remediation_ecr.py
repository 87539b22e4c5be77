"""ECR.1 beyond the meta-tests: the registry's scanning configuration decides whether the
repository's own flag counts (the trap), and the registry's filters match as AWS documents.

End to end against moto: a registry on ENHANCED scanning that no rule covers the repository
with is NOTIFIED and nothing is written; one whose rule covers it is already compliant.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st

from localaws import estate
from localaws.engine_setup import make_engine
from localaws.events import load_event
from model.errors import UnsupportedResourceError
from remediations.ecr_scan_on_push import REMEDIATION, filter_matches, keeps, registry_frequency

EVENT = "securityhub-imported-ecr.1-consolidated.json"
REPOSITORY = "example-unscanned-repository"
NAMES = ("prod", "repo-prod", "prod-repo", "repo-prod-repo", "prodrepo")
#: The table of AWS's "Filter wildcards" (image-scanning-filters.html): filter → names matched.
AWS_FILTER_TABLE = {
    "prod": (True, True, True, True, True),
    "*prod": (True, True, False, False, False),
    "prod*": (True, False, True, False, True),
    "*prod*": (True, True, True, True, True),
    "prod*repo": (False, False, True, False, True),
}


@pytest.mark.parametrize("pattern", sorted(AWS_FILTER_TABLE))
def test_filters_match_as_aws_documents(pattern: str) -> None:
    assert tuple(filter_matches(pattern, name) for name in NAMES) == AWS_FILTER_TABLE[pattern]


def test_continuous_scanning_wins_over_scan_on_push_where_both_match() -> None:
    rules = [
        {"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]},
        {
            "scanFrequency": "CONTINUOUS_SCAN",
            "repositoryFilters": [{"filter": "web", "filterType": "WILDCARD"}],
        },
    ]
    assert registry_frequency("team/web", rules) == "CONTINUOUS_SCAN"
    assert registry_frequency("team/api", rules) == "SCAN_ON_PUSH"
    assert registry_frequency("api", rules[1:]) is None


def state(scan_type: str, flag: bool, frequency: str | None) -> dict[str, Any]:
    return {
        "RegistryId": estate.ACCOUNT,
        "RepositoryName": REPOSITORY,
        "ScanOnPush": flag,
        "ScanType": scan_type,
        "RegistryFrequency": frequency,
    }


frequencies = st.sampled_from([None, "SCAN_ON_PUSH", "CONTINUOUS_SCAN"])


@given(flag=st.booleans(), frequency=frequencies)
def test_under_basic_scanning_the_flag_is_only_ever_switched_on(flag: bool, frequency: str | None) -> None:
    before = state("BASIC", flag, frequency)
    plan = REMEDIATION.plan(before, {})
    assert keeps(before, plan.after)
    assert plan.compliant == (flag or frequency is not None)
    assert all(call.params["imageScanningConfiguration"] == {"scanOnPush": True} for call in plan.calls)


@given(flag=st.booleans(), frequency=frequencies)
def test_under_enhanced_scanning_the_flag_is_never_written(flag: bool, frequency: str | None) -> None:
    before = state("ENHANCED", flag, frequency)
    if frequency is None:
        with pytest.raises(UnsupportedResourceError, match="flag is ignored"):
            REMEDIATION.plan(before, {})
    else:
        assert REMEDIATION.plan(before, {}).compliant


def enhanced_registry(rules: list[dict[str, Any]]) -> None:
    ecr: Any = boto3.client("ecr", region_name=estate.REGION)
    ecr.put_registry_scanning_configuration(scanType="ENHANCED", rules=rules)


def deliver() -> tuple[dict[str, Any], Any, dict[str, Any]]:
    estate.enable_security_hub()
    boto3.client("ecr", region_name=estate.REGION).create_repository(repositoryName=REPOSITORY)
    event = json.loads(json.dumps(load_event(EVENT)))
    estate.import_findings(event)
    engine, recorder = make_engine()
    return engine.handle(event), recorder, event


def scan_on_push() -> bool:
    ecr: Any = boto3.client("ecr", region_name=estate.REGION)
    (repository,) = ecr.describe_repositories(repositoryNames=[REPOSITORY])["repositories"]
    return bool(repository["imageScanningConfiguration"]["scanOnPush"])


@pytest.mark.usefixtures("aws")
def test_enhanced_scanning_without_a_rule_for_the_repository_is_notified_and_nothing_is_written() -> None:
    enhanced_registry(
        [
            {
                "scanFrequency": "CONTINUOUS_SCAN",
                "repositoryFilters": [{"filter": "prod-*", "filterType": "WILDCARD"}],
            }
        ]
    )
    report, recorder, event = deliver()
    (line,) = report["findings"]
    assert (line["status"], line["error_code"]) == ("failed", "UnsupportedResource"), line
    stored = estate.finding(event["detail"]["findings"][0]["Id"])
    assert stored["Workflow"]["Status"] == "NOTIFIED" and "ENHANCED scanning" in stored["Note"]["Text"]
    assert [call for call in recorder.writes if call != "securityhub.BatchUpdateFindings"] == []
    assert not scan_on_push()


@pytest.mark.usefixtures("aws")
def test_enhanced_scanning_with_a_rule_for_the_repository_is_compliant() -> None:
    enhanced_registry(
        [
            {
                "scanFrequency": "SCAN_ON_PUSH",
                "repositoryFilters": [{"filter": "unscanned", "filterType": "WILDCARD"}],
            }
        ]
    )
    report, recorder, _ = deliver()
    assert [line["status"] for line in report["findings"]] == ["already-compliant"]
    assert "ecr.PutImageScanningConfiguration" not in recorder.calls
