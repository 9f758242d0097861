"""Synthetic stacks of any size with the resource mix of a real serverless stack, as the engine sends it.

A stack is the root stack resource, one IAM role, then units like those stacks/components.py deploys,
in turn: a REST endpoint (13 resources), an HTTP API (9) and a webhook function URL (4), each a
component resource with its children; whatever does not fit a whole unit is filled with standalone
worker functions, so a stack has exactly the size asked for. Props are what a pack receives at
preview: camelCase inputs with provider defaults filled in, numbers as floats, IDs and ARNs as the
engine's typed unknown sentinels, secrets in their envelope, function code as an archive, and links
as property dependencies. `Knobs` decides per unit what breaks a rule, what stays unknown and what
is exempt (by tag or by `PACK_CONFIG`), so every outcome and code path of the policies is exercised.
program.py writes the same units as a Pulumi program.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE

from abuse_guard.policy import EXEMPT_TAG_PREFIX
from abuse_guard.resources import SECRET_SIG, SIG_KEY, STACK_TYPE, Resource, from_wire

PROJECT = "bench"
STACK = "bench"
ACCOUNT = "123456789012"
UNKNOWN_VALUE = "unknown"
"""A knob value the program computes from an output, so it is unknown at preview."""

ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
HANDLER = (
    "import json\n\n\ndef handler(event, context):\n    return {'statusCode': 200, 'body': json.dumps({'ok': True})}\n"
)

REST_UNIT, HTTP_UNIT, URL_UNIT = "bench:index:RestEndpoint", "bench:index:HttpApi", "bench:index:WebhookUrl"
UNIT_SIZES = {REST_UNIT: 13, HTTP_UNIT: 9, URL_UNIT: 4}
UNIT_ORDER = (REST_UNIT, HTTP_UNIT, URL_UNIT)
FIXED = 2
"""The root stack resource and the shared IAM role."""

PACK_CONFIG: Mapping[str, Mapping[str, Any]] = {
    "lambda-function-url-auth": {
        "exemptions": [{"resource": "*-public-url", "reason": "signed webhook; the handler verifies signatures"}]
    },
    "lambda-permission-scope": {
        "exemptions": [{"resource": "*-partner-invoke", "reason": "partner account grant, reviewed quarterly"}]
    },
}
"""Config exemptions the benchmark runs with, as `--policy-pack-config` properties: matching costs time too."""


@dataclass(frozen=True)
class Knobs:
    """What unit `index` gets wrong, leaves unknown or exempts; the moduli differ so variants combine."""

    index: int

    @property
    def reserved(self) -> float | str:
        """Reserved concurrency: -1 (unreserved, fails), unknown, or a bound that passes."""
        if self.index % 9 == 4:
            return -1.0
        return UNKNOWN_VALUE if self.index % 13 == 6 else 5.0

    @property
    def exempt_reserved(self) -> bool:
        return self.index % 18 == 4

    @property
    def timeout(self) -> float:
        """60 s behind a REST API outlives the 29 s integration timeout."""
        return 60.0 if self.index % 14 == 3 else 10.0

    @property
    def secret_env(self) -> bool:
        return self.index % 5 == 0

    @property
    def open_entry(self) -> bool:
        """A REST method or HTTP route anyone may call."""
        return self.index % 8 == 3

    @property
    def key_required(self) -> bool | str:
        return UNKNOWN_VALUE if self.index % 17 == 7 else True

    @property
    def stage_throttle(self) -> tuple[float | str, float] | None:
        """(rate, burst) of the stage-wide throttle: missing, -1, oversized, unknown, or within bounds."""
        if self.index % 10 == 2:
            return None
        if self.index % 10 == 7:
            return (5000.0, 200.0)
        if self.index % 15 == 11:
            return (UNKNOWN_VALUE, 200.0)
        return (100.0, 200.0)

    @property
    def quota(self) -> bool:
        return self.index % 12 != 9

    @property
    def exempt_stage(self) -> bool:
        return self.index % 20 == 2

    @property
    def public_url(self) -> bool:
        return self.index % 5 == 2

    @property
    def url_exempt(self) -> bool:
        """A public URL named to match PACK_CONFIG's exemption."""
        return self.index % 10 == 2

    @property
    def principal(self) -> str:
        return "*" if self.index % 6 == 0 else "events.amazonaws.com"

    @property
    def source_arn(self) -> bool:
        return self.index % 6 != 3

    @property
    def partner_exempt(self) -> bool:
        return self.index % 12 == 0


