"""Every kind of front door over the Analyzer protocol: the pack process says what the rules say in-process."""

from __future__ import annotations

import json

import pytest

from abuse_guard.aws.types import HTTP_API, REST_API
from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Outcome
from abuse_guard.policies import BY_ID, POLICIES
from abuse_guard.resources import UNKNOWN, Resource
from tests.harness.analyzer import RunningPack, previewed, reported
from tests.protocol.examples import STACK, load_balancer_graph
from tests.support import resource

INVOKE = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:123456789012:function:hook/invocations"
)
OPEN_BODY = json.dumps(
    {
        "swagger": "2.0",
        "info": {"title": "api", "version": "1"},
        "paths": {
            "/{proxy+}": {
                "x-amazon-apigateway-any-method": {
                    "x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": INVOKE}
                }
            }
        },
    }
)

SHAPES: dict[str, tuple[Resource, str]] = {
    "open_body_operation": (resource(REST_API, {"name": "api", "body": OPEN_BODY}, "api"), "rest-method-authorization"),
    "body_unknown_at_preview": (
        resource(REST_API, {"name": "api", "body": UNKNOWN}, "api"),
        "rest-method-authorization",
    ),
    "quick_create_route": (
        resource(HTTP_API, {"protocolType": "HTTP", "target": "arn:aws:lambda:us-east-1:1:function:hook"}, "api"),
        "api-route-authorization",
    ),
    "quick_create_stage": (
        resource(HTTP_API, {"protocolType": "HTTP", "target": "arn:aws:lambda:us-east-1:1:function:hook"}, "api"),
        "stage-throttling",
    ),
}


@pytest.mark.parametrize(("shape", "policy_id"), SHAPES.values(), ids=list(SHAPES))
def test_each_new_shape_gets_the_in_process_verdict(pack: RunningPack, shape: Resource, policy_id: str) -> None:
    [expected] = [f for f in evaluate(POLICIES, [shape]) if f.policy == policy_id]
    said = [entry for entry in previewed(pack, [shape]) if entry.policy == policy_id]
    if expected.outcome is Outcome.FAIL:
        assert [(e.kind, e.message) for e in said] == [(Outcome.FAIL, expected.message)]
    elif expected.outcome is Outcome.PASS:
        assert said == []
    else:
        assert [e.kind for e in said] == [expected.outcome]


def test_a_rest_api_without_a_body_draws_nothing(pack: RunningPack) -> None:
    api = resource(REST_API, {"name": "api"}, "api")
    assert [e for e in reported(pack.analyze(api), api.urn) if e.kind is not Outcome.PASS] == []


def test_a_public_load_balancer_to_lambda_fails_over_analyze_stack(pack: RunningPack) -> None:
    graph = load_balancer_graph(internal=False, reserved=None)
    said = {(e.policy, e.urn) for e in reported(pack.analyze_stack(graph), STACK.urn) if e.kind is Outcome.FAIL}
    expected = {
        (f.policy, f.urn)
        for f in evaluate(POLICIES, graph)
        if f.outcome is Outcome.FAIL and BY_ID[f.policy].is_stack_policy
    }
    assert ("load-balancer-lambda-auth", graph[-1].urn) in said
    assert ("entrypoint-cost-budget", graph[-1].urn) in said
    assert said == expected
