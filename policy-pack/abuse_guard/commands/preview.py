"""`python -m abuse_guard preview PATH --stack NAME`: the offline preview from the command line.

Prints how many findings each outcome has, every fail, unknown, exempt and remediation, and the
worst-case monthly cost of each public entrypoint; `--json FILE` writes the Run. Exit code 1 when a
policy fails at or above `--fail-on` (default mandatory: a mandatory or remediate-level policy, as
`pulumi preview` fails), 2 on bad input or a failing program (its traceback goes to stderr first), else 0:
the same gate, flag and default as `report`. `--outputs`, `--data-sources` and `--timeout` say how the
program is answered (offline.Options); `report --stack` takes them too.
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
from ..files.atomic import write_atomically
from ..findings import Outcome
from ..offline import DEFAULT_TIMEOUT, DEPLOYED, MODELS, Options, ProgramError, answers
from ..pipeline import preview
from ..policies import POLICIES
from ..report.model import FAIL_ON, UNKNOWN_FIGURE, Report, entrypoint_row
from ..run import Run
from ..wording import printable

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
        help="a config value on top of the stack file's (repeatable; also how to give what its ESC environments or "
        "secure values would); KEY without namespace is the project's",
    )
    parser.add_argument(
        "--policy-config", metavar="FILE", help="policy pack config, as for pulumi preview --policy-pack-config"
    )
    parser.add_argument("--json", metavar="FILE", help="also write the run as JSON to FILE")
    add_gate_argument(parser)
    add_recording_arguments(parser)


def add_gate_argument(parser: argparse.ArgumentParser) -> None:
    """`--fail-on`: which fails make the exit code 1; shared by `preview` and `report` (one exit-code contract)."""
    parser.add_argument(
        "--fail-on",
        choices=FAIL_ON,
        default="mandatory",
        help="exit 1 when a policy at or above this enforcement level fails (default mandatory)",
    )


def add_recording_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of a program's run: shared by `preview` and `report --stack`."""
    parser.add_argument(
        "--outputs",
        choices=MODELS,
        default=DEPLOYED,
        help="outputs model: 'deployed' (default: outputs known, as on a deployed stack, with synthetic IDs, ARNs "
        "and names) or 'first-preview' (computed outputs unknown, as at the first preview of a new stack)",
    )
    parser.add_argument(
        "--data-sources",
        metavar="FILE",
        help='JSON: data source token -> its result, e.g. {"aws:index/getCallerIdentity:getCallerIdentity": '
        '{"accountId": "111122223333"}}',
    )
    parser.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"stop a program that has not finished after SECONDS (default {DEFAULT_TIMEOUT:g})",
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds")
    return value


def recording_options(args: argparse.Namespace) -> Options:
    """The options `add_recording_arguments` parsed; UserError for an unreadable --data-sources file."""
    given = answers.load(args.data_sources) if args.data_sources else {}
    return Options(outputs=args.outputs, data_sources=given, timeout=args.timeout)


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
    options = recording_options(args)
    try:
        result = preview(args.path, args.stack, overrides, config, options)
    except ProgramError as error:
        sys.stderr.write("".join(f"{printable(line)}\n" for line in error.details.splitlines()))
        raise
    if args.json:
        write_atomically({Path(args.json): json.dumps(result.to_dict(), indent=2) + "\n"})
    print(summary(result))
    # The report's gate: a violation left at level remediate blocks like mandatory, as in the engine.
    return 1 if Report(result).blocking(args.fail_on) else 0


def summary(result: Run) -> str:
    """Counts per outcome, then each finding a person has to look at."""
    counts = {outcome: 0 for outcome in Outcome}
    for f in result.findings:
        counts[f.outcome] += 1
    levels = {p.id: p.enforcement for p in result.policies}  # every policy a finding names is listed
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
        if not row.cost_parts:
            figures = "" if row.cost == UNKNOWN_FIGURE else f"{row.cost} (budget {row.budget}); "
        fix = f"; fix: {row.fix}" if row.fix else ""
        bound = f"bound by {row.binding}" if row.cost_parts else row.binding
        assumed = f"; assumed: {row.notes}" if row.notes else ""
        lines.append(f"  {row.status:14}{row.name} ({row.kind}{behind}): {figures}{bound}{fix}{assumed}")
    return "\n".join(map(printable, lines))  # names and messages come from the program: no control characters
