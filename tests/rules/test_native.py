"""The same defences for aws-native resources (issue 14): every rule on every aws-native shape, and graphs
that mix both providers. Property names and shapes are those of the pulumi-aws-native 1.84.0 Python SDK."""

from __future__ import annotations

from typing import Any

import pytest

from abuse_guard.aws.native import RENAMES, views
from abuse_guard.evaluate import evaluate, evaluate_resource, in_scope, remedy
from abuse_guard.findings import Outcome
from abuse_guard.policies import BY_ID
from abuse_guard.resources import UNKNOWN, Resource
from tests.cost.graphs import entrypoint_costs
from tests.support import resource

FUNCTION = "aws-native:lambda:Function"
URL = "aws-native:lambda:Url"
PERMISSION = "aws-native:lambda:Permission"
METHOD = "aws-native:apigateway:Method"
REST_API = "aws-native:apigateway:RestApi"
REST_STAGE = "aws-native:apigateway:Stage"
USAGE_PLAN = "aws-native:apigateway:UsagePlan"
HTTP_API = "aws-native:apigatewayv2:Api"
ROUTE = "aws-native:apigatewayv2:Route"
HTTP_STAGE = "aws-native:apigatewayv2:Stage"

THROTTLE = {"rateLimit": 5.0, "burstLimit": 10.0}
QUOTA = {"limit": 5000.0, "period": "DAY"}
STAGE_WIDE = {"httpMethod": "*", "resourcePath": "/*", "throttlingRateLimit": 100.0, "throttlingBurstLimit": 200.0}

# (policy, aws-native type, props, outcome): each shape as its pulumi-aws twin would be judged
CASES: dict[str, tuple[str, str, dict[str, Any], Outcome]] = {
    "function_without_reservation": ("lambda-reserved-concurrency", FUNCTION, {"runtime": "python3.12"}, Outcome.FAIL),
    "function_reserved": ("lambda-reserved-concurrency", FUNCTION, {"reservedConcurrentExecutions": 2.0}, Outcome.PASS),
    "function_exempt_by_tag_list": (
        "lambda-reserved-concurrency",
        FUNCTION,
        {"tags": [{"key": "abuse-guard:exempt:lambda-reserved-concurrency", "value": "load-test rig"}]},
        Outcome.EXEMPT,
    ),
    "url_public": ("lambda-function-url-auth", URL, {"authType": "NONE", "targetFunctionArn": UNKNOWN}, Outcome.FAIL),
    "url_iam": ("lambda-function-url-auth", URL, {"authType": "AWS_IAM", "targetFunctionArn": UNKNOWN}, Outcome.PASS),
    "permission_public": (
        "lambda-permission-scope",
        PERMISSION,
        {"action": "lambda:InvokeFunction", "functionName": UNKNOWN, "principal": "*"},
        Outcome.FAIL,
    ),
    "permission_org": (
        "lambda-permission-scope",
        PERMISSION,
        {"action": "lambda:InvokeFunction", "functionName": "f", "principal": "*", "principalOrgId": "o-a1b2c3d4e5"},
        Outcome.PASS,
    ),
    "method_open": (
        "rest-method-authorization",
        METHOD,
        {"httpMethod": "GET", "authorizationType": "NONE", "restApiId": UNKNOWN},
        Outcome.FAIL,
    ),
    "method_api_key": (
        "rest-method-authorization",
        METHOD,
        {"httpMethod": "GET", "authorizationType": "NONE", "apiKeyRequired": True},
        Outcome.PASS,
    ),
    "method_cognito": (
        "rest-method-authorization",
        METHOD,
        {"httpMethod": "GET", "authorizationType": "COGNITO_USER_POOLS", "authorizerId": "abc123"},
        Outcome.PASS,
    ),
    "rest_api_open_body": (
        "rest-method-authorization",
        REST_API,
        {"body": {"swagger": "2.0", "info": {"title": "a", "version": "1"}, "paths": {"/": {"get": {}}}}},
        Outcome.FAIL,
    ),
    "usage_plan_unthrottled": (
        "usage-plan-limits",
        USAGE_PLAN,
        {"quota": QUOTA, "apiStages": [{"apiId": "a", "stage": "p"}]},
        Outcome.FAIL,
    ),
    "usage_plan_limited": (
        "usage-plan-limits",
        USAGE_PLAN,
        {"throttle": THROTTLE, "quota": QUOTA, "apiStages": [{"apiId": "a", "stage": "p"}]},
        Outcome.PASS,
    ),
    "usage_plan_method_throttle_over_the_maximum": (
        "usage-plan-limits",
        USAGE_PLAN,
        {
            "throttle": THROTTLE,
            "quota": QUOTA,
            "apiStages": [
                {"apiId": "a", "stage": "p", "throttle": {"/items/GET": {"rateLimit": 500.0, "burstLimit": 10.0}}}
            ],
        },
        Outcome.FAIL,
    ),
    "rest_stage_wide_throttle": (
        "stage-throttling",
        REST_STAGE,
        {"stageName": "prod", "methodSettings": [STAGE_WIDE]},
        Outcome.PASS,
    ),
    "rest_stage_one_entry_rejects_everything": (
        "stage-throttling",
        REST_STAGE,
        {
            "stageName": "prod",
            "methodSettings": [
                STAGE_WIDE,
                {**STAGE_WIDE, "resourcePath": "/~1items", "httpMethod": "GET", "throttlingRateLimit": 0.0},
            ],
        },
        Outcome.FAIL,
    ),
    "http_stage_unthrottled": (
        "stage-throttling",
        HTTP_STAGE,
        {"stageName": "$default", "apiId": UNKNOWN},
        Outcome.FAIL,
    ),
    "http_stage_throttled": (
        "stage-throttling",
        HTTP_STAGE,
        {
            "stageName": "$default",
            "defaultRouteSettings": {"throttlingRateLimit": 10.0, "throttlingBurstLimit": 20.0},
            "routeSettings": {"GET /items": {"throttlingRateLimit": 5.0, "throttlingBurstLimit": 10.0}},
        },
        Outcome.PASS,
    ),
    "http_stage_route_settings_map_entry_unset": (
        "stage-throttling",
        HTTP_STAGE,
        {
            "stageName": "$default",
            "defaultRouteSettings": {"throttlingRateLimit": 10.0, "throttlingBurstLimit": 20.0},
            "routeSettings": {"GET /items": {"loggingLevel": "INFO"}},
        },
        Outcome.FAIL,
    ),
    "route_open": (
        "api-route-authorization",
        ROUTE,
        {"routeKey": "GET /items", "authorizationType": "NONE"},
        Outcome.FAIL,
    ),
    "route_jwt": (
        "api-route-authorization",
        ROUTE,
        {"routeKey": "GET /items", "authorizationType": "JWT", "authorizerId": "j1"},
        Outcome.PASS,
    ),
    "quick_create": (
        "api-route-authorization",
        HTTP_API,
        {"protocolType": "HTTP", "target": "arn:aws:lambda:us-east-1:1:function:f"},
        Outcome.FAIL,
    ),
}


