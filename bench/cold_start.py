"""Cold start, each sample a fresh process: (a) ready to handle, (b) one finding end to end.

(a) `engine.handler` imported and `get_engine()` done (registry loaded, clients wired) with the
S3 function's environment from template.yaml, from the S3 function's own package as `sam build`
makes it (deploy/package.py: its family's code only, bytecode, no editable install), against
`import boto3` on the same path (the runtime's boto3 and the layer's Powertools, no site-packages),
and against Cloud Custodian's equivalent (`c7n.handler` plus the s3, security-group and account
resources).
(b) One S3.17 finding handled by `lambda_handler` against a moto server (GetBucketEncryption,
PutBucketEncryption, BatchUpdateFindings), against the physical floor of that fix measured in the
same run (`bench/scripts/floor_once.py`: `import boto3`, a session, the two clients the fix uses,
the same three calls, nothing else), and against that floor made with botocore alone, as the
engine makes its clients (the part of the gain that is not importing boto3 is then set aside). Samples of the compared commands are interleaved so drift
hits both alike.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import boto3

from bench.figures import BENCH_PYTHON, ROOT, Figure, base_env, median, run_seconds
from deploy import package
from localaws import sam_routes
from localaws.events import load_event
from localaws.server import start_server

ENGINE_READY = "from engine.handler import get_engine; get_engine()"
FUNCTION = "S3RemediationFunction"  # the function measured since the first run
BARE_BOTO3 = "import boto3"
CUSTODIAN_READY = (
    "import c7n.handler; from c7n.resources import load_resources; "
    "load_resources(('aws.s3', 'aws.security-group', 'aws.account'))"
)
TIMES = "x"  # ratio unit
S3_EVENT = "securityhub-imported-s3.17-consolidated.json"
SAMPLE_BUCKET = "example-unencrypted-bucket"


def function_environment(function: str = "S3RemediationFunction") -> dict[str, str]:
    """The function's environment as template.yaml gives it (empty when the template is absent)."""
    try:
        return sam_routes.function_environment(function)
    except (KeyError, OSError):
        return {}


def ready(runs: int) -> list[Figure]:
    with tempfile.TemporaryDirectory() as scratch, package.provided_modules() as provided:
        built = Path(scratch) / FUNCTION
        package.build(built, package.family_of_function(FUNCTION))
        commands: dict[str, list[str]] = {
            "engine": package.lambda_command(ENGINE_READY, built, provided),
            "boto3": package.lambda_command(BARE_BOTO3, None, provided),
        }
        return _ready(commands, runs)


def _ready(commands: dict[str, list[str]], runs: int) -> list[Figure]:
    env = base_env(**function_environment())
    lean_env = {name: value for name, value in env.items() if name != "STATE_TABLE_NAME"}
    if BENCH_PYTHON.exists():
        commands["custodian"] = [str(BENCH_PYTHON), "-c", CUSTODIAN_READY]
    cpu: dict[str, list[float]] = {}
    samples = _interleaved(commands, env, runs, cpu=cpu)
    lean = median(_interleaved({"lean": commands["engine"]}, lean_env, runs)["lean"])
    engine, boto = median(samples["engine"]), median(samples["boto3"])
    engine_cpu, boto_cpu = median(cpu["engine"]), median(cpu["boto3"])
    figures = [
        Figure(
            "cold start (a): handler ready / bare `import boto3`",
            engine / boto,
            TIMES,
            1.10,
            detail=f"{engine * 1000:.0f} ms vs {boto * 1000:.0f} ms, median of {runs} fresh processes, "
            f"from the {FUNCTION} package (its family's code only, bytecode); CPU time, which other "
            f"load on the machine disturbs less: {engine_cpu * 1000:.0f} vs {boto_cpu * 1000:.0f} ms, "
            f"{engine_cpu / boto_cpu:.2f}x",
            runs=samples["engine"],
            extra={
                "engine_ms": engine * 1000,
                "boto3_ms": boto * 1000,
                "engine_cpu_ms": engine_cpu * 1000,
                "boto3_cpu_ms": boto_cpu * 1000,
            },
        )
    ]
    figures.append(
        Figure(
            "cold start (a'): same without a state table / bare `import boto3`",
            lean / boto,
            TIMES,
            detail=f"{lean * 1000:.0f} ms, measured apart from (a): the two differ only by the state table, "
            "whose client is made at the first claim, so their gap shows this machine's noise",
        )
    )
    if "custodian" in samples:
        custodian = median(samples["custodian"])
        figures.append(
            Figure(
                "cold start (a): handler ready / Cloud Custodian ready",
                engine / custodian,
                TIMES,
                0.4,
                detail=f"{engine * 1000:.0f} ms vs {custodian * 1000:.0f} ms (c7n.handler + load_resources s3, "
                f"security-group, account); Custodian is {custodian / boto:.1f}x bare boto3",
                runs=samples["custodian"],
                extra={"custodian_ms": custodian * 1000},
            )
        )
    else:
        figures.append(
            Figure(
                "cold start (a): handler ready / Cloud Custodian ready",
                None,
                TIMES,
                0.4,
                detail=f"not measured: {BENCH_PYTHON} is missing (`make bench` installs c7n there)",
            )
        )
    if any(figure.met is False for figure in figures):
        figures[0].extra["importtime_top"] = import_profile(commands, env)
    return figures


