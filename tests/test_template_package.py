"""Each function's Lambda package `sam build` makes (deploy/package.py) is small and imports like the tests do.

`make package-size` checks the artifacts SAM built; this builds the same packages with the same
code into temporary directories, so the suite proves it without SAM CLI. The families come from
the registry, as the template's functions do.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import remediations
from deploy import contents, functions, package
from localaws.sam_routes import function_environment
from rules.registry import load_registry

FAMILIES = functions.families(load_registry().rules)


@pytest.fixture(scope="module", params=FAMILIES, ids=lambda family: family.name)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    family: functions.Family = request.param
    target = tmp_path_factory.mktemp(family.function_id)
    package.build(target, family.name)
    return family.function_id, target


def test_package_holds_only_the_data_flow_and_bundled_dependencies(built: tuple[str, Path]) -> None:
    _, target = built
    top_level = {path.name for path in target.iterdir() if not path.name.endswith(".dist-info")}
    assert top_level == set(contents.FUNCTION_PACKAGES), "fastjsonschema only writes the validators"
    sources = list(target.rglob("*.py"))
    compiled = {path.name.split(".")[0] for path in target.rglob("__pycache__/*.cpython-313.pyc")}
    assert sources and {path.stem for path in sources} <= compiled, "every module ships its bytecode"
    assert (target / "rules" / "registry.json").is_file() and list(
        (target / "engine" / "schemas").glob("*.json")
    )
    assert not (target / "boto3").exists() and not (target / "aws_lambda_powertools").exists()


def test_package_holds_its_family_alone(built: tuple[str, Path]) -> None:
    function_id, target = built
    family = package.family_of_function(function_id)
    shipped = {path.stem for path in (target / "remediations").glob("*.py")}
    listed = {module for modules in remediations.MODULES.values() for module in modules}
    assert shipped & listed == set(remediations.MODULES[family])
    validators = {path.stem for path in (target / "model" / "compiled").glob("v*.pyc")}
    assert validators == {f"v{digest}" for digest in contents.family_schema_digests(family)}
    assert not list((target / "model" / "compiled").glob("*.py")), "generated code ships as bytecode alone"


def test_package_is_under_one_megabyte(built: tuple[str, Path]) -> None:
    function_id, target = built
    unzipped, zipped = package.size(target)
    print(f"{function_id}: {unzipped / 1024:.0f} KiB unzipped, {zipped / 1024:.0f} KiB zipped")
    assert unzipped <= package.SIZE_LIMIT


def test_handler_imports_its_family_alone_from_the_package_with_the_deployed_environment(
    built: tuple[str, Path],
) -> None:
    """No other family's remediation, nothing of the CLI, demo, bench or tests, no boto3 (its clients come
    from botocore); no schema compiled on the spot."""
    function_id, target = built
    family = package.family_of_function(function_id)
    report = package.import_check(target, function_environment(function_id))
    assert str(report["handler"]).startswith(str(target.resolve()))
    assert report["report"]["summary"] == {"skipped": 1}  # type: ignore[index]
    assert report["boto3"] is False
    modules = set(report["modules"])  # type: ignore[call-overload]
    assert {module.split(".")[0] for module in modules} <= set(contents.FUNCTION_PACKAGES)
    others = {f"remediations.{m}" for f, ms in remediations.MODULES.items() if f != family for m in ms}
    assert {f"remediations.{m}" for m in remediations.MODULES[family]} <= modules and not modules & others


def test_the_makefile_finds_each_function_s_family_in_its_logical_id() -> None:
    """`build-%RemediationFunction` lower-cases `%`: that must give back the family's name."""
    for family in FAMILIES:
        assert package.family_of_function(family.function_id) == family.name


def test_check_fails_a_function_that_imports_another_family_s_remediation(tmp_path: Path) -> None:
    """A module reaching into another family's code would ship and load it: `make package-size` says so."""
    built = tmp_path / "S3RemediationFunction"
    package.build(built, "s3")
    ec2 = tmp_path / "ec2"
    package.build(ec2, "ec2")
    for path in (ec2 / "remediations").glob("*.py"):
        shutil.copy(path, built / "remediations" / path.name)
    module = built / "remediations" / "s3_require_ssl.py"
    module.write_text(module.read_text(encoding="utf-8") + "\nimport remediations.ec2_public_ingress\n")
    for bytecode in (built / "remediations" / "__pycache__").glob("s3_require_ssl.*"):
        bytecode.unlink()
    assert package.main(["check", str(built)]) == 1
    (problem,) = package.check(built, "s3")
    assert "remediations.ec2_public_ingress" in problem


def test_a_missing_module_fails_the_check(tmp_path: Path) -> None:
    """The check sees nothing but the package and what Lambda adds: not this checkout, not the venv."""
    target = tmp_path / "function"
    package.build(target, FAMILIES[0].name)
    shutil.rmtree(target / "rules")
    with pytest.raises(ImportError, match="No module named 'rules'"):
        package.import_check(target, package.function_environment(FAMILIES[0].name))


def test_a_missing_validator_fails_the_check(tmp_path: Path) -> None:
    """A validator left out would be compiled at every cold start: the check refuses that."""
    target = tmp_path / "function"
    family = FAMILIES[0].name
    package.build(target, family)
    for path in (target / "model" / "compiled").rglob("v*"):
        path.unlink()
    with pytest.raises(ImportError, match="validator is missing"):
        package.import_check(target, package.function_environment(family))