@pytest.mark.parametrize(("policy_id", "type_", "props", "expected"), CASES.values(), ids=list(CASES))
def test_native_shape(policy_id: str, type_: str, props: dict[str, Any], expected: Outcome) -> None:
    policy = BY_ID[policy_id]
    native = resource(type_, props, "res")
    found = evaluate_resource(policy, native, policy.settings(None))
    assert found is not None
    assert (found.outcome, found.urn, found.type) == (expected, native.urn, type_), found.message


def test_a_native_message_has_the_same_form() -> None:
    policy = BY_ID["lambda-reserved-concurrency"]
    found = evaluate_resource(policy, resource(FUNCTION, {}, "worker"), policy.settings(None))
    assert found is not None
    assert found.message == (
        "Lambda function 'worker' has no reserved concurrency, so a burst of calls can scale it to the whole account "
        "pool; set reserved_concurrent_executions to 1-900"
    )


@pytest.mark.parametrize(
    ("policy_id", "type_", "props", "changes"),
    [
        ("lambda-reserved-concurrency", FUNCTION, {"runtime": "python3.12"}, {"reservedConcurrentExecutions": 1}),
        (
            "usage-plan-limits",
            USAGE_PLAN,
            {"quota": QUOTA, "apiStages": [{"apiId": "a", "stage": "p"}]},
            {"throttle": {"rateLimit": 10, "burstLimit": 20}},
        ),
        (
            "stage-throttling",
            HTTP_STAGE,
            {"stageName": "$default", "defaultRouteSettings": {"loggingLevel": "INFO"}},
            {"defaultRouteSettings": {"loggingLevel": "INFO", "throttlingRateLimit": 100, "throttlingBurstLimit": 200}},
        ),
    ],
    ids=["reservation", "usage_plan_throttle", "http_stage_throttle"],
)
def test_remediation_speaks_the_native_names(
    policy_id: str, type_: str, props: dict[str, Any], changes: dict[str, Any]
) -> None:
    policy = BY_ID[policy_id]
    assert remedy(policy, resource(type_, props, "res"), policy.settings(None)) == changes