def units(size: int) -> tuple[list[tuple[str, int]], int]:
    """The units of a stack of `size` resources, in order, and how many worker functions fill it up."""
    chosen: list[tuple[str, int]] = []
    left = size - FIXED
    while True:
        kind = UNIT_ORDER[len(chosen) % len(UNIT_ORDER)]
        if UNIT_SIZES[kind] > left:
            return chosen, max(left, 0)
        chosen.append((kind, len(chosen)))
        left -= UNIT_SIZES[kind]


# -- wire values -----------------------------------------------------------------------------------


def secret(value: Any) -> dict[str, Any]:
    return {SIG_KEY: SECRET_SIG, "value": value}


def archive(text: str) -> dict[str, Any]:
    return {SIG_KEY: ARCHIVE_SIG, "assets": {"index.py": {SIG_KEY: ASSET_SIG, "text": text}}}


def known(value: float | bool | str, sentinel: str) -> Any:
    """A knob value on the wire: the typed unknown sentinel for UNKNOWN_VALUE."""
    return sentinel if value == UNKNOWN_VALUE else value


class Builder:
    """Appends resources with engine-style URNs, parents and dependencies."""

    def __init__(self, project: str, stack: str) -> None:
        self.prefix = f"urn:pulumi:{stack}::{project}::"
        self.resources: list[Resource] = []
        self.root = self.add(STACK_TYPE, f"{project}-{stack}", {}, None)

    def add(
        self,
        type_: str,
        name: str,
        props: Mapping[str, Any],
        parent: Resource | None,
        **links: Resource | tuple[Resource, ...],
    ) -> Resource:
        """`links`: input name -> the resource(s) it comes from (its property dependencies)."""
        qualified = type_
        if parent is not None and parent.type != STACK_TYPE:  # a component's child: its type chain is in the URN
            qualified = f"{parent.urn.split('::')[2]}${type_}"
        edges = {key: tuple(r.urn for r in (v if isinstance(v, tuple) else (v,))) for key, v in links.items()}
        resource = Resource(
            urn=f"{self.prefix}{qualified}::{name}",
            type=type_,
            name=name,
            props=props,
            parent=parent.urn if parent is not None else None,
            dependencies=tuple(dict.fromkeys(urn for urns in edges.values() for urn in urns)),
            property_dependencies=edges,
        )
        self.resources.append(resource)
        return resource


def function(b: Builder, name: str, parent: Resource, role: Resource, k: Knobs, *, timeout: float) -> Resource:
    tags = {"team": f"team-{k.index % 12}", "service": name}
    if k.exempt_reserved:
        tags[f"{EXEMPT_TAG_PREFIX}lambda-reserved-concurrency"] = "batch job, throttled upstream"
    props: dict[str, Any] = {
        "runtime": "python3.12",
        "handler": "index.handler",
        "role": UNKNOWN_STRING_VALUE,
        "code": archive(HANDLER),
        "memorySize": 128.0,
        "timeout": timeout,
        "reservedConcurrentExecutions": known(k.reserved, UNKNOWN_NUMBER_VALUE),
        "publish": False,
        "packageType": "Zip",
        "tags": tags,
    }
    if k.secret_env:
        props["environment"] = {"variables": {"STAGE": "prod", "API_TOKEN": secret("s3cr3t-token")}}
    return b.add("aws:lambda/function:Function", name, props, parent, role=role)


def api_invoke_permission(b: Builder, name: str, unit: Resource, fn: Resource, api: Resource) -> None:
    """API Gateway's right to invoke `fn`, scoped to `api` (both ARNs unknown at preview)."""
    b.add(
        "aws:lambda/permission:Permission",
        f"{name}-invoke",
        {
            "action": "lambda:InvokeFunction",
            "function": UNKNOWN_STRING_VALUE,
            "principal": "apigateway.amazonaws.com",
            "sourceArn": UNKNOWN_STRING_VALUE,
        },
        unit,
        function=fn,
        sourceArn=api,
    )


