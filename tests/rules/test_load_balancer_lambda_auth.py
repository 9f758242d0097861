"""load-balancer-lambda-auth: which actions before the forward keep anonymous callers away from the function.

Sources: Elastic Load Balancing API Reference (v2), AuthenticateOidcActionConfig and AuthenticateCognitoActionConfig,
OnUnauthenticatedRequest: `deny` answers 401, `authenticate` (the default) redirects to the IdP, `allow` forwards the
request to the target; "Verify JWTs using an Application Load Balancer" (jwt-validation answers 401 without a valid
token); issue 20, item 4.
"""

from __future__ import annotations

from typing import Any

import pytest

from abuse_guard.aws.types import LISTENERS, LOAD_BALANCERS, TARGET_GROUP_ATTACHMENTS, TARGET_GROUPS
from abuse_guard.evaluate import evaluate_stack
from abuse_guard.findings import Finding, Outcome
from abuse_guard.graph import Graph
from abuse_guard.policies.load_balancer_lambda_auth import POLICY
from abuse_guard.resources import UNKNOWN, Resource
from tests.cost.graphs import function, linked
from tests.support import resource

OIDC = {
    "authorizationEndpoint": "https://idp.example.com/authorize",
    "clientId": "client",
    "clientSecret": UNKNOWN,
    "issuer": "https://idp.example.com",
    "tokenEndpoint": "https://idp.example.com/token",
    "userInfoEndpoint": "https://idp.example.com/userinfo",
}
COGNITO = {"userPoolArn": UNKNOWN, "userPoolClientId": UNKNOWN, "userPoolDomain": UNKNOWN}
FORWARD = {"type": "forward", "order": 9.0, "targetGroupArn": UNKNOWN}


def oidc(order: float = 1.0, **settings: Any) -> dict[str, Any]:
    return {"type": "authenticate-oidc", "order": order, "authenticateOidc": {**OIDC, **settings}}


def cognito(order: float = 1.0, **settings: Any) -> dict[str, Any]:
    return {"type": "authenticate-cognito", "order": order, "authenticateCognito": {**COGNITO, **settings}}


def jwt(order: float = 2.0) -> dict[str, Any]:
    return {"type": "jwt-validation", "order": order, "jwtValidation": {"issuer": "https://idp.example.com"}}


def listener_graph(*actions: dict[str, Any], internal: bool = False) -> list[Resource]:
    """An ALB whose listener runs `actions`, then forwards to a Lambda target group (links as at a first preview)."""
    fn = function("handler", reserved=5.0)
    alb = resource(LOAD_BALANCERS[0], {"internal": internal, "loadBalancerType": "application"}, "alb")
    group = resource(TARGET_GROUPS[0], {"targetType": "lambda"}, "lambda-targets")
    attachment = linked(TARGET_GROUP_ATTACHMENTS[0], {}, "attach", targetGroupArn=group, targetId=fn)
    listener = resource(
        LISTENERS[0],
        {"loadBalancerArn": UNKNOWN, "port": 443.0, "defaultActions": [*actions, FORWARD]},
        "https",
        property_dependencies={"loadBalancerArn": (alb.urn,), "defaultActions": (group.urn,)},
    )
    return [fn, alb, group, attachment, listener]


def verdict(graph: list[Resource]) -> Finding:
    [found] = evaluate_stack(POLICY, Graph(graph), POLICY.settings(None))
    return found


# (the listener's actions before its forward, the verdict the ELBv2 semantics call for)
CASES: dict[str, tuple[list[Resource], Outcome]] = {
    # issue 20 item 4: onUnauthenticatedRequest "allow" forwards a caller who does not sign in to the target
    "oidc_allow_lets_anyone_in": (listener_graph(oidc(onUnauthenticatedRequest="allow")), Outcome.FAIL),
    "cognito_allow_lets_anyone_in": (listener_graph(cognito(onUnauthenticatedRequest="allow")), Outcome.FAIL),
    # the provider validates the value ignoring case (terraform-provider-aws lb listener: enum.ValidateIgnoreCase)
    "oidc_allow_in_capitals": (listener_graph(oidc(onUnauthenticatedRequest="ALLOW")), Outcome.FAIL),
    "oidc_deny_answers_401": (listener_graph(oidc(onUnauthenticatedRequest="deny")), Outcome.PASS),
    "oidc_authenticate_redirects": (listener_graph(oidc(onUnauthenticatedRequest="authenticate")), Outcome.PASS),
    "oidc_default_is_authenticate": (listener_graph(oidc()), Outcome.PASS),
    "cognito_default_is_authenticate": (listener_graph(cognito()), Outcome.PASS),
    # a later action that turns callers away still does: JWT validation answers 401 without a valid token
    "oidc_allow_then_jwt_validation": (listener_graph(oidc(onUnauthenticatedRequest="allow"), jwt()), Outcome.PASS),
    "oidc_allow_then_cognito_deny": (
        listener_graph(oidc(onUnauthenticatedRequest="allow"), cognito(2.0, onUnauthenticatedRequest="deny")),
        Outcome.PASS,
    ),
    "oidc_setting_unknown_at_preview": (listener_graph(oidc(onUnauthenticatedRequest=UNKNOWN)), Outcome.UNKNOWN),
    "oidc_setting_unknown_but_jwt_validation_after": (
        listener_graph(oidc(onUnauthenticatedRequest=UNKNOWN), jwt()),
        Outcome.PASS,
    ),
    "oidc_setting_malformed": (listener_graph(oidc(onUnauthenticatedRequest="open")), Outcome.FAIL),
    "oidc_allow_on_an_internal_load_balancer": (
        listener_graph(oidc(onUnauthenticatedRequest="allow"), internal=True),
        Outcome.PASS,
    ),
    # an authenticate action after the forward does not run before it (ELB "Listener rules": action order)
    "oidc_after_the_forward": (listener_graph(oidc(10.0)), Outcome.FAIL),
}


@pytest.mark.parametrize(("graph", "expected"), CASES.values(), ids=list(CASES))
def test_load_balancer_lambda_auth(graph: list[Resource], expected: Outcome) -> None:
    assert verdict(graph).outcome is expected


def test_an_allow_action_is_named_with_its_fix() -> None:
    message = verdict(CASES["oidc_allow_lets_anyone_in"][0]).message
    assert (
        "after Listener 'https'.defaultActions[0], whose onUnauthenticatedRequest 'allow' forwards a caller" in message
    )
    assert "set on_unauthenticated_request to 'authenticate' (the default: redirect to sign in) or 'deny'" in message


def test_an_unknown_setting_is_named() -> None:
    message = verdict(CASES["oidc_setting_unknown_at_preview"][0]).message
    assert "defaultActions[0].authenticateOidc.onUnauthenticatedRequest is not known" in message
