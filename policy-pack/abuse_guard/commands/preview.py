"""`python -m abuse_guard preview PATH --stack NAME`: the offline preview from the command line.

Prints how many findings each outcome has, every fail, unknown, exempt and remediation, and the
worst-case monthly cost of each public entrypoint; `--json FILE` writes the Run. Exit code 1 when a
mandatory (or remediate-level) policy fails (as `pulumi preview` fails), 2 on bad input or a failing
program (its traceback goes to stderr first), else 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import pack_config
from ..errors import UserError
from ..evaluate import REMEDIATED
from ..files import write_atomically
from ..findings import Outcome
from ..offline import ProgramError
from ..pipeline import preview
from ..policies import POLICIES
from ..report.model import Report, entrypoint_row
from ..run import Run

SHOWN = (Outcome.FAIL, Outcome.UNKNOWN, Outcome.EXEMPT)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="PATH", help="the Pulumi project directory (holds Pulumi.yaml)")
    parser.add_argument("--stack", "-s", required=True, metavar="NAME", help="the stack whose config to use")
    parser.add_argument(
        "--config",
        "-c",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a config value on top of the stack file's (repeatable); KEY without namespace is the project's",
    )
    parser.add_argument(
        "--policy-config", metavar="FILE", help="policy pack config, as for pulumi preview --policy-pack-config"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the run as JSON to FILE")


def config_overrides(pairs: Sequence[str]) -> dict[str, str]:
    overrides: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--config {pair!r}: expected KEY=VALUE")
        overrides[key.strip()] = value
    return overrides


def run(args: argparse.Namespace) -> int:
    overrides = config_overrides(args.config)
    config = pack_config.load(args.policy_config, POLICIES)
    try:
        result = preview(args.path, args.stack, overrides, config)
    except ProgramError as error:
        sys.stderr.write(error.details)
        raise
    if args.json:
        write_atomically({Path(args.json): json.dumps(result.to_dict(), indent=2) + "\n"})
    print(summary(result))
    # The report's gate: a violation left at level remediate blocks like mandatory, as in the engine.
    return 1 if Report(result).blocking("mandatory") else 0


def summary(result: Run) -> str:
    """Counts per outcome, then each finding a person has to look at."""
    counts = {outcome: 0 for outcome in Outcome}
    for f in result.findings:
        counts[f.outcome] += 1
    levels = {p.id: p.enforcement for p in result.policies}
    lines = [
        f"{result.source}: {len(result.resources)} resources, {len(result.findings)} findings",
        "  " + ", ".join(f"{outcome.value} {counts[outcome]}" for outcome in Outcome),
    ]
    for outcome in SHOWN:
        for f in result.findings:
            if f.outcome is outcome:
                lines.append(f"{outcome.value.upper():8}{f.policy} ({levels[f.policy]}) {f.name}: {f.message}")
    for f in result.findings:
        if f.outcome is Outcome.PASS and f.message.startswith(REMEDIATED):
            lines.append(f"{'FIXED':8}{f.policy} ({levels[f.policy]}) {f.name}: {f.message}")
    if result.entrypoints:
        lines.append("Worst-case cost per entrypoint:")
    for row in map(entrypoint_row, result.entrypoints):
        behind = f" -> {row.function}" if row.function else ""
        figures = f"{row.rate}, concurrency {row.concurrency}, {row.cost} (budget {row.budget}); "
        figures = figures if row.cost_parts else ""
        fix = f"; fix: {row.fix}" if row.fix else ""
        bound = f"bound by {row.binding}" if row.cost_parts else row.binding
        lines.append(f"  {row.status:14}{row.name} ({row.kind}{behind}): {figures}{bound}{fix}")
    return "\n".join(lines)
