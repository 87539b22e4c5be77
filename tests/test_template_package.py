"""The Lambda package `sam build` makes (deploy/package.py) is small and imports like the tests do.

`make package-size` checks the artifacts SAM built; this builds the same package with the same
code into a temporary directory, so the suite proves it without SAM CLI.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy import package
from localaws.sam_routes import function_environment


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("lambda-package")
    package.build(target)
    return target


def test_package_holds_only_the_data_flow_and_bundled_dependencies(built: Path) -> None:
    top_level = {path.name for path in built.iterdir() if not path.name.endswith(".dist-info")}
    assert top_level == {*package.FUNCTION_PACKAGES, "fastjsonschema"}
    sources = list(built.rglob("*.py"))
    compiled = {path.name.split(".")[0] for path in built.rglob("__pycache__/*.cpython-313.pyc")}
    assert sources and {path.stem for path in sources} <= compiled, "every module ships its bytecode"
    assert (built / "rules" / "registry.json").is_file() and list(
        (built / "engine" / "schemas").glob("*.json")
    )
    assert not (built / "boto3").exists() and not (built / "aws_lambda_powertools").exists()


def test_package_is_under_one_megabyte(built: Path) -> None:
    unzipped, zipped = package.size(built)
    print(f"Lambda package: {unzipped / 1024:.0f} KiB unzipped, {zipped / 1024:.0f} KiB zipped")
    assert unzipped <= package.SIZE_LIMIT


def test_handler_imports_from_the_package_alone_with_the_deployed_environment(built: Path) -> None:
    environment = function_environment("S3RemediationFunction")
    report = package.import_check(built, environment)
    assert str(report["handler"]).startswith(str(built.resolve()))
    assert report["report"]["summary"] == {"skipped": 1}  # type: ignore[index]


def test_a_missing_dependency_fails_the_check(built: Path, tmp_path: Path) -> None:
    for path in built.iterdir():
        if path.name != "fastjsonschema":
            (tmp_path / path.name).symlink_to(path)
    with pytest.raises(ImportError, match="fastjsonschema"):
        package.import_check(tmp_path)
