"""Every API stage throttles all its callers, keyed or not, within the configured maxima."""

from __future__ import annotations

from functools import partial
from typing import Any

from ..aws.frontdoors import quick_created
from ..aws.throttles import STAGE_KEYS, TURNED_OFF, Maxima, check_method_settings, maxima, read, violations
from ..aws.types import HTTP_API, HTTP_STAGE, METHOD_SETTINGS
from ..findings import Verdict, all_of, failed, unless
from ..policy import Policy, Settings
from ..resources import Resource
from ..shared_config import MAX_STAGE_RATE
from ..values import items, mapping

SENT_AS_ZERO = (
    "-1 turns throttling off, and the provider sends a value left out of a settings block as 0, which rejects "
    "every request"
)
"""pulumi/pulumi-aws#2363: an HTTP/WebSocket settings block without throttle values rejects every request."""


def check_http_stage(resource: Resource, bounds: Maxima) -> Verdict:
    """An HTTP/WebSocket stage throttles through defaultRouteSettings; each route entry must restate it.

    The default and each route entry are judged on their own: one not known at preview hides nothing.
    """
    return all_of(
        f"API Gateway v2 stage '{resource.name}'",
        partial(default_route, resource, bounds),
        partial(route_overrides, resource, bounds),
    )


def default_route(stage: Resource, bounds: Maxima) -> Verdict:
    block = mapping(stage.props, "defaultRouteSettings")
    throttle = read(block or {}, STAGE_KEYS, at="defaultRouteSettings", partial=True)
    problems = violations(throttle, bounds, TURNED_OFF if block is None else SENT_AS_ZERO)
    return unless(problems, f"throttles its routes at {throttle.describe()}")


def route_overrides(stage: Resource, bounds: Maxima) -> Verdict:
    return all_of(
        "", *(partial(route_override, at, route, bounds) for at, route in items(stage.props, "routeSettings"))
    )


def route_override(at: str, route: Any, bounds: Maxima) -> Verdict:
    throttle = read(route, STAGE_KEYS, at=at, partial=True)
    return unless(violations(throttle, bounds, SENT_AS_ZERO), f"{at} overrides it with {throttle.describe()}")


def check(resource: Resource, settings: Settings) -> Verdict | None:
    if resource.type == HTTP_API:
        if not quick_created(resource):
            return None  # its stages are Stage resources, each checked on its own
        return failed(
            f"API Gateway v2 API '{resource.name}' is made by quick create (target), so AWS auto-deploys a $default "
            "stage with no throttling, limited only by the account's quota; replace target with an "
            "aws.apigatewayv2.Integration, Route and Stage(default_route_settings={'throttling_rate_limit': ..., "
            "'throttling_burst_limit': ...})"
        )
    if resource.type == METHOD_SETTINGS:
        return check_method_settings(resource, maxima(settings))
    return check_http_stage(resource, maxima(settings))


def remediate(resource: Resource, settings: Settings) -> dict[str, dict[str, Any]] | None:
    """Give an HTTP/WebSocket stage the configured default route throttle where a value is unset.

    Unset is absent or -1; a value the user set (0 or above the maximum) stays theirs to correct, and
    the block's other settings are kept. Both defaults must be within the maxima or nothing is set:
    the provider sends a value left out of the block as 0, so half a throttle rejects every request.
    REST `*/*` MethodSettings are not remediated: there the stage throttle caps all API keys of
    every usage plan together, and its right size depends on the plans, which one resource's
    Remediate call cannot see.
    """
    rate, burst = settings["remediationRateLimit"], settings["remediationBurstLimit"]
    bounds = maxima(settings)
    if resource.type != HTTP_STAGE or rate > bounds.rate or burst > bounds.burst:
        return None
    block = mapping(resource.props, "defaultRouteSettings") or {}
    throttle = read(resource.props, STAGE_KEYS, "defaultRouteSettings")
    fills: dict[str, float] = {}
    if throttle.rate is None:
        fills[STAGE_KEYS.rate] = rate
    if throttle.burst is None:
        fills[STAGE_KEYS.burst] = burst
    return {"defaultRouteSettings": {**block, **fills}} if fills else None


