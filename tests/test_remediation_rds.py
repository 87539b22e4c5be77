"""RDS remediations beyond their cases: Config's resource ids, cluster members, never weakening.

- A Config event names a DB instance by its `db-…` resource id: the engine looks the identifier up
  before the tag check, so an instance carrying the exclusion tag is left alone, and the claim is
  keyed by the instance's ARN as for a Security Hub finding; an id AWS does not know fails the
  finding with no write; undo acts on the identifier the lookup found.
- An instance in a DB cluster is left to its cluster for deletion protection and copying tags to
  snapshots (RDS.7, RDS.16), with no write; its automatic minor version upgrades are its own.
- Property: whatever the settings read, a plan turns on the setting its rule names and nothing
  else, never switches anything off, and never sends ApplyImmediately.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from hypothesis import given
from hypothesis import strategies as st

from cli.main import main
from engine.parse import parse_event
from engine.settings import Settings
from localaws import estate
from localaws.engine_setup import create_state_table, make_engine
from localaws.events import load_event
from model.errors import RemediationFailedError
from model.finding import ResourceFormat
from remediations import catalog
from remediations.cases import ACCOUNT, REGION, resource
from remediations.rds_settings import STRICT
from rules.registry import load_registry

TAG = "remediation:exclude"
TABLE = "remediator-state"
CONFIG_RDS8 = "config-rds-instance-deletion-protection-enabled-securityhub-rule.json"
ASFF_RDS8 = "securityhub-imported-rds.8-consolidated.json"
SAMPLE_INSTANCE = "example-db"
INSTANCE = catalog()["rds.enable-instance-setting"]
CLUSTER = catalog()["rds.enable-cluster-setting"]


def create_instance(identifier: str, **extra: Any) -> str:
    """An unprotected postgres instance (or a member of `DBClusterIdentifier`); its resource id."""
    rds: Any = boto3.client("rds", region_name=REGION)
    options: dict[str, Any]
    if "DBClusterIdentifier" in extra:
        options = {"DBInstanceClass": "db.r6g.large", "Engine": "aurora-postgresql"}
    else:
        options = {
            "DBInstanceClass": "db.t3.micro",
            "Engine": "postgres",
            "AllocatedStorage": 20,
            "MasterUsername": "admin",
            "MasterUserPassword": "not-a-secret-1",
            "DeletionProtection": False,
            "AutoMinorVersionUpgrade": False,
            "CopyTagsToSnapshot": False,
        }
    made = rds.create_db_instance(DBInstanceIdentifier=identifier, **options, **extra)
    return str(made["DBInstance"]["DbiResourceId"])


def create_cluster(identifier: str) -> None:
    boto3.client("rds", region_name=REGION).create_db_cluster(
        DBClusterIdentifier=identifier,
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword="not-a-secret-1",
    )


def instance(identifier: str) -> dict[str, Any]:
    found = boto3.client("rds", region_name=REGION).describe_db_instances(DBInstanceIdentifier=identifier)
    return dict(found["DBInstances"][0])


def config_event(resource_id: str) -> dict[str, Any]:
    sample = load_event(CONFIG_RDS8)["detail"]["resourceId"]
    return load_event(CONFIG_RDS8, {sample: resource_id})


# --- AWS Config names the instance by its resource id ---------------------------------------------


@pytest.mark.usefixtures("aws")
def test_a_config_event_is_looked_up_and_fixed() -> None:
    resource_id = create_instance("orders-db")
    create_instance("other-db")
    engine, recorder = make_engine()
    report = engine.handle(config_event(resource_id))
    assert [f["status"] for f in report["findings"]] == ["remediated"], report
    assert instance("orders-db")["DeletionProtection"] is True
    assert instance("other-db")["DeletionProtection"] is False
    assert recorder.calls.count("rds.ModifyDBInstance") == 1


@pytest.mark.usefixtures("aws")
def test_an_excluded_instance_named_by_its_resource_id_is_left_alone() -> None:
    """Without the lookup the tag check would read the tags of `…:db:db-…`, which has none."""
    resource_id = create_instance("orders-db", Tags=[{"Key": TAG, "Value": "owner said so"}])
    engine, recorder = make_engine(Settings(home_account_id=ACCOUNT, exclusion_tag=TAG))
    report = engine.handle(config_event(resource_id))
    assert [f["status"] for f in report["findings"]] == ["skipped"]
    assert "exclusion tag" in report["findings"][0]["reason"]
    assert "rds.ModifyDBInstance" not in recorder.calls
    assert instance("orders-db")["DeletionProtection"] is False


@pytest.mark.usefixtures("aws")
def test_an_unknown_resource_id_fails_with_no_write() -> None:
    create_instance("orders-db")
    engine, recorder = make_engine()
    report = engine.handle(load_event(CONFIG_RDS8))  # the sample's id: no such instance
    line = report["findings"][0]
    assert line["status"] == "failed" and line["error_code"] == "DBInstanceNotFound", line
    assert recorder.writes == []
    assert instance("orders-db")["DeletionProtection"] is False


@pytest.mark.usefixtures("aws")
def test_config_and_security_hub_share_one_claim_for_one_instance() -> None:
    """The claim (and its history) is keyed by the instance's ARN whichever producer named it."""
    estate.enable_security_hub()
    create_state_table(TABLE)
    resource_id = create_instance("orders-db")
    engine, _ = make_engine(Settings(home_account_id=ACCOUNT, state_table=TABLE))
    assert engine.handle(config_event(resource_id))["findings"][0]["status"] == "remediated"
    asff = load_event(ASFF_RDS8, {SAMPLE_INSTANCE: "orders-db"})
    estate.import_findings(asff)
    again = engine.handle(asff)["findings"][0]
    assert again["status"] == "already-compliant"
    assert "changed by this engine" in again["reason"] and "DeletionProtection" in again["reason"]
    items = boto3.client("dynamodb", region_name=REGION).scan(TableName=TABLE)["Items"]
    claims = [item for item in items if item["pk"]["S"].startswith("resource#")]
    assert len(claims) == 1 and f"arn:aws:rds:{REGION}:{ACCOUNT}:db:orders-db" in json.dumps(claims)


