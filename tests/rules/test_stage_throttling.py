import math
from typing import Any

import pytest

from abuse_guard.aws.types import HTTP_STAGE, METHOD_SETTINGS
from abuse_guard.findings import Outcome
from abuse_guard.policies.stage_throttling import POLICY
from abuse_guard.resources import SECRET, UNKNOWN
from tests.support import check

# REST: what the engine sends for a MethodSettings; the provider fills in -1 for a throttle value left out.
# MethodSettings have no tags.
METHOD_BASE: dict[str, Any] = {
    "restApi": UNKNOWN,
    "stageName": "prod",
    "methodPath": "*/*",
    "settings": {"metricsEnabled": True, "throttlingRateLimit": 100.0, "throttlingBurstLimit": 200.0},
}
# HTTP/WebSocket: no default for a value left out (and the provider then sends 0).
HTTP_BASE: dict[str, Any] = {
    "apiId": UNKNOWN,
    "name": "$default",
    "defaultRouteSettings": {"throttlingRateLimit": 100.0, "throttlingBurstLimit": 200.0},
}
OFF = -1.0


def settings(rate: Any, burst: Any) -> dict[str, Any]:
    return {"settings": {"metricsEnabled": True, "throttlingRateLimit": rate, "throttlingBurstLimit": burst}}


def one_method(rate: Any, burst: Any) -> dict[str, Any]:
    return {"methodPath": "webhook/POST", **settings(rate, burst)}


def default_route(rate: Any, burst: Any) -> dict[str, Any]:
    return {"defaultRouteSettings": {"throttlingRateLimit": rate, "throttlingBurstLimit": burst}}


def route(**keys: Any) -> dict[str, Any]:
    return {"routeSettings": [{"routeKey": "POST /webhook", **keys}]}


METHOD_CASES: dict[str, tuple[dict[str, Any], dict[str, Any] | None, Outcome]] = {
    "stage_wide_within": ({}, None, Outcome.PASS),
    "stage_wide_at_maxima": (settings(1000.0, 2000.0), None, Outcome.PASS),
    "stage_wide_rate_above_maximum": (settings(1001.0, 2000.0), None, Outcome.FAIL),
    "stage_wide_burst_above_maximum": (settings(1000.0, 2001.0), None, Outcome.FAIL),
    "stage_wide_provider_default_is_off": (settings(OFF, OFF), None, Outcome.FAIL),
    "stage_wide_burst_off": (settings(100.0, OFF), None, Outcome.FAIL),
    "stage_wide_throttle_left_out": ({"settings": {"metricsEnabled": True}}, None, Outcome.FAIL),
    "stage_wide_zero_rejects_everything": (settings(0.0, 200.0), None, Outcome.FAIL),
    "one_method_inherits_when_off": (one_method(OFF, OFF), None, Outcome.PASS),
    "one_method_inherits_when_left_out": ({"methodPath": "webhook/POST", "settings": {}}, None, Outcome.PASS),
    "one_method_override_within": (one_method(5.0, 10.0), None, Outcome.PASS),
    "one_method_partial_override": (one_method(5.0, OFF), None, Outcome.PASS),
    "one_method_override_at_maxima": (one_method(1000.0, 2000.0), None, Outcome.PASS),
    "one_method_override_above_maximum": (one_method(1001.0, OFF), None, Outcome.FAIL),
    "one_method_override_zero": (one_method(OFF, 0.0), None, Outcome.FAIL),
    "method_path_missing": ({"methodPath": None}, None, Outcome.FAIL),
    "method_path_unknown": ({"methodPath": UNKNOWN}, None, Outcome.UNKNOWN),
    "rate_unknown": (settings(UNKNOWN, 200.0), None, Outcome.UNKNOWN),
    "rate_unknown_burst_zero": (settings(UNKNOWN, 0.0), None, Outcome.FAIL),
    "rate_unknown_burst_above_maximum": (settings(UNKNOWN, 2001.0), None, Outcome.FAIL),
    "stage_wide_rate_unknown_burst_off": (settings(UNKNOWN, OFF), None, Outcome.FAIL),
    "one_method_rate_unknown_burst_off": (
        {"methodPath": "webhook/POST", **settings(UNKNOWN, OFF)},
        None,
        Outcome.UNKNOWN,
    ),
    "method_path_unknown_rate_zero": ({"methodPath": UNKNOWN, **settings(0.0, 200.0)}, None, Outcome.FAIL),
    "rate_nan_is_malformed": (settings(math.nan, 200.0), None, Outcome.FAIL),
    "burst_secret": (settings(100.0, SECRET), None, Outcome.UNKNOWN),
    "rate_string_is_malformed": (settings("100", 200.0), None, Outcome.FAIL),
    "settings_list_is_malformed": ({"settings": [{"throttlingRateLimit": 100.0}]}, None, Outcome.FAIL),
    "negative_burst_is_malformed": (settings(100.0, -2.0), None, Outcome.FAIL),
    "raised_maxima": (settings(5000.0, 5000.0), {"maxRateLimit": 5000, "maxBurstLimit": 5000}, Outcome.PASS),
    "exempt_by_config": (
        settings(OFF, OFF),
        {"exemptions": [{"resource": "res", "reason": "internal admin API behind VPN"}]},
        Outcome.EXEMPT,
    ),
}

