"""Finding each entrypoint's function and limits in the graph, and saying so when they cannot be known."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from abuse_guard import cost
from abuse_guard.aws.frontdoors import DoorKind
from abuse_guard.aws.types import LAMBDA_ALIAS, LAMBDA_FUNCTION_URL
from abuse_guard.cost import price_doors
from abuse_guard.cost.model import CostModel, EntrypointCost, Exposure, Worst
from abuse_guard.evaluate import stack_graph
from abuse_guard.graph import Graph
from abuse_guard.offline import program, record
from abuse_guard.offline.project import load_project, load_stack
from abuse_guard.resources import SECRET, UNKNOWN, Resource
from tests.cost.graphs import (
    MODEL,
    entrypoints,
    function,
    function_url,
    http_route,
    linked,
    only_entrypoint,
    rest_endpoint,
)
from tests.support import resource

REPO = Path(__file__).resolve().parents[2]


def changed(graph: list[Resource], name: str, **props: Any) -> list[Resource]:
    """The graph with `props` set on the resource called `name`."""
    return [replace(r, props={**r.props, **props}) if r.name == name else r for r in graph]


def without(graph: list[Resource], name: str) -> list[Resource]:
    return [r for r in graph if r.name != name]


def unlinked(graph: list[Resource], name: str, *inputs: str, **props: Any) -> list[Resource]:
    """The graph with `name`'s `inputs` coming from no resource of the stack (and `props` set on it)."""

    def cut(r: Resource) -> Resource:
        deps = {k: v for k, v in r.property_dependencies.items() if k not in inputs}
        return replace(r, props={**r.props, **props}, property_dependencies=deps)

    return [cut(r) if r.name == name else r for r in graph]


# -- every entrypoint of the reference stacks ---------------------------------------------------------

# entrypoint -> (kind, function behind it)
REFERENCE_ENTRYPOINTS = {
    "webhook-method": (DoorKind.REST_METHOD, "refresh-cache"),
    "live-connect": (DoorKind.WEBSOCKET_ROUTE, "messages"),
    "live-disconnect": (DoorKind.WEBSOCKET_ROUTE, "messages"),
    "live-sendmessage": (DoorKind.WEBSOCKET_ROUTE, "messages"),
    "items-get-items": (DoorKind.HTTP_ROUTE, "items"),
    "items-post-items": (DoorKind.HTTP_ROUTE, "items"),
    "report-url": (DoorKind.FUNCTION_URL, "report"),
    "orders-api GET /orders": (DoorKind.REST_METHOD, "orders"),
    "catalog-api GET /catalog": (DoorKind.HTTP_ROUTE, "catalog"),
    "internal-http": (DoorKind.LOAD_BALANCER, "alb-echo"),
    "exports-proxy": (DoorKind.REST_METHOD, "exports"),
    "exports-root": (DoorKind.REST_METHOD, "exports"),
}
INSECURE_ENTRYPOINTS = {
    "items-health": (DoorKind.HTTP_ROUTE, "items"),
    "items-public-url": (DoorKind.FUNCTION_URL, "items"),
    "open-orders-api GET /orders": (DoorKind.REST_METHOD, "open-orders"),
    "quick-api $default (quick create)": (DoorKind.HTTP_ROUTE, "quick"),
    "public-http": (DoorKind.LOAD_BALANCER, "public-alb-echo"),
}


# the routes the insecure stack's unthrottled HTTP stage 'beta' opens to the account's 10,000 requests/s,
# and the quick-create API whose auto-deployed stage nothing throttles
OVER_BUDGET = {"items-get-items", "items-post-items", "items-health", "quick-api $default (quick create)"}


@pytest.mark.parametrize(
    ("stack", "expected", "over_budget"),
    [
        ("compliant", REFERENCE_ENTRYPOINTS, set()),
        ("insecure", REFERENCE_ENTRYPOINTS | INSECURE_ENTRYPOINTS, OVER_BUDGET),
    ],
    ids=["compliant", "insecure"],
)
def test_every_reference_entrypoint_gets_a_cost_and_its_function(
    stack: str, expected: dict[str, Any], over_budget: set[str]
) -> None:
    project = load_project(REPO)
    resources = [r.resource for r in record(program(project, load_stack(project, stack)))]
    doors = price_doors(stack_graph(resources), MODEL, lambda entrypoint, fn: 100.0)
    found = {d.name: (b.kind, b.function) for d, b in doors if isinstance(b, EntrypointCost)}
    assert found == expected
    assert all(b.worst is not None for _, b in doors if isinstance(b, EntrypointCost))
    assert {b.name for _, b in doors if isinstance(b, EntrypointCost) and b.over_budget} == over_budget
    # the one method without a Lambda integration: the insecure stack's GET /status
    assert [d.resource.name for d, b in doors if isinstance(b, str)] == (
        ["webhook-status-get"] if stack == "insecure" else []
    )


