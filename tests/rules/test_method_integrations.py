"""Which REST integration is a method's: the one with the method's (REST API, resource, HTTP method), the values
known or linked, dependencies used only to resolve what is not known (issue 20, item 1).

Source: Amazon API Gateway REST API Reference, PutIntegration (an integration is named by restApiId, resourceId
and httpMethod: one per method); the issue's program, Pulumi's aws-py-apigateway-lambda-serverless shape:
`aws.apigateway.Integration("integration-root", rest_api=api.id, resource_id=api.root_resource_id,
http_method=proxy_method.http_method, ...)`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from abuse_guard.aws.frontdoors import FrontDoors
from abuse_guard.aws.native import expanded
from abuse_guard.aws.types import REST_API, REST_INTEGRATION, REST_METHOD, REST_RESOURCE, REST_STAGE
from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Outcome
from abuse_guard.graph import Graph
from abuse_guard.policies import BY_ID
from abuse_guard.resources import UNKNOWN, Resource
from abuse_guard.values import Undetermined
from tests.cost.graphs import function, linked
from tests.support import resource

INTEGRATION = {"type": "AWS_PROXY", "integrationHttpMethod": "POST"}


def proxy_api(*, root_verb_from_proxy: bool = True) -> list[Resource]:
    """The issue's program at a first preview: `ANY /{proxy+}` and `ANY /`, each with its own integration to one
    function; the root integration takes its httpMethod from the proxy method's output (its value known: a Method's
    httpMethod is an input, which a preview echoes)."""
    fn = function("handler", reserved=5.0)
    other = function("other", reserved=5.0)
    api = resource(REST_API, {"name": "api"}, "api")
    proxy_resource = linked(REST_RESOURCE, {"pathPart": "{proxy+}"}, "proxy-resource", restApi=api, parentId=api)
    proxy = linked(
        REST_METHOD, {"httpMethod": "ANY", "authorization": "NONE"}, "proxy", restApi=api, resourceId=proxy_resource
    )
    root = linked(
        REST_METHOD, {"httpMethod": "ANY", "authorization": "NONE"}, "proxy-root", restApi=api, resourceId=api
    )
    proxy_integration = integration("integration", api, resource_id=proxy, verb_from=proxy, fn=fn)
    root_integration = integration(
        "integration-root", api, resource_id=api, verb_from=proxy if root_verb_from_proxy else root, fn=other
    )
    stage = linked(REST_STAGE, {"stageName": "prod"}, "prod", restApi=api)
    return [fn, other, api, proxy_resource, proxy, root, proxy_integration, root_integration, stage]


def integration(name: str, api: Resource, *, resource_id: Resource, verb_from: Resource, fn: Resource) -> Resource:
    """An AWS_PROXY Integration `ANY` (its value known, from `verb_from`'s output) on `api` and `resource_id`."""
    props = {**INTEGRATION, "httpMethod": "ANY"}
    return linked(REST_INTEGRATION, props, name, restApi=api, resourceId=resource_id, httpMethod=verb_from, uri=fn)


def named(graph: list[Resource], name: str) -> Resource:
    return next(r for r in graph if r.name == name)


def changed(
    graph: list[Resource], name: str, props: dict[str, Any] | None = None, **deps: tuple[str, ...]
) -> list[Resource]:
    """`graph` with resource `name`'s inputs and property dependencies updated."""
    return [
        replace(r, props={**r.props, **(props or {})}, property_dependencies={**r.property_dependencies, **deps})
        if r.name == name
        else r
        for r in graph
    ]


def as_in_a_state(graph: list[Resource]) -> list[Resource]:
    """Every link as a known ID, as a deployed stack's state (or the offline preview's deployed model) holds it."""
    ids = {"api": "a1b2c3", "proxy-resource": "res-proxy"}
    known = {
        "proxy": {"restApi": "a1b2c3", "resourceId": "res-proxy"},
        "proxy-root": {"restApi": "a1b2c3", "resourceId": "res-root"},
        "integration": {"restApi": "a1b2c3", "resourceId": "res-proxy"},
        "integration-root": {"restApi": "a1b2c3", "resourceId": "res-root"},
    }
    return [
        replace(r, props={**r.props, **known.get(r.name, {}), **({"id": ids[r.name]} if r.name in ids else {})})
        for r in graph
    ]


def second_api(graph: list[Resource]) -> list[Resource]:
    """`graph` plus another REST API with `GET /` whose integration takes its verb from the first API's proxy method."""
    api = resource(REST_API, {"name": "other-api"}, "other-api")
    get = linked(REST_METHOD, {"httpMethod": "ANY", "authorization": "NONE"}, "other-root", restApi=api, resourceId=api)
    return [*graph, api, get]


# shape -> (graph, method, the function it invokes: a name, "none" for no integration, "unknown")
CASES: dict[str, tuple[list[Resource], str, str]] = {
    # issue 20 item 1: the root integration belongs to the root method, though its verb comes from the proxy method
    "root_integration_with_the_proxy_method_s_verb": (proxy_api(), "proxy-root", "other"),
    "proxy_method_keeps_its_own_integration": (proxy_api(), "proxy", "handler"),
    "root_integration_with_the_root_method_s_verb": (proxy_api(root_verb_from_proxy=False), "proxy-root", "other"),
    # the same program deployed: every value known, matched as written
    "known_values_root": (as_in_a_state(proxy_api()), "proxy-root", "other"),
    "known_values_proxy": (as_in_a_state(proxy_api()), "proxy", "handler"),
    # `rest_api=method.rest_api, resource_id=method.resource_id, http_method=method.http_method`: not known at preview,
    # each resolved through the method it comes from
    "every_value_taken_from_the_method": (
        changed(
            proxy_api(),
            "integration",
            {"restApi": UNKNOWN, "resourceId": UNKNOWN, "httpMethod": UNKNOWN},
            restApi=("urn:pulumi:dev::proj::aws:apigateway/method:Method::proxy",),
            resourceId=("urn:pulumi:dev::proj::aws:apigateway/method:Method::proxy",),
        ),
        "proxy",
        "handler",
    ),
    # a method of another API with the same path and verb is not the integration's
    "same_path_and_verb_on_another_api": (second_api(proxy_api()), "other-root", "none"),
    # an integration for another verb on the same resource
    "another_verb": (
        changed(proxy_api(), "integration-root", {"httpMethod": "POST"}, httpMethod=()),
        "proxy-root",
        "none",
    ),
    # two integrations with the method's three values: which one AWS keeps depends on the order they are written
    "two_integrations_on_one_method": (
        changed(proxy_api(), "integration", resourceId=("urn:pulumi:dev::proj::aws:apigateway/restApi:RestApi::api",)),
        "proxy-root",
        "unknown",
    ),
    # a value not known and from no resource of the stack: the integration may be the method's
    "integration_resource_from_outside_the_stack": (
        changed(proxy_api(), "integration-root", {"resourceId": UNKNOWN}, resourceId=()),
        "proxy-root",
        "unknown",
    ),
    # ... but not a method it differs from on a value that is known
    "open_value_but_another_verb": (
        changed(
            proxy_api(), "integration-root", {"resourceId": UNKNOWN, "httpMethod": "GET"}, resourceId=(), httpMethod=()
        ),
        "proxy-root",
        "none",
    ),
}


def function_behind(graph: list[Resource], method: str) -> str:
    doors = Graph(graph).derived(FrontDoors)
    try:
        found = doors.method_function(named(graph, method))
    except Undetermined:
        return "unknown"
    return found.name if isinstance(found, Resource) else "none"


@pytest.mark.parametrize(("graph", "method", "expected"), CASES.values(), ids=list(CASES))
def test_a_method_s_integration(graph: list[Resource], method: str, expected: str) -> None:
    assert function_behind(graph, method) == expected


OUTCOMES = {"unknown": Outcome.UNKNOWN, "none": Outcome.NOT_APPLICABLE}


@pytest.mark.parametrize(("graph", "method", "expected"), CASES.values(), ids=list(CASES))
def test_the_cost_rule_prices_the_method_s_own_integration(graph: list[Resource], method: str, expected: str) -> None:
    """entrypoint-cost-budget, as every evaluation runs it: an unthrottled public method fails its $100 budget."""
    [found] = [f for f in evaluate([BY_ID["entrypoint-cost-budget"]], graph) if f.name == method]
    assert found.outcome is OUTCOMES.get(expected, Outcome.FAIL)
    if expected not in OUTCOMES:
        assert f"-> Lambda function '{expected}'" in found.message


def test_the_message_names_the_open_input() -> None:
    graph, method, _ = CASES["integration_resource_from_outside_the_stack"]
    [found] = [f for f in evaluate([BY_ID["entrypoint-cost-budget"]], graph) if f.name == method]
    assert (
        "Method 'proxy-root' may have Integration 'integration-root' as its integration: "
        "Integration 'integration-root'.resourceId is not known until deployment"
    ) in found.message


def test_an_aws_native_method_s_embedded_integration_is_its_own() -> None:
    """aws-native Method `integration`: the method's own values, even where its restApiId is known to nothing."""
    fn = function("handler", reserved=5.0)
    method = resource(
        "aws-native:apigateway:Method",
        {
            "restApiId": UNKNOWN,
            "resourceId": UNKNOWN,
            "httpMethod": "GET",
            "authorizationType": "NONE",
            "integration": {"type": "AWS_PROXY", "uri": UNKNOWN},
        },
        "get",
        property_dependencies={"integration": (fn.urn,)},
    )
    other = replace(
        method, urn=method.urn.replace("::get", "::post"), name="post", props={**method.props, "httpMethod": "POST"}
    )
    graph = expanded([fn, method, other])
    doors = Graph(graph).derived(FrontDoors)
    for declared in (method, other):
        found = doors.method_function(next(r for r in graph if r.urn == declared.urn))
        assert isinstance(found, Resource) and found.name == "handler"
