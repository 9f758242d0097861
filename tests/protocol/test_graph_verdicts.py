"""Graph-decided verdicts under the engine: the pack blocks or passes each shape exactly as the reports do.

Issue 19's shapes, each as a small stack in both directions, played as the engine plays a preview
(`previewed`: Analyze per resource, then AnalyzeStack) and compared with the offline evaluation of the same
resources and config: the (policy, URN, outcome) of every violation and unknown, and the level each violation
travels at. Before the gate-parity change the engine left the failing ones unknown or not-applicable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import pytest
from pulumi.runtime.proto import analyzer_pb2

from abuse_guard.aws.types import API_ROUTE, HTTP_API, LAMBDA_PERMISSION, REST_API, REST_METHOD
from abuse_guard.evaluate import DECIDED_WITH_THE_STACK, evaluate
from abuse_guard.findings import Outcome
from abuse_guard.policies import BY_ID, POLICIES
from abuse_guard.resources import UNKNOWN, Resource
from tests.harness.analyzer import LEVELS, PolicyConfig, RunningPack, previewed, reported
from tests.support import resource


def http_api(protocol: str, name: str = "api") -> Resource:
    extra = {"routeSelectionExpression": "$request.body.action"} if protocol == "WEBSOCKET" else {}
    return resource(HTTP_API, {"name": name, "protocolType": protocol, **extra}, name)


def route(api: Resource, key: str, name: str, **props: Any) -> Resource:
    """A route whose apiId is the API's id, not known until deployment (as at a first preview)."""
    return resource(
        API_ROUTE,
        {"apiId": UNKNOWN, "routeKey": key, **props},
        name,
        dependencies=(api.urn,),
        property_dependencies={"apiId": (api.urn,)},
    )


def default_route_stack(protocol: str, **route_props: Any) -> list[Resource]:
    """An API and its `$default` route (authorization NONE unless given)."""
    api = http_api(protocol)
    return [api, route(api, "$default", "catch-all", **({"authorizationType": "NONE"} | route_props))]


def websocket_stack(*keys: str) -> list[Resource]:
    """A WebSocket API with routes of these keys, $connect (if listed) requiring IAM."""
    api = http_api("WEBSOCKET", "chat")
    routes = [
        route(api, key, key.strip("$") or "route", authorizationType="AWS_IAM" if key == "$connect" else "NONE")
        for key in keys
    ]
    return [api, *routes]


def url_grant(principal: str = "*", auth: str = "NONE") -> list[Resource]:
    """A function URL grant in a stack without the URL (the URL made elsewhere)."""
    props = {
        "action": "lambda:InvokeFunctionUrl",
        "function": "arn:aws:lambda:us-east-1:123456789012:function:orders",
        "principal": principal,
        "functionUrlAuthType": auth,
    }
    return [resource(LAMBDA_PERMISSION, props, "orders-url-grant")]


def private_api_method(endpoint_type: str) -> list[Resource]:
    """A REST API of this endpoint type and an anonymous GET method on its root."""
    api_props: dict[str, Any] = {"name": "internal", "endpointConfiguration": {"types": [endpoint_type]}}
    if endpoint_type == "PRIVATE":
        api_props["policy"] = (
            '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke",'
            '"Resource":"execute-api:/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"}}}]}'
        )
    api = resource(REST_API, api_props, "internal")
    method = resource(
        REST_METHOD,
        {"restApi": UNKNOWN, "resourceId": UNKNOWN, "httpMethod": "GET", "authorization": "NONE"},
        "get-root",
        dependencies=(api.urn,),
        property_dependencies={"restApi": (api.urn,)},
    )
    return [api, method]


