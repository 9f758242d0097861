"""`abuse-guard report`: runs in, report files out, exit code from `--fail-on`.

Inputs: `--input FILE` (an engine event log or a state file; repeatable) and/or the offline
preview of `--stack NAME` in `--project DIR` (a stack without a config file gets the project's config
alone, as in Pulumi). With neither --input nor --stack: the offline preview of every stack of the Pulumi
project (`--project DIR`, or the one found from the current directory upwards), one per
`Pulumi.<stack>.yaml` in its stack config directory; a project with none is an error that says what to
pass. There `make report` previews the reference stacks. A bad stack file or a failing program in one
stack fails the whole set (nothing is written) and the error names that stack and the others.

A stack whose config sets `abuse-guard:expectedFailure: "true"` is insecure on purpose (the demo's
`insecure` and `native-insecure`). The mark is honoured only when the one running the command opts in with
`--expected-failures` (`make report` does), because the stack file is editable in the very pull request a
CI gate checks: then, when every stack is previewed, its report is labelled expected to fail, its fails do
not fail the command, and the command fails if it ever stops failing (the pack would no longer catch what
the stack shows). Without the flag such a stack is gated like any other, and a fail names the mark. A
stack named with --stack is always gated.

`--input -` reads standard input (once, as a stream). Every input is read and every file rendered
before anything is written; the whole set is then written into a new directory beside <out> and
swapped with it (files.atomic.replace_directory), so readers see the previous set or the new one, and a bad
input or a full disk leaves the previous set as it was. <out> is replaced whole, so it may hold nothing
but reports (`_check_replaceable`).
Output: <out>/<stack>/{report.html, report.json, junit.xml, report.sarif, summary.md} per run and
<out>/index.html linking them. <out> is --out, or by default reports/out in the project's directory when a
project is previewed (wherever below it the command runs), in the current directory with --input alone.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from .. import pack_config, pipeline
from ..errors import UserError
from ..files.atomic import replace_directory
from ..files.inputs import STDIN, opened
from ..offline import Options
from ..offline.project import PROJECT_FILES, StackConfig, find_file, load_project, load_stack, stack_names
from ..pack_config import PackConfig
from ..pipeline import preview
from ..policies import POLICIES
from ..report import html, json_report, junit, markdown, sarif
from ..report.model import Report
from ..wording import printable
from .preview import add_gate_argument, add_recording_arguments, config_overrides, recording_options

DEFAULT_OUT = Path("reports", "out")
EXPECTED_FAILURE = "abuse-guard:expectedFailure"
"""The stack config key ("true" or "false") that marks a stack insecure on purpose: see the module's docstring."""

FORMATS: dict[str, tuple[str, Callable[[Report], str]]] = {
    "html": ("report.html", html.render),
    "json": ("report.json", json_report.render),
    "junit": ("junit.xml", junit.render),
    "sarif": ("report.sarif", sarif.render),
    "markdown": ("summary.md", markdown.render),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "With no --input and no --stack: the offline preview of every stack of the Pulumi project (--project DIR, "
        "or the one found from the current directory upwards), one per Pulumi.<stack>.yaml. With "
        f'--expected-failures, a stack whose config sets {EXPECTED_FAILURE}: "true" is insecure on purpose: its '
        "fails are reported, not gated, and the command fails if nothing in it fails; without it, that stack is "
        "gated like any other. A stack named with --stack is always gated."
    )
    parser.add_argument(
        "--input",
        action="append",
        default=[],
        metavar="FILE",
        help="an engine event log (pulumi preview --event-log FILE) or a state file (pulumi stack export); "
        "- for standard input; repeatable",
    )
    parser.add_argument(
        "--project",
        metavar="DIR",
        help="the Pulumi project to preview offline (default: found from the current directory upwards)",
    )
    parser.add_argument(
        "--stack",
        metavar="NAME",
        help="the one stack to preview offline, gated (default: every stack of the project); a stack without a "
        "Pulumi.<stack>.yaml gets the project's config alone",
    )
    parser.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a config value for the --stack preview; repeatable",
    )
    parser.add_argument(
        "--policy-config", metavar="FILE", help="policy pack config, as for pulumi preview --policy-pack-config"
    )
    parser.add_argument(
        "--out",
        metavar="DIR",
        help=f"output directory, replaced whole (default: {DEFAULT_OUT} in the project's directory when a project is "
        f"previewed, {DEFAULT_OUT} in the current directory with --input alone)",
    )
    parser.add_argument(
        "--format",
        default="all",
        metavar="LIST",
        help=f"comma-separated formats to write: {', '.join(FORMATS)} or all (default all)",
    )
    add_gate_argument(parser)  # --fail-on, as for preview
    parser.add_argument(
        "--expected-failures",
        action="store_true",
        help=f"let stacks whose config sets {EXPECTED_FAILURE} fail without failing the command (the demo's "
        "insecure stacks)",
    )
    add_recording_arguments(parser)  # how the offline preview runs the program: --outputs, --data-sources, --timeout


