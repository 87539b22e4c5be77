"""A cold start imports only what every invocation uses: the journal (with the state store and the
undo record) waits for the first claim, notifications for the first thing to tell, Powertools for
nothing. Merging features has put these back at module level once; this says so if it happens again."""

from __future__ import annotations

import json
import subprocess
import sys

DEFERRED = ("engine.journal", "engine.state", "model.undo", "engine.notify", "aws_lambda_powertools")


def test_the_handler_imports_nothing_a_first_invocation_may_not_need() -> None:
    code = (
        "import json, sys, engine.handler; "
        f"print(json.dumps([m for m in {list(DEFERRED)!r} if m in sys.modules]))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(loaded.stdout) == []