def test_remediation_never_touches_what_the_user_set() -> None:
    policy = BY_ID["lambda-reserved-concurrency"]
    assert remedy(policy, resource(FUNCTION, {"reservedConcurrentExecutions": 0.0}), policy.settings(None)) is None


# -- graphs that mix both providers ----------------------------------------------------------------


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:dev::proj::{type_}::{name}"


def test_a_pulumi_aws_permission_for_a_native_function_links_as_one_graph() -> None:
    """A public function URL (aws-native) whose companion grant is a pulumi-aws Permission."""
    function = resource(FUNCTION, {"reservedConcurrentExecutions": 1.0}, "fn")
    url = resource(URL, {"authType": "NONE"}, "fn-url", property_dependencies={"targetFunctionArn": (function.urn,)})
    grant = resource(
        "aws:lambda/permission:Permission",
        {"action": "lambda:InvokeFunctionUrl", "principal": "*", "functionUrlAuthType": "NONE"},
        "fn-url-public",
        property_dependencies={"function": (function.urn,)},
    )
    config = {"lambda-function-url-auth": {"exemptions": [{"resource": "fn-url", "reason": "public status page"}]}}
    findings = evaluate(
        [BY_ID["lambda-function-url-auth"], BY_ID["lambda-permission-scope"]], [function, url, grant], config
    )
    assert {(f.name, f.outcome) for f in findings} == {("fn-url", Outcome.EXEMPT), ("fn-url-public", Outcome.EXEMPT)}


def test_a_native_stage_protects_a_pulumi_aws_rest_api() -> None:
    api = resource("aws:apigateway/restApi:RestApi", {"name": "api"}, "api")
    method = resource(
        "aws:apigateway/method:Method",
        {"httpMethod": "POST", "authorization": "NONE", "apiKeyRequired": True},
        "post",
        property_dependencies={"restApi": (api.urn,)},
    )
    stage = resource(
        REST_STAGE,
        {"stageName": "prod", "methodSettings": [STAGE_WIDE]},
        "prod",
        property_dependencies={"restApiId": (api.urn,)},
    )
    plan = resource(
        USAGE_PLAN,
        {"throttle": THROTTLE, "quota": QUOTA, "apiStages": [{"apiId": UNKNOWN, "stage": UNKNOWN}]},
        "plan",
        property_dependencies={"apiStages": (api.urn, stage.urn)},
    )
    findings = evaluate([BY_ID["rest-stage-protected"], BY_ID["stage-throttling"]], [api, method, stage, plan])
    assert {(f.policy, f.name, f.type): f.outcome for f in findings} == {
        ("rest-stage-protected", "prod", REST_STAGE): Outcome.PASS,
        ("stage-throttling", "prod", REST_STAGE): Outcome.PASS,
    }


def mixed_entrypoint() -> list[Resource]:
    """An aws-native Method (its integration embedded) on a pulumi-aws RestApi, to an aws-native Function,
    behind a pulumi-aws stage throttled at 2 requests/s stage-wide."""
    api = resource("aws:apigateway/restApi:RestApi", {"name": "api"}, "api")
    function = resource(FUNCTION, {"reservedConcurrentExecutions": 5.0, "timeout": 10.0, "memorySize": 256.0}, "fn")
    method = resource(
        METHOD,
        {"httpMethod": "GET", "authorizationType": "AWS_IAM", "integration": {"type": "AWS_PROXY", "uri": UNKNOWN}},
        "get",
        property_dependencies={"restApiId": (api.urn,), "integration": (function.urn,)},
    )
    stage = resource(
        "aws:apigateway/stage:Stage", {"stageName": "prod"}, "prod", property_dependencies={"restApi": (api.urn,)}
    )
    settings = resource(
        "aws:apigateway/methodSettings:MethodSettings",
        {"methodPath": "*/*", "settings": {"throttlingRateLimit": 2.0, "throttlingBurstLimit": 5.0}},
        "prod-all",
        property_dependencies={"restApi": (api.urn,), "stageName": (stage.urn,)},
    )
    return [api, function, method, stage, settings]


