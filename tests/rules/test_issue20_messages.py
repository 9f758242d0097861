"""Issue 20's messages: each fix names what the user changes, and says what a value means exactly.

Each case is (the stack, the policy, what its finding says, what it must not say), with its source in a comment.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from abuse_guard.aws.types import API_ROUTE, HTTP_API, METHOD_SETTINGS, REST_API, REST_STAGE
from abuse_guard.evaluate import evaluate
from abuse_guard.policies import BY_ID
from abuse_guard.resources import Resource
from tests.cost.graphs import linked
from tests.support import resource

KEY_SCHEME = {"key": {"type": "apiKey", "name": "x-api-key", "in": "header"}}
IAM_SCHEME = {
    "sigv4": {"type": "apiKey", "name": "Authorization", "in": "header", "x-amazon-apigateway-authtype": "awsSigv4"}
}
IGNORED_SCHEME = {"basic": {"type": "http", "scheme": "basic"}}


def body(document_security: Any, operation: dict[str, Any]) -> str:
    """An OpenAPI 3 body with one operation `GET /items`, its document-level `security` (None: not set)."""
    doc: dict[str, Any] = {
        "openapi": "3.0.1",
        "info": {"title": "api", "version": "1"},
        "components": {"securitySchemes": {**KEY_SCHEME, **IAM_SCHEME, **IGNORED_SCHEME}},
        "paths": {"/items": {"get": operation}},
    }
    if document_security is not None:
        doc["security"] = document_security
    return json.dumps(doc)


def rest_body(document_security: Any, operation: dict[str, Any]) -> list[Resource]:
    return [resource(REST_API, {"name": "api", "body": body(document_security, operation)}, "api")]


def http_body(document_security: Any, operation: dict[str, Any]) -> list[Resource]:
    return [resource(HTTP_API, {"protocolType": "HTTP", "body": body(document_security, operation)}, "api")]


def native_deployment(description: dict[str, Any]) -> list[Resource]:
    """An aws-native Deployment that creates stage 'prod' of a pulumi-aws RestApi, with `stageDescription`."""
    api = resource(REST_API, {"name": "api"}, "api")
    props = {"stageName": "prod", "stageDescription": description}
    return [
        api,
        resource(
            "aws-native:apigateway:Deployment", props, "deployment", property_dependencies={"restApiId": (api.urn,)}
        ),
    ]


def v6_deployment() -> list[Resource]:
    """A pulumi-aws 6 Deployment with stage_name, which creates stage 'prod' (nothing throttles it)."""
    api = resource(REST_API, {"name": "api"}, "api")
    return [api, linked("aws:apigateway/deployment:Deployment", {"stageName": "prod"}, "deployment", restApi=api)]


def rate_only_settings() -> list[Resource]:
    """A pulumi-aws stage whose stage-wide MethodSettings sets a rate and leaves the burst at -1 (the provider's)."""
    api = resource(REST_API, {"name": "api"}, "api")
    stage = linked(REST_STAGE, {"stageName": "prod"}, "prod", restApi=api)
    settings = {"methodPath": "*/*", "settings": {"throttlingRateLimit": 50.0, "throttlingBurstLimit": -1.0}}
    return [api, stage, linked(METHOD_SETTINGS, settings, "prod-all", restApi=api, stageName=stage)]


OWN_SECURITY = "set the operation's own security (body paths['/items'].get.security) to a requirement naming"
HALF_SET = (
    "is not set (absent or -1): the rate still caps the steady flow at 50 requests/s, but the stage sets no burst, so "
    "as many requests as the account's burst lets through at once (AWS default 5,000, shared by every API of the "
    "account in the Region) reach the backend together; set the burst above 0"
)

# name -> (stack, policy, the finding says, it never says)
CASES: dict[str, tuple[list[Resource], str, tuple[str, ...], tuple[str, ...]]] = {
    # an operation's `security: []` removes a document-level requirement (OpenAPI 3.0 Operation Object "security":
    # "To remove a top-level security declaration, an empty array can be used"): the fix is the operation's own
    "rest_operation_security_empty_under_a_document_requirement": (
        rest_body([{"key": []}], {"security": []}),
        "rest-method-authorization",
        (OWN_SECURITY, "its security: [] overrides the document's security requirement"),
        ("to the operation or the document",),
    ),
    "http_operation_security_empty_under_a_document_requirement": (
        http_body([{"sigv4": []}], {"security": []}),
        "api-route-authorization",
        (OWN_SECURITY, "its security: [] overrides the document's security requirement"),
        ("to the operation or the document",),
    ),
    "rest_operation_own_weak_security_under_a_document_requirement": (
        rest_body([{"sigv4": []}], {"security": [{"basic": []}]}),
        "rest-method-authorization",
        (OWN_SECURITY, "its own security overrides the document's security requirement"),
        ("to the operation or the document",),
    ),
    "rest_operation_without_any_security": (
        rest_body(None, {}),
        "rest-method-authorization",
        ("add a security requirement naming a scheme", "to the operation or the document"),
        ("own security",),
    ),
    "rest_operation_security_empty_without_a_document_requirement": (
        rest_body(None, {"security": []}),
        "rest-method-authorization",
        ("to the operation or the document",),
        ("own security",),
    ),
    # aws-native Deployment stageDescription (CloudFormation AWS::ApiGateway::Deployment StageDescription) is named as
    # its user types it; a rate-only throttle caps the steady rate, and the burst it leaves out is the account's
    # (Amazon API Gateway quotas: 10,000 requests/s, a bucket of 5,000)
    "native_stage_description_rate_only": (
        native_deployment({"throttlingRateLimit": 50.0}),
        "stage-throttling",
        ("Deployment 'deployment stage_description' (stage-wide */*): throttling_burst_limit " + HALF_SET,),
        ("MethodSettings", "turns throttling off"),
    ),
    "native_stage_description_burst_only": (
        native_deployment({"throttlingBurstLimit": 100.0}),
        "stage-throttling",
        (
            "throttling_rate_limit is not set (absent or -1): with no steady rate the stage limits nothing whatever "
            "its burst of 100, so only the account's throttle does (AWS default 10,000 requests/s",
        ),
        ("MethodSettings",),
    ),
    "native_stage_description_method_setting": (
        native_deployment(
            {
                "throttlingRateLimit": 50.0,
                "throttlingBurstLimit": 100.0,
                "methodSettings": [{"httpMethod": "GET", "resourcePath": "/items", "throttlingBurstLimit": 0}],
            }
        ),
        "stage-throttling",
        ("Deployment 'deployment stage_description.method_settings[0]' (items/GET): throttling_burst_limit is 0",),
        ("MethodSettings", "methodSettings[1]"),
    ),
    "native_stage_description_absent": (
        native_deployment({}),
        "rest-stage-protected",
        (
            "REST API stage 'prod': no '*/*' MethodSettings throttles it",
            "add stage_description={'throttling_rate_limit': ..., 'throttling_burst_limit': ...} to the deployment",
        ),
        ("aws.apigateway.MethodSettings(",),
    ),
    "rest_stage_rate_only_method_settings": (
        rate_only_settings(),
        "stage-throttling",
        ("MethodSettings 'prod-all' (stage-wide */*): settings.throttlingBurstLimit " + HALF_SET,),
        ("turns throttling off",),
    ),
    # pulumi-aws 6 Deployment stage_name creates the stage the program names so
    "v6_deployment_stage_named_by_its_stage_name": (
        v6_deployment(),
        "rest-stage-protected",
        ("REST API stage 'prod': no '*/*' MethodSettings throttles it", "stage_name=deployment.stage_name"),
        ("'deployment stage'", "stage.stage_name"),
    ),
}


@pytest.mark.parametrize(("stack", "policy", "says", "never"), CASES.values(), ids=list(CASES))
def test_the_message(stack: list[Resource], policy: str, says: tuple[str, ...], never: tuple[str, ...]) -> None:
    [found] = evaluate([BY_ID[policy]], stack)
    for text in says:
        assert text in found.message
    for text in never:
        assert text not in found.message


def test_an_http_route_fix_is_unchanged_for_a_route() -> None:
    """A Route resource's fix names its own input, not a body's security."""
    route = resource(API_ROUTE, {"apiId": "a1", "routeKey": "GET /items", "authorizationType": "NONE"}, "route")
    [found] = evaluate([BY_ID["api-route-authorization"]], [route])
    assert "set authorization_type to AWS_IAM" in found.message
