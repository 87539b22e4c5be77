"""`remediator sweep` against Cloud Custodian fixing the same 1,000 resources on one moto server.

The estate: 600 buckets without default encryption (S3.4 findings, SSE-S3 wanted) and 400
security groups with SSH open to 0.0.0.0/0 (EC2.13 findings), all failed, active and NEW in
Security Hub. Ours: `remediator sweep` lists the findings, fixes each resource and resolves
each finding. Custodian: `custodian run` in pull mode with two policies, each with the
cheapest documented way to the same fix, and it does not touch Security Hub:
- s3: `query: [{augment-keys: none}]` (the default, `all`, makes ten GETs per bucket; with
  `none` Custodian still fetches each bucket's Location and Tags), then the `bucket-encryption`
  filter (one GetBucketEncryption per bucket) and `set-bucket-encryption` AES256;
- security-group: the `ingress` filter (port 22 from 0.0.0.0/0) works on DescribeSecurityGroups'
  own answer, then `remove-permissions: matched`, one revoke per group.
Both get the same parallelism: our `--workers N`, and Custodian with every thread pool it opens
sized to N (`bench/scripts/custodian_run.py`; Custodian hard-codes 2 to 10 per stage). Both are
fresh processes pointed at the server with AWS_ENDPOINT_URL; the estate is rebuilt before each
run, each run is checked to have fixed every resource, and the server counts the requests each
side makes (`localaws.request_count`).
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import boto3

from bench.figures import BENCH_PYTHON, PYTHON, ROOT, Figure, base_env, median, run_seconds
from demo import asff
from localaws.request_count import count_requests
from localaws.server import start_server

ACCOUNT, REGION = "123456789012", "us-east-1"
#: Threads each side may use: our `sweep --workers`, Custodian's every pool (see the docstring).
WORKERS = 4
CUSTODIAN_RUN = ROOT / "bench" / "scripts" / "custodian_run.py"
POLICIES = """
policies:
  - name: s3-default-encryption
    resource: aws.s3
    query:
      - augment-keys: none
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


def sweep_vs_custodian(
    runs: int, buckets: int = 600, groups: int = 400, workers: int = WORKERS
) -> list[Figure]:
    total = buckets + groups
    server, endpoint = start_server()
    counter = count_requests(server)
    ours: list[float] = []
    theirs: list[float] = []
    our_requests: Counter[str] = Counter()
    their_requests: Counter[str] = Counter()
    problem = ""
    try:
        env = base_env(AWS_ENDPOINT_URL=endpoint, HOME_ACCOUNT_ID=ACCOUNT)
        with tempfile.TemporaryDirectory() as scratch:
            policy = Path(scratch) / "policy.yml"
            policy.write_text(POLICIES, encoding="utf-8")
            sweep = [str(PYTHON), "-m", "cli", "sweep", "--json", "--region", REGION]
            sweep += ["--endpoint-url", endpoint, "--workers", str(workers)]
            custodian = [str(BENCH_PYTHON), str(CUSTODIAN_RUN), str(workers), "run"]
            custodian += ["-s", str(Path(scratch) / "out"), "--region", REGION, "--cache-period", "0"]
            for _ in range(runs):
                seed(endpoint, buckets, groups)
                counter.reset()
                ours.append(run_seconds(sweep, env, check=lambda result: _check_sweep(result, total)))
                our_requests = counter.counts()
                assert still_open(endpoint) == 0, "the sweep left resources unfixed"
                if not BENCH_PYTHON.exists():
                    problem = f"{BENCH_PYTHON} is missing (`make bench` installs c7n into .venv-bench)"
                    continue
                seed(endpoint, buckets, groups)
                counter.reset()
                theirs.append(run_seconds([*custodian, str(policy)], env))
                their_requests = counter.counts()
                left = still_open(endpoint)
                if left:
                    problem = f"Cloud Custodian left {left} of {total} resources unfixed against moto"
    finally:
        server.stop()
    mine = median(ours)
    figures = [
        Figure(
            f"sweep of {total:,} failed findings: seconds",
            mine,
            "s",
            detail=f"{total / mine:.0f} findings/s, remediated and resolved in Security Hub; --workers {workers}; "
            f"median of {runs}",
            runs=ours,
        ),
        _requests(f"sweep of {total:,}: requests, ours", our_requests),
    ]
    name = f"sweep of {total:,}: Cloud Custodian (augment-keys none) time / ours (speed-up)"
    if theirs and not problem:
        slow = median(theirs)
        figures.append(_requests(f"sweep of {total:,}: requests, Cloud Custodian", their_requests))
        figures.append(
            Figure(
                name,
                median([their / our for their, our in zip(theirs, ours, strict=True)]),
                "x",
                3,
                at_least=True,
                detail=f"custodian run {slow:.1f} s, {sum(their_requests.values()):,} requests vs "
                f"remediator sweep {mine:.1f} s, {sum(our_requests.values()):,} requests; same fixes, same "
                f"moto server, {workers} threads each (Custodian does not update Security Hub); the median of "
                f"{runs} ratios, each of two runs back to back",
                runs=theirs,
            )
        )
    else:
        figures.append(Figure(name, None, "x", 3, True, detail=problem))
    return figures


def _requests(name: str, requests: Counter[str]) -> Figure:
    """Requests the moto server answered for one side's last run (the same every run)."""
    return Figure(
        name,
        float(sum(requests.values())),
        "requests",
        detail=_top(requests),
        extra={"requests": dict(requests)},
    )


def _top(requests: Counter[str], count: int = 5) -> str:
    return ", ".join(f"{operation} {n:,}" for operation, n in requests.most_common(count))


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


def main() -> None:
    """One comparison with the requests per operation: `python -m bench.sweep_vs_custodian`."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--buckets", type=int, default=600)
    parser.add_argument("--groups", type=int, default=400)
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's access log: one line per request
    for figure in sweep_vs_custodian(args.runs, args.buckets, args.groups, args.workers):
        print(f"{figure.name}: {figure.shown()} {figure.runs}\n  {figure.detail}")
        for operation, n in sorted(figure.extra.get("requests", {}).items()):
            print(f"    {n:6,}  {operation}")


if __name__ == "__main__":
    main()
