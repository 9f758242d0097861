"""The worst-case monthly cost of every front door to a Lambda function (its blast radius), priced once per graph.

graph -> front doors (aws/frontdoors.py) -> what limits their callers (exposure.py) -> figures (model.py), under
the settings of settings.py. `priced` is what the entrypoint-cost-budget policy and every Run read: one pricing
per graph and settings, kept with the graph (`Graph.derived`), so a Run prices its doors once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from ..aws.frontdoors import Door, DoorKind
from ..aws.functions import FunctionElsewhere
from ..graph import Graph
from ..policy import Settings
from ..resources import Resource
from ..values import Malformed, Undetermined
from .exposure import LEAST, MOST, Links, exposure
from .model import CostModel, EntrypointCost, Exposure, Fix, Worst, cheapest_fix, worst_case
from .settings import CONFIG, budget, cost_model

Budget = Callable[[Resource, Resource | str | None], float]
"""The monthly budget of an entrypoint, given it and its function (its name when it is outside the stack, None when
it is not found)."""

Priced = tuple[tuple[Door, EntrypointCost | str], ...]
"""Every front door in inventory order, with its cost or why it invokes no Lambda function."""


@dataclass(frozen=True)
class Pricing:
    """Every front door of one graph priced under one cost config (settings.CONFIG's keys)."""

    doors: Priced

    @property
    def entrypoints(self) -> tuple[EntrypointCost, ...]:
        """The cost of every front door to a Lambda function, in inventory order: what a Run shows."""
        return tuple(cost for _, cost in self.doors if isinstance(cost, EntrypointCost))


class _Pricings:
    """The pricings of one graph, by the cost settings they were made under (usually one)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.by_settings: dict[str, Pricing] = {}


def priced(graph: Graph, settings: Settings) -> Pricing:
    """The graph's front doors priced under `settings` (COST_POLICY's, validated): computed at the first call for
    this graph and these settings, the same object after."""
    key = json.dumps({k: settings[k] for k in CONFIG}, sort_keys=True, default=str)
    pricings = graph.derived(_Pricings)
    found = pricings.by_settings.get(key)
    if found is None:
        found = Pricing(price_doors(graph, cost_model(settings), partial(budget, settings)))
        pricings.by_settings[key] = found
    return found


Figured = dict[tuple[Exposure, float], tuple[Worst, Fix | None]]
"""The worst case and cheapest fix of each (exposure, budget) priced under one cost model: the doors of one
function behind one stage (an API's routes to one handler) share them, priced once."""


def price_doors(graph: Graph, model: CostModel, budget: Budget) -> Priced:
    """Every front door: its cost, or why it invokes no Lambda function (the computation `priced` keeps)."""
    links = Links(graph)
    figured: Figured = {}
    return tuple((door, price_door(links, door, model, budget, figured)) for door in links.doors.doors())


def price_door(links: Links, door: Door, model: CostModel, budget: Budget, figured: Figured) -> EntrypointCost | str:
    """One door's worst-case cost, or why it invokes no Lambda function; `figured`: what `model` priced so far.

    When only inputs of the function behind it are not known (its reservation, timeout or memory at preview, or
    all of them for a function outside the stack), the cost is bounded: at least the worst case with each at its
    least (what the door's own limits make certain: an unthrottled REST stage's requests), at most with each at
    its greatest; the policy fails on the first, passes on the second, and is unknown between them."""
    resource = door.resource
    function: Resource | str | None = None
    notes: list[str] = []
    try:
        try:
            target = links.doors.function_behind(door)
        except FunctionElsewhere as error:
            function = error.name
            front = links.front(door, model)
            behind = links.elsewhere(error, front, model, notes)
        else:
            if isinstance(target, str):
                return target
            function = target
            front = links.front(door, model)
            behind = links.behind(target, model, notes)
    except (Undetermined, Malformed) as error:
        malformed = isinstance(error, Malformed)
        why = f"{'malformed input' if malformed else 'cannot be determined yet'}: {error}"
        return _entrypoint(door, function, budget, door.kind, None, None, unknown=why, malformed=malformed)
    limit = budget(resource, function)
    said = tuple(dict.fromkeys((*front.notes, *notes)))
    if behind.missing:
        least = worst_case(exposure(front, behind, LEAST, said), model)
        most = worst_case(exposure(front, behind, MOST, said), model)
        fix = cheapest_fix(exposure(front, behind, LEAST, said), model, limit) if least.cost.total > limit else None
        why = "; ".join(behind.missing)
        return _entrypoint(
            door, function, budget, front.kind, None, fix, unknown=why, notes=said, least=least, most=most
        )
    exact = exposure(front, behind, LEAST, said)
    figures = figured.get((exact, limit))
    if figures is None:
        worst = worst_case(exact, model)
        figures = figured[exact, limit] = (
            worst,
            cheapest_fix(exact, model, limit) if worst.cost.total > limit else None,
        )
    worst, fix = figures
    return _entrypoint(door, function, budget, front.kind, worst, fix, notes=said)


def _entrypoint(
    door: Door,
    function: Resource | str | None,
    budget: Budget,
    kind: DoorKind,
    worst: Worst | None,
    fix: Fix | None,
    **why: Any,
) -> EntrypointCost:
    resource = door.resource.as_declared  # an aws-native resource as declared, not its pulumi-aws view
    return EntrypointCost(
        kind=kind,
        urn=resource.urn,
        name=door.name,
        type=resource.type,
        function=function.name if isinstance(function, Resource) else function or "",
        budget=budget(resource, function),
        worst=worst,
        fix=fix,
        **why,
    )
