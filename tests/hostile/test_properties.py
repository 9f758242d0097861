"""Property-based tests over every rule, in process: random props never crash a rule, and a definite failure
placed among random junk is always reported as a failure.

The props hold what the engine, a state file or a program can hand over: unknowns, secrets, nulls, wrong types,
huge, tiny and non-finite numbers, deep nesting. Every policy runs, through the one path every source uses
(pipeline.judged: remediation, resource and stack policies, exemptions, the cost model).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from abuse_guard.findings import Outcome
from abuse_guard.pack_config import parse
from abuse_guard.pipeline import judged
from abuse_guard.policies import BY_ID, POLICIES
from abuse_guard.resources import ProviderRef, Resource
from abuse_guard.run import Run
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
from tests.protocol.examples import RESOURCE_EXAMPLES, STACK, STACK_EXAMPLES

EVERY_POLICY = parse({}, POLICIES)
REMEDIATING = parse({"lambda-reserved-concurrency": "remediate"}, POLICIES)


def run(resources: list[Resource], config: Any = EVERY_POLICY) -> Run:
    return judged("proj", "dev", "hypothesis", resources, config, remediate=True)


def only(policy_id: str) -> Any:
    """The pack config with every policy but `policy_id` disabled (it keeps its declared level)."""
    return parse({"all": "disabled", policy_id: BY_ID[policy_id].enforcement}, POLICIES)


def _well_formed(result: Run, resources: list[Resource]) -> None:
    urns = {r.urn for r in resources}
    for finding in result.findings:
        assert finding.policy in BY_ID
        assert isinstance(finding.outcome, Outcome)
        assert isinstance(finding.message, str)
        assert finding.urn in urns


@BOUNDED
@given(graphs())
def test_every_rule_is_total_on_random_stacks(resources: list[Resource]) -> None:
    _well_formed(run(resources), resources)


@BOUNDED
@given(graphs(types=POLICY_TYPES, size=4))
def test_every_rule_is_total_while_remediating(resources: list[Resource]) -> None:
    _well_formed(run(resources, REMEDIATING), resources)


@pytest.mark.parametrize("policy_id", RESOURCE_EXAMPLES)
@PER_POLICY
@given(data=st.data())
def test_each_resource_policy_is_total_on_its_own_types(policy_id: str, data: st.DataObject) -> None:
    policy = BY_ID[policy_id]
    type_ = data.draw(st.sampled_from(policy.resource_types))
    resource = Resource(urn=f"urn:pulumi:dev::proj::{type_}::r", type=type_, name="r", props=data.draw(props()))
    _well_formed(run([STACK, resource], only(policy_id)), [STACK, resource])


def _fails(result: Run, policy_id: str) -> set[str]:
    return {f.urn for f in result.findings if f.policy == policy_id and f.outcome is Outcome.FAIL}


@pytest.mark.parametrize("policy_id", RESOURCE_EXAMPLES)
@PER_POLICY
@given(junk=junk_props(), around=junk_resources())
def test_oracle_a_failing_resource_among_junk_fails(
    policy_id: str, junk: dict[str, Any], around: list[Resource]
) -> None:
    failing, config = RESOURCE_EXAMPLES[policy_id][1], only(policy_id)
    assert _fails(run([STACK, failing], config), policy_id) == {failing.urn}  # the example fails on its own
    assert failing.urn in _fails(run([STACK, with_junk(failing, junk), *around], config), policy_id)


@pytest.mark.parametrize("policy_id", STACK_EXAMPLES)
@PER_POLICY
@given(data=st.data())
def test_oracle_a_failing_stack_among_junk_fails(policy_id: str, data: st.DataObject) -> None:
    failing, config = list(STACK_EXAMPLES[policy_id][1]), only(policy_id)
    expected = _fails(run(failing, config), policy_id)
    assert expected  # the example fails on its own
    noisy = [with_junk(r, data.draw(junk_props())) for r in failing] + data.draw(junk_resources())
    assert expected <= _fails(run(noisy, config), policy_id)


DEEP_JSON_TEXT = "[" * 3000 + "]" * 3000
"""An input that holds JSON text (how the engine sends a provider's lists), nested past Python's recursion limit."""
PROVIDER_INPUTS = ("allowedAccountIds", "forbiddenAccountIds", "assumeRoles")


@pytest.mark.parametrize("key", PROVIDER_INPUTS)
def test_json_text_nested_too_deep_in_a_provider_input_is_no_crash(key: str) -> None:
    provider = ProviderRef("urn:pulumi:dev::proj::pulumi:providers:aws::default", {key: DEEP_JSON_TEXT})
    functions = [
        Resource(
            urn=f"urn:pulumi:dev::proj::aws:lambda/function:Function::{name}",
            type="aws:lambda/function:Function",
            name=name,
            props={"reservedConcurrentExecutions": 500},
            provider=provider,
        )
        for name in ("a", "b")
    ]
    result = run([STACK, *functions], only("account-concurrency-headroom"))
    assert {f.outcome for f in result.findings if f.policy == "account-concurrency-headroom"} == {Outcome.FAIL}
