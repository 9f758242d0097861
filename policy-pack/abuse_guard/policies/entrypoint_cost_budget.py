"""What one public entrypoint can cost at worst stays within a monthly budget.

Reserved concurrency, authorization, usage plans and throttles each cap one thing; what they are for
is capping the bill an abusive or buggy caller can run up. The cost model (cost/) computes that bill
for every front door to a Lambda function (aws/frontdoors.py); this
policy holds it to a budget and, when it is over, names the limit that binds and the cheapest fix.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from typing import Any

from .. import cost
from ..aws.frontdoors import DOOR_TYPES
from ..aws.regions import PRICE_KEYS, REGION_CODE_PATTERN, US_EAST_1, price_table
from ..cost.model import CostModel, EntrypointBound
from ..findings import Verdict, all_of, failed, not_applicable, passed, undetermined
from ..graph import Graph
from ..policy import NAME_PATTERN_SCHEMA, Policy, Settings, matches
from ..resources import Resource
from ..urns import urn_or_none
from ..wording import dollars
from .config import ACCOUNT_CONCURRENCY, MAX_QUOTA_PER_DAY, MAX_STAGE_RATE


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


def budget(settings: Settings, entrypoint: Resource, function: Resource | None) -> float:
    """The first functionBudgets entry matching the function, else the stack's budget, else monthlyBudget."""
    if function is not None:
        for override in settings["functionBudgets"]:
            if matches(function, override["function"]):
                return float(override["budget"])
    return float(settings["stackBudgets"].get(stack_name(entrypoint.urn), settings["monthlyBudget"]))


def entrypoint_bounds(
    graph: Graph, config: Mapping[str, Mapping[str, Any] | None] | None = None
) -> tuple[EntrypointBound, ...]:
    """Every entrypoint's bound in a stack's graph (evaluate.stack_graph) under the pack config (policy id ->
    properties): what a Run shows."""
    settings = POLICY.settings((config or {}).get(POLICY.id))
    return cost.bounds(graph, cost_model(settings), partial(budget, settings))


def verdict(bound: EntrypointBound) -> Verdict:
    behind = f" -> Lambda function '{bound.function}'" if bound.function else ""
    label = f"{bound.kind} '{bound.name}'{behind}"
    worst = bound.worst
    if worst is None:
        return (failed if bound.malformed else undetermined)(f"{label}: {bound.unknown}")
    total = f"{dollars(worst.cost.total)}/month ({worst.cost.describe()})"
    limit = f"the {dollars(bound.budget)} budget"
    if not bound.over_budget:
        return passed(f"{label} costs at most {total}, within {limit}; bound by {worst.binding}")
    return failed(f"{label} can cost up to {total}, over {limit}, bound only by {worst.binding}; {fix(bound)}")


def fix(bound: EntrypointBound) -> str:
    if bound.fix is None:
        return (
            "none of reserved concurrency 1, a stage throttle or a usage plan quota would lower it: lower the "
            "function's memorySize or timeout, or raise the budget for it"
        )
    if bound.fix.within_budget:
        return f"the cheapest fix: {bound.fix.describe()}"
    return (
        f"no single fix brings it within budget; the cheapest, {bound.fix.change}, would still cost "
        f"{dollars(bound.fix.monthly_cost)}/month"
    )


def check_stack(graph: Graph, settings: Settings) -> Iterator[tuple[Resource, Verdict]]:
    by_resource: dict[str, list[Verdict]] = {}
    resources: dict[str, Resource] = {}
    for door, bound in cost.assess(graph, cost_model(settings), partial(budget, settings)):
        resources.setdefault(door.resource.urn, door.resource)
        by_resource.setdefault(door.resource.urn, []).append(
            not_applicable(f"{bound}, so it invokes no Lambda function this policy can price")
            if isinstance(bound, str)
            else verdict(bound)
        )
    for urn, verdicts in by_resource.items():
        # one finding per resource: the operations of one body are judged apart, a fail never hidden
        yield resources[urn], verdicts[0] if len(verdicts) == 1 else all_of("", *(partial(_given, v) for v in verdicts))


