"""What the two authorization rules share: judging each operation a resource defines, and authorizers."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from ..aws.frontdoors import RESOURCE, Operation, operations
from ..aws.reach import Domains, Reach
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


def through_domains(label: str, op: Operation, reach: Reach) -> tuple[Verdict | None, list[str]]:
    """An operation that authorizes no one, seen through its API's custom domains (aws/reach.py): passed when every
    caller must present a client certificate (the default endpoint off, every mapped domain with mutual TLS), else
    None and what a fail adds about the domains. Raises Undetermined when what decides is not known yet."""
    domains: Domains | None = reach.domains(op)
    if domains is None:
        return None, []
    if domains.only_mutual_tls:
        return passed(f"{label} authorizes no one, but {domains.why}"), []
    return None, domains.notes()


def noted(notes: list[str]) -> str:
    """Notes a fail message carries after its first clause: `; note; note`."""
    return "".join(f"; {note}" for note in notes)


def body_fix(op: Operation, schemes: str) -> str:
    """Where an open operation of an OpenAPI body gets its requirement, naming `schemes`: its own `security` when
    that replaces the document's requirement (a document-level one is not used then), else either."""
    if op.overrides is None:
        return f"add a security requirement naming {schemes} to the operation or the document"
    return (
        f"set the operation's own security ({op.at}.security) to a requirement naming {schemes}: its "
        f"{op.overrides} overrides the document's security requirement, so that one does not apply to it"
    )
