"""Resources in, findings out: the one path from rules to outcomes that every adapter uses."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import partial
from typing import Any

from .findings import Finding, Outcome, Verdict, verdict_of
from .graph import Graph
from .policy import Policy, Settings, exemption
from .resources import Resource
from .values import Malformed, Undetermined


def finding(policy: Policy, resource: Resource, verdict: Verdict, settings: Settings) -> Finding:
    """Attach a verdict to a resource, turning it into `exempt` when an exemption covers it."""
    outcome, message = verdict.outcome, verdict.message
    if outcome is not Outcome.NOT_APPLICABLE:
        reason = exemption(policy, resource, settings)
        if reason is not None:
            outcome, message = Outcome.EXEMPT, f"exempt: {reason}; without it: {verdict.outcome.value}: {message}"
    return Finding(policy.id, resource.urn, resource.type, resource.name, outcome, message)


def evaluate_resource(policy: Policy, resource: Resource, settings: Settings) -> Finding | None:
    """The finding of a resource policy for one resource, or None when the type is out of scope."""
    check = policy.check
    if check is None or not policy.applies_to(resource.type):
        return None
    return finding(policy, resource, verdict_of(lambda: check(resource, settings), resource.label), settings)


def evaluate_stack(policy: Policy, graph: Graph, settings: Settings) -> list[Finding]:
    """The findings of a stack policy, one per resource it reports on.

    Stack checks judge each resource on its own; should a read escape one anyway, every resource in
    the policy's scope gets that unknown (or malformed) verdict instead of the run crashing.
    """
    check_stack = policy.check_stack
    if check_stack is None:
        return []
    try:
        pairs = list(check_stack(graph, settings))
    except (Undetermined, Malformed) as error:
        verdict = verdict_of(partial(_raise, error), f"policy '{policy.id}'")
        pairs = [(r, verdict) for r in graph.of_type(*policy.resource_types)]
    return [finding(policy, r, verdict, settings) for r, verdict in pairs]


def _raise(error: Exception) -> Verdict:
    raise error


def evaluate(
    policies: Iterable[Policy],
    resources: Iterable[Resource],
    config: Mapping[str, Mapping[str, Any] | None] | None = None,
) -> list[Finding]:
    """Every policy over every resource: resource policies per resource, then stack policies once."""
    config = config or {}
    graph = Graph(resources)
    findings: list[Finding] = []
    for policy in policies:
        settings = policy.settings(config.get(policy.id))
        if policy.is_stack_policy:
            findings.extend(evaluate_stack(policy, graph, settings))
            continue
        for resource in graph.resources:
            result = evaluate_resource(policy, resource, settings)
            if result is not None:
                findings.append(result)
    return findings
