"""Every usage plan throttles and meters each API key it admits, on the stages it is attached to."""

from __future__ import annotations

from functools import partial
from typing import Any

from ..aws.throttles import USAGE_PLAN_KEYS, Maxima, maxima, read, violations
from ..aws.types import USAGE_PLAN
from ..aws.usage_plans import QUOTA_PERIODS, plan_throttle, quota_limit, quota_period
from ..findings import Verdict, all_of, failed, not_applicable, passed, unless
from ..policy import Policy, Settings
from ..resources import Resource
from ..shared_config import MAX_QUOTA_PER_DAY
from ..values import figure, items, mapping

MAX_QUOTA_KEYS = {"DAY": "maxQuotaPerDay", "WEEK": "maxQuotaPerWeek", "MONTH": "maxQuotaPerMonth"}


def quota(plan: Resource, settings: Settings) -> Verdict:
    """The quota caps what one key can cost, however slowly it calls; its period and limit are judged apart."""
    largest = ", ".join(f"{figure(settings[key])} per {period}" for period, key in MAX_QUOTA_KEYS.items())
    if mapping(plan.props, "quotaSettings") is None:
        return failed(
            "quotaSettings is missing, so an API key's requests are never capped; add quota_settings with "
            f"a limit of at most {largest}"
        )

    def period_set() -> Verdict:
        if quota_period(plan.props) is None:
            return failed("quotaSettings.period is not set; set it to DAY, WEEK or MONTH")
        return passed("")

    def limit_within() -> Verdict:
        limit = quota_limit(plan.props)
        if limit is None or limit <= 0:
            shown = "not set" if limit is None else figure(limit)
            return failed(f"quotaSettings.limit is {shown}; set it above 0 and at most {largest}")
        period = quota_period(plan.props)
        if period is None:
            return not_applicable("quotaSettings.limit has no period to be measured against")
        maximum = settings[MAX_QUOTA_KEYS[period]]
        if limit > maximum:
            return failed(
                f"quotaSettings.limit {figure(limit)} per {period} is above the maximum {figure(maximum)}; lower "
                f"it (allowed: {largest})"
            )
        return passed(f"caps each API key at {figure(limit)} requests per {period}")

    return all_of("", period_set, limit_within)


def api_stages(plan: Resource, bounds: Maxima) -> Verdict:
    """A plan on no stage meters nothing; each per-stage method throttle obeys the same maxima, judged on its own."""
    stages = items(plan.props, "apiStages")
    if not stages:
        return failed(
            "apiStages lists no stage, so the plan meters nothing; add api_stages=[{'api_id': ..., 'stage': ...}]"
        )
    return all_of(
        "",
        partial(passed, "meters its API stages"),
        *(partial(stage_throttles, label, stage, bounds) for label, stage in stages),
    )


def stage_throttles(label: str, stage: Any, bounds: Maxima) -> Verdict:
    return all_of(
        "", *(partial(method_throttle, at, throttle, bounds) for at, throttle in items(stage, "throttles", at=label))
    )


def method_throttle(at: str, throttle: Any, bounds: Maxima) -> Verdict:
    return unless(violations(read(throttle, USAGE_PLAN_KEYS, at=at, partial=True), bounds), "")


def check(resource: Resource, settings: Settings) -> Verdict:
    bounds = maxima(settings)
    return all_of(
        f"Usage plan '{resource.name}'",
        partial(plan_throttle, resource, bounds),
        partial(quota, resource, settings),
        partial(api_stages, resource, bounds),
    )


def remediate(resource: Resource, settings: Settings) -> dict[str, dict[str, float | str]] | None:
    """Add the configured default throttle and/or quota where the plan has none.

    Only a missing object is added (an unknown one is not missing), and only a default within this
    policy's maxima; a throttle or quota the user wrote is theirs to correct.
    """
    bounds = maxima(settings)
    rate, burst = settings["remediationRateLimit"], settings["remediationBurstLimit"]
    limit, period = settings["remediationQuotaLimit"], settings["remediationQuotaPeriod"]
    fixes: dict[str, dict[str, float | str]] = {}
    if resource.props.get("throttleSettings") is None and rate <= bounds.rate and burst <= bounds.burst:
        fixes["throttleSettings"] = {"rateLimit": rate, "burstLimit": burst}
    if resource.props.get("quotaSettings") is None and limit <= settings[MAX_QUOTA_KEYS[period]]:
        fixes["quotaSettings"] = {"limit": limit, "period": period}
    return fixes or None


