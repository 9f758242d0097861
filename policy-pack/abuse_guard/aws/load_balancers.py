"""Application load balancers in front of Lambda functions: which listeners are anonymous front doors.

An Application Load Balancer invokes a Lambda function registered in a target group of type `lambda`
(`aws:lb/targetGroup:TargetGroup` with targetType lambda, the function attached by an
`aws:lb/targetGroupAttachment:TargetGroupAttachment` whose targetId is its ARN). A listener's default
actions, and each listener rule's actions, forward requests to target groups; an `authenticate-cognito`,
`authenticate-oidc` or `jwt-validation` action must come before the forward for the load balancer to
authenticate callers, and a sign-in action (cognito, oidc) keeps out only callers it does not let through:
with `onUnauthenticatedRequest: allow` it forwards a request that carries no session to the target as it came.
A load balancer that is not `internal` is internet-facing. The `aws:alb/...` tokens are pulumi-aws aliases of
the `aws:lb/...` ones.

Sources: Elastic Load Balancing User Guide for Application Load Balancers, "Lambda functions as
targets", "Listener rules" (action types and order), "Authenticate users using an Application Load
Balancer" and "Verify JWTs using an Application Load Balancer"; "Internet-facing and internal load
balancers"; Elastic Load Balancing API Reference (v2), AuthenticateOidcActionConfig and
AuthenticateCognitoActionConfig (OnUnauthenticatedRequest).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..graph import Graph
from ..resources import UNKNOWN, Resource
from ..values import Malformed, Undetermined, flag, items, literal, text
from .types import (
    LAMBDA_ALIAS,
    LAMBDA_FUNCTION,
    LISTENER_RULES,
    LISTENERS,
    LOAD_BALANCERS,
    TARGET_GROUP_ATTACHMENTS,
    TARGET_GROUPS,
)

AUTHENTICATING_ACTIONS = ("authenticate-cognito", "authenticate-oidc", "jwt-validation")
FORWARD = "forward"
SIGN_IN_CONFIG = {"authenticate-cognito": "authenticateCognito", "authenticate-oidc": "authenticateOidc"}
"""The sign-in actions and the block of each that holds onUnauthenticatedRequest (pulumi-aws ListenerDefaultAction /
ListenerRuleAction: authenticate_cognito, authenticate_oidc; ELBv2 API AuthenticateCognitoActionConfig,
AuthenticateOidcActionConfig)."""
UNAUTHENTICATED = ("deny", "allow", "authenticate")
"""onUnauthenticatedRequest (ELBv2 API AuthenticateOidcActionConfig, AuthenticateCognitoActionConfig): `deny` answers
401, `authenticate` (the default) redirects to the IdP's sign-in; `allow` forwards the request to the target
unauthenticated. jwt-validation has no such setting: a request without a valid token gets 401."""


@dataclass(frozen=True)
class Forwarding:
    """What one listener or listener rule does with a request, as far as Lambda targets go."""

    resource: Resource
    """The listener or listener rule."""
    load_balancer: Resource
    lambda_groups: tuple[Resource, ...]
    """The target groups of type lambda its forward actions reach."""
    guards: tuple[tuple[str, Any, str], ...] = ()
    """(label, action, type) of each authenticate-cognito, authenticate-oidc or jwt-validation action before the
    forward."""

    def lets_through(self) -> tuple[str, ...]:
        """Labels of the sign-in actions before the forward that forward unauthenticated requests (`allow`); one
        whose setting is not known yet or malformed is not listed (`authenticated` says so)."""
        found = []
        for at, action, kind in self.guards:
            try:
                if kind in SIGN_IN_CONFIG and lets_anyone_in(at, action, kind):
                    found.append(at)
            except (Undetermined, Malformed):
                continue
        return tuple(found)

    def authenticated(self) -> bool:
        """Whether an action before the forward turns away callers who do not authenticate: jwt-validation, or a
        sign-in action whose onUnauthenticatedRequest is not `allow`. Raises Malformed for a setting that is not one
        of UNAUTHENTICATED, Undetermined when the answer depends on one not known until deployment."""
        pending: Undetermined | None = None
        turns_away = False
        for at, action, kind in self.guards:
            try:
                turns_away |= kind not in SIGN_IN_CONFIG or not lets_anyone_in(at, action, kind)
            except Undetermined as error:
                pending = pending or error
        if pending is not None and not turns_away:
            raise pending
        return turns_away


def actions_key(resource: Resource) -> str:
    return "defaultActions" if resource.type in LISTENERS else "actions"


def load_balancer_of(graph: Graph, resource: Resource) -> Resource:
    """The load balancer of a listener or listener rule; Undetermined when it is not in the stack."""
    listener = resource
    if resource.type in LISTENER_RULES:
        listeners = [r for t in LISTENERS for r in graph.referenced(resource, "listenerArn", t)]
        if not listeners:
            raise Undetermined(f"{resource.label}.listenerArn", "comes from no listener in this stack")
        listener = listeners[0]
    found = [r for t in LOAD_BALANCERS for r in graph.referenced(listener, "loadBalancerArn", t)]
    if not found:
        raise Undetermined(f"{listener.label}.loadBalancerArn", "comes from no load balancer in this stack")
    return found[0]


def internet_facing(load_balancer: Resource) -> bool:
    """Not `internal` (absent means internet-facing, the AWS default); raises Undetermined when not known yet."""
    return not flag(load_balancer.props, "internal", at=load_balancer.label)


def forwarding(graph: Graph, resource: Resource) -> Forwarding | None:
    """What a listener or rule forwards to Lambda; None when it forwards to no target group of type lambda.

    Raises Undetermined when a link or a target type is not known yet, Malformed for actions that are not
    a list of objects with a type.
    """
    key = actions_key(resource)
    actions: list[tuple[str, Any]] = []
    types: list[str] = []
    for at, action in sorted(items(resource.props, key, at=resource.label), key=lambda pair: _order(pair[1])):
        kind = literal(action, "type")
        if kind is UNKNOWN:
            raise Undetermined(f"{at}.type")
        if not isinstance(kind, str):
            raise Malformed(f"{at}.type", "an action type", kind)
        actions.append((at, action))
        types.append(kind)
    if FORWARD not in types:
        return None
    groups = [g for t in TARGET_GROUPS for g in graph.referenced(resource, key, t)]
    lambda_groups = []
    for group in groups:
        target_type = literal(group.props, "targetType")
        if target_type is UNKNOWN:
            raise Undetermined(f"{group.label}.targetType")
        if target_type == "lambda":
            lambda_groups.append(group)
    if not lambda_groups:
        return None
    first_forward = types.index(FORWARD)
    guards = tuple((at, action, kind) for (at, action), kind in zip(actions[:first_forward], types, strict=False))
    return Forwarding(
        resource,
        load_balancer_of(graph, resource),
        tuple(lambda_groups),
        tuple(guard for guard in guards if guard[2] in AUTHENTICATING_ACTIONS),
    )


def lets_anyone_in(at: str, action: Any, kind: str) -> bool:
    """Whether a sign-in action forwards unauthenticated requests (onUnauthenticatedRequest `allow`, in any case: the
    provider validates the value ignoring case); raises Undetermined when the setting is not known until deployment,
    Malformed for another value."""
    label = f"{at}.{SIGN_IN_CONFIG[kind]}.onUnauthenticatedRequest"
    value = text(action, f"{SIGN_IN_CONFIG[kind]}.onUnauthenticatedRequest", at=at)
    if value is not None and value.lower() not in UNAUTHENTICATED:
        raise Malformed(label, "one of " + ", ".join(UNAUTHENTICATED), value, shown="another value")
    return value is not None and value.lower() == "allow"


def functions_of(graph: Graph, group: Resource) -> list[Resource]:
    """The Lambda functions attached to a target group (through an alias too)."""
    found: dict[str, Resource] = {}
    for attachment in (a for t in TARGET_GROUP_ATTACHMENTS for a in graph.referrers(group, t, "targetGroupArn")):
        for function in graph.referenced(attachment, "targetId", LAMBDA_FUNCTION):
            found[function.urn] = function
        for alias in graph.referenced(attachment, "targetId", LAMBDA_ALIAS):
            found.update((f.urn, f) for f in graph.referenced(alias, "functionName", LAMBDA_FUNCTION))
    return list(found.values())


def _order(action: Any) -> float:
    order = action.get("order") if isinstance(action, Mapping) else None
    return float(order) if isinstance(order, (int, float)) and not isinstance(order, bool) else float("inf")