# -- how the graph links an entrypoint to its function -------------------------------------------------


def rest_by_values() -> list[Resource]:
    """An integration found by restApi, resourceId and a literal httpMethod, not by a link to the method."""
    graph = rest_endpoint(function(reserved=1.0))
    integration = next(r for r in graph if r.name == "integration")
    deps = {k: v for k, v in integration.property_dependencies.items() if k != "httpMethod"}
    props = {**integration.props, "httpMethod": "post"}
    return [replace(integration, props=props, property_dependencies=deps) if r is integration else r for r in graph]


def through_alias() -> list[Resource]:
    fn = function("aliased", reserved=2.0)
    alias = linked(LAMBDA_ALIAS, {"name": "live"}, "live", functionName=fn)
    return [fn, alias, linked(LAMBDA_FUNCTION_URL, {"authorizationType": "AWS_IAM"}, "url", functionName=alias)]


def by_physical_name() -> list[Resource]:
    fn = function("named", reserved=3.0)
    fn = replace(fn, props={**fn.props, "name": "named-7f3a"})
    return [fn, resource(LAMBDA_FUNCTION_URL, {"functionName": "named-7f3a", "authorizationType": "AWS_IAM"}, "url")]


# name -> (graph, function found, its reserved concurrency as the cost model sees it)
LINKS: dict[str, tuple[list[Resource], str, float]] = {
    "rest_integration_linked_to_its_method": (rest_endpoint(function("fn", reserved=1.0)), "fn", 1.0),
    "rest_integration_matched_by_values": (rest_by_values(), "handler", 1.0),
    "http_route_target": (http_route(function("fn", reserved=4.0), throttle=5.0), "fn", 4.0),
    "function_url_through_an_alias": (through_alias(), "aliased", 2.0),
    "function_url_by_physical_name": (by_physical_name(), "named", 3.0),
}


@pytest.mark.parametrize(("graph", "name", "reserved"), LINKS.values(), ids=list(LINKS))
def test_the_function_is_found_through_the_graph(graph: list[Resource], name: str, reserved: float) -> None:
    entrypoint = only_entrypoint(graph)
    assert entrypoint.function == name
    assert entrypoint.worst is not None
    assert entrypoint.worst.concurrency == reserved


# name -> (graph, why it invokes no Lambda function: a phrase)
NOT_LAMBDA: dict[str, tuple[list[Resource], str]] = {
    "method_without_integration": (without(rest_endpoint(function()), "integration"), "has no integration"),
    "mock_integration": (changed(rest_endpoint(function()), "integration", type="MOCK"), "MOCK integration"),
    "http_proxy_route": (
        changed(http_route(function()), "integration", integrationType="HTTP_PROXY"),
        "HTTP_PROXY integration",
    ),
    "route_without_target": (unlinked(http_route(function()), "route", "target", target=None), "has no target"),
}


@pytest.mark.parametrize(("graph", "why"), NOT_LAMBDA.values(), ids=list(NOT_LAMBDA))
def test_an_entrypoint_to_no_lambda_function_says_why(graph: list[Resource], why: str) -> None:
    [(_, result)] = price_doors(Graph(graph), MODEL, lambda entrypoint, fn: 100.0)
    assert isinstance(result, str)
    assert why in result


# -- limits the graph gives -----------------------------------------------------------------------------


def test_a_method_throttle_replaces_the_stage_wide_one_even_when_higher() -> None:
    """API Gateway applies a method's own settings instead of the stage's: min() would understate the worst case."""
    graph = rest_endpoint(function(reserved=100.0), stage_throttle=5.0, method_throttle=50.0)
    worst = only_entrypoint(graph).worst
    assert worst is not None
    assert worst.rate == 50.0
    assert "MethodSettings 'method-throttle'" in worst.rate_limit


def test_stages_add_up() -> None:
    """Callers may use every stage at once: an unthrottled second stage opens the method to the account limit."""
    graph = rest_endpoint(function(reserved=1.0), stage_throttle=5.0, stages=("prod", "canary"))
    worst = only_entrypoint(graph).worst
    assert worst is not None
    assert worst.rate == MODEL.account_rate
    assert "no throttle on stage 'canary'" in worst.rate_limit


