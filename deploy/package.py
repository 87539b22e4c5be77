"""Build one remediation function's Lambda package, measure it, and prove it imports like the tests do.

    python -m deploy.package build DIR --family s3   # what `sam build` runs (Makefile `build-<Function>`)
    python -m deploy.package check DIR...            # size limit, then import engine.handler from each DIR

Each function serves one remediation family (deploy/functions.py) and ships only that family's
code (deploy/contents.py). What goes in: the packages of the data flow, `FUNCTION_PACKAGES`, with their .py and .json
files (not `cli`, `tests`, `deploy`…: `check` fails if the handler needs anything else), except
that of `remediations/` only the family's modules and the helpers they import go in, and of
`model/compiled/` only the validators of the event schemas, the registry schema and the family's
parameter schemas, as bytecode alone (generated code: `sourceless`). Then the `[project].dependencies` of pyproject.toml that the platform does not
provide and the code needs at run time: boto3 comes with the python3.13 runtime, Powertools with
its AWS-managed layer (template.yaml), and fastjsonschema only writes the compiled validators, which
run without it (`BUILD_ONLY`), so today there is none. A dependency is copied from the running environment when that is a pure-Python
install of a matching version (the version the tests ran against), else downloaded for arm64 with pip.

`check` runs a fresh interpreter isolated from site-packages (`-I -S`) whose path holds only the
package and what Lambda adds (`RUNTIME_MODULES`, `LAYER_MODULES`), with the function's family in
its environment, then calls the handler with a sample event, so a missing file or undeclared
dependency fails here and not in AWS; it fails too when the handler imported another family's
remediation, or needed a validator the package lacks (there is no fastjsonschema to compile it). The family of a built directory is its function's (`.aws-sam/build/S3RemediationFunction`:
s3) unless `--family` says it.
"""

from __future__ import annotations

import argparse
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
from contextlib import contextmanager
from pathlib import Path

from deploy.contents import FUNCTION_PACKAGES, ROOT, function_files

#: Bytes of the unzipped package (our code and dependencies, without boto3 or Powertools).
SIZE_LIMIT = 1_000_000
#: Every top-level package of this repository (what the import check reports the handler loaded).
OUR_PACKAGES = frozenset({*FUNCTION_PACKAGES, "cli", "demo", "bench", "localaws", "tools", "tests", "deploy"})
PROVIDED = {"boto3": "the Lambda python3.13 runtime", "aws-lambda-powertools": "the Powertools layer"}
#: Dependencies our code needs to be built or tested, never at run time in Lambda.
#: `python -OO`'s level for the shipped bytecode: docstrings and asserts left out (`precompile`).
OPTIMIZE = 2
#: Folders of generated code, shipped as bytecode without their sources (`sourceless`).
SOURCELESS = (Path("model") / "compiled",)
BUILD_ONLY = {"fastjsonschema": "writes model/compiled/ (`make schemas`), whose code runs without it"}
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
    return [str(r) for r in requirements if _name(str(r)) not in {*PROVIDED, *BUILD_ONLY}]


def build(target: Path, family: str) -> None:
    """The package of the `family` function in `target` (sources, data and bytecode).

    Every rule of the registry is checked first, against the whole catalog: a function validates
    only its own family's rules at its cold start, so a broken entry of another family fails here.
    """
    from rules.registry import load_registry

    load_registry()
    target.mkdir(parents=True, exist_ok=True)
    for path in function_files(family):
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
    sources stay beside them for tracebacks (line numbers are the same). The bytecode is
    compiled as `python -OO` would (`OPTIMIZE`: no docstrings, which are most of our modules'
    text and never read at run time: no code of the package reads `__doc__`, and its asserts
    only narrow types) but under the plain name the runtime loads. The packager runs the
    runtime's Python (3.13).
    """
    for source in sorted(target.rglob("*.py")):
        py_compile.compile(
            str(source),
            cfile=importlib.util.cache_from_source(str(source), optimization=""),
            doraise=True,
            optimize=OPTIMIZE,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
    for directory in SOURCELESS:
        sourceless(target / directory)


def sourceless(directory: Path) -> None:
    """Generated code ships as bytecode alone (`v<digest>.pyc` where the source was, which Python
    imports without the source): nobody reads a generated validator's source in a traceback, and
    keeping both doubled the validators' share of the package's megabyte.
    """
    for source in directory.glob("*.py"):
        py_compile.compile(
            str(source),
            cfile=str(source.with_suffix(".pyc")),
            doraise=True,
            optimize=OPTIMIZE,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        source.unlink()
    shutil.rmtree(directory / "__pycache__", ignore_errors=True)


def size(directory: Path) -> tuple[int, int]:
    """(unzipped bytes, zipped bytes) of everything in `directory`."""
    files = sorted(path for path in directory.rglob("*") if path.is_file())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(directory))
    return sum(path.stat().st_size for path in files), len(buffer.getvalue())


@contextmanager
def provided_modules() -> Iterator[str]:
    """A folder holding what Lambda puts on the path besides the package: the runtime's boto3, the layer."""
    with tempfile.TemporaryDirectory() as provided:
        for module in (*RUNTIME_MODULES, *LAYER_MODULES):
            origin = _module_path(module)
            (Path(provided) / origin.name).symlink_to(origin)
        yield provided


