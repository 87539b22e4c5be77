"""The demo's last step: `remediator history`, the audit trail of what the stack's functions changed.

Runs the command itself (`cli.main`), as an operator would against the stack's state table:
every change with its account, Region, control, rule, delivery and before → after.
"""

from __future__ import annotations

import os

from cli.main import main as remediator
from demo.local_aws import REGION
from demo.stack import LocalStack
from engine.settings import ENV_STATE_TABLE

ARGS = ("history", "--since", "1h", "--region", REGION)


def show_history(stack: LocalStack) -> int:
    """Print the history of the stack's state table (the functions share one); the command's exit code."""
    tables = sorted({engine.settings.state_table for engine in stack.engines.values()} - {""})
    code = 0
    for table in tables:
        print(f"\nWhat the engine changed, from its records (STATE_TABLE_NAME={table}):")
        print(f"$ remediator {' '.join(ARGS)}")
        saved = os.environ.get(ENV_STATE_TABLE)
        os.environ[ENV_STATE_TABLE] = table
        try:
            code = code or remediator(list(ARGS))
        finally:
            if saved is None:
                os.environ.pop(ENV_STATE_TABLE)
            else:
                os.environ[ENV_STATE_TABLE] = saved
    return code
