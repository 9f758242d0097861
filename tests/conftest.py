"""Session-wide guard: no test reads anything outside the checkout (tests/checkout_guard.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from tests.checkout_guard import Guard, allowed_roots

GUARD = Guard(allowed_roots())
sys.addaudithook(GUARD.hook)  # audit hooks cannot be removed: installed once, for the whole session
BETWEEN_TESTS: list[str] = []
"""What collection, module fixtures or teardown read outside the checkout; reported when the session ends."""


@pytest.fixture(autouse=True)
def _nothing_read_outside_the_checkout() -> Iterator[None]:
    BETWEEN_TESTS.extend(GUARD.take())
    yield
    seen = GUARD.take()
    assert not seen, "the test read outside the checkout: " + "; ".join(sorted(set(seen))[:10])


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    seen = BETWEEN_TESTS + GUARD.take()
    if seen:
        print("\nread outside the checkout outside any test: " + "; ".join(sorted(set(seen))[:10]), file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
