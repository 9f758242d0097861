"""Operations of an OpenAPI 3 or Swagger 2.0 `body`, judged as their Method and Route twins are (issue 10).

The documents follow the API Gateway Developer Guide's pages on its OpenAPI extensions:
x-amazon-apigateway-authorizer (token, request, cognito_user_pools, jwt), x-amazon-apigateway-authtype
(awsSigv4), x-amazon-apigateway-auth, x-amazon-apigateway-any-method and x-amazon-apigateway-integration.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from abuse_guard.aws.types import HTTP_API, LAMBDA_FUNCTION, REST_API, REST_STAGE
from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Finding, Outcome
from abuse_guard.policies import BY_ID
from abuse_guard.policies.api_route_authorization import POLICY as ROUTES
from abuse_guard.policies.rest_method_authorization import POLICY as METHODS
from abuse_guard.resources import SECRET, UNKNOWN
from tests.support import check, resource

INVOKE = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:{name}/invocations"
)
LAMBDA = {"type": "aws_proxy", "httpMethod": "POST", "uri": INVOKE.format(name="handler-1a2b3c4")}

# security schemes as the guide writes them
API_KEY = {"type": "apiKey", "name": "x-api-key", "in": "header"}
SIGV4 = {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}
TOKEN = {
    "type": "apiKey",
    "name": "Authorization",
    "in": "header",
    "x-amazon-apigateway-authtype": "custom",
    "x-amazon-apigateway-authorizer": {"type": "token", "authorizerUri": INVOKE.format(name="auth")},
}
REQUEST = {**TOKEN, "x-amazon-apigateway-authorizer": {"type": "request", "identitySource": "method.request.header.A"}}
COGNITO = {
    "type": "apiKey",
    "name": "Authorization",
    "in": "header",
    "x-amazon-apigateway-authtype": "cognito_user_pools",
    "x-amazon-apigateway-authorizer": {"type": "cognito_user_pools", "providerARNs": ["arn:aws:cognito-idp:..."]},
}
JWT = {
    "type": "oauth2",
    "x-amazon-apigateway-authorizer": {
        "type": "jwt",
        "jwtConfiguration": {"issuer": "https://cognito-idp.example/pool", "audience": ["client"]},
        "identitySource": "$request.header.Authorization",
    },
}
SCHEMES = {"api_key": API_KEY, "sigv4": SIGV4, "token": TOKEN, "request": REQUEST, "cognito": COGNITO, "jwt": JWT}


def swagger(paths: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "swagger": "2.0",
        "info": {"title": "api", "version": "1"},
        "securityDefinitions": SCHEMES,
        "paths": paths,
        **top,
    }


def openapi(paths: dict[str, Any], **top: Any) -> dict[str, Any]:
    doc = {"openapi": "3.0.1", "info": {"title": "api", "version": "1"}, "paths": paths, **top}
    return {**doc, "components": {"securitySchemes": SCHEMES}}


def op(**extra: Any) -> dict[str, Any]:
    return {"x-amazon-apigateway-integration": LAMBDA, **extra}


def as_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc)


def as_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc)


REST_CASES: dict[str, tuple[dict[str, Any], dict[str, Any] | None, Outcome]] = {
    "open_get": (swagger({"/items": {"get": op()}}), None, Outcome.FAIL),
    "api_key": (swagger({"/items": {"get": op(security=[{"api_key": []}])}}), None, Outcome.PASS),
    "api_key_alone_not_enough": (
        swagger({"/items": {"get": op(security=[{"api_key": []}])}}),
        {"apiKeyAloneIsEnough": False},
        Outcome.FAIL,
    ),
    "lambda_token_authorizer": (swagger({"/items": {"get": op(security=[{"token": []}])}}), None, Outcome.PASS),
    "lambda_request_authorizer": (openapi({"/items": {"get": op(security=[{"request": []}])}}), None, Outcome.PASS),
    "cognito_authorizer": (openapi({"/items": {"get": op(security=[{"cognito": []}])}}), None, Outcome.PASS),
    "sigv4_is_iam": (swagger({"/items": {"get": op(security=[{"sigv4": []}])}}), None, Outcome.PASS),
    "document_security_applies": (swagger({"/items": {"get": op()}}, security=[{"token": []}]), None, Outcome.PASS),
    "empty_operation_security_overrides_the_document": (
        swagger({"/items": {"get": op(security=[])}}, security=[{"token": []}]),
        None,
        Outcome.FAIL,
    ),
    "optional_authorization_is_none": (
        openapi({"/items": {"get": op(security=[{"token": []}, {}])}}),
        None,
        Outcome.FAIL,
    ),
    "auth_extension_iam_any_case": (
        openapi({"/items": {"get": op(**{"x-amazon-apigateway-auth": {"type": "aws_iam"}})}}),
        None,
        Outcome.PASS,
    ),
    "auth_extension_none_overrides_an_authorizer": (
        openapi({"/items": {"get": op(security=[{"token": []}], **{"x-amazon-apigateway-auth": {"type": "NONE"}})}}),
        None,
        Outcome.FAIL,
    ),
    "any_method_open": (swagger({"/{proxy+}": {"x-amazon-apigateway-any-method": op()}}), None, Outcome.FAIL),
    "options_preflight_only": (swagger({"/items": {"options": {}}}), None, Outcome.NOT_APPLICABLE),
    "one_open_among_authorized": (
        openapi({"/items": {"get": op(security=[{"token": []}]), "post": op()}}),
        None,
        Outcome.FAIL,
    ),
    "undefined_scheme_is_malformed": (
        swagger({"/items": {"get": op(security=[{"nowhere": []}])}}),
        None,
        Outcome.FAIL,
    ),
    "jwt_is_not_a_rest_authorizer": (openapi({"/items": {"get": op(security=[{"jwt": []}])}}), None, Outcome.FAIL),
    "not_a_document": ({"info": {"title": "no version"}}, None, Outcome.FAIL),
}


@pytest.mark.parametrize("encode", [as_json, as_yaml], ids=["json", "yaml"])
@pytest.mark.parametrize(("doc", "config", "expected"), REST_CASES.values(), ids=list(REST_CASES))
def test_rest_body_operations(
    doc: dict[str, Any], config: dict[str, Any] | None, expected: Outcome, encode: Any
) -> None:
    finding = judged(METHODS, REST_API, {"name": "api", "body": encode(doc)}, config)
    assert finding is not None
    assert finding.outcome is expected, finding.message


def judged(policy: Any, type_: str, props: dict[str, Any], config: dict[str, Any] | None = None) -> Finding | None:
    found = evaluate([policy], [resource(type_, props, "api")], {policy.id: config})
    return found[0] if found else None


def test_the_message_names_the_operation() -> None:
    finding = check(METHODS, REST_API, {"body": as_json(swagger({"/items": {"get": op(security=[]), "post": op()}}))})
    assert finding.message == (
        "GET /items in RestApi 'res' is open to anyone (authorization NONE, no API key required); add a security "
        "requirement naming a scheme with x-amazon-apigateway-authorizer, x-amazon-apigateway-authtype awsSigv4, "
        "or an apiKey scheme with a usage plan to the operation or the document; POST /items in RestApi 'res' is "
        "open to anyone (authorization NONE, no API key required); add a security requirement naming a scheme with "
        "x-amazon-apigateway-authorizer, x-amazon-apigateway-authtype awsSigv4, or an apiKey scheme with a usage "
        "plan to the operation or the document"
    )


def test_an_undefined_scheme_says_where() -> None:
    finding = check(METHODS, REST_API, {"body": as_json(swagger({"/items": {"get": op(security=[{"gone": []}])}}))})
    assert finding.outcome is Outcome.FAIL
    assert finding.message == (
        "RestApi 'res': malformed input: body paths['/items'].get.security[0] must be names of defined security "
        "schemes, "
        "got a scheme not defined"
    )


def test_a_path_of_unsafe_characters_is_not_repeated() -> None:
    body = as_json(swagger({"/tok?abc=123&x": {"get": op()}}))
    message = check(METHODS, REST_API, {"body": body}).message
    assert "tok" not in message
    assert message.startswith("GET at body paths['#0'].get in RestApi 'res' is open to anyone")


@pytest.mark.parametrize(
    ("body", "expected", "message"),
    [
        (
            UNKNOWN,
            Outcome.UNKNOWN,
            "RestApi 'res': cannot be determined yet: body is not known until the resource is deployed",
        ),
        (SECRET, Outcome.UNKNOWN, "RestApi 'res': cannot be determined yet: body is a secret"),
        (
            "hello: [",
            Outcome.FAIL,
            "RestApi 'res': malformed input: body must be a JSON or YAML OpenAPI document, got text that is neither "
            "(line 1)",
        ),
        (
            "[1, 2]",
            Outcome.FAIL,
            "RestApi 'res': malformed input: body must be an OpenAPI document (an object), got a list",
        ),
        (
            "[" * 100_000,
            Outcome.FAIL,
            "RestApi 'res': malformed input: body must be a JSON or YAML OpenAPI document, got text nested too deep",
        ),
    ],
    ids=["unknown", "secret", "not_yaml", "a_list", "nested_too_deep"],
)
def test_a_body_that_cannot_be_read(body: Any, expected: Outcome, message: str) -> None:
    finding = check(METHODS, REST_API, {"body": body})
    assert (finding.outcome, finding.message) == (expected, message)


def test_a_rest_api_without_a_body_gets_no_finding() -> None:
    """Its methods are Method resources, each checked on its own."""
    assert judged(METHODS, REST_API, {"name": "api"}) is None
    assert judged(METHODS, REST_API, {"name": "api", "body": as_json(openapi({}))}) is None


# -- HTTP API bodies and quick create ---------------------------------------------------------------

HTTP_CASES: dict[str, tuple[dict[str, Any], Outcome]] = {
    "jwt": ({"body": as_json(openapi({"/items": {"get": op(security=[{"jwt": ["read"]}])}}))}, Outcome.PASS),
    "lambda_request_authorizer": (
        {"body": as_yaml(openapi({"/items": {"get": op(security=[{"request": []}])}}))},
        Outcome.PASS,
    ),
    "sigv4": ({"body": as_json(openapi({"/items": {"get": op(security=[{"sigv4": []}])}}))}, Outcome.PASS),
    "open": ({"body": as_json(openapi({"/items": {"get": op()}}))}, Outcome.FAIL),
    "cognito_is_not_an_http_authorizer": (
        {"body": as_json(openapi({"/items": {"get": op(security=[{"cognito": []}])}}))},
        Outcome.FAIL,
    ),
    "cors_preflight": ({"body": as_json(openapi({"/items": {"options": op()}}))}, Outcome.NOT_APPLICABLE),
    "quick_create": (
        {"protocolType": "HTTP", "target": "arn:aws:lambda:us-east-1:123456789012:function:f"},
        Outcome.FAIL,
    ),
}


@pytest.mark.parametrize(("props", "expected"), HTTP_CASES.values(), ids=list(HTTP_CASES))
def test_http_api_operations(props: dict[str, Any], expected: Outcome) -> None:
    finding = judged(ROUTES, HTTP_API, {"protocolType": "HTTP", **props})
    assert finding is not None
    assert finding.outcome is expected, finding.message


def test_quick_create_says_what_to_define_instead() -> None:
    props = {"protocolType": "HTTP", "target": "arn:aws:lambda:us-east-1:123456789012:function:f"}
    assert check(ROUTES, HTTP_API, props).message == (
        "$default (quick create) in Api 'res' is open to anyone: quick create makes it with no authorization; define "
        "the route instead of using quick create: aws.apigatewayv2.Integration for the function, "
        "aws.apigatewayv2.Route with authorization_type and authorizer_id, and aws.apigatewayv2.Stage with "
        "default_route_settings, in place of the API's target"
    )


def test_quick_create_fails_stage_throttling_on_the_api() -> None:
    props = {"protocolType": "HTTP", "target": "arn:aws:lambda:us-east-1:123456789012:function:f"}
    finding = check(BY_ID["stage-throttling"], HTTP_API, props)
    assert finding.outcome is Outcome.FAIL
    assert finding.message.startswith("API Gateway v2 API 'res' is made by quick create (target)")


def test_an_api_without_body_or_target_gets_no_finding() -> None:
    assert judged(ROUTES, HTTP_API, {"protocolType": "WEBSOCKET"}) is None
    assert judged(BY_ID["stage-throttling"], HTTP_API, {"protocolType": "HTTP"}) is None


# -- the same body through the stack policies --------------------------------------------------------

FUNCTION_URN = f"urn:pulumi:dev::proj::{LAMBDA_FUNCTION}::handler"


def body_stack(body: dict[str, Any], timeout: float = 300.0) -> list[Any]:
    """A RestApi whose body's integrations invoke 'handler' (auto-named handler-1a2b3c4), with a stage."""
    function = resource(LAMBDA_FUNCTION, {"timeout": timeout, "reservedConcurrentExecutions": 5}, "handler")
    api = resource(REST_API, {"body": as_json(body)}, "api", property_dependencies={"body": (FUNCTION_URN,)})
    stage = resource(
        REST_STAGE,
        {"stageName": "prod"},
        "prod",
        property_dependencies={"restApi": (f"urn:pulumi:dev::proj::{REST_API}::api",)},
    )
    return [function, api, stage]


