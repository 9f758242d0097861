"""Issue 11's cases, taken from public reports against peer tools, through the pack as the engine runs it.

Each case is one small input; the pack process must give the verdict the rule gives in-process, and that
verdict is the one AWS's documented semantics call for (named in each case's comment).
"""

from __future__ import annotations

from typing import Any

import pytest

from abuse_guard.aws.types import API_ROUTE, LAMBDA_PERMISSION, REST_INTEGRATION, REST_METHOD
from abuse_guard.evaluate import evaluate_stack
from abuse_guard.findings import Outcome
from abuse_guard.graph import Graph
from abuse_guard.policies import BY_ID
from abuse_guard.resources import UNKNOWN, Resource
from tests.harness.analyzer import RunningPack, previewed, reported
from tests.protocol.examples import STACK, function
from tests.support import resource

GRANT = {"action": "lambda:InvokeFunction", "function": "webhook"}

# (policy, resource, the verdict AWS's semantics call for)
RESOURCE_CASES: dict[str, tuple[str, Resource, Outcome]] = {
    # 1. a bucket ARN names no account (AWS Config lambda-function-public-access-prohibited, Security Hub Lambda.1)
    "s3_bucket_arn_without_source_account": (
        "lambda-permission-scope",
        resource(LAMBDA_PERMISSION, {**GRANT, "principal": "s3.amazonaws.com", "sourceArn": "arn:aws:s3:::uploads"}),
        Outcome.FAIL,
    ),
    # 2. an ARN whose account field is a wildcard matches every account
    "sns_arn_with_wildcard_account": (
        "lambda-permission-scope",
        resource(LAMBDA_PERMISSION, {**GRANT, "principal": "sns.amazonaws.com", "sourceArn": "arn:aws:sns:*:*:*"}),
        Outcome.FAIL,
    ),
    "sns_arn_wildcard_after_the_account": (
        "lambda-permission-scope",
        resource(
            LAMBDA_PERMISSION,
            {**GRANT, "principal": "sns.amazonaws.com", "sourceArn": "arn:aws:sns:us-east-1:123456789012:*"},
        ),
        Outcome.PASS,
    ),
    # 3. CORS preflight on an HTTP API with an authorizer (API Gateway guide, "Configuring CORS for an HTTP API"):
    # not-applicable, decided with the stack (the route's API says its protocol), where the engine's protocol has no
    # per-resource not-applicable: nothing is reported, no violation and no unknown
    "http_cors_preflight_route": (
        "api-route-authorization",
        resource(API_ROUTE, {"apiId": UNKNOWN, "routeKey": "OPTIONS /{proxy+}", "authorizationType": "NONE"}),
        Outcome.PASS,
    ),
    # 4. WebSocket APIs support API keys and usage plans
    "websocket_connect_with_api_key": (
        "api-route-authorization",
        resource(
            API_ROUTE, {"apiId": UNKNOWN, "routeKey": "$connect", "authorizationType": "NONE", "apiKeyRequired": True}
        ),
        Outcome.PASS,
    ),
    # 7. a link assigned at deployment, to no authorizer of the stack, stays unknown at preview
    "authorizer_id_from_an_authorizer_alone": (
        "rest-method-authorization",
        resource(
            REST_METHOD,
            {"restApi": UNKNOWN, "httpMethod": "GET", "authorization": "CUSTOM", "authorizerId": UNKNOWN},
        ),
        Outcome.UNKNOWN,
    ),
}


@pytest.mark.parametrize(("policy_id", "shape", "expected"), RESOURCE_CASES.values(), ids=list(RESOURCE_CASES))
def test_reported_case_over_analyze(pack: RunningPack, policy_id: str, shape: Resource, expected: Outcome) -> None:
    said = [e for e in previewed(pack, [shape]) if e.policy == policy_id]
    assert [e.kind for e in said] == ([] if expected is Outcome.PASS else [expected])


def asynchronous_graph(invocation_type: Any) -> tuple[Resource, ...]:
    """5. A 300 s function behind a REST integration of type AWS; 'Event' invokes it asynchronously."""
    fn = function("worker", 1.0, timeout=300.0)
    parameters = (
        {} if invocation_type is None else {"integration.request.header.X-Amz-Invocation-Type": invocation_type}
    )
    integration = resource(
        REST_INTEGRATION,
        {"httpMethod": "POST", "type": "AWS", "uri": UNKNOWN, "requestParameters": parameters},
        "worker-integration",
        parent=STACK.urn,
        property_dependencies={"uri": (fn.urn,)},
    )
    return (STACK, fn, integration)


@pytest.mark.parametrize(
    ("invocation_type", "expected"),
    [("'Event'", Outcome.NOT_APPLICABLE), (None, Outcome.FAIL), ("'RequestResponse'", Outcome.FAIL)],
    ids=["asynchronous", "synchronous_by_default", "synchronous"],
)
def test_asynchronous_integrations_over_analyze_stack(
    pack: RunningPack, invocation_type: Any, expected: Outcome
) -> None:
    graph = asynchronous_graph(invocation_type)
    policy = BY_ID["lambda-timeout-behind-rest-api"]
    [finding] = evaluate_stack(policy, Graph(graph), policy.settings(None))
    assert finding.outcome is expected
    said = [e for e in reported(pack.analyze_stack(graph), STACK.urn) if e.policy == policy.id]
    assert [e.kind for e in said] == ([Outcome.FAIL] if expected is Outcome.FAIL else [])
