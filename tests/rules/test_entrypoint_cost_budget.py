from typing import Any

import pytest

from abuse_guard.evaluate import evaluate, evaluate_stack
from abuse_guard.findings import Finding, Outcome
from abuse_guard.graph import Graph
from abuse_guard.policies import POLICIES
from abuse_guard.policies.entrypoint_cost_budget import POLICY
from abuse_guard.policy import ConfigError
from abuse_guard.resources import UNKNOWN, Resource
from tests.cost.graphs import function, function_url, rest_endpoint


def seed_webhook(**function_props: Any) -> list[Resource]:
    """POST /refresh-cache with no API key and no throttle, reserved 1, 30 s: $90,730.58 a month at worst."""
    props = {"reserved": 1.0, "timeout": 30.0, "memory": 128.0, **function_props}
    return rest_endpoint(function("refresh-cache", **props))


def reference_webhook() -> list[Resource]:
    """The reference stack's webhook: key, quota of 5,000 a day, stage throttle: $3.68 a month at worst."""
    plan = {
        "throttleSettings": {"rateLimit": 2.0, "burstLimit": 5.0},
        "quotaSettings": {"limit": 5000.0, "period": "DAY"},
    }
    fn = function("refresh-cache", reserved=1.0, timeout=10.0, memory=128.0)
    return rest_endpoint(fn, api_key=True, stage_throttle=5.0, plan=plan, keys=1)


def finding(graph: list[Resource], config: dict[str, Any] | None = None, name: str = "method") -> Finding:
    findings = evaluate_stack(POLICY, Graph(graph), POLICY.settings(config))
    return next(f for f in findings if f.name == name)


CASES: dict[str, tuple[list[Resource], dict[str, Any] | None, Outcome]] = {
    "reference_webhook_within_budget": (reference_webhook(), None, Outcome.PASS),
    "seed_webhook_over_budget": (seed_webhook(), None, Outcome.FAIL),
    "lower_budget": (reference_webhook(), {"monthlyBudget": 3}, Outcome.FAIL),
    "stack_budget": (seed_webhook(), {"stackBudgets": {"dev": 100_000}}, Outcome.PASS),
    "other_stacks_budget": (seed_webhook(), {"stackBudgets": {"prod": 100_000}}, Outcome.FAIL),
    "function_budget_wins_over_the_stacks": (
        seed_webhook(),
        {"stackBudgets": {"dev": 1}, "functionBudgets": [{"function": "refresh-*", "budget": 100_000}]},
        Outcome.PASS,
    ),
    "function_budget_for_another_function": (
        seed_webhook(),
        {"functionBudgets": [{"function": "search-*", "budget": 100_000}]},
        Outcome.FAIL,
    ),
    # the unthrottled stage's requests alone are over budget, whatever the reservation (issue 20.2)
    "unknown_reservation": (seed_webhook(reserved=UNKNOWN), None, Outcome.FAIL),
    "malformed_reservation": (seed_webhook(reserved="one"), None, Outcome.FAIL),
    "exempt_by_config": (
        seed_webhook(),
        {"exemptions": [{"resource": "method", "reason": "internal load test endpoint"}]},
        Outcome.EXEMPT,
    ),
}


@pytest.mark.parametrize(("graph", "config", "expected"), CASES.values(), ids=list(CASES))
def test_entrypoint_cost_budget(graph: list[Resource], config: dict[str, Any] | None, expected: Outcome) -> None:
    assert finding(graph, config).outcome is expected


def test_method_without_a_lambda_integration_is_not_applicable() -> None:
    graph = [r for r in seed_webhook() if r.name != "integration"]
    assert finding(graph).outcome is Outcome.NOT_APPLICABLE


def test_violation_names_the_binding_limit_and_the_cheapest_fix() -> None:
    message = finding(seed_webhook()).message
    assert message.startswith(
        "REST method 'method' -> Lambda function 'refresh-cache' can cost up to $90,730.58/month ($5.18 Lambda "
        "requests + $5.40 Lambda duration + $90,720.00 API Gateway), over the $100.00 budget, bound only by the "
        "account's API Gateway limit of 10,000 requests/s (no throttle on stage 'prod'); "
    )
    assert message.endswith(
        "the cheapest fix: requiring an API key, with a usage plan quota of 10,000 requests/day per API key would "
        "cap this at $6.51/month"
    )


def test_function_url_findings_attach_to_the_url() -> None:
    [result] = evaluate_stack(POLICY, Graph(function_url(function("worker"))), POLICY.settings(None))
    assert (result.name, result.type, result.outcome) == ("url", "aws:lambda/functionUrl:FunctionUrl", Outcome.FAIL)


def test_the_evaluator_runs_it_with_the_whole_registry_and_its_config() -> None:
    """The path the CrossGuard adapter and the offline preview share: registry, config by policy id, evaluate()."""
    graph = seed_webhook()
    over = [f for f in evaluate(POLICIES, graph) if f.policy == POLICY.id]
    raised = [f for f in evaluate(POLICIES, graph, {POLICY.id: {"monthlyBudget": 100_000}}) if f.policy == POLICY.id]
    assert [(f.name, f.outcome) for f in over] == [("method", Outcome.FAIL)]
    assert [(f.name, f.outcome) for f in raised] == [("method", Outcome.PASS)]


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({"monthlyBudget": -1}, "monthlyBudget"),
        ({"stackBudgets": {"prod": "lots"}}, "stackBudgets.prod"),
        ({"functionBudgets": [{"function": "x"}]}, "functionBudgets.0"),
        ({"secondsPerMonth": 0}, "secondsPerMonth"),
    ],
    ids=["negative_budget", "budget_not_a_number", "function_budget_without_budget", "empty_month"],
)
def test_invalid_config_names_the_field(config: dict[str, Any], field: str) -> None:
    with pytest.raises(ConfigError, match=f"'{field}'"):
        POLICY.settings(config)
