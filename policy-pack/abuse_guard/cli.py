"""`abuse-guard <command>` (or `python -m abuse_guard <command>`): the offline preview, the report generator,
the policy reference and the thin pack writer.

Exit codes are a contract (README, "Exit codes"): 0 nothing blocks; 1 a policy fails at the gate's level;
2 bad input (arguments, config, files, programs), with one line saying what and where; 3 an internal
error, with one line (the traceback only when ABUSE_GUARD_DEBUG=1); 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from . import __version__, gc_settings
from .errors import UserError
from .policy import ConfigError
from .wording import printable

EXIT_OK, EXIT_POLICY_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
DEBUG_VARIABLE = "ABUSE_GUARD_DEBUG"
"""Set to 1 to see the traceback of an internal error."""

# command -> module with `add_arguments(parser)` and `run(args) -> exit code`
COMMANDS = {
    "preview": ("abuse_guard.commands.preview", "Run a Pulumi Python program under mocks and check it with the pack."),
    "report": ("abuse_guard.commands.report", "Write HTML, JSON, JUnit, SARIF and Markdown compliance reports."),
    "policies": ("abuse_guard.commands.policies", "Print the policy reference (Markdown) generated from the registry."),
    "init-pack": (
        "abuse_guard.commands.init_pack",
        "Write a policy pack directory that serves this installed package's policies (pulumi preview --policy-pack).",
    ),
}


def console() -> NoReturn:
    """The `abuse-guard` console script and `python -m abuse_guard`: `main`'s return code is the exit code."""
    gc_settings.apply()  # one batch of work per process: see gc_settings
    sys.exit(main())


class _CommandParser(argparse.ArgumentParser):
    """A command's parser: an argument it does not know is an error with the command's usage.

    argparse hands a subcommand's unknown arguments back to the top-level parser, whose error shows the top-level
    usage (`abuse-guard [-h] [--version] {preview,...}`), which does not say what the command takes."""

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, unknown = super().parse_known_args(args, namespace)
        if unknown:
            self.error(f"unrecognized arguments: {' '.join(unknown)}")
        return parsed, unknown


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="abuse-guard", description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", action="version", version=f"abuse-guard {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_CommandParser)
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.run(args))
    except UserError as error:
        _say(f"error: {_located(error, args)}")
        return EXIT_BAD_INPUT
    except BrokenPipeError:  # `... | head` closed our stdout: not an error of ours
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_INTERRUPTED
    except Exception as error:  # anything else is our bug: one line, not a traceback
        if os.environ.get(DEBUG_VARIABLE) == "1":
            traceback.print_exc(file=sys.stderr)
        detail = f"{type(error).__name__}: {error}"
        _say(
            f"internal error ({detail[:500]}); this is a bug in abuse-guard, not in your input: please report it"
            f" (set {DEBUG_VARIABLE}=1 for the traceback)"
        )
        return EXIT_INTERNAL_ERROR


def _located(error: UserError, args: argparse.Namespace) -> str:
    """The message, naming the --policy-config file where a config error found while checking does not."""
    message = str(error)
    config_file = getattr(args, "policy_config", None)
    if isinstance(error, ConfigError) and config_file and not message.startswith(f"{config_file}: "):
        return f"{config_file}: {message}"
    return message


def _say(line: str) -> None:
    print(f"abuse-guard: {printable(line)}", file=sys.stderr)
