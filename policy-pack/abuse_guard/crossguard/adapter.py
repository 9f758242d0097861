"""The CrossGuard adapter: each abuse-guard policy as a pulumi-policy policy.

Outcomes travel on the engine's own channels: fail -> a violation; unknown at preview -> the
engine's "can't run policy during preview" advisory; not-applicable and exempt -> not-applicable
with the reason ("exempt: ..."); pass -> nothing. Each (policy, resource) is answered once: by Analyze
where the resource alone decides it (`evaluate.per_resource`), else at AnalyzeStack with the graph
(`evaluate.with_the_stack`), a violation or an unknown named by the resource's URN; Analyze then says
not-applicable, "decided with the stack: ...". A resource of a type a policy does not check
returns at once with no verdict, as awsguard's policies do (the engine counts that as passed); the
per-policy cost matters because every policy runs on every resource of every preview.

A policy with a remediate function also gets pulumi-policy's remediate callback: at enforcement
level `remediate` the engine calls it before Analyze, and the props it returns replace the
resource's inputs (the engine logs before and after as a policyRemediationEvent).

Under the decode-once server (server.py) a policy's args name a request in flight (in_flight.py): the policy reads
the Resource or Graph decoded once for all policies, and AnalyzeStack's unknowns go to the server, which answers
each on its resource's URN; under a plain PolicyPack a policy decodes its args itself and a stack's unknowns are
one advisory that names each resource.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy import Policy as PulumiPolicy
from pulumi_policy.deserialize import serialize_properties
from pulumi_policy.proxy import UnknownValueError

from ..evaluate import covered, declared_types, per_resource, remedy, stack_graph, with_the_stack
from ..findings import Finding, Outcome
from ..graph import Graph
from ..policy import Policy, Settings
from ..resources import Resource
from .decode import resource_from_args, resource_from_policy_resource
from .in_flight import RESOURCES, STACK_REQUESTS, StackRequest


class NotKnownAtPreview(UnknownValueError):
    """Raised to report "cannot be determined at preview" through the engine's unknown channel."""

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)
        self.message = message


def _resource(args: ResourceValidationArgs) -> Resource:
    shared = RESOURCES.named(args.urn)
    return shared if shared is not None else resource_from_args(args)


def _shared(args: StackValidationArgs) -> StackRequest | None:
    """The AnalyzeStack request in flight that `args` stands for under the decode-once server, else None."""
    if len(args.resources) == 1:
        return STACK_REQUESTS.named(args.resources[0].urn)
    return None


def _resource_validation(policy: Policy) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    scope = frozenset(declared_types(policy))

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in scope:
            return
        settings = policy.settings(args.get_config())
        result = per_resource(policy, _resource(args), settings)
        if result is None:  # the resource defines nothing the policy checks (a RestApi without a body)
            return
        if result.outcome is Outcome.UNKNOWN:
            raise NotKnownAtPreview(result.message)
        if result.outcome in (Outcome.NOT_APPLICABLE, Outcome.EXEMPT):
            args.not_applicable(result.message)
        if result.outcome is Outcome.FAIL:
            report_violation(result.message, None)

    return validate


def _stack_validation(
    policy: Policy, pack: Mapping[str, Policy]
) -> Callable[[StackValidationArgs, ReportViolation], None]:
    """AnalyzeStack for `policy`: `with_the_stack`'s findings, each on its resource's URN; `pack` (by id) holds the
    policies whose exemptions may cover this one's findings (`Policy.covered_by`)."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        shared = _shared(args)
        # the graph first, as pulumi-policy decodes before calling a policy
        graph = (
            shared.graph
            if shared is not None
            else stack_graph(resource_from_policy_resource(r) for r in args.resources)
        )
        settings = policy.settings(args.get_config())
        unknown: list[Finding] = []
        for found in with_the_stack(policy, graph, settings):
            found = _covered(found, policy, pack, graph, settings, shared)
            if found.outcome is Outcome.FAIL:
                report_violation(found.message, found.urn)
            elif found.outcome is Outcome.UNKNOWN:
                unknown.append(found)
        if shared is not None:
            shared.unknown.extend((policy.id, f.urn, f.message) for f in unknown)
        elif unknown:  # a plain PolicyPack: one advisory for the stack, naming each resource
            raise NotKnownAtPreview(
                f"{len(unknown)} resource(s) cannot be checked until deployment:"
                + "".join(f"\n  - {f.urn}: {f.message}" for f in unknown)
            )

    return validate


def _covered(
    found: Finding,
    policy: Policy,
    pack: Mapping[str, Policy],
    graph: Graph,
    settings: Settings,
    shared: StackRequest | None,
) -> Finding:
    """`found` after the exemptions of the policy that covers `policy`'s findings (`evaluate.covered`), read with
    the config the engine gave that policy. A plain PolicyPack hands a policy only its own config: there a fail the
    other policy's exemption might cover is unknown, never a violation the user has exempted."""
    cover = policy.covered_by
    if cover is None or cover.policy not in pack or found.outcome is not Outcome.FAIL:
        return found
    covering = pack[cover.policy]
    if shared is None:
        resource = graph.get(found.urn)
        if resource is None or not cover.related(resource, graph):
            return found
        return replace(
            found,
            outcome=Outcome.UNKNOWN,
            message=(
                f"{found.message} (whether {cover.policy}'s exemptions cover it cannot be read: this pulumi-policy "
                "release gives a policy only its own config)"
            ),
        )
    if not shared.enabled(cover.policy):  # a disabled policy's exemptions cover nothing, as offline
        return found
    known = {policy.id: settings, cover.policy: covering.settings(shared.config_of(cover.policy))}
    return covered(found, pack, graph, known)


