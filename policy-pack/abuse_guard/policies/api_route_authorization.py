"""HTTP API routes and WebSocket $connect routes authorize callers: the v2 API's only lock."""

from __future__ import annotations

from functools import partial

from ..aws.frontdoors import BODY, QUICK_CREATE, ROUTE_OPERATION_TYPES, DoorKind, Operation, protocol
from ..aws.names import safe_route_key
from ..aws.reach import Reach
from ..aws.types import API_ROUTE, HTTP_API
from ..findings import Outcome, Verdict, failed, not_applicable, passed, undetermined
from ..graph import Graph
from ..policy import Policy, Settings
from ..resources import UNKNOWN, Resource
from ..values import literal
from .authorization import authorizer_verdict, body_fix, each_operation, noted, through_domains

WEBSOCKET_CONNECT_TYPES = ("AWS_IAM", "CUSTOM")
QUICK_CREATE_FIX = (
    "define the route instead of using quick create: aws.apigatewayv2.Integration for the function, "
    "aws.apigatewayv2.Route with authorization_type and authorizer_id, and aws.apigatewayv2.Stage with "
    "default_route_settings, in place of the API's target"
)


def check(resource: Resource, settings: Settings) -> Verdict | None:
    if websocket_api(resource):
        return undetermined(
            f"WebSocket API '{resource.name}': whether it has a $connect route, where its clients are authorized, "
            "is decided with the stack's graph (under the engine, at AnalyzeStack)"
        )
    return each_operation(resource, partial(judge, settings=settings, graph=None))


def in_graph(resource: Resource, settings: Settings, graph: Graph) -> Verdict | None:
    if websocket_api(resource):
        return connect_route(resource, graph)
    return each_operation(resource, partial(judge, settings=settings, graph=graph))


def websocket_api(resource: Resource) -> bool:
    return resource.type == HTTP_API and literal(resource.props, "protocolType") == "WEBSOCKET"


def connect_route(api: Resource, graph: Graph) -> Verdict | None:
    """A WebSocket API authorizes clients only at $connect (API Gateway Developer Guide, "Controlling access to
    WebSocket APIs"): with routes but no $connect route, anyone connects and reaches them."""
    routes = graph.referrers(api, API_ROUTE, "apiId")
    if not routes:
        return None
    keys = [literal(route.props, "routeKey") for route in routes]
    if "$connect" in keys:
        return passed(f"WebSocket API '{api.name}' authorizes its clients at its $connect route (judged on the route)")
    if UNKNOWN in keys:
        return undetermined(f"WebSocket API '{api.name}': a routeKey of its routes is not known until deployment")
    return failed(
        f"WebSocket API '{api.name}' has routes but no $connect route, so every client connects without "
        "authorization and reaches them; add aws.apigatewayv2.Route(route_key='$connect', "
        "authorization_type='AWS_IAM' or 'CUSTOM' with authorizer_id)"
    )


def judge(op: Operation, settings: Settings, graph: Graph | None) -> Verdict:
    key = op.route_key()
    name = op.resource.name
    if key is None:
        return failed(f"API route '{name}' has no routeKey; set route_key ('GET /items', '$connect', ...)")
    shown = safe_route_key(key)
    label = op.label or f"API route '{name}'" + (f" ({shown})" if shown else "")
    kind = protocol(op, graph)
    connect = key == "$connect"
    if kind is DoorKind.WEBSOCKET_ROUTE and not connect:
        return not_applicable(
            f"{label} is a WebSocket route other than $connect: API Gateway authorizes a WebSocket client "
            "once, when it connects, so only $connect can carry authorization"
        )
    if kind is DoorKind.HTTP_ROUTE and key.upper().startswith("OPTIONS "):
        return not_applicable(
            f"{label} answers CORS preflight: browsers send it without credentials, so it cannot require them "
            "(what it invokes still counts in entrypoint-cost-budget)"
        )
    authorization = op.authorization()
    if authorization in (None, "NONE"):
        keyed = op.api_key_required()
        if connect and keyed:
            if settings["apiKeyAloneIsEnough"]:
                return passed(f"{label} requires an API key, which a usage plan can throttle and meter")
            return failed(
                f"{label} relies on an API key alone, which this pack is configured not to accept "
                "(apiKeyAloneIsEnough is false); set authorization_type to AWS_IAM or CUSTOM (with authorizer_id)"
            )
        what = f"is open to anyone (authorizationType {authorization or 'absent, so NONE'})"
        notes: list[str] = []
        if graph is not None and kind is DoorKind.HTTP_ROUTE:
            settled, notes = through_domains(label, op, graph.derived(Reach))
            if settled is not None:
                return settled
        if op.origin == QUICK_CREATE:
            return failed(
                f"{label} is open to anyone: quick create makes it with no authorization{noted(notes)}; "
                f"{QUICK_CREATE_FIX}"
            )
        if kind is None:
            return undetermined(
                f"{label} {what}, which fails if its API is an HTTP API ($default is the catch-all route) and is "
                "not-applicable if it is a WebSocket API; the API's protocolType decides, and the API is not "
                "part of this check (it is decided with the stack's graph; under the engine, at AnalyzeStack)"
            )
        if op.origin == BODY:
            fix = body_fix(
                op,
                "a scheme with x-amazon-apigateway-authorizer (jwt or request) or "
                "x-amazon-apigateway-authtype awsSigv4",
            )
        elif connect:
            fix = "set authorization_type to AWS_IAM or CUSTOM (with authorizer_id)"
        else:
            fix = "set authorization_type to AWS_IAM, or JWT or CUSTOM with authorizer_id"
        ignored = (
            "; api_key_required does nothing on an HTTP API route: HTTP APIs have no API keys or usage plans"
            if keyed and kind is DoorKind.HTTP_ROUTE
            else ""
        )
        return failed(f"{label} {what}{noted(notes)}; {fix}{ignored}")
    if connect and authorization not in WEBSOCKET_CONNECT_TYPES:
        return failed(f"{label} uses {authorization}, which WebSocket APIs do not support; use AWS_IAM or CUSTOM")
    if authorization == "AWS_IAM":
        return passed(f"{label} requires IAM-signed requests")
    return authorizer_verdict(label, authorization, op, graph)


