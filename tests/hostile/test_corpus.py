"""A corpus of malformed inputs and output targets for `report`, each run as its own process.

Every case must end with exactly one line on stderr, `abuse-guard: error: ...`, naming the file (or
directory, or argument) at fault, exit code 2, nothing written (the case's directory, which holds a
previous report set in out/, is byte for byte as it was: no new file, no staging directory left behind),
and bounded memory: the resident size rises by no more than a few times the largest line the case gives
(peak resident size, Linux VmHWM, reset before each case). The cases run in worker processes
(tests/hostile/worker.py) under an address-space limit and a time limit, so a regression fails the
cases instead of taking the machine down or hanging the suite; a case that needs its own standard input
or file-size limit (a full disk) gets a worker of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from abuse_guard.files.inputs import MAX_LINE_BYTES
from tests.sources import FIXTURES

REPO = Path(__file__).resolve().parents[2]
EVENT_LOG = (FIXTURES / "events-TestSimpleAnalyzer.ndjson").read_bytes()
CHECKPOINT = (FIXTURES / "checkpoint-v3.json").read_bytes()
MIB = 2**20
ADDRESS_SPACE_LIMIT = 4096 * MIB
"""Each process's address space: a 10 GB run-away is stopped, a normal run (about 1 GB mapped) is not."""
TIME_LIMIT = 60.0
"""Seconds before a worker process is killed: the corpus has a FIFO nobody writes to, and /dev/zero."""
MEMORY_SLACK = 48 * MIB
"""Growth of the resident size allowed besides 4 x the largest line (the bytes, the text, one copy): a valid run
of a small log grows it by about 10 MiB; the failures this corpus guards against took gigabytes."""


def nested(depth: int, inner: str = "1", opening: str = "[", closing: str = "]") -> bytes:
    return (opening * depth + inner + closing * depth).encode()


def state(resources_json: str, version: str = "3") -> bytes:
    return f'{{"version": {version}, "deployment": {{"resources": [{resources_json}]}}}}'.encode()


def event(body: str) -> bytes:
    return f'{{"sequence": 1, "timestamp": 0, {body}}}\n'.encode()


RESOURCE = '{"urn": "urn:pulumi:dev::p::aws:lambda/function:Function::fn", "type": "aws:lambda/function:Function"'
HUGE_INTEGER = "9" * 4301
"""One digit past Python's integer-string limit: ijson 3.6.0's C parser segfaulted on it without use_float."""


@dataclass(frozen=True)
class Case:
    """One run of `report`: its arguments, the files it finds in its directory, and what the error names.

    `args` and `names` may hold {dir}, the case's directory. Each case gets out/ with a previous report set.
    """

    args: tuple[str, ...]
    names: str
    files: Mapping[str, bytes] = field(default_factory=dict)
    stdin: str | None = None
    """A file in the case's directory (or a device) to give as standard input; none: standard input is closed.
    A case with standard input, a FIFO or a file-size limit runs in a worker of its own."""
    fifos: tuple[str, ...] = ()
    prepare: Callable[[Path], None] | None = None
    file_size_limit: int | None = None
    """RLIMIT_FSIZE in bytes: writing more than that fails with EFBIG, as a full disk fails a write."""

    def largest_line(self) -> int:
        sizes = [max(map(len, content.split(b"\n"))) for content in self.files.values()]
        if self.stdin == "/dev/zero":
            sizes.append(MAX_LINE_BYTES)
        return max(sizes, default=0)


def _input(content: bytes, name: str = "input.json", *extra: str) -> Case:
    return Case(("--input", name, *extra), name, {name: content})


def _config(content: bytes) -> Case:
    return Case(("--input", "log.ndjson", "--policy-config", "cfg.json"), "cfg.json", {"cfg.json": content, **LOG})


LOG = {"log.ndjson": EVENT_LOG}


def _out_is_a_file(directory: Path) -> None:
    (directory / "target").write_text("not a directory")


def _out_holds_foreign_file(directory: Path) -> None:
    (directory / "out" / "notes.txt").write_text("the user's notes")


def _index_is_a_directory(directory: Path) -> None:
    index = directory / "out" / "index.html"
    index.unlink()
    index.mkdir()


def _out_holds_a_link(directory: Path) -> None:
    (directory / "out" / "elsewhere").symlink_to(directory)


def _parent_is_a_file(directory: Path) -> None:
    (directory / "afile").write_text("a file where a directory belongs")