CASES: dict[str, tuple[list[Resource], str, Outcome]] = {
    # an HTTP API's catch-all route open to anyone: blocked at preview
    "http_default_route_open": (default_route_stack("HTTP"), "api-route-authorization", Outcome.FAIL),
    "http_default_route_with_iam": (
        default_route_stack("HTTP", authorizationType="AWS_IAM"),
        "api-route-authorization",
        Outcome.PASS,
    ),
    # a WebSocket API's $default route is authorized at $connect, not on itself: here the API, which has none, fails
    "websocket_default_route": (default_route_stack("WEBSOCKET"), "api-route-authorization", Outcome.FAIL),
    "websocket_default_route_behind_connect": (
        websocket_stack("$connect", "$default"),
        "api-route-authorization",
        Outcome.PASS,
    ),
    # API Gateway authorizes a WebSocket client once, at $connect (Developer Guide, "Controlling access to
    # WebSocket APIs"): routes without $connect let every client in
    "websocket_without_connect": (websocket_stack("sendMessage"), "api-route-authorization", Outcome.FAIL),
    "websocket_with_connect": (websocket_stack("$connect", "sendMessage"), "api-route-authorization", Outcome.PASS),
    # the companion grant makes the function public through any NONE URL, made here or elsewhere (Lambda
    # Developer Guide, "Control access to function URLs")
    "url_grant_without_its_url": (url_grant(), "lambda-permission-scope", Outcome.FAIL),
    "iam_url_grant_to_an_account": (url_grant("123456789012", "AWS_IAM"), "lambda-permission-scope", Outcome.PASS),
    # a PRIVATE API is reached only through the VPC endpoints its resource policy admits
    "private_api_open_method": (private_api_method("PRIVATE"), "rest-method-authorization", Outcome.PASS),
    "regional_api_open_method": (private_api_method("REGIONAL"), "rest-method-authorization", Outcome.FAIL),
}


def engine_says(pack: RunningPack, stack: Sequence[Resource], policy_id: str) -> set[tuple[str, Outcome]]:
    """The (URN, outcome) of each violation and unknown the pack reports for the policy over a preview of `stack`."""
    said = previewed(pack, stack)
    return {(e.urn, e.kind) for e in said if e.policy == policy_id and e.kind in (Outcome.FAIL, Outcome.UNKNOWN)}


def offline_says(
    stack: Sequence[Resource], policy_id: str, config: Mapping[str, Mapping[str, Any]] | None = None
) -> set[tuple[str, Outcome]]:
    return {
        (f.urn, f.outcome)
        for f in evaluate(POLICIES, stack, config)
        if f.policy == policy_id and f.outcome in (Outcome.FAIL, Outcome.UNKNOWN)
    }


@pytest.fixture(autouse=True)
def defaults(pack: RunningPack) -> None:
    pack.configure({})


@pytest.mark.parametrize(("stack", "policy_id", "expected"), CASES.values(), ids=list(CASES))
def test_the_engine_decides_as_the_reports(
    pack: RunningPack, stack: list[Resource], policy_id: str, expected: Outcome
) -> None:
    offline = [f for f in evaluate(POLICIES, stack) if f.policy == policy_id]
    assert Outcome.FAIL in {f.outcome for f in offline} or expected is not Outcome.FAIL
    assert {f.outcome for f in offline} >= {expected} or expected is Outcome.PASS
    said = engine_says(pack, stack, policy_id)
    assert said == offline_says(stack, policy_id)
    assert (expected is Outcome.FAIL) == any(kind is Outcome.FAIL for _, kind in said)


def test_analyze_says_decided_with_the_stack_and_analyze_stack_names_the_resource(pack: RunningPack) -> None:
    api, catch_all = default_route_stack("HTTP")
    [alone] = [e for e in reported(pack.analyze(catch_all), catch_all.urn) if e.policy == "api-route-authorization"]
    assert alone.kind is Outcome.NOT_APPLICABLE and alone.message.startswith(DECIDED_WITH_THE_STACK)
    response = pack.analyze_stack([api, catch_all])
    [violation] = [d for d in response.diagnostics if d.policyName == "api-route-authorization"]
    assert violation.urn == catch_all.urn
    assert violation.enforcementLevel == LEVELS[BY_ID["api-route-authorization"].enforcement]


EXEMPT_CATCH_ALL = {"exemptions": [{"resource": "catch-all", "reason": "public health check"}]}


