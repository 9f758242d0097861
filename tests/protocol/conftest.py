"""One pack process per test module, started the way the Pulumi engine starts it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness.analyzer import RunningPack, start_pack

REPO = Path(__file__).resolve().parents[2]
PACK_DIR = REPO / "policy-pack"
EMPTY_PACK_DIR = REPO / "benchmarks" / "empty_pack"


def started(tmp_path_factory: pytest.TempPathFactory, main: str) -> Iterator[RunningPack]:
    """A pack directory whose __main__.py is `main`, started as the engine starts a pack."""
    directory = tmp_path_factory.mktemp("pack")
    (directory / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (directory / "__main__.py").write_text(main)
    with start_pack(directory) as running:
        yield running


@pytest.fixture(scope="module")
def pack() -> Iterator[RunningPack]:
    with start_pack(PACK_DIR) as running:
        yield running
