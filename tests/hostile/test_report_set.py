"""All files of one report run appear together or not at all; a failure leaves the previous set as it was."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

from abuse_guard.cli import main
from abuse_guard.errors import UserError
from abuse_guard.files import atomic
from tests.sources import FIXTURES

EVENT_LOG = FIXTURES / "events-TestSimpleAnalyzer.ndjson"  # stack "test"
CHECKPOINT = FIXTURES / "checkpoint-v3.json"  # stack "foo"
NEW_SET = {"index.html": "new index", "a/report.html": "new a", "a/report.json": "{}", "b/summary.md": "new b"}


def tree(directory: Path) -> dict[str, str | None]:
    """Every entry under `directory`: a file's text, None for a directory."""
    return {
        p.relative_to(directory).as_posix(): None if p.is_dir() else p.read_text() for p in sorted(directory.rglob("*"))
    }


def previous_set(out: Path) -> dict[str, str | None]:
    (out / "old").mkdir(parents=True)
    (out / "index.html").write_text("previous index")
    (out / "old" / "report.html").write_text("previous report")
    return tree(out)


def test_a_run_replaces_the_whole_set(tmp_path: Path) -> None:
    out = tmp_path / "out"
    previous_set(out)
    assert main(["report", "--input", str(EVENT_LOG), "--out", str(out), "--fail-on", "never"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "test"]  # the stale stack is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing left beside it


def test_the_set_is_swapped_in_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    previous_set(out)
    atomic.replace_directory(out, NEW_SET)
    assert tree(out) == {"a": None, "b": None, **NEW_SET}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


class _DiskFull:
    """`open` for the module under test: the `fail_at`-th file opened fails as a full disk does, half-written."""

    def __init__(self, fail_at: int) -> None:
        self.fail_at, self.opened = fail_at, 0

    def __call__(self, path: Any, *args: Any, **kwargs: Any) -> Any:
        self.opened += 1
        stream = open(path, *args, **kwargs)  # noqa: SIM115 - handed to the caller's with
        if self.opened == self.fail_at:
            stream.write("half")
            stream.close()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return stream


@pytest.mark.parametrize("fail_at", [1, 2, len(NEW_SET)])
def test_a_failed_write_leaves_the_previous_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int) -> None:
    out = tmp_path / "out"
    before = previous_set(out)
    monkeypatch.setattr(atomic, "open", _DiskFull(fail_at), raising=False)
    with pytest.raises(UserError, match=r"^.*: cannot write: No space left on device$"):
        atomic.replace_directory(out, NEW_SET)
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # the new set's directory is removed


def test_a_failed_swap_leaves_the_previous_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    before = previous_set(out)

    def refuse(first: Path, second: Path) -> bool:
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    monkeypatch.setattr(atomic, "_exchange", refuse)
    with pytest.raises(UserError, match=f"^{out}: cannot write: "):
        atomic.replace_directory(out, NEW_SET)
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_without_an_atomic_exchange_two_renames_swap_the_sets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out"
    previous_set(out)
    monkeypatch.setattr(atomic, "_exchange", lambda first, second: False)
    atomic.replace_directory(out, NEW_SET)
    assert tree(out) == {"a": None, "b": None, **NEW_SET}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_when_the_second_rename_fails_the_previous_set_is_put_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    before = previous_set(out)
    monkeypatch.setattr(atomic, "_exchange", lambda first, second: False)
    real_rename, renames = os.rename, []

    def second_fails(source: Any, target: Any) -> None:
        renames.append(target)
        if len(renames) == 2:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_rename(source, target)

    monkeypatch.setattr(atomic.os, "rename", second_fails)
    with pytest.raises(UserError):
        atomic.replace_directory(out, NEW_SET)
    monkeypatch.undo()
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_parents_it_created_are_removed_on_failure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(atomic, "open", _DiskFull(1), raising=False)
    with pytest.raises(UserError):
        atomic.replace_directory(tmp_path / "a" / "b" / "out", NEW_SET)
    assert list(tmp_path.iterdir()) == []


def test_parents_are_created_for_a_new_set(tmp_path: Path) -> None:
    atomic.replace_directory(tmp_path / "a" / "b" / "out", NEW_SET)
    assert tree(tmp_path / "a" / "b" / "out") == {"a": None, "b": None, **NEW_SET}


def test_a_linked_out_directory_is_replaced_behind_its_link(tmp_path: Path) -> None:
    real, link = tmp_path / "real", tmp_path / "link"
    previous_set(real)
    link.symlink_to(real)
    atomic.replace_directory(link, NEW_SET)
    assert link.is_symlink() and tree(real) == {"a": None, "b": None, **NEW_SET}


REPLACEABLE = {
    "missing": lambda out: None,
    "empty": lambda out: out.mkdir(),
    "previous_reports": lambda out: main(["report", "--input", str(CHECKPOINT), "--out", str(out)]),
}


@pytest.mark.parametrize("make", REPLACEABLE.values(), ids=list(REPLACEABLE))
def test_what_report_may_replace(tmp_path: Path, make: Any) -> None:
    out = tmp_path / "out"
    make(out)
    assert main(["report", "--input", str(EVENT_LOG), "--out", str(out), "--fail-on", "never"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "test"]


# name -> (what --out holds: a file's text, None for a directory; what the error names)
NOT_REPORTS = {
    "a_file": ({"notes.txt": "mine"}, "'notes.txt'"),
    "an_empty_directory": ({"keepdir": None}, "'keepdir' (an empty directory)"),
    "an_empty_git_directory": ({".git": None, "old": None, "old/report.html": "r"}, "'.git' (an empty directory)"),
    "a_file_in_a_stack_directory": ({"dev": None, "dev/report.html": "r", "dev/notes.txt": "mine"}, "'dev/notes.txt'"),
    "a_directory_in_a_stack_directory": ({"dev": None, "dev/report.json": "{}", "dev/sub": None}, "'dev/sub'"),
    "a_directory_named_as_the_index": ({"index.html": None, "index.html/report.html": "r"}, "'index.html'"),
}


@pytest.mark.parametrize(("holds", "named"), NOT_REPORTS.values(), ids=list(NOT_REPORTS))
def test_out_holding_anything_else_is_refused_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], holds: dict[str, str | None], named: str
) -> None:
    """Everything in --out goes with the old set, so an empty subdirectory (a `.git` or a kept placeholder)
    counts as something else: `all()` over an empty directory once took it for a stack's reports."""
    for relative, text in holds.items():
        path = tmp_path / relative
        if text is None:
            path.mkdir()
        else:
            path.write_text(text)
    tmp_path.chmod(0o700)
    assert main(["report", "--input", str(EVENT_LOG), "--out", str(tmp_path)]) == 2
    assert tree(tmp_path) == holds
    assert oct(tmp_path.stat().st_mode & 0o7777) == oct(0o700)
    assert capsys.readouterr().err == (
        f"abuse-guard: error: --out {tmp_path}: holds {named}, which is not a report; the whole directory is "
        "replaced by the new reports, so give an empty directory, a new one, or one that holds only reports\n"
    )
