"""`python -m abuse_guard <command>`: the offline preview and the report generator."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from .errors import UserError

# command -> module with `add_arguments(parser)` and `run(args) -> exit code`
COMMANDS = {
    "preview": ("abuse_guard.commands.preview", "Run a Pulumi Python program under mocks and check it with the pack."),
    "report": ("abuse_guard.commands.report", "Write HTML, JSON, JUnit, SARIF and Markdown compliance reports."),
    "policies": ("abuse_guard.commands.policies", "Print the policy reference (Markdown) generated from the registry."),
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="abuse-guard", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_text) in COMMANDS.items():
        module = importlib.import_module(module_name)
        module.add_arguments(sub.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    module = importlib.import_module(COMMANDS[args.command][0])
    try:
        return int(module.run(args))
    except UserError as error:
        print(f"abuse-guard: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `... | head` closed our stdout: not an error of ours
        sys.stderr.close()
        return 0
