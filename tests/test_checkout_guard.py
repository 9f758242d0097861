"""The guard that keeps every test inside the checkout can fail: it sees a read beside the checkout."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.checkout_guard import CHECKOUT, Guard, allowed_roots, outside


@pytest.mark.parametrize(
    ("path", "is_outside"),
    [
        ("/work/shared/fixtures/pulumi/SOURCE.md", True),  # the workplace's copy beside a checkout at /work/main
        ("/work/main/tests/fixtures/pulumi/SOURCE.md", False),
        ("/work/main/../shared/x", True),
        ("/work/mainly/x", True),  # a sibling whose name starts with the checkout's
        ("/proc/self/status", False),
    ],
)
def test_paths_beside_the_checkout_are_outside(path: str, is_outside: bool) -> None:
    assert outside(path, ("/work/main", "/proc")) is is_outside


def test_the_checkout_and_the_interpreter_are_allowed_and_its_parent_is_not() -> None:
    roots = allowed_roots()
    assert not outside(str(CHECKOUT / "tests"), roots)
    assert not outside(os.__file__, roots)
    beside = CHECKOUT.parent / "shared"
    # a checkout cloned into the temporary directory (as .ci/run does) has the temporary directory around it, which
    # tests may write to; anywhere else, what lies beside the checkout is outside
    in_temp = Path(tempfile.gettempdir()).resolve() in (CHECKOUT.parent, *CHECKOUT.parent.parents)
    assert outside(str(beside), roots) or in_temp


def test_the_hook_records_an_open_outside_the_roots_and_nothing_inside() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        inside, beside = Path(scratch, "checkout"), Path(scratch, "shared")
        for directory in (inside, beside):
            directory.mkdir()
            (directory / "file.txt").write_text("x")
        guard = Guard([os.path.realpath(inside)])
        guard.hook("open", (str(inside / "file.txt"), "r", 0))
        guard.hook("os.scandir", (str(beside),))
        guard.hook("open", (str(inside / ".." / "shared" / "file.txt"), "r", 0))
        guard.hook("open", (3, "r", 0))  # a file descriptor: nothing to judge
        assert guard.take() == [
            f"os.scandir {os.path.realpath(beside)}",
            f"open {os.path.realpath(beside / 'file.txt')}",
        ]
        assert guard.take() == []


def test_the_fixtures_are_in_the_checkout() -> None:
    from tests.sources import FIXTURES

    assert (FIXTURES / "SOURCE.md").is_file() and not outside(str(FIXTURES), [str(CHECKOUT)])
