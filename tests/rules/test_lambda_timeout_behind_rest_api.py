import json
from dataclasses import replace
from typing import Any

import pytest

from abuse_guard.aws.types import REST_API
from abuse_guard.evaluate import evaluate_stack
from abuse_guard.findings import Finding, Outcome
from abuse_guard.graph import Graph
from abuse_guard.policies.lambda_timeout_behind_rest_api import POLICY
from abuse_guard.policy import EXEMPT_TAG_PREFIX
from abuse_guard.resources import UNKNOWN, Resource
from tests.cost.graphs import function, function_url, http_route, rest_endpoint
from tests.support import resource


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


def on_api(graph: list[Resource], **api: Any) -> list[Resource]:
    """`graph` with its RestApi's inputs `api` added (endpointConfiguration, ...)."""
    return [replace(r, props={**r.props, **api}) if r.type == REST_API else r for r in graph]


def without_api(graph: list[Resource]) -> list[Resource]:
    """`graph` without its RestApi: the API is another stack's."""
    return [r for r in graph if r.type != REST_API]


def by_known_id(graph: list[Resource]) -> list[Resource]:
    """`graph` as a state holds it: the RestApi's `id` known, the integration's restApi that ID, no dependency on it."""

    def known(r: Resource) -> Resource:
        if r.type == REST_API:
            return replace(r, props={**r.props, "id": "a1b2c3"})
        if r.name == "integration":
            deps = {k: v for k, v in r.property_dependencies.items() if k != "restApi"}
            return replace(r, props={**r.props, "restApi": "a1b2c3"}, property_dependencies=deps)
        return r

    return [known(r) for r in graph]


REGIONAL = {"endpointConfiguration": {"types": "REGIONAL"}}
PRIVATE = {"endpointConfiguration": {"types": "PRIVATE"}}
EDGE = {"endpointConfiguration": {"types": "EDGE"}}


def body_api(timeout: float, endpoint: dict[str, Any]) -> list[Resource]:
    """A function named 'handler' behind an OpenAPI body's AWS_PROXY integration with timeoutInMillis 300,000."""
    uri = (
        "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:us-east-1:123456789012:function:handler/invocations"
    )
    integration = {"type": "aws_proxy", "httpMethod": "POST", "uri": uri, "timeoutInMillis": 300_000}
    body = {"openapi": "3.0.1", "info": {"title": "api", "version": "1"}}
    body["paths"] = {"/jobs": {"post": {"x-amazon-apigateway-integration": integration}}}
    api = resource(REST_API, {"name": "api", "body": json.dumps(body), **endpoint}, "api")
    fn = function("handler", reserved=1.0, timeout=timeout)
    return [replace(fn, props={**fn.props, "name": "handler"}), api]


def verdict_for(graph: list[Resource], config: dict[str, Any] | None = None) -> Finding:
    findings = evaluate_stack(POLICY, Graph(graph), POLICY.settings(config))
    return next(f for f in findings if f.name == "handler")


