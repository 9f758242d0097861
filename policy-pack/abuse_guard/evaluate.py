"""Resources in, findings out: the one path from rules to outcomes that every adapter uses.

Resources come in as the program declared them; the policies see each as its pulumi-aws view(s)
(aws/native.py: an aws-native resource as its pulumi-aws twin, a Deployment that names a stage also
as that stage). That translation happens here and nowhere else: `stack_graph` is the graph of views
every stack-level evaluation reads, `evaluate_resource` judges a declared resource alone through its
views, `in_scope` and `declared_types` say which declared types a policy checks. A view's finding
attaches to the declared resource and speaks its names; a remediation is offered in them.

At enforcement level `remediate` a policy may first fill in a safe default (`remedy`), as the
engine's Remediate call does before Analyze; the finding then judges the remediated resource and
says what was changed.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from typing import Any

from .aws import native
from .aws.native import expanded, in_native_terms, to_native, views
from .findings import Component, Finding, Outcome, Verdict, verdict_if_any, verdict_of
from .graph import Graph
from .policy import Policy, Settings, exemption
from .resources import Resource
from .values import Malformed, Undetermined, describe


def stack_graph(resources: Iterable[Resource]) -> Graph:
    """The graph of a stack's resources (as declared) that the stack policies and the cost model read: each
    resource as its pulumi-aws view(s), a view keeping the declared resource's URN."""
    return Graph(expanded(list(resources)))


def declared_types(policy: Policy) -> tuple[str, ...]:
    """The types a program may declare that `policy` checks: its pulumi-aws types, then the types seen as one of
    them (aws-native twins, a Deployment that creates a stage). What the policy reference lists."""
    return native.declared_types(*policy.resource_types)


@lru_cache(maxsize=64)
def _declared_scope(resource_types: tuple[str, ...]) -> frozenset[str]:
    return frozenset(native.declared_types(*resource_types))


def in_scope(policy: Policy, declared_type: str) -> bool:
    """Whether `policy` checks a resource a program declares with type `declared_type` (one of `declared_types`)."""
    return declared_type in _declared_scope(policy.resource_types)


def finding(policy: Policy, resource: Resource, verdict: Verdict, settings: Settings) -> Finding:
    """Attach a verdict to a resource as declared (a view's verdict to the aws-native resource it stands for),
    turning it into `exempt` when an exemption covers it."""
    subject = resource.as_declared
    outcome, message = verdict.outcome, verdict.message
    if outcome is not Outcome.NOT_APPLICABLE:
        reason = exemption(policy, resource if resource.urn == subject.urn else subject, settings)
        if reason is not None:
            outcome, message = Outcome.EXEMPT, f"exempt: {reason}; without it: {verdict.outcome.value}: {message}"
    if subject is not resource:
        message = in_native_terms(subject.type, message)
    return Finding(policy.id, subject.urn, subject.type, subject.name, outcome, message)


MERGE_ORDER = (Outcome.FAIL, Outcome.UNKNOWN, Outcome.EXEMPT, Outcome.PASS, Outcome.NOT_APPLICABLE)


