"""A passing and a failing example for every registered policy, as the engine would send them.

Resource policies get one resource each way (sent with Analyze); stack policies get a small graph
each way (sent with AnalyzeStack). test_analyze.py fails when a registered policy has no example
here, so every policy's engine path is exercised over gRPC.
"""

from __future__ import annotations

from abuse_guard.aws.types import (
    API_ROUTE,
    LAMBDA_FUNCTION,
    LAMBDA_FUNCTION_URL,
    LAMBDA_PERMISSION,
    LISTENERS,
    LOAD_BALANCERS,
    METHOD_SETTINGS,
    REST_API,
    REST_INTEGRATION,
    REST_METHOD,
    REST_STAGE,
    TARGET_GROUP_ATTACHMENTS,
    TARGET_GROUPS,
    USAGE_PLAN,
)
from abuse_guard.resources import STACK_TYPE, UNKNOWN, Resource
from tests.harness.analyzer import Reported, RunningPack, reported
from tests.support import resource

STACK = Resource(urn=f"urn:pulumi:dev::proj::{STACK_TYPE}::proj-dev", type=STACK_TYPE, name="proj-dev")


def function(name: str, reserved: float | None, **props: object) -> Resource:
    """A Lambda function as the engine sends it: the provider fills -1 for 'unreserved'."""
    inputs = {"runtime": "python3.12", "handler": "app.handler", "role": UNKNOWN, "memorySize": 128.0}
    inputs["reservedConcurrentExecutions"] = -1.0 if reserved is None else reserved
    return resource(LAMBDA_FUNCTION, {**inputs, **props}, name, parent=STACK.urn)


def stage_settings(rate: float, burst: float, name: str = "prod-all", **edges: tuple[str, ...]) -> Resource:
    """A stage-wide MethodSettings with the provider's filled-in defaults; IDs unknown at preview."""
    settings = {"throttlingRateLimit": rate, "throttlingBurstLimit": burst, "metricsEnabled": False}
    props = {"restApi": UNKNOWN, "stageName": UNKNOWN, "methodPath": "*/*", "settings": settings}
    return resource(METHOD_SETTINGS, props, name, parent=STACK.urn, property_dependencies=edges)


def usage_plan(throttle: dict[str, float] | None, **edges: tuple[str, ...]) -> Resource:
    props: dict[str, object] = {
        "apiStages": [{"apiId": UNKNOWN, "stage": UNKNOWN}],
        "quotaSettings": {"limit": 10000.0, "period": "DAY", "offset": 0.0},
    }
    if throttle is not None:
        props["throttleSettings"] = throttle
    return resource(USAGE_PLAN, props, "partner", parent=STACK.urn, property_dependencies=edges)


def rest_api_graph(*, throttled: bool) -> tuple[Resource, ...]:
    """A REST API whose one method needs an API key, a stage, a usage plan and (if throttled) */* settings.

    Links are property dependencies only: every ID is unknown at preview, as the engine sends them.
    """
    api = resource(REST_API, {"name": "shop", "endpointConfiguration": {"types": "REGIONAL"}}, "shop", parent=STACK.urn)
    method = resource(
        REST_METHOD,
        {
            "restApi": UNKNOWN,
            "resourceId": UNKNOWN,
            "httpMethod": "GET",
            "authorization": "NONE",
            "apiKeyRequired": True,
        },
        "get-items",
        parent=STACK.urn,
        property_dependencies={"restApi": (api.urn,)},
    )
    stage = resource(
        REST_STAGE,
        {"restApi": UNKNOWN, "deployment": UNKNOWN, "stageName": "prod"},
        "prod",
        parent=STACK.urn,
        dependencies=(api.urn,),
        property_dependencies={"restApi": (api.urn,)},
    )
    plan = usage_plan({"rateLimit": 10.0, "burstLimit": 20.0}, apiStages=(api.urn, stage.urn))
    settings = stage_settings(100.0, 200.0, restApi=(api.urn,), stageName=(stage.urn,))
    return (STACK, api, method, stage, plan, *((settings,) if throttled else ()))


def function_url_graph(*, reserved: float | None) -> tuple[Resource, ...]:
    """A function URL: unreserved, the account pool lets it cost about $10,584 a month; reserved 1, about $11."""
    fn = function("hook", reserved, timeout=3.0)
    url = resource(
        LAMBDA_FUNCTION_URL,
        {"functionName": UNKNOWN, "authorizationType": "AWS_IAM"},
        "hook-url",
        parent=STACK.urn,
        property_dependencies={"functionName": (fn.urn,)},
    )
    return (STACK, fn, url)


