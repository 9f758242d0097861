"""The cost model: the most one public entrypoint can cost per month, whatever its callers do: its blast radius.

Reserved concurrency, authorization, usage plans and throttles exist to cap what an abusive or buggy
caller can run up; this module computes that cap for one entrypoint to a Lambda function, so a
policy can hold it to a budget and a report can show it. It never reads the resource graph:
cost/exposure.py reads the graph into an `Exposure` (an entrypoint's ways in and its function), and
this module is the arithmetic over it, pure functions of the Exposure and the `CostModel`.

The cost model, for one entrypoint on its own (M = seconds in a month):
- rate (requests/s the entrypoint admits): per stage, the method's (or route's) own throttle if it
  sets one, else the stage-wide one (an override replaces the stage value, it does not tighten it);
  for a method that requires an API key, also the usage plans listing the stage, each plan's
  throttle times its API keys (a stage no plan lists rejects keyed calls with 403, so it admits
  none); summed over the stages, then the account's API Gateway limit. A function URL has no rate
  limit of its own: Lambda's 10 requests/s per concurrent execution is all that limits it.
- concurrency: the least of the reservation, rate x timeout and the account pool.
- requests per month: rate x M, capped per stage by the usage plans' quotas (x their keys);
  invocations are further capped by Lambda's 10 requests/s per concurrent execution.
- cost = invocations x Lambda request price + min(concurrency x M, invocations x timeout) x memory
  in GB x GB-second price + API requests x API Gateway request price, each price the one of the Region
  of the resource that bills it (aws/regions.py): the function's for Lambda, the door's for the rest.
Both maxima are reachable at once (short calls at full rate, each concurrent slot kept busy), so
this is the worst case, not a loose sum. It grows with the reservation, the timeout and the memory, so where the
function leaves those open, the worst case at their least and at their greatest bound it (cost/__init__.py).
Invocations are not capped at concurrency / timeout: calls
that fail fast get through the same concurrency many times a second.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..aws.frontdoors import DoorKind
from ..aws.limits import LAMBDA_REQUESTS_PER_EXECUTION, SECONDS_PER_DAY
from ..aws.regions import DEFAULT_REGION, Prices, PriceTable
from ..values import figure
from ..wording import amount, dollars, keys_of, per_second, requests

FUNCTION_URL, LOAD_BALANCER, REST_METHOD = DoorKind.FUNCTION_URL, DoorKind.LOAD_BALANCER, DoorKind.REST_METHOD
"""The door kinds the arithmetic tells apart, looked up once: reading a member off its class goes through Python
3.11's EnumType.__getattr__ hook (about 0.1 us), and worst_case runs for every fix it prices."""
REQUEST_PRICES: dict[DoorKind, Callable[[Prices], float]] = {
    DoorKind.REST_METHOD: lambda prices: prices.rest_requests,
    DoorKind.HTTP_ROUTE: lambda prices: prices.http_requests,
    DoorKind.WEBSOCKET_ROUTE: lambda prices: prices.websocket_messages,
}
"""USD per million requests (WebSocket: messages) through an API Gateway door of each kind."""
FRONTS: dict[DoorKind, str] = {DoorKind.LOAD_BALANCER: "load balancer capacity units", DoorKind.FUNCTION_URL: ""}
"""What bills a door's requests, where it is not API Gateway: a function URL's are billed by Lambda alone."""

# -- what the figures are made of -------------------------------------------------------------------


@dataclass(frozen=True)
class CostModel:
    """Prices, the month and the account's limits (the policy's config), and how far a fix may go."""

    prices: PriceTable
    """List prices by Region: a door's Region prices its requests, its function's Region the Lambda parts."""
    new_connections_per_lcu: float
    """New connections per second one load balancer capacity unit covers; each request counts as one."""
    seconds_per_month: float
    account_rate: float
    """The account's regional API Gateway limit, requests/s."""
    account_concurrency: float
    api_keys_per_plan: int
    """API keys assumed on a usage plan whose keys are not in the stack."""
    fix_stage_rate: float
    """The largest stage throttle a fix may propose (stage-throttling's maximum)."""
    fix_daily_quota: int
    """The largest daily quota per API key a fix may propose (usage-plan-limits' maximum)."""


@dataclass(frozen=True)
class Limit:
    """A figure and the sentence naming what sets it; math.inf when nothing does at this level."""

    value: float
    what: str


