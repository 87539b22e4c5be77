"""The CLI's own error: a message for one line on stderr and the exit code to leave with."""

from __future__ import annotations

from model.errors import RemediationError

EXIT_OK = 0
EXIT_FINDINGS_FAILED = 1  # the command ran; some finding failed or could not be recorded
EXIT_USAGE = 2  # bad arguments or input (argparse uses 2 as well)
EXIT_AWS = 3  # AWS could not be reached or refused the command's own calls
EXIT_REGISTRY = 4  # the rule registry or a remediation declaration is broken: fix the installation


class CommandError(RemediationError):
    """A command cannot go on; `exit_code` is what the process exits with."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code
