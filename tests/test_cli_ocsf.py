"""The CLI with AWS Security Hub's OCSF findings: `invoke` takes a `Findings Imported V2` event,
`sweep --ocsf` reads the backlog with GetFindingsV2 and resolves it with BatchUpdateFindingsV2."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from cli.main import main
from cli.sweep_ocsf import ocsf_sweep_filters
from localaws import estate
from localaws.doubles.securityhub_ocsf import import_ocsf_findings
from localaws.events import EVENTS_DIR, findings_of, load_event

OCSF_EVENT = "securityhub-imported-v2-s3.17-consolidated.json"
MEMBER = "210987654321"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def hub(aws: None) -> None:
    estate.enable_security_hub()


def import_bucket_findings(count: int, account: str = estate.ACCOUNT) -> list[str]:
    """`count` unencrypted buckets with a New S3.17 OCSF finding each; returns the finding uids."""
    template = findings_of(load_event(OCSF_EVENT))[0]
    findings: list[dict[str, Any]] = []
    for index in range(count):
        bucket = f"ocsf-sweep-{account}-{index:04d}"
        estate.create_bucket(bucket)
        finding = json.loads(json.dumps(template).replace(estate.BUCKET, bucket))
        finding["finding_info"]["uid"] = (
            f"arn:aws:securityhub:{estate.REGION}:{account}:security-control/S3.17/finding/sweep-{index:04d}"
        )
        finding["metadata"]["uid"] = f"{account}{index:052x}"
        finding["cloud"]["account"]["uid"] = account
        findings.append(finding)
    import_ocsf_findings(estate.ACCOUNT, estate.REGION, findings)  # aggregated in the hub
    return [f["finding_info"]["uid"] for f in findings]


def test_invoke_takes_an_ocsf_event(hub: None, capsys: pytest.CaptureFixture[str]) -> None:
    estate.create_bucket()
    estate.import_findings(load_event(OCSF_EVENT))
    code, out, err = run(capsys, "invoke", str(EVENTS_DIR / OCSF_EVENT))
    assert code == 0, err
    report = json.loads(out)
    assert [f["status"] for f in report["findings"]] == ["remediated"]
    assert estate.bucket_encryption() == "aws:kms"
    uid = findings_of(load_event(OCSF_EVENT))[0]["finding_info"]["uid"]
    assert estate.ocsf_finding(uid)["status"] == "Resolved"


def test_sweep_ocsf_remediates_the_backlog_in_batches(hub: None, capsys: pytest.CaptureFixture[str]) -> None:
    uids = import_bucket_findings(120)
    passed = copy.deepcopy(findings_of(load_event("securityhub-imported-v2-s3.17-passed.json"))[0])
    import_ocsf_findings(estate.ACCOUNT, estate.REGION, [passed])  # not selected: it passed
    code, out, err = run(capsys, "sweep", "--ocsf", "--json")
    assert code == 0, err
    result = json.loads(out)
    assert result["summary"] == {"remediated": 120} and result["batches"] == 2
    assert all(estate.ocsf_finding(uid)["status"] == "Resolved" for uid in uids[::17])
    assert estate.bucket_encryption("ocsf-sweep-123456789012-0119") == "aws:kms"
    code, out, _ = run(capsys, "sweep", "--ocsf")  # every one Resolved now: nothing to select
    assert code == 0 and "swept 0 findings" in out


def test_sweep_ocsf_filters_by_control_and_account(hub: None, capsys: pytest.CaptureFixture[str]) -> None:
    import_bucket_findings(2)
    import_bucket_findings(1, account=MEMBER)
    code, out, _ = run(capsys, "sweep", "--ocsf", "--control", "IAM.7", "--json")
    assert code == 0 and json.loads(out)["summary"] == {}
    code, out, _ = run(capsys, "sweep", "--ocsf", "--control", "S3.17", "--account", estate.ACCOUNT, "--json")
    assert code == 0 and json.loads(out)["summary"] == {"remediated": 2}


def test_ocsf_sweep_filters_use_the_v2_syntax() -> None:
    filters = ocsf_sweep_filters(["S3.17", "IAM.7"], ["111122223333"])
    base, controls, accounts = filters["CompositeFilters"]
    assert filters["CompositeOperator"] == "AND"
    assert {f["FieldName"]: f["Filter"]["Value"] for f in base["StringFilters"]} == {
        "class_name": "Compliance Finding",
        "compliance.status": "Fail",
    }
    assert base["NumberFilters"] == [{"FieldName": "status_id", "Filter": {"Gte": 1, "Lte": 2}}]
    assert controls["Operator"] == "OR" and [f["Filter"]["Value"] for f in controls["StringFilters"]] == [
        "S3.17",
        "IAM.7",
    ]
    assert accounts["StringFilters"][0]["FieldName"] == "cloud.account.uid"


def test_sweep_ocsf_refuses_more_filter_values_than_aws_takes(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["sweep", "--ocsf"] + [arg for n in range(21) for arg in ("--control", f"S3.{n}")]
    code, _, err = run(capsys, *argv)
    assert code == 2 and "at most 20 values for compliance.control" in err
