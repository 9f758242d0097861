"""One pack process per test module, started the way the Pulumi engine starts it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.analyzer import RunningPack, start_pack

REPO = Path(__file__).resolve().parents[2]
PACK_DIR = REPO / "policy-pack"
EMPTY_PACK_DIR = REPO / "benchmarks" / "empty_pack"


@pytest.fixture(scope="module")
def pack() -> Iterator[RunningPack]:
    with start_pack(PACK_DIR) as running:
        yield running
