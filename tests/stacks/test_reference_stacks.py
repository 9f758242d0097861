"""The reference stacks under the offline preview: `compliant` passes, `insecure` fails exactly as designed.

Every anti-pattern in stacks/anti_patterns.py is one resource that exactly one policy fails. The
compliant stack's unknowns are the IDs and ARNs API Gateway assigns at deployment; replaced by
deployed-looking values they all pass, so none of them hides a fail.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Finding, Outcome
from abuse_guard.offline import program, record
from abuse_guard.offline.project import load_project, load_stack
from abuse_guard.pipeline import preview
from abuse_guard.policies import POLICIES
from abuse_guard.resources import UNKNOWN, Resource
from abuse_guard.run import Run

REPO = Path(__file__).resolve().parents[2]

# (policy, resource) -> what the anti-pattern is
INSECURE_FAILS = {
    ("lambda-reserved-concurrency", "unreserved-worker"): "function without reserved concurrency",
    ("account-concurrency-headroom", "abuse-guard-demo-insecure"): "batch-import reserves 900 on top of the rest",
    ("lambda-function-url-auth", "items-public-url"): "public function URL",
    ("lambda-permission-scope", "refresh-cache-any-caller"): "permission for principal '*'",
    ("rest-method-authorization", "webhook-status-get"): "method without authorization or API key",
    ("rest-stage-protected", "webhook-canary"): "stage without */* throttle or usage plan",
    ("usage-plan-limits", "unmetered-plan"): "usage plan without quota",
    ("api-route-authorization", "items-health"): "HTTP route without authorization",
    ("stage-throttling", "items-beta"): "HTTP API stage without throttling",
}

# What the anti-patterns cost elsewhere: (policy, resource) -> why. The unthrottled HTTP stage items-beta
# (stage-throttling's anti-pattern) opens every route of the items API to the account's 10,000 requests/s,
# so each route's worst case breaches the $100 budget of entrypoint-cost-budget: the same anti-pattern
# caught a second time, on the entrypoints whose bill it raises.
KNOCK_ON_FAILS = {
    ("entrypoint-cost-budget", "items-get-items"): "route reachable through the unthrottled stage 'beta'",
    ("entrypoint-cost-budget", "items-post-items"): "route reachable through the unthrottled stage 'beta'",
    ("entrypoint-cost-budget", "items-health"): "route reachable through the unthrottled stage 'beta'",
}

# What API Gateway assigns at deployment, so these are unknown at any first preview.
DEPLOYMENT_UNKNOWNS = {
    ("lambda-permission-scope", "webhook-invoke"): ("sourceArn", "arn:aws:execute-api:us-east-1:111122223333:a1/*/*"),
    ("lambda-permission-scope", "items-invoke"): ("sourceArn", "arn:aws:execute-api:us-east-1:111122223333:b2/*/*"),
    ("lambda-permission-scope", "live-invoke"): ("sourceArn", "arn:aws:execute-api:us-east-1:111122223333:c3/*"),
    ("lambda-permission-scope", "live-authorize"): (
        "sourceArn",
        "arn:aws:execute-api:us-east-1:111122223333:c3/authorizers/*",
    ),
    ("api-route-authorization", "items-get-items"): ("authorizerId", "jwt0001"),
    ("api-route-authorization", "items-post-items"): ("authorizerId", "jwt0001"),
    ("api-route-authorization", "live-connect"): ("authorizerId", "req0001"),
}

COMPLIANT_RESOURCES = Counter(
    {
        "pulumi:pulumi:Stack": 1,
        "abuse-guard-demo:index:ProtectedRestEndpoint": 1,
        "abuse-guard-demo:index:JwtHttpApi": 1,
        "abuse-guard-demo:index:AuthorizedWebSocketApi": 1,
        "aws:iam/role:Role": 1,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
        "aws:lambda/function:Function": 5,
        "aws:lambda/functionUrl:FunctionUrl": 1,
        "aws:lambda/permission:Permission": 4,
        "aws:apigateway/restApi:RestApi": 1,
        "aws:apigateway/resource:Resource": 1,
        "aws:apigateway/method:Method": 1,
        "aws:apigateway/integration:Integration": 1,
        "aws:apigateway/deployment:Deployment": 1,
        "aws:apigateway/stage:Stage": 1,
        "aws:apigateway/methodSettings:MethodSettings": 1,
        "aws:apigateway/usagePlan:UsagePlan": 1,
        "aws:apigateway/apiKey:ApiKey": 1,
        "aws:apigateway/usagePlanKey:UsagePlanKey": 1,
        "aws:cognito/userPool:UserPool": 1,
        "aws:cognito/userPoolClient:UserPoolClient": 1,
        "aws:apigatewayv2/api:Api": 2,
        "aws:apigatewayv2/authorizer:Authorizer": 2,
        "aws:apigatewayv2/integration:Integration": 2,
        "aws:apigatewayv2/route:Route": 5,
        "aws:apigatewayv2/stage:Stage": 2,
    }
)
INSECURE_ADDS = Counter(
    {
        "aws:lambda/function:Function": 2,
        "aws:lambda/functionUrl:FunctionUrl": 1,
        "aws:lambda/permission:Permission": 1,
        "aws:apigateway/resource:Resource": 1,
        "aws:apigateway/method:Method": 1,
        "aws:apigateway/stage:Stage": 1,
        "aws:apigateway/usagePlan:UsagePlan": 1,
        "aws:apigatewayv2/route:Route": 1,
        "aws:apigatewayv2/stage:Stage": 1,
    }
)


@pytest.fixture(scope="module")
def compliant() -> Run:
    return preview(REPO, "compliant")


@pytest.fixture(scope="module")
def insecure() -> Run:
    return preview(REPO, "insecure")


def outcomes(run: Run, outcome: Outcome) -> set[tuple[str, str]]:
    return {(f.policy, f.name) for f in run.findings if f.outcome is outcome}


def test_compliant_stack_has_no_fail(compliant: Run) -> None:
    assert outcomes(compliant, Outcome.FAIL) == set()


def test_compliant_unknowns_are_only_what_deployment_assigns(compliant: Run) -> None:
    assert outcomes(compliant, Outcome.UNKNOWN) == set(DEPLOYMENT_UNKNOWNS)


def deployed(resource: Resource, value_at: dict[str, str]) -> Resource:
    """The resource as a preview after deployment sees it: the assigned values known."""
    props: dict[str, Any] = dict(resource.props)
    for key, value in value_at.items():
        assert props[key] is UNKNOWN, f"{resource.name}.{key} was expected to be unknown at first preview"
        props[key] = value
    return replace(resource, props=props)


def test_no_compliant_unknown_hides_a_fail() -> None:
    project = load_project(REPO)
    resources = [r.resource for r in record(program(project, load_stack(project, "compliant")))]
    known: dict[str, dict[str, str]] = {}
    for (_, name), (key, value) in DEPLOYMENT_UNKNOWNS.items():
        known.setdefault(name, {})[key] = value
    after_deployment = [deployed(r, known[r.name]) if r.name in known else r for r in resources]
    findings = evaluate(POLICIES, after_deployment)
    assert {f.outcome for f in findings} <= {Outcome.PASS, Outcome.NOT_APPLICABLE}
    assert {(f.policy, f.name) for f in findings if f.outcome is Outcome.PASS} >= set(DEPLOYMENT_UNKNOWNS)


def test_insecure_stack_fails_exactly_the_anti_patterns(insecure: Run) -> None:
    assert outcomes(insecure, Outcome.FAIL) == set(INSECURE_FAILS) | set(KNOCK_ON_FAILS)


@pytest.mark.parametrize(("policy", "name"), list(INSECURE_FAILS), ids=list(INSECURE_FAILS.values()))
def test_each_anti_pattern_is_caught_by_its_policy_alone(insecure: Run, policy: str, name: str) -> None:
    on_resource: list[Finding] = [f for f in insecure.findings if f.name == name]
    fails = [f for f in on_resource if f.outcome is Outcome.FAIL and (f.policy, f.name) not in KNOCK_ON_FAILS]
    assert [(f.policy, f.outcome) for f in fails] == [(policy, Outcome.FAIL)]


def test_knock_on_fails_name_the_anti_pattern_behind_them(insecure: Run) -> None:
    messages = {(f.policy, f.name): f.message for f in insecure.findings if (f.policy, f.name) in KNOCK_ON_FAILS}
    assert set(messages) == set(KNOCK_ON_FAILS)
    assert all("no throttle on stage 'beta'" in message for message in messages.values())


def test_insecure_is_compliant_plus_the_anti_patterns(compliant: Run, insecure: Run) -> None:
    assert outcomes(insecure, Outcome.UNKNOWN) == outcomes(compliant, Outcome.UNKNOWN)
    assert outcomes(insecure, Outcome.PASS) >= outcomes(compliant, Outcome.PASS) - {
        ("account-concurrency-headroom", "abuse-guard-demo-compliant"),
        *KNOCK_ON_FAILS,
    }


@pytest.mark.parametrize(
    ("stack", "expected"),
    [("compliant", COMPLIANT_RESOURCES), ("insecure", COMPLIANT_RESOURCES + INSECURE_ADDS)],
    ids=["compliant", "insecure"],
)
def test_every_registered_resource_is_in_the_run(
    compliant: Run, insecure: Run, stack: str, expected: Counter[str]
) -> None:
    run = compliant if stack == "compliant" else insecure
    assert Counter(r.type for r in run.resources) == expected
    assert {f.urn for f in run.findings} <= {r.urn for r in run.resources}


def test_every_policy_has_something_to_check_in_the_compliant_stack(compliant: Run) -> None:
    checked = {f.policy for f in compliant.findings if f.outcome is not Outcome.NOT_APPLICABLE}
    assert checked == {p.id for p in POLICIES}