@dataclass(frozen=True)
class Lane:
    """One way in: a stage of the API (a function URL has none)."""

    name: str
    rate: Limit
    """Requests/s the stage admits for this entrypoint."""
    quota: Limit
    """Requests/month the usage plans on the stage allow (math.inf: no quota)."""
    keyed: bool
    keys: int
    """API keys that call through this stage (summed over its usage plans)."""
    managed: bool = False
    """The stage is made and managed by AWS (quick create's `$default`): a throttle needs a Stage of one's own."""


@dataclass(frozen=True)
class Exposure:
    """What the graph says about one entrypoint, before prices: its ways in and its function."""

    kind: DoorKind
    lanes: tuple[Lane, ...]
    closed: str
    """Why no stage admits a call, when `lanes` is empty for an API entrypoint."""
    reserved: float | None
    timeout: float
    memory_mb: float
    notes: tuple[str, ...] = ()
    front_region: str = DEFAULT_REGION
    """The Region of the door (its API, URL or listener), whose prices bill the requests."""
    function_region: str = DEFAULT_REGION
    """The Region of the function, whose prices bill the Lambda requests and duration."""


@dataclass(frozen=True)
class Cost:
    """Dollars per month, in the three parts AWS bills."""

    lambda_requests: float
    lambda_duration: float
    api_requests: float
    """What the front door bills for the requests: API Gateway, or a load balancer's capacity units."""
    front: str = "API Gateway"
    """What bills `api_requests`; "" for a function URL, which only Lambda bills."""

    @property
    def total(self) -> float:
        return self.lambda_requests + self.lambda_duration + self.api_requests

    def describe(self) -> str:
        requests, duration = dollars(self.lambda_requests), dollars(self.lambda_duration)
        lambda_parts = f"{requests} Lambda requests + {duration} Lambda duration"
        return f"{lambda_parts} + {dollars(self.api_requests)} {self.front}" if self.front else lambda_parts


@dataclass(frozen=True)
class Worst:
    """The worst case of one entrypoint: each figure with what binds it."""

    rate: float
    rate_limit: str
    concurrency: float
    concurrency_limit: str
    invocations: float
    """Lambda invocations per month."""
    api_requests: float
    """API Gateway requests (or WebSocket messages) per month; 0 for a function URL."""
    cost: Cost
    binding: str
    """The limit behind the largest part of the cost."""


@dataclass(frozen=True)
class Fix:
    """One change and the worst case it would leave."""

    change: str
    monthly_cost: float
    within_budget: bool

    def describe(self) -> str:
        return f"{self.change} would cap this at {dollars(self.monthly_cost)}/month"


