import math
from typing import Any

import pytest

from abuse_guard.aws.types import USAGE_PLAN
from abuse_guard.aws.usage_plans import Quota, read_quota
from abuse_guard.findings import Outcome
from abuse_guard.policies.usage_plan_limits import POLICY
from abuse_guard.policy import ConfigError
from abuse_guard.resources import SECRET, UNKNOWN
from tests.support import check

# What the engine sends at preview: the api id is unknown, the provider fills in offset 0.
BASE: dict[str, Any] = {
    "name": "partner",
    "throttleSettings": {"rateLimit": 5.0, "burstLimit": 10.0},
    "quotaSettings": {"limit": 5000.0, "offset": 0.0, "period": "DAY"},
    "apiStages": [{"apiId": UNKNOWN, "stage": "prod"}],
}
STAGE = {"apiId": UNKNOWN, "stage": "prod"}


def throttle(rate: Any, burst: Any) -> dict[str, Any]:
    return {"throttleSettings": {"rateLimit": rate, "burstLimit": burst}}


def quota(limit: Any, period: Any = "DAY") -> dict[str, Any]:
    return {"quotaSettings": {"limit": limit, "offset": 0.0, "period": period}}


def stage_throttle(**keys: Any) -> dict[str, Any]:
    return {"apiStages": [{**STAGE, "throttles": [{"path": "/webhook/POST", **keys}]}]}


CASES: dict[str, tuple[dict[str, Any], dict[str, Any] | None, Outcome]] = {
    "within_limits": ({}, None, Outcome.PASS),
    "at_the_maxima": ({**throttle(10.0, 20.0), **quota(10000.0)}, None, Outcome.PASS),
    "fractional_rate": (throttle(0.5, 1.0), None, Outcome.PASS),
    "rate_above_maximum": (throttle(10.5, 20.0), None, Outcome.FAIL),
    "burst_above_maximum": (throttle(10.0, 21.0), None, Outcome.FAIL),
    "rate_zero_rejects_everything": (throttle(0.0, 10.0), None, Outcome.FAIL),
    "burst_left_out_is_filled_in_as_zero": (throttle(5.0, 0.0), None, Outcome.FAIL),
    "throttle_missing": ({"throttleSettings": None}, None, Outcome.FAIL),
    "throttle_minus_one_is_off": (throttle(-1.0, -1.0), None, Outcome.FAIL),
    "negative_rate_is_malformed": (throttle(-5.0, 10.0), None, Outcome.FAIL),
    "fractional_burst_is_malformed": (throttle(5.0, 2.5), None, Outcome.FAIL),
    "rate_string_is_malformed": (throttle("5", 10.0), None, Outcome.FAIL),
    "throttle_list_is_malformed": ({"throttleSettings": [{"rateLimit": 5.0, "burstLimit": 10.0}]}, None, Outcome.FAIL),
    "rate_unknown": (throttle(UNKNOWN, 10.0), None, Outcome.UNKNOWN),
    "rate_unknown_burst_zero": (throttle(UNKNOWN, 0.0), None, Outcome.FAIL),
    "rate_unknown_burst_above_maximum": (throttle(UNKNOWN, 21.0), None, Outcome.FAIL),
    "rate_nan_is_malformed": (throttle(math.nan, 10.0), None, Outcome.FAIL),
    "unknown_throttle_does_not_hide_missing_quota": (
        {**throttle(UNKNOWN, 10.0), "quotaSettings": None},
        None,
        Outcome.FAIL,
    ),
    "rate_secret": (throttle(SECRET, 10.0), None, Outcome.UNKNOWN),
    "quota_missing": ({"quotaSettings": None}, None, Outcome.FAIL),
    "quota_zero": (quota(0.0), None, Outcome.FAIL),
    "quota_day_above_maximum": (quota(10001.0), None, Outcome.FAIL),
    "quota_week_at_maximum": (quota(70000.0, "WEEK"), None, Outcome.PASS),
    "quota_month_at_maximum": (quota(300000.0, "MONTH"), None, Outcome.PASS),
    "quota_month_above_maximum": (quota(300001.0, "MONTH"), None, Outcome.FAIL),
    "quota_period_unsupported": (quota(5000.0, "YEAR"), None, Outcome.FAIL),
    "quota_period_missing": (quota(5000.0, None), None, Outcome.FAIL),
    "quota_limit_string_is_malformed": (quota("5000"), None, Outcome.FAIL),
    "quota_limit_unknown": (quota(UNKNOWN), None, Outcome.UNKNOWN),
    "quota_period_unknown": (quota(5000.0, UNKNOWN), None, Outcome.UNKNOWN),
    "quota_period_unknown_limit_zero": (quota(0.0, UNKNOWN), None, Outcome.FAIL),
    "quota_limit_unknown_period_missing": (quota(UNKNOWN, None), None, Outcome.FAIL),
    "no_api_stages": ({"apiStages": None}, None, Outcome.FAIL),
    "empty_api_stages": ({"apiStages": []}, None, Outcome.FAIL),
    "api_stages_unknown": ({"apiStages": UNKNOWN}, None, Outcome.UNKNOWN),
    "api_stages_object_is_malformed": ({"apiStages": STAGE}, None, Outcome.FAIL),
    "stage_throttle_within": (stage_throttle(rateLimit=2.0, burstLimit=4.0), None, Outcome.PASS),
    "stage_throttle_above_maximum": (stage_throttle(rateLimit=50.0, burstLimit=4.0), None, Outcome.FAIL),
    "stage_throttle_burst_left_out": (stage_throttle(rateLimit=2.0, burstLimit=0.0), None, Outcome.FAIL),
    "stage_throttle_unknown": (stage_throttle(rateLimit=UNKNOWN, burstLimit=4.0), None, Outcome.UNKNOWN),
    "stage_throttle_rate_unknown_burst_zero": (
        stage_throttle(rateLimit=UNKNOWN, burstLimit=0.0),
        None,
        Outcome.FAIL,
    ),
    "unknown_stage_throttles_do_not_hide_another_stage": (
        {
            "apiStages": [
                {**STAGE, "throttles": UNKNOWN},
                {
                    **STAGE,
                    "stage": "beta",
                    "throttles": [{"path": "/webhook/POST", "rateLimit": 50.0, "burstLimit": 4.0}],
                },
            ]
        },
        None,
        Outcome.FAIL,
    ),
    "stage_throttles_object_is_malformed": (
        {"apiStages": [{**STAGE, "throttles": {"path": "*/*", "rateLimit": 1.0}}]},
        None,
        Outcome.FAIL,
    ),
    "raised_maxima": (
        {**throttle(100.0, 200.0), **quota(1000000.0, "MONTH")},
        {"maxRateLimit": 100, "maxBurstLimit": 200, "maxQuotaPerMonth": 1000000},
        Outcome.PASS,
    ),
    "lowered_maximum": (throttle(5.0, 10.0), {"maxRateLimit": 2.5}, Outcome.FAIL),
    "exempt_by_config": (
        {"throttleSettings": None},
        {"exemptions": [{"resource": "partner", "reason": "internal load test plan"}]},
        Outcome.EXEMPT,
    ),
    "exempt_by_tag": (
        {"throttleSettings": None, "tags": {"abuse-guard:exempt:usage-plan-limits": "metered upstream"}},
        None,
        Outcome.EXEMPT,
    ),
}