def rest_endpoint(b: Builder, name: str, role: Resource, k: Knobs) -> None:
    unit = b.add(REST_UNIT, name, {}, b.root)
    fn = function(b, f"{name}-fn", unit, role, k, timeout=k.timeout)
    api = b.add(
        "aws:apigateway/restApi:RestApi",
        f"{name}-api",
        {"name": f"{name}-api", "description": f"{name}: POST /hook", "endpointConfiguration": {"types": "REGIONAL"}},
        unit,
    )
    api_invoke_permission(b, name, unit, fn, api)
    path = b.add(
        "aws:apigateway/resource:Resource",
        f"{name}-path",
        {"restApi": UNKNOWN_STRING_VALUE, "parentId": UNKNOWN_STRING_VALUE, "pathPart": "hook"},
        unit,
        restApi=api,
        parentId=api,
    )
    method = b.add(
        "aws:apigateway/method:Method",
        f"{name}-method",
        {
            "restApi": UNKNOWN_STRING_VALUE,
            "resourceId": UNKNOWN_STRING_VALUE,
            "httpMethod": "POST",
            "authorization": "NONE",
            "apiKeyRequired": False if k.open_entry else known(k.key_required, UNKNOWN_BOOLEAN_VALUE),
        },
        unit,
        restApi=api,
        resourceId=path,
    )
    integration = b.add(
        "aws:apigateway/integration:Integration",
        f"{name}-integration",
        {
            "restApi": UNKNOWN_STRING_VALUE,
            "resourceId": UNKNOWN_STRING_VALUE,
            "httpMethod": UNKNOWN_STRING_VALUE,
            "type": "AWS_PROXY",
            "integrationHttpMethod": "POST",
            "uri": UNKNOWN_STRING_VALUE,
            "timeoutMilliseconds": 29000.0,
            "passthroughBehavior": "WHEN_NO_MATCH",
        },
        unit,
        restApi=api,
        resourceId=path,
        httpMethod=method,
        uri=fn,
    )
    deployment = b.add(
        "aws:apigateway/deployment:Deployment",
        f"{name}-deployment",
        {"restApi": UNKNOWN_STRING_VALUE, "triggers": {"redeployment": UNKNOWN_STRING_VALUE}},
        unit,
        restApi=api,
        triggers=(path, method, integration),
    )
    stage_tags = {"team": f"team-{k.index % 12}"}
    if k.exempt_stage:
        stage_tags[f"{EXEMPT_TAG_PREFIX}rest-stage-protected"] = "internal API behind a VPN"
    stage = b.add(
        "aws:apigateway/stage:Stage",
        f"{name}-stage",
        {"restApi": UNKNOWN_STRING_VALUE, "deployment": UNKNOWN_STRING_VALUE, "stageName": "prod", "tags": stage_tags},
        unit,
        restApi=api,
        deployment=deployment,
    )
    rate, burst = k.stage_throttle or (-1.0, -1.0)
    b.add(
        "aws:apigateway/methodSettings:MethodSettings",
        f"{name}-throttle",
        {
            "restApi": UNKNOWN_STRING_VALUE,
            "stageName": UNKNOWN_STRING_VALUE,
            "methodPath": "*/*",
            "settings": {
                "throttlingRateLimit": known(rate, UNKNOWN_NUMBER_VALUE),
                "throttlingBurstLimit": burst,
                "metricsEnabled": False,
                "loggingLevel": "OFF",
                "cachingEnabled": False,
            },
        },
        unit,
        restApi=api,
        stageName=stage,
    )
    plan_props: dict[str, Any] = {
        "name": f"{name}-plan",
        "apiStages": [{"apiId": UNKNOWN_STRING_VALUE, "stage": UNKNOWN_STRING_VALUE}],
        "throttleSettings": {"rateLimit": 10.0, "burstLimit": 20.0},
    }
    if k.quota:
        plan_props["quotaSettings"] = {"limit": 10000.0, "period": "DAY", "offset": 0.0}
    plan = b.add("aws:apigateway/usagePlan:UsagePlan", f"{name}-plan", plan_props, unit, apiStages=(api, stage))
    key = b.add(
        "aws:apigateway/apiKey:ApiKey", f"{name}-key", {"description": f"caller of {name}", "enabled": True}, unit
    )
    b.add(
        "aws:apigateway/usagePlanKey:UsagePlanKey",
        f"{name}-plan-key",
        {"keyId": UNKNOWN_STRING_VALUE, "keyType": "API_KEY", "usagePlanId": UNKNOWN_STRING_VALUE},
        unit,
        keyId=key,
        usagePlanId=plan,
    )


