"""What stack `insecure` adds: one anti-pattern per policy, each caught by that policy and no other.

Every resource here is a way a real stack lets a flood of calls through; the comment above it names
the policy that stops it at `pulumi preview`. The fix is in components.py.
"""

import pulumi_aws as aws
from components import (
    JwtHttpApi,
    LambdaBehindLoadBalancer,
    OpenApiRestEndpoint,
    ProtectedRestEndpoint,
    Quota,
    Throttle,
    allow_api_gateway,
    guarded_function,
    integration_target,
)
from handlers import REPORT, archive


def add(
    *,
    role: aws.iam.Role,
    refresh_cache: aws.lambda_.Function,
    webhook: ProtectedRestEndpoint,
    items: aws.lambda_.Function,
    items_api: JwtHttpApi,
) -> None:
    # lambda-reserved-concurrency: no reservation, so a burst can scale it to the whole account pool.
    aws.lambda_.Function(
        "unreserved-worker",
        role=role.arn,
        runtime="python3.12",
        handler="index.handler",
        code=archive(REPORT),
    )

    # account-concurrency-headroom: 900 passes on its own (it is within 1-900), but with the stack's
    # other reservations it leaves fewer than the 100 executions AWS keeps unreserved.
    guarded_function("batch-import", source=REPORT, role=role, reserved_concurrency=900)

    # lambda-function-url-auth: a public URL on the function the JWT API protects, bypassing it.
    # (AWS also wants a principal '*' permission for it; that would be lambda-permission-scope's catch.)
    aws.lambda_.FunctionUrl("items-public-url", function_name=items.name, authorization_type="NONE")

    # lambda-permission-scope: anyone with the function's ARN may invoke it, past every throttle.
    aws.lambda_.Permission(
        "refresh-cache-any-caller",
        action="lambda:InvokeFunction",
        function=refresh_cache.name,
        principal="*",
    )

    # rest-method-authorization: GET /status on the webhook API, no authorization and no API key.
    status = aws.apigateway.Resource(
        "webhook-status",
        rest_api=webhook.rest_api.id,
        parent_id=webhook.rest_api.root_resource_id,
        path_part="status",
    )
    aws.apigateway.Method(
        "webhook-status-get",
        rest_api=webhook.rest_api.id,
        resource_id=status.id,
        http_method="GET",
        authorization="NONE",
    )

    # rest-stage-protected: a second stage of the webhook API that no */* MethodSettings throttles and
    # no usage plan lists, although its POST method takes API keys.
    aws.apigateway.Stage(
        "webhook-canary",
        rest_api=webhook.rest_api.id,
        deployment=webhook.deployment.id,
        stage_name="canary",
    )

    # usage-plan-limits: a plan on the webhook stage that throttles but never caps a key's requests.
    aws.apigateway.UsagePlan(
        "unmetered-plan",
        api_stages=[{"api_id": webhook.rest_api.id, "stage": webhook.stage.stage_name}],
        throttle_settings={"rate_limit": 2, "burst_limit": 5},
    )

    # api-route-authorization: an HTTP API route anyone may call.
    aws.apigatewayv2.Route(
        "items-health",
        api_id=items_api.api.id,
        route_key="GET /health",
        target=integration_target(items_api.integration),
    )

    # stage-throttling: a second stage of the HTTP API with no default route throttle.
    aws.apigatewayv2.Stage("items-beta", api_id=items_api.api.id, name="beta", auto_deploy=True)

    # rest-method-authorization: the OpenAPI twin of the orders API whose operation's security is empty,
    # so API Gateway imports it with no authorization and no API key (its stage is throttled and its
    # function reserved, so nothing else fails).
    open_orders = guarded_function("open-orders", source=REPORT, role=role, reserved_concurrency=1)
    OpenApiRestEndpoint(
        "open-orders",
        function=open_orders,
        path="orders",
        stage_name="prod",
        stage_throttle=Throttle(rate=2, burst=5),
        key_throttle=Throttle(rate=2, burst=5),
        quota=Quota(limit=5000),
        require_api_key=False,
    )

    # api-route-authorization and stage-throttling (and, bound only by the account, entrypoint-cost-budget):
    # quick create, as the HTTP API quickstart writes it: AWS makes an open $default route and an
    # unthrottled auto-deployed stage, neither of which is in the program.
    quick = guarded_function("quick", source=REPORT, role=role, reserved_concurrency=1)
    quick_api = aws.apigatewayv2.Api("quick-api", protocol_type="HTTP", target=quick.arn)
    allow_api_gateway("quick-invoke", quick, quick_api.execution_arn.apply(lambda arn: f"{arn}/*/*"), quick_api)

    # load-balancer-lambda-auth: an internet-facing load balancer forwards to a function with no
    # authenticate action first, so anyone can call it as fast as its reservation allows.
    public = guarded_function("public-alb-echo", source=REPORT, role=role, reserved_concurrency=1)
    LambdaBehindLoadBalancer("public", function=public, internal=False)