CASES: dict[str, tuple[list[Resource], dict[str, Any] | None, Outcome]] = {
    "within_29_s": (behind_rest(10.0), None, Outcome.PASS),
    "exactly_29_s": (behind_rest(29.0), None, Outcome.PASS),
    "above_29_s": (behind_rest(30.0), None, Outcome.FAIL),
    "default_timeout_3_s": (behind_rest(None), None, Outcome.PASS),
    # integration timeouts above 29 s exist only for Regional and private REST APIs (issue 20 item 5; AWS What's
    # New 2024-06-04 "integration timeout limit increase beyond 29 seconds"; REST API Reference Integration
    # timeoutInMillis): an edge-optimized API, also one without endpointConfiguration, keeps the 29 s cap
    "raised_timeout_on_a_regional_api": (
        on_api(behind_rest(45.0, timeoutMilliseconds=60_000.0), **REGIONAL),
        None,
        Outcome.PASS,
    ),
    "raised_timeout_on_a_private_api": (
        on_api(behind_rest(45.0, timeoutMilliseconds=60_000.0), **PRIVATE),
        None,
        Outcome.PASS,
    ),
    "raised_timeout_on_a_native_regional_api": (
        on_api(behind_rest(45.0, timeoutMilliseconds=60_000.0), endpointConfiguration={"types": ["REGIONAL"]}),
        None,
        Outcome.PASS,
    ),
    "raised_timeout_on_an_edge_api": (
        on_api(behind_rest(45.0, timeoutMilliseconds=60_000.0), **EDGE),
        None,
        Outcome.FAIL,
    ),
    "raised_timeout_without_endpoint_configuration": (
        behind_rest(300.0, timeoutMilliseconds=300_000.0),
        None,
        Outcome.FAIL,
    ),
    "raised_timeout_on_an_edge_api_function_within_29_s": (
        behind_rest(20.0, timeoutMilliseconds=300_000.0),
        None,
        Outcome.PASS,
    ),
    "raised_timeout_endpoint_type_unknown": (
        on_api(behind_rest(45.0, timeoutMilliseconds=60_000.0), endpointConfiguration={"types": UNKNOWN}),
        None,
        Outcome.UNKNOWN,
    ),
    "raised_timeout_endpoint_type_unknown_function_within_29_s": (
        on_api(behind_rest(20.0, timeoutMilliseconds=60_000.0), endpointConfiguration={"types": UNKNOWN}),
        None,
        Outcome.PASS,
    ),
    "raised_timeout_endpoint_type_unknown_function_beyond_both": (
        on_api(behind_rest(90.0, timeoutMilliseconds=60_000.0), endpointConfiguration={"types": UNKNOWN}),
        None,
        Outcome.FAIL,
    ),
    "raised_timeout_api_in_another_stack": (
        without_api(behind_rest(45.0, timeoutMilliseconds=60_000.0)),
        None,
        Outcome.UNKNOWN,
    ),
    # a state names the API by its known ID (no property dependency needed)
    "raised_timeout_on_a_regional_api_named_by_its_id": (
        by_known_id(on_api(behind_rest(45.0, timeoutMilliseconds=60_000.0), **REGIONAL)),
        None,
        Outcome.PASS,
    ),
    "raised_timeout_on_an_edge_api_named_by_its_id": (
        by_known_id(behind_rest(45.0, timeoutMilliseconds=60_000.0)),
        None,
        Outcome.FAIL,
    ),
    "raised_timeout_in_an_edge_api_body": (body_api(300.0, {}), None, Outcome.FAIL),
    "raised_timeout_in_a_regional_api_body": (body_api(300.0, REGIONAL), None, Outcome.PASS),
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


def test_an_edge_api_s_cap_is_named_with_its_fix() -> None:
    """The issue's input: a 300 s function behind an AWS_PROXY integration of 300,000 ms on a RestApi without
    endpointConfiguration, which is edge-optimized."""
    assert verdict_for(behind_rest(300.0, timeoutMilliseconds=300_000.0)).message == (
        "Lambda function 'handler' runs for up to 300 s, but Integration 'integration' gives up after 29 s (its "
        "timeout of 300000 ms is above the 29,000 an edge-optimized REST API allows: RestApi 'api' is EDGE (the "
        "default), and only Regional and private APIs wait longer): the caller gets a 504 while the function keeps "
        "running, and billing, for up to 271 s more per call; set timeout to at most 29, or make the API Regional: "
        "endpoint_configuration={'types': 'REGIONAL'}"
    )


def test_an_unknown_endpoint_type_says_both_readings() -> None:
    graph = on_api(behind_rest(45.0, timeoutMilliseconds=60_000.0), endpointConfiguration={"types": UNKNOWN})
    message = verdict_for(graph).message
    assert "the endpoint type of RestApi 'api' is not known until deployment: it gives up after 29 s or 60 s" in (
        message
    )
