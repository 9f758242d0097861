"""The most one public entrypoint can cost per month, whatever its callers do: its blast radius.

Reserved concurrency, authorization, usage plans and throttles exist to cap what an abusive or buggy
caller can run up; this module computes that cap for every entrypoint to a Lambda function, so a
policy can hold it to a budget and a report can show it. Pure functions over the resource graph.

Entrypoints, and how the function behind each is found (at preview IDs and ARNs are unknown, so by
property dependencies, with literal values as the fallback):
- REST method -> its integration (whose httpMethod comes from the method, or whose restApi,
  resourceId and httpMethod match the method's) -> the function its `uri` comes from;
- HTTP or WebSocket API route -> the v2 integration its `target` comes from -> the function its
  `integrationUri` comes from;
- Lambda function URL -> the function its `functionName` comes from (or names).
An alias in between (`aws:lambda/alias:Alias`) leads to its function: reservations are per function.

The cost model, for one entrypoint on its own (M = seconds in a month):
- rate (requests/s the entrypoint admits): per stage, the method's (or route's) own throttle if it
  sets one, else the stage-wide one (an override replaces the stage value, it does not tighten it);
  for a method that requires an API key, also the usage plans listing the stage, each plan's
  throttle times its API keys (a stage no plan lists rejects keyed calls with 403, so it admits
  none); summed over the stages, then the account's API Gateway limit. A function URL has no rate
  limit of its own: Lambda's 10 requests/s per concurrent execution is all that bounds it.
- concurrency: the least of the reservation, rate x timeout and the account pool.
- requests per month: rate x M, capped per stage by the usage plans' quotas (x their keys);
  invocations are further capped by Lambda's 10 requests/s per concurrent execution.
- cost = invocations x Lambda request price + min(concurrency x M, invocations x timeout) x memory
  in GB x GB-second price + API requests x API Gateway request price.
Both maxima are reachable at once (short calls at full rate, each concurrent slot kept busy), so
this is the worst case, not a loose sum. Invocations are not capped at concurrency / timeout: calls
that fail fast get through the same concurrency many times a second.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from .graph import Graph
from .policies.api_route_authorization import API_ROUTE
from .policies.lambda_function_url_auth import LAMBDA_FUNCTION_URL
from .policies.lambda_reserved_concurrency import LAMBDA_FUNCTION
from .policies.lambda_reserved_concurrency import reservation as reserved_concurrency
from .policies.rest_method_authorization import REST_METHOD
from .policies.rest_stage_protected import REST_API, REST_STAGE, Api, index_api, literal, rest_api_of
from .policies.stage_throttling import HTTP_STAGE, METHOD_SETTINGS, STAGE_WIDE
from .policies.throttling import STAGE_KEYS, USAGE_PLAN_KEYS, Throttle, read
from .policies.usage_plan_limits import SECONDS_PER_DAY, USAGE_PLAN, read_quota
from .resources import UNKNOWN, Resource
from .values import Malformed, Undetermined, choice, figure, flag, items, number, text

REST_INTEGRATION = "aws:apigateway/integration:Integration"
REST_RESOURCE = "aws:apigateway/resource:Resource"
USAGE_PLAN_KEY = "aws:apigateway/usagePlanKey:UsagePlanKey"
HTTP_API = "aws:apigatewayv2/api:Api"
HTTP_INTEGRATION = "aws:apigatewayv2/integration:Integration"
LAMBDA_ALIAS = "aws:lambda/alias:Alias"

REST = "REST method"
HTTP = "HTTP route"
WEBSOCKET = "WebSocket route"
URL = "function URL"

INTEGRATION_TYPES = ("AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK")
LAMBDA_INTEGRATIONS = ("AWS", "AWS_PROXY")
PROTOCOLS = ("HTTP", "WEBSOCKET")

LAMBDA_REQUESTS_PER_EXECUTION = 10
"""AWS Lambda serves at most 10 requests/s per concurrent execution (reserved or account)."""
DEFAULT_TIMEOUT = 3.0
"""Seconds: what AWS (and the provider) use when a function sets no timeout."""
DEFAULT_MEMORY = 128.0
"""MB: what AWS (and the provider) use when a function sets no memorySize."""

FUNCTION_IN_ARN = re.compile(r":function:([^:/]+)")


# -- what the bounds are made of --------------------------------------------------------------------


@dataclass(frozen=True)
class CostModel:
    """Prices, the month and the account's limits (the policy's config), and how far a fix may go."""

    lambda_request_price: float
    """Dollars per million Lambda requests."""
    gb_second_price: float
    """Dollars per GB-second of Lambda duration."""
    api_request_price: dict[str, float]
    """Dollars per million API Gateway requests (or WebSocket messages), by entrypoint kind."""
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


@dataclass(frozen=True)
class Exposure:
    """What the graph says about one entrypoint, before prices: its ways in and its function."""

    kind: str
    lanes: tuple[Lane, ...]
    closed: str
    """Why no stage admits a call, when `lanes` is empty for an API entrypoint."""
    reserved: float | None
    timeout: float
    memory_mb: float
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Cost:
    """Dollars per month, in the three parts AWS bills."""

    lambda_requests: float
    lambda_duration: float
    api_requests: float

    @property
    def total(self) -> float:
        return self.lambda_requests + self.lambda_duration + self.api_requests

    def describe(self) -> str:
        return (
            f"{dollars(self.lambda_requests)} Lambda requests + {dollars(self.lambda_duration)} Lambda duration + "
            f"{dollars(self.api_requests)} API Gateway"
        )


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
class EntrypointBound:
    """One public entrypoint's worst monthly cost, or why it cannot be computed."""

    kind: str
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
    """Why there is no figure ("cannot be determined yet: ..." or "malformed input: ...")."""
    malformed: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Defaults and assumptions the figure rests on."""

    @property
    def over_budget(self) -> bool:
        return self.worst is not None and self.worst.cost.total > self.budget


def dollars(value: float) -> str:
    return f"${value:,.2f}"


def amount(value: float) -> str:
    """A count or rate for a message: 150,000 or 2.5."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def per_second(rate: float) -> str:
    return f"{amount(rate)} request/s" if rate == 1 else f"{amount(rate)} requests/s"


