"""The worst-case monthly cost of every front door to a Lambda function (its blast radius).

graph -> front doors (aws/frontdoors.py) -> what bounds their callers (limits.py) -> figures (model.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..aws.frontdoors import Door, DoorKind
from ..graph import Graph
from ..resources import Resource
from ..values import Malformed, Undetermined
from .limits import Links
from .model import CostModel, EntrypointBound, Fix, Worst, cheapest_fix, worst_case

Budget = Callable[[Resource, Resource | None], float]
"""The monthly budget of an entrypoint, given it and its function (None when that is not found)."""


def assess(graph: Graph, model: CostModel, budget: Budget) -> list[tuple[Door, EntrypointBound | str]]:
    """Every front door: its bound, or why it invokes no Lambda function."""
    links = Links(graph)
    return [(door, bound(links, door, model, budget)) for door in links.doors.doors()]


def bounds(graph: Graph, model: CostModel, budget: Budget) -> tuple[EntrypointBound, ...]:
    """The bound of every front door to a Lambda function, in inventory order."""
    return tuple(b for _, b in assess(graph, model, budget) if isinstance(b, EntrypointBound))


def bound(links: Links, door: Door, model: CostModel, budget: Budget) -> EntrypointBound | str:
    """One door's bound, or why it invokes no Lambda function."""
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
        return _bound(door, function, budget, door.kind, None, None, unknown=why, malformed=malformed)
    limit = budget(resource, function)
    worst = worst_case(exposure, model)
    fix = cheapest_fix(exposure, model, limit) if worst.cost.total > limit else None
    return _bound(door, function, budget, exposure.kind, worst, fix, notes=exposure.notes)


def _bound(
    door: Door,
    function: Resource | None,
    budget: Budget,
    kind: DoorKind,
    worst: Worst | None,
    fix: Fix | None,
    **why: Any,
) -> EntrypointBound:
    resource = door.resource.as_declared  # an aws-native resource as declared, not its pulumi-aws view
    return EntrypointBound(
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
