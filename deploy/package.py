"""Build the remediation functions' Lambda package, measure it, and prove it imports like the tests do.

    python -m deploy.package build DIR        # what `sam build` runs (Makefile `build-<Function>`)
    python -m deploy.package check DIR...     # size limit, then import engine.handler from each DIR

What goes in: the packages of the data flow, `FUNCTION_PACKAGES`, with their .py and .json files
(not `cli`, `tests`, `deploy`…: `check` fails if the handler needs anything else), and the
`[project].dependencies` of pyproject.toml that the platform does not provide: boto3 comes with
the python3.13 runtime, Powertools with its AWS-managed layer (template.yaml). A dependency is copied from
the running environment when that is a pure-Python install of a matching version (the version the
tests ran against), else downloaded for arm64 with pip.

`check` runs a fresh interpreter isolated from site-packages (`-I -S`) whose path holds only the
package and what Lambda adds (`RUNTIME_MODULES`, `LAYER_MODULES`), then calls the handler with a
sample event, so a missing file or undeclared dependency fails here and not in AWS.
"""

from __future__ import annotations

import argparse
import compileall
import importlib.metadata
import importlib.util
import io
import json
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: Bytes of the unzipped package (our code and dependencies, without boto3 or Powertools).
SIZE_LIMIT = 1_000_000
FUNCTION_PACKAGES = ("model", "engine", "rules", "remediations")
PROVIDED = {"boto3": "the Lambda python3.13 runtime", "aws-lambda-powertools": "the Powertools layer"}
#: Top-level modules the python3.13 runtime ships with boto3, and the ones our code uses from the layer.
RUNTIME_MODULES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six")
LAYER_MODULES = ("aws_lambda_powertools", "typing_extensions", "aws_xray_sdk", "wrapt")
#: A passed finding: parsed, matched and skipped, with no AWS call to make.
SMOKE_EVENT = ROOT / "events" / "securityhub-imported-v2-s3.17-passed.json"
PIP_INSTALL = (sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile")
ARM64_PIP_FLAGS = (
    "--platform=manylinux2014_aarch64",
    "--implementation=cp",
    "--python-version=3.13",
    "--only-binary=:all:",
)


def project() -> dict[str, object]:
    document = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return dict(document)


def bundled_dependencies() -> list[str]:
    """Requirement strings from pyproject that the package must carry itself."""
    requirements = project()["project"]["dependencies"]  # type: ignore[index]
    return [str(r) for r in requirements if _name(str(r)) not in PROVIDED]


def build(target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for package in FUNCTION_PACKAGES:
        for path in _package_files(ROOT / package):
            destination = target / path.relative_to(ROOT)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, destination)
    for requirement in bundled_dependencies():
        if not _copy_installed(requirement, target):
            subprocess.run(
                [*PIP_INSTALL, *ARM64_PIP_FLAGS, "--target", str(target), requirement],
                check=True,
            )
    precompile(target)


def precompile(target: Path) -> None:
    """Ship bytecode: Lambda's file system is read-only, so without it every cold start compiles.

    `unchecked-hash` pycs are used as they are, whatever the zip does to file times; the
    sources stay beside them for tracebacks. The packager runs the runtime's Python (3.13).
    """
    if not compileall.compile_dir(
        str(target), quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    ):
        raise RuntimeError(f"compiling the package in {target} failed")


def size(directory: Path) -> tuple[int, int]:
    """(unzipped bytes, zipped bytes) of everything in `directory`."""
    files = sorted(path for path in directory.rglob("*") if path.is_file())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(directory))
    return sum(path.stat().st_size for path in files), len(buffer.getvalue())


def import_check(directory: Path, environment: dict[str, str] | None = None) -> dict[str, object]:
    """Import `engine.handler` from `directory` as Lambda would and run it on a sample event."""
    with tempfile.TemporaryDirectory() as provided:
        for module in (*RUNTIME_MODULES, *LAYER_MODULES):
            origin = _module_path(module)
            (Path(provided) / origin.name).symlink_to(origin)
        script = _IMPORT_CHECK.format(
            package=str(directory.resolve()), provided=provided, event=str(SMOKE_EVENT)
        )
        env = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
        env.update(environment or {})
        result = subprocess.run(
            [sys.executable, "-I", "-S", "-c", script], capture_output=True, text=True, env=env, cwd=provided
        )
    if result.returncode != 0:
        raise ImportError(f"{directory}: the handler does not import or run:\n{result.stderr}")
    report: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return report


_IMPORT_CHECK = """
import json, sys
sys.path[:0] = [{package!r}, {provided!r}]
import engine.handler
assert engine.handler.__file__.startswith({package!r}), engine.handler.__file__
class Context:
    function_name = "check"; memory_limit_in_mb = 256; aws_request_id = "check"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:check"
with open({event!r}) as f:
    report = engine.handler.lambda_handler(json.load(f), Context())
print(json.dumps({{"handler": engine.handler.__file__, "report": report}}))
"""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("build").add_argument("directory", type=Path)
    commands.add_parser("check").add_argument("directories", type=Path, nargs="+")
    args = parser.parse_args(argv)
    if args.command == "build":
        build(args.directory)
        return 0
    failed = False
    for directory in args.directories:
        unzipped, zipped = size(directory)
        verdict = "ok" if unzipped <= SIZE_LIMIT else f"OVER the {SIZE_LIMIT:,}-byte limit"
        print(f"{directory}: {unzipped / 1024:.0f} KiB unzipped, {zipped / 1024:.0f} KiB zipped: {verdict}")
        failed |= unzipped > SIZE_LIMIT
        print(f"{directory}: imports and runs engine.handler: {import_check(directory)['handler']}")
    return 1 if failed else 0


def _package_files(package: Path) -> Iterator[Path]:
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json") and "__pycache__" not in path.parts:
            yield path


def _name(requirement: str) -> str:
    match = re.match(r"[A-Za-z0-9._-]+", requirement)
    return re.sub(r"[-_.]+", "-", match.group(0)).lower() if match else requirement


def _copy_installed(requirement: str, target: Path) -> bool:
    """Copy a pure-Python install of `requirement` from this environment; False when there is none."""
    try:
        from packaging.requirements import Requirement

        distribution = importlib.metadata.distribution(_name(requirement))
    except (ImportError, importlib.metadata.PackageNotFoundError):
        return False
    wheel = distribution.read_text("WHEEL") or ""
    if "Root-Is-Purelib: true" not in wheel or distribution.version not in Requirement(requirement).specifier:
        return False
    for file in distribution.files or ():
        parts = Path(file).parts
        if (
            parts[0] == ".."
            or parts[0].endswith(".dist-info")
            or "__pycache__" in parts
            or file.suffix == ".pyc"
        ):
            continue
        destination = target / Path(file)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(str(distribution.locate_file(file))), destination)
    return True


def _module_path(module: str) -> Path:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ImportError(f"{module} is not installed here: run `make venv`")
    origin = Path(spec.origin)
    return origin.parent if origin.name == "__init__.py" else origin


if __name__ == "__main__":
    raise SystemExit(main())
