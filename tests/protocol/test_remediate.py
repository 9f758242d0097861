"""Remediate as the engine calls it: safe defaults filled in, everything else sent back as received.

The engine calls Remediate before Analyze for the policies at enforcement level `remediate`, and
the props a remediation returns replace all of the resource's inputs: so every other property,
secret envelopes and unknown sentinels included, must come back exactly as sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from google.protobuf import json_format  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE
from pulumi_policy.secret import Secret

from abuse_guard.aws.types import HTTP_STAGE, USAGE_PLAN
from abuse_guard.policies import POLICIES
from abuse_guard.resources import UNKNOWN, Resource
from tests.harness.analyzer import RunningPack, reported, to_wire
from tests.protocol.examples import RESOURCE_EXAMPLES, STACK, function
from tests.support import resource

RESOURCE_POLICIES = [p for p in POLICIES if not p.is_stack_policy]

# policy -> (a resource it remediates, with a secret and an unknown elsewhere in its props; what it sets)
REMEDIABLE: dict[str, tuple[Resource, dict[str, Any]]] = {
    "lambda-reserved-concurrency": (
        function("webhook", None, environment={"variables": {"TOKEN": Secret("s3cr3t")}}),
        {"reservedConcurrentExecutions": 1},
    ),
    "usage-plan-limits": (
        resource(
            USAGE_PLAN,
            {
                "apiStages": [{"apiId": UNKNOWN, "stage": "prod"}],
                "throttleSettings": {"rateLimit": 2.0, "burstLimit": 5.0},
                "tags": {"owner": Secret("team-a")},
            },
            "partner",
            parent=STACK.urn,
        ),
        {"quotaSettings": {"limit": 10000, "period": "DAY"}},
    ),
    "stage-throttling": (
        resource(
            HTTP_STAGE,
            {
                "apiId": UNKNOWN,
                "name": "beta",
                "defaultRouteSettings": {
                    "throttlingRateLimit": -1.0,
                    "throttlingBurstLimit": -1.0,
                    "dataTraceEnabled": UNKNOWN_BOOLEAN_VALUE,
                    "loggingLevel": Secret("INFO"),
                },
            },
            "beta",
            parent=STACK.urn,
        ),
        {
            "defaultRouteSettings": {
                "throttlingRateLimit": 100,
                "throttlingBurstLimit": 200,
                "dataTraceEnabled": UNKNOWN_BOOLEAN_VALUE,
                "loggingLevel": Secret("INFO"),
            }
        },
    ),
}


@pytest.fixture
def all_remediate(pack: RunningPack) -> Iterator[None]:
    pack.configure({p.id: ("remediate", p.defaults()) for p in POLICIES})
    yield
    pack.configure({})


def remediations(response: analyzer_pb2.RemediateResponse) -> dict[str, dict[str, Any]]:
    """Policy -> the props it returned, as the JSON-like values of the protobuf Struct."""
    return {r.policyName: json_format.MessageToDict(r.properties) for r in response.remediations}


@pytest.mark.usefixtures("all_remediate")
@pytest.mark.parametrize("policy_id", list(REMEDIABLE))
def test_the_fix_comes_back_with_every_other_property_as_sent(pack: RunningPack, policy_id: str) -> None:
    target, fix = REMEDIABLE[policy_id]
    response = pack.remediate(target)
    assert remediations(response) == {policy_id: to_wire({**target.props, **fix})}
    assert [r.diagnostic for r in response.remediations] == [""]


@pytest.mark.usefixtures("all_remediate")
@pytest.mark.parametrize("policy_id", list(REMEDIABLE))
def test_analyze_after_remediate_passes(pack: RunningPack, policy_id: str) -> None:
    target, _ = REMEDIABLE[policy_id]
    [remediation] = pack.remediate(target).remediations
    remediated = Resource(target.urn, target.type, target.name, json_format.MessageToDict(remediation.properties))
    assert [r for r in reported(pack.analyze(remediated), target.urn) if r.policy == policy_id] == []


@pytest.mark.usefixtures("all_remediate")
def test_policies_without_remediation_say_so(pack: RunningPack) -> None:
    response = pack.remediate(REMEDIABLE["lambda-reserved-concurrency"][0])
    assert [(n.policy_name, n.reason) for n in response.not_applicable] == [
        (p.id, "Policy does not implement remediate") for p in RESOURCE_POLICIES if p.remediate is None
    ]


@pytest.mark.usefixtures("all_remediate")
@pytest.mark.parametrize("policy_id", list(REMEDIABLE))
def test_a_remediated_resource_is_left_alone(pack: RunningPack, policy_id: str) -> None:
    target, fix = REMEDIABLE[policy_id]
    fixed = Resource(target.urn, target.type, target.name, {**target.props, **fix})
    assert list(pack.remediate(fixed).remediations) == []


@pytest.mark.parametrize("level", ["advisory", "mandatory", "disabled"])
@pytest.mark.parametrize("policy_id", list(REMEDIABLE))
def test_below_level_remediate_nothing_is_rewritten(pack: RunningPack, policy_id: str, level: str) -> None:
    pack.configure({p.id: (level, p.defaults()) for p in POLICIES})
    try:
        response = pack.remediate(REMEDIABLE[policy_id][0])
    finally:
        pack.configure({})
    assert (list(response.remediations), list(response.not_applicable)) == ([], [])


@pytest.mark.usefixtures("all_remediate")
@pytest.mark.parametrize("policy_id", list(RESOURCE_EXAMPLES))
def test_a_violation_at_remediate_level_still_blocks(pack: RunningPack, policy_id: str) -> None:
    """What Analyze still finds is reported as mandatory, so `remediate` never lets a violation through."""
    _, failing = RESOURCE_EXAMPLES[policy_id]
    said = [*pack.analyze(failing).diagnostics, *pack.analyze_stack([failing]).diagnostics]
    assert [d.enforcementLevel for d in said if d.policyName == policy_id] == [analyzer_pb2.MANDATORY]
