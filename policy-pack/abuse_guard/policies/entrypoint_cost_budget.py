"""What one public entrypoint can cost at worst stays within a monthly budget.

Reserved concurrency, authorization, usage plans and throttles each cap one thing; what they are for
is capping the bill an abusive or buggy caller can run up. The cost model (cost/) computes that bill
for every front door to a Lambda function (aws/frontdoors.py), under the settings cost/settings.py
declares; this policy holds it to a budget and, when it is over, names the limit that binds and the
cheapest fix.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from ..aws.frontdoors import DOOR_TYPES
from ..cost import priced
from ..cost.model import EntrypointCost
from ..cost.settings import CONFIG, COST_POLICY
from ..findings import Verdict, all_of, failed, not_applicable, passed, undetermined
from ..graph import Graph
from ..policy import Policy, Settings
from ..resources import Resource
from ..wording import dollars


def verdict(entrypoint: EntrypointCost) -> Verdict:
    behind = f" -> Lambda function '{entrypoint.function}'" if entrypoint.function else ""
    label = f"{entrypoint.kind} '{entrypoint.name}'{behind}"
    worst = entrypoint.worst
    limit = f"the {dollars(entrypoint.budget)} budget"
    if worst is None:
        return bounded(entrypoint, label, limit)
    total = f"{dollars(worst.cost.total)}/month ({worst.cost.describe()})"
    if not entrypoint.over_budget:
        return passed(f"{label} costs at most {total}, within {limit}; bound by {worst.binding}")
    return failed(f"{label} can cost up to {total}, over {limit}, bound only by {worst.binding}; {fix(entrypoint)}")


def bounded(entrypoint: EntrypointCost, label: str, limit: str) -> Verdict:
    """An entrypoint without an exact figure: decided by what is certain (`least`) or by the most it can be
    (`most`) when either settles it, else unknown, naming the inputs it depends on."""
    least, most = entrypoint.least, entrypoint.most
    if least is None or most is None:
        return (failed if entrypoint.malformed else undetermined)(f"{label}: {entrypoint.unknown}")
    whatever = f"whatever the function's unknown inputs are ({entrypoint.unknown})"
    if entrypoint.over_budget:
        total = f"{dollars(least.cost.total)}/month ({least.cost.describe()})"
        return failed(
            f"{label} can cost at least {total}, over {limit}, {whatever}; bound only by {least.binding}; "
            f"{fix(entrypoint, certain=True)}"
        )
    if entrypoint.within_budget:
        total = f"{dollars(most.cost.total)}/month ({most.cost.describe()})"
        return passed(f"{label} costs at most {total}, within {limit}, {whatever}; bound by {most.binding}")
    return undetermined(
        f"{label} costs from {dollars(least.cost.total)} to {dollars(most.cost.total)}/month, so whether it fits "
        f"{limit} depends on what is not known: {entrypoint.unknown}"
    )


def fix(entrypoint: EntrypointCost, certain: bool = False) -> str:
    """The cheapest fix; `certain`: priced on what is certain, the unknown function's cost coming on top."""
    on_top = " before the function's own cost" if certain else ""
    if entrypoint.fix is None:
        return (
            "none of reserved concurrency 1, a stage throttle or a usage plan quota would lower it: lower the "
            "function's memorySize or timeout, or raise the budget for it"
        )
    if entrypoint.fix.within_budget:
        return f"the cheapest fix: {entrypoint.fix.describe()}{on_top}"
    return (
        f"no single fix brings it within budget; the cheapest, {entrypoint.fix.change}, would still cost "
        f"{dollars(entrypoint.fix.monthly_cost)}/month{on_top}"
    )


def check_stack(graph: Graph, settings: Settings) -> Iterator[tuple[Resource, Verdict]]:
    by_resource: dict[str, list[Verdict]] = {}
    resources: dict[str, Resource] = {}
    for door, entrypoint in priced(graph, settings).doors:
        resources.setdefault(door.resource.urn, door.resource)
        by_resource.setdefault(door.resource.urn, []).append(
            not_applicable(f"{entrypoint}, so it invokes no Lambda function this policy can price")
            if isinstance(entrypoint, str)
            else verdict(entrypoint)
        )
    for urn, verdicts in by_resource.items():
        # one finding per resource: the operations of one body are judged apart, a fail never hidden
        yield resources[urn], verdicts[0] if len(verdicts) == 1 else all_of("", *(partial(_given, v) for v in verdicts))


def _given(verdict: Verdict) -> Verdict:
    return verdict


POLICY = Policy(
    id=COST_POLICY,
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
        "apiKeysPerUsagePlan keys, each said in the report. What the function behind a door leaves open is "
        "bounded, never guessed: when its reservation, timeout or memory is not known at preview, or the function "
        "is outside the stack (aws.lambda_.Function.get, an ARN from config: named as the program names it), the "
        "bound is computed with each at its least (no concurrency, 1 s, 128 MB: what the door's own limits make "
        "certain, such as an unthrottled REST stage's $90,720 a month of requests) and at its greatest (the account "
        "pool, 900 s, 10,240 MB: AWS Lambda quotas); the policy fails when the first is over budget, passes when "
        "the second is within it, and is unknown between them, naming the inputs it depends on. Anything else not "
        "known at preview (a link, a throttle, a Region) makes the bound unknown, naming the input. "
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
    config=CONFIG,
    check_stack=check_stack,
    references=(
        "AWS Lambda pricing; Amazon API Gateway pricing",
        "AWS Lambda: Lambda scaling behavior (10 requests/s per concurrent execution)",
        "AWS Lambda quotas (timeout up to 900 s, memory 128 MB to 10,240 MB); CreateFunction (Timeout at least 1)",
        "AWS API Gateway Developer Guide: Throttle requests to your REST APIs",
    ),
    tags=("cost", "lambda", "api-gateway", "throttling"),
)
