"""Multi-language components: what the offline preview cannot check, said as an unknown finding on each.

A component registered with `remote=True` (pulumi_aws_apigateway.RestAPI, the awsx components, any
component written in another language) is built by its provider plugin inside the engine: its child
resources never reach the program, so the offline preview cannot see them, let alone check them. It
is never passed as clean: each one gets an UNKNOWN finding of the pseudo-policy COMPONENTS_POLICY,
saying what it would create (for the components listed here), which of our policies check those
resource types, and how to check them for real: `pulumi preview --policy-pack`, or the report from
that preview's event log or from the deployed stack's state.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..aws.types import LAMBDA_PERMISSION, REST_API, REST_STAGE
from ..evaluate import in_scope
from ..findings import Finding, Outcome
from ..policies import POLICIES
from ..run import PolicyInfo
from .runtime import Registration

COMPONENTS_POLICY = PolicyInfo(
    id="multi-language-components",
    title="Multi-language components are checked under the engine",
    description=(
        "A component built by its provider plugin (remote=True) creates resources the offline preview cannot see; "
        "they are checked by pulumi preview --policy-pack, not offline."
    ),
    severity="high",
    enforcement="advisory",
    remediation=(
        "Check the stack with the engine: pulumi preview --policy-pack <your pack dir> --event-log events.ndjson, "
        "then abuse-guard report --input events.ndjson (or --input a pulumi stack export after pulumi up)."
    ),
)
"""The pseudo-policy of the offline preview's findings on multi-language components (offline only)."""

CREATES: dict[str, tuple[str, tuple[str, ...]]] = {
    "aws-apigateway:index:RestAPI": (
        "an API Gateway REST API whose routes are an OpenAPI body, its deployment and stage, and a Lambda "
        "permission per route handler (pulumi-aws-apigateway)",
        (REST_API, REST_STAGE, LAMBDA_PERMISSION),
    ),
    "awsx:ec2:Vpc": ("a VPC with its subnets, route tables, internet gateway and NAT gateways (pulumi-awsx)", ()),
    "awsx:ec2:DefaultVpc": ("a reference to the region's default VPC and its subnets (pulumi-awsx)", ()),
    "awsx:lb:ApplicationLoadBalancer": (
        "an application load balancer with its security group, listeners and target group (pulumi-awsx)",
        (),
    ),
    "awsx:lb:NetworkLoadBalancer": ("a network load balancer with its listeners and target group (pulumi-awsx)", ()),
    "awsx:ecs:FargateService": ("an ECS Fargate service and its task definition (pulumi-awsx)", ()),
    "awsx:ecs:EC2Service": ("an ECS service on EC2 and its task definition (pulumi-awsx)", ()),
    "awsx:ecr:Repository": ("an ECR repository with its lifecycle policy (pulumi-awsx)", ()),
    "awsx:ecr:Image": ("a container image built and pushed to ECR (pulumi-awsx)", ()),
    "awsx:cloudtrail:Trail": ("a CloudTrail trail with its S3 bucket and log group (pulumi-awsx)", ()),
}
"""What known multi-language components create, and the resource types of it that our policies check."""


def unchecked(registrations: Iterable[Registration]) -> list[Finding]:
    """One UNKNOWN finding of COMPONENTS_POLICY per multi-language component."""
    return [_finding(r) for r in registrations if r.remote]


def _finding(registration: Registration) -> Finding:
    resource = registration.resource
    what, types = CREATES.get(resource.type, ("the resources its provider plugin registers", ()))
    checking = [p.id for p in POLICIES if any(in_scope(p, t) for t in types)]
    checked = f", which {', '.join(checking)} check" if checking else ""
    message = (
        f"{resource.label} is a multi-language component ({resource.type}): it creates {what}{checked}; its provider "
        "plugin builds them under the engine, so the offline preview cannot see or check them. Check them with "
        "`pulumi preview --policy-pack <your pack dir>`, or with `abuse-guard report --input` on that preview's "
        "--event-log file or on `pulumi stack export` after `pulumi up`"
    )
    return Finding(COMPONENTS_POLICY.id, resource.urn, resource.type, resource.name, Outcome.UNKNOWN, message)
