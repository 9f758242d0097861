"""One pipeline builds every Run: what each source does with disabled policies and with remediation."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from abuse_guard.findings import Outcome
from abuse_guard.pack_config import parse
from abuse_guard.pipeline import preview, read_event_log, read_state
from abuse_guard.policies import POLICIES
from tests.sources import FIXTURES

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "policy-pack" / "abuse_guard"
FUNCTION = "urn:pulumi:prod::shop::aws:lambda/function:Function::worker"
CONFIG = {"lambda-reserved-concurrency": "remediate", "lambda-function-url-auth": "disabled"}


def unreserved_function_state(tmp_path: Path) -> Path:
    """A deployed function with no reservation: the provider's -1 in its outputs."""
    export = {
        "version": 3,
        "deployment": {
            "resources": [
                {
                    "urn": FUNCTION,
                    "type": "aws:lambda/function:Function",
                    "inputs": {"runtime": "python3.12"},
                    "outputs": {"reservedConcurrentExecutions": -1, "timeout": 3, "memorySize": 128},
                }
            ]
        },
    }
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    return path


def test_a_state_audit_judges_what_is_deployed_without_remediating(tmp_path: Path) -> None:
    """At level remediate the engine would fill the reservation in at `pulumi up`; a state without it has none."""
    run = read_state(unreserved_function_state(tmp_path), parse(CONFIG, POLICIES))
    [finding] = [f for f in run.findings if f.policy == "lambda-reserved-concurrency"]
    assert finding.outcome is Outcome.FAIL
    assert finding.message.startswith("Lambda function 'worker' has no reserved concurrency")


def test_the_offline_preview_remediates_as_the_engine_does() -> None:
    run = preview(REPO, "insecure", pack_config=parse(CONFIG, POLICIES))
    [finding] = [f for f in run.findings if f.policy == "lambda-reserved-concurrency" and f.name == "unreserved-worker"]
    assert finding.outcome is Outcome.PASS
    assert finding.message.startswith("remediated: reservedConcurrentExecutions absent -> 1; ")


def test_disabled_policies_are_listed_as_disabled_and_never_evaluated(tmp_path: Path) -> None:
    for run in (
        preview(REPO, "insecure", pack_config=parse(CONFIG, POLICIES)),
        read_state(unreserved_function_state(tmp_path), parse(CONFIG, POLICIES)),
    ):
        levels = {p.id: p.enforcement for p in run.policies}
        assert list(levels) == [p.id for p in POLICIES]
        assert levels["lambda-function-url-auth"] == "disabled"
        assert levels["lambda-reserved-concurrency"] == "remediate"
        assert not [f for f in run.findings if f.policy == "lambda-function-url-auth"]


def test_an_event_log_runs_no_rule() -> None:
    """The engine's decisions as logged: the findings' messages are the engine's, not re-evaluated ones."""
    run = read_event_log(FIXTURES / "events-TestSimpleAnalyzeResourceFailure.ndjson")
    assert run.entrypoints == ()
    assert [(p.id, p.pack, p.enforcement) for p in run.policies] == [("always-fails", "analyzerA", "mandatory")]
    assert [(f.outcome, f.message) for f in run.findings if f.outcome is Outcome.FAIL] == [
        (Outcome.FAIL, "a policy failed")
    ]


def test_only_the_pipeline_builds_a_run() -> None:
    """Every Run comes from pipeline._run, so no source can drift from the others."""
    builders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Run":
                builders.append(path.relative_to(PACKAGE).as_posix())
    assert builders == ["pipeline.py"]


def test_the_pulumi_aws_apigateway_component_state_fails_its_open_body_operation() -> None:
    """A real state written by pulumi_aws_apigateway.RestAPI: a Swagger body with an open GET / to a Lambda,
    no Method resources (tests/fixtures/pulumi/SOURCE.md)."""
    run = read_state(FIXTURES / "state-aws-apigateway-component.json")
    failing = {(f.policy, f.name) for f in run.findings if f.outcome is Outcome.FAIL}
    assert {("rest-method-authorization", "api"), ("entrypoint-cost-budget", "api")} <= failing
    [authorization] = [f for f in run.findings if f.policy == "rest-method-authorization"]
    assert authorization.message.startswith("GET / in RestApi 'api' is open to anyone")
    [bound] = run.entrypoints
    assert (bound.name, bound.kind, bound.function, bound.over_budget) == ("api GET /", "REST method", "lambda", True)
