"""`make demo` end to end: its main function, on the real template's routing, in one process."""

from __future__ import annotations

import os

import pytest

from demo.run import main


def test_demo_fixes_the_estate_then_finds_it_compliant(capsys: pytest.CaptureFixture[str]) -> None:
    before = dict(os.environ)
    code = main([])
    out = capsys.readouterr().out
    assert code == 0, out
    first, second = out.split("First pass:")[1].split("Second pass:")
    assert "remediated" in first and "failed" not in first and "no function matched" not in first
    rows = [line for line in second.splitlines() if line.startswith(("hub ", "member "))]
    assert rows and all("already-compliant" in row and row.rstrip().endswith("RESOLVED") for row in rows)
    assert ", 0 matched a rule." in out  # the engine's own updates do not trigger it again
    assert out.rstrip().splitlines()[-1].startswith("Done in")
    assert dict(os.environ) == before  # fake credentials and the endpoint are gone again


def test_demo_help(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "moto" in capsys.readouterr().out
