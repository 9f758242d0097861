"""The offline preview and the real pack process agree: same resources in, same violations out.

The offline preview calls the rules in-process (the Analyzer protocol cannot carry per-resource
pass, exempt or unknown for stack policies). Here the resources it records from the reference
stacks go to the pack process over gRPC, Analyze per resource and AnalyzeStack once, as the engine
sends them; every violation and every resource-level unknown must match the in-process findings. The
engine's per-resource Analyze has no graph: where a policy decides with the graph (`Policy.in_graph`: a
WebSocket API's $connect route, a public URL's companion grants) the per-resource verdicts are compared with
the rules run on each resource alone, and every fail the engine reports is a fail offline too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from abuse_guard.evaluate import evaluate, evaluate_resource
from abuse_guard.findings import Outcome
from abuse_guard.offline import recorded
from abuse_guard.policies import POLICIES
from tests.harness.analyzer import RunningPack, reported

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def defaults(pack: RunningPack) -> None:
    pack.configure({})


@pytest.mark.parametrize("stack", ["compliant", "insecure", "native", "native-insecure"])
def test_the_pack_reports_what_the_offline_preview_finds(pack: RunningPack, stack: str) -> None:
    resources = recorded(REPO, stack)
    offline = evaluate(POLICIES, resources)
    stack_policies = {p.id for p in POLICIES if p.is_stack_policy}

    # resource policies: every outcome but pass travels per resource (fail, unknown, not-applicable, exempt)
    per_resource = {(e.policy, e.urn, e.kind) for r in resources for e in reported(pack.analyze(r), r.urn)}
    alone = [
        found
        for r in resources
        for p in POLICIES
        if not p.is_stack_policy and (found := evaluate_resource(p, r, p.settings(None))) is not None
    ]
    assert per_resource == {(f.policy, f.urn, f.outcome) for f in alone if f.outcome is not Outcome.PASS}
    offline_fails = {(f.policy, f.urn) for f in offline if f.outcome is Outcome.FAIL}
    assert {(policy, urn) for policy, urn, kind in per_resource if kind is Outcome.FAIL} <= offline_fails
    graph_decided = {p.id for p in POLICIES if p.in_graph is not None}
    assert {(f.policy, f.urn, f.outcome) for f in offline if f.policy not in stack_policies | graph_decided} - {
        (f.policy, f.urn, f.outcome) for f in alone
    } == set()
    # stack policies: the protocol carries their violations, each on the resource to fix
    whole_stack = {(e.policy, e.urn) for e in reported(pack.analyze_stack(resources)) if e.kind is Outcome.FAIL}
    assert whole_stack == {
        (f.policy, f.urn) for f in offline if f.policy in stack_policies and f.outcome is Outcome.FAIL
    }
    if stack.endswith("insecure"):
        assert whole_stack and any(kind is Outcome.FAIL for *_, kind in per_resource)
