"""Output gets the modes any program's output gets: a new file 0o666 less the umask, a replaced one its old mode.

Every writer in files.atomic behaves the same, so `umask 077` keeps a --json run, a policy pack and a report set
private alike, and a file or --out directory someone made private stays private when it is written again.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from abuse_guard.cli import main
from abuse_guard.files import atomic
from tests.offline.projects import write_project
from tests.sources import FIXTURES

EVENT_LOG = FIXTURES / "events-TestSimpleAnalyzer.ndjson"  # stack "test"


@pytest.fixture
def umask() -> Iterator[Callable[[int], int]]:
    """Sets the process's umask for the test; the previous one is put back after it."""
    previous = os.umask(0o022)
    yield os.umask
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _write_atomically(path: Path) -> None:
    atomic.write_atomically({path: "text"})


def _write_into(path: Path) -> None:
    atomic.write_into(path.parent, {path.name: "text"})


def _replace_directory(path: Path) -> None:
    atomic.replace_directory(path.parent, {path.name: "text"})


WRITERS = {"write_atomically": _write_atomically, "write_into": _write_into, "replace_directory": _replace_directory}


@pytest.mark.parametrize("mask", [0o022, 0o077, 0o027, 0o002], ids=oct)
@pytest.mark.parametrize("write", WRITERS.values(), ids=list(WRITERS))
def test_a_new_file_gets_0o666_less_the_umask(
    tmp_path: Path, umask: Callable[[int], int], write: Callable[[Path], None], mask: int
) -> None:
    umask(mask)
    target = tmp_path / "out" / "run.json"
    write(target)
    assert (target.read_text(), oct(mode(target))) == ("text", oct(0o666 & ~mask))


@pytest.mark.parametrize("write", [_write_atomically, _write_into], ids=["write_atomically", "write_into"])
@pytest.mark.parametrize("previous", [0o600, 0o640, 0o664], ids=oct)
def test_a_replaced_file_keeps_its_mode(
    tmp_path: Path, umask: Callable[[int], int], write: Callable[[Path], None], previous: int
) -> None:
    umask(0o022)
    target = tmp_path / "run.json"
    target.write_text("previous")
    target.chmod(previous)
    write(target)
    assert (target.read_text(), oct(mode(target))) == ("text", oct(previous))


def test_preview_json_follows_the_umask(tmp_path: Path, umask: Callable[[int], int]) -> None:
    """`umask 077; abuse-guard preview --json FILE`: the run is the user's alone (it was always 0644)."""
    umask(0o077)
    root = write_project(tmp_path / "project", "aws.sns.Topic('topic')\n")
    out = tmp_path / "run.json"
    assert main(["preview", str(root), "--stack", "dev", "--json", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8"))["stack"] == "dev"
    assert oct(mode(out)) == oct(0o600)


@pytest.mark.parametrize("previous", [0o700, 0o750, 0o2775], ids=oct)
def test_the_report_directory_keeps_its_mode(tmp_path: Path, umask: Callable[[int], int], previous: int) -> None:
    umask(0o022)
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(previous)
    assert main(["report", "--input", str(EVENT_LOG), "--out", str(out), "--fail-on", "never"]) == 0
    assert (oct(mode(out)), oct(mode(out / "test" / "report.json"))) == (oct(previous), oct(0o644))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_new_report_directory_follows_the_umask(tmp_path: Path, umask: Callable[[int], int]) -> None:
    umask(0o077)
    out = tmp_path / "out"
    assert main(["report", "--input", str(EVENT_LOG), "--out", str(out), "--fail-on", "never"]) == 0
    assert (oct(mode(out)), oct(mode(out / "test")), oct(mode(out / "index.html"))) == ("0o700", "0o700", "0o600")


def _another_group() -> int | None:
    """A group the caller may give its files other than its own: any for root, else a supplementary one."""
    if os.geteuid() == 0:
        return os.getegid() + 1
    return next((gid for gid in os.getgroups() if gid != os.getegid()), None)


@pytest.mark.parametrize("write", WRITERS.values(), ids=list(WRITERS))
def test_the_group_is_kept(tmp_path: Path, write: Callable[[Path], None]) -> None:
    group = _another_group()
    if group is None:
        pytest.skip("the caller belongs to one group only: no other group to keep")
    target = tmp_path / "out" / "run.json"
    target.parent.mkdir()
    target.write_text("previous")
    kept = target.parent if write is _replace_directory else target
    os.chown(kept, -1, group)
    write(target)
    assert (target.read_text(), kept.stat().st_gid) == ("text", group)