def rest_integration_graph(*, timeout: float) -> tuple[Resource, ...]:
    """A function behind a REST integration, which gives up after its default 29 s."""
    fn = function("handler", 1.0, timeout=timeout)
    integration = resource(
        REST_INTEGRATION,
        {"restApi": UNKNOWN, "resourceId": UNKNOWN, "httpMethod": "POST", "type": "AWS_PROXY", "uri": UNKNOWN},
        "handler-integration",
        parent=STACK.urn,
        property_dependencies={"uri": (fn.urn,)},
    )
    return (STACK, fn, integration)


def load_balancer_graph(*, internal: bool, reserved: float | None = 1.0) -> tuple[Resource, ...]:
    """An ALB whose HTTPS listener forwards to a Lambda target group with no authenticate action first."""
    fn = function("alb-handler", reserved, timeout=3.0)
    alb = resource(
        LOAD_BALANCERS[0], {"internal": internal, "loadBalancerType": "application"}, "alb", parent=STACK.urn
    )
    group = resource(TARGET_GROUPS[0], {"targetType": "lambda"}, "lambda-targets", parent=STACK.urn)
    attachment = resource(
        TARGET_GROUP_ATTACHMENTS[0],
        {"targetGroupArn": UNKNOWN, "targetId": UNKNOWN},
        "attach",
        parent=STACK.urn,
        property_dependencies={"targetGroupArn": (group.urn,), "targetId": (fn.urn,)},
    )
    listener = resource(
        LISTENERS[0],
        {"loadBalancerArn": UNKNOWN, "port": 443.0, "defaultActions": [{"type": "forward", "targetGroupArn": UNKNOWN}]},
        "https",
        parent=STACK.urn,
        property_dependencies={"loadBalancerArn": (alb.urn,), "defaultActions": (group.urn,)},
    )
    return (STACK, fn, alb, group, attachment, listener)


RESOURCE_EXAMPLES: dict[str, tuple[Resource, Resource]] = {
    "lambda-reserved-concurrency": (function("worker", 5.0), function("worker", None)),
    "lambda-function-url-auth": (
        resource(LAMBDA_FUNCTION_URL, {"functionName": UNKNOWN, "authorizationType": "AWS_IAM"}, "url"),
        resource(LAMBDA_FUNCTION_URL, {"functionName": UNKNOWN, "authorizationType": "NONE"}, "url"),
    ),
    "lambda-permission-scope": (
        resource(
            LAMBDA_PERMISSION,
            {
                "action": "lambda:InvokeFunction",
                "function": UNKNOWN,
                "principal": "apigateway.amazonaws.com",
                "sourceArn": "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/*",
            },
            "invoke",
        ),
        resource(
            LAMBDA_PERMISSION, {"action": "lambda:InvokeFunction", "function": UNKNOWN, "principal": "*"}, "invoke"
        ),
    ),
    "rest-method-authorization": (
        resource(
            REST_METHOD,
            {"restApi": UNKNOWN, "resourceId": UNKNOWN, "httpMethod": "GET", "authorization": "AWS_IAM"},
            "get-items",
        ),
        resource(
            REST_METHOD,
            {"restApi": UNKNOWN, "resourceId": UNKNOWN, "httpMethod": "GET", "authorization": "NONE"},
            "get-items",
        ),
    ),
    "api-route-authorization": (
        resource(API_ROUTE, {"apiId": UNKNOWN, "routeKey": "GET /items", "authorizationType": "AWS_IAM"}, "route"),
        resource(API_ROUTE, {"apiId": UNKNOWN, "routeKey": "GET /items", "authorizationType": "NONE"}, "route"),
    ),
    "usage-plan-limits": (
        usage_plan({"rateLimit": 10.0, "burstLimit": 20.0}),
        usage_plan(None),
    ),
    "stage-throttling": (stage_settings(100.0, 200.0), stage_settings(-1.0, -1.0)),
}

STACK_EXAMPLES: dict[str, tuple[tuple[Resource, ...], tuple[Resource, ...]]] = {
    "account-concurrency-headroom": (
        (STACK, function("a", 5.0), function("b", 10.0)),
        (STACK, function("a", 500.0), function("b", 450.0)),
    ),
    "rest-stage-protected": (rest_api_graph(throttled=True), rest_api_graph(throttled=False)),
    "entrypoint-cost-budget": (function_url_graph(reserved=1.0), function_url_graph(reserved=None)),
    "lambda-timeout-behind-rest-api": (rest_integration_graph(timeout=10.0), rest_integration_graph(timeout=60.0)),
    "load-balancer-lambda-auth": (load_balancer_graph(internal=True), load_balancer_graph(internal=False)),
}


def answers(pack: RunningPack) -> list[Reported]:
    """What the pack says about every example, in a fixed order: the fingerprint of its behaviour."""
    said: list[Reported] = []
    for passing, failing in RESOURCE_EXAMPLES.values():
        for r in (passing, failing):
            said.extend(reported(pack.analyze(r), r.urn))
    for graphs in STACK_EXAMPLES.values():
        for graph in graphs:
            said.extend(reported(pack.analyze_stack(graph), STACK.urn))
    return said
