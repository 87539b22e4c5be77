"""IAM actions the engine itself needs, beside those each remediation declares.

`template.yaml` grants each function exactly these plus its remediations' permissions; the
meta-tests compare the two, so an action used here and not granted there fails a test, and
check that engine code calls each one, so an action granted and never called fails too.
"""

from __future__ import annotations

#: Every function: record outcomes, re-evaluate Config rules, notify, keep state.
ENGINE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    # Also the action of BatchUpdateFindingsV2 (OCSF findings): "BatchUpdateFindings and
    # BatchUpdateFindingsV2 both use securityhub:BatchUpdateFindings" (API reference); no V2 action exists.
    "securityhub": ("securityhub:BatchUpdateFindings",),
    "config": ("config:StartConfigRulesEvaluation", "config:DescribeConfigRules"),
    "sns": ("sns:Publish",),  # the stack's notification topic only
    "dynamodb": (
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    ),
    "sts": ("sts:AssumeRole",),  # the member role only
    "tag": ("tag:GetResources",),  # exclusion tag, when the finding does not carry the tags
}
