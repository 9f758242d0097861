"""The reference stacks under the offline preview: `compliant` passes, `insecure` fails exactly as designed.

Every anti-pattern in stacks/anti_patterns.py is one resource that exactly one policy fails. The
compliant stack has no unknown in the default (deployed) outputs model; at a first preview only the
OpenAPI bodies built from function ARNs are unknown. The IDs and ARNs AWS assigns at deployment are
unknown to the engine's per-resource check and pass in the stack-level evaluation, which sees where
they come from; replaced by deployed-looking values they pass too, so none of them hides a fail.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from abuse_guard.evaluate import evaluate, evaluate_resource
from abuse_guard.findings import Finding, Outcome
from abuse_guard.offline import FIRST_PREVIEW, Options, program, record
from abuse_guard.offline.project import load_project, load_stack
from abuse_guard.pipeline import preview
from abuse_guard.policies import BY_ID, POLICIES
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
    ("rest-method-authorization", "open-orders-api"): "OpenAPI body operation without security",
    ("api-route-authorization", "quick-api"): "HTTP API quick create: an open $default route",
    ("stage-throttling", "quick-api"): "HTTP API quick create: an unthrottled $default stage",
    ("load-balancer-lambda-auth", "public-http"): "internet-facing load balancer to Lambda, no authentication",
}

# What the anti-patterns cost elsewhere: (policy, resource) -> why. The unthrottled HTTP stage items-beta
# (stage-throttling's anti-pattern) opens every route of the items API to the account's 10,000 requests/s,
# so each route's worst case breaches the $100 budget of entrypoint-cost-budget: the same anti-pattern
# caught a second time, on the entrypoints whose bill it raises.
KNOCK_ON_FAILS = {
    ("entrypoint-cost-budget", "items-get-items"): "route reachable through the unthrottled stage 'beta'",
    ("entrypoint-cost-budget", "items-post-items"): "route reachable through the unthrottled stage 'beta'",
    ("entrypoint-cost-budget", "items-health"): "route reachable through the unthrottled stage 'beta'",
    ("entrypoint-cost-budget", "quick-api"): "quick create's $default stage, which nothing throttles",
}

# What AWS assigns at deployment: unknown to the engine's per-resource check at a first preview.
DEPLOYMENT_UNKNOWNS = {
    ("lambda-permission-scope", "webhook-invoke"): ("sourceArn", "arn:aws:execute-api:us-east-1:111122223333:a1/*/*"),
    ("lambda-permission-scope", "exports-invoke"): ("sourceArn", "arn:aws:execute-api:us-east-1:111122223333:d4/*/*"),
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
# At a first preview, OpenAPI bodies built from a function's invoke ARN are unknown as a whole.
FIRST_PREVIEW_UNKNOWNS = {
    ("rest-method-authorization", "orders-api"),
    ("entrypoint-cost-budget", "orders-api"),
    ("api-route-authorization", "catalog-api"),
    ("entrypoint-cost-budget", "catalog-api"),
}

COMPLIANT_RESOURCES = Counter(
    {
        "pulumi:pulumi:Stack": 1,
        "abuse-guard-demo:index:ProtectedRestEndpoint": 1,
        "abuse-guard-demo:index:JwtHttpApi": 1,
        "abuse-guard-demo:index:AuthorizedWebSocketApi": 1,
        "abuse-guard-demo:index:OpenApiRestEndpoint": 1,
        "abuse-guard-demo:index:OpenApiHttpApi": 1,
        "abuse-guard-demo:index:LambdaBehindLoadBalancer": 1,
        "abuse-guard-demo:index:ProxyRestApi": 1,
        "aws:iam/role:Role": 1,
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 1,
        "aws:lambda/function:Function": 9,
        "aws:lambda/functionUrl:FunctionUrl": 1,
        "aws:lambda/permission:Permission": 8,
        "aws:apigateway/restApi:RestApi": 3,
        "aws:apigateway/resource:Resource": 2,
        "aws:apigateway/method:Method": 3,
        "aws:apigateway/integration:Integration": 3,
        "aws:apigateway/deployment:Deployment": 3,
        "aws:apigateway/stage:Stage": 3,
        "aws:apigateway/methodSettings:MethodSettings": 3,
        "aws:apigateway/usagePlan:UsagePlan": 2,
        "aws:apigateway/apiKey:ApiKey": 2,
        "aws:apigateway/usagePlanKey:UsagePlanKey": 2,
        "aws:cognito/userPool:UserPool": 1,
        "aws:cognito/userPoolClient:UserPoolClient": 1,
        "aws:apigatewayv2/api:Api": 3,
        "aws:apigatewayv2/authorizer:Authorizer": 2,
        "aws:apigatewayv2/integration:Integration": 2,
        "aws:apigatewayv2/route:Route": 5,
        "aws:apigatewayv2/stage:Stage": 3,
        "aws:ec2/vpc:Vpc": 1,
        "aws:ec2/subnet:Subnet": 2,
        "aws:ec2/securityGroup:SecurityGroup": 1,
        "aws:lb/loadBalancer:LoadBalancer": 1,
        "aws:lb/targetGroup:TargetGroup": 1,
        "aws:lb/targetGroupAttachment:TargetGroupAttachment": 1,
        "aws:lb/listener:Listener": 1,
    }
)
INSECURE_ADDS = Counter(
    {
        # unreserved-worker, batch-import, open-orders, quick, public-alb-echo
        "aws:lambda/function:Function": 5,
        "aws:lambda/functionUrl:FunctionUrl": 1,
        # refresh-cache-any-caller and the grants of the open OpenAPI API, quick create and the public ALB
        "aws:lambda/permission:Permission": 4,
        "aws:apigateway/resource:Resource": 1,
        "aws:apigateway/method:Method": 1,
        # webhook-canary, and the open OpenAPI API's stage
        "aws:apigateway/stage:Stage": 2,
        "aws:apigateway/usagePlan:UsagePlan": 1,
        "aws:apigatewayv2/route:Route": 1,
        "aws:apigatewayv2/stage:Stage": 1,
        "abuse-guard-demo:index:OpenApiRestEndpoint": 1,
        "aws:apigateway/restApi:RestApi": 1,
        "aws:apigateway/deployment:Deployment": 1,
        "aws:apigateway/methodSettings:MethodSettings": 1,
        "aws:apigatewayv2/api:Api": 1,
        "abuse-guard-demo:index:LambdaBehindLoadBalancer": 1,
        "aws:ec2/vpc:Vpc": 1,
        "aws:ec2/subnet:Subnet": 2,
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/securityGroup:SecurityGroup": 1,
        "aws:lb/loadBalancer:LoadBalancer": 1,
        "aws:lb/targetGroup:TargetGroup": 1,
        "aws:lb/targetGroupAttachment:TargetGroupAttachment": 1,
        "aws:lb/listener:Listener": 1,
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


def test_compliant_has_no_unknown_in_the_deployed_model(compliant: Run) -> None:
    assert outcomes(compliant, Outcome.UNKNOWN) == set()


def test_at_a_first_preview_only_bodies_built_from_outputs_are_unknown() -> None:
    run = preview(REPO, "compliant", options=Options(outputs=FIRST_PREVIEW))
    assert outcomes(run, Outcome.UNKNOWN) == FIRST_PREVIEW_UNKNOWNS
    assert outcomes(run, Outcome.FAIL) == set()


def first_preview_resources() -> list[Resource]:
    project = load_project(REPO)
    return [
        r.resource for r in record(program(project, load_stack(project, "compliant")), Options(outputs=FIRST_PREVIEW))
    ]


def test_links_assigned_at_deployment_pass_in_the_stack_evaluation_and_are_unknown_alone() -> None:
    """Issue 11, item 7: an authorizerId from an Authorizer, a sourceArn from an API's execution ARN."""
    resources = first_preview_resources()
    by_name = {r.name: r for r in resources}
    in_stack = {(f.policy, f.name): f.outcome for f in evaluate(POLICIES, resources)}
    for policy_id, name in DEPLOYMENT_UNKNOWNS:
        policy = BY_ID[policy_id]
        alone = evaluate_resource(policy, by_name[name], policy.settings(None))
        assert alone is not None and alone.outcome is Outcome.UNKNOWN, (policy_id, name)
        assert in_stack[policy_id, name] is Outcome.PASS, (policy_id, name)


