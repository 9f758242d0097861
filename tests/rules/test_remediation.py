"""Remediation at enforcement level remediate: each policy's safe defaults, and the shared guarantees.

A row names a resource's props and the top-level inputs its remediation sets (None: nothing). A fix
never touches an unknown, a secret, a value the user set, or an exempt resource.
"""

from __future__ import annotations

from typing import Any

import pytest

from abuse_guard.aws.types import HTTP_STAGE, LAMBDA_FUNCTION, METHOD_SETTINGS, USAGE_PLAN
from abuse_guard.evaluate import evaluate, remediate, remedy
from abuse_guard.findings import Outcome, passed
from abuse_guard.policies import lambda_reserved_concurrency, stage_throttling, usage_plan_limits
from abuse_guard.policy import Policy, Settings
from abuse_guard.resources import SECRET, UNKNOWN, Resource
from abuse_guard.values import number
from tests.support import resource

RESERVED = lambda_reserved_concurrency.POLICY
PLANS = usage_plan_limits.POLICY
STAGES = stage_throttling.POLICY
OFF = -1.0
Case = tuple[dict[str, Any], dict[str, Any] | None, dict[str, Any] | None]


def fix(policy: Policy, type_: str, props: dict[str, Any], config: dict[str, Any] | None) -> dict[str, Any] | None:
    return remedy(policy, resource(type_, props), policy.settings(config))


LAMBDA_CASES: dict[str, Case] = {
    "absent": ({}, None, {"reservedConcurrentExecutions": 1}),
    "provider_default_unreserved": ({"reservedConcurrentExecutions": OFF}, None, {"reservedConcurrentExecutions": 1}),
    "configured_default": (
        {"reservedConcurrentExecutions": OFF},
        {"remediationReservedConcurrency": 3},
        {"reservedConcurrentExecutions": 3},
    ),
    "reserved": ({"reservedConcurrentExecutions": 5.0}, None, None),
    "zero_is_the_users_choice": ({"reservedConcurrentExecutions": 0.0}, None, None),
    "above_maximum_is_the_users_to_fix": ({"reservedConcurrentExecutions": 901.0}, None, None),
    "unknown_is_not_absent": ({"reservedConcurrentExecutions": UNKNOWN}, None, None),
    "secret_is_not_absent": ({"reservedConcurrentExecutions": SECRET}, None, None),
    "malformed_is_the_users_to_fix": ({"reservedConcurrentExecutions": "5"}, None, None),
    "default_outside_the_functions_bounds": (
        {"reservedConcurrentExecutions": OFF},
        {"overrides": [{"function": "res", "minimum": 5}]},
        None,
    ),
    "exempt_by_config": (
        {"reservedConcurrentExecutions": OFF},
        {"exemptions": [{"resource": "res", "reason": "load test rig"}]},
        None,
    ),
    "exempt_by_tag": ({"tags": {"abuse-guard:exempt:lambda-reserved-concurrency": "migrating"}}, None, None),
}

PLAN_BASE: dict[str, Any] = {
    "apiStages": [{"apiId": UNKNOWN, "stage": "prod"}],
    "throttleSettings": {"rateLimit": 5.0, "burstLimit": 10.0},
    "quotaSettings": {"limit": 5000.0, "offset": 0.0, "period": "DAY"},
}
DEFAULT_THROTTLE = {"throttleSettings": {"rateLimit": 10, "burstLimit": 20}}
DEFAULT_QUOTA = {"quotaSettings": {"limit": 10000, "period": "DAY"}}

PLAN_CASES: dict[str, Case] = {
    "complete": ({}, None, None),
    "throttle_missing": ({"throttleSettings": None}, None, DEFAULT_THROTTLE),
    "quota_missing": ({"quotaSettings": None}, None, DEFAULT_QUOTA),
    "both_missing": ({"throttleSettings": None, "quotaSettings": None}, None, {**DEFAULT_THROTTLE, **DEFAULT_QUOTA}),
    "configured_quota": (
        {"quotaSettings": None},
        {"remediationQuotaLimit": 50000, "remediationQuotaPeriod": "WEEK"},
        {"quotaSettings": {"limit": 50000, "period": "WEEK"}},
    ),
    "unknown_throttle_is_kept_missing_quota_added": (
        {"throttleSettings": UNKNOWN, "quotaSettings": None},
        None,
        DEFAULT_QUOTA,
    ),
    "unknown_throttle_is_not_absent": ({"throttleSettings": UNKNOWN}, None, None),
    "secret_quota_is_not_absent": ({"quotaSettings": SECRET}, None, None),
    "throttle_above_maximum_is_the_users_to_fix": (
        {"throttleSettings": {"rateLimit": 50.0, "burstLimit": 100.0}},
        None,
        None,
    ),
    "zero_rate_is_the_users_to_fix": ({"throttleSettings": {"rateLimit": 0.0, "burstLimit": 10.0}}, None, None),
    "empty_throttle_block_is_the_users_to_fix": ({"throttleSettings": {}}, None, None),
    "quota_above_maximum_is_the_users_to_fix": ({"quotaSettings": {"limit": 20000.0, "period": "DAY"}}, None, None),
    "default_above_a_lowered_maximum": ({"throttleSettings": None}, {"maxRateLimit": 5}, None),
    "exempt_by_config": (
        {"quotaSettings": None},
        {"exemptions": [{"resource": "res", "reason": "internal load test plan"}]},
        None,
    ),
}

