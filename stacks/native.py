"""The `native` stacks: the same defences written with Pulumi's aws-native provider (Cloud Control).

aws-native names and shapes follow CloudFormation: a method's integration is a block of the method, a
REST stage's method settings are a list inside the stage, usage plan limits are `throttle` and `quota`,
tags are a list. abuse-guard checks them as it checks their pulumi-aws twins, and a stack may mix the
two: here the execution role and one permission are pulumi-aws resources linked to aws-native ones.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as native
from components import Quota, Throttle
from handlers import EXPORTS, ITEMS, REFRESH_CACHE, REPORT


def function(
    name: str, *, source: str, role: aws.iam.Role, reserved_concurrency: int | None, timeout: int = 10
) -> native.lambda_.Function:
    """A Python function with its code inline (aws-native takes it as `code.zip_file`)."""
    return native.lambda_.Function(
        name,
        role=role.arn,
        runtime="python3.12",
        handler="index.handler",
        code={"zip_file": source},
        timeout=timeout,
        memory_size=128,
        reserved_concurrent_executions=reserved_concurrency,
    )


def invoke_arn(function_arn: pulumi.Input[str]) -> pulumi.Output[str]:
    """The ARN API Gateway invokes a Lambda function with, in the stack's region."""
    region = aws.config.region or "us-east-1"
    return pulumi.Output.concat(
        f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/", function_arn, "/invocations"
    )


def execute_api_arn(api_id: pulumi.Input[str], tail: str) -> pulumi.Output[str]:
    """The execute-api ARN of a REST API in the stack's account and region, followed by `tail` (`/*/GET/items`)."""
    account = aws.get_caller_identity_output().account_id
    region = aws.config.region or "us-east-1"
    return pulumi.Output.concat(f"arn:aws:execute-api:{region}:", account, ":", api_id, tail)


class NativeWebhook(pulumi.ComponentResource):
    """The webhook receiver of the reference stack in aws-native: POST /refresh-cache requires an API key,
    a usage plan throttles and caps each key, the stage's method settings throttle everyone together."""

    def __init__(
        self,
        name: str,
        *,
        handler: native.lambda_.Function,
        stage_throttle: Throttle,
        key_throttle: Throttle,
        quota: Quota,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("abuse-guard-demo:index:NativeWebhook", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.rest_api = native.apigateway.RestApi(f"{name}-api", name=name, opts=child)
        path = native.apigateway.Resource(
            f"{name}-path",
            rest_api_id=self.rest_api.rest_api_id,
            parent_id=self.rest_api.root_resource_id,
            path_part="refresh-cache",
            opts=child,
        )
        method = native.apigateway.Method(
            f"{name}-method",
            rest_api_id=self.rest_api.rest_api_id,
            resource_id=path.resource_id,
            http_method="POST",
            authorization_type="NONE",
            api_key_required=True,
            integration=native.apigateway.MethodIntegrationArgs(
                type=native.apigateway.MethodIntegrationType.AWS_PROXY,
                integration_http_method="POST",
                uri=invoke_arn(handler.arn),
            ),
            opts=child,
        )
        deployment = native.apigateway.Deployment(
            f"{name}-deployment",
            rest_api_id=self.rest_api.rest_api_id,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[method]),
        )
        self.stage = native.apigateway.Stage(
            f"{name}-stage",
            rest_api_id=self.rest_api.rest_api_id,
            deployment_id=deployment.deployment_id,
            stage_name="prod",
            method_settings=[
                {
                    "http_method": "*",
                    "resource_path": "/*",
                    "throttling_rate_limit": stage_throttle.rate,
                    "throttling_burst_limit": stage_throttle.burst,
                }
            ],
            opts=child,
        )
        plan = native.apigateway.UsagePlan(
            f"{name}-plan",
            api_stages=[{"api_id": self.rest_api.rest_api_id, "stage": self.stage.stage_name}],
            throttle={"rate_limit": key_throttle.rate, "burst_limit": key_throttle.burst},
            quota={"limit": quota.limit, "period": quota.period},
            opts=child,
        )
        key = native.apigateway.ApiKey(f"{name}-key", enabled=True, opts=child)
        native.apigateway.UsagePlanKey(
            f"{name}-plan-key",
            key_id=key.api_key_id,
            key_type=native.apigateway.UsagePlanKeyKeyType.API_KEY,
            usage_plan_id=plan.aws_id,
            opts=child,
        )
        # a pulumi-aws permission for the aws-native function, scoped to this API's POST /refresh-cache
        aws.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function=handler.arn,
            principal="apigateway.amazonaws.com",
            source_arn=execute_api_arn(self.rest_api.rest_api_id, "/*/POST/refresh-cache"),
            opts=child,
        )
        self.register_outputs({})


