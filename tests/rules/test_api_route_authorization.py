from typing import Any

import pytest

from abuse_guard.aws.types import API_ROUTE
from abuse_guard.findings import Outcome
from abuse_guard.policies.api_route_authorization import POLICY
from abuse_guard.resources import SECRET, UNKNOWN
from tests.support import check

# What the engine sends for a route: the provider fills authorizationType NONE and apiKeyRequired false.
# Routes have no tags.
BASE = {"apiId": "api1", "authorizationType": "NONE", "apiKeyRequired": False}
JWT = {"authorizationType": "JWT", "authorizerId": "auth1"}

CASES: dict[str, tuple[dict[str, Any], dict[str, Any] | None, Outcome]] = {
    "http_route_jwt": ({"routeKey": "GET /items", **JWT}, None, Outcome.PASS),
    "http_route_iam": ({"routeKey": "POST /items", "authorizationType": "AWS_IAM"}, None, Outcome.PASS),
    "http_route_lambda_authorizer": (
        {"routeKey": "GET /items", "authorizationType": "CUSTOM", "authorizerId": "auth1"},
        None,
        Outcome.PASS,
    ),
    "http_route_provider_default_none": ({"routeKey": "GET /items"}, None, Outcome.FAIL),
    "authorization_type_null_reads_as_none": (
        {"routeKey": "GET /items", "authorizationType": None},
        None,
        Outcome.FAIL,
    ),
    "proxy_route_open": ({"routeKey": "ANY /{proxy+}"}, None, Outcome.FAIL),
    "jwt_without_authorizer": ({"routeKey": "GET /items", "authorizationType": "JWT"}, None, Outcome.FAIL),
    "default_route_is_http": ({"routeKey": "$default"}, None, Outcome.FAIL),
    "default_route_http_authorized": ({"routeKey": "$default", **JWT}, None, Outcome.PASS),
    "default_route_websocket_response_selection": (
        {"routeKey": "$default", "routeResponseSelectionExpression": "$default"},
        None,
        Outcome.NOT_APPLICABLE,
    ),
    "default_route_websocket_model_selection": (
        {"routeKey": "$default", "modelSelectionExpression": "$request.body.action"},
        None,
        Outcome.NOT_APPLICABLE,
    ),
    "default_route_blank_selection_is_http": (
        {"routeKey": "$default", "routeResponseSelectionExpression": ""},
        None,
        Outcome.FAIL,
    ),
    "connect_open": ({"routeKey": "$connect"}, None, Outcome.FAIL),
    "connect_iam": ({"routeKey": "$connect", "authorizationType": "AWS_IAM"}, None, Outcome.PASS),
    "connect_lambda_authorizer": (
        {"routeKey": "$connect", "authorizationType": "CUSTOM", "authorizerId": "auth1"},
        None,
        Outcome.PASS,
    ),
    "connect_jwt_is_not_websocket": ({"routeKey": "$connect", **JWT}, None, Outcome.FAIL),
    "disconnect": ({"routeKey": "$disconnect"}, None, Outcome.NOT_APPLICABLE),
    "websocket_action": ({"routeKey": "sendMessage"}, None, Outcome.NOT_APPLICABLE),
    "route_key_absent": ({}, None, Outcome.FAIL),
    "v1_authorization_value_is_malformed": (
        {"routeKey": "GET /items", "authorizationType": "COGNITO_USER_POOLS"},
        None,
        Outcome.FAIL,
    ),
    "route_key_number_is_malformed": ({"routeKey": 5.0}, None, Outcome.FAIL),
    "authorization_list_is_malformed": ({"routeKey": "GET /items", "authorizationType": ["JWT"]}, None, Outcome.FAIL),
    "route_key_unknown": ({"routeKey": UNKNOWN}, None, Outcome.UNKNOWN),
    "authorization_unknown": ({"routeKey": "GET /items", "authorizationType": UNKNOWN}, None, Outcome.UNKNOWN),
    "authorizer_unknown": (
        {"routeKey": "GET /items", "authorizationType": "JWT", "authorizerId": UNKNOWN},
        None,
        Outcome.UNKNOWN,
    ),
    "authorizer_secret": (
        {"routeKey": "GET /items", "authorizationType": "JWT", "authorizerId": SECRET},
        None,
        Outcome.UNKNOWN,
    ),
    "exempt_by_config": (
        {"routeKey": "GET /health"},
        {"exemptions": [{"resource": "res", "reason": "load balancer health check, static response"}]},
        Outcome.EXEMPT,
    ),
}


@pytest.mark.parametrize(("props", "config", "expected"), CASES.values(), ids=list(CASES))
def test_route_authorization(props: dict[str, Any], config: dict[str, Any] | None, expected: Outcome) -> None:
    assert check(POLICY, API_ROUTE, {**BASE, **props}, config).outcome is expected


def test_message_names_the_route_and_the_fix() -> None:
    message = check(POLICY, API_ROUTE, {**BASE, "routeKey": "$default"}).message
    assert message.startswith("API route 'res' ($default) is open to anyone (authorizationType NONE)")
    assert "set authorization_type to AWS_IAM, or JWT or CUSTOM with authorizer_id" in message
    assert "if this is a WebSocket API's $default route, set route_response_selection_expression" in message