def deployed(resource: Resource, value_at: dict[str, str]) -> Resource:
    """The resource as a preview after deployment sees it: the assigned values known."""
    props: dict[str, Any] = dict(resource.props)
    for key, value in value_at.items():
        assert props[key] is UNKNOWN, f"{resource.name}.{key} was expected to be unknown at first preview"
        props[key] = value
    return replace(resource, props=props)


def test_no_compliant_unknown_hides_a_fail() -> None:
    resources = first_preview_resources()
    known: dict[str, dict[str, str]] = {}
    for (_, name), (key, value) in DEPLOYMENT_UNKNOWNS.items():
        known.setdefault(name, {})[key] = value
    after_deployment = [deployed(r, known[r.name]) if r.name in known else r for r in resources]
    findings = evaluate(POLICIES, after_deployment)
    assert {(f.policy, f.name) for f in findings if f.outcome is Outcome.UNKNOWN} == FIRST_PREVIEW_UNKNOWNS
    assert {f.outcome for f in findings} <= {Outcome.PASS, Outcome.NOT_APPLICABLE, Outcome.UNKNOWN}
    by_name = {r.name: r for r in after_deployment}
    for policy_id, name in DEPLOYMENT_UNKNOWNS:  # alone, as the engine's per-resource check sees them
        policy = BY_ID[policy_id]
        alone = evaluate_resource(policy, by_name[name], policy.settings(None))
        assert alone is not None and alone.outcome is Outcome.PASS, (policy_id, name)


