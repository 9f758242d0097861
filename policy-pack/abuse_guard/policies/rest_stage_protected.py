"""Every REST API stage is throttled as a whole and, when it serves API-key methods, metered by a usage plan.

What protects a stage lives in other resources: a '*/*' MethodSettings, the Methods of its REST API, the
usage plans that list it. At preview their IDs are unknown, so they are found through the graph (which
input came from which resource), and a link that cannot be read makes the stage unknown, never a pass.
Whether the throttles are small enough is stage-throttling's and usage-plan-limits' question; this policy
reuses their checks without maxima, so each oversized value is reported once, on the resource to change.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from ..aws.frontdoors import FrontDoors
from ..aws.rest import Api, RestApis
from ..aws.throttles import STAGE_WIDE, check_method_settings
from ..aws.types import METHOD_SETTINGS, REST_STAGE, USAGE_PLAN
from ..aws.usage_plans import plan_throttle
from ..findings import Outcome, Verdict, all_of, failed, not_applicable, passed, undetermined, verdict_of
from ..graph import Graph
from ..policy import Policy, Settings
from ..resources import UNKNOWN, Resource
from ..values import literal, text


def strongest(verdicts: list[Verdict], none_found: str) -> Verdict:
    """One covering resource is enough: a pass wins, then an unknown (it may cover), then the failures."""
    for outcome in (Outcome.PASS, Outcome.UNKNOWN, Outcome.FAIL):
        hits = [v.message for v in verdicts if v.outcome is outcome]
        if hits:
            return Verdict(outcome, hits[0] if outcome is Outcome.PASS else "; ".join(hits))
    return failed(none_found)


def distinct(*groups: list[Resource]) -> list[Resource]:
    return list({r.urn: r for group in groups for r in group}.values())


def methods(named: list[str], verb: str) -> str:
    """'method 'a' requires' or 'methods 'a', GET /items and 2 more require', for a message."""
    unique = list(dict.fromkeys(named))
    names = ", ".join(unique[:3]) + (f" and {len(unique) - 3} more" if len(unique) > 3 else "")
    return f"method {names} {verb}s" if len(unique) == 1 else f"methods {names} {verb}"


# -- stage-wide throttle ---------------------------------------------------------------------------


def stage_wide(settings: Resource) -> Verdict:
    """A MethodSettings linked to the stage covers it when it is '*/*' and throttles."""
    if text(settings.props, "methodPath", at=f"MethodSettings '{settings.name}'") != STAGE_WIDE:
        return not_applicable(f"MethodSettings '{settings.name}' configures one method only")
    return verdict_of(partial(check_method_settings, settings, None), settings.label)


def stage_wide_throttle(graph: Graph, stage: Resource, api: Api | None) -> Verdict:
    name = literal(stage.props, "stageName")
    linked = graph.referrers(stage, METHOD_SETTINGS, "stageName")
    named = api.settings_by_stage.get(name, []) if api and isinstance(name, str) else []
    verdicts = [verdict_of(partial(stage_wide, s)) for s in distinct(linked, named)]
    if api is not None:
        verdicts += [
            undetermined(f"MethodSettings '{s.name}' may throttle it, but its stageName is not known until deployment")
            for s in api.settings_unnamed
        ]
        if name is UNKNOWN and api.settings_by_stage:
            verdicts.append(
                undetermined(
                    "its stageName is not known until deployment, so a MethodSettings naming a stage may throttle it"
                )
            )
    return strongest(
        verdicts,
        none_found=(
            "no '*/*' MethodSettings throttles it, so only the account-wide limit does; add "
            "aws.apigateway.MethodSettings(..., rest_api=api.id, stage_name=stage.stage_name, method_path='*/*', "
            "settings={'throttling_rate_limit': ..., 'throttling_burst_limit': ...})"
        ),
    )


# -- usage plan for API keys -----------------------------------------------------------------------


def plan_cover(plan: Resource) -> Verdict:
    """A usage plan listing the stage protects its API keys only if it throttles them."""
    throttle = plan_throttle(plan, None)
    if throttle.outcome is Outcome.PASS:
        return passed(f"usage plan '{plan.name}' throttles every API key on it")
    return failed(f"usage plan '{plan.name}' lists it but does not throttle: {throttle.message}")


def api_key_metering(graph: Graph, stage: Resource, api: Api | None) -> Verdict:
    if api is None:
        return undetermined(
            "its restApi does not come from a RestApi in this stack, so whether its methods require API keys "
            "cannot be seen; exempt the stage if another stack meters it"
        )
    if api.key_malformed:
        return failed("malformed input: " + "; ".join(api.key_malformed))
    if not api.keyed and not api.key_unknown:
        return passed(f"no method of REST API '{api.resource.name}' requires an API key")
    name = literal(stage.props, "stageName")
    linked = graph.referrers(stage, USAGE_PLAN, "apiStages")
    named = api.plans_by_stage.get(name, []) if isinstance(name, str) else []
    listing = distinct(linked, named)
    verdicts = [verdict_of(partial(plan_cover, p), p.label) for p in listing]
    listed = {p.urn for p in listing}
    verdicts += [
        undetermined(f"usage plan '{p.name}' may list it, but a stage name in its apiStages is not known yet")
        for p in api.plans_unnamed
        if p.urn not in listed
    ]
    if name is UNKNOWN and api.plans_by_stage:
        verdicts.append(
            undetermined("its stageName is not known until deployment, so any usage plan naming a stage may list it")
        )
    cover = strongest(
        verdicts,
        none_found=(
            f"{methods(api.keyed, 'require')} an API key but no usage plan lists this stage, so nothing throttles or "
            "meters the keys; add aws.apigateway.UsagePlan(..., api_stages=[{'api_id': api.id, 'stage': "
            "stage.stage_name}], throttle_settings={...}, quota_settings={...})"
        ),
    )
    if cover.outcome is Outcome.PASS or api.keyed:
        return cover
    return undetermined(
        f"whether {methods(api.key_unknown, 'require')} an API key is not known until deployment, and "
        + (cover.message if cover.outcome is Outcome.UNKNOWN else "no usage plan that throttles lists this stage")
    )


# -- the policy ------------------------------------------------------------------------------------


def protection(graph: Graph, stage: Resource, api: Api | None) -> Verdict:
    found = all_of(
        f"REST API stage '{stage.name}'",
        partial(stage_wide_throttle, graph, stage, api),
        partial(api_key_metering, graph, stage, api),
    )
    if stage.declared is None:
        return found
    # the stage a Deployment creates (native.py): the program names it as the deployment's stage_name
    return Verdict(found.outcome, found.message.replace("stage.stage_name", "deployment.stage_name"))


def check_stack(graph: Graph, settings: Settings) -> Iterator[tuple[Resource, Verdict]]:
    doors, apis = graph.derived(FrontDoors), graph.derived(RestApis)  # each API indexed once per graph
    for stage in graph.of_type(REST_STAGE):
        api = doors.rest_api(stage)
        yield stage, protection(graph, stage, apis.index(api) if api else None)


POLICY = Policy(
    id="rest-stage-protected",
    title="REST API stages are throttled and their API keys metered",
    description="REST API stages must be throttled stage-wide and, when they take API keys, listed by a usage plan.",
    severity="high",
    enforcement="mandatory",
    resource_types=(REST_STAGE,),
    rationale=(
        "Every API Gateway REST stage must have a stage-wide ('*/*') MethodSettings that throttles, and a sta"
        "ge whose REST API has methods with apiKeyRequired must be listed by a usage plan that throttles each"
        " key. "
        "A REST stage is unthrottled unless a '*/*' MethodSettings says otherwise, and an API key limits "
        "nothing until a usage plan with a throttle lists the stage: without both, a webhook sender firing "
        "100 calls at once reaches the backend with all 100, each a billed Lambda invocation, up to the "
        "account-wide limit that every other API shares. This stack policy checks that the protection exists "
        "and is linked to the stage; the sizes of the limits are checked by stage-throttling and "
        "usage-plan-limits on the resources that hold them. Links are read from the graph, because IDs are "
        "unknown at preview: a MethodSettings whose stageName comes from the stage, or whose restApi comes "
        "from the stage's RestApi and whose literal stageName equals the stage's; Methods whose restApi comes "
        "from that RestApi; a usage plan whose apiStages comes from the stage, or from the RestApi with a "
        "literal stage name that matches. A link or apiKeyRequired value not known until deployment makes "
        "the stage unknown, never a pass. 0 counts as no throttle: it rejects every request. Stages take the "
        "tag abuse-guard:exempt:rest-stage-protected."
    ),
    remediation=(
        "Throttle the stage and meter its API keys:\n"
        "    stage = aws.apigateway.Stage('prod', rest_api=api.id, deployment=deployment.id, stage_name='prod')\n"
        "    aws.apigateway.MethodSettings('prod-all', rest_api=api.id, stage_name=stage.stage_name,\n"
        "        method_path='*/*', settings={'throttling_rate_limit': 100, 'throttling_burst_limit': 200})\n"
        "    aws.apigateway.UsagePlan('partner', api_stages=[{'api_id': api.id, 'stage': stage.stage_name}],\n"
        "        throttle_settings={'rate_limit': 10, 'burst_limit': 20},\n"
        "        quota_settings={'limit': 10000, 'period': 'DAY'})"
    ),
    check_stack=check_stack,
    references=(
        "cdk-nag Serverless-APIGWDefaultThrottling",
        "AWS API Gateway Developer Guide: Usage plans and API keys for REST APIs",
    ),
    tags=("api-gateway", "throttling", "usage-plan", "cost"),
)