@dataclass(frozen=True)
class EntrypointCost:
    """One public entrypoint's worst monthly cost, or why it cannot be computed."""

    kind: DoorKind
    urn: str
    name: str
    type: str
    function: str
    """Logical name of the function behind it; empty when it cannot be found."""
    budget: float
    worst: Worst | None
    fix: Fix | None
    """The cheapest fix, when the worst case is over budget and a fix applies."""
    unknown: str = ""
    """Why there is no exact figure ("cannot be determined yet: ...", "malformed input: ...", or the inputs of the
    function behind it that are not known, when `least` and `most` bound it)."""
    malformed: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Defaults and assumptions the figure rests on."""
    least: Worst | None = None
    """When only inputs of the function behind it are unknown (or it is outside the stack): the worst case with
    each at its least (no concurrency, the shortest timeout, the least memory): what is certain. None otherwise."""
    most: Worst | None = None
    """With `least`: the worst case with each at its greatest (the account pool, 900 s, 10,240 MB)."""

    @property
    def over_budget(self) -> bool:
        """The worst case, or what is certain of it, is over the budget."""
        figure = self.worst or self.least
        return figure is not None and figure.cost.total > self.budget

    @property
    def within_budget(self) -> bool:
        """The worst case, or the most it can be, is within the budget."""
        figure = self.worst or self.most
        return figure is not None and figure.cost.total <= self.budget


def tightest(*limits: Limit) -> Limit:
    """The smallest limit (the first of equals)."""
    best = limits[0]
    for limit in limits[1:]:
        if limit.value < best.value:
            best = limit
    return best


# -- the cost function ------------------------------------------------------------------------------


def worst_case(exposure: Exposure, model: CostModel) -> Worst:
    """The most the entrypoint can cost in a month (see the module docstring for the model)."""
    month = model.seconds_per_month
    pool = Limit(model.account_concurrency, f"the account pool of {amount(model.account_concurrency)} (no reservation)")
    cap = (
        pool
        if exposure.reserved is None
        else tightest(Limit(exposure.reserved, f"reserved concurrency {amount(exposure.reserved)}"), pool)
    )
    lambda_rate = Limit(
        LAMBDA_REQUESTS_PER_EXECUTION * cap.value,
        f"Lambda's {LAMBDA_REQUESTS_PER_EXECUTION} requests/s per concurrent execution x {cap.what}",
    )
    if exposure.kind is FUNCTION_URL:
        rate = Limit(lambda_rate.value, f"{lambda_rate.what}: a function URL has no request-rate limit of its own")
        api_month = Limit(0.0, "")
        invocations = Limit(rate.value * month, rate.what)
    elif exposure.kind is LOAD_BALANCER:
        rate = Limit(lambda_rate.value, f"{lambda_rate.what}: a load balancer has no request-rate limit of its own")
        api_month = Limit(rate.value * month, rate.what)
        invocations = api_month
    else:
        rate, api_month = _api_traffic(exposure, model)
        invocations = tightest(api_month, Limit(lambda_rate.value * month, lambda_rate.what))
    peak = tightest(rate, lambda_rate)
    timeout = figure(exposure.timeout)
    concurrency = tightest(cap, Limit(peak.value * exposure.timeout, f"{per_second(peak.value)} x {timeout} s timeout"))
    busy = tightest(
        Limit(concurrency.value * month, concurrency.what),
        Limit(invocations.value * exposure.timeout, invocations.what),
    )
    lambda_prices = model.prices.prices(exposure.function_region)
    front = front_price(model.prices.prices(exposure.front_region), exposure.kind, model.new_connections_per_lcu)
    cost = Cost(
        lambda_requests=invocations.value * lambda_prices.lambda_requests / 1e6,
        lambda_duration=busy.value * exposure.memory_mb / 1024 * lambda_prices.lambda_gb_second,
        api_requests=api_month.value * front / 1e6,
        front=FRONTS.get(exposure.kind, "API Gateway"),
    )
    parts = ((cost.api_requests, api_month), (cost.lambda_duration, busy), (cost.lambda_requests, invocations))
    binding = max(parts, key=lambda part: part[0])[1].what
    return Worst(
        rate=rate.value,
        rate_limit=rate.what,
        concurrency=concurrency.value,
        concurrency_limit=concurrency.what,
        invocations=invocations.value,
        api_requests=api_month.value,
        cost=cost,
        binding=binding,
    )


def front_price(prices: Prices, kind: DoorKind, new_connections_per_lcu: float) -> float:
    """USD per million requests through a front door of `kind` (REST, HTTP, WebSocket messages, load balancer; 0
    for a function URL, billed as Lambda requests only). A load balancer request counts as one new connection:
    an LCU-hour's price over the new connections an LCU covers in an hour (Elastic Load Balancing pricing: an LCU
    is 25 new connections per second, among other dimensions; the largest dimension is billed)."""
    if kind is LOAD_BALANCER:
        return prices.load_balancer_lcu_hour / (new_connections_per_lcu * 3600) * 1e6
    price = REQUEST_PRICES.get(kind)
    return price(prices) if price is not None else 0.0


def _api_traffic(exposure: Exposure, model: CostModel) -> tuple[Limit, Limit]:
    """(requests/s, requests/month) the API admits over all its stages, within the account's limit."""
    month = model.seconds_per_month
    account = Limit(model.account_rate, f"the account's API Gateway limit of {per_second(model.account_rate)}")
    lanes = exposure.lanes
    if not lanes:
        return Limit(0.0, exposure.closed), Limit(0.0, exposure.closed)
    unthrottled = [lane.name for lane in lanes if math.isinf(lane.rate.value)]
    if unthrottled:
        account = replace(account, what=f"{account.what} (no throttle on {' and '.join(unthrottled)})")
    each_second = _summed(lanes, [lane.rate for lane in lanes])
    each_month = _summed(
        lanes, [tightest(Limit(lane.rate.value * month, lane.rate.what), lane.quota) for lane in lanes]
    )
    return tightest(each_second, account), tightest(each_month, Limit(account.value * month, account.what))


def _summed(lanes: tuple[Lane, ...], limits: list[Limit]) -> Limit:
    """What all stages let through together, naming each stage's limit when there are several."""
    if len(limits) == 1:
        return limits[0]
    named = "; ".join(f"{lane.name}: {limit.what}" for lane, limit in zip(lanes, limits, strict=True))
    return Limit(sum(limit.value for limit in limits), named)


