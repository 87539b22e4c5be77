"""Stop an SSM document from being shared with everyone (control SSM.4).

Controls: SSM.4 (Config rule `ssm-document-not-public`; not in PCI DSS 3.2.1).
Why: a public document can be run by any AWS account and shows how the account's
automation works.
Guarantee: only the share with `All` is removed; accounts the document is shared with by id keep
it, and nothing is ever shared wider. The share is removed with the spelling DescribeDocumentPermission
returned (the API accepts `All` in any case). Revert shares the document with `All` again, with
the document version it was shared at; a document someone made public again since needs nothing
(the note says so).
Calls: one read (DescribeDocumentPermission; a further page only when the answer has a
NextToken), one write (ModifyDocumentPermission).
Security Hub resource type `AwsSsmDocument` is the reference notes' reading (unverified); the
document is named by its ARN there and by its name in AWS Config.
APIs: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeDocumentPermission.html
https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ModifyDocumentPermission.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from model.finding import Resource, ResourceFormat
from model.outcome import ApiCall, Change, Plan
from remediations.base import Identity, Params, Permissions, Remediation, Risk

if TYPE_CHECKING:
    from remediations.cases import Cases

#: account id (or `All`) → the document version shared with it (None when AWS does not say)
SHARES = "Shares"


def read(client: Any, resource: Resource, params: Params) -> dict[str, Any]:
    shares: dict[str, str | None] = {}
    request: dict[str, Any] = {"Name": resource.name, "PermissionType": "Share"}
    while True:
        answer = client.describe_document_permission(**request)
        versions = {
            info["AccountId"]: info.get("SharedDocumentVersion")
            for info in answer.get("AccountSharingInfoList", [])
            if "AccountId" in info
        }
        shares |= {account: versions.get(account) for account in answer.get("AccountIds", [])}
        if not answer.get("NextToken"):
            return {"Name": resource.name, SHARES: dict(sorted(shares.items()))}
        request["NextToken"] = answer["NextToken"]


def public_share(shares: Mapping[str, Any]) -> str | None:
    """`All` as the read spelled it, if the document is public."""
    return next((account for account in shares if account.lower() == "all"), None)


def _permission(name: str, **change: Any) -> ApiCall:
    return ApiCall("modify_document_permission", {"Name": name, "PermissionType": "Share", **change})


def plan(state: Mapping[str, Any], params: Params) -> Plan:
    shares = dict(state[SHARES])
    everyone = public_share(shares)
    if everyone is None:
        return Plan(after=dict(state))
    del shares[everyone]
    return Plan(
        changes=(Change("AccountIds", sorted(state[SHARES]), sorted(shares)),),
        calls=(_permission(state["Name"], AccountIdsToRemove=[everyone]),),
        after={**state, SHARES: shares},
    )


def revert(
    current: Mapping[str, Any], before: Mapping[str, Any], after: Mapping[str, Any], force: bool
) -> Plan:
    removed = public_share(before[SHARES])
    if removed is None or public_share(after[SHARES]) is not None:
        return Plan(after=dict(current))  # the fix removed nothing
    if public_share(current[SHARES]) is not None:
        return Plan(
            after=dict(current), notes=("the document was shared with All again since: nothing to do",)
        )
    version = before[SHARES][removed]
    shares = {**current[SHARES], removed: version}
    return Plan(
        changes=(Change("AccountIds", sorted(current[SHARES]), sorted(shares)),),
        calls=(
            _permission(
                current["Name"],
                AccountIdsToAdd=[removed],
                **({"SharedDocumentVersion": version} if version else {}),
            ),
        ),
        after={**current, SHARES: dict(sorted(shares.items()))},
    )


def keeps(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Never shared wider: no new account, never public unless it was."""
    return set(after[SHARES]) <= set(before[SHARES])


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

    partner = "111122223333"
    arn = f"arn:aws:ssm:{REGION}:{ACCOUNT}:document/runbook"
    public = {"Name": "runbook", SHARES: {"All": "$DEFAULT", partner: "$DEFAULT"}}
    private = {"Name": "runbook", SHARES: {partner: "$DEFAULT"}}
    content = (
        '{"schemaVersion":"2.2","description":"case","mainSteps":[{"action":"aws:runShellScript",'
        '"name":"run","inputs":{"runCommand":["true"]}}]}'
    )

    def setup(session: Any) -> Resource:
        ssm = session.client("ssm")
        ssm.create_document(Name="case-public-document", Content=content, DocumentType="Command")
        for account in ("All", partner):
            ssm.modify_document_permission(
                Name="case-public-document", PermissionType="Share", AccountIdsToAdd=[account]
            )
        return resource("AwsSsmDocument", f"arn:aws:ssm:{REGION}:{ACCOUNT}:document/case-public-document")

    return Cases(
        plans=(
            PlanCase(
                "public and shared with a partner",
                public,
                {},
                (f'AccountIds: ["{partner}","All"] → ["{partner}"]',),
            ),
            PlanCase(
                "public, spelt all",
                {"Name": "runbook", SHARES: {"all": "1"}},
                {},
                ('AccountIds: ["all"] → []',),
            ),
            PlanCase("shared with a partner only", private, {}, ()),
            PlanCase("not shared", {"Name": "runbook", SHARES: {}}, {}, ()),
        ),
        stubbed=StubbedCase(
            resource=resource("AwsSsmDocument", arn),
            params={},
            calls=(
                Exchange(
                    "describe_document_permission",
                    {"Name": "runbook", "PermissionType": "Share"},
                    {
                        "AccountIds": ["All", partner],
                        "AccountSharingInfoList": [
                            {"AccountId": "All", "SharedDocumentVersion": "$DEFAULT"},
                            {"AccountId": partner, "SharedDocumentVersion": "$DEFAULT"},
                        ],
                    },
                ),
                Exchange(
                    "modify_document_permission",
                    {"Name": "runbook", "PermissionType": "Share", "AccountIdsToRemove": ["All"]},
                ),
            ),
            refusals=((0, "InvalidDocument"), (1, "InvalidPermissionType"), (1, "InternalServerError")),
        ),
        reverts=(
            RevertCase(
                "shared with All again, at the version it was",
                {"Name": "runbook", SHARES: {"All": "3", partner: "$DEFAULT"}},
                private,
                private,
                (f'AccountIds: ["{partner}"] → ["{partner}","All"]',),
            ),
            RevertCase(
                "a partner removed since stays removed",
                public,
                private,
                {"Name": "runbook", SHARES: {}},
                ('AccountIds: [] → ["All"]',),
            ),
            RevertCase(
                "changed by someone else since: public again already",
                public,
                private,
                {"Name": "runbook", SHARES: {"all": "$LATEST"}},
                kept="shared with All again since",
                since="changed",
            ),
        ),
        live=LiveCase(setup, {}),
        keeps=keeps,
        strictest="the fix only removes the share with All; nothing stricter about it can happen since",
        identities=(
            (resource("AwsSsmDocument", arn), "runbook"),
            (resource("AWS::SSM::Document", "runbook", ResourceFormat.CONFIG), "runbook"),
        ),
    )


REMEDIATION = Remediation(
    name="ssm.block-public-document-sharing",
    summary="Stop sharing the SSM document with All; accounts it is shared with by id keep it.",
    service="ssm",
    identity=Identity(
        {
            ResourceFormat.ASFF: frozenset({"AwsSsmDocument"}),
            ResourceFormat.CONFIG: frozenset({"AWS::SSM::Document"}),
        },
        arn="arn:{partition}:ssm:{region}:{account}:document/{name}",
    ),
    permissions=Permissions(
        read=("ssm:DescribeDocumentPermission",),
        write=("ssm:ModifyDocumentPermission",),
        revert=("ssm:ModifyDocumentPermission",),
    ),
    risk=Risk.SAFE,
    read=read,
    plan=plan,
    revert=revert,
    cases=cases,
)