POLICY = Policy(
    id="usage-plan-limits",
    title="Usage plans throttle and meter every API key",
    description="Usage plans must throttle and cap each API key within the configured maxima.",
    severity="high",
    enforcement="mandatory",
    resource_types=(USAGE_PLAN,),
    rationale=(
        "API Gateway usage plans must set throttleSettings (rateLimit and burstLimit above 0, by default at m"
        "ost 10 requests/s and a burst of 20 per API key) and quotaSettings (limit above 0 and by default at "
        "most 10,000 a DAY, 70,000 a WEEK or 300,000 a MONTH per API key), and name at least one API stage; p"
        "er-stage method throttles must obey the same maxima. The defaults fit one partner integration or web"
        "hook sender per key; raise them in the policy config for plans sold to heavier clients. "
        "An API key identifies a caller; the usage plan is what limits it. A webhook sender that fires once "
        "per changed record sent 100 calls at once: with a burst of 20 and 10 requests/s, 20 go through at "
        "once and the rest get 429 and are retried by the sender, so the Lambda behind the API never sees "
        "more than a few concurrent calls. The quota caps the bill of a client stuck in a loop: at 10,000 a "
        "day one key cannot cost more than 10,000 invocations a day, however slowly it calls. Throttle and "
        "quota are required, both throttle values must be above 0: 0 rejects every request, and it is also "
        "what the provider fills in for a throttle key left out, so a plan with only rate_limit set is "
        "closed, not open. A plan with no apiStages meters nothing. Limits are per API key, so the maxima "
        "are what one client may use; exempt a plan (policy config or tag "
        "abuse-guard:exempt:usage-plan-limits) or raise the maxima for a plan meant for a big client. At "
        "enforcement level remediate a plan without throttleSettings or quotaSettings gets the configured "
        "default one (10 requests/s, burst 20; 10,000 a DAY) when it is within the maxima."
    ),
    remediation=(
        "Give the plan a throttle, a quota and the stages it meters:\n"
        "    aws.apigateway.UsagePlan('partner',\n"
        "        api_stages=[{'api_id': api.id, 'stage': stage.stage_name}],\n"
        "        throttle_settings={'rate_limit': 10, 'burst_limit': 20},\n"
        "        quota_settings={'limit': 10000, 'period': 'DAY'})"
    ),
    config={
        "maxRateLimit": {
            "type": "number",
            "exclusiveMinimum": 0,
            "default": 10,
            "description": "Largest steady rate (requests/s) a plan may give one API key, plan-wide or per method.",
        },
        "maxBurstLimit": {
            "type": "integer",
            "minimum": 1,
            "default": 20,
            "description": "Largest burst (requests at once) a plan may give one API key, plan-wide or per method.",
        },
        "maxQuotaPerDay": {
            "type": "integer",
            "minimum": 1,
            "default": MAX_QUOTA_PER_DAY,
            "description": "Largest quota limit for period DAY, per API key.",
        },
        "maxQuotaPerWeek": {
            "type": "integer",
            "minimum": 1,
            "default": 70000,
            "description": "Largest quota limit for period WEEK, per API key (default: 10,000 a day).",
        },
        "maxQuotaPerMonth": {
            "type": "integer",
            "minimum": 1,
            "default": 300000,
            "description": "Largest quota limit for period MONTH, per API key (default: 10,000 a day).",
        },
        "remediationRateLimit": {
            "type": "number",
            "exclusiveMinimum": 0,
            "default": 10,
            "description": "At enforcement level remediate: rateLimit of the throttle added to a plan without one.",
        },
        "remediationBurstLimit": {
            "type": "integer",
            "minimum": 1,
            "default": 20,
            "description": "At enforcement level remediate: burstLimit of the throttle added to a plan without one.",
        },
        "remediationQuotaLimit": {
            "type": "integer",
            "minimum": 1,
            "default": 10000,
            "description": "At enforcement level remediate: limit of the quota added to a plan without one.",
        },
        "remediationQuotaPeriod": {
            "type": "string",
            "enum": list(QUOTA_PERIODS),
            "default": "DAY",
            "description": "At enforcement level remediate: period (DAY, WEEK or MONTH) of the quota added.",
        },
    },
    check=check,
    remediate=remediate,
    references=(
        "AWS API Gateway Developer Guide: Usage plans and API keys for REST APIs",
        "AWS API Gateway Developer Guide: Throttle requests to your REST APIs",
    ),
    tags=("api-gateway", "usage-plan", "throttling", "cost"),
)