# -- fixes ------------------------------------------------------------------------------------------


def cheapest_fix(exposure: Exposure, model: CostModel, budget: float) -> Fix | None:
    """The candidate fix with the lowest worst case, preferring those within budget; None if none applies.

    Candidates, each priced with `worst_case`: reserved concurrency 1; a stage throttle on every stage
    (the largest whole rate up to stage-throttling's maximum that fits the budget); for REST methods a
    usage plan quota per API key (the largest up to usage-plan-limits' daily maximum that fits).
    """

    def cost(changed: Exposure) -> float:
        return worst_case(changed, model).cost.total

    now = cost(exposure)
    candidates: list[tuple[str, float]] = []
    if exposure.reserved is None or exposure.reserved > 1:
        candidates.append(("reserved concurrency 1", cost(replace(exposure, reserved=1.0))))
    if exposure.kind not in (FUNCTION_URL, LOAD_BALANCER) and exposure.lanes:
        stages = f" on each of its {len(exposure.lanes)} stages" if len(exposure.lanes) > 1 else ""

        def throttled(rate: int) -> float:
            return cost(_throttled(exposure, rate))

        rate = _largest_within(throttled, model.fix_stage_rate, budget)
        lead = (
            "replacing quick create with an explicit Stage throttled at"
            if any(lane.managed for lane in exposure.lanes)
            else "a stage throttle of"
        )
        candidates.append((f"{lead} {requests(rate)}/s{stages}", throttled(rate)))
    if exposure.kind is REST_METHOD and exposure.lanes:
        keyed = all(lane.keyed for lane in exposure.lanes)
        lead = "a usage plan quota of" if keyed else "requiring an API key, with a usage plan quota of"

        def metered(quota: int) -> float:
            return cost(_metered(exposure, quota, model))

        quota = _largest_within(metered, model.fix_daily_quota, budget)
        candidates.append((f"{lead} {requests(quota)}/day per API key", metered(quota)))
    useful = [(change, value) for change, value in candidates if value < now]
    if not useful:
        return None
    within = [c for c in useful if c[1] <= budget]
    change, value = min(within or useful, key=lambda c: c[1])
    return Fix(change, value, value <= budget)


def _largest_within(cost: Callable[[int], float], ceiling: float, budget: float) -> int:
    """The largest whole value in 1..ceiling whose cost fits the budget (1 when none does); cost grows with it.

    The cost is piecewise linear in the value, so the search guesses where the line through the
    bracket's ends meets the budget and confirms a landing by pricing the value above it; when a
    guess does not halve the bracket, the next step bisects. A few pricings instead of a dozen, on
    the hot path of large stacks; exact for any non-decreasing cost.
    """
    low, high = 1, max(1, int(ceiling))
    at_low = cost(low)
    if at_low > budget:
        return low
    at_high = cost(high)
    if at_high <= budget:
        return high
    bisect = False
    while high - low > 1:
        width = high - low
        if bisect or at_high == at_low:
            guess = (low + high) // 2
        else:
            guess = min(max(low + int((budget - at_low) * width / (at_high - at_low)), low + 1), high - 1)
        at_guess = cost(guess)
        if at_guess > budget:
            high, at_high = guess, at_guess
        else:
            low, at_low = guess, at_guess
            if not bisect and high - low > 1:
                above = cost(low + 1)
                if above > budget:
                    return low
                low, at_low = low + 1, above
        bisect = high - low > width // 2
    return low


def _throttled(exposure: Exposure, rate: int) -> Exposure:
    limit = Limit(float(rate), f"a stage throttle of {per_second(rate)}")
    return replace(exposure, lanes=tuple(replace(lane, rate=tightest(lane.rate, limit)) for lane in exposure.lanes))


def _metered(exposure: Exposure, daily: int, model: CostModel) -> Exposure:
    days = model.seconds_per_month / SECONDS_PER_DAY

    def quota(lane: Lane) -> Limit:
        keys = lane.keys if lane.keyed else model.api_keys_per_plan
        return Limit(daily * days * keys, f"a quota of {daily:,} requests/day x {keys_of(keys)}")

    return replace(
        exposure, lanes=tuple(replace(lane, quota=tightest(lane.quota, quota(lane))) for lane in exposure.lanes)
    )
