"""Analyze with the protobuf messages the engine sends, for every resource policy of the registry."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.proxy import (
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)
from pulumi_policy.secret import Secret

from abuse_guard.evaluate import DECIDED_WITH_THE_STACK, evaluate_resource, in_scope
from abuse_guard.findings import Outcome
from abuse_guard.policies import BY_ID, POLICIES
from abuse_guard.policy import EXEMPT_TAG_PREFIX
from abuse_guard.resources import SECRET, UNKNOWN
from tests.harness.analyzer import LEVELS, RunningPack, reported
from tests.protocol.examples import RESOURCE_EXAMPLES, STACK_EXAMPLES, function
from tests.support import resource

RESOURCE_POLICIES = [p for p in POLICIES if not p.is_stack_policy]


def test_every_registered_policy_has_a_protocol_example() -> None:
    assert set(RESOURCE_EXAMPLES) == {p.id for p in RESOURCE_POLICIES}
    assert set(STACK_EXAMPLES) == {p.id for p in POLICIES if p.is_stack_policy}


def out_of_scope(resource_type: str) -> set[str]:
    return {p.id for p in RESOURCE_POLICIES if not in_scope(p, resource_type)}


@pytest.mark.parametrize("policy_id", list(RESOURCE_EXAMPLES))
def test_passing_example_draws_nothing_from_its_policy(pack: RunningPack, policy_id: str) -> None:
    passing, _ = RESOURCE_EXAMPLES[policy_id]
    assert reported(pack.analyze(passing), passing.urn) == []


@pytest.mark.parametrize("policy_id", list(RESOURCE_EXAMPLES))
def test_failing_example_is_one_violation_at_the_declared_level(pack: RunningPack, policy_id: str) -> None:
    """At Analyze where the resource alone decides, else at AnalyzeStack on the resource's URN (and Analyze says
    it is decided with the stack)."""
    policy = BY_ID[policy_id]
    _, failing = RESOURCE_EXAMPLES[policy_id]
    expected = evaluate_resource(policy, failing, policy.settings(None))
    assert expected is not None
    response = pack.analyze(failing)
    said = reported(response, failing.urn)
    if policy.decides_alone(expected.outcome):
        urn = ""  # the engine attaches the resource it asked about
    else:
        assert [(e.kind, e.message.startswith(DECIDED_WITH_THE_STACK)) for e in said if e.policy == policy_id] == [
            (Outcome.NOT_APPLICABLE, True)
        ]
        response, urn = pack.analyze_stack([failing]), failing.urn
        said = reported(response)
    [diagnostic] = [d for d in response.diagnostics if d.policyName == policy_id]
    assert diagnostic.enforcementLevel == LEVELS[policy.enforcement]
    assert diagnostic.urn == urn
    assert [entry for entry in said if entry.kind is not Outcome.NOT_APPLICABLE and entry.policy == policy_id] == [
        (policy_id, failing.urn, Outcome.FAIL, expected.message)
    ]


def reservation_outcomes(pack: RunningPack, props: dict[str, Any]) -> list[Outcome]:
    """What the pack says about a Lambda function with `props`, for the reserved-concurrency policy."""
    said = reported(pack.analyze(function("worker", None, **props)))
    return [entry.kind for entry in said if entry.policy == "lambda-reserved-concurrency"]


# What the engine can put into reservedConcurrentExecutions, and what the pack must make of it
# ([] is a pass: the pack says nothing).
WIRE_VALUES: dict[str, tuple[dict[str, Any], list[Outcome]]] = {
    "float": ({"reservedConcurrentExecutions": 5.0}, []),
    "int_arrives_as_float": ({"reservedConcurrentExecutions": 5}, []),
    "fraction": ({"reservedConcurrentExecutions": 2.5}, [Outcome.FAIL]),
    "provider_default_unreserved": ({"reservedConcurrentExecutions": -1.0}, [Outcome.FAIL]),
    "absent": ({"reservedConcurrentExecutions": None}, [Outcome.FAIL]),
    "unknown_marker": ({"reservedConcurrentExecutions": UNKNOWN}, [Outcome.UNKNOWN]),
    "unknown_number_sentinel": ({"reservedConcurrentExecutions": UNKNOWN_NUMBER_VALUE}, [Outcome.UNKNOWN]),
    "unknown_string_sentinel": ({"reservedConcurrentExecutions": UNKNOWN_STRING_VALUE}, [Outcome.UNKNOWN]),
    "unknown_bool_sentinel": ({"reservedConcurrentExecutions": UNKNOWN_BOOLEAN_VALUE}, [Outcome.UNKNOWN]),
    "unknown_array_sentinel": ({"reservedConcurrentExecutions": UNKNOWN_ARRAY_VALUE}, [Outcome.UNKNOWN]),
    "unknown_object_sentinel": ({"reservedConcurrentExecutions": UNKNOWN_OBJECT_VALUE}, [Outcome.UNKNOWN]),
    "secret_envelope_is_read": ({"reservedConcurrentExecutions": Secret(5.0)}, []),
    "secret_envelope_failing": ({"reservedConcurrentExecutions": Secret(-1.0)}, [Outcome.FAIL]),
    "secret_marker_without_value": ({"reservedConcurrentExecutions": SECRET}, [Outcome.UNKNOWN]),
    "secret_tags_envelope": ({"tags": Secret({"team": "a"}), "reservedConcurrentExecutions": 5.0}, []),
    "malformed_string": ({"reservedConcurrentExecutions": "lots"}, [Outcome.FAIL]),
    "malformed_object": ({"reservedConcurrentExecutions": {"value": 5}}, [Outcome.FAIL]),
    "malformed_list": ({"reservedConcurrentExecutions": [5]}, [Outcome.FAIL]),
    "malformed_bool": ({"reservedConcurrentExecutions": True}, [Outcome.FAIL]),
    "malformed_tags": ({"tags": ["not", "a", "map"], "reservedConcurrentExecutions": 5.0}, []),
    "exempt_by_tag": (
        {
            "tags": {EXEMPT_TAG_PREFIX + "lambda-reserved-concurrency": "load-test rig"},
            "reservedConcurrentExecutions": -1.0,
        },
        [Outcome.EXEMPT],
    ),
}


@pytest.mark.parametrize(("props", "expected"), WIRE_VALUES.values(), ids=list(WIRE_VALUES))
def test_wire_values(pack: RunningPack, props: dict[str, Any], expected: list[Outcome]) -> None:
    assert reservation_outcomes(pack, props) == expected


def test_unknown_is_the_engines_advisory_not_a_violation(pack: RunningPack) -> None:
    response = pack.analyze(function("worker", None, reservedConcurrentExecutions=UNKNOWN))
    [diagnostic] = response.diagnostics
    assert diagnostic.enforcementLevel == analyzer_pb2.ADVISORY
    assert diagnostic.message.startswith(
        "can't run policy 'lambda-reserved-concurrency' from policy pack 'abuse-guard@v0.0.1' during preview: "
    )
    assert "reservedConcurrentExecutions is not known until the resource is deployed" in diagnostic.message


def test_exemption_is_not_applicable_with_the_reason(pack: RunningPack) -> None:
    tags = {EXEMPT_TAG_PREFIX + "lambda-reserved-concurrency": "load-test rig"}
    response = pack.analyze(function("worker", None, tags=tags))
    assert list(response.diagnostics) == []
    [exempt] = [n for n in response.not_applicable if n.policy_name == "lambda-reserved-concurrency"]
    assert exempt.reason.startswith("exempt: load-test rig (tag abuse-guard:exempt:lambda-reserved-concurrency)")


def test_out_of_scope_type_draws_nothing_from_any_policy(pack: RunningPack) -> None:
    bucket = resource("aws:s3/bucket:Bucket", {"bucket": "logs", "tags": {"team": "a"}}, "logs")
    response = pack.analyze(bucket)
    assert list(response.diagnostics) == []
    assert list(response.not_applicable) == []


def test_a_secret_never_reaches_a_violation_message(pack: RunningPack) -> None:
    """pulumi-policy unwraps secrets before the pack sees them, so messages never echo a string's text."""
    permission = resource(
        "aws:lambda/permission:Permission",
        {"action": "lambda:InvokeFunction", "function": "fn", "principal": Secret("hunter2-principal")},
        "leaky-permission",
    )
    worker = function("worker", None, reservedConcurrentExecutions=Secret("hunter2-reservation"))
    messages = [d.message for r in (permission, worker) for d in pack.analyze(r).diagnostics]
    assert len(messages) == 2  # both are violations...
    assert not [m for m in messages if "hunter2" in m]  # ...that do not say what the secret is
