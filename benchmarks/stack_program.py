"""The Pulumi program of the offline-preview benchmark: synthetic.py's units, written with pulumi_aws.

program.py copies this file into a fresh project as __main__.py, next to a generated units.py that
lists the units and worker functions to build (with each unit's knobs). What synthetic.py writes as
unknown sentinels comes out of real outputs here (IDs, ARNs, and values computed from them), so the
offline preview records it as unknown, as `pulumi preview` would.
"""

import json
from typing import Any

import pulumi
import pulumi_aws as aws
from units import UNITS, WORKERS  # type: ignore[import-not-found]

HANDLER = (
    "import json\n\n\ndef handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps({'ok': True})}\n"
)
UNKNOWN_VALUE = "unknown"
EXEMPT = "abuse-guard:exempt:"
ACCOUNT = "123456789012"

code = pulumi.AssetArchive({"index.py": pulumi.StringAsset(HANDLER)})
role = aws.iam.Role(
    "lambda-role",
    assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": []}),
    max_session_duration=3600,
)


def later(value: Any) -> Any:
    """A knob value as the program has it: UNKNOWN_VALUE becomes a value computed from an output."""
    return role.id.apply(lambda _: 5) if value == UNKNOWN_VALUE else value


def function(name: str, parent: pulumi.Resource | None, knobs: dict[str, Any], timeout: float) -> aws.lambda_.Function:
    tags = {"team": f"team-{knobs['index'] % 12}", "service": name}
    if knobs["exempt_reserved"]:
        tags[f"{EXEMPT}lambda-reserved-concurrency"] = "batch job, throttled upstream"
    environment = None
    if knobs["secret_env"]:
        environment = {"variables": {"STAGE": "prod", "API_TOKEN": pulumi.Output.secret("s3cr3t-token")}}
    return aws.lambda_.Function(
        name,
        role=role.arn,
        runtime="python3.12",
        handler="index.handler",
        code=code,
        memory_size=128,
        timeout=timeout,
        reserved_concurrent_executions=later(knobs["reserved"]),
        publish=False,
        package_type="Zip",
        tags=tags,
        environment=environment,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def api_invoke_permission(
    name: str, fn: aws.lambda_.Function, execution_arn: pulumi.Output[str], opts: pulumi.ResourceOptions
) -> None:
    """API Gateway's right to invoke `fn`, scoped to the API's execution ARN."""
    aws.lambda_.Permission(
        name,
        action="lambda:InvokeFunction",
        function=fn.name,
        principal="apigateway.amazonaws.com",
        source_arn=execution_arn,
        opts=opts,
    )


class RestEndpoint(pulumi.ComponentResource):
    def __init__(self, name: str, knobs: dict[str, Any]) -> None:
        super().__init__("bench:index:RestEndpoint", name)
        child = pulumi.ResourceOptions(parent=self)
        fn = function(f"{name}-fn", self, knobs, knobs["timeout"])
        api = aws.apigateway.RestApi(
            f"{name}-api",
            name=f"{name}-api",
            description=f"{name}: POST /hook",
            endpoint_configuration={"types": "REGIONAL"},
            opts=child,
        )
        api_invoke_permission(f"{name}-invoke", fn, api.execution_arn, child)
        path = aws.apigateway.Resource(
            f"{name}-path", rest_api=api.id, parent_id=api.root_resource_id, path_part="hook", opts=child
        )
        method = aws.apigateway.Method(
            f"{name}-method",
            rest_api=api.id,
            resource_id=path.id,
            http_method="POST",
            authorization="NONE",
            api_key_required=False if knobs["open_entry"] else later(knobs["key_required"]),
            opts=child,
        )
        integration = aws.apigateway.Integration(
            f"{name}-integration",
            rest_api=api.id,
            resource_id=path.id,
            http_method=method.http_method,
            type="AWS_PROXY",
            integration_http_method="POST",
            uri=fn.invoke_arn,
            timeout_milliseconds=29000,
            passthrough_behavior="WHEN_NO_MATCH",
            opts=child,
        )
        deployment = aws.apigateway.Deployment(
            f"{name}-deployment",
            rest_api=api.id,
            triggers={"redeployment": pulumi.Output.json_dumps([path.id, method.id, integration.id])},
            opts=child,
        )
        stage_tags = {"team": f"team-{knobs['index'] % 12}"}
        if knobs["exempt_stage"]:
            stage_tags[f"{EXEMPT}rest-stage-protected"] = "internal API behind a VPN"
        stage = aws.apigateway.Stage(
            f"{name}-stage",
            rest_api=api.id,
            deployment=deployment.id,
            stage_name="prod",
            tags=stage_tags,
            opts=child,
        )
        rate, burst = knobs["stage_throttle"] or (-1, -1)
        aws.apigateway.MethodSettings(
            f"{name}-throttle",
            rest_api=api.id,
            stage_name=stage.stage_name,
            method_path="*/*",
            settings={
                "throttling_rate_limit": later(rate),
                "throttling_burst_limit": burst,
                "metrics_enabled": False,
                "logging_level": "OFF",
                "caching_enabled": False,
            },
            opts=child,
        )
        plan = aws.apigateway.UsagePlan(
            f"{name}-plan",
            name=f"{name}-plan",
            api_stages=[{"api_id": api.id, "stage": stage.stage_name}],
            throttle_settings={"rate_limit": 10, "burst_limit": 20},
            quota_settings={"limit": 10000, "period": "DAY"} if knobs["quota"] else None,
            opts=child,
        )
        key = aws.apigateway.ApiKey(f"{name}-key", description=f"caller of {name}", enabled=True, opts=child)
        aws.apigateway.UsagePlanKey(
            f"{name}-plan-key", key_id=key.id, key_type="API_KEY", usage_plan_id=plan.id, opts=child
        )


class HttpApi(pulumi.ComponentResource):
    def __init__(self, name: str, knobs: dict[str, Any]) -> None:
        super().__init__("bench:index:HttpApi", name)
        child = pulumi.ResourceOptions(parent=self)
        fn = function(f"{name}-fn", self, knobs, 10)
        api = aws.apigatewayv2.Api(f"{name}-api", name=f"{name}-api", protocol_type="HTTP", opts=child)
        api_invoke_permission(f"{name}-invoke", fn, api.execution_arn, child)
        jwt = aws.apigatewayv2.Authorizer(
            f"{name}-jwt",
            api_id=api.id,
            authorizer_type="JWT",
            identity_sources=["$request.header.Authorization"],
            jwt_configuration={"issuer": "https://issuer.example.com", "audiences": [f"{name}-client"]},
            opts=child,
        )
        integration = aws.apigatewayv2.Integration(
            f"{name}-integration",
            api_id=api.id,
            integration_type="AWS_PROXY",
            integration_uri=fn.invoke_arn,
            payload_format_version="2.0",
            opts=child,
        )
        for verb, is_open in (("GET", False), ("POST", knobs["open_entry"])):
            aws.apigatewayv2.Route(
                f"{name}-{verb.lower()}-items",
                api_id=api.id,
                route_key=f"{verb} /items",
                target=integration.id.apply(lambda i: f"integrations/{i}"),
                authorization_type="NONE" if is_open else "JWT",
                authorizer_id=None if is_open else jwt.id,
                opts=child,
            )
        throttle = knobs["stage_throttle"]
        aws.apigatewayv2.Stage(
            f"{name}-stage",
            api_id=api.id,
            name="$default",
            auto_deploy=True,
            default_route_settings=(
                {"throttling_rate_limit": later(throttle[0]), "throttling_burst_limit": throttle[1]}
                if throttle is not None
                else None
            ),
            opts=child,
        )


class WebhookUrl(pulumi.ComponentResource):
    def __init__(self, name: str, knobs: dict[str, Any]) -> None:
        super().__init__("bench:index:WebhookUrl", name)
        child = pulumi.ResourceOptions(parent=self)
        fn = function(f"{name}-fn", self, knobs, 10)
        aws.lambda_.FunctionUrl(
            f"{name}-public-url" if knobs["url_exempt"] else f"{name}-url",
            function_name=fn.name,
            authorization_type="NONE" if knobs["public_url"] else "AWS_IAM",
            opts=child,
        )
        aws.lambda_.Permission(
            f"{name}-partner-invoke" if knobs["partner_exempt"] else f"{name}-invoke",
            action="lambda:InvokeFunction",
            function=fn.name,
            principal=knobs["principal"],
            source_arn=f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{name}" if knobs["source_arn"] else None,
            opts=child,
        )


KINDS = {"bench:index:RestEndpoint": RestEndpoint, "bench:index:HttpApi": HttpApi, "bench:index:WebhookUrl": WebhookUrl}

for kind, unit_name, unit_knobs in UNITS:
    KINDS[kind](unit_name, unit_knobs)
for worker_name, worker_knobs in WORKERS:
    function(worker_name, None, worker_knobs, 60)