def test_the_cost_model_prices_a_mixed_graph_by_hand() -> None:
    """rate 2 requests/s (the stage-wide throttle); concurrency min(5, 2 x 10 s) = 5; a 30-day month M = 2,592,000 s.
    API requests = 2 x M = 5,184,000: $18.144 at $3.50 per million. Invocations 5,184,000: $1.0368 at $0.20 per
    million. Duration min(5 x M, 5,184,000 x 10 s) = 12,960,000 s x 0.25 GB x $0.0000166667 = $54.0001.
    Total $73.1809."""
    [entrypoint] = entrypoint_costs(mixed_entrypoint())
    assert (entrypoint.name, entrypoint.type, entrypoint.function) == ("get", METHOD, "fn")
    assert entrypoint.worst is not None
    assert entrypoint.worst.rate == 2.0
    assert entrypoint.worst.concurrency == 5.0
    assert entrypoint.worst.cost.api_requests == pytest.approx(18.144)
    assert entrypoint.worst.cost.lambda_requests == pytest.approx(1.0368)
    assert entrypoint.worst.cost.lambda_duration == pytest.approx(54.000108, rel=1e-6)
    assert entrypoint.worst.cost.total == pytest.approx(73.180908, rel=1e-6)


def test_a_long_native_function_behind_an_embedded_integration_is_flagged() -> None:
    graph = mixed_entrypoint()
    graph[1] = resource(FUNCTION, {"reservedConcurrentExecutions": 5.0, "timeout": 60.0}, "fn")
    [finding] = evaluate([BY_ID["lambda-timeout-behind-rest-api"]], graph)
    assert (finding.outcome, finding.type) == (Outcome.FAIL, FUNCTION)
    assert "Integration 'get integration' gives up after 29 s" in finding.message


def test_a_stack_mixing_both_providers_gets_the_same_outcomes_as_pulumi_aws_alone() -> None:
    """The benchmark's generated stack, every second one-to-one resource declared through aws-native: every
    policy gives the same outcomes, resource for resource (benchmarks/native_mix.py)."""
    from benchmarks import native_mix, synthetic

    plain = synthetic.stack(300)
    mixed = native_mix.mixed(plain)
    assert sum(r.type.startswith("aws-native:") for r in mixed) > 60
    by_urn = {(f.policy, f.urn): f.outcome for f in evaluate(list(BY_ID.values()), plain, synthetic.PACK_CONFIG)}
    mixed_by_urn = {(f.policy, f.urn): f.outcome for f in evaluate(list(BY_ID.values()), mixed, synthetic.PACK_CONFIG)}
    assert mixed_by_urn == by_urn


@pytest.mark.parametrize(
    ("deployment_type", "api_input"),
    [("aws:apigateway/deployment:Deployment", "restApi"), ("aws-native:apigateway:Deployment", "restApiId")],
    ids=["pulumi_aws_v6_stage_name", "aws_native_stage_name"],
)
def test_a_deployment_that_names_a_stage_creates_one_that_is_checked(deployment_type: str, api_input: str) -> None:
    """CloudFormation AWS::ApiGateway::Deployment StageName and pulumi-aws v6 stage_name create the stage: it is
    unthrottled without a '*/*' MethodSettings, and it is how callers reach the methods (found by a fresh user)."""
    api = resource("aws:apigateway/restApi:RestApi", {"name": "api"}, "api")
    function = resource("aws:lambda/function:Function", {"reservedConcurrentExecutions": 1.0, "timeout": 3.0}, "fn")
    method = resource(
        "aws:apigateway/method:Method",
        {"httpMethod": "GET", "authorization": "NONE", "restApi": UNKNOWN, "resourceId": UNKNOWN},
        "get",
        property_dependencies={"restApi": (api.urn,), "resourceId": (api.urn,)},
    )
    integration = resource(
        "aws:apigateway/integration:Integration",
        {"type": "AWS_PROXY", "uri": UNKNOWN, "restApi": UNKNOWN, "resourceId": UNKNOWN, "httpMethod": UNKNOWN},
        "get-integration",
        property_dependencies={
            "restApi": (api.urn,),
            "resourceId": (api.urn,),
            "httpMethod": (method.urn,),
            "uri": (function.urn,),
        },
    )
    deployment = resource(
        deployment_type, {"stageName": "prod"}, "deploy", property_dependencies={api_input: (api.urn,)}
    )
    graph = [api, function, method, integration, deployment]
    [stage] = evaluate([BY_ID["rest-stage-protected"]], graph)
    assert (stage.name, stage.type, stage.outcome) == ("deploy", deployment_type, Outcome.FAIL)
    assert "no '*/*' MethodSettings throttles it" in stage.message
    [entrypoint] = entrypoint_costs(graph)
    assert entrypoint.worst is not None and entrypoint.worst.rate == 10_000.0