DEFAULT_ROUTE = {"throttlingRateLimit": 100, "throttlingBurstLimit": 200}

STAGE_CASES: dict[str, Case] = {
    "throttled": ({"defaultRouteSettings": {"throttlingRateLimit": 50.0, "throttlingBurstLimit": 100.0}}, None, None),
    "no_block": ({}, None, {"defaultRouteSettings": DEFAULT_ROUTE}),
    "both_off": (
        {"defaultRouteSettings": {"throttlingRateLimit": OFF, "throttlingBurstLimit": OFF}},
        None,
        {"defaultRouteSettings": DEFAULT_ROUTE},
    ),
    "burst_absent_rate_kept": (
        {"defaultRouteSettings": {"throttlingRateLimit": 50.0}},
        None,
        {"defaultRouteSettings": {"throttlingRateLimit": 50.0, "throttlingBurstLimit": 200}},
    ),
    "other_settings_kept": (
        {"defaultRouteSettings": {"detailedMetricsEnabled": True, "loggingLevel": SECRET}},
        None,
        {"defaultRouteSettings": {"detailedMetricsEnabled": True, "loggingLevel": SECRET, **DEFAULT_ROUTE}},
    ),
    "configured_default": (
        {},
        {"remediationRateLimit": 5, "remediationBurstLimit": 10},
        {"defaultRouteSettings": {"throttlingRateLimit": 5, "throttlingBurstLimit": 10}},
    ),
    "zero_rate_is_the_users_to_fix_missing_burst_added": (
        {"defaultRouteSettings": {"throttlingRateLimit": 0.0}},
        None,
        {"defaultRouteSettings": {"throttlingRateLimit": 0.0, "throttlingBurstLimit": 200}},
    ),
    "above_maximum_is_the_users_to_fix": (
        {"defaultRouteSettings": {"throttlingRateLimit": 5000.0, "throttlingBurstLimit": 200.0}},
        None,
        None,
    ),
    "unknown_rate_is_not_absent": (
        {"defaultRouteSettings": {"throttlingRateLimit": UNKNOWN, "throttlingBurstLimit": OFF}},
        None,
        None,
    ),
    "unknown_block_is_not_absent": ({"defaultRouteSettings": UNKNOWN}, None, None),
    "malformed_is_the_users_to_fix": ({"defaultRouteSettings": {"throttlingRateLimit": "100"}}, None, None),
    "half_a_throttle_is_never_added": ({}, {"maxRateLimit": 50}, None),
    "route_overrides_are_the_users": (
        {"routeSettings": [{"routeKey": "GET /", "throttlingRateLimit": OFF}]},
        None,
        {"defaultRouteSettings": DEFAULT_ROUTE},
    ),
    "exempt_by_tag": ({"tags": {"abuse-guard:exempt:stage-throttling": "closed on purpose"}}, None, None),
}


@pytest.mark.parametrize(("props", "config", "expected"), LAMBDA_CASES.values(), ids=list(LAMBDA_CASES))
def test_lambda_reserved_concurrency(props: dict[str, Any], config: dict[str, Any] | None, expected: Any) -> None:
    assert fix(RESERVED, LAMBDA_FUNCTION, props, config) == expected


@pytest.mark.parametrize(("change", "config", "expected"), PLAN_CASES.values(), ids=list(PLAN_CASES))
def test_usage_plan_limits(change: dict[str, Any], config: dict[str, Any] | None, expected: Any) -> None:
    props = {k: v for k, v in {**PLAN_BASE, **change}.items() if v is not None}
    assert fix(PLANS, USAGE_PLAN, props, config) == expected


@pytest.mark.parametrize(("change", "config", "expected"), STAGE_CASES.values(), ids=list(STAGE_CASES))
def test_http_stage_throttling(change: dict[str, Any], config: dict[str, Any] | None, expected: Any) -> None:
    assert fix(STAGES, HTTP_STAGE, {"apiId": UNKNOWN, "name": "beta", **change}, config) == expected