def formats(value: str) -> list[str]:
    names = [name.strip() for name in value.split(",") if name.strip()]
    if names == ["all"]:
        return list(FORMATS)
    unknown = [name for name in names if name not in FORMATS]
    if unknown or not names:
        raise UserError(f"--format {value!r}: expected a comma-separated list of {', '.join(FORMATS)}, or all")
    return list(dict.fromkeys(names))


INPUT_HINT = "--input FILE (an event log from pulumi preview --event-log FILE, or a state from pulumi stack export)"
"""How an error that says what to pass offers --input."""


def find_project(start: Path) -> Path:
    """The nearest directory, from `start` upwards, holding a Pulumi project file."""
    for directory in (start, *start.parents):
        if find_file(directory, PROJECT_FILES) is not None:
            return directory
    raise UserError(
        f"{start}: no Pulumi.yaml here or in any parent directory; give --project DIR (the directory that holds "
        f"Pulumi.yaml), or {INPUT_HINT}"
    )


def _relative(path: Path) -> str:
    """A path as code-scanning services want it: relative to where the command runs (the repository root)."""
    return Path(os.path.relpath(path.resolve(), Path.cwd())).as_posix()


def _preview(
    project_dir: Path, stack: str, overrides: dict[str, str], config: PackConfig, expected: bool, options: Options
) -> Report:
    program = load_project(project_dir).program
    source_file = program / "__main__.py" if program.is_dir() else program
    run = preview(project_dir, stack, overrides, config, options)
    return Report(run, artifact=_relative(source_file), expected_failure=expected)


def project_stacks(project_dir: Path) -> list[tuple[str, bool]]:
    """Every stack of the project that has a config file, sorted, with whether its config marks it expected to fail.

    A bad stack file raises a UserError naming it and the stacks not reported because of it."""
    project = load_project(project_dir)
    names = stack_names(project)
    if not names:
        raise UserError(
            f"{project.file}: no stacks to preview: no Pulumi.<stack>.yaml in {project.stack_config_dir}; give "
            "--stack NAME to preview one stack (a stack without a config file gets the project's config), or "
            f"{INPUT_HINT}"
        )
    marks = []
    for name in names:
        with _one_of(name, names):
            marks.append((name, expected_failure(load_stack(project, name))))
    return marks


BOOLEANS = {"true": True, "True": True, "false": False, "False": False}
"""A boolean config value in the forms Pulumi reads one (pulumi SDK, Config.get_bool): a YAML `true` in a stack file
is stored as "true"."""


def expected_failure(stack: StackConfig) -> bool:
    """Whether the stack's config sets EXPECTED_FAILURE to true; false when it does not set it."""
    value = stack.values.get(EXPECTED_FAILURE, "false")
    if value not in BOOLEANS:
        raise UserError(f"{stack.file}: config {EXPECTED_FAILURE} is {value!r}: expected true or false")
    return BOOLEANS[value]


