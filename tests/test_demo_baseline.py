"""`make demo`'s baseline step (demo/baseline.py): a member account with nobody watching, brought to a pass.

Reads the output of the one demo run the demo tests share (`demo_run`, tests/conftest.py): the
baseline stack's destinations are created first, every baseline control ends RESOLVED with a
change on the first pass, the account's own APIs then read as passing, and the second pass finds
everything compliant and leaves the account as it was.
"""

from __future__ import annotations

from demo.baseline import ACCOUNT, ALARMS
from deploy.member_baseline import PUBLISHED
from tests.conftest import DemoRun

WAITED = ("CloudTrail.1", "Config.1", "EC2.6", "GuardDuty.1", "CloudTrail.5")
SAFE = ("S3.9", "CloudTrail.2")  # fixed from their Imported event
CONTROLS = (*WAITED, *SAFE, *ALARMS)
#: What each control's first-pass row must say changed.
CHANGES = {
    "CloudTrail.1": "multi-Region trail: none → sechub-baseline-trail → s3://sechub-baseline-logs-",
    "CloudTrail.2": "KmsKeyId: none → arn:aws:kms:",
    "CloudTrail.5": "CloudWatchLogsLogGroupArn: none → ",
    "Config.1": "configuration recorder: none → default: all supported types, global types",
    "EC2.6": "flow log of REJECT traffic: none → ",
    "GuardDuty.1": "GuardDuty detector: none → enabled",
    "S3.9": "LoggingEnabled: none → s3://sechub-baseline-access-logs-",
    **{
        control: f"metric filter on sechub-baseline/cloudtrail: none → sechub-cis-{control}"
        for control in ALARMS
    },
}


def sections(out: str) -> dict[str, str]:
    step = out.split("\nBaseline: ", 1)[1]
    before, first = step.split("\nBaseline, first pass", 1)
    first, rest = first.split("Read back from the account:", 1)
    state, second = rest.split("\nBaseline, second pass", 1)
    return {"before": before, "first": first, "state": state, "second": second.split("\nLoop guard:")[0]}


def row(table: str, control: str) -> str:
    (line,) = (
        line for line in table.splitlines() if line.startswith("new member") and f" {control} " in line
    )
    return line


def test_the_baseline_destinations_are_created_first(demo_run: DemoRun) -> None:
    assert demo_run.code == 0, demo_run.out
    before = sections(demo_run.out)["before"]
    assert f"Baseline stack's destinations in {ACCOUNT}" in before
    for name in PUBLISHED:
        assert f"\n  {name}: " in before.split("Security Hub's first check", 1)[0], name


def test_creating_controls_wait_for_a_person_and_safe_ones_do_not(demo_run: DemoRun) -> None:
    notes = sections(demo_run.out)["before"].split("The notes they left:", 1)[1]
    for control in ("CloudTrail.1", "Config.1", "EC2.6", "GuardDuty.1"):
        line = row(notes, control)
        assert "NOTIFIED" in line and "Waiting for a person" in line and "creates-resources" in line, line
    assert not any(f" {control} " in notes.split("A person runs", 1)[0] for control in (*SAFE, *ALARMS))


def test_every_baseline_control_is_fixed_on_the_first_pass(demo_run: DemoRun) -> None:
    first = sections(demo_run.out)["first"]
    for control in CONTROLS:
        line = row(first, control)
        assert " remediated " in line and line.rstrip().endswith("RESOLVED"), line
        assert CHANGES[control] in line, line
        how = "Imported event" if control in SAFE else "backlog," if control in ALARMS else "waited, then"
        assert line.split(f" {control} ", 1)[1].lstrip().startswith(how), line


def test_the_account_reads_as_passing(demo_run: DemoRun) -> None:
    state = sections(demo_run.out)["state"]
    trail = next(line for line in state.splitlines() if "trail sechub-baseline-trail:" in line)
    assert "multi-Region yes, logging yes" in trail and "key none" not in trail, trail
    assert "log group sechub-baseline/cloudtrail" in trail, trail
    assert "recorder default: recording yes, all supported types yes, global types yes" in state
    assert f"delivery channel default: to sechub-baseline-logs-{ACCOUNT}-us-east-1" in state
    for control in ALARMS:
        assert f"alarm sechub-cis-{control}: on sechub-cis-{control}, notifies " in state
    assert "REJECT traffic to sechub-baseline/vpc-flow-logs" in state
    assert ": ENABLED" in state.split("GuardDuty detector", 1)[1].splitlines()[0]
    assert f"access logs to sechub-baseline-access-logs-{ACCOUNT}-us-east-1" in state


def test_the_second_pass_changes_nothing(demo_run: DemoRun) -> None:
    second = sections(demo_run.out)["second"]
    assert "the account reads as it did after it" in second
    for control in CONTROLS:
        line = row(second, control)
        assert "already-compliant" in line and line.rstrip().endswith("RESOLVED"), line
    assert ", 0 of those wrote anything again." in demo_run.out
