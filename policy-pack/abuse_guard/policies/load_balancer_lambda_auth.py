"""An internet-facing load balancer authenticates callers before it forwards them to a Lambda function."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from ..aws import load_balancers
from ..aws.frontdoors import LOAD_BALANCER_DOOR_TYPES
from ..findings import Verdict, failed, passed, verdict_if_any
from ..graph import Graph
from ..policy import Policy, Settings
from ..resources import Resource


def judge(graph: Graph, resource: Resource) -> Verdict | None:
    forwards = load_balancers.forwarding(graph, resource)
    if forwards is None:
        return None  # it forwards to no Lambda target group: not a front door to a function
    groups = ", ".join(g.label for g in forwards.lambda_groups)
    balancer = forwards.load_balancer.label
    if not load_balancers.internet_facing(forwards.load_balancer):
        return passed(f"{resource.label} forwards to {groups} from internal {balancer}, reachable only in its VPC")
    if forwards.authenticated():
        return passed(f"{resource.label} authenticates callers before it forwards them to {groups}")
    lets_through = forwards.lets_through()
    if lets_through:
        return failed(
            f"{resource.label} of internet-facing {balancer} forwards to {groups} after {', '.join(lets_through)}, "
            "whose onUnauthenticatedRequest 'allow' forwards a caller who does not sign in to the target "
            "unauthenticated: anyone on the internet can invoke the function, with no throttle but its reserved "
            "concurrency; set on_unauthenticated_request to 'authenticate' (the default: redirect to sign in) or "
            "'deny' (answer 401), set internal=True on the load balancer, or exempt it in the policy config with "
            "the reason it must be public"
        )
    return failed(
        f"{resource.label} of internet-facing {balancer} forwards to {groups} with no authenticate-cognito, "
        "authenticate-oidc or jwt-validation action first: anyone on the internet can invoke the function, with "
        "no throttle but its reserved concurrency; add an authenticate action before the forward, set "
        "internal=True on the load balancer, or exempt it in the policy config with the reason it must be public"
    )


def check_stack(graph: Graph, settings: Settings) -> Iterator[tuple[Resource, Verdict]]:
    for resource in graph.of_type(*LOAD_BALANCER_DOOR_TYPES):
        verdict = verdict_if_any(partial(judge, graph, resource), resource.label)
        if verdict is not None:
            yield resource, verdict


POLICY = Policy(
    id="load-balancer-lambda-auth",
    title="Internet-facing load balancers authenticate callers before Lambda",
    description="Internet-facing load balancer listeners must authenticate callers before forwarding to Lambda.",
    severity="critical",
    enforcement="mandatory",
    resource_types=LOAD_BALANCER_DOOR_TYPES,
    rationale=(
        "An Application Load Balancer can invoke a Lambda function registered in a target group of type lambda. "
        "Unlike API Gateway it has no usage plans, API keys or throttles: an internet-facing listener that "
        "forwards to the function lets anyone call it as fast as the function's reserved concurrency allows "
        "(entrypoint-cost-budget prices that). A listener (its default actions) or listener rule (its "
        "actions) passes when an authenticate-cognito, authenticate-oidc or jwt-validation action comes before "
        "the forward, or when the load balancer is internal (internal=True). A sign-in action (cognito, oidc) with "
        "on_unauthenticated_request 'allow' does not count: the load balancer then forwards a caller who does not "
        "sign in to the target as it came (ELBv2 API AuthenticateOidcActionConfig, AuthenticateCognitoActionConfig; "
        "'authenticate', the default, redirects to sign in and 'deny' answers 401, so both keep such callers out). "
        "Links are read from the graph: "
        "the target groups its actions' inputs come from, their targetType, the load balancer its "
        "loadBalancerArn (a rule: its listener's) comes from. A listener that forwards to no Lambda target "
        "group gets no finding; a link or value not known until deployment makes it unknown. Both the aws:lb "
        "and the aws:alb tokens are checked. Listeners take the tag abuse-guard:exempt:load-balancer-lambda-auth."
    ),
    remediation=(
        "Authenticate before forwarding, or keep the load balancer internal:\n"
        "    aws.lb.Listener('https', load_balancer_arn=alb.arn, port=443, protocol='HTTPS',\n"
        "        certificate_arn=cert.arn, default_actions=[\n"
        "            {'type': 'authenticate-cognito', 'order': 1, 'authenticate_cognito': {\n"
        "                'user_pool_arn': pool.arn, 'user_pool_client_id': client.id,\n"
        "                'user_pool_domain': domain.domain}},\n"
        "            {'type': 'forward', 'order': 2, 'target_group_arn': lambda_targets.arn}])"
    ),
    check_stack=check_stack,
    references=(
        "Elastic Load Balancing: Lambda functions as targets",
        "Elastic Load Balancing: Authenticate users using an Application Load Balancer",
        "Elastic Load Balancing API Reference: AuthenticateOidcActionConfig, AuthenticateCognitoActionConfig",
    ),
    tags=("load-balancer", "lambda", "authorization", "public-access"),
)
