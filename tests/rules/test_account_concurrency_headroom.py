from typing import Any

import pytest

from abuse_guard.aws.types import LAMBDA_FUNCTION
from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Finding, Outcome
from abuse_guard.policies.account_concurrency_headroom import POLICY
from abuse_guard.resources import SECRET, STACK_TYPE, UNKNOWN
from tests.support import resource

STACK_URN = "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev"
EXEMPT_TAG = "abuse-guard:exempt:account-concurrency-headroom"


def findings(
    functions: list[dict[str, Any]], config: dict[str, Any] | None = None, stack: bool = True
) -> list[Finding]:
    """The policy's findings for a stack with one Lambda function per props dict (named fn0, fn1, ...)."""
    resources = [resource(LAMBDA_FUNCTION, props, name=f"fn{i}") for i, props in enumerate(functions)]
    if stack:
        resources.insert(0, resource(STACK_TYPE, {}, name="proj-dev"))
    return evaluate([POLICY], resources, {POLICY.id: config})


def reserving(*amounts: Any) -> list[dict[str, Any]]:
    return [{"reservedConcurrentExecutions": amount} for amount in amounts]


CASES: dict[str, tuple[list[dict[str, Any]], dict[str, Any] | None, Outcome]] = {
    "room_to_spare": (reserving(100.0, 200.0), None, Outcome.PASS),
    "exactly_the_floor_left": (reserving(500.0, 400.0), None, Outcome.PASS),
    "one_past_the_floor": (reserving(500.0, 401.0), None, Outcome.FAIL),
    "provider_default_unreserved": (reserving(-1.0, -1.0), None, Outcome.PASS),
    "absent_reserves_nothing": ([{}, {}], None, Outcome.PASS),
    "zero_reserves_nothing": (reserving(0.0, 900.0), None, Outcome.PASS),
    "raised_account_limit": (reserving(1500.0, 1000.0), {"accountConcurrencyLimit": 3000}, Outcome.PASS),
    "lowered_share_of_the_account": (reserving(300.0), {"accountConcurrencyLimit": 350}, Outcome.FAIL),
    "unknown_with_room": (reserving(100.0, UNKNOWN), None, Outcome.UNKNOWN),
    "secret_with_room": (reserving(100.0, SECRET), None, Outcome.UNKNOWN),
    "known_already_too_many": (reserving(950.0, UNKNOWN), None, Outcome.FAIL),
    "string_is_malformed": (reserving(100.0, "50"), None, Outcome.FAIL),
    "fraction_is_malformed": (reserving(1.5), None, Outcome.FAIL),
    "list_is_malformed": (reserving([5.0]), None, Outcome.FAIL),
    "below_unreserved_is_malformed": (reserving(-2.0), None, Outcome.FAIL),
    "malformed_beats_unknown": (reserving("50", UNKNOWN), None, Outcome.FAIL),
    "exempt_by_config": (
        reserving(950.0),
        {"exemptions": [{"resource": "proj-dev", "reason": "quota raise to 2000 approved, ticket 1234"}]},
        Outcome.EXEMPT,
    ),
    "function_tag_does_not_exempt_the_sum": (
        [{"reservedConcurrentExecutions": 950.0, "tags": {EXEMPT_TAG: "batch window"}}],
        None,
        Outcome.FAIL,
    ),
}


@pytest.mark.parametrize(("functions", "config", "expected"), CASES.values(), ids=list(CASES))
def test_headroom(functions: list[dict[str, Any]], config: dict[str, Any] | None, expected: Outcome) -> None:
    [finding] = findings(functions, config)
    assert (finding.urn, finding.outcome) == (STACK_URN, expected)


def test_message_lists_total_limit_headroom_and_biggest() -> None:
    [finding] = findings(reserving(10.0, 600.0, 200.0, 150.0, UNKNOWN))
    assert finding.message == (
        "Lambda functions in this stack reserve 960 of the account limit 1000 concurrent executions, leaving "
        "40 unreserved (not counting 1 unknown at preview); AWS keeps at least 100 unreserved and refuses "
        "reservations beyond that: lower reservations by 60 in total, starting with the biggest "
        "('fn1' 600, 'fn2' 200, 'fn3' 150)"
    )


ATTACHMENT: dict[str, tuple[list[dict[str, Any]], bool, list[tuple[str, Outcome]]]] = {
    "stack_sent": (reserving(5.0), True, [(STACK_URN, Outcome.PASS)]),
    "stack_rebuilt_from_function_urns": (reserving(5.0), False, [(STACK_URN, Outcome.PASS)]),
    "no_functions": ([], True, [(STACK_URN, Outcome.NOT_APPLICABLE)]),
    "no_functions_and_no_stack": ([], False, []),
}


@pytest.mark.parametrize(("functions", "stack", "expected"), ATTACHMENT.values(), ids=list(ATTACHMENT))
def test_finding_attaches_to_the_stack(
    functions: list[dict[str, Any]], stack: bool, expected: list[tuple[str, Outcome]]
) -> None:
    assert [(f.urn, f.outcome) for f in findings(functions, stack=stack)] == expected
