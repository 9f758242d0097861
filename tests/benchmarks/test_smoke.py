"""`python -m benchmarks --smoke` runs every measurement and writes every section (figures are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from abuse_guard.evaluate import declared_types
from abuse_guard.policies import POLICIES
from benchmarks.engine import small_resources

REPO = Path(__file__).resolve().parents[2]

SECTIONS = {
    "startup": "Pack start-up",
    "analyze": "Analyze throughput over gRPC",
    "analyze-stack": "AnalyzeStack over gRPC",
    "overhead": "Whole pack overhead of one preview",
    "rules": "Rules in-process",
    "preview": "Offline preview end to end",
    "report": "Report generation",
    "browser": "HTML report in headless Chromium",
    "native": "aws-native in the same stack",
    "checkov": "Offline preview against Checkov 3.3.30",
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
        assert figure["result"] in ("pass", "miss", "-", "not run")
        assert (figure["value"] is None) == (figure["result"] == "not run")
        assert figure["value"] is not None or figure["note"], "a figure that was not measured says why"
    assert f"| **{title}** |" in markdown


def test_the_run_describes_its_machine(smoke: tuple[dict[str, Any], str]) -> None:
    document, _ = smoke
    assert document["mode"] == "smoke"
    assert [s["id"] for s in document["sections"]] == list(SECTIONS)
    assert set(document["machine"]) >= {"cpu", "cores", "memory_gib", "python", "load_at_start", "load_at_end"}


def test_the_node_packs_are_not_run_in_a_smoke_run_and_say_why(smoke: tuple[dict[str, Any], str]) -> None:
    """A smoke run never calls npm: every AWSGuard and empty Node pack row is "not run", with the reason."""
    document, _ = smoke
    node_rows = [
        figure
        for section in document["sections"]
        for figure in section["figures"]
        if "AWSGuard" in figure["name"] or "Node pack" in figure["name"]
    ]
    sections_with_node_rows = {
        section["id"] for section in document["sections"] if any(f in node_rows for f in section["figures"])
    }
    assert sections_with_node_rows == {"startup", "analyze", "analyze-stack", "overhead"}
    for figure in node_rows:
        assert figure["result"] == "not run"
        assert figure["note"].startswith("not run: ") and "npm ci" in figure["note"]


def test_the_small_resources_are_one_of_each_type_a_resource_policy_checks() -> None:
    """The mixed small-resource workload of the Analyze figures: a policy checking a new type needs a resource of
    it in benchmarks/engine.py SMALL_PROPS, or the workload is not built."""
    checked = {t for p in POLICIES if not p.is_stack_policy for t in declared_types(p)}
    resources = small_resources(2 * len(checked) + 1)
    assert len(resources) == 2 * len(checked) + 1
    assert {r.type for r in resources[: len(checked)]} == checked
    assert [r.type for r in resources[len(checked) :]] == [r.type for r in resources[: len(checked) + 1]]
