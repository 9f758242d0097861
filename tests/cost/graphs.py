"""Entrypoint graphs as the engine sends them at a first preview: IDs unknown, links as property dependencies."""

from __future__ import annotations

from typing import Any

from abuse_guard.aws.types import (
    API_ROUTE,
    HTTP_API,
    HTTP_INTEGRATION,
    HTTP_STAGE,
    LAMBDA_FUNCTION,
    LAMBDA_FUNCTION_URL,
    METHOD_SETTINGS,
    REST_API,
    REST_INTEGRATION,
    REST_METHOD,
    REST_RESOURCE,
    REST_STAGE,
    USAGE_PLAN,
    USAGE_PLAN_KEY,
)
from abuse_guard.cost import Pricing, price_doors, priced
from abuse_guard.cost.model import CostModel, EntrypointCost
from abuse_guard.cost.settings import cost_model
from abuse_guard.evaluate import stack_graph
from abuse_guard.graph import Graph
from abuse_guard.policies.entrypoint_cost_budget import POLICY
from abuse_guard.resources import UNKNOWN, Resource
from tests.support import resource

MODEL: CostModel = cost_model(POLICY.settings(None))
"""The documented defaults: us-east-1 prices, a 30-day month, the account's default limits."""


def function(
    name: str = "handler", reserved: Any = None, timeout: Any = None, memory: Any = None, **props: Any
) -> Resource:
    """A Lambda function; None leaves timeout and memorySize out, so AWS's defaults (3 s, 128 MB) apply."""
    inputs: dict[str, Any] = {"runtime": "python3.12", "reservedConcurrentExecutions": -1.0}
    if reserved is not None:
        inputs["reservedConcurrentExecutions"] = reserved
    if timeout is not None:
        inputs["timeout"] = timeout
    if memory is not None:
        inputs["memorySize"] = memory
    return resource(LAMBDA_FUNCTION, {**inputs, **props}, name)


def linked(type_: str, props: dict[str, Any], name: str, **deps: Resource) -> Resource:
    """A resource whose inputs named in `deps` come from those resources (unknown values at preview)."""
    values = {**props, **{key: UNKNOWN for key in deps if key not in props}}
    return resource(type_, values, name, property_dependencies={key: (r.urn,) for key, r in deps.items()})


def rest_endpoint(
    fn: Resource,
    *,
    api_key: Any = False,
    stage_throttle: float | None = None,
    method_throttle: float | None = None,
    plan: dict[str, Any] | None = None,
    keys: int = 0,
    stages: tuple[str, ...] = ("prod",),
) -> list[Resource]:
    """POST /refresh-cache on a REST API -> `fn`, deployed to `stages`; the throttles and plan apply to the first."""
    api = resource(REST_API, {"name": "webhook"}, "api")
    path = linked(REST_RESOURCE, {"pathPart": "refresh-cache"}, "path", restApi=api, parentId=api)
    method = linked(
        REST_METHOD,
        {"httpMethod": "POST", "authorization": "NONE", "apiKeyRequired": api_key},
        "method",
        restApi=api,
        resourceId=path,
    )
    integration = linked(
        REST_INTEGRATION,
        {"type": "AWS_PROXY", "integrationHttpMethod": "POST"},
        "integration",
        restApi=api,
        resourceId=path,
        httpMethod=method,
        uri=fn,
    )
    graph = [fn, api, path, method, integration]
    for name in stages:
        graph.append(linked(REST_STAGE, {"stageName": name}, name, restApi=api))
    stage = graph[5]
    if stage_throttle is not None:
        settings = {"throttlingRateLimit": stage_throttle, "throttlingBurstLimit": 2 * stage_throttle}
        props = {"methodPath": "*/*", "settings": settings}
        graph.append(linked(METHOD_SETTINGS, props, "stage-throttle", restApi=api, stageName=stage))
    if method_throttle is not None:
        settings = {"throttlingRateLimit": method_throttle, "throttlingBurstLimit": -1.0}
        props = {"methodPath": "refresh-cache/POST", "settings": settings}
        graph.append(linked(METHOD_SETTINGS, props, "method-throttle", restApi=api, stageName=stage))
    if plan is not None:
        plan_props = {"apiStages": [{"apiId": UNKNOWN, "stage": stages[0]}], **plan}
        usage_plan = resource(USAGE_PLAN, plan_props, "plan", property_dependencies={"apiStages": (api.urn, stage.urn)})
        graph.append(usage_plan)
        graph += [
            linked(USAGE_PLAN_KEY, {"keyType": "API_KEY"}, f"key-{i}", usagePlanId=usage_plan) for i in range(keys)
        ]
    return graph


def http_route(
    fn: Resource, *, throttle: float | None = None, protocol: str = "HTTP", route_key: str = "GET /items"
) -> list[Resource]:
    """An HTTP (or WebSocket) API route -> `fn`, on a stage throttled at `throttle` (None: not throttled)."""
    api = resource(HTTP_API, {"protocolType": protocol}, "api")
    integration = linked(
        HTTP_INTEGRATION, {"integrationType": "AWS_PROXY"}, "integration", apiId=api, integrationUri=fn
    )
    route = linked(
        API_ROUTE, {"routeKey": route_key, "authorizationType": "AWS_IAM"}, "route", apiId=api, target=integration
    )
    stage_props: dict[str, Any] = {"name": "$default"}
    if throttle is not None:
        stage_props["defaultRouteSettings"] = {"throttlingRateLimit": throttle, "throttlingBurstLimit": 2 * throttle}
    return [fn, api, integration, route, linked(HTTP_STAGE, stage_props, "stage", apiId=api)]


def function_url(fn: Resource) -> list[Resource]:
    return [fn, linked(LAMBDA_FUNCTION_URL, {"authorizationType": "AWS_IAM"}, "url", functionName=fn)]


def entrypoints(graph: list[Resource], budget: float = 100.0) -> tuple[EntrypointCost, ...]:
    """The cost of every entrypoint of the graph under MODEL, each held to `budget`."""
    return Pricing(price_doors(Graph(graph), MODEL, lambda entrypoint, fn: budget)).entrypoints


def only_entrypoint(graph: list[Resource], budget: float = 100.0) -> EntrypointCost:
    """The cost of the graph's one entrypoint."""
    [found] = entrypoints(graph, budget)
    return found


def entrypoint_costs(resources: list[Resource], config: dict[str, Any] | None = None) -> tuple[EntrypointCost, ...]:
    """Every entrypoint's cost in the graph of `resources` (evaluate.stack_graph) under the pack config (policy id ->
    properties), as a Run shows it."""
    return priced(stack_graph(resources), POLICY.settings((config or {}).get(POLICY.id))).entrypoints
