"""The engine's sequence of calls over a running pack: what `pulumi preview` and `pulumi policy analyze` send it.

analyzer.py is the protocol client (one call at a time); this module plays a whole engine run over a list of
resources and gathers what the pack told the engine, attributed to URNs as the engine attributes them
(pulumi/pulumi pkg/resource/deploy):

- `PREVIEW`, `pulumi preview --policy-pack` (step_generator.go): per resource, Remediate, whose last returned
  props replace the resource's inputs, then Analyze with them, its diagnostics on that resource's URN; then
  AnalyzeStack once with every resource (parent, dependencies, property dependencies), as remediated. The engine
  sends AnalyzeStack the resources' outputs; at preview a resource's outputs are its inputs as the provider will
  get them, which is what the offline preview judges.
- `ANALYZE`, `pulumi policy analyze --file <stack export>` (analyze_snapshot.go, AnalyzeSnapshot): per
  non-deleted resource, Remediate with its inputs (what would change is reported, never applied), then Analyze
  with the same inputs; then AnalyzeStack once with every resource's outputs.

A Remediate diagnostic is an advisory violation on the resource. An AnalyzeStack diagnostic goes to its own URN
when that names a resource of the stack, otherwise to the root stack's (resolveStackPolicyViolationURN): the root
stack resource, or the URN DefaultRootStackURN builds when there is none.

The engine calls Remediate on every resource; the pack answers with nothing unless a policy is at enforcement level
remediate, so the call is skipped here unless the pack's config (`RunningPack.configure`) sets one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from google.protobuf import json_format  # type: ignore[import-untyped]

from abuse_guard.findings import Outcome
from abuse_guard.pack_config import PackConfig
from abuse_guard.policy import Policy
from abuse_guard.resources import STACK_TYPE, Resource, from_wire
from abuse_guard.sources.state import read_deployment
from abuse_guard.urns import stack_urn, urn_or_none
from tests.harness.analyzer import PolicyConfig, Reported, RunningPack, reported

PREVIEW = "preview"
ANALYZE = "analyze"
MODES = (PREVIEW, ANALYZE)

VERDICTS = (Outcome.FAIL, Outcome.UNKNOWN)
"""What the engine shows of a policy's verdict: a violation, or the "can't run policy" advisory."""

REMEDIATION_UNKNOWN = "can't run remediation "
"""How pulumi-policy's Remediate diagnostic for an unknown value starts (the engine shows it as an advisory)."""

Verdict = tuple[str, str, Outcome]
"""(policy, URN, FAIL or UNKNOWN)."""


@dataclass(frozen=True)
class EngineRun:
    """What the pack told the engine in one run, each reply on the URN the engine shows it against."""

    analyzed: tuple[Resource, ...]
    """The resources as Analyze got them (after remediation at preview)."""
    remediations: tuple[Reported, ...]
    """Remediate's diagnostics, each an advisory on its resource: FAIL, or UNKNOWN for "can't run remediation"."""
    per_resource: tuple[Reported, ...]
    """Analyze's replies: violations, "can't run policy" advisories (UNKNOWN), not-applicable and exempt replies."""
    stack: tuple[Reported, ...]
    """AnalyzeStack's replies."""

    @property
    def replies(self) -> tuple[Reported, ...]:
        return (*self.remediations, *self.per_resource, *self.stack)

    @property
    def verdicts(self) -> set[Verdict]:
        """Every (policy, URN, outcome) the engine would show as a violation or an unknown."""
        return {(r.policy, r.urn, r.kind) for r in self.replies if r.kind in VERDICTS}

    @property
    def not_applicable(self) -> list[Reported]:
        """The not-applicable replies (EXEMPT where the reason starts with "exempt: "), each with its reason."""
        return [r for r in self.replies if r.kind in (Outcome.NOT_APPLICABLE, Outcome.EXEMPT)]

    def said(self, policy: str, urn: str) -> list[tuple[str, Reported]]:
        """Every reply about `policy` on `urn`, with the call that gave it: for a readable difference."""
        calls = (("Remediate", self.remediations), ("Analyze", self.per_resource), ("AnalyzeStack", self.stack))
        return [(call, r) for call, replies in calls for r in replies if (r.policy, r.urn) == (policy, urn)]


def engine_run(
    pack: RunningPack,
    resources: Sequence[Resource],
    mode: str = PREVIEW,
    outputs: Sequence[Resource] | None = None,
) -> EngineRun:
    """Play the engine over `pack`: `resources` as a program registers them (PREVIEW) or a stack export's
    resources with their inputs (ANALYZE, where `outputs` are the same resources with their outputs; see
    `state_resources`). Props may hold markers or wire values (analyzer.to_wire)."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}: expected one of {MODES}")
    if mode == ANALYZE and (outputs is None or [r.urn for r in outputs] != [r.urn for r in resources]):
        raise ValueError("analyze mode needs `outputs`: the same resources, in the same order, with their outputs")
    remediating = any(level == "remediate" for level, _ in pack.config.values())
    analyzed: list[Resource] = []
    remediations: list[Reported] = []
    per_resource: list[Reported] = []
    for resource in resources:
        judged = resource
        if remediating:
            response = pack.remediate(resource)
            for result in response.remediations:
                if result.diagnostic:
                    kind = Outcome.UNKNOWN if result.diagnostic.startswith(REMEDIATION_UNKNOWN) else Outcome.FAIL
                    remediations.append(Reported(result.policyName, resource.urn, kind, result.diagnostic))
                elif mode == PREVIEW and result.HasField("properties"):
                    judged = replace(judged, props=json_format.MessageToDict(result.properties))
        analyzed.append(judged)
        per_resource.extend(r._replace(urn=resource.urn) for r in reported(pack.analyze(judged), resource.urn))
    in_stack = list(outputs) if mode == ANALYZE and outputs is not None else analyzed
    urns = {r.urn for r in in_stack}
    root = root_stack_urn(in_stack)
    stack = [r if r.urn in urns else r._replace(urn=root) for r in reported(pack.analyze_stack(in_stack))]
    return EngineRun(tuple(analyzed), tuple(remediations), tuple(per_resource), tuple(stack))


def root_stack_urn(resources: Iterable[Resource]) -> str:
    """The URN the engine puts a stack-level diagnostic on: the root stack resource's, else the default one for
    the stack and project of the first resource (snapshotRootStackURN); "" for no resources."""
    fallback = ""
    for resource in resources:
        if resource.type == STACK_TYPE and resource.parent is None:
            return resource.urn
        named = urn_or_none(resource.urn)  # the engine skips a resource whose URN is not valid
        if not fallback and named is not None:
            fallback = stack_urn(named.stack, named.project)
    return fallback


def state_resources(path: str | Path) -> tuple[list[Resource], list[Resource]]:
    """A stack export's or checkpoint's resources as `pulumi policy analyze` sends them: (with their inputs, with
    their outputs), read by the state report's own reader (`read_deployment`), deleted copies left out."""
    inputs = read_deployment(path, props=_inputs).resources
    outputs = read_deployment(path, props=_outputs).resources
    return list(inputs), list(outputs)


def _inputs(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> dict[str, Any]:
    return dict(from_wire(inputs))


def _outputs(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> dict[str, Any]:
    return dict(from_wire(outputs))


def engine_config(config: PackConfig, policies: Iterable[Policy]) -> dict[str, PolicyConfig]:
    """A pack config document (`--policy-pack-config`, parsed) as the engine sends it with Configure: each policy's
    enforcement level and its config properties."""
    return {p.id: (config.levels[p.id], dict(config.properties.get(p.id, {}))) for p in policies}
