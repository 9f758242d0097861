"""Every source that has the resources' inputs shows the bounds in its Run, from the one shared function."""

from __future__ import annotations

import json
from pathlib import Path

from abuse_guard.evaluate import stack_graph
from abuse_guard.offline import program, record
from abuse_guard.offline.project import load_project, load_stack
from abuse_guard.pipeline import preview, read_state
from abuse_guard.policies.entrypoint_cost_budget import entrypoint_bounds

REPO = Path(__file__).resolve().parents[2]
FUNCTION = "urn:pulumi:prod::shop::aws:lambda/function:Function::hook"
URL = "urn:pulumi:prod::shop::aws:lambda/functionUrl:FunctionUrl::hook-url"


def test_the_offline_preview_carries_the_bounds_of_its_resources() -> None:
    run = preview(REPO, "compliant")
    project = load_project(REPO)
    resources = [r.resource for r in record(program(project, load_stack(project, "compliant")))]
    assert [(b.name, b.worst) for b in run.entrypoints] == [
        (b.name, b.worst) for b in entrypoint_bounds(stack_graph(resources))
    ]


def test_a_deployed_state_carries_the_bounds(tmp_path: Path) -> None:
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
    [bound] = read_state(path).entrypoints
    assert (bound.name, bound.function, bound.budget) == ("hook-url", "hook", 100.0)
    assert bound.worst is not None
    # 10 requests/s x reserved 2 = 20/s: 51,840,000 x $0.20/1e6 = $10.368; 2 x 2,592,000 x 0.125 x $0.0000166667
    # = $10.8000216; total $21.1680216
    assert round(bound.worst.cost.total, 7) == 21.1680216