POLICY = Policy(
    id="stage-throttling",
    title="API stages throttle every caller",
    description="API stages must throttle all their callers within the configured maxima.",
    severity="high",
    enforcement="mandatory",
    resource_types=(METHOD_SETTINGS, HTTP_STAGE, HTTP_API),
    rationale=(
        "REST API stage-wide MethodSettings ('*/*') and HTTP/WebSocket API stages (defaultRouteSettings) must"
        " set throttlingRateLimit and throttlingBurstLimit above 0 and, by default, at most 1000 requests/s a"
        "nd a burst of 2000; per-method and per-route overrides must stay within the same maxima. "
        "A stage throttle caps what all callers of a stage together can send, with or without an API key; "
        "usage plans only limit keyed callers one by one. Without it a stage is limited only by the account's "
        "regional API Gateway quota (10,000 requests/s, burst 5,000 by default, shared by every API), and "
        "each request that gets through is a billed Lambda invocation. A webhook sender firing 100 calls at "
        "once lands them all on the backend; a burst limit turns the excess into 429s the sender retries. The "
        "default maxima (1000 requests/s, burst 2000) keep one stage to a tenth of the account quota and to "
        "what the default Lambda concurrency pool of 1,000 can absorb at about one second per call; lower "
        "them for stages that need less. For REST APIs the '*/*' MethodSettings is the stage-wide throttle and "
        "must set both values: -1, what the provider fills in for an unset value, turns throttling off. A rate "
        "without a burst still caps the steady rate, but lets as many requests at once as the account's burst "
        "(5,000 by default, shared by every API of the Region); a burst without a rate limits nothing; the fail "
        "says which. An aws-native Deployment's stage_description throttles the stage it creates, and its "
        "messages name stage_description and its throttling_rate_limit and throttling_burst_limit. A "
        "MethodSettings for one method (e.g. 'pets/GET') may leave a value unset or -1: it then inherits the "
        "stage-wide value, which rest-stage-protected requires; values it does set must be within the "
        "maxima. For HTTP/WebSocket APIs defaultRouteSettings must set both values, and every routeSettings "
        "entry must set both too, because the provider sends a value left out of a settings block as 0 "
        "(pulumi/pulumi-aws#2363). An HTTP API made by quick create (target) fails: AWS auto-deploys its $default "
        "stage with no throttling and nothing in the program can set one. 0 fails everywhere: it rejects every "
        "request, which is an outage, not a throttle; exempt a stage that is closed on purpose. MethodSettings "
        "have no tags: exempt them in the "
        "policy config; v2 stages also take the tag abuse-guard:exempt:stage-throttling. At enforcement level "
        "remediate an HTTP/WebSocket stage gets the configured default route throttle (100 requests/s, burst "
        "200) for each value that is absent or -1. A REST '*/*' MethodSettings is not remediated: the stage "
        "throttle caps all API keys of its usage plans together, so its size is a decision about the plans "
        "sold on that stage, which one resource's remediation cannot see."
    ),
    remediation=(
        "Throttle the whole stage:\n"
        "    aws.apigateway.MethodSettings('all-methods', rest_api=api.id, stage_name=stage.stage_name,\n"
        "        method_path='*/*', settings={'throttling_rate_limit': 100, 'throttling_burst_limit': 200})\n"
        "    aws.apigatewayv2.Stage('default', api_id=http_api.id, name='$default', auto_deploy=True,\n"
        "        default_route_settings={'throttling_rate_limit': 100, 'throttling_burst_limit': 200})"
    ),
    config={
        "maxRateLimit": {
            "type": "number",
            "exclusiveMinimum": 0,
            "default": MAX_STAGE_RATE,
            "description": "Largest steady rate (requests/s) a stage, method or route throttle may allow.",
        },
        "maxBurstLimit": {
            "type": "integer",
            "minimum": 1,
            "default": 2000,
            "description": "Largest burst (requests at once) a stage, method or route throttle may allow.",
        },
        "remediationRateLimit": {
            "type": "number",
            "exclusiveMinimum": 0,
            "default": 100,
            "description": (
                "At enforcement level remediate: defaultRouteSettings.throttlingRateLimit given to an HTTP/WebSocket "
                "stage where it is absent or -1 (nothing is set if either default is above its maximum)."
            ),
        },
        "remediationBurstLimit": {
            "type": "integer",
            "minimum": 1,
            "default": 200,
            "description": (
                "At enforcement level remediate: defaultRouteSettings.throttlingBurstLimit given to an HTTP/WebSocket "
                "stage where it is absent or -1 (nothing is set if either default is above its maximum)."
            ),
        },
    },
    check=check,
    remediate=remediate,
    references=(
        "cdk-nag Serverless-APIGWDefaultThrottling",
        "serverless-rules ES2003 (tflint aws_apigateway_stage_throttling_rule, aws_apigatewayv2_stage_throttling_rule)",
        "AWS API Gateway Developer Guide: Throttle requests to your REST APIs",
    ),
    tags=("api-gateway", "throttling", "availability", "cost"),
)
