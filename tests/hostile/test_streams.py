"""Inputs read once, within limits: standard input, pipes, devices, long lines, deep nesting, long integers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from abuse_guard.errors import UserError
from abuse_guard.files import inputs
from abuse_guard.files.bounded_json import MAX_DEPTH, load_json, nesting
from abuse_guard.files.inputs import numbered_lines, opened, read_text
from abuse_guard.pipeline import read_any
from abuse_guard.sources import kind_of
from abuse_guard.sources.state import read_deployment
from tests.sources import FIXTURES

REPO = Path(__file__).resolve().parents[2]
EVENT_LOG = FIXTURES / "events-TestSimpleAnalyzeResourceMultipleViolations.ndjson"
CHECKPOINT = FIXTURES / "checkpoint-v3.json"


def _cli(*arguments: str, stdin: bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "abuse_guard", *arguments], input=stdin, cwd=cwd, capture_output=True, check=False
    )


def _findings(out: Path) -> list[dict[str, str]]:
    (report,) = out.glob("*/report.json")
    return list(json.loads(report.read_text())["findings"])


STDIN_NAMES = {"dash": "-", "dev_stdin": "/dev/stdin"}


@pytest.mark.parametrize("fixture", [EVENT_LOG, CHECKPOINT], ids=["event_log", "state"])
@pytest.mark.parametrize("name", STDIN_NAMES.values(), ids=list(STDIN_NAMES))
def test_a_piped_input_reads_like_the_file(tmp_path: Path, fixture: Path, name: str) -> None:
    """`cat log | report --input -` (or /dev/stdin): read once, told apart, the same findings as the file."""
    from_file = _cli("report", "--input", str(fixture), "--out", "file", "--fail-on", "never", stdin=b"", cwd=tmp_path)
    piped = _cli(
        "report", "--input", name, "--out", "piped", "--fail-on", "never", stdin=fixture.read_bytes(), cwd=tmp_path
    )
    assert (from_file.returncode, piped.returncode, piped.stderr) == (0, 0, b"")
    assert _findings(tmp_path / "piped") == _findings(tmp_path / "file") != []


def test_a_fifo_with_a_writer_is_read(tmp_path: Path) -> None:
    fifo = tmp_path / "events"
    os.mkfifo(fifo)

    def write() -> None:
        with open(fifo, "wb") as pipe:
            pipe.write(EVENT_LOG.read_bytes())

    writer = threading.Thread(target=write)
    writer.start()
    try:
        with opened(fifo) as source:  # as `report` does: one opening, told apart and read
            run = read_any(source)
    finally:
        writer.join(timeout=30)
    assert (run.stack, len(run.findings)) == ("test", len(read_any(EVENT_LOG).findings))


def test_a_fifo_nothing_writes_to_is_refused_after_a_while(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fifo = tmp_path / "events"
    os.mkfifo(fifo)
    monkeypatch.setattr(inputs, "FIFO_WAIT_SECONDS", 0.2)
    with pytest.raises(UserError, match=f"^{fifo}: a named pipe that nothing wrote to within 0.2 s"):
        read_any(str(fifo))


REFUSED = {
    "dev_zero": ("/dev/zero", "/dev/zero: is a device, not a file"),
    "dev_null": ("/dev/null", "/dev/null: is a device, not a file"),
    "directory": (".", ".: is a directory, not a file"),
}


@pytest.mark.parametrize(("path", "message"), REFUSED.values(), ids=list(REFUSED))
def test_what_cannot_be_read_safely_is_refused(path: str, message: str) -> None:
    with pytest.raises(UserError) as error:
        read_any(path)
    assert str(error.value).startswith(message)


def test_a_socket_is_refused(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(UserError, match=f"^{path}: "):
            read_any(str(path))


@pytest.fixture
def stdin_from(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Standard input replaced by a file or a pipe of the test's choosing."""
    streams: list[IO[bytes]] = []
    writers: list[threading.Thread] = []

    def use(content: bytes) -> None:
        read_end, write_end = os.pipe()

        def write() -> None:
            with open(write_end, "wb") as pipe:
                pipe.write(content)

        writers.append(threading.Thread(target=write, daemon=True))
        writers[-1].start()
        streams.append(open(read_end, "rb"))  # noqa: SIM115 - closed by the fixture
        monkeypatch.setattr(sys, "stdin", streams[-1])

    yield use
    for stream in streams:
        stream.close()
    for writer in writers:
        writer.join(timeout=30)


def test_stdin_is_told_apart_then_read_from_what_was_kept(stdin_from: Any) -> None:
    stdin_from(CHECKPOINT.read_bytes())
    with opened("-") as source:
        assert kind_of(source) == "state"
        assert len(read_deployment(source).resources) == 30


def test_a_stream_read_without_keeping_cannot_be_read_again(stdin_from: Any) -> None:
    stdin_from(b"[1]\n" * 100_000)
    with opened("-") as source:
        assert sum(1 for _ in numbered_lines(source)) == 100_000
        with pytest.raises(UserError, match=r"^standard input: a stream can be read only once"):
            read_text(source)


