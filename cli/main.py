"""The `remediator` command: argument parsing, one-line errors, exit codes.

Exit codes: 0 everything fine; 1 a finding failed or its outcome could not be recorded;
2 bad arguments or input; 3 AWS could not be reached or refused the command's own calls;
4 the rule registry or a remediation declaration is broken (no flag fixes it: the installation does).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError, ProfileNotFound

from cli import exceptions_args
from cli.errors import EXIT_AWS, EXIT_REGISTRY, EXIT_USAGE, CommandError
from model.errors import InvalidEventError, RegistryError, RemediationError

PROG = "remediator"
EPILOG = (
    "Settings come from the same environment variables as the deployed function "
    "(MEMBER_ROLE_NAME, HOME_ACCOUNT_ID, STATE_TABLE_NAME, EXCLUSION_TAG, ...). "
    "Exit codes: 0 fine, 1 a finding failed, 2 bad arguments or input, 3 AWS error, "
    "4 broken rule registry."
)


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--verbose", "-v", action="store_true", help="one line per finding; tracebacks on errors"
    )
    aws = argparse.ArgumentParser(add_help=False)
    aws.add_argument("--profile", help="AWS profile (default: the environment's credentials)")
    aws.add_argument("--region", help="the Security Hub region (default: AWS_REGION / the profile's)")
    aws.add_argument(
        "--endpoint-url", help="send every AWS call here, e.g. a moto server's http://127.0.0.1:5000"
    )

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Remediate AWS Security Hub findings with the engine the Lambda functions run.",
        epilog=EPILOG,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    invoke = commands.add_parser(
        "invoke",
        parents=[common, aws],
        help="run the handler on one EventBridge event file",
        description="Run the handler locally on one event (e.g. events/*.json); prints the JSON report.",
        epilog=EPILOG,
    )
    invoke.add_argument("event_file", type=Path, metavar="EVENT_FILE", help="an EventBridge event, JSON")
    invoke.add_argument("--dry-run", action="store_true", help="plan and report, change no resource")
    invoke.add_argument(
        "--approve",
        action="store_true",
        help="apply manual rules too, as the custom action does (an automatic event only plans them)",
    )
    invoke.set_defaults(run=_lazy("cli.invoke"))

    sweep = commands.add_parser(
        "sweep",
        parents=[common, aws],
        help="remediate every active failed finding that has a rule",
        description=(
            "Find active, failed findings in workflow NEW or NOTIFIED with GetFindings (with --ocsf: "
            "OCSF findings in status New or In Progress with GetFindingsV2) and remediate those a rule "
            "matches, in batches of 100, as the custom action would."
        ),
        epilog=EPILOG,
    )
    sweep.add_argument(
        "--control",
        action="append",
        default=[],
        metavar="ID",
        help="only this security control id (repeatable)",
    )
    sweep.add_argument(
        "--account",
        action="append",
        default=[],
        metavar="ID",
        help="only findings of this account (repeatable)",
    )
    sweep.add_argument(
        "--ocsf",
        action="store_true",
        help="read AWS Security Hub's OCSF findings with GetFindingsV2 and resolve them with "
        "BatchUpdateFindingsV2 (default: Security Hub CSPM's ASFF findings, GetFindings)",
    )
    sweep.add_argument(
        "--dry-run", action="store_true", help="plan and note on each finding, change no resource"
    )
    sweep.add_argument(
        "--json", action="store_true", help="print the combined JSON report instead of a summary"
    )
    sweep.add_argument(
        "--workers", type=int, default=4, metavar="N", help="batches remediated side by side (default 4)"
    )
    sweep.set_defaults(run=_lazy("cli.sweep"))

    undo = commands.add_parser(
        "undo",
        parents=[common, aws],
        help="put back what a remediation changed for one finding",
        description=(
            "Read the resource again and plan the way back to the before-state the engine recorded "
            "(STATE_TABLE_NAME) when it remediated FINDING_ID; stricter settings made since are kept."
        ),
        epilog=EPILOG,
    )
    undo.add_argument("finding_id", metavar="FINDING_ID", help="the finding's Id (its ARN)")
    undo.add_argument("--dry-run", action="store_true", help="print the revert plan, change nothing")
    undo.add_argument(
        "--force",
        action="store_true",
        help="revert even where someone changed the resource since the engine did (a stricter setting is still kept)",
    )
    undo.add_argument(
        "--role-name",
        metavar="NAME",
        help="the role to assume when the resource is in another account than yours (default: "
        "UNDO_ROLE_NAME, else SecHubRemediatorMember-undo, deploy/member-role.yaml's undo role); "
        "in your own account your own credentials act",
    )
    undo.set_defaults(run=_lazy("cli.undo"))

    redrive = commands.add_parser(
        "redrive",
        parents=[common, aws],
        help="deliver the events held in a dead-letter queue again",
        description=(
            "Read the dead-letter queue (EventBridge target DLQ or Lambda on-failure destination), run each "
            "event through the engine here or through --function, with exponential backoff and jitter; "
            "a message is deleted only once its event went through."
        ),
        epilog=EPILOG,
    )
    redrive.add_argument("queue_url", metavar="QUEUE_URL", help="the dead-letter queue's URL")
    redrive.add_argument(
        "--function", metavar="NAME", help="invoke this deployed function instead of running here"
    )
    redrive.add_argument(
        "--attempts", type=int, default=4, help="deliveries per event before giving up (default 4)"
    )
    redrive.set_defaults(run=_lazy("cli.redrive"))

    history = commands.add_parser(
        "history",
        parents=[common, aws],
        help="list what the engine changed: when, where, before → after, and whether it was undone",
        description=(
            "Read the changes the engine recorded in the state table (STATE_TABLE_NAME): when, account "
            "and Region, resource, control and rule, how the finding arrived, what moved before → after, "
            "and whether `remediator undo` reverted it. Records are kept RecordRetentionDays (stack parameter)."
        ),
        epilog=EPILOG,
    )
    history.add_argument(
        "--since",
        default="24h",
        metavar="WHEN",
        help="changes made since: a duration back from now (30m, 24h, 7d, 2w) or a UTC date (default 24h)",
    )
    history.add_argument(
        "--account", action="append", default=[], metavar="ID", help="only this account (repeatable)"
    )
    history.add_argument(
        "--control",
        action="append",
        default=[],
        metavar="ID",
        help="only this security control id, e.g. EC2.13 (repeatable)",
    )
    history.add_argument("--format", choices=("table", "json", "csv"), default="table", help="default: table")
    history.set_defaults(run=_lazy("cli.history"))

    rules = commands.add_parser(
        "rules",
        parents=[common, aws],
        help="list the rule registry",
        description="The registry: controls and Config rules → remediation, mode, parameters, IAM actions.",
        epilog=EPILOG,
    )
    rules.add_argument("--json", action="store_true", help="JSON instead of a table")
    rules.add_argument(
        "--account",
        metavar="ID",
        help="show each rule's effective mode in this account (rules/environments.json; reads its tags "
        "and OUs from AWS Organizations when an environment selects by them)",
    )
    rules.add_argument(
        "--environments",
        type=Path,
        metavar="FILE",
        help="modes per environment (default: rules/environments.json)",
    )
    rules.add_argument(
        "--approval-mode",
        action="store_true",
        help="as the stack's ApprovalMode=true (default: the APPROVAL_MODE environment variable)",
    )
    rules.set_defaults(run=_lazy("cli.rules_table"))
    exceptions_args.add_parser(commands, [common, aws], EPILOG, _lazy("cli.exceptions"))
    return parser


def _lazy(module: str) -> Callable[[argparse.Namespace], int]:
    """Import a command's module only when it runs, so `--help` and `rules` stay fast."""

    def run(args: argparse.Namespace) -> int:
        command: Callable[[argparse.Namespace], int] = importlib.import_module(module).run
        return command(args)

    return run


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except BrokenPipeError:  # `remediator rules | head`: the reader has what it wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115  # keep the interpreter's final flush quiet
        return 0
    except CommandError as error:
        return _fail(args, str(error), error.exit_code)
    except InvalidEventError as error:
        return _fail(args, f"invalid event: {error}", EXIT_USAGE)
    except ProfileNotFound as error:
        return _fail(args, str(error), EXIT_USAGE)
    except ClientError as error:
        details = error.response.get("Error", {})
        message = f"AWS refused {error.operation_name}: {details.get('Code')}: {details.get('Message')}"
        return _fail(args, message, EXIT_AWS)
    except BotoCoreError as error:
        return _fail(args, f"AWS: {error}", EXIT_AWS)
    except RegistryError as error:
        return _fail(args, f"broken rule registry: {error}", EXIT_REGISTRY)
    except RemediationError as error:
        return _fail(args, str(error), EXIT_AWS)


def _fail(args: argparse.Namespace, message: str, code: int) -> int:
    if args.verbose:
        traceback.print_exc()
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return code