def http_api(b: Builder, name: str, role: Resource, k: Knobs) -> None:
    unit = b.add(HTTP_UNIT, name, {}, b.root)
    fn = function(b, f"{name}-fn", unit, role, k, timeout=10.0)
    api = b.add("aws:apigatewayv2/api:Api", f"{name}-api", {"name": f"{name}-api", "protocolType": "HTTP"}, unit)
    api_invoke_permission(b, name, unit, fn, api)
    jwt = b.add(
        "aws:apigatewayv2/authorizer:Authorizer",
        f"{name}-jwt",
        {
            "apiId": UNKNOWN_STRING_VALUE,
            "authorizerType": "JWT",
            "identitySources": ["$request.header.Authorization"],
            "jwtConfiguration": {"issuer": "https://issuer.example.com", "audiences": [f"{name}-client"]},
        },
        unit,
        apiId=api,
    )
    integration = b.add(
        "aws:apigatewayv2/integration:Integration",
        f"{name}-integration",
        {
            "apiId": UNKNOWN_STRING_VALUE,
            "integrationType": "AWS_PROXY",
            "integrationUri": UNKNOWN_STRING_VALUE,
            "payloadFormatVersion": "2.0",
        },
        unit,
        apiId=api,
        integrationUri=fn,
    )
    for verb, is_open in (("GET", False), ("POST", k.open_entry)):
        props: dict[str, Any] = {
            "apiId": UNKNOWN_STRING_VALUE,
            "routeKey": f"{verb} /items",
            "target": UNKNOWN_STRING_VALUE,
            "authorizationType": "NONE" if is_open else "JWT",
        }
        links: dict[str, Resource] = {"apiId": api, "target": integration}
        if not is_open:
            props["authorizerId"] = UNKNOWN_STRING_VALUE
            links["authorizerId"] = jwt
        b.add("aws:apigatewayv2/route:Route", f"{name}-{verb.lower()}-items", props, unit, **links)
    stage_props: dict[str, Any] = {"apiId": UNKNOWN_STRING_VALUE, "name": "$default", "autoDeploy": True}
    if k.stage_throttle is not None:
        rate, burst = k.stage_throttle
        stage_props["defaultRouteSettings"] = {
            "throttlingRateLimit": known(rate, UNKNOWN_NUMBER_VALUE),
            "throttlingBurstLimit": burst,
        }
    b.add("aws:apigatewayv2/stage:Stage", f"{name}-stage", stage_props, unit, apiId=api)


def webhook_url(b: Builder, name: str, role: Resource, k: Knobs) -> None:
    unit = b.add(URL_UNIT, name, {}, b.root)
    fn = function(b, f"{name}-fn", unit, role, k, timeout=10.0)
    url_name = f"{name}-public-url" if k.url_exempt else f"{name}-url"
    b.add(
        "aws:lambda/functionUrl:FunctionUrl",
        url_name,
        {"functionName": UNKNOWN_STRING_VALUE, "authorizationType": "NONE" if k.public_url else "AWS_IAM"},
        unit,
        functionName=fn,
    )
    props: dict[str, Any] = {
        "action": "lambda:InvokeFunction",
        "function": UNKNOWN_STRING_VALUE,
        "principal": k.principal,
    }
    if k.source_arn:
        props["sourceArn"] = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/{name}"
    suffix = "partner-invoke" if k.partner_exempt else "invoke"
    b.add("aws:lambda/permission:Permission", f"{name}-{suffix}", props, unit, function=fn)


UNIT_BUILDERS: Mapping[str, Callable[[Builder, str, Resource, Knobs], None]] = {
    REST_UNIT: rest_endpoint,
    HTTP_UNIT: http_api,
    URL_UNIT: webhook_url,
}
UNIT_PREFIXES = {REST_UNIT: "rest", HTTP_UNIT: "http", URL_UNIT: "hook"}


def stack(size: int) -> list[Resource]:
    """A stack of exactly `size` resources (at least FIXED), props as the engine sends them."""
    b = Builder(PROJECT, STACK)
    role = b.add(
        "aws:iam/role:Role",
        "lambda-role",
        {"assumeRolePolicy": '{"Version": "2012-10-17", "Statement": []}', "maxSessionDuration": 3600.0},
        b.root,
    )
    chosen, workers = units(size)
    for kind, index in chosen:
        UNIT_BUILDERS[kind](b, f"{UNIT_PREFIXES[kind]}{index:05d}", role, Knobs(index))
    for index in range(workers):
        function(b, f"worker{index:05d}", b.root, role, Knobs(index), timeout=60.0)
    return b.resources


def plain(resources: list[Resource]) -> list[Resource]:
    """The same resources as every source hands them to the rules (`from_wire`: UNKNOWN and SECRET markers)."""
    return [
        Resource(r.urn, r.type, r.name, from_wire(r.props), r.parent, r.dependencies, r.property_dependencies)
        for r in resources
    ]