@pytest.mark.parametrize(
    ("config", "level"),
    [
        ({"api-route-authorization": ("advisory", {})}, analyzer_pb2.ADVISORY),
        ({"api-route-authorization": ("remediate", {})}, analyzer_pb2.MANDATORY),
        ({"api-route-authorization": ("mandatory", EXEMPT_CATCH_ALL)}, None),
        ({"api-route-authorization": ("disabled", {})}, None),
    ],
    ids=["advisory", "remediate", "exempt", "disabled"],
)
def test_levels_and_exemptions_hold_at_analyze_stack(
    pack: RunningPack, config: dict[str, PolicyConfig], level: int | None
) -> None:
    """At `remediate` a stack-time violation is mandatory (pulumi-policy: stack policies cannot remediate); an
    exemption or a disabled policy leaves nothing to report."""
    stack = default_route_stack("HTTP")
    pack.configure(config)
    said = [
        d
        for d in [*pack.analyze(stack[1]).diagnostics, *pack.analyze_stack(stack).diagnostics]
        if d.policyName == "api-route-authorization"
    ]
    assert [d.enforcementLevel for d in said] == ([] if level is None else [level])


def test_an_exemption_is_the_reports_exemption() -> None:
    [found] = [
        f
        for f in evaluate(POLICIES, default_route_stack("HTTP"), {"api-route-authorization": EXEMPT_CATCH_ALL})
        if f.policy == "api-route-authorization"
    ]
    assert found.outcome is Outcome.EXEMPT


def test_a_grants_own_exemption_holds_without_its_url(pack: RunningPack) -> None:
    grant = url_grant()
    exempt = {"exemptions": [{"resource": "orders-url-grant", "reason": "the URL is a public webhook"}]}
    pack.configure({"lambda-permission-scope": ("mandatory", exempt)})
    assert engine_says(pack, grant, "lambda-permission-scope") == set()


def test_an_exemption_at_analyze_leaves_the_verdict_to_the_stack(pack: RunningPack) -> None:
    """Exempt whatever the graph says; what it would be without the exemption is not guessed from the API alone."""
    stack = websocket_stack("sendMessage")
    pack.configure({"api-route-authorization": ("mandatory", {"exemptions": [{"resource": "chat", "reason": "demo"}]})})
    [said] = [e for e in reported(pack.analyze(stack[0]), stack[0].urn) if e.policy == "api-route-authorization"]
    assert said.kind is Outcome.EXEMPT
    assert said.message.startswith("exempt: demo (policy config exemption 'chat'); without it: decided with the stack")
    assert engine_says(pack, stack, "api-route-authorization") == set()


def test_a_disabled_policys_exemptions_cover_nothing(pack: RunningPack) -> None:
    """A public URL exempt in lambda-function-url-auth covers its companion grant only while that policy runs: the
    offline preview leaves a disabled policy out, and so does the pack."""
    fn = resource("aws:lambda/function:Function", {"name": "orders", "reservedConcurrentExecutions": 1}, "orders")
    url = resource(
        "aws:lambda/functionUrl:FunctionUrl",
        {"functionName": "orders", "authorizationType": "NONE"},
        "orders-url",
        property_dependencies={"functionName": (fn.urn,)},
    )
    [grant] = url_grant()
    grant = replace(grant, props={**grant.props, "function": "orders"}, property_dependencies={"function": (fn.urn,)})
    stack = [fn, url, grant]
    exempt = {"exemptions": [{"resource": "orders-url", "reason": "public webhook"}]}
    pack.configure({"lambda-function-url-auth": ("disabled", exempt)})
    enabled = [p for p in POLICIES if p.id != "lambda-function-url-auth"]
    offline = {(f.urn, f.outcome) for f in evaluate(enabled, stack) if f.policy == "lambda-permission-scope"}
    assert engine_says(pack, stack, "lambda-permission-scope") == offline == {(grant.urn, Outcome.FAIL)}
    pack.configure({"lambda-function-url-auth": ("mandatory", exempt)})
    assert engine_says(pack, stack, "lambda-permission-scope") == set()