def requests(count: int) -> str:
    return "1 request" if count == 1 else f"{count:,} requests"


def keys_of(count: int) -> str:
    return "1 API key" if count == 1 else f"{count:,} API keys"


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
    if exposure.kind == URL:
        rate = Limit(lambda_rate.value, f"{lambda_rate.what}: a function URL has no request-rate limit of its own")
        api_month = Limit(0.0, "")
        invocations = Limit(rate.value * month, rate.what)
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
    cost = Cost(
        lambda_requests=invocations.value * model.lambda_request_price / 1e6,
        lambda_duration=busy.value * exposure.memory_mb / 1024 * model.gb_second_price,
        api_requests=api_month.value * model.api_request_price.get(exposure.kind, 0.0) / 1e6,
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
    if exposure.kind != URL and exposure.lanes:
        stages = f" on each of its {len(exposure.lanes)} stages" if len(exposure.lanes) > 1 else ""

        def throttled(rate: int) -> float:
            return cost(_throttled(exposure, rate))

        rate = _largest_within(throttled, model.fix_stage_rate, budget)
        candidates.append((f"a stage throttle of {requests(rate)}/s{stages}", throttled(rate)))
    if exposure.kind == REST and exposure.lanes:
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


# -- reading the graph ------------------------------------------------------------------------------


Budget = Callable[[Resource, Resource | None], float]
"""The monthly budget of an entrypoint, given it and its function (None when that is not found)."""

KIND_BY_TYPE = {REST_METHOD: REST, API_ROUTE: HTTP, LAMBDA_FUNCTION_URL: URL}
ENTRYPOINT_TYPES = tuple(KIND_BY_TYPE)


def assess(graph: Graph, model: CostModel, budget: Budget) -> list[tuple[Resource, EntrypointBound | str]]:
    """Every method, route and function URL: its bound, or why it invokes no Lambda function."""
    links = Links(graph)
    return [(r, bound(links, r, model, budget)) for r in graph.of_type(*ENTRYPOINT_TYPES)]


def bounds(graph: Graph, model: CostModel, budget: Budget) -> tuple[EntrypointBound, ...]:
    """The bound of every entrypoint to a Lambda function, in graph order."""
    return tuple(b for _, b in assess(graph, model, budget) if isinstance(b, EntrypointBound))


def bound(links: Links, resource: Resource, model: CostModel, budget: Budget) -> EntrypointBound | str:
    """One entrypoint's bound, or why it invokes no Lambda function."""
    kind = KIND_BY_TYPE[resource.type]
    function: Resource | None = None
    try:
        target = links.entrypoint(resource)
        if isinstance(target, str):
            return target
        function = target
        exposure = links.exposure(resource, kind, function, model)
    except (Undetermined, Malformed) as error:
        malformed = isinstance(error, Malformed)
        return EntrypointBound(
            kind=kind,
            urn=resource.urn,
            name=resource.name,
            type=resource.type,
            function=function.name if function else "",
            budget=budget(resource, function),
            worst=None,
            fix=None,
            unknown=f"{'malformed input' if malformed else 'cannot be determined yet'}: {error}",
            malformed=malformed,
        )
    limit = budget(resource, function)
    worst = worst_case(exposure, model)
    return EntrypointBound(
        kind=exposure.kind,
        urn=resource.urn,
        name=resource.name,
        type=resource.type,
        function=function.name,
        budget=limit,
        worst=worst,
        fix=cheapest_fix(exposure, model, limit) if worst.cost.total > limit else None,
        notes=exposure.notes,
    )


def lambda_integrations(graph: Graph) -> list[tuple[Resource, Resource]]:
    """(REST integration, function) for every REST integration that invokes a Lambda function of the stack."""
    links = Links(graph)
    found = []
    for integration in graph.of_type(REST_INTEGRATION):
        try:
            target = links.integration_function(integration)
        except (Undetermined, Malformed):
            continue  # entrypoint-cost-budget reports it on the method
        if isinstance(target, Resource):
            found.append((integration, target))
    return found


def positive(function: Resource, key: str, default: float, unit: str) -> tuple[float, str]:
    """A function's positive number input, or AWS's default with a note that it was assumed."""
    at = f"Lambda function '{function.name}'"
    value = number(function.props, key, at=at)
    if value is None:
        return default, f"{at} sets no {key}: AWS's default {figure(default)} {unit}"
    if value <= 0:
        raise Malformed(f"{at}.{key}", "above 0", value)
    return value, ""


def reservation(function: Resource) -> float | None:
    """Reserved concurrency, or None for none: lambda-reserved-concurrency's reading, naming the function."""
    return reserved_concurrency(function, at=f"Lambda function '{function.name}'")


def _ref(resource: Resource, key: str) -> Any:
    """What an input points at, to match two resources on: the resources it comes from, else its literal."""
    deps = resource.property_dependencies.get(key, ())
    if deps:
        return frozenset(deps)
    value = literal(resource.props, key)
    return value if isinstance(value, str) else None


def _match(resource: Resource) -> tuple[Any, Any, Any]:
    """(API, API resource, HTTP method): the same for a REST method and its integration."""
    verb = literal(resource.props, "httpMethod")
    return _ref(resource, "restApi"), _ref(resource, "resourceId"), verb.upper() if isinstance(verb, str) else None


def _rate(throttle: Throttle) -> float:
    return math.inf if throttle.rate is None else throttle.rate


def _path(path: str) -> str:
    """A method path as MethodSettings write it ('items/GET'); usage plan throttles add a leading '/'."""
    return path.lstrip("/")


def _settings_path(settings: Resource) -> str | None:
    path = literal(settings.props, "methodPath")
    if path is UNKNOWN:
        raise Undetermined(f"MethodSettings '{settings.name}'.methodPath")
    return path if isinstance(path, str) else None


class _Lazy:
    """A string computed on first use: a method's path is read only where per-method limits exist."""

    def __init__(self, compute: Callable[[], str]) -> None:
        self._compute = compute
        self._value: str | None = None

    def get(self) -> str:
        if self._value is None:
            self._value = self._compute()
        return self._value


@dataclass
class RestApiLinks:
    """What hangs off one REST API: rest-stage-protected's index, plus MethodSettings for single methods."""

    api: Api
    method_settings: dict[str, dict[str, list[Resource]]]
    """By literal stage name, then method path: those not linked to their stage by a dependency."""
    method_settings_unnamed: dict[str, list[Resource]]
    """By method path: single-method MethodSettings whose stage name is not known yet."""


@dataclass
class RestStageLinks:
    """A REST stage's throttles and usage plans, grouped once for all the methods it serves."""

    name: str
    stage_wide: list[Resource]
    method_settings: dict[str, list[Resource]]
    """By method path ('items/GET')."""
    method_settings_unnamed: dict[str, list[Resource]]
    plans: list[Resource]
    plan_throttles: dict[tuple[str, str], Throttle]
    """By (usage plan URN, method path): a plan's throttle for one method on this stage."""
    plans_unreadable: Undetermined | Malformed | None = None
    """Why the plans cannot be told: it matters to methods that require an API key only."""


@dataclass(frozen=True)
class RouteStageLinks:
    """An HTTP or WebSocket stage's throttles, read once for all its routes."""

    name: str
    default: Throttle
    by_route: dict[str, Throttle]


class Links:
    """The relations the bounds follow, grouped once, so each entrypoint looks up only what it needs."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.functions_by_name = {
            r.props["name"]: r for r in graph.of_type(LAMBDA_FUNCTION) if isinstance(r.props.get("name"), str)
        }
        self.keys = Counter(
            urn for key in graph.of_type(USAGE_PLAN_KEY) for urn in key.property_dependencies.get("usagePlanId", ())
        )
        self.integrations_by_method: dict[str, list[Resource]] = defaultdict(list)
        self.integrations_by_match: dict[tuple[Any, Any, Any], list[Resource]] = defaultdict(list)
        for integration in graph.of_type(REST_INTEGRATION):
            methods = graph.referenced(integration, "httpMethod", REST_METHOD)
            for method in methods:
                self.integrations_by_method[method.urn].append(integration)
            if not methods:
                self.integrations_by_match[_match(integration)].append(integration)
        self._apis: dict[str, RestApiLinks] = {}
        self._stages: dict[str, RestStageLinks | RouteStageLinks | Exception] = {}
        self._paths: dict[str, str] = {}
        self._walking: set[str] = set()  # API resources whose path is being joined: a cycle is malformed

    # -- the function behind an entrypoint --

    def entrypoint(self, resource: Resource) -> Resource | str:
        """The function an entrypoint invokes, or why it invokes none."""
        if resource.type == LAMBDA_FUNCTION_URL:
            return self.function_from(resource, "functionName")
        if resource.type == REST_METHOD:
            integrations = self.integrations_by_method.get(resource.urn) or self.integrations_by_match.get(
                _match(resource), []
            )
        else:
            integrations = self.graph.referenced(resource, "target", HTTP_INTEGRATION)
            target = None if integrations else self.unlinked(resource, "target", "API Gateway v2 integration")
            if target is not None:
                raise Undetermined(f"{resource.label}.target", f"is {target!r}, an integration not in this stack")
            if not integrations:
                return f"{resource.label} has no target"
        if not integrations:
            return f"{resource.label} has no integration in this stack"
        if len(integrations) > 1:
            names = ", ".join(f"'{i.name}'" for i in integrations)
            raise Undetermined(
                resource.label, f"matches several integrations ({names}), so which one it uses is unclear"
            )
        return self.integration_function(integrations[0])

    @staticmethod
    def unlinked(resource: Resource, key: str, what: str) -> str | None:
        """The literal value of an input that comes from no `what` in the stack (None when absent)."""
        try:
            return text(resource.props, key, at=resource.label)
        except Undetermined:
            why = f"is not known until deployment and comes from no {what} in this stack"
            raise Undetermined(f"{resource.label}.{key}", why) from None

    def integration_function(self, integration: Resource) -> Resource | str:
        """The function a REST or v2 integration invokes, or why it invokes none."""
        rest = integration.type == REST_INTEGRATION
        kind = choice(integration.props, "type" if rest else "integrationType", INTEGRATION_TYPES, at=integration.label)
        if not rest and text(integration.props, "integrationSubtype", at=integration.label):
            return f"{integration.label} calls an AWS service directly, not a Lambda function"
        if kind not in LAMBDA_INTEGRATIONS:
            return f"{integration.label} is a {kind or 'typeless'} integration, not a Lambda function"
        return self.function_from(integration, "uri" if rest else "integrationUri")

    def function_from(self, resource: Resource, key: str) -> Resource | str:
        """The Lambda function input `key` comes from (directly or through an alias), or why it is none."""
        found = {f.urn: f for f in self.graph.referenced(resource, key, LAMBDA_FUNCTION)}
        for alias in self.graph.referenced(resource, key, LAMBDA_ALIAS):
            found.update((f.urn, f) for f in self.graph.referenced(alias, "functionName", LAMBDA_FUNCTION))
        label = f"{resource.label}.{key}"
        if len(found) > 1:
            names = ", ".join(f"'{f.name}'" for f in found.values())
            raise Undetermined(
                label, f"comes from several Lambda functions ({names}), so which one it invokes is unclear"
            )
        if found:
            return next(iter(found.values()))
        value = self.unlinked(resource, key, "Lambda function")
        if value is None:
            return f"{resource.label} sets no {key}"
        in_arn = FUNCTION_IN_ARN.search(value)
        if in_arn is None and (key != "functionName" or value.startswith("arn:")):
            return f"{resource.label} invokes {value}, not a Lambda function"
        name = in_arn.group(1) if in_arn else value
        function = self.functions_by_name.get(name)
        if function is None:
            raise Undetermined(label, f"names Lambda function '{name}', which is not in this stack")
        return function

    # -- the ways in --

    def exposure(self, resource: Resource, kind: str, function: Resource, model: CostModel) -> Exposure:
        """What bounds the callers of one entrypoint and the function they run."""
        notes: list[str] = []
        timeout, note = positive(function, "timeout", DEFAULT_TIMEOUT, "s")
        memory, note2 = positive(function, "memorySize", DEFAULT_MEMORY, "MB")
        notes += [n for n in (note, note2) if n]
        lanes: list[Lane] = []
        closed = ""
        if kind == REST:
            closed = self.rest_lanes(resource, lanes, notes, model)
        elif kind != URL:
            kind = self.route_lanes(resource, lanes)
            if kind == WEBSOCKET:
                notes.append("WebSocket connection minutes are not included, only messages")
        return Exposure(kind, tuple(lanes), closed, reservation(function), timeout, memory, tuple(notes))

    def rest_lanes(self, method: Resource, lanes: list[Lane], notes: list[str], model: CostModel) -> str:
        """Each stage of the method's REST API that admits calls, as a lane; why none does, if none."""
        api = rest_api_of(self.graph, method)
        if api is None:
            why = "comes from no REST API in this stack, so its stages are unseen"
            raise Undetermined(f"{method.label}.restApi", why)
        keyed = bool(flag(method.props, "apiKeyRequired", at=method.label))
        stages = self.graph.referrers(api, REST_STAGE, "restApi")
        if not stages:
            raise Undetermined(api.label, "has no stage in this stack, so how callers reach it cannot be seen")
        path = _Lazy(lambda: _path(self.method_path(method)))
        for stage in stages:
            links = self.rest_stage(api, stage)
            throttle = self.stage_throttle(links, path)
            shown = f"stage '{links.name}'"
            if not keyed:
                lanes.append(Lane(shown, throttle, Limit(math.inf, ""), keyed=False, keys=0))
                continue
            if links.plans_unreadable is not None:
                raise links.plans_unreadable
            if links.plans:  # without one, API Gateway answers 403 to every API key on this stage
                rate, quota, keys = self.metering(links, path, notes, model)
                lanes.append(Lane(shown, tightest(throttle, rate), quota, keyed=True, keys=keys))
        return "it requires an API key and no usage plan lists any of its stages, so API Gateway rejects every call"

    def rest_api(self, api: Resource) -> RestApiLinks:
        """rest-stage-protected's index of the API, plus its single-method MethodSettings named by stage."""
        if api.urn not in self._apis:
            named: dict[str, dict[str, list[Resource]]] = defaultdict(lambda: defaultdict(list))
            unnamed: dict[str, list[Resource]] = defaultdict(list)
            for settings in self.graph.referrers(api, METHOD_SETTINGS, "restApi"):
                path = literal(settings.props, "methodPath")
                if not isinstance(path, str) or path == STAGE_WIDE:
                    continue  # rest-stage-protected's index holds these
                if self.graph.referenced(settings, "stageName", REST_STAGE):
                    continue  # found from its stage
                name = literal(settings.props, "stageName")
                if name is UNKNOWN:
                    unnamed[_path(path)].append(settings)
                elif isinstance(name, str):
                    named[name][_path(path)].append(settings)
            self._apis[api.urn] = RestApiLinks(index_api(self.graph, api), named, unnamed)
        return self._apis[api.urn]

    def rest_stage(self, api: Resource, stage: Resource) -> RestStageLinks:
        """The stage's MethodSettings and usage plans, grouped once for every method it serves."""
        if stage.urn not in self._stages:
            try:
                self._stages[stage.urn] = self._rest_stage(self.rest_api(api), stage)
            except (Undetermined, Malformed) as error:
                self._stages[stage.urn] = error
        found = self._stages[stage.urn]
        if isinstance(found, Exception):
            raise found
        assert isinstance(found, RestStageLinks)
        return found

    def _rest_stage(self, links: RestApiLinks, stage: Resource) -> RestStageLinks:
        name = text(stage.props, "stageName", at=stage.label)
        if name is None:
            raise Malformed(f"{stage.label}.stageName", "a stage name", None)
        index = links.api
        if index.settings_unnamed:
            raise Undetermined(f"MethodSettings '{index.settings_unnamed[0].name}'.stageName")
        found = RestStageLinks(name, [], defaultdict(list), links.method_settings_unnamed, [], {})
        linked = self.graph.referrers(stage, METHOD_SETTINGS, "stageName")
        for settings in [*linked, *index.settings_by_stage.get(name, [])]:
            path = _settings_path(settings)
            if path == STAGE_WIDE:
                found.stage_wide.append(settings)
            elif path is not None:
                found.method_settings[_path(path)].append(settings)
        for method_path, named in links.method_settings.get(name, {}).items():
            found.method_settings[method_path] += named
        try:
            self._plans(found, stage, index)
        except (Undetermined, Malformed) as error:
            found.plans_unreadable = error
        return found

    def _plans(self, found: RestStageLinks, stage: Resource, index: Api) -> None:
        """The usage plans listing the stage (linked as rest-stage-protected links them), and their method throttles."""
        if index.plans_unnamed:
            raise Undetermined(f"usage plan '{index.plans_unnamed[0].name}'.apiStages", "names a stage not known yet")
        plans = [*self.graph.referrers(stage, USAGE_PLAN, "apiStages"), *index.plans_by_stage.get(found.name, [])]
        found.plans = list({p.urn: p for p in plans}.values())
        for plan in found.plans:
            for at, entry in items(plan.props, "apiStages", at=plan.label):
                if literal(entry, "stage") != found.name:
                    continue
                for throttle_at, throttle in items(entry, "throttles", at=at):
                    path = _path(text(throttle, "path", at=throttle_at) or "")
                    found.plan_throttles[plan.urn, path] = read(throttle, USAGE_PLAN_KEYS, at=throttle_at)

    def stage_throttle(self, stage: RestStageLinks, path: _Lazy) -> Limit:
        """The method's throttle on a stage: its own MethodSettings if they set a rate, else the stage-wide one.

        A method's settings replace the stage-wide value rather than tighten it; of several, the loosest counts.
        """
        own: list[Resource] = []
        if stage.method_settings or stage.method_settings_unnamed:
            own = stage.method_settings.get(path.get(), [])
            unsure = stage.method_settings_unnamed.get(path.get())
            if unsure:
                raise Undetermined(f"MethodSettings '{unsure[0].name}'.stageName")
        for group, scope in ((own, "this method"), (stage.stage_wide, "stage-wide")):
            found = [(s, read(s.props, STAGE_KEYS, "settings", at=f"MethodSettings '{s.name}'")) for s in group]
            rated = [(s, _rate(t)) for s, t in found if t.rate is not None]
            if rated:
                settings, rate = max(rated, key=lambda pair: pair[1])
                return Limit(rate, f"MethodSettings '{settings.name}' ({scope}): {per_second(rate)}")
        return Limit(math.inf, f"stage '{stage.name}' sets no throttle")

    def metering(
        self, stage: RestStageLinks, path: _Lazy, notes: list[str], model: CostModel
    ) -> tuple[Limit, Limit, int]:
        """(rate, requests per month, API keys) the usage plans on a stage allow: each plan's limits x its keys."""
        rates: list[Limit] = []
        months: list[Limit] = []
        all_keys = 0
        for plan in stage.plans:
            keys = self.keys.get(plan.urn, 0)
            if keys == 0:
                keys = model.api_keys_per_plan
                notes.append(
                    f"usage plan '{plan.name}' has no API key in this stack: {keys} assumed (apiKeysPerUsagePlan)"
                )
            all_keys += keys
            throttle = stage.plan_throttles.get((plan.urn, path.get())) if stage.plan_throttles else None
            if throttle is None or throttle.rate is None:
                throttle = read(plan.props, USAGE_PLAN_KEYS, "throttleSettings", at=plan.label)
            per_key = _rate(throttle)
            rate = (
                Limit(math.inf, f"usage plan '{plan.name}' sets no throttle")
                if math.isinf(per_key)
                else Limit(per_key * keys, f"usage plan '{plan.name}': {per_second(per_key)} x {keys_of(keys)}")
            )
            rates.append(rate)
            months.append(
                tightest(Limit(rate.value * model.seconds_per_month, rate.what), self.quota(plan, keys, model))
            )
        rate = Limit(sum(r.value for r in rates), " + ".join(r.what for r in rates))
        month = Limit(sum(m.value for m in months), " + ".join(m.what for m in months))
        return rate, month, all_keys

    def quota(self, plan: Resource, keys: int, model: CostModel) -> Limit:
        """Requests per month the plan's quota lets its keys make (math.inf when it sets none)."""
        quota = read_quota(plan.props, at=plan.label)
        if quota is None or quota.period is None or quota.limit is None or quota.limit <= 0:
            return Limit(math.inf, "")  # usage-plan-limits fails such a quota; here it caps nothing
        seconds = model.seconds_per_month if quota.days is None else quota.days * SECONDS_PER_DAY
        per_month = quota.limit * keys * model.seconds_per_month / seconds
        return Limit(
            per_month,
            f"usage plan '{plan.name}' quota {amount(quota.limit)} requests/{quota.period} x {keys_of(keys)} "
            f"= {amount(per_month)}/month",
        )

    def method_path(self, method: Resource) -> str:
        """'refresh-cache/POST': how MethodSettings and usage plan throttles name one method."""
        verb = text(method.props, "httpMethod", at=method.label)
        if verb is None:
            raise Malformed(f"{method.label}.httpMethod", "an HTTP method", None)
        return f"{self.resource_path(method, 'resourceId')}/{verb.upper()}"

    def resource_path(self, resource: Resource, key: str) -> str:
        """The path of the API resource input `key` comes from, joined from pathParts ('' for the root)."""
        parents = self.graph.referenced(resource, key, REST_RESOURCE)
        if not parents:
            if self.graph.referenced(resource, key, REST_API):
                return ""
            raise Undetermined(f"{resource.label}.{key}", "comes from no API resource in this stack")
        parent = parents[0]
        if parent.urn not in self._paths:
            if parent.urn in self._walking:
                raise Malformed(f"{parent.label}.parentId", "a path to the API's root", None, shown="a cycle")
            self._walking.add(parent.urn)
            try:
                part = text(parent.props, "pathPart", at=parent.label) or ""
                above = self.resource_path(parent, "parentId")
            finally:
                self._walking.discard(parent.urn)
            self._paths[parent.urn] = f"{above}/{part}" if above else part
        return self._paths[parent.urn]

    def route_lanes(self, route: Resource, lanes: list[Lane]) -> str:
        """Each stage of the route's API as a lane; the route's kind (HTTP or WebSocket)."""
        apis = self.graph.referenced(route, "apiId", HTTP_API)
        if not apis:
            raise Undetermined(f"{route.label}.apiId", "comes from no API Gateway v2 API in this stack")
        api = apis[0]
        kind = WEBSOCKET if choice(api.props, "protocolType", PROTOCOLS, at=api.label) == "WEBSOCKET" else HTTP
        stages = self.graph.referrers(api, HTTP_STAGE, "apiId")
        if not stages:
            raise Undetermined(api.label, "has no stage in this stack, so how callers reach it cannot be seen")
        key = _Lazy(lambda: text(route.props, "routeKey", at=route.label) or "")
        for stage in stages:
            links = self.route_stage(stage)
            throttle, scope = links.default, "default route throttle"
            own = links.by_route.get(key.get()) if links.by_route else None
            if own is not None and own.rate is not None:
                throttle, scope = own, f"throttle for {key.get()}"
            rate = _rate(throttle)
            what = f"{links.name} sets no throttle" if math.isinf(rate) else f"{links.name} {scope}: {per_second(rate)}"
            lanes.append(Lane(links.name, Limit(rate, what), Limit(math.inf, ""), keyed=False, keys=0))
        return kind

    def route_stage(self, stage: Resource) -> RouteStageLinks:
        """An HTTP or WebSocket stage's default and per-route throttles, read once for all its routes."""
        if stage.urn not in self._stages:
            try:
                name = literal(stage.props, "name")
                by_route = {}
                for at, entry in items(stage.props, "routeSettings", at=stage.label):
                    by_route[text(entry, "routeKey", at=at) or ""] = read(entry, STAGE_KEYS, at=at)
                self._stages[stage.urn] = RouteStageLinks(
                    f"stage '{name}'" if isinstance(name, str) else stage.label,
                    read(stage.props, STAGE_KEYS, "defaultRouteSettings", at=stage.label),
                    by_route,
                )
            except (Undetermined, Malformed) as error:
                self._stages[stage.urn] = error
        found = self._stages[stage.urn]
        if isinstance(found, Exception):
            raise found
        assert isinstance(found, RouteStageLinks)
        return found
