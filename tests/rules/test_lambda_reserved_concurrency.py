import math
from collections.abc import Callable
from typing import Any

import pytest

from abuse_guard.aws.functions import reservation
from abuse_guard.aws.types import LAMBDA_FUNCTION
from abuse_guard.findings import Outcome
from abuse_guard.policies.lambda_reserved_concurrency import POLICY
from abuse_guard.policy import ConfigError
from abuse_guard.resources import SECRET, UNKNOWN, Resource
from abuse_guard.values import Malformed, Undetermined
from tests.support import check, resource

CASES: dict[str, tuple[dict[str, Any], dict[str, Any] | None, Outcome]] = {
    "reserved_one": ({"reservedConcurrentExecutions": 1.0}, None, Outcome.PASS),
    "at_default_maximum": ({"reservedConcurrentExecutions": 900.0}, None, Outcome.PASS),
    "above_default_maximum": ({"reservedConcurrentExecutions": 901.0}, None, Outcome.FAIL),
    "absent": ({}, None, Outcome.FAIL),
    "provider_default_unreserved": ({"reservedConcurrentExecutions": -1.0}, None, Outcome.FAIL),
    "zero_blocks_every_call": ({"reservedConcurrentExecutions": 0.0}, None, Outcome.FAIL),
    "below_configured_minimum": ({"reservedConcurrentExecutions": 2.0}, {"minimum": 5}, Outcome.FAIL),
    "maximum_follows_account_limit": (
        {"reservedConcurrentExecutions": 2900.0},
        {"accountConcurrencyLimit": 3000},
        Outcome.PASS,
    ),
    "explicit_maximum": ({"reservedConcurrentExecutions": 11.0}, {"maximum": 10}, Outcome.FAIL),
    "override_by_name": (
        {"reservedConcurrentExecutions": 50.0, "name": "batch-worker"},
        {"maximum": 10, "overrides": [{"function": "batch-*", "maximum": 100}]},
        Outcome.PASS,
    ),
    "unknown_at_preview": ({"reservedConcurrentExecutions": UNKNOWN}, None, Outcome.UNKNOWN),
    "secret": ({"reservedConcurrentExecutions": SECRET}, None, Outcome.UNKNOWN),
    "string_is_malformed": ({"reservedConcurrentExecutions": "5"}, None, Outcome.FAIL),
    "fraction_is_malformed": ({"reservedConcurrentExecutions": 1.5}, None, Outcome.FAIL),
    "bool_is_malformed": ({"reservedConcurrentExecutions": True}, None, Outcome.FAIL),
    "below_unreserved_is_malformed": ({"reservedConcurrentExecutions": -5.0}, None, Outcome.FAIL),
    "exempt_by_config": (
        {"reservedConcurrentExecutions": -1.0},
        {"exemptions": [{"resource": "res", "reason": "load test rig"}]},
        Outcome.EXEMPT,
    ),
    "exempt_by_tag": (
        {"tags": {"abuse-guard:exempt:lambda-reserved-concurrency": "migrating in Q3"}},
        None,
        Outcome.EXEMPT,
    ),
    "blank_tag_reason_is_no_exemption": (
        {"tags": {"abuse-guard:exempt:lambda-reserved-concurrency": " "}},
        None,
        Outcome.FAIL,
    ),
}


@pytest.mark.parametrize(("props", "config", "expected"), CASES.values(), ids=list(CASES))
def test_reserved_concurrency(props: dict[str, Any], config: dict[str, Any] | None, expected: Outcome) -> None:
    assert check(POLICY, LAMBDA_FUNCTION, props, config).outcome is expected


def test_message_names_the_function_and_the_fix() -> None:
    message = check(POLICY, LAMBDA_FUNCTION, {"reservedConcurrentExecutions": -1.0}).message
    assert message.startswith("Lambda function 'res' has no reserved concurrency")
    assert "reserved_concurrent_executions to 1-900" in message


def test_exemption_keeps_what_it_hides() -> None:
    config = {"exemptions": [{"resource": "res", "reason": "load test rig"}]}
    message = check(POLICY, LAMBDA_FUNCTION, {}, config).message
    assert message.startswith("exempt: load test rig")
    assert "without it: fail" in message


# The one reading of reservedConcurrentExecutions, which account-concurrency-headroom and the cost model share.
RESERVATIONS: dict[str, tuple[Any, float | type[Exception] | None]] = {
    "absent": (None, None),
    "provider_default_unreserved": (-1.0, None),
    "zero": (0.0, 0.0),
    "reserved": (5.0, 5.0),
    "below_unreserved": (-2.0, Malformed),
    "fraction": (1.5, Malformed),
    "infinite": (math.inf, Malformed),
    "unknown": (UNKNOWN, Undetermined),
}


def reading(read: Callable[[Resource], float | None], function: Resource) -> float | type[Exception] | None:
    try:
        return read(function)
    except (Malformed, Undetermined) as error:
        return type(error)


@pytest.mark.parametrize(("value", "expected"), RESERVATIONS.values(), ids=list(RESERVATIONS))
def test_one_reading_of_the_reservation(value: Any, expected: float | type[Exception] | None) -> None:
    function = resource(LAMBDA_FUNCTION, {"reservedConcurrentExecutions": value}, "fn")
    assert reading(reservation, function) == expected


# Bounds no reservation can meet are the config's fault, not every function's.
IMPOSSIBLE: dict[str, tuple[dict[str, Any], str]] = {
    "minimum_above_maximum": ({"minimum": 10, "maximum": 2}, "config field 'minimum' (10) is above 'maximum' (2)"),
    "minimum_above_derived_maximum": ({"minimum": 950}, "accountConcurrencyLimit - 100 = 900"),
    "override_minimum_above_top_level_maximum": (
        {"maximum": 5, "overrides": [{"function": "res", "minimum": 10}]},
        "'overrides[0]'",
    ),
    "override_for_another_function": (
        {"minimum": 5, "overrides": [{"function": "batch-*", "maximum": 2}]},
        "'overrides[0]'",
    ),
}


@pytest.mark.parametrize(("config", "names"), IMPOSSIBLE.values(), ids=list(IMPOSSIBLE))
def test_impossible_bounds_are_a_config_error(config: dict[str, Any], names: str) -> None:
    with pytest.raises(ConfigError, match="policy 'lambda-reserved-concurrency'") as error:
        check(POLICY, LAMBDA_FUNCTION, {"reservedConcurrentExecutions": 1.0}, config)
    assert names in str(error.value)


def test_config_error_names_the_override_and_where_each_bound_comes_from() -> None:
    config = {"maximum": 5, "overrides": [{"function": "batch-*", "minimum": 10}]}
    with pytest.raises(ConfigError) as error:
        check(POLICY, LAMBDA_FUNCTION, {"reservedConcurrentExecutions": 1.0}, config)
    assert str(error.value) == (
        "policy 'lambda-reserved-concurrency': config field 'overrides[0]' (function 'batch-*'): minimum 10 (from "
        "this override) is above maximum 5 (from the top level), so no reservation is allowed for the functions it "
        "matches"
    )
