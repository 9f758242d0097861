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
from ..graph import Graph
from ..policy import Settings
from ..resources import Resource
from ..values import Malformed, Undetermined
from .exposure import Links
from .model import CostModel, EntrypointCost, Exposure, Fix, Worst, cheapest_fix, worst_case
from .settings import CONFIG, budget, cost_model

Budget = Callable[[Resource, Resource | None], float]
"""The monthly budget of an entrypoint, given it and its function (None when that is not found)."""

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
    """One door's worst-case cost, or why it invokes no Lambda function; `figured`: what `model` priced so far."""
    resource = door.resource
    function: Resource | None = None
    try:
        target = links.doors.function_behind(door)
        if isinstance(target, str):
            return target
        function = target
        exposure = links.exposure(door, function, model)
    except (Undetermined, Malformed) as error:
        malformed = isinstance(error, Malformed)
        why = f"{'malformed input' if malformed else 'cannot be determined yet'}: {error}"
        return _entrypoint(door, function, budget, door.kind, None, None, unknown=why, malformed=malformed)
    limit = budget(resource, function)
    figures = figured.get((exposure, limit))
    if figures is None:
        worst = worst_case(exposure, model)
        figures = figured[exposure, limit] = (
            worst,
            cheapest_fix(exposure, model, limit) if worst.cost.total > limit else None,
        )
    worst, fix = figures
    return _entrypoint(door, function, budget, exposure.kind, worst, fix, notes=exposure.notes)


def _entrypoint(
    door: Door,
    function: Resource | None,
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
        function=function.name if function else "",
        budget=budget(resource, function),
        worst=worst,
        fix=fix,
        **why,
    )