HTTP_CASES: dict[str, tuple[dict[str, Any], dict[str, Any] | None, Outcome]] = {
    "default_route_within": ({}, None, Outcome.PASS),
    "default_route_at_maxima": (default_route(1000.0, 2000.0), None, Outcome.PASS),
    "default_route_above_maximum": (default_route(1000.5, 2000.0), None, Outcome.FAIL),
    "no_default_route_settings": ({"defaultRouteSettings": None}, None, Outcome.FAIL),
    "metrics_only_sends_zero": ({"defaultRouteSettings": {"detailedMetricsEnabled": True}}, None, Outcome.FAIL),
    "default_route_off": (default_route(OFF, OFF), None, Outcome.FAIL),
    "default_route_zero": (default_route(100.0, 0.0), None, Outcome.FAIL),
    "default_route_unknown": ({"defaultRouteSettings": UNKNOWN}, None, Outcome.UNKNOWN),
    "default_rate_unknown_burst_zero": (default_route(UNKNOWN, 0.0), None, Outcome.FAIL),
    "default_burst_unknown_rate_above_maximum": (default_route(1001.0, UNKNOWN), None, Outcome.FAIL),
    "default_rate_unknown_hides_no_route_zero": (
        {**default_route(UNKNOWN, 200.0), **route(throttlingRateLimit=0.0, throttlingBurstLimit=0.0)},
        None,
        Outcome.FAIL,
    ),
    "route_settings_unknown_hides_no_default_zero": (
        {**default_route(100.0, 0.0), "routeSettings": UNKNOWN},
        None,
        Outcome.FAIL,
    ),
    "one_unknown_route_hides_no_other_route": (
        {
            "routeSettings": [
                {"routeKey": "GET /items", "throttlingRateLimit": UNKNOWN, "throttlingBurstLimit": 10.0},
                {"routeKey": "POST /webhook", "throttlingRateLimit": 5.0, "throttlingBurstLimit": 0.0},
            ]
        },
        None,
        Outcome.FAIL,
    ),
    "default_and_route_unknown": (
        {**default_route(UNKNOWN, 200.0), **route(throttlingRateLimit=UNKNOWN, throttlingBurstLimit=10.0)},
        None,
        Outcome.UNKNOWN,
    ),
    "default_route_list_is_malformed": ({"defaultRouteSettings": []}, None, Outcome.FAIL),
    "route_override_within": (route(throttlingRateLimit=5.0, throttlingBurstLimit=10.0), None, Outcome.PASS),
    "route_override_above_maximum": (
        route(throttlingRateLimit=5.0, throttlingBurstLimit=2001.0),
        None,
        Outcome.FAIL,
    ),
    "route_entry_without_throttle_sends_zero": (route(detailedMetricsEnabled=True), None, Outcome.FAIL),
    "route_override_unknown": (route(throttlingRateLimit=UNKNOWN, throttlingBurstLimit=10.0), None, Outcome.UNKNOWN),
    "route_settings_object_is_malformed": (
        {"routeSettings": {"routeKey": "POST /webhook", "throttlingRateLimit": 5.0}},
        None,
        Outcome.FAIL,
    ),
    "exempt_by_config": (
        {"defaultRouteSettings": None},
        {"exemptions": [{"resource": "res", "reason": "retired stage"}]},
        Outcome.EXEMPT,
    ),
    "exempt_by_tag": (
        {"defaultRouteSettings": None, "tags": {"abuse-guard:exempt:stage-throttling": "closed on purpose"}},
        None,
        Outcome.EXEMPT,
    ),
}


def merged(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in {**base, **change}.items() if v is not None}


@pytest.mark.parametrize(("change", "config", "expected"), METHOD_CASES.values(), ids=list(METHOD_CASES))
def test_rest_method_settings(change: dict[str, Any], config: dict[str, Any] | None, expected: Outcome) -> None:
    assert check(POLICY, METHOD_SETTINGS, merged(METHOD_BASE, change), config).outcome is expected


@pytest.mark.parametrize(("change", "config", "expected"), HTTP_CASES.values(), ids=list(HTTP_CASES))
def test_http_and_websocket_stages(change: dict[str, Any], config: dict[str, Any] | None, expected: Outcome) -> None:
    assert check(POLICY, HTTP_STAGE, merged(HTTP_BASE, change), config).outcome is expected


def test_message_names_the_settings_and_the_fix() -> None:
    message = check(POLICY, METHOD_SETTINGS, merged(METHOD_BASE, settings(OFF, OFF))).message
    assert message == (
        "MethodSettings 'res' (stage-wide */*): settings.throttlingRateLimit and settings.throttlingBurstLimit "
        "are not set (absent or -1 turns throttling off); set the rate above 0 and at most 1000 and the burst "
        "above 0 and at most 2000"
    )