def test_insecure_stack_fails_exactly_the_anti_patterns(insecure: Run) -> None:
    assert outcomes(insecure, Outcome.FAIL) == set(INSECURE_FAILS) | set(KNOCK_ON_FAILS)


@pytest.mark.parametrize(("policy", "name"), list(INSECURE_FAILS), ids=list(INSECURE_FAILS.values()))
def test_each_anti_pattern_is_caught_by_its_policy_alone(insecure: Run, policy: str, name: str) -> None:
    """Quick create is one resource with two anti-patterns (its route and its stage): each has its policy."""
    intended = {p for p, n in INSECURE_FAILS if n == name}
    on_resource: list[Finding] = [f for f in insecure.findings if f.name == name]
    fails = [f for f in on_resource if f.outcome is Outcome.FAIL and (f.policy, f.name) not in KNOCK_ON_FAILS]
    assert policy in intended
    assert sorted(f.policy for f in fails) == sorted(intended)


def test_knock_on_fails_name_the_anti_pattern_behind_them(insecure: Run) -> None:
    messages = {(f.policy, f.name): f.message for f in insecure.findings if (f.policy, f.name) in KNOCK_ON_FAILS}
    assert set(messages) == set(KNOCK_ON_FAILS)
    for (policy, name), message in messages.items():
        stage = "$default" if name == "quick-api" else "beta"
        assert f"no throttle on stage '{stage}'" in message, (policy, name)


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


# -- the aws-native stacks (issue 14) ---------------------------------------------------------------

NATIVE_INSECURE_FAILS = {
    ("lambda-reserved-concurrency", "native-unreserved"): "aws-native function with no reservation",
    ("lambda-function-url-auth", "native-public-url"): "aws-native public function URL",
    ("rest-method-authorization", "native-open-get"): "aws-native method without authorization or API key",
}
# the public URL's function has no reservation, so the account pool is all that bounds its bill
NATIVE_KNOCK_ON_FAILS = {("entrypoint-cost-budget", "native-public-url")}


@pytest.fixture(scope="module")
def native() -> Run:
    return preview(REPO, "native")


@pytest.fixture(scope="module")
def native_insecure() -> Run:
    return preview(REPO, "native-insecure")


def test_the_native_stack_passes_clean(native: Run) -> None:
    assert outcomes(native, Outcome.FAIL) == set()
    assert outcomes(native, Outcome.UNKNOWN) == set()
    native_types = {r.type for r in native.resources if r.type.startswith("aws-native:")}
    assert {f.type for f in native.findings} >= native_types - {
        "aws-native:apigateway:Resource",
        "aws-native:apigateway:Deployment",
        "aws-native:apigateway:ApiKey",
        "aws-native:apigateway:UsagePlanKey",
        "aws-native:apigatewayv2:Authorizer",
        "aws-native:apigatewayv2:Integration",
        "aws-native:apigatewayv2:Api",
        "aws-native:apigateway:RestApi",
    }


def test_the_native_stack_links_a_pulumi_aws_permission_to_an_aws_native_function(native: Run) -> None:
    [grant] = [f for f in native.findings if f.name == "native-webhook-invoke"]
    assert (grant.type, grant.outcome) == ("aws:lambda/permission:Permission", Outcome.PASS)
    bounds = {b.name: (b.type, b.function) for b in native.entrypoints}
    assert bounds == {
        "native-webhook-method": ("aws-native:apigateway:Method", "native-refresh-cache"),
        "native-items-get-items": ("aws-native:apigatewayv2:Route", "native-items"),
        "native-report-url": ("aws-native:lambda:Url", "native-report"),
        # issue 20: the root and the proxy method each with its own embedded integration
        "native-exports-proxy": ("aws-native:apigateway:Method", "native-exports"),
        "native-exports-root": ("aws-native:apigateway:Method", "native-exports"),
    }


def test_native_insecure_fails_exactly_its_anti_patterns(native_insecure: Run) -> None:
    assert outcomes(native_insecure, Outcome.FAIL) == set(NATIVE_INSECURE_FAILS) | NATIVE_KNOCK_ON_FAILS
    for policy, name in NATIVE_INSECURE_FAILS:
        fails = {f.policy for f in native_insecure.findings if f.name == name and f.outcome is Outcome.FAIL}
        assert fails - {p for p, n in NATIVE_KNOCK_ON_FAILS if n == name} == {policy}