def check_arguments(args: argparse.Namespace) -> None:
    """The combinations of arguments that say nothing sensible, refused before anything is read."""
    every_stack = not args.input and not args.stack
    if args.config and not args.stack:
        raise UserError("--config sets config for the offline preview of one stack: give --stack NAME too")
    if args.project and args.input and not args.stack:
        raise UserError("--project with --input: give --stack NAME too (every stack is previewed only without --input)")
    if args.expected_failures and not every_stack:
        raise UserError(
            "--expected-failures applies when every stack of the project is previewed (no --input, no --stack); "
            "a stack named with --stack is always gated"
        )
    if args.input.count(STDIN) > 1:
        raise UserError("--input -: standard input can be read only once")


def project_dir(args: argparse.Namespace) -> Path | None:
    """The project the arguments preview (--project, else found from the current directory); None with --input
    alone."""
    if args.project:
        return Path(args.project)
    if args.stack or not args.input:
        return find_project(Path.cwd())
    return None


def read_reports(
    args: argparse.Namespace, project: Path | None, config: PackConfig
) -> tuple[list[Report], frozenset[str]]:
    """Every run the arguments ask for, and the stacks whose expected-failure mark is not honoured (no
    --expected-failures); any bad input raises before a file is written."""
    options = recording_options(args)
    reports = [_read(path, config) for path in args.input]
    if args.stack:
        assert project is not None  # project_dir finds one for --stack
        reports.append(_preview(project, args.stack, config_overrides(args.config), config, False, options))
    if reports:
        return reports, frozenset()
    assert project is not None  # project_dir finds one when there is no --input
    stacks = project_stacks(project)
    names = [stack for stack, _ in stacks]
    for stack, marked in stacks:
        with _one_of(stack, names):
            reports.append(_preview(project, stack, {}, config, marked and args.expected_failures, options))
    unhonoured = frozenset(stack for stack, marked in stacks if marked and not args.expected_failures)
    return reports, unhonoured


@contextmanager
def _one_of(stack: str, stacks: Sequence[str]) -> Iterator[None]:
    """A UserError about one of every stack previewed says so: the set is written whole or not at all, so the
    other stacks go unreported because of it."""
    try:
        yield
    except UserError as error:
        others = [name for name in stacks if name != stack]
        if others:
            # the same exception, so its kind (a program's failure, a config error) still reaches the CLI
            error.args = (
                f"{error}; the other stacks ({', '.join(others)}) were not reported because of stack '{stack}' "
                "(the reports are written for every stack or for none): fix it, or report one stack with --stack NAME",
            )
        raise


def _read(path: str, config: PackConfig) -> Report:
    """One --input, opened once: told apart (event log or state) and read from that one opening."""
    with opened(path) as source:
        run = pipeline.read_any(source, config)
    return Report(run, artifact=None if path == STDIN else _relative(Path(path)))


def _directories(reports: Sequence[Report]) -> list[str]:
    """One directory name per run, from its stack name, numbered when two runs share one."""
    names: list[str] = []
    for report in reports:
        base = re.sub(r"[^A-Za-z0-9._-]+", "-", report.run.stack).strip("-.") or "stack"
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base}-{n}"
        names.append(name)
    return names


INDEX_FILE = "index.html"


def run(args: argparse.Namespace) -> int:
    chosen = formats(args.format)
    check_arguments(args)
    project = project_dir(args)
    out = Path(args.out) if args.out is not None else (project or Path()) / DEFAULT_OUT
    _check_replaceable(out)
    if args.policy_config == STDIN and STDIN in args.input:
        raise UserError("--policy-config - and --input -: standard input can be read only once")
    config = pack_config.load(args.policy_config, POLICIES)
    reports, unhonoured = read_reports(args, project, config)
    files: dict[str, str] = {}
    entries: list[html.IndexEntry] = []
    for report, directory in zip(reports, _directories(reports), strict=True):
        written = tuple((name, FORMATS[name][0]) for name in chosen)
        for name, filename in written:
            files[f"{directory}/{filename}"] = FORMATS[name][1](report)
        entries.append(html.IndexEntry(directory, report, written))
    if "html" in chosen:
        generated_at = datetime.now(UTC).isoformat(timespec="seconds")
        files[INDEX_FILE] = html.render_index(entries, generated_at)
    replace_directory(out, files)
    shown = Path(os.path.abspath(out))  # the full path: the default one depends on where the project is
    for entry in entries:
        print(printable(_line(entry, shown)))
    if "html" in chosen:
        print(printable(f"index: {shown / INDEX_FILE}"))
    return gate(reports, args.fail_on, unhonoured)