def test_a_resource_id_two_instances_answer_to_is_refused() -> None:
    client = boto3.client("rds", region_name=REGION)
    named = INSTANCE.identity.locate(
        [resource("AWS::RDS::DBInstance", "db-ABCDEFGHIJKLMNOPQRSTUVWXYZ", ResourceFormat.CONFIG)]
    )
    assert named is not None
    twice = {"DBInstances": [{"DBInstanceIdentifier": "a"}, {"DBInstanceIdentifier": "b"}]}
    with Stubber(client) as stubber, pytest.raises(RemediationFailedError) as error:
        stubber.add_response("describe_db_instances", twice)
        INSTANCE.identity.look_up(client, named)
    assert error.value.error_code == "AmbiguousResourceId"


# --- cluster members --------------------------------------------------------------------------------


@pytest.mark.usefixtures("aws")
@pytest.mark.parametrize(
    ("event_name", "setting", "cluster_control"),
    [
        (ASFF_RDS8, "DeletionProtection", "RDS.7"),
        ("securityhub-imported-rds.17-consolidated.json", "CopyTagsToSnapshot", "RDS.16"),
    ],
)
def test_a_cluster_member_is_left_to_its_cluster(event_name: str, setting: str, cluster_control: str) -> None:
    estate.enable_security_hub()
    create_cluster("aurora-orders")
    create_instance("aurora-orders-1", DBClusterIdentifier="aurora-orders")
    event = load_event(event_name, {SAMPLE_INSTANCE: "aurora-orders-1"})
    estate.import_findings(event)
    engine, recorder = make_engine()
    line = engine.handle(event)["findings"][0]
    assert line["status"] == "failed" and line["error_code"] == "UnsupportedResource", line
    assert "aurora-orders" in line["reason"] and cluster_control in line["reason"]
    assert "rds.ModifyDBInstance" not in recorder.calls
    stored = estate.finding(event["detail"]["findings"][0]["Id"])
    assert stored["Workflow"]["Status"] == "NOTIFIED" and cluster_control in stored["Note"]["Text"]