class NativeProxyApi(pulumi.ComponentResource):
    """components.ProxyRestApi in aws-native: a Regional REST API whose `ANY /` and `ANY /{proxy+}` methods take
    IAM-signed callers, each with its integration embedded and waiting `integration_timeout_ms`; the deployment
    creates the stage and throttles it whole through its `stage_description`."""

    def __init__(
        self,
        name: str,
        *,
        handler: native.lambda_.Function,
        stage_throttle: Throttle,
        integration_timeout_ms: int,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("abuse-guard-demo:index:NativeProxyApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        api = native.apigateway.RestApi(
            f"{name}-api", name=name, endpoint_configuration={"types": ["REGIONAL"]}, opts=child
        )
        proxy_path = native.apigateway.Resource(
            f"{name}-proxy-path",
            rest_api_id=api.rest_api_id,
            parent_id=api.root_resource_id,
            path_part="{proxy+}",
            opts=child,
        )
        methods = [
            native.apigateway.Method(
                f"{name}-{which}",
                rest_api_id=api.rest_api_id,
                resource_id=resource_id,
                http_method="ANY",
                authorization_type="AWS_IAM",
                integration=native.apigateway.MethodIntegrationArgs(
                    type=native.apigateway.MethodIntegrationType.AWS_PROXY,
                    integration_http_method="POST",
                    uri=invoke_arn(handler.arn),
                    timeout_in_millis=integration_timeout_ms,
                ),
                opts=child,
            )
            for which, resource_id in (("proxy", proxy_path.resource_id), ("root", api.root_resource_id))
        ]
        native.apigateway.Deployment(
            f"{name}-deployment",
            rest_api_id=api.rest_api_id,
            stage_name="prod",
            stage_description={
                "throttling_rate_limit": stage_throttle.rate,
                "throttling_burst_limit": stage_throttle.burst,
            },
            opts=pulumi.ResourceOptions(parent=self, depends_on=methods),
        )
        native.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function_name=handler.arn,
            principal="apigateway.amazonaws.com",
            source_arn=execute_api_arn(api.rest_api_id, "/*/*"),
            opts=child,
        )
        self.register_outputs({})


class NativeJwtHttpApi(pulumi.ComponentResource):
    """An HTTP API in aws-native whose routes all run a JWT authorizer, throttled on the `$default` stage."""

    def __init__(
        self,
        name: str,
        *,
        handler: native.lambda_.Function,
        routes: list[str],
        issuer: pulumi.Input[str],
        audience: pulumi.Input[str],
        throttle: Throttle,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__("abuse-guard-demo:index:NativeJwtHttpApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        api = native.apigatewayv2.Api(f"{name}-api", name=name, protocol_type="HTTP", opts=child)
        authorizer = native.apigatewayv2.Authorizer(
            f"{name}-jwt",
            api_id=api.api_id,
            name=f"{name}-jwt",
            authorizer_type="JWT",
            identity_source=["$request.header.Authorization"],
            jwt_configuration={"issuer": issuer, "audience": [audience]},
            opts=child,
        )
        integration = native.apigatewayv2.Integration(
            f"{name}-integration",
            api_id=api.api_id,
            integration_type="AWS_PROXY",
            integration_uri=handler.arn,
            payload_format_version="2.0",
            opts=child,
        )
        for key in routes:
            native.apigatewayv2.Route(
                f"{name}-{key.lower().replace(' /', '-').replace('/', '-')}",
                api_id=api.api_id,
                route_key=key,
                authorization_type="JWT",
                authorizer_id=authorizer.authorizer_id,
                target=pulumi.Output.concat("integrations/", integration.integration_id),
                opts=child,
            )
        native.apigatewayv2.Stage(
            f"{name}-stage",
            api_id=api.api_id,
            stage_name="$default",
            auto_deploy=True,
            default_route_settings={"throttling_rate_limit": throttle.rate, "throttling_burst_limit": throttle.burst},
            opts=child,
        )
        native.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function_name=handler.arn,
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(api.execute_api_arn, "/*/*"),
            opts=child,
        )
        self.register_outputs({})


def build(
    role: aws.iam.Role, issuer: pulumi.Input[str], audience: pulumi.Input[str], integration_timeout_ms: int
) -> None:
    """The webhook receiver, an IAM function URL, a JWT HTTP API and a Regional proxy REST API, in aws-native."""
    refresh_cache = function("native-refresh-cache", source=REFRESH_CACHE, role=role, reserved_concurrency=1)
    NativeWebhook(
        "native-webhook",
        handler=refresh_cache,
        stage_throttle=Throttle(rate=5, burst=10),
        key_throttle=Throttle(rate=2, burst=5),
        quota=Quota(limit=5000, period="DAY"),
    )
    report = function("native-report", source=REPORT, role=role, reserved_concurrency=2)
    native.lambda_.Url(
        "native-report-url", target_function_arn=report.arn, auth_type=native.lambda_.UrlAuthType.AWS_IAM
    )
    items = function("native-items", source=ITEMS, role=role, reserved_concurrency=5)
    NativeJwtHttpApi(
        "native-items",
        handler=items,
        routes=["GET /items"],
        issuer=issuer,
        audience=audience,
        throttle=Throttle(rate=20, burst=40),
    )
    exports = function("native-exports", source=EXPORTS, role=role, reserved_concurrency=2, timeout=50)
    NativeProxyApi(
        "native-exports",
        handler=exports,
        stage_throttle=Throttle(rate=2, burst=4),
        integration_timeout_ms=integration_timeout_ms,
    )


def add_anti_patterns(role: aws.iam.Role) -> None:
    """What `native-insecure` adds: one aws-native anti-pattern per policy, each caught by that policy."""
    # lambda-reserved-concurrency: aws-native has no -1 sentinel; an absent reservation is unreserved.
    unreserved = function("native-unreserved", source=REPORT, role=role, reserved_concurrency=None)
    # lambda-function-url-auth: a public URL on it (its reservation-free function is the other anti-pattern).
    native.lambda_.Url(
        "native-public-url", target_function_arn=unreserved.arn, auth_type=native.lambda_.UrlAuthType.NONE
    )
    # rest-method-authorization: an anonymous GET on an API of its own, answered by API Gateway (MOCK).
    api = native.apigateway.RestApi("native-open-api", name="native-open-api")
    native.apigateway.Method(
        "native-open-get",
        rest_api_id=api.rest_api_id,
        resource_id=api.root_resource_id,
        http_method="GET",
        authorization_type="NONE",
        integration=native.apigateway.MethodIntegrationArgs(type=native.apigateway.MethodIntegrationType.MOCK),
    )