def _check_replaceable(out: Path) -> None:
    """`out` is replaced whole: refuse one that holds anything but reports (`--out .` must not wipe a checkout).

    Replaceable: nothing there, an empty directory, or one holding index.html and stack directories that each hold
    report files and nothing else. An empty subdirectory is not a report (a kept `.git` or placeholder would go
    with the old set); the error names the first entry that is not a report.
    """
    if not out.exists():
        return
    if not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a directory")
    report_files = {filename for filename, _ in FORMATS.values()}
    try:
        foreign = next(filter(None, (_not_a_report(entry, report_files) for entry in sorted(out.iterdir()))), None)
    except OSError as error:
        raise UserError(f"--out {out}: cannot read: {error.strerror or error}") from None
    if foreign is not None:
        raise UserError(
            f"--out {out}: holds {foreign}, which is not a report; the whole directory is replaced by the new "
            "reports, so give an empty directory, a new one, or one that holds only reports"
        )


def _not_a_report(entry: Path, report_files: set[str]) -> str | None:
    """None for the index or a stack's directory holding report files only (no link: what it points to is not
    ours); otherwise what is not a report, as the error names it (`'notes.txt'`, `'dev/notes.txt'`,
    `'keep' (an empty directory)`)."""
    if entry.name == INDEX_FILE and entry.is_file() and not entry.is_symlink():
        return None
    if entry.name == INDEX_FILE or entry.is_symlink() or not entry.is_dir():
        return repr(entry.name)
    inside = sorted(entry.iterdir())
    if not inside:
        return f"{entry.name!r} (an empty directory)"
    foreign = next((f for f in inside if f.name not in report_files or f.is_symlink() or not f.is_file()), None)
    return None if foreign is None else repr(f"{entry.name}/{foreign.name}")


def _line(entry: html.IndexEntry, out: Path) -> str:
    report = entry.report
    expected = " (expected to fail: insecure on purpose)" if report.expected_failure else ""
    caveat = f" {report.status.caveat}" if report.status.caveat else ""
    return f"{report.run.stack}{expected}: {report.status.headline}{caveat} -> {out / entry.href}"


def gate(reports: Sequence[Report], fail_on: str, unhonoured: Collection[str] = ()) -> int:
    """1 when a gated run has a fail at or above `fail_on`, or an expected-to-fail stack has none; else 0.

    `unhonoured`: stacks whose config marks them expected to fail, gated because the command was not run with
    --expected-failures; their fails say so."""
    problems = []
    for report in reports:
        blocking = report.blocking(fail_on)
        if report.expected_failure and fail_on != "never" and not blocking:
            problems.append(
                f"stack '{report.run.stack}' is insecure on purpose ({EXPECTED_FAILURE}) but nothing fails at "
                f"--fail-on {fail_on}: the pack no longer catches what the stack shows"
            )
        elif blocking and not report.expected_failure:
            mark = (
                f" (its config sets {EXPECTED_FAILURE}, which only --expected-failures honours)"
                if report.run.stack in unhonoured
                else ""
            )
            problems.append(f"stack '{report.run.stack}': {blocking} fails at or above --fail-on {fail_on}{mark}")
    for problem in problems:
        print(printable(f"abuse-guard: {problem}"), file=sys.stderr)
    return 1 if problems else 0
