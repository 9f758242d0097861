"""abuse-guard's reference stack: every defence against Lambda and API Gateway abuse, deployable.

Stack `compliant` fails no policy of the pack. Stack `insecure` sets `abuse-guard-demo:insecure` and
adds one anti-pattern per policy (anti_patterns.py), each caught by exactly that policy. Stacks `native`
and `native-insecure` set `abuse-guard-demo:provider: aws-native` and build the same defences (and
anti-patterns) with the aws-native provider (native.py).
"""

import anti_patterns
import native
import pulumi
import pulumi_aws as aws
from components import (
    AuthorizedWebSocketApi,
    JwtHttpApi,
    LambdaBehindLoadBalancer,
    OpenApiHttpApi,
    OpenApiRestEndpoint,
    ProtectedRestEndpoint,
    ProxyRestApi,
    Quota,
    Throttle,
    guarded_function,
    iam_function_url,
    lambda_role,
)
from handlers import CATALOG, CONNECT_AUTHORIZER, EXPORTS, ITEMS, MESSAGES, ORDERS, REFRESH_CACHE, REPORT

config = pulumi.Config()
role = lambda_role("lambda-role")
users = aws.cognito.UserPool("users")
app_client = aws.cognito.UserPoolClient("items-app", user_pool_id=users.id)
issuer = users.endpoint.apply(lambda endpoint: f"https://{endpoint}")
# How long the exports API's integrations wait: above 29,000 only once the account's quota is raised (below).
integration_timeout_ms = config.get_int("integrationTimeoutMs") or 60_000


def build_aws() -> None:
    """The reference stack in pulumi-aws (stacks compliant and insecure)."""

    # 1. The webhook receiver: a third-party CMS calls POST /refresh-cache once per changed record. One
    #    instance at a time is all the cache refresh needs; the API key, usage plan and stage throttle
    #    turn a burst of 100 calls into a few, and 429s the sender retries.
    refresh_cache = guarded_function("refresh-cache", source=REFRESH_CACHE, role=role, reserved_concurrency=1)
    webhook = ProtectedRestEndpoint(
        "webhook",
        function=refresh_cache,
        path="refresh-cache",
        http_method="POST",
        stage_name="prod",
        stage_throttle=Throttle(rate=5, burst=10),
        key_throttle=Throttle(rate=2, burst=5),
        quota=Quota(limit=5000, period="DAY"),
    )

    # 2. A report anyone in the account may fetch, but only with IAM-signed requests.
    report = guarded_function("report", source=REPORT, role=role, reserved_concurrency=2)
    report_url = iam_function_url("report-url", report)

    # 3. An HTTP API for signed-in users: Cognito issues the JWTs, the authorizer checks them.
    items = guarded_function("items", source=ITEMS, role=role, reserved_concurrency=5)
    items_api = JwtHttpApi(
        "items",
        function=items,
        routes=["GET /items", "POST /items"],
        issuer=issuer,
        audience=app_client.id,
        throttle=Throttle(rate=20, burst=40),
    )

    # 4. A WebSocket API: clients are authorized when they connect; the stage throttles the messages.
    connect_token = config.get_secret("connectToken")
    messages = guarded_function("messages", source=MESSAGES, role=role, reserved_concurrency=5)
    connect_authorizer = guarded_function(
        "connect-authorizer",
        source=CONNECT_AUTHORIZER,
        role=role,
        reserved_concurrency=2,
        environment={"CONNECT_TOKEN": connect_token} if connect_token is not None else None,
    )
    live = AuthorizedWebSocketApi(
        "live",
        handler=messages,
        authorizer=connect_authorizer,
        routes=["$disconnect", "sendMessage"],
        stage_name="live",
        throttle=Throttle(rate=10, burst=20),
    )

    # 5. A REST API defined by an OpenAPI document, as Pulumi's own examples write them: the document's
    #    security requires an API key, a usage plan meters it, the stage throttles everyone together.
    orders = guarded_function("orders", source=ORDERS, role=role, reserved_concurrency=2)
    orders_api = OpenApiRestEndpoint(
        "orders",
        function=orders,
        path="orders",
        stage_name="prod",
        stage_throttle=Throttle(rate=5, burst=10),
        key_throttle=Throttle(rate=2, burst=5),
        quota=Quota(limit=5000, period="DAY"),
    )

    # 6. An HTTP API defined by an OpenAPI document whose operations name a JWT authorizer (the same Cognito pool).
    catalog = guarded_function("catalog", source=CATALOG, role=role, reserved_concurrency=2)
    catalog_api = OpenApiHttpApi(
        "catalog",
        function=catalog,
        routes=["GET /catalog"],
        issuer=issuer,
        audience=app_client.id,
        throttle=Throttle(rate=20, burst=40),
    )

    # 7. A function behind an internal Application Load Balancer: reachable only from inside its VPC.
    internal_alb = LambdaBehindLoadBalancer(
        "internal", function=guarded_function("alb-echo", source=REPORT, role=role, reserved_concurrency=1)
    )

    # 8. A web app behind one Regional REST API: ANY / and ANY /{proxy+}, each with its own integration, for
    #    IAM-signed callers. Exports take up to 50 s, so the integrations wait 60 s: above 29 s, which only Regional
    #    and private APIs allow once the account's "Maximum integration timeout in milliseconds" quota is raised
    #    (config integrationTimeoutMs lowers it; docs/reference-stacks.md).
    exports = guarded_function("exports", source=EXPORTS, role=role, reserved_concurrency=2, timeout=50)
    exports_api = ProxyRestApi(
        "exports",
        function=exports,
        stage_name="prod",
        stage_throttle=Throttle(rate=2, burst=4),
        integration_timeout_ms=integration_timeout_ms,
    )

    if config.get_bool("insecure"):
        anti_patterns.add(role=role, refresh_cache=refresh_cache, webhook=webhook, items=items, items_api=items_api)

    pulumi.export("webhookUrl", webhook.url)
    pulumi.export("webhookApiKey", webhook.api_key.value)
    pulumi.export("reportUrl", report_url.function_url)
    pulumi.export("itemsUrl", items_api.url)
    pulumi.export("liveUrl", live.url)
    pulumi.export("ordersUrl", orders_api.url)
    pulumi.export("catalogUrl", catalog_api.url)
    pulumi.export("internalAlbDnsName", internal_alb.dns_name)
    pulumi.export("exportsUrl", exports_api.url)


if config.get("provider") == "aws-native":
    # stacks native and native-insecure: the same defences in aws-native (native.py)
    native.build(role, issuer, app_client.id, integration_timeout_ms)
    if config.get_bool("insecure"):
        native.add_anti_patterns(role)
else:
    build_aws()

pulumi.export("userPoolId", users.id)
pulumi.export("appClientId", app_client.id)