def test_api_keys_nobody_meters_open_no_stage() -> None:
    """A keyed method on a stage no usage plan lists: API Gateway answers 403, so it costs nothing."""
    worst = only_entrypoint(rest_endpoint(function(), api_key=True, stage_throttle=5.0)).worst
    assert worst is not None
    assert (worst.rate, worst.cost.total) == (0.0, 0.0)


def test_a_plan_without_keys_in_the_stack_assumes_the_configured_number() -> None:
    plan = {"throttleSettings": {"rateLimit": 2.0, "burstLimit": 4.0}}
    entrypoint = only_entrypoint(rest_endpoint(function(reserved=1.0), api_key=True, plan=plan, keys=0))
    assert entrypoint.worst is not None
    assert entrypoint.worst.rate == 2.0 * MODEL.api_keys_per_plan
    assert "usage plan 'plan' has no API key in this stack: 1 assumed (apiKeysPerUsagePlan)" in entrypoint.notes


def test_missing_timeout_and_memory_use_aws_defaults_and_say_so() -> None:
    entrypoint = only_entrypoint(function_url(function(reserved=1.0)))
    assert entrypoint.notes == (
        "Lambda function 'handler' sets no timeout: AWS's default 3 s",
        "Lambda function 'handler' sets no memorySize: AWS's default 128 MB",
    )


def test_a_usage_plan_throttle_for_the_method_replaces_the_plans() -> None:
    plan = {
        "throttleSettings": {"rateLimit": 2.0, "burstLimit": 4.0},
        "apiStages": [
            {"apiId": UNKNOWN, "stage": "prod", "throttles": [{"path": "/refresh-cache/POST", "rateLimit": 7.0}]}
        ],
    }
    worst = only_entrypoint(rest_endpoint(function(reserved=100.0), api_key=True, plan=plan, keys=1)).worst
    assert worst is not None
    assert worst.rate == 7.0


def test_a_route_setting_replaces_the_stage_default_for_its_route() -> None:
    graph = http_route(function(reserved=100.0), throttle=5.0)
    route_settings = [
        {"routeKey": "GET /other", "throttlingRateLimit": 1.0, "throttlingBurstLimit": 1.0},
        {"routeKey": "GET /items", "throttlingRateLimit": 50.0, "throttlingBurstLimit": 50.0},
    ]
    worst = only_entrypoint(changed(graph, "stage", routeSettings=route_settings)).worst
    assert worst is not None
    assert worst.rate == 50.0


def plan_on_an_unnamed_stage(api_key: bool) -> list[Resource]:
    """A usage plan of the API whose apiStages names a stage not known until deployment."""
    plan = {"throttleSettings": {"rateLimit": 2.0, "burstLimit": 4.0}}
    graph = rest_endpoint(function(reserved=1.0), api_key=api_key, stage_throttle=5.0, plan=plan, keys=1)
    api = next(r for r in graph if r.name == "api")
    return [
        replace(
            r,
            props={**r.props, "apiStages": [{"apiId": UNKNOWN, "stage": UNKNOWN}]},
            property_dependencies={"apiStages": (api.urn,)},
        )
        if r.name == "plan"
        else r
        for r in graph
    ]


def test_an_unknown_usage_plan_stage_matters_only_to_methods_that_need_a_key() -> None:
    keyed = only_entrypoint(plan_on_an_unnamed_stage(api_key=True))
    keyless = only_entrypoint(plan_on_an_unnamed_stage(api_key=False))
    assert (keyed.worst, keyed.unknown) == (
        None,
        "cannot be determined yet: usage plan 'plan'.apiStages names a stage not known yet",
    )
    assert keyless.worst is not None
    assert (keyless.worst.rate, keyless.worst.rate_limit, keyless.unknown) == (
        5.0,
        "MethodSettings 'stage-throttle' (stage-wide): 5 requests/s",
        "",
    )


# -- unknown and malformed inputs -----------------------------------------------------------------------

# name -> (graph, the input the unknown names): an unknown limit or link of the door leaves no figure
UNKNOWN_INPUTS: dict[str, tuple[list[Resource], str]] = {
    "stage_throttle": (
        changed(rest_endpoint(function(), stage_throttle=5.0), "stage-throttle", settings=UNKNOWN),
        "settings",
    ),
    "api_key_required": (rest_endpoint(function(), api_key=UNKNOWN), "apiKeyRequired"),
    "stage_name": (changed(rest_endpoint(function()), "prod", stageName=UNKNOWN), "stageName"),
    "integration_uri_from_outside_the_stack": (unlinked(rest_endpoint(function()), "integration", "uri"), "uri"),
    "route_target_from_outside_the_stack": (
        unlinked(http_route(function()), "route", "target", target="integrations/abc123"),
        "target",
    ),
    "http_stage_throttle": (
        changed(http_route(function()), "stage", defaultRouteSettings=UNKNOWN),
        "defaultRouteSettings",
    ),
}


