"""Readers of a usage plan's throttle and quota, shared by the usage-plan rules and the cost model.

Source: Amazon API Gateway Developer Guide, "Usage plans and API keys for REST APIs" and the
CreateUsagePlan API reference (ThrottleSettings: rateLimit requests/s, burstLimit requests;
QuotaSettings: limit requests per period DAY, WEEK or MONTH).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..findings import Verdict, failed, unless
from ..resources import Resource
from ..values import choice, figure, mapping, number
from .throttles import USAGE_PLAN_KEYS, Maxima, read, violations

QUOTA_PERIODS = ("DAY", "WEEK", "MONTH")
PERIOD_DAYS = {"DAY": 1.0, "WEEK": 7.0}
"""The quota periods of a fixed length; a MONTH quota starts over each month, however long it is."""


@dataclass(frozen=True)
class Quota:
    """A usage plan's quotaSettings as read: at most `limit` requests per API key each `period`.

    None where a value is not set: usage-plan-limits fails that, the cost model counts it as no cap.
    """

    limit: float | None
    period: str | None

    @property
    def days(self) -> float | None:
        """The period's length in days; None for a MONTH (whose length is the caller's month) or no period."""
        return PERIOD_DAYS.get(self.period) if self.period is not None else None


def quota_limit(props: Any, at: str = "") -> float | None:
    return number(props, "quotaSettings.limit", at=at, integer=True)


def quota_period(props: Any, at: str = "") -> str | None:
    return choice(props, "quotaSettings.period", QUOTA_PERIODS, at=at)


def read_quota(props: Any, at: str = "") -> Quota | None:
    """quotaSettings of a usage plan's props (None when it has none), labelled from `at` for messages."""
    if mapping(props, "quotaSettings", at=at) is None:
        return None
    return Quota(limit=quota_limit(props, at), period=quota_period(props, at))


def plan_throttle(plan: Resource, bounds: Maxima | None) -> Verdict:
    """The plan-wide throttle every API key of the plan gets (rest-stage-protected asks this too)."""
    block = mapping(plan.props, "throttleSettings")
    if block is None:
        wanted = (
            "rate_limit and burst_limit above 0"
            if bounds is None
            else f"rate_limit above 0 and at most {figure(bounds.rate)} and burst_limit 1-{figure(bounds.burst)}"
        )
        return failed(
            "throttleSettings is missing, so each API key may call as fast as the stage allows; add "
            f"throttle_settings with {wanted}"
        )
    throttle = read(block, USAGE_PLAN_KEYS, at="throttleSettings", partial=True)
    return unless(violations(throttle, bounds), f"allows each API key {throttle.describe()}")
