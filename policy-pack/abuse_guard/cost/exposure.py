"""Reading the graph into each front door's `Exposure`: what limits its callers (its stages' throttles, usage plans and
quotas) and the function they run.

Stages, MethodSettings and usage plans are linked as rest-stage-protected links them (aws/rest.py);
the function behind each door comes from the front-door inventory (aws/frontdoors.py).

A door is read as its `Front` (what limits its callers; an input of it not known at preview raises) and the
function as its `Behind`: each of the function's inputs as (least, greatest), equal when known. A reservation,
timeout or memory size not known at preview, or a function outside the stack, is its whole range (no concurrency to
the account pool, TIMEOUT_RANGE, MEMORY_RANGE), so `exposure` at LEAST and at MOST bound the worst case.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from ..aws.frontdoors import QUICK_CREATE, Door, DoorKind, FrontDoors, Operation, protocol
from ..aws.functions import FunctionElsewhere, positive, reservation
from ..aws.limits import DEFAULT_MEMORY, DEFAULT_TIMEOUT, MEMORY_RANGE, SECONDS_PER_DAY, TIMEOUT_RANGE
from ..aws.names import safe_route_key
from ..aws.regions import location
from ..aws.rest import Api, RestApis
from ..aws.throttles import STAGE_KEYS, STAGE_WIDE, USAGE_PLAN_KEYS, Throttle, read
from ..aws.types import HTTP_STAGE, METHOD_SETTINGS, REST_STAGE, USAGE_PLAN, USAGE_PLAN_KEY
from ..aws.usage_plans import read_quota
from ..graph import Graph
from ..resources import UNKNOWN, Resource
from ..values import Malformed, Undetermined, items, literal, text
from ..wording import amount, keys_of, per_second
from .model import CostModel, Exposure, Lane, Limit, tightest


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


_StageLinks = TypeVar("_StageLinks", RestStageLinks, RouteStageLinks)


@dataclass(frozen=True)
class Front:
    """What limits the callers of one door (its stages' throttles, usage plans and quotas) and its Region."""

    kind: DoorKind
    lanes: tuple[Lane, ...]
    closed: str
    notes: tuple[str, ...]
    region: str


@dataclass(frozen=True)
class Behind:
    """The function behind a door as far as the stack tells: each input as (least, greatest), equal when known."""

    label: str
    """How messages name it: "Lambda function '<logical name>'", or its name as the program gives it."""
    reserved: tuple[float | None, float | None]
    """Reserved concurrency; None is unreserved (the account pool), the most a reservation not known can be."""
    timeout: tuple[float, float]
    """Seconds."""
    memory: tuple[float, float]
    """MB."""
    region: str
    missing: tuple[str, ...] = ()
    """Why an input is not known, as messages say it; empty when every input is."""
    elsewhere: bool = False
    """The function is not a resource of this stack."""


LEAST, MOST = 0, 1
"""Which end of each range `exposure` takes."""


def exposure(front: Front, behind: Behind, end: int, notes: tuple[str, ...]) -> Exposure:
    """The door and its function at one end (LEAST or MOST) of the function's unknown inputs: the worst case grows
    with each of them, so the two ends bound it."""
    return Exposure(
        front.kind,
        front.lanes,
        front.closed,
        behind.reserved[end],
        behind.timeout[end],
        behind.memory[end],
        notes,
        front.region,
        behind.region,
    )


def _span(
    function: Resource,
    key: str,
    default: float,
    unit: str,
    unknown: tuple[float, float],
    notes: list[str],
    missing: list[str],
) -> tuple[float, float]:
    """A positive input (`aws/functions.positive`) as a range: the value twice, or `unknown` when it is not known."""
    try:
        value, note = positive(function, key, default, unit)
    except Undetermined as error:
        missing.append(str(error))
        return unknown
    if note:
        notes.append(note)
    return value, value


class Links:
    """The relations an exposure follows, grouped once, so each door looks up only what it needs."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.doors = graph.derived(FrontDoors)
        self.keys = Counter(
            urn for key in graph.of_type(USAGE_PLAN_KEY) for urn in key.property_dependencies.get("usagePlanId", ())
        )
        self._apis: dict[str, RestApiLinks] = {}
        self._stages: dict[str, RestStageLinks | RouteStageLinks | Exception] = {}

    # -- the ways in --

    def front(self, door: Door, model: CostModel) -> Front:
        """What limits the callers of one door, and the Region it bills its requests in.

        Raises Undetermined when a limit or link is not known at preview, Malformed for one of the wrong shape."""
        kind = door.kind
        notes: list[str] = []
        region = self.region(door.resource, notes, model)
        lanes: list[Lane] = []
        closed = ""
        if door.operation is not None and kind is DoorKind.REST_METHOD:
            closed = self.rest_lanes(door.operation, lanes, notes, model)
        elif door.operation is not None:
            kind = self.route_lanes(door.operation, lanes)
            if kind is DoorKind.WEBSOCKET_ROUTE:
                notes.append("WebSocket connection minutes are not included, only messages")
        return Front(kind, tuple(lanes), closed, tuple(notes), region)

    def behind(self, function: Resource, model: CostModel, notes: list[str]) -> Behind:
        """The function's reservation, timeout, memory and Region; an input not known at preview is its range.

        Raises Malformed for an input of the wrong shape, Undetermined when its Region is not known at preview."""
        at = f"Lambda function '{function.name}'"
        missing: list[str] = []
        try:
            reserved = reservation(function, at=at)
            reserved_span: tuple[float | None, float | None] = (reserved, reserved)
        except Undetermined as error:
            missing.append(str(error))
            reserved_span = (0.0, None)
        timeout = _span(function, "timeout", DEFAULT_TIMEOUT, "s", TIMEOUT_RANGE, notes, missing)
        memory = _span(function, "memorySize", DEFAULT_MEMORY, "MB", MEMORY_RANGE, notes, missing)
        region = self.region(function, notes, model)
        return Behind(at, reserved_span, timeout, memory, region, tuple(missing))

    @staticmethod
    def elsewhere(error: FunctionElsewhere, front: Front, model: CostModel, notes: list[str]) -> Behind:
        """A function the stack names but does not hold: each input is its range, in the Region its ARN names (else
        the door's: a function URL or an integration is in its function's Region)."""
        region = error.region or front.region
        if model.prices.unlisted(region) and region != front.region:
            notes.append(
                f"Lambda function '{error.name}' is in {region}, which regionPrices does not list: priced at the "
                "default prices (us-east-1's unless configured)"
            )
        why = f"{error}, so its reservation, timeout and memory are not known here"
        return Behind(f"Lambda function '{error.name}'", (0.0, None), TIMEOUT_RANGE, MEMORY_RANGE, region, (why,), True)

    def region(self, resource: Resource, notes: list[str], model: CostModel) -> str:
        """The Region `resource` is billed in, noting an assumed Region and one the price table does not list.

        Raises Undetermined when it is not known at preview, Malformed for a Region input that is not one."""
        where = location(resource, self.graph)
        said = [where.assumed] if where.assumed else []
        if model.prices.unlisted(where.region):
            said.append(
                f"{resource.label} is in {where.region}, which regionPrices does not list: priced at the default "
                "prices (us-east-1's unless configured)"
            )
        notes += [note for note in said if note not in notes]
        return where.region

    def rest_lanes(self, op: Operation, lanes: list[Lane], notes: list[str], model: CostModel) -> str:
        """Each stage of the operation's REST API that admits calls, as a lane; why none does, if none."""
        method = op.resource
        api = self.doors.operation_api(op)
        if api is None:
            why = "comes from no REST API in this stack, so its stages are unseen"
            raise Undetermined(f"{method.label}.restApi", why)
        keyed = bool(op.api_key_required(at=method.label))
        stages = self.graph.referrers(api, REST_STAGE, "restApi")
        if not stages:
            raise Undetermined(api.label, "has no stage in this stack, so how callers reach it cannot be seen")
        path = _Lazy(lambda: _path(self.doors.method_path(op)))
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
            self._apis[api.urn] = RestApiLinks(self.graph.derived(RestApis).index(api), named, unnamed)
        return self._apis[api.urn]

    def rest_stage(self, api: Resource, stage: Resource) -> RestStageLinks:
        """The stage's MethodSettings and usage plans, grouped once for every method it serves."""
        return self._stage(stage, RestStageLinks, lambda: self._rest_stage(self.rest_api(api), stage))

    def _stage(self, stage: Resource, kind: type[_StageLinks], read_links: Callable[[], _StageLinks]) -> _StageLinks:
        """A stage's links, read once: what reading them raised (Undetermined, Malformed) is kept and raised again."""
        if stage.urn not in self._stages:
            try:
                self._stages[stage.urn] = read_links()
            except (Undetermined, Malformed) as error:
                self._stages[stage.urn] = error
        found = self._stages[stage.urn]
        if isinstance(found, Exception):
            raise found
        assert isinstance(found, kind)
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

    def route_lanes(self, op: Operation, lanes: list[Lane]) -> DoorKind:
        """Each stage of the route's API as a lane; the route's kind (HTTP or WebSocket route: `protocol`)."""
        route = op.resource
        if op.origin == QUICK_CREATE:
            what = "quick create's auto-deployed $default stage sets no throttle"
            lanes.append(
                Lane("stage '$default'", Limit(math.inf, what), Limit(math.inf, ""), keyed=False, keys=0, managed=True)
            )
            return DoorKind.HTTP_ROUTE
        api = self.doors.operation_api(op)
        assert api is not None  # a route's API, or Undetermined raised
        kind = protocol(op, self.graph)
        if kind is None:
            raise Undetermined(
                f"{api.label}.protocolType",
                "is not known until deployment, and the route key does not tell HTTP from WebSocket",
            )
        stages = self.graph.referrers(api, HTTP_STAGE, "apiId")
        if not stages:
            raise Undetermined(api.label, "has no stage in this stack, so how callers reach it cannot be seen")
        key = _Lazy(lambda: op.route_key(at=route.label) or "")
        for stage in stages:
            links = self.route_stage(stage)
            throttle, scope = links.default, "default route throttle"
            own = links.by_route.get(key.get()) if links.by_route else None
            if own is not None and own.rate is not None:
                throttle, scope = own, f"throttle for {safe_route_key(key.get()) or 'this route'}"
            rate = _rate(throttle)
            what = f"{links.name} sets no throttle" if math.isinf(rate) else f"{links.name} {scope}: {per_second(rate)}"
            lanes.append(Lane(links.name, Limit(rate, what), Limit(math.inf, ""), keyed=False, keys=0))
        return kind

    def route_stage(self, stage: Resource) -> RouteStageLinks:
        """An HTTP or WebSocket stage's default and per-route throttles, read once for all its routes."""
        return self._stage(stage, RouteStageLinks, lambda: self._route_stage(stage))

    @staticmethod
    def _route_stage(stage: Resource) -> RouteStageLinks:
        name = literal(stage.props, "name")
        by_route = {}
        for at, entry in items(stage.props, "routeSettings", at=stage.label):
            by_route[text(entry, "routeKey", at=at) or ""] = read(entry, STAGE_KEYS, at=at)
        return RouteStageLinks(
            f"stage '{name}'" if isinstance(name, str) else stage.label,
            read(stage.props, STAGE_KEYS, "defaultRouteSettings", at=stage.label),
            by_route,
        )
