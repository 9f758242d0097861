"""HTTP API routes and WebSocket $connect routes authorize callers: the v2 API's only lock."""

from __future__ import annotations

from ..aws.frontdoors import ROUTE_OPERATION_TYPES, Operation
from ..findings import Verdict, failed, not_applicable, passed
from ..policy import Policy, Settings
from ..resources import Resource
from .authorization import authorizer_verdict, each_operation

WEBSOCKET_CONNECT_TYPES = ("AWS_IAM", "CUSTOM")


def cannot_authorize(op: Operation, key: str) -> bool:
    """WebSocket routes other than $connect: HTTP route keys have a space ('GET /items'), `$default`
    is HTTP unless it sets an input that only WebSocket routes have."""
    if key == "$connect" or " " in key:
        return False
    return key != "$default" or op.sets_websocket_only_input()


def check(resource: Resource, settings: Settings) -> Verdict:
    return each_operation(resource, judge)


def judge(op: Operation) -> Verdict:
    key = op.route_key()
    name = op.resource.name
    if key is None:
        return failed(f"API route '{name}' has no routeKey; set route_key ('GET /items', '$connect', ...)")
    label = f"API route '{name}' ({key})"
    if cannot_authorize(op, key):
        return not_applicable(
            f"{label} is a WebSocket route other than $connect: API Gateway authorizes a WebSocket client "
            "once, when it connects, so only $connect can carry authorization"
        )
    connect = key == "$connect"
    authorization = op.authorization()
    if authorization in (None, "NONE"):
        allowed = (
            "AWS_IAM or CUSTOM (with authorizer_id)" if connect else "AWS_IAM, or JWT or CUSTOM with authorizer_id"
        )
        hint = ""
        if key == "$default":
            hint = "; if this is a WebSocket API's $default route, set route_response_selection_expression"
        return failed(
            f"{label} is open to anyone (authorizationType {authorization or 'absent, so NONE'}); set "
            f"authorization_type to {allowed}{hint}"
        )
    if connect and authorization not in WEBSOCKET_CONNECT_TYPES:
        return failed(f"{label} uses {authorization}, which WebSocket APIs do not support; use AWS_IAM or CUSTOM")
    if authorization == "AWS_IAM":
        return passed(f"{label} requires IAM-signed requests")
    return authorizer_verdict(label, authorization, op)


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
        "on HTTP routes ('GET /items', 'ANY /{proxy+}', '$default') and on the WebSocket $connect route. "
        "Other WebSocket routes ($disconnect, action keys such as 'sendMessage') are not-applicable: API "
        "Gateway authorizes a WebSocket client once, at $connect. '$default' exists in both kinds of API; it "
        "is treated as an HTTP catch-all (must authorize) unless it sets a WebSocket-only input "
        "(routeResponseSelectionExpression or modelSelectionExpression). JWT and CUSTOM without authorizerId "
        "fail: nothing would be checked. JWT on $connect fails: WebSocket APIs support only IAM and Lambda "
        "authorizers. An unrecognised value fails as malformed. Routes have no tags: exempt them in the "
        "policy config."
    ),
    remediation=(
        "Attach an authorizer (or require IAM) on every HTTP route and on $connect:\n"
        "    aws.apigatewayv2.Route('get-items', api_id=api.id, route_key='GET /items',\n"
        "        target=integration.id.apply(lambda i: f'integrations/{i}'),\n"
        "        authorization_type='JWT', authorizer_id=jwt_authorizer.id)"
    ),
    check=check,
    references=(
        "Checkov CKV_AWS_309",
        "AWS Security Hub APIGateway.8",
        "AWS Config api-gwv2-authorization-type-configured",
    ),
    tags=("api-gateway", "authorization", "public-access"),
)
