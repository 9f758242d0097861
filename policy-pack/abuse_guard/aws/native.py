"""aws-native (Cloud Control) resources seen as their pulumi-aws twins, so every rule reads one shape.

Pulumi's aws-native provider declares the same AWS resources as pulumi-aws with CloudFormation's
property names and shapes. `views(resource)` turns one aws-native resource into the pulumi-aws
resource(s) the rules know, each carrying the declared resource in `declared` (findings attach to it):

- lambda:Function -> lambda/function:Function: functionName -> name; the tag list -> a map; an
  absent reservation is unreserved (aws-native has no -1 sentinel).
- lambda:Url -> lambda/functionUrl:FunctionUrl: authType -> authorizationType, targetFunctionArn -> functionName.
- lambda:Permission -> lambda/permission:Permission: functionName -> function. lambda:Alias as is.
- apigateway:RestApi -> apigateway/restApi:RestApi: body and policy (objects) as is; apiKeySourceType -> apiKeySource.
- apigateway:DomainName and apigatewayv2:DomainName as is (mutualTlsAuthentication); apigateway:BasePathMapping ->
  apigateway/basePathMapping:BasePathMapping (restApiId -> restApi, stage -> stageName); apigatewayv2:ApiMapping as is.
- apigateway:Resource, :Authorizer -> their twins: restApiId -> restApi. :UsagePlanKey as is.
- apigateway:Method -> apigateway/method:Method (authorizationType -> authorization, restApiId -> restApi)
  and an apigateway/integration:Integration from its embedded `integration` (timeoutInMillis ->
  timeoutMilliseconds), linked to the method.
- apigateway:Stage -> apigateway/stage:Stage (restApiId -> restApi, deploymentId -> deployment) and one
  apigateway/methodSettings:MethodSettings per `methodSettings` entry, whose resourcePath and httpMethod
  become methodPath (`/*` and `*` -> `*/*`; `~1` is `/`).
- apigateway:UsagePlan -> apigateway/usagePlan:UsagePlan: throttle -> throttleSettings, quota ->
  quotaSettings; apiStages[].throttle (a map keyed `/path/METHOD`) -> throttles.
- apigatewayv2:Api, :Route, :Authorizer as is; :Integration timeoutInMillis -> timeoutMilliseconds.
- apigatewayv2:Stage -> apigatewayv2/stage:Stage: stageName -> name; routeSettings (a map keyed by route
  key) -> a list.

A REST API Deployment that names a `stageName` creates that stage too (CloudFormation
AWS::ApiGateway::Deployment StageName; pulumi-aws v6 Deployment stage_name), so it is also seen as an
apigateway/stage:Stage, whose findings attach to the deployment.

Property dependencies are renamed with the properties, so a graph mixing both providers links as one.

The evaluation (evaluate.py) is this module's only reader: it builds every graph from views, judges a resource
alone through its views, says a view's finding in the declared resource's names (`in_native_terms`) and
remediates in them (`to_native`); `declared_types` tells which declared types a policy's pulumi-aws types
cover. Rules and the cost model list and read pulumi-aws types only.
Sources: the pulumi-aws-native Python SDK 1.84.0 (`pulumi_aws_native.lambda_`, `.apigateway`,
`.apigatewayv2`) and the CloudFormation resource reference (AWS::ApiGateway::Stage MethodSetting:
"forward slashes (/) are encoded as ~1").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from ..resources import UNKNOWN, Resource
from . import types as aws

NATIVE = "aws-native:"

RENAMES: dict[str, tuple[str, dict[str, str]]] = {
    "aws-native:lambda:Function": (aws.LAMBDA_FUNCTION, {"functionName": "name"}),
    "aws-native:lambda:Url": (
        aws.LAMBDA_FUNCTION_URL,
        {"authType": "authorizationType", "targetFunctionArn": "functionName"},
    ),
    "aws-native:lambda:Permission": (aws.LAMBDA_PERMISSION, {"functionName": "function"}),
    "aws-native:lambda:Alias": (aws.LAMBDA_ALIAS, {}),
    "aws-native:apigateway:RestApi": (aws.REST_API, {"apiKeySourceType": "apiKeySource"}),
    "aws-native:apigateway:Resource": (aws.REST_RESOURCE, {"restApiId": "restApi"}),
    "aws-native:apigateway:Method": (aws.REST_METHOD, {"authorizationType": "authorization", "restApiId": "restApi"}),
    "aws-native:apigateway:Stage": (aws.REST_STAGE, {"restApiId": "restApi", "deploymentId": "deployment"}),
    "aws-native:apigateway:UsagePlan": (aws.USAGE_PLAN, {"throttle": "throttleSettings", "quota": "quotaSettings"}),
    "aws-native:apigateway:UsagePlanKey": (aws.USAGE_PLAN_KEY, {}),
    "aws-native:apigateway:Deployment": (aws.REST_DEPLOYMENT, {"restApiId": "restApi"}),
    "aws-native:apigateway:Authorizer": (aws.REST_AUTHORIZER, {"restApiId": "restApi"}),
    "aws-native:apigateway:DomainName": (aws.REST_DOMAIN_NAME, {}),
    "aws-native:apigateway:BasePathMapping": (aws.BASE_PATH_MAPPING, {"restApiId": "restApi", "stage": "stageName"}),
    "aws-native:apigatewayv2:Api": (aws.HTTP_API, {}),
    "aws-native:apigatewayv2:Route": (aws.API_ROUTE, {}),
    "aws-native:apigatewayv2:Integration": (aws.HTTP_INTEGRATION, {"timeoutInMillis": "timeoutMilliseconds"}),
    "aws-native:apigatewayv2:Authorizer": (aws.HTTP_AUTHORIZER, {}),
    "aws-native:apigatewayv2:Stage": (aws.HTTP_STAGE, {"stageName": "name"}),
    "aws-native:apigatewayv2:DomainName": (aws.HTTP_DOMAIN_NAME, {}),
    "aws-native:apigatewayv2:ApiMapping": (aws.API_MAPPING, {}),
}
TWINS: dict[str, str] = {native: classic for native, (classic, _) in RENAMES.items()}
"""aws-native token -> the pulumi-aws token of its view."""


PART_TYPES: dict[str, tuple[str, ...]] = {
    "aws-native:apigateway:Method": (aws.REST_INTEGRATION,),
    "aws-native:apigateway:Stage": (aws.METHOD_SETTINGS,),
    "aws-native:apigateway:Deployment": (aws.REST_STAGE, aws.METHOD_SETTINGS),
    aws.REST_DEPLOYMENT: (aws.REST_STAGE,),
}
"""The pulumi-aws resource types an aws-native resource also holds as parts."""


def declared_types(*classic: str) -> tuple[str, ...]:
    """The types a program may declare that are seen as one of the pulumi-aws types `classic` (or hold one as a
    part): `classic` itself, then the pulumi-aws types that hold one (a Deployment its stage), then the aws-native
    types whose views are or hold one. What a policy checking `classic` checks of what a program declares."""
    natives = [n for n, twin in TWINS.items() if twin in classic or set(PART_TYPES.get(n, ())) & set(classic)]
    holders = [t for t, parts in PART_TYPES.items() if not t.startswith(NATIVE) and set(parts) & set(classic)]
    return (*classic, *holders, *natives)


def views(resource: Resource) -> list[Resource]:
    """The pulumi-aws resources an aws-native resource stands for (itself first), or [resource] for any other
    (and a Deployment's stage after it)."""
    if resource.type == aws.REST_DEPLOYMENT:
        return [resource, *_deployment_stage(resource)]
    if resource.type not in RENAMES:
        return [resource]
    classic, renames = RENAMES[resource.type]
    props = {renames.get(key, key): value for key, value in resource.props.items()}
    deps = {renames.get(key, key): urns for key, urns in resource.property_dependencies.items()}
    if isinstance(props.get("tags"), list):
        props["tags"] = _tag_map(props["tags"])
    if resource.type == "aws-native:apigatewayv2:Stage" and isinstance(props.get("routeSettings"), Mapping):
        props["routeSettings"] = [{"routeKey": key, **_mapping(value)} for key, value in props["routeSettings"].items()]
    if resource.type == "aws-native:apigateway:UsagePlan":
        props["apiStages"] = _plan_stages(props.get("apiStages"))
    view = replace(resource, type=classic, props=props, property_dependencies=deps, declared=resource)
    parts = _PARTS.get(resource.type)
    return [view, *parts(view)] if parts is not None else [view]


IN_NATIVE_TERMS: dict[str, tuple[tuple[str, str], ...]] = {
    "aws-native:lambda:Url": (
        ("authorizationType", "authType"),
        ("authorization_type=", "auth_type="),
    ),
    "aws-native:apigateway:Method": (
        ("(authorization ", "(authorizationType "),
        ("set authorization to", "set authorization_type to"),
    ),
    "aws-native:apigateway:UsagePlan": (
        ("throttleSettings", "throttle"),
        ("quotaSettings", "quota"),
        ("throttle_settings", "throttle"),
        ("quota_settings", "quota"),
    ),
    "aws-native:apigateway:Stage": (
        ("MethodSettings '", "Stage '"),
        ("settings.throttling", "throttling"),
        (
            "aws.apigateway.MethodSettings(..., rest_api=api.id, stage_name=stage.stage_name, method_path='*/*', "
            "settings={'throttling_rate_limit': ..., 'throttling_burst_limit': ...})",
            "a method_settings entry {'http_method': '*', 'resource_path': '/*', 'throttling_rate_limit': ..., "
            "'throttling_burst_limit': ...}",
        ),
    ),
    "aws-native:apigateway:Deployment": (
        ("MethodSettings '", "Deployment '"),
        ("settings.throttlingRateLimit", "throttling_rate_limit"),
        ("settings.throttlingBurstLimit", "throttling_burst_limit"),
        (
            "aws.apigateway.MethodSettings(..., rest_api=api.id, stage_name=deployment.stage_name, method_path='*/*', "
            "settings={'throttling_rate_limit': ..., 'throttling_burst_limit': ...})",
            "stage_description={'throttling_rate_limit': ..., 'throttling_burst_limit': ...} to the deployment",
        ),
    ),
}
"""How a message about an aws-native resource names what its user types: aws-native's input and argument
names where they differ from the pulumi-aws twin's (pulumi-aws-native 1.84.0 SDK)."""


def in_native_terms(token: str, message: str) -> str:
    """`message`, written for a pulumi-aws resource, in the names of the aws-native resource `token`."""
    for old, new in IN_NATIVE_TERMS.get(token, ()):
        message = message.replace(old, new)
    return message


def expanded(resources: list[Resource]) -> list[Resource]:
    """Every resource's views, in order: the graph the rules and the cost model see."""
    if not any(r.type.startswith(NATIVE) or r.type == aws.REST_DEPLOYMENT for r in resources):
        return resources
    return [view for r in resources for view in views(r)]


def to_native(resource: Resource, changes: Mapping[str, Any]) -> dict[str, Any]:
    """A remediation's changes (pulumi-aws top-level input names) in the declared aws-native resource's names."""
    if resource.type not in RENAMES:
        return dict(changes)
    back = {classic: native for native, classic in RENAMES[resource.type][1].items()}
    return {back.get(key, key): value for key, value in changes.items()}


# -- the parts of a resource that pulumi-aws declares as resources of their own ------------------------


def _integration(method: Resource) -> list[Resource]:
    embedded = method.props.get("integration")
    if embedded is None:
        return []
    spec = _mapping(embedded)
    props = {
        "restApi": method.props.get("restApi"),
        "resourceId": method.props.get("resourceId"),
        "httpMethod": method.props.get("httpMethod"),
        "type": spec.get("type"),
        "uri": spec.get("uri"),
        "timeoutMilliseconds": spec.get("timeoutInMillis"),
        "requestParameters": spec.get("requestParameters"),
    }
    if embedded is UNKNOWN:
        props = {key: UNKNOWN for key in props}
    # the method's own restApi, resourceId and httpMethod: integrations.py finds its method by them
    deps: dict[str, tuple[str, ...]] = {key: (method.urn,) for key in ("restApi", "resourceId", "httpMethod")}
    deps["uri"] = method.property_dependencies.get("integration", ())
    return [_part(method, aws.REST_INTEGRATION, "integration", props, deps)]


def _method_settings(stage: Resource) -> list[Resource]:
    entries = stage.props.get("methodSettings")
    if entries is UNKNOWN:
        return [_part(stage, aws.METHOD_SETTINGS, "methodSettings", {"methodPath": UNKNOWN}, _on_stage(stage))]
    if not isinstance(entries, list):
        return []
    return [
        _part(stage, aws.METHOD_SETTINGS, f"methodSettings[{index}]", _setting(stage, entry), _on_stage(stage))
        for index, entry in enumerate(entries)
    ]


def _setting(stage: Resource, entry: Any) -> dict[str, Any]:
    """A CloudFormation MethodSetting of `stage` as a MethodSettings resource's inputs."""
    setting = _mapping(entry)
    return {
        "restApi": stage.props.get("restApi"),
        "stageName": stage.props.get("stageName"),
        "methodPath": _method_path(setting.get("resourcePath"), setting.get("httpMethod")),
        "settings": {
            "throttlingRateLimit": setting.get("throttlingRateLimit"),
            "throttlingBurstLimit": setting.get("throttlingBurstLimit"),
        },
    }


def _on_stage(stage: Resource) -> dict[str, tuple[str, ...]]:
    return {"stageName": (stage.urn,), "restApi": stage.property_dependencies.get("restApi", ())}


def _method_path(resource_path: Any, http_method: Any) -> Any:
    """methodPath as pulumi-aws writes it (`*/*`, `items/GET`) from a CloudFormation MethodSetting."""
    if resource_path is UNKNOWN or http_method is UNKNOWN:
        return UNKNOWN
    if not isinstance(resource_path, str) or not isinstance(http_method, str):
        return None
    if resource_path == "/*" and http_method == "*":
        return "*/*"
    path = resource_path.replace("~1", "/").strip("/")
    return f"{path}/{http_method}"


def _deployment_stage(deployment: Resource) -> list[Resource]:
    """The stage a deployment creates when it names one (absent or blank: none), named by its stageName where that is
    known: it is how the program and the console name the stage."""
    name = deployment.props.get("stageName")
    if name is None or (isinstance(name, str) and not name.strip()):
        return []
    props = {"restApi": deployment.props.get("restApi"), "stageName": name, "deployment": UNKNOWN}
    deps = {"restApi": deployment.property_dependencies.get("restApi", ()), "deployment": (deployment.urn,)}
    owner = deployment.as_declared
    stage = replace(_part(deployment, aws.REST_STAGE, "stage", props, deps), declared=owner)
    if isinstance(name, str):
        stage = replace(stage, name=name)
    return [stage, *(replace(part, declared=owner) for part in _described_settings(deployment, stage))]


DESCRIBED = "stage_description"
"""How messages name an aws-native deployment's `stageDescription`: as its user types it (pulumi-aws-native
apigateway.Deployment stage_description)."""


def _described_settings(deployment: Resource, stage: Resource) -> list[Resource]:
    """The method settings of an aws-native deployment's `stageDescription` (CloudFormation
    AWS::ApiGateway::Deployment StageDescription: ThrottlingRateLimit and ThrottlingBurstLimit apply to the
    whole stage, MethodSettings to single methods), as MethodSettings of the stage it creates, each named by where it
    sits in stage_description."""
    if deployment.declared is None:
        return []  # a pulumi-aws Deployment's stageDescription is the stage's description text
    description = deployment.props.get("stageDescription")
    on_stage = _on_stage(stage)
    if description is UNKNOWN:
        return [_part(deployment, aws.METHOD_SETTINGS, DESCRIBED, {"methodPath": UNKNOWN}, on_stage)]
    if not isinstance(description, Mapping):
        return []
    found = []
    if "throttlingRateLimit" in description or "throttlingBurstLimit" in description:
        whole = {**description, "httpMethod": "*", "resourcePath": "/*"}
        found.append(_part(deployment, aws.METHOD_SETTINGS, DESCRIBED, _setting(stage, whole), on_stage))
    listed = description.get("methodSettings")
    for index, entry in enumerate(listed if isinstance(listed, list) else []):
        what = f"{DESCRIBED}.method_settings[{index}]"
        found.append(_part(deployment, aws.METHOD_SETTINGS, what, _setting(stage, entry), on_stage))
    return found


_PARTS: dict[str, Callable[[Resource], list[Resource]]] = {
    "aws-native:apigateway:Deployment": _deployment_stage,
    "aws-native:apigateway:Method": _integration,
    "aws-native:apigateway:Stage": _method_settings,
}


def _part(of: Resource, type_: str, what: str, props: dict[str, Any], deps: dict[str, tuple[str, ...]]) -> Resource:
    """A part of `of` (a view) shaped as the pulumi-aws resource that would declare it on its own."""
    return Resource(
        urn=f"{of.urn}#{what}",
        type=type_,
        name=f"{of.name} {what}",
        props={key: value for key, value in props.items() if value is not None},
        parent=of.urn,
        property_dependencies={key: urns for key, urns in deps.items() if urns},
        declared=of.declared,
    )


def _plan_stages(stages: Any) -> Any:
    """apiStages with each stage's throttle map (`/path/METHOD` -> limits) as pulumi-aws's throttles list."""
    if not isinstance(stages, list):
        return stages
    converted = []
    for stage in stages:
        entry = dict(_mapping(stage))
        throttle = entry.pop("throttle", None)
        if isinstance(throttle, Mapping):
            entry["throttles"] = [{"path": path, **_mapping(limits)} for path, limits in throttle.items()]
        elif throttle is not None:
            entry["throttles"] = throttle  # unknown or malformed: the rules say so
        converted.append(entry)
    return converted


def _tag_map(tags: list[Any]) -> Any:
    """CloudFormation's [{key, value}] tags as pulumi-aws's map; an entry that is not a pair makes it malformed."""
    found: dict[str, Any] = {}
    for tag in tags:
        if not isinstance(tag, Mapping) or not isinstance(tag.get("key"), str):
            return tags
        found[tag["key"]] = tag.get("value")
    return found


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
