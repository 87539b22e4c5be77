"""Deployment: the SAM template, the member-account role and the Lambda package, generated from the code.

`template.yaml` and `deploy/member-role.yaml` are written by `python -m deploy.template_gen`
(`make template`) from `rules/registry.json`, each remediation's declared permissions and
`deploy/permissions.py`; a test regenerates them and fails when the committed copies are stale.
"""