def lambda_command(code: str, package: Path | None, provided: str) -> list[str]:
    """`python -c code` isolated from site-packages, its path the package (if any) and `provided`."""
    path = [str(package.resolve())] if package else []
    return [sys.executable, "-I", "-S", "-c", f"import sys; sys.path[:0] = {[*path, provided]!r}\n{code}"]


def import_check(directory: Path, environment: dict[str, str] | None = None) -> dict[str, object]:
    """Import `engine.handler` from `directory` as Lambda would and run it on a sample event.

    The report says which of our modules the handler imported (`modules`), and whether anything
    imported boto3 (`boto3`): the engine makes its clients with botocore alone (engine.clients).
    """
    with provided_modules() as provided:
        script = _IMPORT_CHECK.format(
            package=str(directory.resolve()),
            provided=provided,
            event=str(SMOKE_EVENT),
            packages=sorted(OUR_PACKAGES),
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
ours = sorted(m for m in sys.modules if m.split(".")[0] in {packages!r})
print(json.dumps({{"handler": engine.handler.__file__, "report": report, "modules": ours,
                  "boto3": "boto3" in sys.modules}}))
"""


def function_environment(family: str) -> dict[str, str]:
    """What the function's own environment says about its family (template.yaml sets the rest)."""
    from engine.settings import ENV_FAMILIES, ENV_REPORT_UNMATCHED

    return {ENV_FAMILIES: family, ENV_REPORT_UNMATCHED: "false"}


def family_of_function(function_id: str) -> str:
    """`s3` of `S3RemediationFunction`: the Makefile's `build-%RemediationFunction` does the same."""
    return function_id.removesuffix("RemediationFunction").lower()


def check(directory: Path, family: str) -> list[str]:
    """What is wrong with the `family` function built in `directory` (nothing: [])."""
    import remediations

    problems = []
    unzipped, zipped = size(directory)
    verdict = "ok" if unzipped <= SIZE_LIMIT else f"OVER the {SIZE_LIMIT:,}-byte limit"
    print(
        f"{directory} ({family}): {unzipped / 1024:.0f} KiB unzipped, {zipped / 1024:.0f} KiB zipped: {verdict}"
    )
    if unzipped > SIZE_LIMIT:
        problems.append(f"{directory}: {unzipped:,} bytes, over the {SIZE_LIMIT:,}-byte limit")
    report = import_check(directory, function_environment(family))
    print(f"{directory}: imports and runs engine.handler: {report['handler']}")
    others = {
        f"remediations.{m}" for f, modules in remediations.MODULES.items() if f != family for m in modules
    }
    imported = report["modules"]
    assert isinstance(imported, list)
    if report["boto3"]:
        problems.append(
            f"{directory}: the handler imported boto3 (engine.clients makes clients with botocore)"
        )
    if foreign := sorted(others & set(imported)):
        problems.append(
            f"{directory}: the {family} function imported other families' remediations: {foreign}"
        )
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build_command = commands.add_parser("build")
    build_command.add_argument("directory", type=Path)
    build_command.add_argument("--family", required=True, help="the function's remediation family (s3, ec2…)")
    check_command = commands.add_parser("check")
    check_command.add_argument("directories", type=Path, nargs="+")
    check_command.add_argument("--family", help="for every directory (default: from its function's name)")
    args = parser.parse_args(argv)
    import remediations

    known = f"known: {', '.join(sorted(remediations.FAMILIES))}"
    if args.command == "build":
        if args.family not in remediations.FAMILIES:
            parser.error(f"no remediation family {args.family!r}; {known}")
        build(args.directory, args.family)
        return 0
    problems = []
    for directory in args.directories:
        family = args.family or family_of_function(directory.resolve().name)
        if family not in remediations.FAMILIES:
            parser.error(
                f"{directory}: no family {family!r} (a <Family>RemediationFunction folder, or --family); {known}"
            )
        problems += check(directory, family)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


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
