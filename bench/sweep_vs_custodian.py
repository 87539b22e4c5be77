"""`remediator sweep` against Cloud Custodian fixing the same 1,000 resources on one moto server.

The estate: 600 buckets without default encryption (S3.4 findings, SSE-S3 wanted) and 400
security groups with SSH open to 0.0.0.0/0 (EC2.13 findings), all failed, active and NEW in
Security Hub. Ours: `remediator sweep` lists the findings, fixes each resource and resolves
each finding. Custodian: `custodian run` in pull mode with two policies (s3
`bucket-encryption` → `set-bucket-encryption` AES256; security-group `ingress` port 22 from
0.0.0.0/0 → `remove-permissions: matched`); it does not touch Security Hub. Both are fresh
processes pointed at the server with AWS_ENDPOINT_URL; the estate is rebuilt before each run,
and each run is checked to have fixed every resource.
"""

from __future__ import annotations

import json
import tempfile
import urllib.request
from pathlib import Path
from typing import Any

import boto3

from bench.figures import BENCH_PYTHON, PYTHON, Figure, base_env, median, run_seconds
from demo import asff
from localaws.server import start_server

ACCOUNT, REGION = "123456789012", "us-east-1"
CUSTODIAN = BENCH_PYTHON.parent / "custodian"
POLICIES = """
policies:
  - name: s3-default-encryption
    resource: aws.s3
    filters:
      - type: bucket-encryption
        state: false
    actions:
      - type: set-bucket-encryption
        crypto: AES256
  - name: sg-public-ssh
    resource: aws.security-group
    filters:
      - type: ingress
        Ports: [22]
        Cidr:
          value: "0.0.0.0/0"
    actions:
      - type: remove-permissions
        ingress: matched
"""


def seed(endpoint: str, buckets: int, groups: int) -> None:
    """A fresh moto with the vulnerable estate and one NEW failed finding per resource."""
    urllib.request.urlopen(
        urllib.request.Request(f"{endpoint}/moto-api/reset", data=b"", method="POST")
    ).read()
    session = _session(endpoint)
    securityhub = session.client("securityhub")
    securityhub.enable_security_hub()
    s3, ec2 = session.client("s3"), session.client("ec2")
    findings = []
    for n in range(buckets):
        s3.create_bucket(Bucket=f"bench-sweep-{n:04d}")
        target = asff.Target("AwsS3Bucket", f"arn:aws:s3:::bench-sweep-{n:04d}")
        findings.append(asff.finding("S3.4", target, ACCOUNT, REGION))
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    for n in range(groups):
        group = ec2.create_security_group(GroupName=f"bench-ssh-{n}", Description="bench", VpcId=vpc)[
            "GroupId"
        ]
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            ],
        )
        target = asff.Target("AwsEc2SecurityGroup", f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/{group}")
        findings.append(asff.finding("EC2.13", target, ACCOUNT, REGION))
    for start in range(0, len(findings), 100):
        response = securityhub.batch_import_findings(Findings=findings[start : start + 100])
        assert response["FailedCount"] == 0, response


def still_open(endpoint: str) -> int:
    """Resources of the estate still not fixed: unencrypted buckets and groups with SSH from anywhere."""
    session = _session(endpoint)
    s3, ec2 = session.client("s3"), session.client("ec2")
    unencrypted = 0
    for bucket in s3.list_buckets()["Buckets"]:
        try:
            s3.get_bucket_encryption(Bucket=bucket["Name"])
        except s3.exceptions.ClientError:
            unencrypted += 1
    rules = ec2.get_paginator("describe_security_group_rules").paginate()
    open_ssh = sum(
        1
        for page in rules
        for rule in page["SecurityGroupRules"]
        if not rule["IsEgress"] and rule.get("CidrIpv4") == "0.0.0.0/0" and rule.get("FromPort") == 22
    )
    return unencrypted + open_ssh


def sweep_vs_custodian(runs: int, buckets: int = 600, groups: int = 400) -> list[Figure]:
    total = buckets + groups
    server, endpoint = start_server()
    ours: list[float] = []
    theirs: list[float] = []
    problem = ""
    try:
        env = base_env(AWS_ENDPOINT_URL=endpoint, HOME_ACCOUNT_ID=ACCOUNT)
        with tempfile.TemporaryDirectory() as scratch:
            policy = Path(scratch) / "policy.yml"
            policy.write_text(POLICIES, encoding="utf-8")
            for _ in range(runs):
                seed(endpoint, buckets, groups)
                ours.append(
                    run_seconds(
                        [
                            str(PYTHON),
                            "-m",
                            "cli",
                            "sweep",
                            "--json",
                            "--region",
                            REGION,
                            "--endpoint-url",
                            endpoint,
                        ],
                        env,
                        check=lambda result: _check_sweep(result, total),
                    )
                )
                assert still_open(endpoint) == 0, "the sweep left resources unfixed"
                if not CUSTODIAN.exists():
                    problem = f"{CUSTODIAN} is missing (`make bench` installs c7n into .venv-bench)"
                    continue
                seed(endpoint, buckets, groups)
                command = [str(CUSTODIAN), "run", "-s", str(Path(scratch) / "out"), "--region", REGION]
                theirs.append(run_seconds([*command, "--cache-period", "0", str(policy)], env))
                left = still_open(endpoint)
                if left:
                    problem = f"Cloud Custodian left {left} of {total} resources unfixed against moto"
    finally:
        server.stop()
    sweep = median(ours)
    figures = [
        Figure(
            f"sweep of {total:,} failed findings: seconds",
            sweep,
            "s",
            detail=f"{total / sweep:.0f} findings/s, remediated and resolved in Security Hub; median of {runs}",
            runs=ours,
        )
    ]
    if theirs and not problem:
        custodian = median(theirs)
        figures.append(
            Figure(
                f"sweep of {total:,}: Cloud Custodian time / ours (speed-up)",
                custodian / sweep,
                "x",
                3,
                at_least=True,
                detail=f"custodian run {custodian:.1f} s vs remediator sweep {sweep:.1f} s, same fixes, same moto "
                "server (Custodian does not update Security Hub)",
                runs=theirs,
            )
        )
    else:
        figures.append(
            Figure(
                f"sweep of {total:,}: Cloud Custodian time / ours (speed-up)",
                None,
                "x",
                3,
                True,
                detail=problem,
            )
        )
    return figures


def _check_sweep(result: Any, total: int) -> None:
    summary = json.loads(result.stdout)["summary"]
    if summary != {"remediated": total}:
        raise RuntimeError(f"sweep summary {summary}, expected {total} remediated: {result.stderr[-1000:]}")


class _Endpoint:
    """boto3 clients for the moto server, with fake credentials."""

    def __init__(self, endpoint: str) -> None:
        self._endpoint = endpoint
        self._session = boto3.Session(
            aws_access_key_id="bench", aws_secret_access_key="bench", region_name=REGION
        )

    def client(self, service: str) -> Any:
        return self._session.client(service, endpoint_url=self._endpoint)  # type: ignore[call-overload]


def _session(endpoint: str) -> _Endpoint:
    return _Endpoint(endpoint)
