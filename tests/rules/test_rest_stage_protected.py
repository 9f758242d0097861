import math
from typing import Any

import pytest

from abuse_guard.aws.types import METHOD_SETTINGS, REST_API, REST_METHOD, REST_STAGE, USAGE_PLAN
from abuse_guard.evaluate import evaluate_stack
from abuse_guard.findings import Finding, Outcome
from abuse_guard.graph import Graph
from abuse_guard.policies.rest_stage_protected import POLICY
from abuse_guard.resources import UNKNOWN, Resource
from tests.support import resource


def urn(type_: str, name: str) -> str:
    return resource(type_, {}, name).urn


# A REST API as a Pulumi program declares it, seen at the first preview: every id is unknown, so the
# links are property dependencies. 'prod' is the stage under test.
API = urn(REST_API, "api")
OTHER_API = urn(REST_API, "other-api")
PROD = urn(REST_STAGE, "prod")
DEV = urn(REST_STAGE, "dev")
THROTTLE = {"throttlingRateLimit": 100.0, "throttlingBurstLimit": 200.0}


def api(name: str = "api") -> Resource:
    return resource(REST_API, {"name": name}, name)


def stage(name: str = "prod", rest_api: Any = UNKNOWN, api_urn: str | None = API, **props: Any) -> Resource:
    deps = {"restApi": (api_urn,)} if api_urn else {}
    return resource(REST_STAGE, {"restApi": rest_api, "stageName": name, **props}, name, property_dependencies=deps)


def method_settings(
    name: str = "prod-all",
    path: Any = "*/*",
    settings: Any = None,
    stage_name: Any = "prod",
    stage_urn: str | None = PROD,
    api_urn: str = API,
) -> Resource:
    deps = {"restApi": (api_urn,), **({"stageName": (stage_urn,)} if stage_urn else {})}
    props = {"restApi": UNKNOWN, "stageName": stage_name, "methodPath": path, "settings": settings or THROTTLE}
    return resource(METHOD_SETTINGS, props, name, property_dependencies=deps)


def method(name: str = "webhook", api_key_required: Any = True) -> Resource:
    props = {"restApi": UNKNOWN, "httpMethod": "POST", "authorization": "NONE", "apiKeyRequired": api_key_required}
    return resource(REST_METHOD, props, name, property_dependencies={"restApi": (API,)})


def plan(
    name: str = "partner",
    stage_name: Any = "prod",
    deps: tuple[str, ...] = (API, PROD),
    throttle: Any = None,
) -> Resource:
    props = {
        "apiStages": [{"apiId": UNKNOWN, "stage": stage_name}],
        "throttleSettings": throttle or {"rateLimit": 10.0, "burstLimit": 20.0},
        "quotaSettings": {"limit": 10000.0, "period": "DAY"},
    }
    return resource(USAGE_PLAN, props, name, property_dependencies={"apiStages": deps})


def verdict_for(resources: list[Resource], name: str = "prod", config: dict[str, Any] | None = None) -> Finding:
    findings = evaluate_stack(POLICY, Graph(resources), POLICY.settings(config))
    return next(f for f in findings if f.name == name)


PROTECTED = [api(), stage(), method_settings(), method(), plan()]

