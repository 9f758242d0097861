"""What the two authorization rules share: judging each operation a resource defines, and authorizers."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ..aws.frontdoors import RESOURCE, Operation, operations
from ..aws.types import AUTHORIZERS
from ..findings import Verdict, all_of, failed, passed
from ..graph import Graph
from ..resources import Resource
from ..values import Undetermined


def each_operation(resource: Resource, judge: Callable[[Operation], Verdict]) -> Verdict | None:
    """`judge` over every operation `resource` defines: one operation is its verdict; several are judged apart,
    so a definite fail of one is never hidden by an unknown elsewhere (findings.all_of). None when it defines
    none (a RestApi without a body: its methods are Method resources, each checked on its own)."""
    ops = operations(resource)
    if len(ops) == 1:
        return judge(ops[0])
    if not ops:
        return None
    return all_of("", *(partial(judge, op) for op in ops))


def authorizer_verdict(label: str, authorization: str, op: Operation, graph: Graph | None = None) -> Verdict:
    """An authorizer-backed method or route must name its authorizer: without one nothing is checked.

    An authorizerId not known until deployment that comes from an Authorizer of the stack passes where the
    graph is at hand (the stack-level evaluation); alone it stays unknown."""
    try:
        authorizer = op.authorizer()
    except Undetermined:
        linked = [a for t in AUTHORIZERS for a in graph.referenced(op.resource, "authorizerId", t)] if graph else []
        if op.origin != RESOURCE or not linked:
            raise
        return passed(
            f"{label} uses {authorization} authorization with authorizerId from {linked[0].label} in this stack"
        )
    if authorizer is None:
        return failed(
            f"{label} uses {authorization} authorization but names no authorizer; set authorizer_id to "
            "the id of the authorizer resource"
        )
    return passed(f"{label} uses {authorization} authorization with authorizer {authorizer}")