def import_profile(
    commands: Mapping[str, list[str]], env: Mapping[str, str], top: int = 12
) -> dict[str, Any]:
    """Where the handler's cold start goes beyond `import boto3`.

    `python -X importtime` for both commands; modules the handler imports that bare boto3 does
    not are summed (self time) by top-level package, and the work `get_engine()` does after the
    imports is timed separately.
    """
    engine = _importtime(commands["engine"], env)
    boto = _importtime(commands["boto3"], env)
    extra: dict[str, float] = {}
    for module, self_ms in engine.items():
        if module not in boto:
            package = module.split(".")[0]
            extra[package] = extra.get(package, 0.0) + self_ms
    script = (
        "import time; t0 = time.perf_counter(); import engine.handler as h; t1 = time.perf_counter(); "
        "h.get_engine(); t2 = time.perf_counter(); print(f'{(t1 - t0) * 1000:.1f} {(t2 - t1) * 1000:.1f}')"
    )
    with_script = [*commands["engine"][:-1], commands["engine"][-1].replace(ENGINE_READY, script)]
    result = subprocess.run(with_script, env=dict(env), cwd=ROOT, capture_output=True, text=True, check=True)
    imports_ms, build_ms = (float(part) for part in result.stdout.split())
    return {
        "beyond_boto3_ms": dict(sorted(extra.items(), key=lambda item: -item[1])[:top]),
        "boto3_ms": sum(boto.values()),
        "handler_imports_ms": imports_ms,
        "get_engine_ms": build_ms,
    }