def _resource_remediation(policy: Policy) -> Callable[[ResourceValidationArgs], Mapping[str, Any] | None]:
    # pulumi-policy types the callback's result as awaitable, but its servicer takes plain props too.
    scope = frozenset(declared_types(policy))

    def remediate(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
        if args.resource_type not in scope:
            return None
        resource = resource_from_args(args)
        changes = remedy(policy, resource, policy.settings(args.get_config()))
        if changes is None:
            return None
        # The returned props replace all of them: the rest go back exactly as received.
        received = dict(serialize_properties(args.props))
        for key, value in changes.items():
            received[key] = _on_wire(received.get(key), resource.props.get(key), value)
        return received

    return remediate


def _on_wire(received: Any, before: Any, after: Any) -> Any:
    """`after` as the engine gets it: wherever it kept a value it read (`before`), the received one.

    The props a check reads have secrets and unknowns replaced by markers; a value kept inside a
    changed object (another setting of the block) must go back as its secret envelope or sentinel.
    """
    if after == before:
        return received
    if isinstance(after, Mapping) and isinstance(before, Mapping) and isinstance(received, Mapping):
        return {key: _on_wire(received.get(key), before.get(key), value) for key, value in after.items()}
    return after


class ResourceAndStackPolicy(ResourceValidationPolicy, StackValidationPolicy):
    """A policy the engine calls both per resource (Analyze) and with the stack (AnalyzeStack), under one name.

    pulumi-policy's servicer runs a policy at Analyze if it is a ResourceValidationPolicy and at AnalyzeStack if it
    is a StackValidationPolicy; this one is both, and `validate` answers each call with its own callback.
    GetAnalyzerInfo lists it once, as a resource policy (the engine attributes its AnalyzeStack violations to the
    URNs they name, pkg/resource/deploy/step_generator.go). The two parents' constructors call `super().__init__`
    with different positional arguments, so only pulumi-policy's common base is initialised.
    """

    def __init__(
        self,
        validate_resource: Callable[[ResourceValidationArgs, ReportViolation], None],
        validate_stack: Callable[[StackValidationArgs, ReportViolation], None],
        remediate: Callable[[ResourceValidationArgs], Mapping[str, Any] | None] | None,
        **common: Any,
    ) -> None:
        PulumiPolicy.__init__(self, **common)
        self._validate_resource = validate_resource
        self._validate_stack = validate_stack
        self._remediate = remediate

    def validate(self, args: Any, report_violation: ReportViolation) -> None:
        if isinstance(args, StackValidationArgs):
            self._validate_stack(args, report_violation)
        else:
            self._validate_resource(args, report_violation)

    def has_validation(self) -> bool:
        return True

    def remediate(self, args: ResourceValidationArgs) -> Any:
        return None if self._remediate is None else self._remediate(args)

    def has_remediation(self) -> bool:
        return self._remediate is not None


SOURCE = "abuse_guard_policy"
"""The attribute of each pulumi-policy object `pulumi_policy` builds that holds its abuse-guard Policy (`source`)."""


def source(converted: PulumiPolicy) -> Policy | None:
    """The abuse-guard Policy `converted` was built from by `pulumi_policy`; None for any other pulumi-policy policy
    (a policy of the user's own, which a composed pack serves as pulumi-policy does)."""
    found = getattr(converted, SOURCE, None)
    return found if isinstance(found, Policy) else None


def pulumi_policy(policy: Policy, pack: Sequence[Policy] = ()) -> PulumiPolicy:
    """The pulumi-policy object for one of our policies: same name, metadata and config schema.

    A stack policy is a StackValidationPolicy, a resource policy that decides every resource alone a
    ResourceValidationPolicy, and one whose graph check (`Policy.in_graph`) may change a verdict a
    `ResourceAndStackPolicy`. `pack`: the policies served with it, whose exemptions may cover its findings.
    The object remembers `policy` (`source`), so a pack tells abuse-guard's policies from others.
    """
    converted = _converted(policy, pack)
    setattr(converted, SOURCE, policy)
    return converted


def _converted(policy: Policy, pack: Sequence[Policy]) -> PulumiPolicy:
    schema = policy.config_schema()
    common: dict[str, Any] = {
        "name": policy.id,
        "description": policy.description,
        "enforcement_level": EnforcementLevel(policy.enforcement),
        "config_schema": PolicyConfigSchema(properties=schema["properties"]),
        "display_name": policy.title,
        "severity": Severity(policy.severity),
        "tags": list(policy.tags),
        "remediation_steps": policy.remediation,
    }
    by_id = {p.id: p for p in pack}
    if policy.is_stack_policy:
        return StackValidationPolicy(validate=_stack_validation(policy, by_id), **common)
    remediate = _resource_remediation(policy) if policy.remediate is not None else None
    if policy.in_graph is not None:
        return ResourceAndStackPolicy(
            _resource_validation(policy), _stack_validation(policy, by_id), remediate, **common
        )
    if remediate is not None:
        common["remediate"] = remediate
    return ResourceValidationPolicy(validate=_resource_validation(policy), **common)