@pytest.mark.parametrize(("change", "config", "expected"), CASES.values(), ids=list(CASES))
def test_usage_plan_limits(change: dict[str, Any], config: dict[str, Any] | None, expected: Outcome) -> None:
    props = {k: v for k, v in {**BASE, **change}.items() if v is not None}
    assert check(POLICY, USAGE_PLAN, props, config).outcome is expected


def test_message_names_the_plan_and_every_fix() -> None:
    message = check(POLICY, USAGE_PLAN, {**BASE, **throttle(0.0, 30.0), "quotaSettings": {}}).message
    assert message.startswith("Usage plan 'res': throttleSettings.rateLimit is 0, which rejects every request")
    assert "throttleSettings.burstLimit 30 is above the maximum 20" in message
    assert "quotaSettings.period is not set; set it to DAY, WEEK or MONTH" in message


@pytest.mark.parametrize("config", [{"maxRateLimit": 0}, {"maxQuotaPerDay": 1.5}], ids=["zero_rate", "fraction"])
def test_invalid_maxima_are_config_errors(config: dict[str, Any]) -> None:
    with pytest.raises(ConfigError, match="usage-plan-limits"):
        POLICY.settings(config)


QUOTAS: dict[str, tuple[dict[str, Any], Quota | None, float | None]] = {
    "none": ({}, None, None),
    "daily": (quota(5000.0), Quota(5000.0, "DAY"), 1.0),
    "weekly": (quota(35000.0, "WEEK"), Quota(35000.0, "WEEK"), 7.0),
    "monthly_is_as_long_as_the_month": (quota(150000.0, "MONTH"), Quota(150000.0, "MONTH"), None),
    "period_left_out": ({"quotaSettings": {"limit": 5.0}}, Quota(5.0, None), None),
}


@pytest.mark.parametrize(("props", "expected", "days"), QUOTAS.values(), ids=list(QUOTAS))
def test_read_quota(props: dict[str, Any], expected: Quota | None, days: float | None) -> None:
    """The one reading of quotaSettings, which this policy and the cost model share."""
    found = read_quota(props)
    assert (found, found and found.days) == (expected, days)
