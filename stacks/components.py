"""Reusable defences against Lambda and API Gateway abuse, written to be copied into your own program.

Each piece puts one caller-facing entry point behind the limits that keep a flood of calls (a chatty
webhook sender, a scraper, a client stuck in a retry loop) from becoming a flood of Lambda invocations:
- `guarded_function`: a Lambda function that must say how many copies of it may run at once;
- `ProtectedRestEndpoint`: REST API method -> Lambda, with API key, usage plan, stage throttle and a
  permission scoped to the API;
- `iam_function_url`: a function URL only IAM-signed requests can call;
- `JwtHttpApi`: HTTP API routes behind a JWT (Cognito) authorizer, throttled on the stage;
- `AuthorizedWebSocketApi`: a WebSocket API whose $connect runs a Lambda authorizer, throttled on the stage;
- `OpenApiRestEndpoint`: a REST API defined by an OpenAPI document (as Pulumi's own examples write them),
  its operation requiring an API key through the document's security, with usage plan and stage throttle;
- `OpenApiHttpApi`: an HTTP API defined by an OpenAPI document whose operations name a JWT authorizer;
- `ProxyRestApi`: a Regional REST API whose `ANY /` and `ANY /{proxy+}` methods (IAM-signed callers only) each
  have their own integration, waiting longer than 29 s for a slow function, throttled on the stage;
- `LambdaBehindLoadBalancer`: an Application Load Balancer forwarding to a Lambda target group, internal
  (reachable only inside its VPC) unless it is the insecure demo's public one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
from handlers import archive

PACKAGE = "abuse-guard-demo"


@dataclass(frozen=True)
class Throttle:
    """A token bucket: `rate` requests per second on average, at most `burst` at once."""

    rate: float
    burst: int


@dataclass(frozen=True)
class Quota:
    """How many requests one API key may make per period (DAY, WEEK or MONTH)."""

    limit: int
    period: str = "DAY"


def lambda_role(name: str) -> aws.iam.Role:
    """The execution role of the stack's functions: they may write their logs, nothing else."""
    role = aws.iam.Role(
        name,
        assume_role_policy=pulumi.Output.json_dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )
    aws.iam.RolePolicyAttachment(
        f"{name}-logs",
        role=role.name,
        policy_arn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    )
    return role


def guarded_function(
    name: str,
    *,
    source: str,
    role: aws.iam.Role,
    reserved_concurrency: int,
    timeout: int = 10,
    environment: Mapping[str, pulumi.Input[str]] | None = None,
    opts: pulumi.ResourceOptions | None = None,
) -> aws.lambda_.Function:
    """A Python Lambda function whose reserved concurrency is required, not optional.

    The reservation is the last line of defence: whatever gets past the front door, at most
    `reserved_concurrency` copies run at once, and the rest are throttled instead of billed.
    """
    return aws.lambda_.Function(
        name,
        role=role.arn,
        runtime="python3.12",
        handler="index.handler",
        code=archive(source),
        timeout=timeout,
        memory_size=128,
        reserved_concurrent_executions=reserved_concurrency,
        environment={"variables": dict(environment)} if environment else None,
        opts=opts,
    )