@pytest.mark.parametrize(
    ("policy_id", "type_", "props", "says", "never"),
    [
        ("lambda-function-url-auth", URL, {"authType": "NONE"}, "set auth_type='AWS_IAM'", "authorization_type"),
        (
            "rest-method-authorization",
            METHOD,
            {"httpMethod": "GET", "authorizationType": "NONE"},
            "set authorization_type to AWS_IAM",
            "set authorization to",
        ),
        ("usage-plan-limits", USAGE_PLAN, {}, "add throttle with rate_limit", "throttle_settings"),
        (
            "stage-throttling",
            REST_STAGE,
            {"stageName": "p", "methodSettings": [{"httpMethod": "*", "resourcePath": "/*"}]},
            "Stage 'res methodSettings[0]' (stage-wide */*): throttlingRateLimit",
            "MethodSettings '",
        ),
    ],
    ids=["url_auth_type", "method_authorization_type", "usage_plan_throttle", "stage_method_settings"],
)
def test_a_native_fix_names_the_argument_its_user_types(
    policy_id: str, type_: str, props: dict[str, Any], says: str, never: str
) -> None:
    policy = BY_ID[policy_id]
    found = evaluate_resource(policy, resource(type_, props, "res"), policy.settings(None))
    assert found is not None
    assert says in found.message
    assert never not in found.message


def test_an_aws_native_type_no_policy_reads_is_out_of_scope() -> None:
    """Found by the engine-equivalence test: such a resource must give no finding, not recurse."""
    api_key = resource("aws-native:apigateway:ApiKey", {"enabled": True}, "key")
    assert all(evaluate_resource(p, api_key, p.settings(None)) is None for p in BY_ID.values())


def test_an_aws_native_deployment_s_stage_description_throttles_its_stage() -> None:
    """CloudFormation AWS::ApiGateway::Deployment StageDescription ThrottlingRateLimit/BurstLimit throttle the whole
    stage the deployment creates (found by a fresh user)."""
    api = resource("aws:apigateway/restApi:RestApi", {"name": "api"}, "api")
    deployment = resource(
        "aws-native:apigateway:Deployment",
        {"stageName": "prod", "stageDescription": {"throttlingRateLimit": 50.0, "throttlingBurstLimit": 100.0}},
        "dep",
        property_dependencies={"restApiId": (api.urn,)},
    )
    findings = evaluate([BY_ID["rest-stage-protected"], BY_ID["stage-throttling"]], [api, deployment])
    assert {(f.policy, f.name, f.type): f.outcome for f in findings} == {
        ("rest-stage-protected", "dep", "aws-native:apigateway:Deployment"): Outcome.PASS,
        ("stage-throttling", "dep", "aws-native:apigateway:Deployment"): Outcome.PASS,
    }


def test_a_pulumi_aws_deployment_s_stage_description_is_text() -> None:
    """pulumi-aws v6 Deployment stage_description describes the stage; only CloudFormation's StageDescription (an
    aws-native Deployment's) holds throttle settings."""
    deployment = resource("aws:apigateway/deployment:Deployment", {"stageName": "prod", "stageDescription": UNKNOWN})
    policy = BY_ID["stage-throttling"]
    assert evaluate_resource(policy, deployment, policy.settings(None)) is None
    assert evaluate([policy], [deployment]) == []


@pytest.mark.parametrize("declared_type", [*RENAMES, "aws:apigateway/deployment:Deployment"])
def test_a_policy_s_declared_types_are_those_whose_views_it_checks(declared_type: str) -> None:
    """in_scope (what the engine adapter and the reports ask of a declared type) agrees with the views the
    evaluation judges: a resource of every declared type, with every input that makes a part."""
    props = {
        "stageName": "prod",
        "stageDescription": UNKNOWN,
        "methodSettings": [STAGE_WIDE],
        "integration": {"type": "AWS_PROXY"},
    }
    seen = {view.type for view in views(resource(declared_type, props))}
    for policy in BY_ID.values():
        assert in_scope(policy, declared_type) == bool(seen & set(policy.resource_types)), policy.id
