"""Every source that has the resources' inputs shows the entrypoints' costs in its Run, priced once per Run: the
entrypoint-cost-budget policy and the Run's entrypoints read the same pricing (cost.priced)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel
from pulumi_policy.policy import _PolicyAnalyzerServicer

from abuse_guard.cost.exposure import Links
from abuse_guard.crossguard import pulumi_policy, shared_server
from abuse_guard.findings import Outcome
from abuse_guard.offline import program, record
from abuse_guard.offline.project import load_project, load_stack
from abuse_guard.pack_config import parse
from abuse_guard.pipeline import preview, read_state
from abuse_guard.policies import POLICIES
from tests.cost.graphs import entrypoint_costs, function, rest_endpoint
from tests.harness.analyzer import analyzer_resource, reported

REPO = Path(__file__).resolve().parents[2]
FUNCTION = "urn:pulumi:prod::shop::aws:lambda/function:Function::hook"
URL = "urn:pulumi:prod::shop::aws:lambda/functionUrl:FunctionUrl::hook-url"


def test_the_offline_preview_carries_the_costs_of_its_entrypoints() -> None:
    run = preview(REPO, "compliant")
    project = load_project(REPO)
    resources = [r.resource for r in record(program(project, load_stack(project, "compliant")))]
    assert [(b.name, b.worst) for b in run.entrypoints] == [(b.name, b.worst) for b in entrypoint_costs(resources)]


def exported(tmp_path: Path) -> Path:
    """A `pulumi stack export`: the function URL names its function, and the state records the dependency."""
    function = {
        "urn": FUNCTION,
        "type": "aws:lambda/function:Function",
        "inputs": {"runtime": "python3.12", "timeout": 10},
        "outputs": {"name": "hook-1a2b", "memorySize": 128, "timeout": 10, "reservedConcurrentExecutions": 2},
    }
    url = {
        "urn": URL,
        "type": "aws:lambda/functionUrl:FunctionUrl",
        "inputs": {"functionName": "hook-1a2b", "authorizationType": "AWS_IAM"},
        "outputs": {"functionName": "hook-1a2b", "authorizationType": "AWS_IAM"},
        "propertyDependencies": {"functionName": [FUNCTION]},
    }
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": [function, url]}}), encoding="utf-8")
    return path


def test_a_deployed_state_carries_the_costs(tmp_path: Path) -> None:
    [entrypoint] = read_state(exported(tmp_path)).entrypoints
    assert (entrypoint.name, entrypoint.function, entrypoint.budget) == ("hook-url", "hook", 100.0)
    assert entrypoint.worst is not None
    # 10 requests/s x reserved 2 = 20/s: 51,840,000 x $0.20/1e6 = $10.368; 2 x 2,592,000 x 0.125 x $0.0000166667
    # = $10.8000216; total $21.1680216
    assert round(entrypoint.worst.cost.total, 7) == 21.1680216


@pytest.fixture
def pricings(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times the cost model reads a graph (one `Links` per pricing): a list holding the count."""
    count = [0]
    build = Links.__init__

    def counted(self: Links, *args: Any) -> None:
        count[0] += 1
        build(self, *args)

    monkeypatch.setattr(Links, "__init__", counted)
    yield count


ENABLED = {"none": {}, "cost policy disabled": {"entrypoint-cost-budget": "disabled"}}


@pytest.mark.parametrize("config", ENABLED.values(), ids=list(ENABLED))
def test_the_offline_preview_prices_once(pricings: list[int], config: dict[str, Any]) -> None:
    run = preview(REPO, "insecure", pack_config=parse(config, POLICIES))
    assert run.entrypoints
    assert pricings[0] == 1
    budget = [f for f in run.findings if f.policy == "entrypoint-cost-budget"]
    assert bool(budget) == (not config)


def test_a_state_audit_prices_once_and_its_findings_match_its_entrypoints(pricings: list[int], tmp_path: Path) -> None:
    run = read_state(exported(tmp_path))
    assert pricings[0] == 1
    [entrypoint] = run.entrypoints
    [finding] = [f for f in run.findings if f.policy == "entrypoint-cost-budget"]
    assert (finding.urn, finding.outcome) == (entrypoint.urn, Outcome.PASS)
    assert finding.message.startswith("function URL 'hook-url' -> Lambda function 'hook' costs at most $21.17")


@pytest.mark.parametrize("shared", [True, False], ids=["decode-once server", "pulumi-policy's servicer"])
def test_the_engine_prices_once_per_analyze_stack(pricings: list[int], shared: bool) -> None:
    """AnalyzeStack as the engine sends it, answered in process by the servicer `serve` runs (or PolicyPack's own)."""
    server = shared_server()
    assert server is not None
    converted = [pulumi_policy(p) for p in POLICIES]
    servicer = (
        server.SharedRequests((), "abuse-guard", "0.0.1", converted, EnforcementLevel.ADVISORY)
        if shared
        else _PolicyAnalyzerServicer("abuse-guard", "0.0.1", converted, EnforcementLevel.ADVISORY)
    )
    graph = rest_endpoint(function("refresh-cache", reserved=1.0, timeout=30.0))
    request = analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_resource(r) for r in graph])
    said = reported(servicer.AnalyzeStack(request, None))
    assert pricings[0] == 1
    [over] = [r for r in said if r.policy == "entrypoint-cost-budget"]
    assert (over.urn, over.kind) == (graph[3].urn, Outcome.FAIL)
    assert "over the $100.00 budget" in over.message
