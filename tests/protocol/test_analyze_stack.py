"""AnalyzeStack with a resource graph whose links are property dependencies on unknown IDs."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.secret import Secret

from abuse_guard.aws.types import REST_API, REST_METHOD, REST_STAGE
from abuse_guard.evaluate import evaluate_stack
from abuse_guard.findings import Outcome
from abuse_guard.graph import Graph
from abuse_guard.policies import BY_ID, POLICIES
from abuse_guard.resources import UNKNOWN, Resource
from tests.harness.analyzer import LEVELS, RunningPack, reported
from tests.protocol.examples import STACK, STACK_EXAMPLES, function, rest_api_graph, stage_settings
from tests.support import resource

STACK_POLICIES = {p.id for p in POLICIES if p.is_stack_policy}


@pytest.mark.parametrize("policy_id", list(STACK_EXAMPLES))
def test_passing_graph_draws_nothing_from_its_policy(pack: RunningPack, policy_id: str) -> None:
    passing, _ = STACK_EXAMPLES[policy_id]
    said = reported(pack.analyze_stack(passing), STACK.urn)
    assert [entry for entry in said if entry.policy == policy_id] == []


@pytest.mark.parametrize("policy_id", list(STACK_EXAMPLES))
def test_failing_graph_is_reported_on_the_resource_to_fix(pack: RunningPack, policy_id: str) -> None:
    policy = BY_ID[policy_id]
    _, failing = STACK_EXAMPLES[policy_id]
    response = pack.analyze_stack(failing)
    expected = [
        (policy_id, f.urn, Outcome.FAIL, f.message)
        for f in evaluate_stack(policy, Graph(failing), policy.settings(None))
        if f.outcome is Outcome.FAIL
    ]
    assert expected
    assert [entry for entry in reported(response) if entry.policy == policy_id] == expected
    levels = {d.enforcementLevel for d in response.diagnostics if d.policyName == policy_id}
    assert levels == {LEVELS[policy.enforcement]}


def whole_stack(*, reserved: float | None, api_key_required: object) -> list[Resource]:
    """Stack, REST API, method, stage, usage plan, stage-wide settings and two functions."""
    graph = list(rest_api_graph(throttled=True))
    graph = [
        replace(r, props={**r.props, "apiKeyRequired": api_key_required}) if r.name == "get-items" else r for r in graph
    ]
    return [*graph, function("api-handler", reserved), function("worker", 5.0)]


def test_resource_policies_are_silent_in_analyze_stack(pack: RunningPack) -> None:
    """Where every resource decides its own verdict (here: nothing is unknown or graph-dependent)."""
    said = reported(pack.analyze_stack(whole_stack(reserved=5.0, api_key_required=True)))
    assert {entry.policy for entry in said} <= STACK_POLICIES


def test_a_protected_stack_draws_nothing(pack: RunningPack) -> None:
    response = pack.analyze_stack(whole_stack(reserved=5.0, api_key_required=True))
    assert list(response.diagnostics) == []
    assert list(response.not_applicable) == []


def test_violations_carry_the_urn_of_the_resource(pack: RunningPack) -> None:
    graph = [r for r in whole_stack(reserved=900.0, api_key_required=True) if r.name != "prod-all"]
    said = reported(pack.analyze_stack(graph))
    stage = next(r for r in graph if r.name == "prod")
    assert {(entry.policy, entry.urn, entry.kind) for entry in said} == {
        ("rest-stage-protected", stage.urn, Outcome.FAIL),
        ("account-concurrency-headroom", STACK.urn, Outcome.FAIL),
    }


def test_unknowns_are_advisories_each_on_its_resource(pack: RunningPack) -> None:
    """Whether the method needs an API key is unknown and no plan lists the stages: both stages are unknown, and
    so is the method (its policy decides it with the stack), each on its own URN, as Analyze reports an unknown."""
    graph = [r for r in whole_stack(reserved=UNKNOWN, api_key_required=UNKNOWN) if r.name != "partner"]
    api = next(r for r in graph if r.type == REST_API)
    staging = resource(
        REST_STAGE,
        {"restApi": UNKNOWN, "deployment": UNKNOWN, "stageName": "staging"},
        "staging",
        property_dependencies={"restApi": (api.urn,)},
    )
    graph += [staging, stage_settings(50.0, 100.0, "staging-all", stageName=(staging.urn,))]
    response = pack.analyze_stack(graph)
    assert {d.enforcementLevel for d in response.diagnostics} == {analyzer_pb2.ADVISORY}
    assert all(
        d.message.startswith(f"can't run policy '{d.policyName}' from policy pack ") for d in response.diagnostics
    )
    stages = {r.urn for r in graph if r.type == REST_STAGE}
    methods = {r.urn for r in graph if r.type == REST_METHOD}
    assert len(stages) == 2 and len(methods) == 1
    assert {(d.policyName, d.urn) for d in response.diagnostics} == {
        *(("rest-stage-protected", urn) for urn in stages),
        *(("rest-method-authorization", urn) for urn in methods),
        ("account-concurrency-headroom", STACK.urn),
    }


def test_a_secret_never_travels_in_a_message(pack: RunningPack) -> None:
    """pulumi-policy hands the policies secret values unwrapped; what the pack answers shows each secret string of
    the request as [secret], at AnalyzeStack and at Analyze (here a function URL names its function by a secret)."""
    url = resource(
        "aws:lambda/functionUrl:FunctionUrl",
        {"functionName": Secret("hunter2-secret-name"), "authorizationType": "NONE"},
        "url",
    )
    said = [*pack.analyze_stack([url]).diagnostics, *pack.analyze(url).diagnostics]
    assert said and all("hunter2" not in d.message for d in said)
    assert any("[secret]" in d.message for d in said)
