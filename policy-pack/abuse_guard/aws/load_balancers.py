"""Application load balancers in front of Lambda functions: which listeners are anonymous front doors.

An Application Load Balancer invokes a Lambda function registered in a target group of type `lambda`
(`aws:lb/targetGroup:TargetGroup` with targetType lambda, the function attached by an
`aws:lb/targetGroupAttachment:TargetGroupAttachment` whose targetId is its ARN). A listener's default
actions, and each listener rule's actions, forward requests to target groups; an `authenticate-cognito`,
`authenticate-oidc` or `jwt-validation` action must come before the forward for the load balancer to
authenticate callers. A load balancer that is not `internal` is internet-facing. The `aws:alb/...`
tokens are pulumi-aws aliases of the `aws:lb/...` ones.

Sources: Elastic Load Balancing User Guide for Application Load Balancers, "Lambda functions as
targets", "Listener rules" (action types and order), "Authenticate users using an Application Load
Balancer" and "Verify JWTs using an Application Load Balancer"; "Internet-facing and internal load
balancers".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..graph import Graph
from ..resources import UNKNOWN, Resource
from ..values import Malformed, Undetermined, flag, items, literal
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


@dataclass(frozen=True)
class Forwarding:
    """What one listener or listener rule does with a request, as far as Lambda targets go."""

    resource: Resource
    """The listener or listener rule."""
    load_balancer: Resource
    lambda_groups: tuple[Resource, ...]
    """The target groups of type lambda its forward actions reach."""
    authenticated: bool
    """Whether an authenticate-cognito, authenticate-oidc or jwt-validation action comes first."""


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
    types: list[str] = []
    for at, action in sorted(items(resource.props, key, at=resource.label), key=lambda pair: _order(pair[1])):
        kind = literal(action, "type")
        if kind is UNKNOWN:
            raise Undetermined(f"{at}.type")
        if not isinstance(kind, str):
            raise Malformed(f"{at}.type", "an action type", kind)
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
    authenticated = any(kind in AUTHENTICATING_ACTIONS for kind in types[:first_forward])
    return Forwarding(resource, load_balancer_of(graph, resource), tuple(lambda_groups), authenticated)


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
