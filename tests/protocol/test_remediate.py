"""Remediate as the engine calls it: the pack rewrites nothing, and says so per policy."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pulumi.runtime.proto import analyzer_pb2

from abuse_guard.analyzer_client import RunningPack
from abuse_guard.policies import POLICIES
from abuse_guard.resources import Resource
from tests.protocol.examples import RESOURCE_EXAMPLES

RESOURCE_POLICIES = [p for p in POLICIES if not p.is_stack_policy]
FAILING = [failing for _, failing in RESOURCE_EXAMPLES.values()]


@pytest.fixture
def all_remediate(pack: RunningPack) -> Iterator[None]:
    pack.configure({p.id: ("remediate", p.defaults()) for p in POLICIES})
    yield
    pack.configure({})


@pytest.mark.parametrize("resource", FAILING, ids=list(RESOURCE_EXAMPLES))
def test_no_policy_at_remediate_means_an_empty_answer(pack: RunningPack, resource: Resource) -> None:
    pack.configure({})
    response = pack.remediate(resource)
    assert list(response.remediations) == []
    assert list(response.not_applicable) == []


@pytest.mark.usefixtures("all_remediate")
@pytest.mark.parametrize("policy_id", list(RESOURCE_EXAMPLES))
def test_remediate_level_rewrites_nothing_and_says_why(pack: RunningPack, policy_id: str) -> None:
    _, failing = RESOURCE_EXAMPLES[policy_id]
    response = pack.remediate(failing)
    assert list(response.remediations) == []
    assert [(n.policy_name, n.reason) for n in response.not_applicable] == [
        (p.id, "Policy does not implement remediate") for p in RESOURCE_POLICIES
    ]


@pytest.mark.usefixtures("all_remediate")
@pytest.mark.parametrize("policy_id", list(RESOURCE_EXAMPLES))
def test_a_violation_at_remediate_level_still_blocks(pack: RunningPack, policy_id: str) -> None:
    """What cannot be fixed is reported as mandatory, so `remediate` never lets a violation through."""
    _, failing = RESOURCE_EXAMPLES[policy_id]
    levels = [d.enforcementLevel for d in pack.analyze(failing).diagnostics if d.policyName == policy_id]
    assert levels == [analyzer_pb2.MANDATORY]
