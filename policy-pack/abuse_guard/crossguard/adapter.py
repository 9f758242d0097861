"""The CrossGuard adapter: each abuse-guard policy as a pulumi-policy policy.

Outcomes travel on the engine's own channels: fail -> a violation; unknown at preview -> the
engine's "can't run policy during preview" advisory; not-applicable and exempt -> not-applicable
with the reason ("exempt: ..."); pass -> nothing. A resource of a type a policy does not check
returns at once with no verdict, as awsguard's policies do (the engine counts that as passed); the
per-policy cost matters because every policy runs on every resource of every preview.

A policy with a remediate function also gets pulumi-policy's remediate callback: at enforcement
level `remediate` the engine calls it before Analyze, and the props it returns replace the
resource's inputs (the engine logs before and after as a policyRemediationEvent).

Under the decode-once server (server.py) a policy's args name a request in flight (in_flight.py): the policy reads
the Resource or Graph decoded once for all policies; under a plain PolicyPack it decodes its args itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
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

from ..evaluate import declared_types, evaluate_resource, evaluate_stack, remedy, stack_graph
from ..findings import Finding, Outcome
from ..graph import Graph
from ..policy import Policy
from ..resources import Resource
from .decode import resource_from_args, resource_from_policy_resource
from .in_flight import RESOURCES, STACK_REQUESTS


class NotKnownAtPreview(UnknownValueError):
    """Raised to report "cannot be determined at preview" through the engine's unknown channel."""

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)
        self.message = message


def _report(finding: Finding, report_violation: ReportViolation, urn: str | None = None) -> None:
    if finding.outcome is Outcome.FAIL:
        report_violation(finding.message, urn)


def _resource(args: ResourceValidationArgs) -> Resource:
    shared = RESOURCES.named(args.urn)
    return shared if shared is not None else resource_from_args(args)


def _graph(args: StackValidationArgs) -> Graph:
    if len(args.resources) == 1 and (shared := STACK_REQUESTS.named(args.resources[0].urn)) is not None:
        return shared.graph
    return stack_graph(resource_from_policy_resource(r) for r in args.resources)


def _resource_validation(policy: Policy) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    scope = frozenset(declared_types(policy))

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in scope:
            return
        settings = policy.settings(args.get_config())
        result = evaluate_resource(policy, _resource(args), settings)
        if result is None:  # the resource defines nothing the policy checks (a RestApi without a body)
            return
        if result.outcome is Outcome.UNKNOWN:
            raise NotKnownAtPreview(result.message)
        if result.outcome in (Outcome.NOT_APPLICABLE, Outcome.EXEMPT):
            args.not_applicable(result.message)
        _report(result, report_violation)

    return validate


def _stack_validation(policy: Policy) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        graph = _graph(args)  # first, as pulumi-policy decodes before calling a policy
        settings = policy.settings(args.get_config())
        findings = evaluate_stack(policy, graph, settings)
        for f in findings:
            _report(f, report_violation, f.urn)
        unknown = [f for f in findings if f.outcome is Outcome.UNKNOWN]
        if unknown:
            raise NotKnownAtPreview(
                f"{len(unknown)} resource(s) cannot be checked until deployment:"
                + "".join(f"\n  - {f.urn}: {f.message}" for f in unknown)
            )

    return validate


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


def pulumi_policy(policy: Policy) -> PulumiPolicy:
    """The pulumi-policy object for one of our policies: same name, metadata and config schema."""
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
    if policy.is_stack_policy:
        return StackValidationPolicy(validate=_stack_validation(policy), **common)
    if policy.remediate is not None:
        common["remediate"] = _resource_remediation(policy)
    return ResourceValidationPolicy(validate=_resource_validation(policy), **common)
