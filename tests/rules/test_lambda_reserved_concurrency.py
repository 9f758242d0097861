from typing import Any

import pytest

from abuse_guard.findings import Outcome
from abuse_guard.policies.lambda_reserved_concurrency import LAMBDA_FUNCTION, POLICY
from abuse_guard.resources import SECRET, UNKNOWN
from tests.support import check

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
    assert "reservedConcurrentExecutions to 1-900" in message


def test_exemption_keeps_what_it_hides() -> None:
    config = {"exemptions": [{"resource": "res", "reason": "load test rig"}]}
    message = check(POLICY, LAMBDA_FUNCTION, {}, config).message
    assert message.startswith("exempt: load test rig")
    assert "without it: fail" in message
