"""`python -m benchmarks --smoke` runs every measurement and writes every section (figures are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]

SECTIONS = {
    "startup": "Pack start-up",
    "analyze": "Analyze throughput over gRPC",
    "analyze-stack": "AnalyzeStack over gRPC",
    "rules": "Rules in-process",
    "preview": "Offline preview end to end",
    "report": "Report generation",
    "browser": "HTML report in headless Chromium",
}


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str]:
    """The smoke run's latest.json (parsed) and latest.md."""
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--smoke", "--out", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads((out / "latest.json").read_text(encoding="utf-8"))
    return document, (out / "latest.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("section_id", "title"), SECTIONS.items(), ids=list(SECTIONS))
def test_every_section_is_written_with_figures(smoke: tuple[dict[str, Any], str], section_id: str, title: str) -> None:
    document, markdown = smoke
    section = next(s for s in document["sections"] if s["id"] == section_id)
    assert section["title"] == title
    assert section["figures"]
    for figure in section["figures"]:
        assert figure["result"] in ("pass", "miss", "-", "skipped")
        assert (figure["value"] is None) == (figure["result"] == "skipped")
    assert f"| **{title}** |" in markdown


def test_the_run_describes_its_machine(smoke: tuple[dict[str, Any], str]) -> None:
    document, _ = smoke
    assert document["mode"] == "smoke"
    assert [s["id"] for s in document["sections"]] == list(SECTIONS)
    assert set(document["machine"]) >= {"cpu", "cores", "memory_gib", "python", "load_at_start", "load_at_end"}