@pytest.mark.usefixtures("aws")
def test_a_cluster_members_minor_version_upgrades_are_its_own() -> None:
    estate.enable_security_hub()
    create_cluster("aurora-orders")
    create_instance("aurora-orders-1", DBClusterIdentifier="aurora-orders", AutoMinorVersionUpgrade=False)
    event = load_event("securityhub-imported-rds.13-consolidated.json", {SAMPLE_INSTANCE: "aurora-orders-1"})
    estate.import_findings(event)
    engine, _ = make_engine()
    assert engine.handle(event)["findings"][0]["status"] == "remediated"
    assert instance("aurora-orders-1")["AutoMinorVersionUpgrade"] is True


# --- never weaken, never ApplyImmediately -----------------------------------------------------------

#: The settings remediations of this file (RDS.1's snapshot remediation has its own properties).
SETTINGS_REMEDIATIONS = {
    "rds.enable-instance-setting",
    "rds.enable-cluster-setting",
    "rds.disable-public-access",
}
RULES = [rule for rule in load_registry().rules if rule.remediation.name in SETTINGS_REMEDIATIONS]


def states(identifier_key: str, settings: tuple[str, ...]) -> st.SearchStrategy[dict[str, Any]]:
    fixed: dict[str, Any] = {identifier_key: st.just("x")}
    if identifier_key == "DBInstanceIdentifier":
        fixed["DBClusterIdentifier"] = st.none()
    return st.fixed_dictionaries({**fixed, **{setting: st.booleans() for setting in settings}})


ALL_SETTINGS = tuple(STRICT)


@pytest.mark.parametrize("rule", RULES, ids=[rule.id for rule in RULES])
@given(data=st.data())
def test_a_plan_turns_on_the_named_setting_alone_and_never_weakens(rule: Any, data: st.DataObject) -> None:
    remediation = rule.remediation
    key = "DBClusterIdentifier" if remediation is CLUSTER else "DBInstanceIdentifier"
    state = data.draw(states(key, ALL_SETTINGS))
    plan = remediation.plan(state, rule.parameters)
    named = rule.parameters.get("setting", "PubliclyAccessible")
    assert plan.after[named] == STRICT[named]
    assert {k: v for k, v in plan.after.items() if k != named} == {
        k: v for k, v in state.items() if k != named
    }
    for call in plan.calls:
        assert set(call.params) == {key, named}, "one setting, no ApplyImmediately"
    assert remediation.plan(plan.after, rule.parameters).compliant


@pytest.mark.usefixtures("aws")
def test_undo_of_a_config_named_instance_reads_and_reverts_it_by_its_identifier(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The undo record keeps the identifier and ARN the lookup found, not the `db-…` id."""
    monkeypatch.setenv("STATE_TABLE_NAME", TABLE)
    create_state_table(TABLE)
    resource_id = create_instance("orders-db")
    event = config_event(resource_id)
    engine, _ = make_engine(Settings(home_account_id=ACCOUNT, state_table=TABLE))
    assert engine.handle(event)["findings"][0]["status"] == "remediated"
    (finding,) = parse_event(event).findings
    assert main(["undo", finding.key]) == 0
    out = capsys.readouterr().out
    assert f"arn:aws:rds:{REGION}:{ACCOUNT}:db:orders-db" in out and "DeletionProtection: true → false" in out
    assert instance("orders-db")["DeletionProtection"] is False