def _given(verdict: Verdict) -> Verdict:
    return verdict


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


POLICY = Policy(
    id="entrypoint-cost-budget",
    title="Each public entrypoint's worst-case cost fits a budget",
    description="Each public entrypoint's worst-case monthly cost must fit its budget (default $100).",
    severity="high",
    enforcement="mandatory",
    resource_types=DOOR_TYPES,
    rationale=(
        "Each defence caps one thing; the bill is what they are for. A webhook receiver with reserved "
        "concurrency 1 runs one copy at a time, but behind an unthrottled REST stage API Gateway still admits "
        "and bills up to the account's 10,000 requests/s: about $90,000 a month at $3.50 per million. This "
        "policy prices the worst case of each entrypoint on its own: the requests per second its stages admit "
        "(the method's or route's own throttle, else the stage-wide one; for API-key methods also each usage "
        "plan's throttle times its API keys, a stage no plan lists admitting none; summed over stages, within "
        "the account limit), a function URL only Lambda's 10 requests/s per concurrent execution; concurrency "
        "the least of the reservation, rate x timeout and the account pool; requests per month capped by "
        "usage plan quotas. Cost = invocations x Lambda request price + min(concurrency x month, invocations x "
        "timeout) x memory GB x GB-second price + API requests x API Gateway price. Missing timeout and "
        "memorySize count as AWS's defaults (3 s, 128 MB) and a usage plan without keys in the stack as "
        "apiKeysPerUsagePlan keys, each said in the report; anything not known at preview (a link, a "
        "throttle, a reservation, a Region) makes the bound unknown, naming the input, never a guessed figure. "
        "Each part of the bill is priced in the Region of the resource that bills it (the function's for Lambda "
        "requests and duration, the door's for its requests), a Region read as account-concurrency-headroom reads "
        "it; prices are config by Region (regionPrices), and a Region it does not list takes the top-level prices, "
        "us-east-1's on-demand list prices by default, which the report then notes. List prices are without free "
        "tier or volume discounts (x86 duration; arm64 costs less), so in a priced Region the bound errs high. "
        "WebSocket connection minutes are not included. Over budget, the finding names the binding limit and "
        "the cheapest of three fixes priced with the same model: reserved concurrency 1, a stage throttle (the "
        "largest whole rate up to stage-throttling's maximum that fits), "
        "and for REST methods a usage plan quota per API key (up to usage-plan-limits' daily maximum). "
        "Methods, routes and function URLs have no tags: exempt them in the policy config, or set a budget per "
        "stack or per function."
    ),
    remediation=(
        "Apply the fix the finding names, for example:\n"
        "    aws.lambda_.Function('webhook', ..., reserved_concurrent_executions=1)\n"
        "    aws.apigateway.MethodSettings('all', rest_api=api.id, stage_name=stage.stage_name, method_path='*/*',\n"
        "        settings={'throttling_rate_limit': 5, 'throttling_burst_limit': 10})\n"
        "    aws.apigateway.UsagePlan('partner', ..., quota_settings={'limit': 5000, 'period': 'DAY'})\n"
        "or give an entrypoint that needs more a budget of its own:\n"
        '    {"entrypoint-cost-budget": {"functionBudgets": [{"function": "search-*", "budget": 500}]}}'
    ),
    config={
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
    },
    check_stack=check_stack,
    references=(
        "AWS Lambda pricing; Amazon API Gateway pricing",
        "AWS Lambda: Lambda scaling behavior (10 requests/s per concurrent execution)",
        "AWS API Gateway Developer Guide: Throttle requests to your REST APIs",
    ),
    tags=("cost", "lambda", "api-gateway", "throttling"),
)
