"""account-concurrency-headroom adds reservations up per account and Region (issue 11, item 6).

AWS Lambda Developer Guide, "Lambda quotas": concurrent executions are a quota per Region; "Configuring reserved
concurrency": a reservation must leave 100 executions of the account's concurrency in that Region unreserved.
Two stacks' worth of reservations in two Regions are two pools, each with its own floor.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from abuse_guard.aws.types import LAMBDA_FUNCTION
from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Finding, Outcome
from abuse_guard.policies.account_concurrency_headroom import POLICY
from abuse_guard.resources import STACK_TYPE, UNKNOWN, ProviderRef, Resource
from tests.support import resource

STACK = resource(STACK_TYPE, {}, "proj-dev")
PROVIDER = "pulumi:providers:aws"


def provider(name: str, **props: Any) -> Resource:
    """An explicit aws.Provider resource in the graph (inputs as the engine sends them: lists as JSON text)."""
    return resource(PROVIDER, props, name)


def default(region: str) -> ProviderRef:
    """The engine's default provider, sent with each resource: its region is the stack's aws:region config."""
    return ProviderRef(f"urn:pulumi:dev::proj::{PROVIDER}::default_7_0_0", {"region": region})


def function(name: str, reserved: Any, on: Resource | ProviderRef | None) -> Resource:
    ref = ProviderRef(on.urn) if isinstance(on, Resource) else on
    return replace(resource(LAMBDA_FUNCTION, {"reservedConcurrentExecutions": reserved}, name), provider=ref)


EAST, WEST = provider("east", region="us-east-1"), provider("west", region="eu-west-1")
WEST_AGAIN = provider("west-again", region="eu-west-1")
PROD = provider("prod", region="eu-west-1", allowedAccountIds='["111111111111"]')
STAGING = provider("staging", region="eu-west-1", allowedAccountIds='["222222222222"]')
PROD_EAST = provider("prod-east", region="us-east-1", allowedAccountIds='["111111111111"]')
PROFILES = (
    provider("profile-a", region="eu-west-1", profile="a"),
    provider("profile-b", region="eu-west-1", profile="b"),
)
UNKNOWN_REGION = provider("computed", region=UNKNOWN)
BAD_REGION = provider("bad", region=3.0)


def findings(resources: list[Resource], config: dict[str, Any] | None = None) -> list[Finding]:
    return evaluate([POLICY], [STACK, *resources], {POLICY.id: config})


# name -> (resources besides the stack, expected outcome); the default account limit is 1,000, so 900 may be reserved
CASES: dict[str, tuple[list[Resource], Outcome]] = {
    # the case: 600 + 600 would be over one floor, but us-east-1 and eu-west-1 are two pools
    "two_providers_two_regions_each_under_its_floor": (
        [EAST, WEST, function("a", 600.0, EAST), function("b", 600.0, WEST)],
        Outcome.PASS,
    ),
    "two_regions_one_of_them_over": (
        [EAST, WEST, function("a", 950.0, EAST), function("b", 600.0, WEST)],
        Outcome.FAIL,
    ),
    "two_providers_one_region_one_pool": (
        [WEST, WEST_AGAIN, function("a", 600.0, WEST), function("b", 600.0, WEST_AGAIN)],
        Outcome.FAIL,
    ),
    "one_region_two_named_accounts": (
        [PROD, STAGING, function("a", 600.0, PROD), function("b", 600.0, STAGING)],
        Outcome.PASS,
    ),
    # a provider that names no account runs in the stack's credentials' account, which may be the named one
    "no_account_named_may_be_the_named_account": (
        [EAST, PROD_EAST, function("a", 600.0, EAST), function("b", 600.0, PROD_EAST)],
        Outcome.FAIL,
    ),
    # a profile names credentials, not an account: taken as one account, the sum errs high
    "profiles_are_not_accounts": (
        [*PROFILES, function("a", 600.0, PROFILES[0]), function("b", 600.0, PROFILES[1])],
        Outcome.FAIL,
    ),
    # no explicit provider: the default provider's region is the stack's aws:region config
    "default_provider_region_from_config_beside_an_explicit_one": (
        [EAST, function("a", 600.0, default("eu-west-1")), function("b", 600.0, EAST)],
        Outcome.PASS,
    ),
    "default_provider_in_the_explicit_providers_region": (
        [EAST, function("a", 600.0, default("us-east-1")), function("b", 600.0, EAST)],
        Outcome.FAIL,
    ),
    # a resource whose source names no provider at all is in us-east-1
    "no_provider_is_in_us_east_1": ([EAST, function("a", 600.0, None), function("b", 600.0, EAST)], Outcome.FAIL),
    "region_unknown_at_preview": (
        [EAST, UNKNOWN_REGION, function("a", 600.0, EAST), function("b", 600.0, UNKNOWN_REGION)],
        Outcome.UNKNOWN,
    ),
    "region_unknown_but_a_known_pool_is_over": (
        [EAST, UNKNOWN_REGION, function("a", 950.0, EAST), function("b", 600.0, UNKNOWN_REGION)],
        Outcome.FAIL,
    ),
    "region_unknown_on_an_unreserved_function_does_not_matter": (
        [EAST, UNKNOWN_REGION, function("a", 600.0, EAST), function("b", -1.0, UNKNOWN_REGION)],
        Outcome.PASS,
    ),
    "region_malformed": ([BAD_REGION, function("a", 5.0, BAD_REGION)], Outcome.FAIL),
    "reservation_malformed_where_the_region_is_unknown": (
        [UNKNOWN_REGION, function("a", "5", UNKNOWN_REGION)],
        Outcome.FAIL,
    ),
    "raised_limit_applies_to_every_pool": (
        [EAST, WEST, function("a", 1500.0, EAST), function("b", 1500.0, WEST)],
        Outcome.FAIL,
    ),
}


@pytest.mark.parametrize(("resources", "expected"), CASES.values(), ids=list(CASES))
def test_pools(resources: list[Resource], expected: Outcome) -> None:
    [finding] = findings(resources)
    assert (finding.urn, finding.outcome) == (STACK.urn, expected)


def test_each_pool_is_held_to_the_account_limit() -> None:
    [finding] = findings(
        [EAST, WEST, function("a", 1500.0, EAST), function("b", 1500.0, WEST)], {"accountConcurrencyLimit": 2000}
    )
    assert finding.outcome is Outcome.PASS


def test_several_pools_are_each_named() -> None:
    resources = [EAST, PROD, function("a", 950.0, EAST), function("b", 600.0, PROD), function("c", 10.0, PROD)]
    [finding] = findings(resources)
    assert finding.message == (
        "Lambda functions in us-east-1 reserve 950 of the account limit 1000 concurrent executions, leaving 50 "
        "unreserved; AWS keeps at least 100 unreserved and refuses reservations beyond that: lower reservations by "
        "50 in total, starting with the biggest ('a' 950)"
    )
    [passing] = findings([EAST, PROD, function("a", 100.0, EAST), function("b", 600.0, PROD)])
    assert passing.message == (
        "Lambda functions in us-east-1 reserve 100 of the account limit 1000 concurrent executions, leaving 900 "
        "unreserved (at least 100 must stay unreserved); Lambda functions in account 111111111111 in eu-west-1 "
        "reserve 600 of the account limit 1000 concurrent executions, leaving 400 unreserved (at least 100 must stay "
        "unreserved)"
    )


def test_an_assumed_region_is_said() -> None:
    env = provider("env")
    [finding] = findings([env, function("a", 5.0, env)])
    assert finding.message == (
        "Lambda functions in this stack reserve 5 of the account limit 1000 concurrent executions, leaving 995 "
        "unreserved (at least 100 must stay unreserved); Provider 'env' sets no region, so it takes AWS_REGION or "
        "the profile's at deployment: us-east-1 assumed"
    )


def test_an_unplaced_function_is_named() -> None:
    [finding] = findings([EAST, UNKNOWN_REGION, function("a", 5.0, EAST), function("b", 5.0, UNKNOWN_REGION)])
    assert finding.message == (
        "cannot be determined at preview: which account and Region Lambda function 'b' reserves concurrency in "
        "(Provider 'computed'.region is not known until the resource is deployed)"
    )


def test_a_named_accounts_pool_counts_the_functions_whose_provider_names_none() -> None:
    resources = [EAST, PROD_EAST, WEST, function("a", 600.0, EAST), function("b", 600.0, PROD_EAST)]
    [finding] = findings([*resources, function("c", 10.0, WEST)])
    assert finding.message == (
        "Lambda functions in account 111111111111 in us-east-1 (with those whose provider names no account, which "
        "may be it) reserve 1200 of the account limit 1000 concurrent executions, leaving -200 unreserved; AWS keeps "
        "at least 100 unreserved and refuses reservations beyond that: lower reservations by 300 in total, starting "
        "with the biggest ('b' 600, 'a' 600)"
    )
