from typing import Any

import pytest

from abuse_guard.aws.types import API_ROUTE, HTTP_API
from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Outcome
from abuse_guard.policies.api_route_authorization import POLICY
from abuse_guard.resources import SECRET, UNKNOWN
from tests.support import check, resource

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
    # alone, a $default route may be an HTTP catch-all or a WebSocket route: its API decides (graph cases below)
    "default_route_alone_is_unknown": ({"routeKey": "$default"}, None, Outcome.UNKNOWN),
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
    "default_route_blank_selection_shows_nothing": (
        {"routeKey": "$default", "routeResponseSelectionExpression": ""},
        None,
        Outcome.UNKNOWN,
    ),
    # AWS's CORS guidance for HTTP APIs with an authorizer: an unauthorized OPTIONS /{proxy+} route
    # (API Gateway Developer Guide, "Configuring CORS for an HTTP API"); issue 11, item 3
    "http_cors_preflight_route": ({"routeKey": "OPTIONS /{proxy+}"}, None, Outcome.NOT_APPLICABLE),
    # WebSocket APIs have API keys and usage plans (API Gateway Developer Guide, "Usage plans for WebSocket
    # APIs"): $connect with an API key passes like a REST method does under apiKeyAloneIsEnough; issue 11, item 4
    "connect_api_key": ({"routeKey": "$connect", "apiKeyRequired": True}, None, Outcome.PASS),
    "connect_api_key_not_enough": (
        {"routeKey": "$connect", "apiKeyRequired": True},
        {"apiKeyAloneIsEnough": False},
        Outcome.FAIL,
    ),
    "http_route_api_key_does_nothing": ({"routeKey": "GET /items", "apiKeyRequired": True}, None, Outcome.FAIL),
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
    message = check(POLICY, API_ROUTE, {**BASE, "routeKey": "GET /items"}).message
    assert message == (
        "API route 'res' (GET /items) is open to anyone (authorizationType NONE); set authorization_type to "
        "AWS_IAM, or JWT or CUSTOM with authorizer_id"
    )


def test_an_api_key_on_an_http_route_is_said_to_do_nothing() -> None:
    message = check(POLICY, API_ROUTE, {**BASE, "routeKey": "GET /items", "apiKeyRequired": True}).message
    assert message.endswith(
        "; api_key_required does nothing on an HTTP API route: HTTP APIs have no API keys or usage plans"
    )


def test_a_route_key_that_is_not_of_a_route_key_form_is_not_repeated() -> None:
    """Secrets arrive unwrapped under the engine: a message repeats only values of a strict form (issue 13)."""
    message = check(POLICY, API_ROUTE, {**BASE, "routeKey": "GET /tok?abc=123&x"}).message
    assert "tok" not in message
    assert message.startswith("API route 'res' is open to anyone")


# -- the protocol from the graph (issue 10, item 4) ------------------------------------------------------

API = "urn:pulumi:dev::proj::aws:apigatewayv2/api:Api::api"


def in_stack(protocol: str, route_key: str, **props: Any) -> Outcome:
    api = resource(HTTP_API, {"protocolType": protocol}, "api")
    route = resource(
        API_ROUTE, {**BASE, "routeKey": route_key, **props}, "route", property_dependencies={"apiId": (API,)}
    )
    [finding] = [f for f in evaluate([POLICY], [api, route]) if f.name == "route"]
    return finding.outcome


@pytest.mark.parametrize(
    ("protocol", "route_key", "expected"),
    [
        ("HTTP", "$default", Outcome.FAIL),
        ("WEBSOCKET", "$default", Outcome.NOT_APPLICABLE),
        ("WEBSOCKET", "$connect", Outcome.FAIL),
        ("WEBSOCKET", "sendMessage", Outcome.NOT_APPLICABLE),
        ("HTTP", "GET /items", Outcome.FAIL),
    ],
    ids=["http_default_fails", "websocket_default_not_applicable", "websocket_connect", "action", "http_route"],
)
def test_the_stack_level_evaluation_reads_the_protocol_from_the_api(
    protocol: str, route_key: str, expected: Outcome
) -> None:
    assert in_stack(protocol, route_key) is expected


def test_a_websocket_default_route_is_never_told_to_change_what_clients_receive() -> None:
    api = resource(HTTP_API, {"protocolType": "WEBSOCKET"}, "api")
    route = resource(API_ROUTE, {**BASE, "routeKey": "$default"}, "route", property_dependencies={"apiId": (API,)})
    messages = [f.message for f in evaluate([POLICY], [api, route])]
    assert not [m for m in messages if "route_response_selection_expression" in m]


# -- a WebSocket API authorizes only at $connect (found by a fresh user) -------------------------------


@pytest.mark.parametrize(
    ("route_keys", "expected"),
    [
        (["$default", "sendMessage"], Outcome.FAIL),
        (["$connect", "$default"], Outcome.PASS),
        ([UNKNOWN, "$default"], Outcome.UNKNOWN),
    ],
    ids=["routes_without_connect", "with_connect", "a_route_key_unknown"],
)
def test_a_websocket_api_without_connect_lets_every_client_in(route_keys: list[Any], expected: Outcome) -> None:
    api = resource(HTTP_API, {"protocolType": "WEBSOCKET"}, "api")
    routes = [
        resource(API_ROUTE, {**BASE, "routeKey": key}, f"route{i}", property_dependencies={"apiId": (API,)})
        for i, key in enumerate(route_keys)
    ]
    [finding] = [f for f in evaluate([POLICY], [api, *routes]) if f.name == "api"]
    assert finding.outcome is expected, finding.message


def test_alone_a_websocket_api_is_unknown_and_without_routes_out_of_scope() -> None:
    assert check(POLICY, HTTP_API, {"protocolType": "WEBSOCKET"}).outcome is Outcome.UNKNOWN
    assert evaluate([POLICY], [resource(HTTP_API, {"protocolType": "WEBSOCKET"}, "api")]) == []
