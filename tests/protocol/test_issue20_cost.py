"""Issue 20's cost and concurrency kinds, each a named table case through the rule and through the pack over gRPC.

- 20.2: a lower bound that already breaks the budget is a fail. When the function behind a door is not in the stack
  (`aws.lambda_.Function.get`, an ARN from config) or its concurrency is not known, what the door's own limits make
  certain is priced (an unthrottled REST stage admits 10,000 requests/s: $90,720/month of API requests, Amazon API
  Gateway pricing, REST $3.50 per million); the most it can be too (the account pool, 900 s, 10,240 MB: AWS Lambda
  quotas). Fail on the first, pass on the second, unknown between; the function named as the program names it.
- 20.3: `aws:allowedAccountIds: [490876619407, 474008963679]` reaches the provider as JSON numbers, which the
  pulumi-aws provider reads as their digits (pulumi/pulumi-aws#2806): a 12-digit number is that account ID; one
  with fewer digits is an ID whose leading 0 YAML dropped, which the provider refuses at deployment
  (pulumi/pulumi-aws#4897).
- 20.6: provisioned concurrency of a function without a reservation comes out of the unreserved pool, which keeps
  100 (AWS Lambda Developer Guide, "Configuring provisioned concurrency", "Lambda function scaling"): 850 reserved
  and 100 provisioned of 1,000 is refused (anomalyco/sst#5829).

Each case's verdict is the rule's in-process (`evaluate`) and the pack's as the engine plays a preview (`previewed`:
Analyze per resource, then AnalyzeStack), compared by the (URN, outcome) of every fail and unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pytest

from abuse_guard.aws.types import (
    LAMBDA_ALIAS,
    LAMBDA_FUNCTION,
    LAMBDA_FUNCTION_URL,
    LAMBDA_PROVISIONED_CONCURRENCY,
    REST_INTEGRATION,
)
from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Finding, Outcome
from abuse_guard.policies import POLICIES
from abuse_guard.resources import STACK_TYPE, UNKNOWN, ProviderRef, Resource
from tests.cost.graphs import function, http_route, linked, rest_endpoint
from tests.harness.analyzer import RunningPack, previewed
from tests.support import resource

COST, HEADROOM = "entrypoint-cost-budget", "account-concurrency-headroom"
STACK = resource(STACK_TYPE, {}, "proj-dev")
PROVIDER = "pulumi:providers:aws"
INVOKE = (
    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
    "arn:aws:lambda:us-east-1:490876619407:function:orders-handler/invocations"
)
"""The invoke ARN of a function read with aws.lambda_.Function.get('existing', 'orders-handler'): known at preview
(the engine reads it then), the read resource itself never sent to a policy pack (pulumi/pulumi#3950)."""


def without_function(graph: list[Resource], name: str, key: str, value: str) -> list[Resource]:
    """The graph without its function, `name`'s input `key` a literal naming one outside the stack."""
    kept = [r for r in graph if r.type != LAMBDA_FUNCTION]

    def cut(r: Resource) -> Resource:
        deps = {k: v for k, v in r.property_dependencies.items() if k != key}
        return replace(r, props={**r.props, key: value}, property_dependencies=deps)

    return [cut(r) if r.name == name else r for r in kept]


def outside(graph: list[Resource]) -> list[Resource]:
    """A REST or HTTP graph whose integration invokes orders-handler, a function outside the stack."""
    integration = next(r for r in graph if r.name == "integration")
    key = "uri" if integration.type == REST_INTEGRATION else "integrationUri"
    return without_function(graph, "integration", key, INVOKE)


def keyed_with_quota(per_day: float, fn: Resource | None = None) -> list[Resource]:
    """A method that requires an API key, one key on a usage plan of `per_day` requests, stage throttled at 5/s."""
    plan = {
        "throttleSettings": {"rateLimit": 2.0, "burstLimit": 5.0},
        "quotaSettings": {"limit": per_day, "period": "DAY"},
    }
    return rest_endpoint(fn or function(), api_key=True, stage_throttle=5.0, plan=plan, keys=1)


def reference_webhook(reserved: Any) -> list[Resource]:
    """The reference stack's webhook (key, 5,000 a day, stage throttle 5/s, 10 s, 128 MB) with this reservation."""
    return keyed_with_quota(5000.0, function("refresh-cache", reserved=reserved, timeout=10.0, memory=128.0))


def url_to_elsewhere() -> list[Resource]:
    return [resource(LAMBDA_FUNCTION_URL, {"functionName": "orders-handler", "authorizationType": "AWS_IAM"}, "url")]


def default_provider(**props: Any) -> ProviderRef:
    """The engine's default aws provider, sent with each resource: its inputs are the stack's aws:* config, a list as
    JSON text."""
    return ProviderRef(f"urn:pulumi:dev::proj::{PROVIDER}::default_7_0_0", {"region": "us-east-1", **props})


def provider(name: str, **props: Any) -> Resource:
    """An explicit aws.Provider in the graph (non-string inputs as JSON text, as the SDK sends them)."""
    return resource(PROVIDER, {"region": "eu-west-1", **props}, name)


def on(resources: list[Resource], where: ProviderRef | Resource) -> list[Resource]:
    """`resources` managed by this provider, sent with its inputs (as the engine sends them with each resource)."""
    ref = ProviderRef(where.urn, where.props) if isinstance(where, Resource) else where
    return [replace(r, provider=ref) for r in resources]


def lambda_function(logical: str, reserved: Any = -1.0, **props: Any) -> Resource:
    """A function as the engine sends it (-1: the provider's 'unreserved'); `props` may give its physical name."""
    return resource(
        LAMBDA_FUNCTION, {"runtime": "python3.12", "reservedConcurrentExecutions": reserved, **props}, logical
    )


def warm(fn: Resource, value: Any, name: str = "warm", **props: Any) -> list[Resource]:
    """An alias of `fn` and a ProvisionedConcurrencyConfig of `value` on it (function_name=alias.function_name,
    qualifier=alias.name: the SDK's example)."""
    alias = linked(LAMBDA_ALIAS, {"functionVersion": "1"}, f"{name}-alias", functionName=fn)
    config = linked(
        LAMBDA_PROVISIONED_CONCURRENCY,
        {"provisionedConcurrentExecutions": value, **props},
        name,
        functionName=alias,
        qualifier=alias,
    )
    return [alias, config]


def warmed(fn: Resource, value: Any) -> list[Resource]:
    """`fn` with an alias and a ProvisionedConcurrencyConfig of `value` on it."""
    return [fn, *warm(fn, value)]


def sst_5829(provisioned: Any = 100.0) -> list[Resource]:
    """One function reserving 850 of 1,000 and `provisioned` on an unreserved one (anomalyco/sst#5829)."""
    api = lambda_function("api")
    return [lambda_function("batch", 850.0), api, *warm(api, provisioned)]


def native_alias(provisioned: float) -> list[Resource]:
    """The same with aws-native: an AWS::Lambda::Alias whose ProvisionedConcurrencyConfiguration sets it."""
    batch = resource(
        "aws-native:lambda:Function", {"functionName": "batch", "reservedConcurrentExecutions": 850.0}, "b"
    )
    api = resource("aws-native:lambda:Function", {"functionName": "api"}, "api")
    props = {
        "functionVersion": "1",
        "name": "live",
        "provisionedConcurrencyConfig": {"provisionedConcurrentExecutions": provisioned},
    }
    alias = linked("aws-native:lambda:Alias", props, "live", functionName=api)
    return [batch, api, alias]


WEST = provider("west")

# name -> (resources besides the stack, policy, the resource its finding is on, outcome)
CASES: dict[str, tuple[list[Resource], str, str, Outcome]] = {
    # -- 20.2: what is certain, and the most it can be --------------------------------------------------------------
    # aws.lambda_.Function.get(...) behind an unthrottled REST stage: $90,720/month of API requests alone
    "get_function_behind_an_unthrottled_rest_stage": (outside(rest_endpoint(function())), COST, "method", Outcome.FAIL),
    # an HTTP API stage without a throttle: 10,000 requests/s x $1.00 per million = $25,920/month
    "arn_from_config_behind_an_unthrottled_http_stage": (outside(http_route(function())), COST, "route", Outcome.FAIL),
    # throttled at 5/s: $45.36 certain, far more possible: it depends on the function
    "get_function_behind_a_throttled_stage": (
        outside(rest_endpoint(function(), stage_throttle=5.0)),
        COST,
        "method",
        Outcome.UNKNOWN,
    ),
    # 10 calls a day run 300 a month: even 900 s at 10,240 MB each is $45 (AWS Lambda quotas)
    "get_function_behind_a_quota_of_ten_a_day": (outside(keyed_with_quota(10.0)), COST, "method", Outcome.PASS),
    # a function URL's bill is all Lambda's: nothing is certain of a function outside the stack
    "function_url_to_a_function_elsewhere": (url_to_elsewhere(), COST, "url", Outcome.UNKNOWN),
    # the concurrency of a function of the stack not known at preview (the second shape)
    "unknown_reservation_behind_an_unthrottled_stage": (
        rest_endpoint(function(reserved=UNKNOWN, timeout=30.0)),
        COST,
        "method",
        Outcome.FAIL,
    ),
    "unknown_reservation_behind_the_reference_webhook": (reference_webhook(UNKNOWN), COST, "method", Outcome.PASS),
    "unknown_timeout_behind_an_unthrottled_stage": (
        rest_endpoint(function(reserved=1.0, timeout=UNKNOWN)),
        COST,
        "method",
        Outcome.FAIL,
    ),
    # -- 20.3: account IDs as YAML numbers ----------------------------------------------------------------------
    "allowed_account_ids_as_numbers_headroom": (
        on([lambda_function("a", 10.0)], default_provider(allowedAccountIds="[490876619407,474008963679]")),
        HEADROOM,
        "proj-dev",
        Outcome.PASS,
    ),
    "allowed_account_ids_as_numbers_cost": (
        on(reference_webhook(1.0), default_provider(allowedAccountIds="[490876619407,474008963679]")),
        COST,
        "method",
        Outcome.PASS,
    ),
    # one number and one string: two named accounts, two pools of 600 each
    "a_number_and_a_string_tell_accounts_apart": (
        [
            provider("prod", allowedAccountIds="[490876619407]"),
            provider("staging", allowedAccountIds='["474008963679"]'),
            *on([lambda_function("a", 600.0)], provider("prod", allowedAccountIds="[490876619407]")),
            *on([lambda_function("b", 600.0)], provider("staging", allowedAccountIds='["474008963679"]')),
        ],
        HEADROOM,
        "proj-dev",
        Outcome.PASS,
    ),
    # Go's JSON may write a large number in exponent form: the same whole number
    "account_id_in_exponent_form": (
        on([lambda_function("a", 10.0)], default_provider(allowedAccountIds="[4.90876619407e+11]")),
        HEADROOM,
        "proj-dev",
        Outcome.PASS,
    ),
    # 012345678901 unquoted is the number 12345678901: the provider refuses every account then (pulumi-aws#4897)
    "account_id_that_lost_its_leading_zero": (
        on([lambda_function("a", 10.0)], default_provider(allowedAccountIds="[12345678901]")),
        HEADROOM,
        "proj-dev",
        Outcome.FAIL,
    ),
    "account_id_as_a_fraction": (
        on([lambda_function("a", 10.0)], default_provider(allowedAccountIds="[490876619407.5]")),
        HEADROOM,
        "proj-dev",
        Outcome.FAIL,
    ),
    # -- 20.6: provisioned concurrency in the unreserved pool -----------------------------------------------
    "sst_5829_provisioned_on_an_unreserved_function": (sst_5829(), HEADROOM, "proj-dev", Outcome.FAIL),
    "provisioned_within_the_floor": (sst_5829(50.0), HEADROOM, "proj-dev", Outcome.PASS),
    # on a function with a reservation it comes out of that reservation (and AWS refuses more than it)
    "provisioned_inside_a_reservation": (
        [lambda_function("batch", 650.0), *warmed(lambda_function("api", 200.0), 150.0)],
        HEADROOM,
        "proj-dev",
        Outcome.PASS,
    ),
    # a version by number, the function by its name: still that function's
    "provisioned_on_a_version_by_name": (
        [
            lambda_function("batch", 850.0),
            lambda_function("api", name="api-handler"),
            resource(
                LAMBDA_PROVISIONED_CONCURRENCY,
                {"functionName": "api-handler", "qualifier": "3", "provisionedConcurrentExecutions": 100.0},
                "warm",
            ),
        ],
        HEADROOM,
        "proj-dev",
        Outcome.FAIL,
    ),
    # another Region is another pool
    "provisioned_in_another_region": (
        [WEST, lambda_function("batch", 850.0), *on(warmed(lambda_function("api"), 100.0), WEST)],
        HEADROOM,
        "proj-dev",
        Outcome.PASS,
    ),
    "provisioned_not_known_at_preview": (sst_5829(UNKNOWN), HEADROOM, "proj-dev", Outcome.UNKNOWN),
    "provisioned_not_known_but_already_over": (
        [lambda_function("batch", 950.0), *warmed(lambda_function("api"), UNKNOWN)],
        HEADROOM,
        "proj-dev",
        Outcome.FAIL,
    ),
    "provisioned_a_fraction": (sst_5829(0.5), HEADROOM, "proj-dev", Outcome.FAIL),
    # on a function outside the stack: whether it has a reservation is not known here
    "provisioned_on_a_function_elsewhere": (
        [
            lambda_function("batch", 850.0),
            resource(
                LAMBDA_PROVISIONED_CONCURRENCY,
                {"functionName": "orders-handler", "qualifier": "live", "provisionedConcurrentExecutions": 100.0},
                "warm",
            ),
        ],
        HEADROOM,
        "proj-dev",
        Outcome.UNKNOWN,
    ),
    "native_alias_provisioned": (native_alias(100.0), HEADROOM, "proj-dev", Outcome.FAIL),
    "native_alias_provisioned_within_the_floor": (native_alias(50.0), HEADROOM, "proj-dev", Outcome.PASS),
}


def rule_says(resources: Sequence[Resource], policy_id: str) -> list[Finding]:
    return [f for f in evaluate(POLICIES, resources) if f.policy == policy_id]


@pytest.fixture(autouse=True)
def defaults(pack: RunningPack) -> None:
    pack.configure({})


@pytest.mark.parametrize(("resources", "policy_id", "name", "expected"), CASES.values(), ids=list(CASES))
def test_the_rule_and_the_pack_agree(
    pack: RunningPack, resources: list[Resource], policy_id: str, name: str, expected: Outcome
) -> None:
    stack = [STACK, *resources]
    [finding] = [f for f in rule_says(stack, policy_id) if f.name == name]
    assert finding.outcome is expected, finding.message
    offline = {(f.urn, f.outcome) for f in rule_says(stack, policy_id) if f.outcome in (Outcome.FAIL, Outcome.UNKNOWN)}
    said = {
        (e.urn, e.kind)
        for e in previewed(pack, stack)
        if e.policy == policy_id and e.kind in (Outcome.FAIL, Outcome.UNKNOWN)
    }
    assert said == offline


def message(case: str, name: str | None = None) -> str:
    resources, policy_id, named, _ = CASES[case]
    [finding] = [f for f in rule_says([STACK, *resources], policy_id) if f.name == (name or named)]
    return finding.message


def test_a_function_outside_the_stack_is_named_as_the_program_names_it_and_never_yet() -> None:
    said = message("get_function_behind_an_unthrottled_rest_stage")
    assert said.startswith(
        "REST method 'method' -> Lambda function 'orders-handler' can cost at least $90,720.00/month ($0.00 Lambda "
        "requests + $0.00 Lambda duration + $90,720.00 API Gateway), over the $100.00 budget"
    )
    assert "Integration 'integration'.uri names Lambda function 'orders-handler', which is not in this stack" in said
    assert "yet" not in said
    assert "yet" not in message("function_url_to_a_function_elsewhere")
    assert "yet" not in message("provisioned_on_a_function_elsewhere")


def test_between_the_bounds_the_figures_and_the_missing_inputs_are_named() -> None:
    assert message("get_function_behind_a_throttled_stage").startswith(
        "REST method 'method' -> Lambda function 'orders-handler' costs from $45.36 to "
    )
    assert message("unknown_reservation_behind_the_reference_webhook").startswith(
        "REST method 'method' -> Lambda function 'refresh-cache' costs at most $3.68/month"
    )


def test_a_function_urls_bound_lists_no_api_gateway_part() -> None:
    """Lambda bills a function URL's requests; there is no API Gateway in front (AWS Lambda pricing)."""
    fn = lambda_function("report", 2.0)
    [finding] = rule_says(
        [STACK, fn, linked(LAMBDA_FUNCTION_URL, {"authorizationType": "AWS_IAM"}, "url", functionName=fn)],
        COST,
    )
    assert "API Gateway" not in finding.message
    assert "($10.37 Lambda requests + $10.80 Lambda duration)" in finding.message


def test_a_clear_message_for_an_account_id_that_lost_its_zero() -> None:
    assert message("account_id_that_lost_its_leading_zero") == (
        "cannot tell which account and Region Function 'a' is in: the default aws provider.allowedAccountIds[0] must "
        'be an account ID: 12 digits, quoted if it begins with 0 ("012345678901"), got 12345678901'
    )


def test_provisioned_concurrency_is_named_in_the_pool() -> None:
    assert message("sst_5829_provisioned_on_an_unreserved_function") == (
        "Lambda functions in this stack reserve 850 of the account limit 1000 concurrent executions and provision 100 "
        "on functions without a reservation, leaving 50 unreserved; AWS keeps at least 100 unreserved and refuses "
        "reservations and provisioned concurrency beyond that: lower them by 50 in total, starting with the biggest "
        "('batch' 850, ProvisionedConcurrencyConfig 'warm' on 'api' 100)"
    )
