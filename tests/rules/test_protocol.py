"""One reading of whether a v2 route is an HTTP or a WebSocket route (aws/frontdoors.py `protocol`), shared by the
route authorization rule and the cost model."""

from __future__ import annotations

from typing import Any

import pytest

from abuse_guard.aws.frontdoors import DoorKind, operations, protocol
from abuse_guard.aws.types import API_ROUTE, HTTP_API
from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Outcome
from abuse_guard.graph import Graph
from abuse_guard.policies.api_route_authorization import POLICY as ROUTE_POLICY
from abuse_guard.resources import SECRET, UNKNOWN, Resource
from abuse_guard.values import Malformed, Undetermined
from tests.cost.graphs import function, http_route, only_entrypoint
from tests.support import resource

HTTP, WEBSOCKET = DoorKind.HTTP_ROUTE, DoorKind.WEBSOCKET_ROUTE
ABSENT = object()


def api_and_route(protocol_type: Any, **route: Any) -> list[Resource]:
    """A v2 API of `protocol_type` (ABSENT: none set) and a route of it."""
    api = resource(HTTP_API, {} if protocol_type is ABSENT else {"protocolType": protocol_type}, "api")
    return [api, resource(API_ROUTE, route, "route", property_dependencies={"apiId": (api.urn,)})]


def kind(protocol_type: Any, route_key: Any, in_graph: bool = True, **route: Any) -> DoorKind | None:
    api, route_resource = api_and_route(protocol_type, routeKey=route_key, **route)
    [op] = operations(route_resource)
    return protocol(op, Graph([api, route_resource]) if in_graph else None)


@pytest.mark.parametrize(
    ("protocol_type", "route_key", "in_graph", "expected"),
    [
        ("HTTP", "$default", True, HTTP),
        ("WEBSOCKET", "$default", True, WEBSOCKET),
        ("WEBSOCKET", "GET /items", True, WEBSOCKET),  # the API decides over the key's form
        ("HTTP", "sendMessage", True, HTTP),
        ("WEBSOCKET", "$default", False, None),  # alone, a $default route shows neither
        ("HTTP", "GET /items", False, HTTP),
        ("HTTP", "$connect", False, WEBSOCKET),
        ("HTTP", "sendMessage", False, WEBSOCKET),
        (UNKNOWN, "GET /items", True, HTTP),  # not known at preview: the route key tells
        (UNKNOWN, "$disconnect", True, WEBSOCKET),
        (UNKNOWN, "$default", True, None),
        (SECRET, "GET /items", True, HTTP),
        (ABSENT, "$default", True, None),
        ("HTTP", None, False, None),
    ],
    ids=[
        "http_api",
        "websocket_api",
        "websocket_api_whatever_the_key",
        "http_api_whatever_the_key",
        "alone_default",
        "alone_http_key",
        "alone_connect",
        "alone_action",
        "unknown_type_http_key",
        "unknown_type_disconnect",
        "unknown_type_default",
        "secret_type_http_key",
        "absent_type_default",
        "no_route_key",
    ],
)
def test_the_route_s_api_decides_else_its_key(
    protocol_type: Any, route_key: Any, in_graph: bool, expected: DoorKind | None
) -> None:
    assert kind(protocol_type, route_key, in_graph) is expected


def test_a_websocket_only_input_marks_a_default_route() -> None:
    assert kind(UNKNOWN, "$default", routeResponseSelectionExpression="$default") is WEBSOCKET


def test_a_protocol_type_aws_does_not_have_is_malformed() -> None:
    with pytest.raises(Malformed, match=r"Api 'api'\.protocolType must be one of HTTP, WEBSOCKET"):
        kind("REST", "GET /items")


def test_a_route_key_not_known_yet_is_undetermined_when_it_is_needed() -> None:
    assert kind("HTTP", UNKNOWN) is HTTP
    with pytest.raises(Undetermined, match=r"Route 'route'\.routeKey"):
        kind(UNKNOWN, UNKNOWN)


def test_the_cost_model_prices_a_route_as_the_rule_reads_it() -> None:
    """A WebSocket API's route is priced per message; one whose API's protocolType is not known yet by its key."""
    websocket = only_entrypoint(http_route(function("fn"), throttle=5.0, protocol="WEBSOCKET", route_key="sendMessage"))
    unknown = only_entrypoint(http_route(function("fn"), throttle=5.0, protocol=UNKNOWN, route_key="GET /items"))
    undecided = only_entrypoint(http_route(function("fn"), throttle=5.0, protocol=UNKNOWN, route_key="$default"))
    assert (websocket.kind, unknown.kind) == (WEBSOCKET, HTTP)
    assert websocket.worst is not None and unknown.worst is not None
    assert any("WebSocket connection minutes" in note for note in websocket.notes)
    assert not any("WebSocket" in note for note in unknown.notes)
    assert undecided.worst is None and "protocolType is not known until deployment" in undecided.unknown


def test_the_route_rule_fails_a_route_of_an_api_with_a_protocol_type_aws_does_not_have() -> None:
    [found] = evaluate([ROUTE_POLICY], api_and_route("REST", routeKey="sendMessage", authorizationType="NONE"))
    assert found.outcome is Outcome.FAIL
    assert "malformed input: Api 'api'.protocolType must be one of HTTP, WEBSOCKET" in found.message