def allow_api_gateway(
    name: str, function: aws.lambda_.Function, source_arn: pulumi.Input[str], parent: pulumi.Resource
) -> aws.lambda_.Permission:
    """Let API Gateway invoke `function`, from the API (and path) `source_arn` names and nowhere else."""
    return aws.lambda_.Permission(
        name,
        action="lambda:InvokeFunction",
        function=function.name,
        principal="apigateway.amazonaws.com",
        source_arn=source_arn,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def throttled_rest_stage(
    name: str,
    rest_api: aws.apigateway.RestApi,
    deployment: aws.apigateway.Deployment,
    stage_name: str,
    throttle: Throttle,
    parent: pulumi.Resource,
) -> aws.apigateway.Stage:
    """A REST API stage and the stage-wide (`*/*`) MethodSettings that throttles all its callers together."""
    child = pulumi.ResourceOptions(parent=parent)
    stage = aws.apigateway.Stage(
        f"{name}-stage", rest_api=rest_api.id, deployment=deployment.id, stage_name=stage_name, opts=child
    )
    aws.apigateway.MethodSettings(
        f"{name}-stage-throttle",
        rest_api=rest_api.id,
        stage_name=stage.stage_name,
        method_path="*/*",
        settings={"throttling_rate_limit": throttle.rate, "throttling_burst_limit": throttle.burst},
        opts=child,
    )
    return stage


class ProtectedRestEndpoint(pulumi.ComponentResource):
    """One REST API method in front of a Lambda function, with every REST API defence.

    - the method requires an API key, so every caller is identified;
    - a usage plan throttles each key and caps its daily requests (quota), and lists the stage;
    - a stage-wide (`*/*`) MethodSettings throttles all callers of the stage together;
    - the Lambda permission names this API's execution ARN, so no other API can invoke the function.
    """

    def __init__(
        self,
        name: str,
        *,
        function: aws.lambda_.Function,
        path: str,
        http_method: str,
        stage_name: str,
        stage_throttle: Throttle,
        key_throttle: Throttle,
        quota: Quota,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{PACKAGE}:index:ProtectedRestEndpoint", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.rest_api = aws.apigateway.RestApi(f"{name}-api", description=f"{name}: {http_method} /{path}", opts=child)
        route = aws.apigateway.Resource(
            f"{name}-path",
            rest_api=self.rest_api.id,
            parent_id=self.rest_api.root_resource_id,
            path_part=path,
            opts=child,
        )
        method = aws.apigateway.Method(
            f"{name}-method",
            rest_api=self.rest_api.id,
            resource_id=route.id,
            http_method=http_method,
            authorization="NONE",
            api_key_required=True,
            opts=child,
        )
        integration = aws.apigateway.Integration(
            f"{name}-integration",
            rest_api=self.rest_api.id,
            resource_id=route.id,
            http_method=method.http_method,
            integration_http_method="POST",
            type="AWS_PROXY",
            uri=function.invoke_arn,
            opts=child,
        )
        self.deployment = aws.apigateway.Deployment(
            f"{name}-deployment",
            rest_api=self.rest_api.id,
            # A new deployment whenever the method or its integration changes (v7 deployments have no stage).
            triggers={"redeployment": pulumi.Output.json_dumps([route.id, method.id, integration.id])},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[method, integration]),
        )
        self.stage = throttled_rest_stage(name, self.rest_api, self.deployment, stage_name, stage_throttle, self)
        plan = aws.apigateway.UsagePlan(
            f"{name}-plan",
            api_stages=[{"api_id": self.rest_api.id, "stage": self.stage.stage_name}],
            throttle_settings={"rate_limit": key_throttle.rate, "burst_limit": key_throttle.burst},
            quota_settings={"limit": quota.limit, "period": quota.period},
            opts=child,
        )
        self.api_key = aws.apigateway.ApiKey(f"{name}-key", description=f"caller of {name}", opts=child)
        aws.apigateway.UsagePlanKey(
            f"{name}-plan-key",
            key_id=self.api_key.id,
            key_type="API_KEY",
            usage_plan_id=plan.id,
            opts=child,
        )
        allow_api_gateway(
            f"{name}-invoke",
            function,
            pulumi.Output.concat(self.rest_api.execution_arn, "/*/", http_method, "/", path),
            parent=self,
        )
        self.url = pulumi.Output.concat(self.stage.invoke_url, "/", path)
        self.register_outputs({"url": self.url})


class ProxyRestApi(pulumi.ComponentResource):
    """A REST API that hands every path to one function, as web frameworks behind API Gateway are fronted: `ANY /`
    and `ANY /{proxy+}`, each method with its own integration.

    - both methods take IAM-signed callers only (authorization AWS_IAM);
    - the API is Regional, so its integrations may wait longer than 29 s (`integration_timeout_ms`, up to the
      account's "Maximum integration timeout in milliseconds" quota; an edge-optimized API keeps the 29 s cap), and
      the function gives up before they do;
    - a stage-wide (`*/*`) MethodSettings throttles all callers together;
    - the Lambda permission names this API's execution ARN.
    """

    def __init__(
        self,
        name: str,
        *,
        function: aws.lambda_.Function,
        stage_name: str,
        stage_throttle: Throttle,
        integration_timeout_ms: int,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{PACKAGE}:index:ProxyRestApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.rest_api = aws.apigateway.RestApi(
            f"{name}-api",
            description=f"{name}: every path",
            endpoint_configuration={"types": "REGIONAL"},
            opts=child,
        )
        proxy_path = aws.apigateway.Resource(
            f"{name}-proxy-path",
            rest_api=self.rest_api.id,
            parent_id=self.rest_api.root_resource_id,
            path_part="{proxy+}",
            opts=child,
        )
        proxy = aws.apigateway.Method(
            f"{name}-proxy",
            rest_api=self.rest_api.id,
            resource_id=proxy_path.id,
            http_method="ANY",
            authorization="AWS_IAM",
            opts=child,
        )
        root = aws.apigateway.Method(
            f"{name}-root",
            rest_api=self.rest_api.id,
            resource_id=self.rest_api.root_resource_id,
            http_method="ANY",
            authorization="AWS_IAM",
            opts=child,
        )
        integrations = [
            aws.apigateway.Integration(
                f"{name}-{which}-integration",
                rest_api=self.rest_api.id,
                resource_id=resource_id,
                # Both methods are ANY, so the root integration may take its http_method from the proxy method:
                # an integration belongs to the method with its REST API, resource and HTTP method.
                http_method=proxy.http_method,
                integration_http_method="POST",
                type="AWS_PROXY",
                uri=function.invoke_arn,
                timeout_milliseconds=integration_timeout_ms,
                opts=child,
            )
            for which, resource_id in (("proxy", proxy_path.id), ("root", self.rest_api.root_resource_id))
        ]
        deployment = aws.apigateway.Deployment(
            f"{name}-deployment",
            rest_api=self.rest_api.id,
            triggers={"redeployment": pulumi.Output.json_dumps([proxy.id, root.id, *(i.id for i in integrations)])},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[proxy, root, *integrations]),
        )
        self.stage = throttled_rest_stage(name, self.rest_api, deployment, stage_name, stage_throttle, self)
        allow_api_gateway(
            f"{name}-invoke", function, pulumi.Output.concat(self.rest_api.execution_arn, "/*/*"), parent=self
        )
        self.url = self.stage.invoke_url
        self.register_outputs({"url": self.url})


def iam_function_url(name: str, function: aws.lambda_.Function) -> aws.lambda_.FunctionUrl:
    """A function URL that answers only SigV4-signed requests from principals with lambda:InvokeFunctionUrl."""
    return aws.lambda_.FunctionUrl(name, function_name=function.name, authorization_type="AWS_IAM")


class JwtHttpApi(pulumi.ComponentResource):
    """HTTP API routes to a Lambda function, each behind a JWT authorizer, throttled on the stage.

    HTTP APIs have no usage plans or API keys: the authorizer decides who may call, the stage's
    default route settings decide how fast everyone together may call.
    """

    def __init__(
        self,
        name: str,
        *,
        function: aws.lambda_.Function,
        routes: Sequence[str],
        issuer: pulumi.Input[str],
        audience: pulumi.Input[str],
        throttle: Throttle,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{PACKAGE}:index:JwtHttpApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.api = aws.apigatewayv2.Api(f"{name}-api", protocol_type="HTTP", opts=child)
        authorizer = aws.apigatewayv2.Authorizer(
            f"{name}-jwt",
            api_id=self.api.id,
            authorizer_type="JWT",
            identity_sources=["$request.header.Authorization"],
            jwt_configuration={"issuer": issuer, "audiences": [audience]},
            opts=child,
        )
        self.integration = aws.apigatewayv2.Integration(
            f"{name}-integration",
            api_id=self.api.id,
            integration_type="AWS_PROXY",
            integration_uri=function.invoke_arn,
            payload_format_version="2.0",
            opts=child,
        )
        for key in routes:
            aws.apigatewayv2.Route(
                f"{name}-{slug(key)}",
                api_id=self.api.id,
                route_key=key,
                authorization_type="JWT",
                authorizer_id=authorizer.id,
                target=integration_target(self.integration),
                opts=child,
            )
        throttled_default_stage(name, self.api, function, throttle, self)
        self.url = self.api.api_endpoint
        self.register_outputs({"url": self.url})


class AuthorizedWebSocketApi(pulumi.ComponentResource):
    """A WebSocket API whose $connect route runs a Lambda (REQUEST) authorizer, throttled on the stage.

    A WebSocket client is authorized once, when it connects; every message after that rides on the
    connection, so $connect is the lock and the stage throttle is the meter.
    """

    def __init__(
        self,
        name: str,
        *,
        handler: aws.lambda_.Function,
        authorizer: aws.lambda_.Function,
        routes: Sequence[str],
        stage_name: str,
        throttle: Throttle,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{PACKAGE}:index:AuthorizedWebSocketApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.api = aws.apigatewayv2.Api(
            f"{name}-api",
            protocol_type="WEBSOCKET",
            route_selection_expression="$request.body.action",
            opts=child,
        )
        connect_authorizer = aws.apigatewayv2.Authorizer(
            f"{name}-authorizer",
            api_id=self.api.id,
            authorizer_type="REQUEST",
            authorizer_uri=authorizer.invoke_arn,
            identity_sources=["route.request.querystring.token"],
            opts=child,
        )
        integration = aws.apigatewayv2.Integration(
            f"{name}-integration",
            api_id=self.api.id,
            integration_type="AWS_PROXY",
            integration_uri=handler.invoke_arn,
            opts=child,
        )
        aws.apigatewayv2.Route(
            f"{name}-connect",
            api_id=self.api.id,
            route_key="$connect",
            authorization_type="CUSTOM",
            authorizer_id=connect_authorizer.id,
            target=integration_target(integration),
            opts=child,
        )
        for key in routes:
            aws.apigatewayv2.Route(
                f"{name}-{slug(key)}",
                api_id=self.api.id,
                route_key=key,
                target=integration_target(integration),
                opts=child,
            )
        stage = aws.apigatewayv2.Stage(
            f"{name}-stage",
            api_id=self.api.id,
            name=stage_name,
            auto_deploy=True,
            default_route_settings={"throttling_rate_limit": throttle.rate, "throttling_burst_limit": throttle.burst},
            opts=child,
        )
        allow_api_gateway(f"{name}-invoke", handler, self.api.execution_arn.apply(lambda arn: f"{arn}/*"), self)
        allow_api_gateway(
            f"{name}-authorize", authorizer, self.api.execution_arn.apply(lambda arn: f"{arn}/authorizers/*"), self
        )
        self.url = stage.invoke_url
        self.register_outputs({"url": self.url})


def throttled_default_stage(
    name: str, api: aws.apigatewayv2.Api, function: aws.lambda_.Function, throttle: Throttle, parent: pulumi.Resource
) -> aws.apigatewayv2.Stage:
    """An HTTP API's auto-deployed `$default` stage, throttled for every route, and the permission that lets this
    API (and no other) invoke `function`."""
    stage = aws.apigatewayv2.Stage(
        f"{name}-stage",
        api_id=api.id,
        name="$default",
        auto_deploy=True,
        default_route_settings={"throttling_rate_limit": throttle.rate, "throttling_burst_limit": throttle.burst},
        opts=pulumi.ResourceOptions(parent=parent),
    )
    allow_api_gateway(f"{name}-invoke", function, api.execution_arn.apply(lambda arn: f"{arn}/*/*"), parent)
    return stage


def integration_target(integration: aws.apigatewayv2.Integration) -> pulumi.Output[str]:
    return integration.id.apply(lambda integration_id: f"integrations/{integration_id}")


def slug(route_key: str) -> str:
    """A resource name from a route key: 'GET /items' -> 'get-items', '$disconnect' -> 'disconnect'."""
    words = "".join(c.lower() if c.isalnum() else " " for c in route_key).split()
    return "-".join(words) or "root"


def redeploy_on(body: pulumi.Output[str]) -> dict[str, pulumi.Input[str]]:
    """Deployment triggers: a new REST deployment whenever the OpenAPI document changes."""
    return {"redeployment": body.apply(lambda text: hashlib.sha256(text.encode()).hexdigest())}


class OpenApiRestEndpoint(pulumi.ComponentResource):
    """A REST API whose one operation is defined in an OpenAPI `body`, with every REST API defence.

    API Gateway imports each operation of the document as a method, with its authorization from the
    document's security (here an API key scheme) and its integration from x-amazon-apigateway-integration;
    the stage, its `*/*` throttle, the usage plan and the permission are resources as for Method-built APIs.
    `require_api_key=False` is the insecure demo's open twin: the operation's security is empty.
    """

    def __init__(
        self,
        name: str,
        *,
        function: aws.lambda_.Function,
        path: str,
        stage_name: str,
        stage_throttle: Throttle,
        key_throttle: Throttle,
        quota: Quota,
        require_api_key: bool = True,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{PACKAGE}:index:OpenApiRestEndpoint", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        security: list[dict[str, list[str]]] = [{"api_key": []}] if require_api_key else []

        def document(invoke_arn: str) -> str:
            return json.dumps(
                {
                    "openapi": "3.0.1",
                    "info": {"title": name, "version": "1.0"},
                    "components": {
                        "securitySchemes": {"api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}}
                    },
                    "paths": {
                        f"/{path}": {
                            "get": {
                                "security": security,
                                "x-amazon-apigateway-integration": {
                                    "type": "aws_proxy",
                                    "httpMethod": "POST",
                                    "uri": invoke_arn,
                                },
                            }
                        }
                    },
                }
            )

        body = function.invoke_arn.apply(document)
        self.rest_api = aws.apigateway.RestApi(f"{name}-api", body=body, opts=child)
        deployment = aws.apigateway.Deployment(
            f"{name}-deployment", rest_api=self.rest_api.id, triggers=redeploy_on(body), opts=child
        )
        self.stage = throttled_rest_stage(name, self.rest_api, deployment, stage_name, stage_throttle, self)
        if require_api_key:
            plan = aws.apigateway.UsagePlan(
                f"{name}-plan",
                api_stages=[{"api_id": self.rest_api.id, "stage": self.stage.stage_name}],
                throttle_settings={"rate_limit": key_throttle.rate, "burst_limit": key_throttle.burst},
                quota_settings={"limit": quota.limit, "period": quota.period},
                opts=child,
            )
            key = aws.apigateway.ApiKey(f"{name}-key", description=f"caller of {name}", opts=child)
            aws.apigateway.UsagePlanKey(
                f"{name}-plan-key", key_id=key.id, key_type="API_KEY", usage_plan_id=plan.id, opts=child
            )
        allow_api_gateway(
            f"{name}-invoke", function, pulumi.Output.concat(self.rest_api.execution_arn, "/*/GET/", path), self
        )
        self.url = pulumi.Output.concat(self.stage.invoke_url, "/", path)
        self.register_outputs({"url": self.url})


class OpenApiHttpApi(pulumi.ComponentResource):
    """An HTTP API whose routes are defined in an OpenAPI `body`, each behind a JWT authorizer the document
    defines (x-amazon-apigateway-authorizer of type jwt), throttled on its `$default` stage."""

    def __init__(
        self,
        name: str,
        *,
        function: aws.lambda_.Function,
        routes: Sequence[str],
        issuer: pulumi.Input[str],
        audience: pulumi.Input[str],
        throttle: Throttle,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{PACKAGE}:index:OpenApiHttpApi", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        def document(args: list[Any]) -> str:
            invoke_arn, issuer_url, client = args
            paths: dict[str, dict[str, Any]] = {}
            for key in routes:
                verb, path = key.split(" ", 1)
                paths.setdefault(path, {})[verb.lower()] = {
                    "security": [{"jwt": []}],
                    "x-amazon-apigateway-integration": {
                        "type": "aws_proxy",
                        "httpMethod": "POST",
                        "uri": invoke_arn,
                        "payloadFormatVersion": "2.0",
                    },
                }
            jwt = {
                "type": "oauth2",
                "x-amazon-apigateway-authorizer": {
                    "type": "jwt",
                    "identitySource": "$request.header.Authorization",
                    "jwtConfiguration": {"issuer": issuer_url, "audience": [client]},
                },
            }
            return json.dumps(
                {
                    "openapi": "3.0.1",
                    "info": {"title": name, "version": "1.0"},
                    "components": {"securitySchemes": {"jwt": jwt}},
                    "paths": paths,
                }
            )

        self.api = aws.apigatewayv2.Api(
            f"{name}-api",
            protocol_type="HTTP",
            body=pulumi.Output.all(function.invoke_arn, issuer, audience).apply(document),
            opts=child,
        )
        throttled_default_stage(name, self.api, function, throttle, self)
        self.url = self.api.api_endpoint
        self.register_outputs({"url": self.url})


class LambdaBehindLoadBalancer(pulumi.ComponentResource):
    """An Application Load Balancer that forwards HTTP requests to a Lambda function (a target group of type
    lambda). A load balancer has no API keys, usage plans or throttles: internal, it is reachable only inside
    its VPC (here a VPC of its own, two subnets in two Availability Zones of the configured region);
    `internal=False` is the insecure demo's internet-facing one, with no authenticate action."""

    def __init__(
        self,
        name: str,
        *,
        function: aws.lambda_.Function,
        internal: bool = True,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{PACKAGE}:index:LambdaBehindLoadBalancer", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        region = aws.config.region or "us-east-1"
        vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block="10.20.0.0/16", opts=child)
        subnets = [
            aws.ec2.Subnet(
                f"{name}-subnet-{zone}",
                vpc_id=vpc.id,
                cidr_block=f"10.20.{index}.0/24",
                availability_zone=f"{region}{zone}",
                opts=child,
            )
            for index, zone in enumerate("ab")
        ]
        if not internal:
            aws.ec2.InternetGateway(f"{name}-gateway", vpc_id=vpc.id, opts=child)
        security_group = aws.ec2.SecurityGroup(
            f"{name}-http",
            vpc_id=vpc.id,
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": 80,
                    "to_port": 80,
                    "cidr_blocks": ["10.20.0.0/16" if internal else "0.0.0.0/0"],
                }
            ],
            opts=child,
        )
        balancer = aws.lb.LoadBalancer(
            f"{name}-alb",
            internal=internal,
            load_balancer_type="application",
            subnets=[subnet.id for subnet in subnets],
            security_groups=[security_group.id],
            opts=child,
        )
        targets = aws.lb.TargetGroup(f"{name}-targets", target_type="lambda", opts=child)
        permission = aws.lambda_.Permission(
            f"{name}-invoke",
            action="lambda:InvokeFunction",
            function=function.name,
            principal="elasticloadbalancing.amazonaws.com",
            source_arn=targets.arn,
            opts=child,
        )
        aws.lb.TargetGroupAttachment(
            f"{name}-attach",
            target_group_arn=targets.arn,
            target_id=function.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[permission]),
        )
        aws.lb.Listener(
            f"{name}-http",
            load_balancer_arn=balancer.arn,
            port=80,
            protocol="HTTP",
            default_actions=[{"type": "forward", "target_group_arn": targets.arn}],
            opts=child,
        )
        self.dns_name = balancer.dns_name
        self.register_outputs({"dnsName": self.dns_name})