@pytest.mark.parametrize(("graph", "input_name"), UNKNOWN_INPUTS.values(), ids=list(UNKNOWN_INPUTS))
def test_an_unknown_input_makes_the_cost_unknown_and_names_it(graph: list[Resource], input_name: str) -> None:
    entrypoint = only_entrypoint(graph)
    assert (entrypoint.worst, entrypoint.least, entrypoint.fix, entrypoint.malformed) == (None, None, None, False)
    assert entrypoint.unknown.startswith("cannot be determined yet: ")
    assert input_name in entrypoint.unknown


# name -> (graph, the input the bounds name): an unknown input of the function bounds the cost instead (issue 20.2)
BOUNDED_INPUTS: dict[str, tuple[list[Resource], str]] = {
    "reservation": (function_url(function(reserved=UNKNOWN)), "reservedConcurrentExecutions"),
    "secret_timeout": (function_url(function(reserved=1.0, timeout=SECRET)), "timeout"),
    "function_in_another_stack": (
        [resource(LAMBDA_FUNCTION_URL, {"functionName": "someone-elses", "authorizationType": "NONE"}, "url")],
        "'someone-elses', which is not in this stack",
    ),
}


@pytest.mark.parametrize(("graph", "input_name"), BOUNDED_INPUTS.values(), ids=list(BOUNDED_INPUTS))
def test_an_unknown_input_of_the_function_bounds_the_cost(graph: list[Resource], input_name: str) -> None:
    entrypoint = only_entrypoint(graph)
    assert (entrypoint.worst, entrypoint.malformed) == (None, False)
    assert entrypoint.least is not None and entrypoint.most is not None
    assert entrypoint.least.cost.total <= entrypoint.most.cost.total
    assert input_name in entrypoint.unknown and "yet" not in entrypoint.unknown


@pytest.mark.parametrize(
    ("props", "input_name"),
    [({"reservedConcurrentExecutions": "lots"}, "reservedConcurrentExecutions"), ({"timeout": -3.0}, "timeout")],
    ids=["reservation_text", "negative_timeout"],
)
def test_a_malformed_input_has_no_figure(props: dict[str, Any], input_name: str) -> None:
    entrypoint = only_entrypoint(function_url(function(reserved=1.0, **props)))
    assert (entrypoint.worst, entrypoint.malformed) == (None, True)
    assert input_name in entrypoint.unknown


def test_pricing_skips_entrypoints_to_no_function() -> None:
    graph = without(rest_endpoint(function()), "integration") + function_url(function("other", reserved=1.0))
    assert [b.name for b in entrypoints(graph)] == ["url"]


def test_an_api_resource_tree_with_a_cycle_is_malformed_not_a_crash() -> None:
    graph = rest_endpoint(function(reserved=1.0), method_throttle=5.0)  # a method throttle needs the path
    path = next(r for r in graph if r.name == "path")
    looped = replace(path, property_dependencies={**path.property_dependencies, "parentId": (path.urn,)})
    entrypoint = only_entrypoint([looped if r is path else r for r in graph])
    assert (entrypoint.worst, entrypoint.malformed) == (None, True)
    assert "parentId must be a path to the API's root, got a cycle" in entrypoint.unknown


def test_doors_alike_are_priced_once_each_as_on_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """The routes of one API to one handler share their exposure: one pricing (and fix search) serves them all, and
    each gets what pricing it alone gives."""
    graph = http_route(function("handler", reserved=None, timeout=30.0))
    second = linked(
        "aws:apigatewayv2/route:Route",
        {"routeKey": "POST /items", "authorizationType": "AWS_IAM"},
        "route-post",
        apiId=graph[1],
        target=graph[2],
    )
    graph.append(second)
    pricings: list[Exposure] = []
    real = cost.worst_case

    def pricing(exposure: Exposure, model: CostModel) -> Worst:
        pricings.append(exposure)
        return real(exposure, model)

    monkeypatch.setattr(cost, "worst_case", pricing)
    get, post = entrypoints(graph, budget=10.0)
    assert len(pricings) == 1
    assert (get.name, post.name) == ("route", "route-post")
    assert get.worst is not None and get.fix is not None
    assert (get.worst, get.fix) == (post.worst, post.fix)
    alone = [r for r in graph if r is not second]
    assert only_entrypoint(alone, budget=10.0) == get