def test_a_long_function_behind_a_body_integration_is_flagged_like_its_twin() -> None:
    [finding] = evaluate([BY_ID["lambda-timeout-behind-rest-api"]], body_stack(swagger({"/items": {"get": op()}})))
    assert finding.outcome is Outcome.FAIL
    assert finding.message == (
        "Lambda function 'handler' runs for up to 300 s, but Integration 'api GET /items' gives up after 29 s: the "
        "caller gets a 504 while the function keeps running, and billing, for up to 271 s more per call; set timeout "
        "to at most 29"
    )


def test_an_asynchronous_body_integration_does_not_count() -> None:
    """X-Amz-Invocation-Type 'Event' (type aws): API Gateway answers at once (issue 11, item 5)."""
    asynchronous = {
        "type": "aws",
        "httpMethod": "POST",
        "uri": INVOKE.format(name="handler-1a2b3c4"),
        "requestParameters": {"integration.request.header.X-Amz-Invocation-Type": "'Event'"},
    }
    body = swagger({"/items": {"post": {"x-amazon-apigateway-integration": asynchronous}}})
    [finding] = evaluate([BY_ID["lambda-timeout-behind-rest-api"]], body_stack(body))
    assert finding.outcome is Outcome.NOT_APPLICABLE


def test_an_open_body_operation_gets_its_cost_row_and_budget_verdict() -> None:
    [finding] = evaluate([BY_ID["entrypoint-cost-budget"]], body_stack(swagger({"/items": {"get": op()}})))
    assert finding.outcome is Outcome.FAIL
    assert finding.message.startswith("REST method 'api GET /items' -> Lambda function 'handler' can cost up to ")