def merged(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per policy and resource: the parts of one declared resource (the method settings of an
    aws-native stage) judged apart, a fail never hidden, their messages joined."""
    findings = list(findings)
    if len({(f.policy, f.urn) for f in findings}) == len(findings):  # the usual case: one view per resource
        return findings
    groups: dict[tuple[str, str], list[Finding]] = {}
    for found in findings:
        groups.setdefault((found.policy, found.urn), []).append(found)
    result = []
    for group in groups.values():
        if len(group) == 1:
            result.append(group[0])
            continue
        outcome = next(o for o in MERGE_ORDER if any(f.outcome is o for f in group))
        message = "; ".join(dict.fromkeys(f.message for f in group if f.outcome is outcome))
        result.append(replace(group[0], outcome=outcome, message=message))
    return result


def evaluate_resource(policy: Policy, resource: Resource, settings: Settings) -> Finding | None:
    """The finding of a resource policy for one resource as declared, judged alone (the engine's Analyze): its
    views judged apart and merged onto it (`merged`). None when it is out of scope (no view of a type the
    policy checks, or none that defines anything it checks)."""
    return _judged_alone(policy, views(resource), settings)


def _judged_alone(policy: Policy, seen: list[Resource], settings: Settings) -> Finding | None:
    """`evaluate_resource` of the declared resource whose views (or those of the types the policy checks) are
    `seen`."""
    if len(seen) == 1:
        return _view_finding(policy, seen[0], settings, None)
    found = [f for view in seen if (f := _view_finding(policy, view, settings, None))]
    return merged(found)[0] if found else None


def _view_finding(policy: Policy, view: Resource, settings: Settings, graph: Graph | None) -> Finding | None:
    """The finding of a resource policy for one view, or None when it is out of scope. With the stack's `graph`
    (a stack-level evaluation) the policy's `in_graph` check runs, if it has one."""
    check, in_graph = policy.check, policy.in_graph
    if check is None or not policy.applies_to(view.type):
        return None
    if graph is not None and in_graph is not None:
        verdict = verdict_if_any(partial(in_graph, view, settings, graph), view.label)
    else:
        verdict = verdict_if_any(partial(check, view, settings), view.label)
    return None if verdict is None else finding(policy, view, verdict, settings)


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


REMEDIATED = "remediated: "
"""How a finding's message starts when its policy remediated the resource before the check."""


def remedy(policy: Policy, resource: Resource, settings: Settings) -> dict[str, Any] | None:
    """The top-level inputs `policy` fills in on `resource` at enforcement level remediate, or None.

    Only what the policy's remediate function offers, and never on an exempt resource or from a
    value it cannot read: an unknown or secret is not an absent value, and a malformed one is the
    user's to fix.
    """
    view = views(resource)[0]  # an aws-native resource is remedied as its pulumi-aws twin, in its own names
    fix = policy.remediate
    if fix is None or not policy.applies_to(view.type) or exemption(policy, view, settings) is not None:
        return None
    try:
        changes = fix(view, settings)
    except (Undetermined, Malformed):
        return None
    return to_native(resource, changes) if changes else None


def remediate(
    policies: Iterable[Policy], resource: Resource, settings: Mapping[str, Settings]
) -> tuple[Resource, dict[str, str]]:
    """`resource` as Analyze sees it after Remediate, and what each policy changed, by policy id.

    Like the engine: policy by policy in pack order, each seeing the previous one's output.
    """
    notes: dict[str, str] = {}
    for policy in policies:
        changes = remedy(policy, resource, settings[policy.id])
        if changes is not None:
            notes[policy.id] = ", ".join(
                f"{path} {_shown(old)} -> {_shown(new)}" for path, old, new in _set_values(resource.props, changes)
            )
            resource = replace(resource, props={**resource.props, **changes})
    return resource, notes


def _set_values(before: Any, after: Mapping[str, Any], at: str = "") -> Iterator[tuple[str, Any, Any]]:
    """(dotted path, old value, new value) of each value a remediation sets."""
    for key, new in after.items():
        path = f"{at}.{key}" if at else key
        old = before.get(key) if isinstance(before, Mapping) else None
        if isinstance(new, Mapping) and (old is None or isinstance(old, Mapping)):
            yield from _set_values(old, new, path)
        elif new != old:
            yield path, old, new


def _shown(value: Any) -> str:
    """A value a remediation replaced or set: the old one is absent or off (-1), the new one our default."""
    if value is None:
        return "absent"
    return repr(value) if isinstance(value, str) else describe(value)


@dataclass(frozen=True)
class Evaluation:
    """One evaluation of a stack: the resources judged, their findings and the graph the policies read."""

    resources: list[Resource]
    """The resources as judged: after remediation, as the engine would deploy them."""
    findings: list[Finding]
    graph: Graph
    """The graph of `resources` the policies read (`stack_graph`), which the cost model prices (`cost.priced`)."""


def evaluation(
    policies: Iterable[Policy],
    resources: Iterable[Resource],
    config: Mapping[str, Mapping[str, Any] | None] | None = None,
    remediating: Collection[str] = (),
) -> Evaluation:
    """Every policy over every resource: resource policies per resource, then stack policies once.

    The policies named in `remediating` (those at enforcement level remediate) first fix every
    resource, so all checks, stack checks included, judge the inputs the engine would deploy; a
    remediated finding's message starts with "remediated: <path> <before> -> <after>". Each finding
    names the component its resource belongs to (`Graph.component_of`).
    """
    config = config or {}
    policies = list(policies)
    settings = {p.id: p.settings(config.get(p.id)) for p in policies}
    fixers = [p for p in policies if p.id in remediating]
    remediated: list[Resource] = []
    notes: dict[tuple[str, str], str] = {}
    for resource in resources:
        fixed, said = remediate(fixers, resource, settings) if fixers else (resource, {})
        remediated.append(fixed)
        notes.update({(policy_id, fixed.urn): note for policy_id, note in said.items()})
    graph = stack_graph(remediated)
    findings: list[Finding] = []
    for policy in policies:
        for result in judged(policy, graph, settings[policy.id]):
            if note := notes.get((policy.id, result.urn)):
                result = replace(result, message=f"{REMEDIATED}{note}; {result.message}")
            findings.append(result)
    by_id = {p.id: p for p in policies}
    covering = [covered(f, by_id, graph, settings) for f in findings]
    return Evaluation(remediated, _in_components(covering, graph), graph)


def judged(policy: Policy, graph: Graph, settings: Settings) -> list[Finding]:
    """One policy's findings over a stack's graph, one per declared resource: a stack policy's `check_stack`, a
    resource policy's check of each view (`in_graph` where it has one), merged onto the declared resource. What
    every stack-level evaluation reads, before another policy's exemption covers any (`covered`)."""
    if policy.is_stack_policy:
        return merged(evaluate_stack(policy, graph, settings))
    checked = set(policy.resource_types)  # most resources are of other types: skip them without a call
    return merged(
        found
        for resource in graph.resources
        if resource.type in checked and (found := _view_finding(policy, resource, settings, graph)) is not None
    )


DECIDED_WITH_THE_STACK = "decided with the stack: "
"""How the engine's per-resource answer starts for a resource its policy judges at AnalyzeStack (`per_resource`)."""


def per_resource(policy: Policy, resource: Resource, settings: Settings) -> Finding | None:
    """What the engine's per-resource Analyze reports for `policy` and `resource` (as declared, with no graph).

    `evaluate_resource`'s finding where the resource alone decides it (`Policy.decides_alone`); otherwise a
    not-applicable finding whose message starts with DECIDED_WITH_THE_STACK, and `with_the_stack` gives its
    verdict at AnalyzeStack. None when the policy does not check the resource.
    """
    found = evaluate_resource(policy, resource, settings)
    if found is None:
        return None
    if found.outcome is Outcome.EXEMPT and policy.in_graph is not None:
        return _exempt_alone(policy, resource, settings, found)
    if policy.decides_alone(found.outcome):
        return found
    return replace(
        found,
        outcome=Outcome.NOT_APPLICABLE,
        message=(
            f"{DECIDED_WITH_THE_STACK}{policy.id} judges {resource.label} with the stack's other resources "
            "(its API, authorizer, function URL or resource policy), when the engine analyzes the whole stack"
        ),
    )


def _exempt_alone(policy: Policy, resource: Resource, settings: Settings, found: Finding) -> Finding:
    """An exempt finding of a policy that may judge with the graph: exempt whatever the graph says, but what it
    would be without the exemption is the stack's to say when the resource alone does not decide it."""
    reason = exemption(policy, resource, settings)
    said = f"exempt: {reason}; without it: "
    if reason is None or not found.message.startswith(said):
        return found
    try:
        underlying = Outcome(found.message[len(said) :].split(":", 1)[0])
    except ValueError:
        return found
    if policy.decides_alone(underlying):
        return found
    return replace(found, message=f"{said}decided with the stack (the whole stack is analyzed after each resource)")


def with_the_stack(policy: Policy, graph: Graph, settings: Settings) -> list[Finding]:
    """What the engine's AnalyzeStack reports for `policy` (before `covered`): every finding of a stack policy,
    and a resource policy's finding of each resource that `per_resource` left to the stack. Together with
    `per_resource` over the same resources: the findings of `evaluation`, each reported once.

    Each declared resource is judged alone first, through its views in the graph, as `per_resource` judges it;
    only those it leaves open are judged with the graph, so a resource costs one check more than at Analyze, not
    two."""
    if policy.is_stack_policy:
        return judged(policy, graph, settings)
    if policy.in_graph is None:
        return []
    checked = set(policy.resource_types)
    parts: dict[int, list[Resource]] = {}  # each declared resource's views of the types the policy checks
    for view in graph.resources:
        if view.type in checked:
            parts.setdefault(id(view.as_declared), []).append(view)
    left_open = [
        view
        for seen in parts.values()
        if (alone := _judged_alone(policy, seen, settings)) is None or not policy.decides_alone(alone.outcome)
        for view in seen
    ]
    return merged(found for view in left_open if (found := _view_finding(policy, view, settings, graph)) is not None)


def covered(found: Finding, policies: Mapping[str, Policy], graph: Graph, settings: Mapping[str, Settings]) -> Finding:
    """`found` made exempt when its policy's `covered_by` exemption covers it (a function URL's exemption covers
    the URL's companion grants); the reason names the covering resource and policy."""
    policy = policies.get(found.policy)
    cover = policy.covered_by if policy is not None else None
    if cover is None or found.outcome in (Outcome.EXEMPT, Outcome.NOT_APPLICABLE) or cover.policy not in settings:
        return found
    resource = graph.get(found.urn)
    covering = policies.get(cover.policy)
    if resource is None or covering is None:
        return found
    for related in cover.related(resource, graph):
        reason = exemption(covering, related, settings[cover.policy])
        if reason is not None:
            message = (
                f"exempt: {reason}, the exemption of {related.label} from {cover.policy}, which covers this; "
                f"without it: {found.outcome.value}: {found.message}"
            )
            return replace(found, outcome=Outcome.EXEMPT, message=message)
    return found


def _in_components(findings: list[Finding], graph: Graph) -> list[Finding]:
    """`findings`, each with the component its resource belongs to (found once per resource)."""
    components: dict[str, Component | None] = {}
    placed: list[Finding] = []
    for found in findings:
        if found.urn not in components:
            resource = graph.get(found.urn)
            components[found.urn] = None if resource is None else Component.of(graph.component_of(resource))
        component = components[found.urn]
        placed.append(found if component is None else replace(found, component=component))
    return placed


def evaluate(
    policies: Iterable[Policy],
    resources: Iterable[Resource],
    config: Mapping[str, Mapping[str, Any] | None] | None = None,
    remediating: Collection[str] = (),
) -> list[Finding]:
    """The findings of `evaluation`."""
    return evaluation(policies, resources, config, remediating).findings