def test_stdin_that_is_a_terminal_is_refused(stdin_from: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    stdin_from(b"")
    monkeypatch.setattr(os, "isatty", lambda fd: True)
    with pytest.raises(UserError, match=r"^standard input: is a terminal"):
        read_any("-")


LINES: dict[str, tuple[bytes, int, list[tuple[int, str]] | str]] = {
    "lines_within_the_limit": (b"ab\ncd\n", 3, [(1, "ab\n"), (2, "cd\n")]),
    "last_line_without_newline": (b"ab\ncd", 3, [(1, "ab\n"), (2, "cd")]),
    "line_at_the_limit": (b"abc\n", 3, [(1, "abc\n")]),
    "line_over_the_limit": (b"ab\nabcd\n", 3, "line 2: longer than the limit of 3 bytes"),
    "unterminated_line_over_the_limit": (b"ab\nabcd", 3, "line 2: longer than the limit of 3 bytes"),
    "not_utf8": (b"ab\n\xff\n", 3, "line 2: not UTF-8 text"),
}


@pytest.mark.parametrize(("content", "limit", "expected"), LINES.values(), ids=list(LINES))
def test_numbered_lines(tmp_path: Path, content: bytes, limit: int, expected: list[tuple[int, str]] | str) -> None:
    path = tmp_path / "log"
    path.write_bytes(content)
    if isinstance(expected, str):
        with pytest.raises(UserError, match=f"^{path}: {expected}$"):
            list(numbered_lines(path, limit))
    else:
        assert list(numbered_lines(path, limit)) == expected


def test_a_long_line_is_refused_before_it_is_held(tmp_path: Path) -> None:
    """A line past the limit fails as soon as the limit is passed, whatever follows (here: 64 MiB more)."""
    path = tmp_path / "log"
    with open(path, "wb") as file:
        file.truncate(64 * 2**20)  # a sparse file of NUL bytes and no newline
    reads = 0
    real_pread = os.pread

    def counting(fd: int, size: int, offset: int) -> bytes:
        nonlocal reads
        reads += 1
        return real_pread(fd, size, offset)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "pread", counting)
        with pytest.raises(UserError, match="line 1: longer than the limit of 1,048,576 bytes"):
            list(numbered_lines(path, 2**20))
    assert reads == 2**20 // (64 * 1024) + 1


NESTING = {
    "scalar": ("1", 0),
    "flat": ('{"a": [1, 2]}', 2),
    "brackets_in_strings_do_not_count": ('["[[[[{{{{", {"]]]": "}}}}"}]', 2),
    "escaped_quote_in_a_string": ('["\\"[[[["]', 1),
    "deep": ("[" * 300 + "]" * 300, 300),
}


@pytest.mark.parametrize(("text", "depth"), NESTING.values(), ids=list(NESTING))
def test_nesting(text: str, depth: int) -> None:
    assert nesting(text) == depth


TOO_DEEP = "objects and arrays nested deeper than the limit of 128 levels"
JSON_LIMITS: dict[str, tuple[str, str]] = {
    "one_level_too_deep": ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), TOO_DEEP),
    "past_the_recursion_limit": ("[" * 100_000 + "]" * 100_000, TOO_DEEP),
    "objects_past_the_recursion_limit": ('{"a":' * 5000 + "1" + "}" * 5000, TOO_DEEP),
    "integer_past_4300_digits": ("9" * 4301, "a number longer than 4,300 digits"),
}


@pytest.mark.parametrize(("text", "message"), JSON_LIMITS.values(), ids=list(JSON_LIMITS))
def test_json_limits(text: str, message: str) -> None:
    with pytest.raises(UserError, match=f"^where: {message}"):
        load_json(text, "where")


def test_json_at_the_depth_limit_is_read() -> None:
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert load_json(text, "where") == json.loads(text)


STATE_DEPTH = {
    "at_the_limit": (MAX_DEPTH - 5, None),
    "one_past_the_limit": (MAX_DEPTH - 4, "nested deeper than the limit of 128 levels"),
}


@pytest.mark.parametrize(("depth", "message"), STATE_DEPTH.values(), ids=list(STATE_DEPTH))
def test_state_nesting_limit(tmp_path: Path, depth: int, message: str | None) -> None:
    """Inputs sit 5 levels down (document, deployment, resources, the entry, inputs), so x's value starts at 6."""
    urn = "urn:pulumi:dev::p::aws:sns/topic:Topic::t"
    inner = "[" * depth + "]" * depth
    path = tmp_path / "state.json"
    path.write_text(
        f'{{"version": 3, "deployment": {{"resources": [{{"urn": "{urn}", "type": "aws:sns/topic:Topic", '
        f'"inputs": {{"x": {inner}}}}}]}}}}'
    )
    if message is None:
        assert len(read_deployment(path).resources) == 1
    else:
        with pytest.raises(UserError, match=f"^{path}: objects and arrays {message}$"):
            read_deployment(path)


def test_a_piped_state_file_error_names_line_and_column(stdin_from: Any) -> None:
    """yajl says what but not where: the stream is parsed again from what was kept of it, to name the place."""
    stdin_from(b'{\n  "version": 3,\n  "d\xc3\xa9ploiement": {"resources": [tru]}\n}\n')
    with opened("-") as source, pytest.raises(UserError) as error:
        read_deployment(source)
    assert str(error.value) == "standard input: line 3: invalid JSON: invalid string in json text (column 36)"