def test_api_key_operations_in_a_body_need_a_usage_plan_on_the_stage() -> None:
    body = swagger({"/items": {"get": op(security=[{"api_key": []}])}})
    findings = evaluate([BY_ID["rest-stage-protected"]], body_stack(body))
    [stage] = [f for f in findings if f.name == "prod"]
    assert stage.outcome is Outcome.FAIL
    assert "method GET /items requires an API key but no usage plan lists this stage" in stage.message


def test_a_yaml_alias_bomb_body_is_malformed_at_once() -> None:
    """Nine levels of ten aliases expand to 10^9 values: refused, not expanded (found by a fresh user)."""
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in range(1, 9):
        text += f"b{level}: &b{level} [" + ", ".join(["*" + ("a" if level == 1 else f"b{level - 1}")] * 10) + "]\n"
    finding = check(METHODS, REST_API, {"body": text})
    assert finding.outcome is Outcome.FAIL
    assert finding.message.startswith("RestApi 'res': malformed input: body must be a JSON or YAML OpenAPI document")


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        (
            {
                **openapi({"/r": {"get": op(security=[{"alias": []}])}}),
                "components": {"securitySchemes": {**SCHEMES, "alias": {"$ref": "#/components/securitySchemes/token"}}},
            },
            Outcome.PASS,
        ),
        (
            {
                **openapi({"/r": {"$ref": "#/components/pathItems/open"}}),
                "components": {"securitySchemes": SCHEMES, "pathItems": {"open": {"get": op()}}},
            },
            Outcome.FAIL,
        ),
        (openapi({"/r": {"$ref": "other.yaml#/paths/r"}}), Outcome.FAIL),
        (openapi({"/r": {"$ref": "#/paths/~1r"}}), Outcome.FAIL),
    ],
    ids=["scheme_by_local_ref", "path_item_by_local_ref", "ref_outside_the_document", "ref_loop"],
)
def test_local_references_are_followed(doc: dict[str, Any], expected: Outcome) -> None:
    """OpenAPI `$ref`s within the document are followed; one that cannot be is malformed (found by a fresh user)."""
    assert check(METHODS, REST_API, {"body": as_json(doc)}).outcome is expected


def test_a_message_names_at_most_twenty_parts() -> None:
    body = as_json(swagger({f"/p{i}": {"get": op()} for i in range(30)}))
    message = check(METHODS, REST_API, {"body": body}).message
    assert message.count("is open to anyone") == 20
    assert message.endswith("; and 10 more")
