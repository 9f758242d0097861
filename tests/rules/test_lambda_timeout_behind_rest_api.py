from dataclasses import replace
from typing import Any

import pytest

from abuse_guard.evaluate import evaluate_stack
from abuse_guard.findings import Finding, Outcome
from abuse_guard.graph import Graph
from abuse_guard.policies.lambda_timeout_behind_rest_api import POLICY
from abuse_guard.policy import EXEMPT_TAG_PREFIX
from abuse_guard.resources import UNKNOWN, Resource
from tests.cost.graphs import function, function_url, http_route, rest_endpoint


def behind_rest(timeout: Any = None, **integration: Any) -> list[Resource]:
    graph = rest_endpoint(function("handler", reserved=1.0, timeout=timeout))
    return [replace(r, props={**r.props, **integration}) if r.name == "integration" else r for r in graph]


def and_another_rest(graph: list[Resource], **integration: Any) -> list[Resource]:
    """`graph` plus a second REST API (each resource renamed '<name>-2') whose integration invokes the same function."""
    handler = next(r for r in graph if r.name == "handler")

    def renamed(r: Resource) -> Resource:
        deps = {k: tuple(u if u == handler.urn else f"{u}-2" for u in v) for k, v in r.property_dependencies.items()}
        props = {**r.props, **integration} if r.name == "integration" else r.props
        return replace(r, urn=f"{r.urn}-2", name=f"{r.name}-2", props=props, property_dependencies=deps)

    return graph + [renamed(r) for r in graph if r is not handler]


def verdict_for(graph: list[Resource], config: dict[str, Any] | None = None) -> Finding:
    findings = evaluate_stack(POLICY, Graph(graph), POLICY.settings(config))
    return next(f for f in findings if f.name == "handler")


CASES: dict[str, tuple[list[Resource], dict[str, Any] | None, Outcome]] = {
    "within_29_s": (behind_rest(10.0), None, Outcome.PASS),
    "exactly_29_s": (behind_rest(29.0), None, Outcome.PASS),
    "above_29_s": (behind_rest(30.0), None, Outcome.FAIL),
    "default_timeout_3_s": (behind_rest(None), None, Outcome.PASS),
    "raised_integration_timeout": (behind_rest(45.0, timeoutMilliseconds=60_000.0), None, Outcome.PASS),
    "shortened_integration_timeout": (behind_rest(10.0, timeoutMilliseconds=5_000.0), None, Outcome.FAIL),
    "unknown_timeout": (behind_rest(UNKNOWN), None, Outcome.UNKNOWN),
    "malformed_integration_timeout": (behind_rest(10.0, timeoutMilliseconds="soon"), None, Outcome.FAIL),
    "unknown_integration_timeout": (behind_rest(10.0, timeoutMilliseconds=UNKNOWN), None, Outcome.UNKNOWN),
    "within_both_integrations": (and_another_rest(behind_rest(10.0), timeoutMilliseconds=15_000.0), None, Outcome.PASS),
    "above_a_known_integration_despite_an_unknown_one": (
        and_another_rest(behind_rest(30.0, timeoutMilliseconds=UNKNOWN), timeoutMilliseconds=29_000.0),
        None,
        Outcome.FAIL,
    ),
    "within_the_known_integration_but_another_unknown": (
        and_another_rest(behind_rest(10.0, timeoutMilliseconds=UNKNOWN), timeoutMilliseconds=29_000.0),
        None,
        Outcome.UNKNOWN,
    ),
    "behind_an_http_api_only": (http_route(function("handler", timeout=60.0)), None, Outcome.NOT_APPLICABLE),
    "behind_a_function_url_only": (function_url(function("handler", timeout=900.0)), None, Outcome.NOT_APPLICABLE),
    "exempt_by_config": (
        behind_rest(60.0),
        {"exemptions": [{"resource": "handler", "reason": "answers within 29 s, then finishes in the background"}]},
        Outcome.EXEMPT,
    ),
}


@pytest.mark.parametrize(("graph", "config", "expected"), CASES.values(), ids=list(CASES))
def test_lambda_timeout_behind_rest_api(
    graph: list[Resource], config: dict[str, Any] | None, expected: Outcome
) -> None:
    assert verdict_for(graph, config).outcome is expected


def test_exempt_by_tag() -> None:
    tagged = [
        replace(r, props={**r.props, "tags": {EXEMPT_TAG_PREFIX + POLICY.id: "batch API"}})
        if r.name == "handler"
        else r
        for r in behind_rest(60.0)
    ]
    assert verdict_for(tagged).outcome is Outcome.EXEMPT


def test_message_names_the_integration_and_the_waste() -> None:
    assert verdict_for(behind_rest(60.0)).message == (
        "Lambda function 'handler' runs for up to 60 s, but Integration 'integration' gives up after 29 s: the caller "
        "gets a 504 while the function keeps running, and billing, for up to 31 s more per call; set timeout to at "
        "most 29"
    )
