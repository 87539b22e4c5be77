"""Recording outcomes on OCSF findings: BatchUpdateFindingsV2 requests, grouping, the loop guard,
and what each per-finding error code means for a retry."""

from __future__ import annotations

from typing import Any

import pytest

from engine.notes import note_for
from engine.parse import parse_event
from engine.resolve import FindingUpdate, _unprocessed, needs_update, plan_updates
from localaws import estate
from localaws.engine_setup import make_engine
from localaws.events import load_event
from localaws.faults import inject_call_faults
from model.errors import RetryLaterError
from model.outcome import Change, Outcome, Status

OCSF = parse_event(load_event("securityhub-imported-v2-s3.17-consolidated.json")).findings[0]
ASFF = parse_event(load_event("securityhub-imported-s3.17-consolidated.json")).findings[0]


def outcome(index: int, status: Status = Status.REMEDIATED, finding: Any = OCSF, **fields: Any) -> Outcome:
    return Outcome(
        finding=finding._replace(finding_id=f"{finding.finding_id}-{index}"),
        status=status,
        rule_id="s3-bucket-kms-encryption",
        remediation="s3.enable-default-encryption",
        changes=(Change("SSEAlgorithm", None, "aws:kms"),),
        **fields,
    )


def test_v2_request_names_account_finding_and_product_and_sets_status_and_comment() -> None:
    (update,) = plan_updates([outcome(1)])
    assert update.ocsf and update.api == "BatchUpdateFindingsV2"
    request = update.request("sechub-remediator")
    assert request == {
        "FindingIdentifiers": [
            {
                "CloudAccountUid": "123456789012",
                "FindingInfoUid": f"{OCSF.finding_id}-1",
                "MetadataProductUid": "arn:aws:securityhub:us-east-1::productv2/aws/securityhub",
            }
        ],
        "Comment": note_for(outcome(1)),
        "StatusId": 4,
    }


def test_notified_becomes_in_progress_and_a_skip_leaves_the_status() -> None:
    failed = plan_updates([outcome(1, Status.FAILED, reason="AccessDenied")])[0].request("x")
    assert failed["StatusId"] == 2
    no_rule = Outcome(finding=OCSF, status=Status.SKIPPED, reason="no rule in the registry for S3.17")
    assert "StatusId" not in plan_updates([no_rule])[0].request("x")


def test_v1_and_v2_findings_never_share_a_call_and_each_batch_holds_100() -> None:
    outcomes = [outcome(i) for i in range(150)] + [outcome(i, finding=ASFF) for i in range(30)]
    updates = plan_updates(outcomes)
    assert sorted((u.api, len(u.identifiers)) for u in updates) == [
        ("BatchUpdateFindings", 30),
        ("BatchUpdateFindingsV2", 50),
        ("BatchUpdateFindingsV2", 100),
    ]


def test_loop_guard_compares_ocsf_status_names() -> None:
    done = outcome(1)
    note = note_for(done)
    echoed = done._replace(finding=done.finding._replace(workflow_status="Resolved", note_text=note))
    assert needs_update(done, note) and not needs_update(echoed, note)
    waiting = outcome(2, Status.HELD, reason="flap breaker")
    note = note_for(waiting)
    echoed = waiting._replace(finding=waiting.finding._replace(workflow_status="In Progress", note_text=note))
    assert not needs_update(echoed, note)


def test_routine_skips_of_ocsf_findings_are_left_alone() -> None:
    passed = outcome(1, Status.SKIPPED, reason="compliance status is Pass: nothing to fix")
    assert not needs_update(passed, note_for(passed))


@pytest.mark.parametrize(
    ("code", "retry"),
    [
        ("InternalServerException", True),
        ("ConflictException", True),
        ("ResourceNotFoundException", False),
        ("ValidationException", False),
    ],
)
def test_unprocessed_v2_findings_are_retried_only_for_passing_errors(code: str, retry: bool) -> None:
    failure = _unprocessed(
        {"FindingIdentifier": {"FindingInfoUid": "f-1"}, "ErrorCode": code, "ErrorMessage": "m"}, ocsf=True
    )
    assert failure.retry is retry and failure.text.startswith(f"f-1: {code}")


def test_v1_request_is_unchanged_by_the_account_part_of_the_identifier() -> None:
    update = FindingUpdate(
        "123456789012", "us-east-1", (("id", "arn:p", "123456789012"),), "note", "RESOLVED"
    )
    assert update.request("me") == {
        "FindingIdentifiers": [{"Id": "id", "ProductArn": "arn:p"}],
        "Note": {"Text": "note", "UpdatedBy": "me"},
        "Workflow": {"Status": "RESOLVED"},
    }


# --- against moto: what the handler does when Security Hub does not record an OCSF outcome -------


@pytest.fixture
def bucket(aws: None) -> None:
    estate.enable_security_hub()
    estate.create_bucket()


def test_a_finding_security_hub_does_not_know_is_reported_not_retried(bucket: None) -> None:
    event = load_event("securityhub-imported-v2-s3.17-consolidated.json")  # not seeded: unknown to V2
    engine, _ = make_engine()
    report = engine.handle(event)
    assert [f["status"] for f in report["findings"]] == ["remediated"]
    (problem,) = report["problems"]
    assert "ResourceNotFoundException" in problem


def test_a_throttled_v2_update_makes_the_event_retry_after_the_fix(bucket: None) -> None:
    event = load_event("securityhub-imported-v2-s3.17-consolidated.json")
    estate.import_findings(event)
    engine, _ = make_engine()
    inject_call_faults(
        engine.clients.session,
        lambda op, params: "ThrottlingException" if op == "securityhub.BatchUpdateFindingsV2" else None,
    )
    with pytest.raises(RetryLaterError, match="BatchUpdateFindingsV2"):
        engine.handle(event)
    assert estate.bucket_encryption() == "aws:kms"


def test_the_echo_of_a_waiting_ocsf_finding_writes_nothing(aws: None) -> None:
    """A manual rule's OCSF finding goes In Progress with the plan as its comment; that status is
    still routed, so Security Hub's echo (if V2 updates re-emit: not documented) is planned again
    and, finding the same comment, writes nothing."""
    estate.enable_security_hub()
    group = estate.create_open_security_group()
    event = load_event("securityhub-imported-v2-s3.17-consolidated.json")
    finding = event["detail"]["findings"][0]
    finding["compliance"]["control"] = "EC2.13"
    finding["finding_info"].pop("analytic")
    finding["finding_info"]["uid"] = finding["finding_info"]["uid"].replace("S3.17", "EC2.13")
    arn = f"arn:aws:ec2:{estate.REGION}:{estate.ACCOUNT}:security-group/{group}"
    finding["resources"] = [{"type": "AWS::EC2::SecurityGroup", "uid": group, "uid_alt": arn}]
    estate.import_findings(event)
    engine, recorder = make_engine()
    assert [f["status"] for f in engine.handle(event)["findings"]] == ["waiting"]
    stored = estate.ocsf_finding(finding["finding_info"]["uid"])
    assert stored["status"] == "In Progress" and "Waiting for a person" in stored["comment"]
    echo = {**event, "detail": {"findings": [stored]}}
    before = recorder.count("securityhub.BatchUpdateFindingsV2")
    assert [f["status"] for f in engine.handle(echo)["findings"]] == ["waiting"]
    assert recorder.count("securityhub.BatchUpdateFindingsV2") == before