CORPUS: dict[str, Case] = {
    # unreadable or unsafe to read
    "missing_file": Case(("--input", "missing.ndjson"), "missing.ndjson"),
    "directory": Case(("--input", "out"), "out"),
    "empty_file": _input(b""),
    "blank_file": _input(b" \n\t\n\n"),
    "dev_zero": Case(("--input", "/dev/zero"), "/dev/zero"),
    "dev_null": Case(("--input", "/dev/null"), "/dev/null"),
    "fifo_nobody_writes_to": Case(("--input", "pipe"), "pipe", fifos=("pipe",)),
    "stdin_from_dev_zero": Case(("--input", "-"), "standard input", stdin="/dev/zero"),
    "stdin_empty": Case(("--input", "-"), "standard input", {"nothing": b""}, stdin="nothing"),
    "stdin_closed": Case(("--input", "-"), "standard input"),
    "stdin_twice": Case(("--input", "-", "--input", "-"), "standard input", LOG, stdin="log.ndjson"),
    "stdin_for_config_and_input": Case(
        ("--input", "-", "--policy-config", "-"), "standard input", {"cfg.json": b"{}"}, stdin="cfg.json"
    ),
    # not an event log or a state file
    "not_utf8": _input(b'{"sequence": 1, "stdoutEvent": {"message": "\xff\xfe"}}\n'),
    "binary_garbage": _input(bytes(range(256)) * 64),
    "nul_bytes": _input(b"\0" * 100_000),
    "utf8_bom": _input(b"\xef\xbb\xbf" + EVENT_LOG),
    "scalar": _input(b"42\n"),
    "array": _input(b"[1, 2, 3]\n"),
    "foreign_object": _input(b'{"foo": 1}\n'),
    "invalid_json_line": _input(EVENT_LOG + b'{"sequence": 2, "stdoutEvent": {,}}\n'),
    "truncated_event_log": _input(EVENT_LOG + b'{"sequence": 2, "stdoutEv'),
    "bad_urn_in_event": _input(event('"policyEvent": {"resourceUrn": "nope", "policyName": "p", "message": "m"}')),
    "unknown_event": _input(event('"mysteryThing": {}')),
    # limits
    "line_longer_than_the_limit": _input(event(f'"stdoutEvent": {{"message": "{"x" * (MAX_LINE_BYTES + 1)}"}}')),
    "event_100k_nested_arrays": _input(b'{"sequence": 1, "stdoutEvent": ' + nested(100_000) + b"}\n"),
    "event_5000_nested_objects": _input(event('"stdoutEvent": ' + nested(5000, "1", '{"a":', "}").decode())),
    "event_129_nested_arrays": _input(event('"stdoutEvent": {"x": ' + nested(128).decode() + "}")),
    "event_integer_past_python_limit": _input(f'{{"x": {HUGE_INTEGER}}}\n'.encode()),
    "event_integer_after_a_known_key": _input(f'{{"sequence": {HUGE_INTEGER}, "stdoutEvent": {{}}}}\n'.encode()),
    "state_100k_nested_arrays": _input(state(nested(100_000).decode())),
    "state_5000_nested_objects_in_inputs": _input(
        state(RESOURCE + ', "inputs": {"x": ' + nested(5000, "1", '{"a":', "}").decode() + "}}")
    ),
    "state_nested_where_the_kind_is_read": _input(b'{"version": ' + nested(100_000) + b', "deployment": {}}'),
    "state_integer_past_python_limit": _input(state(RESOURCE + f', "inputs": {{"n": {HUGE_INTEGER}}}}}')),
    "state_integer_past_64_bits": _input(state(RESOURCE + ', "inputs": {"n": 18446744073709551616}}')),
    "state_float_overflow": _input(state(RESOURCE + ', "inputs": {"n": 1e999}}')),
    "state_nan": _input(state(RESOURCE + ', "inputs": {"n": NaN}}')),
    # malformed state files
    "state_truncated": _input(CHECKPOINT[: len(CHECKPOINT) // 2]),
    "state_invalid_json": _input(CHECKPOINT.replace(b'"custom": true', b'"custom": tru', 1)),
    "state_unsupported_version": _input(state("", version="1")),
    "state_resource_without_urn": _input(state('{"type": "aws:sns/topic:Topic"}')),
    "state_resource_with_bad_urn": _input(state('{"urn": "topic", "type": "t"}')),
    "state_then_more_data": _input(state("") + b"\n{}\n"),
    "state_resources_not_a_list": _input(b'{"version": 3, "deployment": {"resources": {}}}'),
    # policy config
    "config_missing": Case(("--input", "log.ndjson", "--policy-config", "nope.json"), "nope.json", LOG),
    "config_nan": _config(b'{"entrypoint-cost-budget": {"monthlyBudget": NaN}}'),
    "config_infinity": _config(b'{"stage-throttling": {"maxRateLimit": Infinity}}'),
    "config_minus_infinity_deep_in_a_list": _config(
        b'{"lambda-reserved-concurrency": {"overrides": [{"function": "a", "maximum": -Infinity}]}}'
    ),
    "config_float_overflow": _config(b'{"entrypoint-cost-budget": {"stackBudgets": {"prod": 1e999}}}'),
    "config_nested_5000": _config(b'{"all": ' + nested(5000) + b"}"),
    "config_invalid_json": _config(b'{"all": "advisory",}'),
    "config_unknown_policy": _config(b'{"no-such-policy": "advisory"}'),
    "config_bounds_no_reservation_meets": Case(
        ("--input", "state.json", "--policy-config", "cfg.json"),
        "cfg.json",
        {"cfg.json": b'{"lambda-reserved-concurrency": {"minimum": 50, "maximum": 3}}', "state.json": CHECKPOINT},
    ),
    "config_exemption_pattern_of_20000_brackets": _config(
        json.dumps(
            {"lambda-reserved-concurrency": {"exemptions": [{"resource": "[" * 20_000, "reason": "r"}]}}
        ).encode()
    ),
    "config_exemption_pattern_too_many_stars": _config(
        json.dumps({"lambda-reserved-concurrency": {"exemptions": [{"resource": "a*" * 17, "reason": "r"}]}}).encode()
    ),
    "config_dev_zero": Case(("--input", "log.ndjson", "--policy-config", "/dev/zero"), "/dev/zero", LOG),
    "config_larger_than_the_limit": _config(b" " * (MAX_LINE_BYTES + 1) + b"{}"),
    # output targets
    "out_is_a_file": Case(("--input", "log.ndjson", "--out", "target"), "target", LOG, prepare=_out_is_a_file),
    "out_is_a_device": Case(("--input", "log.ndjson", "--out", "/dev/null"), "/dev/null", LOG),
    "out_holds_a_foreign_file": Case(("--input", "log.ndjson"), "out", LOG, prepare=_out_holds_foreign_file),
    "out_index_is_a_directory": Case(("--input", "log.ndjson"), "out", LOG, prepare=_index_is_a_directory),
    "out_holds_a_link": Case(("--input", "log.ndjson"), "out", LOG, prepare=_out_holds_a_link),
    "out_under_a_file": Case(("--input", "log.ndjson", "--out", "afile/out"), "afile", LOG, prepare=_parent_is_a_file),
    "disk_full_while_writing": Case(("--input", "log.ndjson"), "out/", LOG, file_size_limit=16 * 1024),
    "unknown_format": Case(("--input", "log.ndjson", "--format", "pdf"), "pdf", LOG),
}

PREVIOUS_SET = {"index.html": "previous index", "stack/report.html": "previous report", "stack/summary.md": "previous"}


@dataclass(frozen=True)
class Outcome:
    code: int
    stderr: str
    peak_bytes: int
    """How far the resident size rose over what it was when the command started."""
    before: dict[str, bytes | None]
    after: dict[str, bytes | None]


def _snapshot(directory: Path) -> dict[str, bytes | None]:
    """Every entry under `directory`: a file's bytes, None for a directory, the target for a link."""
    found: dict[str, bytes | None] = {}
    for path in sorted(directory.rglob("*")):
        key = path.relative_to(directory).as_posix()
        if path.is_symlink():
            found[key] = os.readlink(path).encode()
        elif path.is_fifo() or path.is_dir():
            found[key] = None
        else:
            found[key] = path.read_bytes()
    return found


def _set_up(directory: Path, case: Case) -> None:
    directory.mkdir(parents=True)
    for name, text in PREVIOUS_SET.items():
        (directory / "out" / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / "out" / name).write_text(text)
    for name, content in case.files.items():
        (directory / name).write_bytes(content)
    for name in case.fifos:
        os.mkfifo(directory / name)
    if case.prepare is not None:
        case.prepare(directory)


def _process(jobs: list[tuple[str, Path, list[str]]], jobs_file: Path, case: Case | None) -> dict[str, Any]:
    """Run `jobs` (name, directory, argv) in one worker process; its results by name ({} if it died)."""
    jobs_file.write_text(json.dumps([{"name": n, "cwd": str(d), "argv": argv} for n, d, argv in jobs]))
    stdin_path = None if case is None or case.stdin is None else case.stdin
    if stdin_path is not None and not stdin_path.startswith("/"):
        stdin_path = str(jobs[0][1] / stdin_path)
    size = None if case is None else case.file_size_limit
    code = (
        "import resource, runpy\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({ADDRESS_SPACE_LIMIT}, {ADDRESS_SPACE_LIMIT}))\n"
        f"if {size!r} is not None: resource.setrlimit(resource.RLIMIT_FSIZE, ({size!r}, {size!r}))\n"
        "runpy.run_module('tests.hostile.worker', run_name='__main__', alter_sys=True)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ABUSE_GUARD_DEBUG"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH", "")]))
    try:
        with open(stdin_path or os.devnull, "rb") as stdin:
            worker = subprocess.run(
                [sys.executable, "-c", code, str(jobs_file)],
                stdin=stdin,
                capture_output=True,
                env=env,
                timeout=TIME_LIMIT,
                check=False,
            )
        code_, said = worker.returncode, worker.stderr.decode(errors="replace")[-2000:]
    except subprocess.TimeoutExpired:
        code_, said = None, f"the worker was still running after {TIME_LIMIT:g} s"
    results = Path(f"{jobs_file}.out")
    if not results.exists():  # it died or hung: every job it had fails, saying why
        return {name: {"code": code_, "stderr": said, "before": 0, "peak": 0} for name, _, _ in jobs}
    return dict(json.loads(results.read_text()))


WORKERS = 3
"""Processes the cases that need no standard input or limit of their own are spread over."""


def run_corpus(root: Path, cases: Mapping[str, Case]) -> dict[str, Outcome]:
    """Every case set up in root/<name>, run (several workers at once), and what it did."""
    jobs: dict[str, tuple[str, Path, list[str]]] = {}
    before: dict[str, dict[str, bytes | None]] = {}
    for name, case in cases.items():
        directory = root / name
        _set_up(directory, case)
        before[name] = _snapshot(directory)
        argv = ["report", *(a.replace("{dir}", str(directory)) for a in case.args)]
        jobs[name] = (name, directory, argv if "--out" in argv else [*argv, "--out", "out"])
    alone = [n for n, c in cases.items() if c.stdin is not None or c.file_size_limit is not None or c.fifos]
    shared = [n for n in cases if n not in alone]
    batches: list[tuple[list[str], Case | None]] = [([n], cases[n]) for n in alone]
    batches += [(shared[i::WORKERS], None) for i in range(WORKERS)]
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = [
            pool.submit(_process, [jobs[n] for n in names], root / f"jobs-{index}.json", case)
            for index, (names, case) in enumerate(batches)
            if names
        ]
        results = {name: result for future in futures for name, result in future.result().items()}
    return {
        name: Outcome(
            results[name]["code"],
            results[name]["stderr"],
            results[name]["peak"] - results[name]["before"],
            before[name],
            _snapshot(root / name),
        )
        for name in cases
    }


VALID = Case(("--input", "log.ndjson", "--fail-on", "never"), "", LOG)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    return run_corpus(tmp_path_factory.mktemp("corpus"), {"valid-baseline": VALID, **CORPUS})


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 40


def test_a_valid_run_succeeds_and_writes_the_new_set(outcomes: dict[str, Outcome]) -> None:
    valid = outcomes["valid-baseline"]
    assert (valid.code, valid.stderr) == (0, "")
    written = {name for name, content in valid.after.items() if name.startswith("out/") and content is not None}
    assert written == {"out/index.html", *(f"out/test/{f}" for f in ALL_FILES)}


ALL_FILES = ("report.html", "report.json", "junit.xml", "report.sarif", "summary.md")


@pytest.mark.parametrize("name", CORPUS)
def test_one_error_line_naming_the_file_exit_2(outcomes: dict[str, Outcome], name: str) -> None:
    outcome, case = outcomes[name], CORPUS[name]
    lines = outcome.stderr.splitlines()
    assert outcome.code == 2, outcome.stderr[-2000:]
    assert len(lines) == 1, outcome.stderr[-2000:]
    assert lines[0].startswith("abuse-guard: error: ")
    assert case.names.replace("{dir}", "") in lines[0]


@pytest.mark.parametrize("name", CORPUS)
def test_nothing_written(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = outcomes[name]
    assert outcome.after == outcome.before


@pytest.mark.parametrize("name", CORPUS)
def test_bounded_memory(outcomes: dict[str, Outcome], name: str) -> None:
    allowed = 4 * CORPUS[name].largest_line() + MEMORY_SLACK
    assert outcomes[name].peak_bytes <= allowed, f"{outcomes[name].peak_bytes / MIB:.0f} MiB"
