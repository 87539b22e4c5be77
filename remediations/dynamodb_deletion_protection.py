"""Turn on deletion protection for a DynamoDB table (control DynamoDB.6).

Controls: DynamoDB.6 (Config rule `dynamodb-table-deletion-protection-enabled`, identifier
`DYNAMODB_TABLE_DELETION_PROTECTION_ENABLED`).
Why: a protected table cannot be deleted by `DeleteTable`, by a person or by a stack update or
deletion, until someone switches protection off again on purpose. Reads and writes are not
affected and it costs nothing. Mind that a CloudFormation stack owning the table can then not
delete it (the stack deletion fails on that table) until protection is switched off.
Guarantee: a table already protected is compliant and left alone; one read (DescribeTable), one
write (UpdateTable with `DeletionProtectionEnabled` alone, so no other table setting is sent).
The table is named by its name, which DynamoDB resolves only in the caller's own account and
Region, never by an ARN that could name another account's table. For a global table the setting
is per replica: this protects the replica the finding names.
Revert switches protection off again, unless it is off already (someone else's change: refused
unless forced).
APIs: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html
https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTable.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Identity, Params, Permissions, Remediation, Risk
from remediations.revert import refuse_unless_forced

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from remediations.cases import Cases

FIELD = "DeletionProtectionEnabled"


def read(client: DynamoDBClient, resource: Resource, params: Params) -> dict[str, Any]:
    table = client.describe_table(TableName=resource.name)["Table"]
    return {"TableName": resource.name, FIELD: bool(table.get(FIELD))}


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    if state[FIELD]:
        return Plan(after=dict(state))
    return Plan(
        changes=(Change(FIELD, False, True),),
        calls=(_update(state["TableName"], enabled=True),),
        after={**state, FIELD: True},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    if not current[FIELD]:
        refuse_unless_forced(force, f"deletion protection of table {current['TableName']}", "off", "on")
        return Plan(after=dict(current))
    return Plan(
        changes=(Change(FIELD, True, False),),
        calls=(_update(current["TableName"], enabled=False),),
        after={**current, FIELD: False},
    )


def _update(table: str, *, enabled: bool) -> ApiCall:
    return ApiCall("update_table", {"TableName": table, FIELD: enabled})


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    return bool(after[FIELD]) or not before[FIELD]


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

    arn = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
    off, on = {"TableName": "orders", FIELD: False}, {"TableName": "orders", FIELD: True}

    def setup(session: Any) -> Resource:
        session.client("dynamodb").create_table(
            TableName="case-table",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        return resource("AwsDynamoDbTable", f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/case-table")

    return Cases(
        plans=(
            PlanCase("unprotected", off, {}, ("DeletionProtectionEnabled: false → true",)),
            PlanCase("protected already", on, {}, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsDynamoDbTable", arn),
            params={},
            calls=(
                Exchange(
                    "describe_table",
                    {"TableName": "orders"},
                    {"Table": {"TableName": "orders", "TableArn": arn, FIELD: False}},
                ),
                Exchange("update_table", {"TableName": "orders", FIELD: True}),
            ),
            refusals=(
                (0, "ResourceNotFoundException"),
                (0, "AccessDeniedException"),
                (1, "ResourceInUseException"),
                (1, "LimitExceededException"),
            ),
        ),
        reverts=(
            RevertCase("protection off again", off, on, on, ("DeletionProtectionEnabled: true → false",)),
            RevertCase("switched off by someone else since", off, on, off, conflict=True, since="changed"),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        identities=(
            (resource("AwsDynamoDbTable", arn), "orders"),
            (resource("AWS::DynamoDB::Table", "orders", ResourceFormat.CONFIG), "orders"),
        ),
        strictest="deletion protection is one flag: nothing is stricter than on, which the fix sets",
    )


REMEDIATION = Remediation(
    name="dynamodb.enable-deletion-protection",
    summary="Turn on deletion protection for a DynamoDB table.",
    service="dynamodb",
    identity=Identity(
        {
            ResourceFormat.ASFF: frozenset({"AwsDynamoDbTable"}),
            ResourceFormat.CONFIG: frozenset({"AWS::DynamoDB::Table"}),
        },
        arn="arn:{partition}:dynamodb:{region}:{account}:table/{name}",
    ),
    permissions=Permissions(
        read=("dynamodb:DescribeTable",),
        write=("dynamodb:UpdateTable",),
        revert=("dynamodb:UpdateTable",),
    ),
    risk=Risk.SAFE,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