def _importtime(command: list[str], env: Mapping[str, str]) -> dict[str, float]:
    """module -> self milliseconds, from `python -X importtime …` of `command`."""
    result = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]],
        env=dict(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    times: dict[str, float] = {}
    for line in result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|\s*(\S+)", line)
        if match:
            times[match[3]] = times.get(match[3], 0.0) + int(match[1]) / 1000
    return times


def end_to_end(runs: int) -> list[Figure]:
    """(b): one S3 finding through `lambda_handler` vs its physical floor, on one moto server.

    Both run as (a) does, the way Lambda runs them: the handler from the S3 function's own package
    with its family's environment, the floor beside it, each on a path of the package (if any), the
    runtime's boto3 and the layer, and nothing else.
    """
    server, endpoint = start_server()
    try:
        env = base_env(
            AWS_ENDPOINT_URL=endpoint,
            HOME_ACCOUNT_ID="123456789012",
            POWERTOOLS_LOG_LEVEL="ERROR",
            **package.function_environment(package.family_of_function(FUNCTION)),
        )
        _client("securityhub", endpoint).enable_security_hub()
        with (
            tempfile.TemporaryDirectory() as scratch,
            package.provided_modules() as provided,
        ):
            counter = iter(range(1_000_000))

            def fresh_finding() -> list[str]:
                return [str(_seed_finding(endpoint, Path(scratch), next(counter)))]

            built = Path(scratch) / FUNCTION
            package.build(built, package.family_of_function(FUNCTION))
            floor_command = package.lambda_command(_run_script("floor_once.py"), None, provided)
            commands = {
                "engine": package.lambda_command(_run_script("handle_once.py"), built, provided),
                "floor": floor_command,
                "botocore floor": [*floor_command, "--botocore"],
            }
            samples = _interleaved(commands, env, runs, setup=fresh_finding)
            deployed_env = {**env, **function_environment(), "AWS_ENDPOINT_URL": endpoint}
            deployed: list[float] = []
            if "STATE_TABLE_NAME" in deployed_env:
                _provision(endpoint, deployed_env)
                deployed = [
                    run_seconds(commands["engine"], deployed_env, setup=fresh_finding) for _ in range(runs)
                ]
    finally:
        server.stop()
    engine, floor, core = (median(samples[name]) for name in ("engine", "floor", "botocore floor"))
    figures = [
        Figure(
            "cold start (b): one S3 fix end to end / its physical floor",
            engine / floor,
            TIMES,
            1.05,
            detail=f"{engine * 1000:.0f} ms vs {floor * 1000:.0f} ms against a moto server, median of {runs}; "
            "3 AWS calls each (no state table, no exclusion tag); the floor is `import boto3`, a "
            "session, the s3 and securityhub clients and the calls, nothing else",
            runs=samples["engine"],
            extra={"engine_ms": engine * 1000, "floor_ms": floor * 1000, "botocore_floor_ms": core * 1000},
        ),
        Figure(
            "cold start (b''): same / the floor made with botocore alone",
            engine / core,
            TIMES,
            detail=f"{core * 1000:.0f} ms: the floor of (b) without `import boto3`, its session and clients "
            "made by botocore as the engine makes them (engine/clients.py); what is left of (b)'s "
            "gap once not importing boto3 is set aside",
            runs=samples["botocore floor"],
        ),
    ]
    if deployed:
        figures.append(
            Figure(
                "cold start (b'): same, with the template's environment / the floor of (b)",
                median(deployed) / floor,
                TIMES,
                detail=f"{median(deployed) * 1000:.0f} ms: the state table's claim, release and undo "
                "record (a DynamoDB client) and the exclusion-tag read (GetBucketTagging, with the s3 "
                "client) add their calls",
                runs=deployed,
            )
        )
    return figures


def _run_script(name: str) -> str:
    """Code running bench/scripts/<name> as `python -c` does, its arguments appended to the command."""
    return f"import runpy; runpy.run_path({str(ROOT / 'bench' / 'scripts' / name)!r}, run_name='__main__')"


def _interleaved(
    commands: Mapping[str, list[str]],
    env: Mapping[str, str],
    runs: int,
    setup: Callable[[], list[str]] | None = None,
    cpu: dict[str, list[float]] | None = None,
) -> dict[str, list[float]]:
    """Wall-clock seconds per command; `cpu` (if given) receives each process's CPU seconds too."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for command in commands.values():  # warm the file cache and .pyc files once, untimed
        run_seconds(command, env, setup=setup)
    for _ in range(runs):
        for name, command in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            samples[name].append(run_seconds(command, env, setup=setup))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if cpu is not None:
                spent = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
                cpu.setdefault(name, []).append(spent)
    return samples


def _client(service: str, endpoint: str) -> Any:
    """A client for the moto server with fake credentials."""
    session = boto3.Session(aws_access_key_id="bench", aws_secret_access_key="bench", region_name="us-east-1")
    return session.client(service, endpoint_url=endpoint)  # type: ignore[call-overload]


def _seed_finding(endpoint: str, scratch: Path, number: int) -> Path:
    """A new unencrypted bucket and its S3.17 finding in Security Hub; returns the event file."""
    bucket = f"bench-cold-start-{number:06d}"
    _client("s3", endpoint).create_bucket(Bucket=bucket)
    event = load_event(S3_EVENT, {SAMPLE_BUCKET: bucket, "00000001-0000-4000": f"{number:08x}-0000-4000"})
    _client("securityhub", endpoint).batch_import_findings(Findings=event["detail"]["findings"])
    path = scratch / f"event-{number}.json"
    path.write_text(json.dumps(event), encoding="utf-8")
    return path


def _provision(endpoint: str, env: Mapping[str, str]) -> None:
    """The state table and topic the template's environment names, in moto."""
    _client("dynamodb", endpoint).create_table(
        TableName=env["STATE_TABLE_NAME"],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    if env.get("NOTIFICATION_TOPIC_ARN"):
        _client("sns", endpoint).create_topic(Name=env["NOTIFICATION_TOPIC_ARN"].rsplit(":", 1)[-1])
