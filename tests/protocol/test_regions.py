"""Issue 11, item 6 through the pack as the engine runs it: pools and prices by the provider each resource uses.

The engine sends each resource with its provider (AnalyzerProviderResource: type, URN, name and the provider's
inputs, which hold `region`; pulumi/pkg/resource/deploy/step_generator.go, AnalyzeResources), and the provider
resources themselves are among an AnalyzeStack request's resources. The default provider's inputs are the
stack's `aws:*` config. The pack must give the verdicts the rules give in-process.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, StackValidationArgs, StackValidationPolicy
from pulumi_policy.policy import _PolicyAnalyzerServicer

from abuse_guard.aws.types import LAMBDA_FUNCTION, LAMBDA_FUNCTION_URL
from abuse_guard.crossguard import decode
from abuse_guard.evaluate import evaluate_stack
from abuse_guard.findings import Outcome
from abuse_guard.graph import Graph
from abuse_guard.policies import BY_ID
from abuse_guard.resources import ProviderRef, Resource
from tests.harness.analyzer import RunningPack, analyzer_resource, reported
from tests.protocol.examples import STACK, function
from tests.support import resource

PROVIDER = "pulumi:providers:aws"
HEADROOM = BY_ID["account-concurrency-headroom"]
COST = BY_ID["entrypoint-cost-budget"]


def provider(name: str, **inputs: Any) -> tuple[Resource, ProviderRef]:
    """A provider resource as the request lists it, and the provider as the engine sends it with each resource."""
    found = resource(PROVIDER, inputs, name, parent=STACK.urn)
    return found, ProviderRef(found.urn, inputs)


EAST, EAST_REF = provider("east", region="us-east-1")
WEST, WEST_REF = provider("west", region="eu-west-1")
DEFAULT, DEFAULT_REF = provider("default_7_0_0", region="eu-west-1", skipCredentialsValidation="false")
"""The default provider, its region the stack's aws:region config."""


def reserving(name: str, amount: float, on: ProviderRef) -> Resource:
    return replace(function(name, amount), provider=on)


# name -> (the request's resources, the outcome the rule gives in-process)
HEADROOM_CASES: dict[str, tuple[list[Resource], Outcome]] = {
    "two_explicit_providers_two_regions_each_under_its_floor": (
        [STACK, EAST, WEST, reserving("a", 600.0, EAST_REF), reserving("b", 600.0, WEST_REF)],
        Outcome.PASS,
    ),
    "two_explicit_providers_one_region_over": (
        [STACK, EAST, WEST, reserving("a", 950.0, EAST_REF), reserving("b", 600.0, WEST_REF)],
        Outcome.FAIL,
    ),
    "default_provider_region_from_config_beside_an_explicit_one": (
        [STACK, EAST, DEFAULT, reserving("a", 600.0, EAST_REF), reserving("b", 600.0, DEFAULT_REF)],
        Outcome.PASS,
    ),
    "default_provider_and_an_explicit_one_in_its_region": (
        [STACK, WEST, DEFAULT, reserving("a", 600.0, WEST_REF), reserving("b", 600.0, DEFAULT_REF)],
        Outcome.FAIL,
    ),
    # the provider sent with each resource is enough, as it is in an Analyze request: no provider resource listed
    "providers_sent_with_the_resources_only": (
        [STACK, reserving("a", 600.0, EAST_REF), reserving("b", 600.0, WEST_REF)],
        Outcome.PASS,
    ),
}


@pytest.mark.parametrize(("graph", "expected"), HEADROOM_CASES.values(), ids=list(HEADROOM_CASES))
def test_headroom_pools_over_analyze_stack(pack: RunningPack, graph: list[Resource], expected: Outcome) -> None:
    [finding] = evaluate_stack(HEADROOM, Graph(graph), HEADROOM.settings(None))
    assert finding.outcome is expected
    said = [e for e in reported(pack.analyze_stack(graph)) if e.policy == HEADROOM.id]
    failing = [(HEADROOM.id, STACK.urn, Outcome.FAIL, finding.message)] if expected is Outcome.FAIL else []
    assert [(e.policy, e.urn, e.kind, e.message) for e in said] == failing


EU, EU_REF = provider("eu", region="eu-central-1")
REGION_PRICES = {"eu-central-1": {"lambdaRequestPricePerMillion": 0.30, "lambdaGbSecondPrice": 0.00002}}


def url_graph(on: ProviderRef, name: str) -> list[Resource]:
    """A function URL on a function reserving 2 (10 s, 1,024 MB), both on `on`."""
    fn = replace(function(name, 2.0, timeout=10.0, memorySize=1024.0), provider=on)
    url = resource(
        LAMBDA_FUNCTION_URL,
        {"authorizationType": "AWS_IAM", "functionName": fn.props.get("name", "")},
        f"{name}-url",
        parent=STACK.urn,
        property_dependencies={"functionName": (fn.urn,)},
    )
    return [fn, replace(url, provider=on)]


@pytest.fixture
def priced(pack: RunningPack) -> Iterator[RunningPack]:
    pack.configure({COST.id: (COST.enforcement, {**COST.defaults(), "regionPrices": REGION_PRICES})})
    try:
        yield pack
    finally:
        pack.configure({})


def test_a_mixed_provider_graph_is_priced_by_region_over_analyze_stack(priced: RunningPack) -> None:
    """Both URLs cost $96.77 at us-east-1's prices; at the configured eu-central-1 prices the one there costs
    51,840,000 x $0.30/1e6 + 5,184,000 GB-s x $0.00002 = $119.23, over the $100 budget (tests/cost/test_regions.py)."""
    graph = [STACK, EU, EAST, *url_graph(EU_REF, "eu-worker"), *url_graph(EAST_REF, "us-worker")]
    settings = COST.settings({"regionPrices": REGION_PRICES})
    expected = [
        (COST.id, f.urn, Outcome.FAIL, f.message)
        for f in evaluate_stack(COST, Graph(graph), settings)
        if f.outcome is Outcome.FAIL
    ]
    assert [urn.rsplit("::", 1)[-1] for _, urn, _, _ in expected] == ["eu-worker-url"]
    assert "$119.23/month" in expected[0][3]
    said = [e for e in reported(priced.analyze_stack(graph)) if e.policy == COST.id]
    assert [(e.policy, e.urn, e.kind, e.message) for e in said] == expected


def captured_stack_resources(request: analyzer_pb2.AnalyzeStackRequest) -> Sequence[Any]:
    built: list[Any] = []

    def capture(args: StackValidationArgs, report_violation: Any) -> None:
        built.extend(args.resources)

    policy = StackValidationPolicy(name="capture", description="d", validate=capture)
    _PolicyAnalyzerServicer("capture", "0.0.1", [policy], EnforcementLevel.ADVISORY).AnalyzeStack(request, None)
    return built


def test_the_shared_decoding_reads_providers_as_pulumi_policy_builds_them() -> None:
    """Both ways into the pack (one decoding per request, and pulumi-policy's own objects) see the same provider."""
    graph = [STACK, EAST, reserving("a", 5.0, EAST_REF), reserving("b", 5.0, DEFAULT_REF)]
    request = analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_resource(r) for r in graph])
    ours = decode.resources_from_request(request)
    theirs = [decode.resource_from_policy_resource(r) for r in captured_stack_resources(request)]
    assert ours == theirs
    assert [r.provider for r in ours] == [None, None, EAST_REF, DEFAULT_REF]
    assert ours[2].type == LAMBDA_FUNCTION
