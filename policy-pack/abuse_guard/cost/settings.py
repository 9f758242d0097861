"""The cost model's settings: the entrypoint-cost-budget policy's config, what it means to the model and the budgets.

Pulumi config is per policy, so these settings are given under the policy COST_POLICY's name; the policy holds
each entrypoint to its budget (policies/entrypoint_cost_budget.py), and every Run shows the same figures
(pipeline.py), both read from `cost.priced`.
"""

from __future__ import annotations

from typing import Any

from ..aws.regions import PRICE_KEYS, REGION_CODE_PATTERN, US_EAST_1, price_table
from ..policy import NAME_PATTERN_SCHEMA, Settings, matches, wildcard_match
from ..resources import Resource
from ..shared_config import ACCOUNT_CONCURRENCY, MAX_QUOTA_PER_DAY, MAX_STAGE_RATE
from ..urns import urn_or_none
from .model import CostModel

COST_POLICY = "entrypoint-cost-budget"
"""The id of the policy whose config holds these settings."""

PRICED = {
    "lambdaRequestPricePerMillion": "Dollars per million Lambda requests",
    "lambdaGbSecondPrice": "Dollars per GB-second of Lambda duration (x86)",
    "restApiRequestPricePerMillion": "Dollars per million REST API requests",
    "httpApiRequestPricePerMillion": "Dollars per million HTTP API requests",
    "webSocketMessagePricePerMillion": "Dollars per million WebSocket API messages",
    "loadBalancerLcuPricePerHour": "Dollars per Application Load Balancer LCU-hour",
}
"""What each price key (aws/regions.py PRICE_KEYS) is, as the config reference says it."""


def price(default: float, description: str) -> dict[str, Any]:
    return {"type": "number", "exclusiveMinimum": 0, "default": default, "description": description}


CONFIG: dict[str, dict[str, Any]] = {
    "monthlyBudget": {
        "type": "number",
        "minimum": 0,
        "default": 100,
        "description": "Largest worst-case cost per entrypoint per month, in dollars.",
    },
    "stackBudgets": {
        "type": "object",
        "additionalProperties": {"type": "number", "minimum": 0},
        "default": {},
        "description": 'Monthly budget per entrypoint by stack name, e.g. {"prod": 500}; overrides monthlyBudget.',
    },
    "functionBudgets": {
        "type": "array",
        "default": [],
        "description": (
            "Monthly budget for entrypoints to matching functions, first match wins; overrides stackBudgets: "
            '[{"function": "<name pattern>", "budget": 500}].'
        ),
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["function", "budget"],
            "properties": {
                "function": NAME_PATTERN_SCHEMA,
                "budget": {"type": "number", "minimum": 0},
            },
        },
    },
    **{
        key: price(
            getattr(US_EAST_1, field), f"{PRICED[key]}, in every Region regionPrices does not list (us-east-1's)."
        )
        for key, field in PRICE_KEYS.items()
    },
    "regionPrices": {
        "type": "object",
        "default": {},
        "propertyNames": {"pattern": REGION_CODE_PATTERN},
        "additionalProperties": {
            "type": "object",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {key: {"type": "number", "exclusiveMinimum": 0} for key in PRICE_KEYS},
        },
        "description": (
            "Prices by AWS Region, for the doors and functions there, under the top-level keys' names: "
            '{"eu-central-1": {"restApiRequestPricePerMillion": 3.7}}; a price an entry leaves out is the '
            "top-level one."
        ),
    },
    "loadBalancerNewConnectionsPerLcu": {
        "type": "number",
        "exclusiveMinimum": 0,
        "default": 25,
        "description": "New connections per second one LCU covers; each request counts as one (worst case).",
    },
    "secondsPerMonth": {
        "type": "number",
        "exclusiveMinimum": 0,
        "default": 2_592_000,
        "description": "Seconds in the month the budget is for (default 30 days).",
    },
    "accountRateLimit": {
        "type": "number",
        "exclusiveMinimum": 0,
        "default": 10_000,
        "description": "The account's regional API Gateway limit in requests/s (AWS default 10,000).",
    },
    "accountConcurrencyLimit": ACCOUNT_CONCURRENCY,
    "apiKeysPerUsagePlan": {
        "type": "integer",
        "minimum": 1,
        "default": 1,
        "description": "API keys assumed on a usage plan none of whose keys (UsagePlanKey) are in the stack.",
    },
}
"""COST_POLICY's config schema, by key (JSON Schema of each value, with its default and description)."""


def cost_model(settings: Settings) -> CostModel:
    """The cost model as configured; a fix goes no further than the throttle and quota policies allow."""
    return CostModel(
        prices=price_table(settings, settings["regionPrices"]),
        new_connections_per_lcu=settings["loadBalancerNewConnectionsPerLcu"],
        seconds_per_month=settings["secondsPerMonth"],
        account_rate=settings["accountRateLimit"],
        account_concurrency=settings["accountConcurrencyLimit"],
        api_keys_per_plan=settings["apiKeysPerUsagePlan"],
        fix_stage_rate=MAX_STAGE_RATE,
        fix_daily_quota=MAX_QUOTA_PER_DAY,
    )


def stack_name(urn: str) -> str:
    """urn:pulumi:<stack>::<project>::... -> <stack> ("" for a string that is not a Pulumi URN)."""
    named = urn_or_none(urn)
    return named.stack if named is not None else ""


def budget(settings: Settings, entrypoint: Resource, function: Resource | str | None) -> float:
    """The first functionBudgets entry matching the function (a function outside the stack by its name), else the
    stack's budget, else monthlyBudget."""
    if function is not None:
        for override in settings["functionBudgets"]:
            pattern = override["function"]
            if matches(function, pattern) if isinstance(function, Resource) else wildcard_match(function, pattern):
                return float(override["budget"])
    return float(settings["stackBudgets"].get(stack_name(entrypoint.urn), settings["monthlyBudget"]))