CASES: dict[str, tuple[list[Resource], dict[str, Any] | None, Outcome]] = {
    "throttled_and_metered": (PROTECTED, None, Outcome.PASS),
    "no_api_key_methods_needs_no_plan": (
        [api(), stage(), method_settings(), method(api_key_required=False)],
        None,
        Outcome.PASS,
    ),
    "api_key_flag_absent_needs_no_plan": (
        [api(), stage(), method_settings(), method(api_key_required=None)],
        None,
        Outcome.PASS,
    ),
    "no_method_settings": ([api(), stage(), method(), plan()], None, Outcome.FAIL),
    "one_method_settings_only": (
        [api(), stage(), method_settings(path="webhook/POST"), method(), plan()],
        None,
        Outcome.FAIL,
    ),
    "stage_wide_throttle_off": (
        [
            api(),
            stage(),
            method_settings(settings={"throttlingRateLimit": -1.0, "throttlingBurstLimit": -1.0}),
            method(),
            plan(),
        ],
        None,
        Outcome.FAIL,
    ),
    "stage_wide_throttle_zero": (
        [api(), stage(), method_settings(settings={"throttlingRateLimit": 0.0, "throttlingBurstLimit": 200.0})],
        None,
        Outcome.FAIL,
    ),
    "size_is_left_to_stage_throttling": (
        [api(), stage(), method_settings(settings={"throttlingRateLimit": 1e6, "throttlingBurstLimit": 1e6})],
        None,
        Outcome.PASS,
    ),
    "any_covering_method_settings_is_enough": (
        [api(), stage(), method_settings("bad", settings={"throttlingRateLimit": -1.0}), method_settings()],
        None,
        Outcome.PASS,
    ),
    "linked_by_literal_stage_name": ([api(), stage(), method_settings(stage_urn=None)], None, Outcome.PASS),
    "literal_stage_name_of_another_stage": (
        [api(), stage(), method_settings(stage_name="dev", stage_urn=None)],
        None,
        Outcome.FAIL,
    ),
    "literal_stage_name_on_another_api": (
        [api(), api("other-api"), stage(), method_settings(stage_urn=None, api_urn=OTHER_API)],
        None,
        Outcome.FAIL,
    ),
    "stage_name_from_another_stage": (
        [api(), stage(), stage("dev"), method_settings(stage_name=UNKNOWN, stage_urn=DEV)],
        None,
        Outcome.FAIL,
    ),
    "stage_name_unknown_without_link": (
        [api(), stage(), method_settings(stage_name=UNKNOWN, stage_urn=None)],
        None,
        Outcome.UNKNOWN,
    ),
    "own_stage_name_unknown_linked_by_dependency": (
        [api(), stage(stageName=UNKNOWN), method_settings(stage_name=UNKNOWN)],
        None,
        Outcome.PASS,
    ),
    "own_stage_name_unknown_against_literal_names": (
        [api(), stage(stageName=UNKNOWN), method_settings(stage_urn=None)],
        None,
        Outcome.UNKNOWN,
    ),
    "method_path_unknown": ([api(), stage(), method_settings(path=UNKNOWN)], None, Outcome.UNKNOWN),
    "stage_wide_throttle_unknown": (
        [api(), stage(), method_settings(settings={"throttlingRateLimit": UNKNOWN, "throttlingBurstLimit": 1.0})],
        None,
        Outcome.UNKNOWN,
    ),
    "stage_wide_throttle_rate_unknown_burst_zero": (
        [api(), stage(), method_settings(settings={"throttlingRateLimit": UNKNOWN, "throttlingBurstLimit": 0.0})],
        None,
        Outcome.FAIL,
    ),
    "stage_wide_throttle_infinite_is_malformed": (
        [api(), stage(), method_settings(settings={"throttlingRateLimit": math.inf, "throttlingBurstLimit": 1.0})],
        None,
        Outcome.FAIL,
    ),
    "stage_wide_throttle_malformed": (
        [api(), stage(), method_settings(settings={"throttlingRateLimit": "100", "throttlingBurstLimit": 1.0})],
        None,
        Outcome.FAIL,
    ),
    "api_keys_without_plan": ([api(), stage(), method_settings(), method()], None, Outcome.FAIL),
    "plan_without_throttle": (
        [api(), stage(), method_settings(), method(), plan(throttle={"rateLimit": 0.0, "burstLimit": 0.0})],
        None,
        Outcome.FAIL,
    ),
    "plan_linked_by_literal_stage_name": (
        [api(), stage(), method_settings(), method(), plan(deps=(API,))],
        None,
        Outcome.PASS,
    ),
    "plan_lists_another_stage": (
        [api(), stage(), method_settings(), method(), plan(stage_name="dev", deps=(API,))],
        None,
        Outcome.FAIL,
    ),
    "plan_stage_name_unknown": (
        [api(), stage(), method_settings(), method(), plan(stage_name=UNKNOWN, deps=(API,))],
        None,
        Outcome.UNKNOWN,
    ),
    "unknown_stage_name_of_a_plan_for_another_stage": (
        [api(), stage(), stage("dev"), method_settings(), method(), plan(stage_name=UNKNOWN, deps=(API, DEV))],
        None,
        Outcome.FAIL,
    ),
    "plan_throttle_unknown": (
        [api(), stage(), method_settings(), method(), plan(throttle={"rateLimit": UNKNOWN, "burstLimit": 20.0})],
        None,
        Outcome.UNKNOWN,
    ),
    "plan_throttle_rate_unknown_burst_zero": (
        [api(), stage(), method_settings(), method(), plan(throttle={"rateLimit": UNKNOWN, "burstLimit": 0.0})],
        None,
        Outcome.FAIL,
    ),
    "api_key_flag_unknown_without_plan": (
        [api(), stage(), method_settings(), method(api_key_required=UNKNOWN)],
        None,
        Outcome.UNKNOWN,
    ),
    "api_key_flag_unknown_with_plan": (
        [api(), stage(), method_settings(), method(api_key_required=UNKNOWN), plan()],
        None,
        Outcome.PASS,
    ),
    "api_key_flag_string_is_malformed": (
        [api(), stage(), method_settings(), method(api_key_required="true")],
        None,
        Outcome.FAIL,
    ),
    "rest_api_outside_the_stack": (
        [stage(rest_api="abc123", api_urn=None), method_settings(api_urn=OTHER_API)],
        None,
        Outcome.UNKNOWN,
    ),
    "rest_api_unknown_without_link": ([stage(api_urn=None), method_settings()], None, Outcome.UNKNOWN),
    "definite_failure_beats_unknown": ([api(), stage(), method(api_key_required=UNKNOWN)], None, Outcome.FAIL),
    "exempt_by_config": (
        [api(), stage()],
        {"exemptions": [{"resource": "prod", "reason": "throttled by the CloudFront WAF in front"}]},
        Outcome.EXEMPT,
    ),
    "exempt_by_tag": (
        [api(), stage(tags={"abuse-guard:exempt:rest-stage-protected": "private API behind a VPC endpoint"})],
        None,
        Outcome.EXEMPT,
    ),
}


@pytest.mark.parametrize(("resources", "config", "expected"), CASES.values(), ids=list(CASES))
def test_rest_stage_protected(resources: list[Resource], config: dict[str, Any] | None, expected: Outcome) -> None:
    assert verdict_for(resources, config=config).outcome is expected


def test_each_stage_of_an_api_is_judged_on_its_own() -> None:
    resources = [*PROTECTED, stage("dev"), plan("dev-plan", stage_name="dev", deps=(API,))]
    findings = evaluate_stack(POLICY, Graph(resources), POLICY.settings(None))
    assert {f.name: f.outcome for f in findings} == {"prod": Outcome.PASS, "dev": Outcome.FAIL}


def test_message_names_the_stage_and_both_fixes() -> None:
    message = verdict_for([api(), stage(), method()]).message
    assert message.startswith("REST API stage 'prod': no '*/*' MethodSettings throttles it")
    assert "stage_name=stage.stage_name, method_path='*/*'" in message
    assert "method 'webhook' requires an API key but no usage plan lists this stage" in message