POLICY = Policy(
    id="api-route-authorization",
    title="API Gateway v2 routes authorize callers",
    description="HTTP API routes and WebSocket $connect routes must set an authorization type other than NONE.",
    severity="high",
    enforcement="mandatory",
    resource_types=ROUTE_OPERATION_TYPES,
    rationale=(
        "An HTTP API route without authorization lets anyone invoke its integration, so every request is a "
        "billed Lambda invocation; HTTP APIs have no usage plans or API keys, so authorization (IAM, JWT or a "
        "Lambda authorizer) is the only lock. authorizationType absent or NONE (the provider default) fails "
        "on HTTP routes ('GET /items', 'ANY /{proxy+}', '$default') and on the WebSocket $connect route, unless "
        "$connect requires an API key (WebSocket APIs have API keys and usage plans; apiKeyAloneIsEnough, as for "
        "REST methods). Other WebSocket routes ($disconnect, $default, action keys such as 'sendMessage') are "
        "not-applicable: API Gateway authorizes a WebSocket client once, at $connect. So are HTTP 'OPTIONS' "
        "routes, which answer CORS preflight without credentials. A route's protocol is its API's "
        "protocolType, read from the graph (under the engine, at AnalyzeStack). "
        "Operations of an HTTP API's OpenAPI body are judged like routes, and an API created by quick create "
        "(target) fails: AWS makes its route with no authorization. apiKeyRequired on an HTTP route does "
        "nothing (HTTP APIs have no API keys). JWT and CUSTOM without authorizerId fail: nothing would be "
        "checked. JWT on $connect fails: WebSocket APIs support only IAM and Lambda authorizers. An "
        "unrecognised value fails as malformed. Routes have no tags: exempt them in the policy config. An HTTP "
        "operation that authorizes no one (a route, a body operation, quick create) passes when its API's default "
        "execute-api endpoint is off (disableExecuteApiEndpoint) and every custom domain mapped to it (ApiMapping, "
        "BasePathMapping) requires mutual TLS (mutualTlsAuthentication.truststoreUri): every caller presents a "
        "client certificate the domain trusts. With the default endpoint on, the fail says callers bypass the "
        "domain's mutual TLS through it; a mapped domain without mutual TLS, or none in the stack, is named too. "
        "WebSocket APIs take no mutual TLS. The engine's per-resource check sees a route without its API and "
        "domains: alone an open route fails, so its verdict is decided with the stack (AnalyzeStack), as the offline "
        "preview and the reports decide it."
    ),
    remediation=(
        "Attach an authorizer (or require IAM) on every HTTP route and on $connect:\n"
        "    aws.apigatewayv2.Route('get-items', api_id=api.id, route_key='GET /items',\n"
        "        target=integration.id.apply(lambda i: f'integrations/{i}'),\n"
        "        authorization_type='JWT', authorizer_id=jwt_authorizer.id)"
    ),
    config={
        "apiKeyAloneIsEnough": {
            "type": "boolean",
            "default": True,
            "description": "Whether a WebSocket $connect route with authorization NONE and apiKeyRequired true passes.",
        },
    },
    check=check,
    in_graph=in_graph,
    decided_alone=frozenset({Outcome.PASS}),
    references=(
        "Checkov CKV_AWS_309",
        "AWS Security Hub APIGateway.8",
        "AWS Config api-gwv2-authorization-type-configured",
    ),
    tags=("api-gateway", "authorization", "public-access"),
)