REST_STAGE_WIDE_OFF = {"methodPath": "*/*", "settings": {"throttlingRateLimit": OFF, "throttlingBurstLimit": OFF}}

# name -> (policy, type, props, outcome at level remediate, whether the message notes a remediation)
AFTER: dict[str, tuple[Policy, str, dict[str, Any], Outcome, bool]] = {
    "unreserved_function": (RESERVED, LAMBDA_FUNCTION, {"reservedConcurrentExecutions": OFF}, Outcome.PASS, True),
    "exempt_function": (
        RESERVED,
        LAMBDA_FUNCTION,
        {"tags": {"abuse-guard:exempt:lambda-reserved-concurrency": "load test rig"}},
        Outcome.EXEMPT,
        False,
    ),
    "plan_without_throttle_and_quota": (PLANS, USAGE_PLAN, {"apiStages": PLAN_BASE["apiStages"]}, Outcome.PASS, True),
    "plan_on_no_stage_still_fails": (PLANS, USAGE_PLAN, {}, Outcome.FAIL, True),
    "stage_without_throttle": (STAGES, HTTP_STAGE, {"apiId": UNKNOWN}, Outcome.PASS, True),
    "stage_with_zero_rate_still_fails": (
        STAGES,
        HTTP_STAGE,
        {"defaultRouteSettings": {"throttlingRateLimit": 0.0}},
        Outcome.FAIL,
        True,
    ),
    "rest_stage_wide_off_still_fails": (STAGES, METHOD_SETTINGS, REST_STAGE_WIDE_OFF, Outcome.FAIL, False),
}


@pytest.mark.parametrize(("policy", "type_", "props", "expected", "noted"), AFTER.values(), ids=list(AFTER))
def test_the_finding_judges_the_remediated_resource(
    policy: Policy, type_: str, props: dict[str, Any], expected: Outcome, noted: bool
) -> None:
    """Analyze runs after Remediate: a fixed resource passes, and what no default fixes still fails."""
    [finding] = evaluate([policy], [resource(type_, props)], None, {policy.id})
    assert (finding.outcome, finding.message.startswith("remediated: ")) == (expected, noted)


def test_below_level_remediate_nothing_is_fixed() -> None:
    [finding] = evaluate([RESERVED], [resource(LAMBDA_FUNCTION, {"reservedConcurrentExecutions": OFF})])
    assert finding.outcome is Outcome.FAIL


def test_the_message_says_what_changed_from_what() -> None:
    [finding] = evaluate(
        [RESERVED], [resource(LAMBDA_FUNCTION, {"reservedConcurrentExecutions": OFF})], None, {RESERVED.id}
    )
    assert finding.message == (
        "remediated: reservedConcurrentExecutions -1 -> 1; Lambda function 'res' reserves 1 concurrent executions"
    )


def test_everything_else_is_kept_as_it_was() -> None:
    environment = {"variables": {"TOKEN": SECRET}}
    function = resource(
        LAMBDA_FUNCTION, {"role": UNKNOWN, "environment": environment, "reservedConcurrentExecutions": OFF}
    )
    fixed, notes = remediate([RESERVED], function, {RESERVED.id: RESERVED.settings(None)})
    assert fixed.props == {"role": UNKNOWN, "environment": environment, "reservedConcurrentExecutions": 1}
    assert fixed.props["role"] is UNKNOWN and fixed.props["environment"] is environment
    assert notes == {RESERVED.id: "reservedConcurrentExecutions -1 -> 1"}


def _timeout_policy(id_: str, remedy_: Any) -> Policy:
    return Policy(
        id=id_,
        title="t",
        description="d",
        severity="low",
        enforcement="remediate",
        resource_types=(LAMBDA_FUNCTION,),
        rationale="r",
        remediation="r",
        check=lambda r, s: passed("ok"),
        remediate=remedy_,
    )


def _memory_for_timeout(r: Resource, s: Settings) -> dict[str, Any] | None:
    return {"memorySize": 256} if number(r.props, "timeout") == 3 else None


SETS_TIMEOUT = _timeout_policy("sets-timeout", lambda r, s: {"timeout": 3})
READS_TIMEOUT = _timeout_policy("reads-timeout", _memory_for_timeout)


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ((SETS_TIMEOUT, READS_TIMEOUT), {"timeout": 3, "memorySize": 256}),
        ((READS_TIMEOUT, SETS_TIMEOUT), {"timeout": 3}),
    ],
    ids=["reader_after_writer", "reader_before_writer"],
)
def test_policies_remediate_in_pack_order_each_seeing_the_last_output(
    order: tuple[Policy, ...], expected: dict[str, Any]
) -> None:
    settings = {p.id: p.settings(None) for p in order}
    fixed, _ = remediate(order, resource(LAMBDA_FUNCTION, {}), settings)
    assert fixed.props == expected
