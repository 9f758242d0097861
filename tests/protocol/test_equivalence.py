"""The offline preview and the real pack process agree: same resources in, same verdicts out.

The resources the offline preview records from the reference stacks go to the pack process over gRPC as the
engine sends them (Analyze per resource, then AnalyzeStack once): the violations and the unknowns the pack
reports, per (policy, URN), are exactly the offline preview's fails and unknowns. A policy that decides with the
stack's graph reports at AnalyzeStack, on the resource's URN.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Outcome
from abuse_guard.offline import recorded
from abuse_guard.policies import POLICIES
from tests.harness.analyzer import RunningPack, previewed

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def defaults(pack: RunningPack) -> None:
    pack.configure({})


@pytest.mark.parametrize("stack", ["compliant", "insecure", "native", "native-insecure"])
def test_the_pack_reports_what_the_offline_preview_finds(pack: RunningPack, stack: str) -> None:
    resources = recorded(REPO, stack)
    offline = {(f.policy, f.urn, f.outcome) for f in evaluate(POLICIES, resources)}
    engine = {(e.policy, e.urn, e.kind) for e in previewed(pack, resources)}
    for outcome in (Outcome.FAIL, Outcome.UNKNOWN):
        assert {(p, u) for p, u, o in engine if o is outcome} == {(p, u) for p, u, o in offline if o is outcome}
    if stack.endswith("insecure"):
        assert any(o is Outcome.FAIL for *_, o in engine)
