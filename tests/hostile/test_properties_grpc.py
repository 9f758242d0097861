"""Property-based tests over the engine's path: Analyze and AnalyzeStack with random props, sent to the real pack
process over gRPC as the engine sends them (tests/harness/analyzer.py).

Random props never fail an RPC, and every diagnostic names a registered policy; a failing example among random
junk (junk inputs on it, junk resources around it) always draws a violation from its policy. Numbers are finite
here: pulumi-policy cannot turn a NaN or an infinity into Python values (json_format refuses them), so such a
request never reaches the pack; the last tests pin that, for config and for props.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pulumi_policy.secret import Secret

from abuse_guard.policies import BY_ID, POLICIES
from abuse_guard.resources import SECRET, UNKNOWN, Resource
from tests.harness.analyzer import RunningPack, start_pack
from tests.hostile.strategies import (
    BOUNDED,
    PER_POLICY,
    POLICY_TYPES,
    graphs,
    junk_props,
    junk_resources,
    props,
    with_junk,
)
from tests.protocol.examples import RESOURCE_EXAMPLES, STACK_EXAMPLES, function

PACK_DIR = Path(__file__).resolve().parents[2] / "policy-pack"
MARKERS = st.one_of(st.sampled_from([UNKNOWN, SECRET]), st.builds(Secret, st.text(max_size=5) | st.floats(0, 10)))
"""What the engine sends besides plain values: unknowns, secrets it cannot show, secrets around a value."""


@pytest.fixture(scope="module")
def pack() -> Iterator[RunningPack]:
    with start_pack(PACK_DIR) as running:
        yield running


def _names_registered_policies(response: Any) -> None:
    assert {d.policyName for d in response.diagnostics} <= set(BY_ID)
    assert {n.policy_name for n in response.not_applicable} <= set(BY_ID)


@BOUNDED
@given(data=st.data())
def test_analyze_answers_random_props(pack: RunningPack, data: st.DataObject) -> None:
    type_ = data.draw(st.sampled_from(POLICY_TYPES))
    resource = Resource(
        urn=f"urn:pulumi:dev::proj::{type_}::r",
        type=type_,
        name="r",
        props=data.draw(props(finite=True, markers=MARKERS)),
    )
    _names_registered_policies(pack.analyze(resource))


@BOUNDED
@given(graphs(finite=True, markers=MARKERS, size=6))
def test_analyze_stack_answers_random_stacks(pack: RunningPack, resources: list[Resource]) -> None:
    _names_registered_policies(pack.analyze_stack(resources))


def _violations(response: Any, policy_id: str) -> list[str]:
    return [d.urn for d in response.diagnostics if d.policyName == policy_id and not d.message.startswith("can't run")]


@pytest.mark.parametrize("policy_id", RESOURCE_EXAMPLES)
@PER_POLICY
@given(junk=junk_props(finite=True, markers=MARKERS))
def test_oracle_analyze(pack: RunningPack, policy_id: str, junk: dict[str, Any]) -> None:
    """Junk beside a failing resource's inputs never hides its violation, wherever its policy reports it."""
    noisy = with_junk(RESOURCE_EXAMPLES[policy_id][1], junk)
    said = [*pack.analyze(noisy).diagnostics, *pack.analyze_stack([noisy]).diagnostics]
    assert len([d for d in said if d.policyName == policy_id and not d.message.startswith("can't run")]) == 1


@pytest.mark.parametrize("policy_id", STACK_EXAMPLES)
@PER_POLICY
@given(data=st.data())
def test_oracle_analyze_stack(pack: RunningPack, policy_id: str, data: st.DataObject) -> None:
    failing = list(STACK_EXAMPLES[policy_id][1])
    expected = set(_violations(pack.analyze_stack(failing), policy_id))
    assert expected  # the example fails on its own
    noisy = [with_junk(r, data.draw(junk_props(finite=True, markers=MARKERS))) for r in failing]
    noisy += data.draw(junk_resources(finite=True, markers=MARKERS))
    assert expected <= set(_violations(pack.analyze_stack(noisy), policy_id))


NON_FINITE = {"nan": math.nan, "infinity": math.inf, "minus_infinity": -math.inf}


@pytest.mark.parametrize("number", NON_FINITE.values(), ids=list(NON_FINITE))
def test_a_non_finite_config_number_fails_configure(pack: RunningPack, number: float) -> None:
    """The engine's Configure: pulumi-policy cannot decode the number, so the call fails and the config is not
    taken (the pack's own check, policy.settings, refuses it too: tests/hostile/test_config.py)."""
    try:
        with pytest.raises(grpc.RpcError) as error:
            pack.configure({"entrypoint-cost-budget": ("mandatory", {"monthlyBudget": number})})
        assert error.value.code() is grpc.StatusCode.UNKNOWN
        assert "Fail to serialize" in error.value.details()
    finally:
        pack.configure({})
    assert len(_violations(pack.analyze(function("worker", None)), "lambda-reserved-concurrency")) == 1


@pytest.mark.parametrize("number", NON_FINITE.values(), ids=list(NON_FINITE))
def test_a_non_finite_prop_never_reaches_the_pack(pack: RunningPack, number: float) -> None:
    """reservedConcurrentExecutions = NaN fails the RPC inside pulumi-policy, before any policy runs; the pack
    itself reads NaN and infinities as malformed (tests/hostile/test_properties.py sends them in process)."""
    with pytest.raises(grpc.RpcError) as error:
        pack.analyze(function("worker", number))
    assert "Fail to serialize" in error.value.details()
    assert [p.id for p in POLICIES if p.id in error.value.details()] == []
