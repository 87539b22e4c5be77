"""`localaws` stays beside the product: it finds the project's files, and the Lambda never imports it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from demo.run import main as demo
from deploy.contents import FUNCTION_PACKAGES
from localaws import events, project
from localaws.project import PROJECT_ROOT_VARIABLE, ProjectFileNotFoundError, project_path

CHECKOUT = Path(__file__).resolve().parents[1]


def test_the_checkout_holds_the_events_and_the_template() -> None:
    assert project_path("template.yaml") == CHECKOUT / "template.yaml"
    assert events.EVENTS_DIR == CHECKOUT / "events"


def test_an_explicit_root_beats_the_variable_which_beats_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    explicit, variable = tmp_path / "explicit", tmp_path / "variable"
    for root in (explicit, variable):
        (root / "events").mkdir(parents=True)
    monkeypatch.setenv(PROJECT_ROOT_VARIABLE, str(variable))
    assert project_path("events", explicit) == explicit / "events"
    assert project_path("events") == variable / "events"
    assert project_path("template.yaml") == CHECKOUT / "template.yaml"  # the variable's root lacks it


def test_a_missing_file_names_the_roots_tried_and_the_variable() -> None:
    with pytest.raises(ProjectFileNotFoundError, match=PROJECT_ROOT_VARIABLE) as error:
        project_path("no-such-file.yaml")
    assert str(CHECKOUT) in str(error.value)


def test_the_demo_without_a_template_says_where_it_looked_before_starting_moto(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(project, "_CHECKOUT", tmp_path)  # as if installed, run outside a checkout
    monkeypatch.chdir(tmp_path)
    assert demo([]) == 2
    out, err = capsys.readouterr()
    assert "moto on" not in out
    assert f"template.yaml is not in {tmp_path}" in err and PROJECT_ROOT_VARIABLE in err


def imports_of(package: str) -> set[str]:
    imported: set[str] = set()
    for source in (CHECKOUT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                imported.add(node.module)
    return {name.split(".")[0] for name in imported}


@pytest.mark.parametrize("package", FUNCTION_PACKAGES)
def test_the_lambda_packages_never_import_the_side_that_uses_them(package: str) -> None:
    """The data flow is one way: the Lambda's packages import none of the CLI, demo, bench or tests."""
    assert not imports_of(package) & {"localaws", "tests", "cli", "demo", "bench", "tools", "deploy"}


@pytest.mark.parametrize("package", ["localaws", "cli", "demo", "bench", "tools", "deploy"])
def test_nothing_outside_the_tests_imports_them(package: str) -> None:
    assert "tests" not in imports_of(package)
