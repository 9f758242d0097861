"""The stack's reservations leave AWS's unreserved floor: past it, deployment fails or starves the rest."""

from __future__ import annotations

from collections.abc import Iterator

from ..aws.functions import reservation
from ..aws.limits import UNRESERVED_FLOOR
from ..aws.types import LAMBDA_FUNCTION
from ..findings import Verdict, failed, not_applicable, passed, undetermined
from ..graph import Graph
from ..policy import Policy, Settings
from ..resources import STACK_TYPE, Resource
from ..values import Malformed, Undetermined, figure
from .config import ACCOUNT_CONCURRENCY

BIGGEST_SHOWN = 3


def stack_of(graph: Graph, functions: list[Resource]) -> Resource | None:
    """The stack resource a finding attaches to. A source that sent none still names the stack in every
    URN (urn:pulumi:<stack>::<project>::...), so the stack is rebuilt from the first function's URN."""
    stack = graph.stack()
    if stack is not None or not functions:
        return stack
    parts = functions[0].urn.split("::")
    stack_name = parts[0].removeprefix("urn:pulumi:")
    project = parts[1] if len(parts) > 1 else ""
    name = f"{project}-{stack_name}"
    return Resource(urn=f"urn:pulumi:{stack_name}::{project}::{STACK_TYPE}::{name}", type=STACK_TYPE, name=name)


def headroom_verdict(functions: list[Resource], settings: Settings) -> Verdict:
    limit = settings["accountConcurrencyLimit"]
    budget = limit - UNRESERVED_FLOOR
    reserved: list[tuple[Resource, float]] = []
    unknown: list[str] = []
    malformed: list[str] = []
    for function in functions:
        try:
            value = reservation(function)
        except Undetermined as error:
            unknown.append(f"'{function.name}' ({error})")
            continue
        except Malformed as error:
            malformed.append(f"'{function.name}' ({error})")
            continue
        if value is not None and value > 0:
            reserved.append((function, value))
    total = sum(value for _, value in reserved)
    summary = (
        f"Lambda functions in this stack reserve {figure(total)} of the account limit {figure(limit)} concurrent "
        f"executions, leaving {figure(limit - total)} unreserved"
    )
    if total > budget:
        biggest = sorted(reserved, key=lambda item: item[1], reverse=True)[:BIGGEST_SHOWN]
        shown = ", ".join(f"'{function.name}' {figure(value)}" for function, value in biggest)
        not_counted = f" (not counting {len(unknown)} unknown at preview)" if unknown else ""
        also = f"; also malformed: {', '.join(malformed)}" if malformed else ""
        return failed(
            f"{summary}{not_counted}; AWS keeps at least {UNRESERVED_FLOOR} unreserved and refuses reservations "
            f"beyond that: lower reservations by {figure(total - budget)} in total, starting with the biggest "
            f"({shown}){also}"
        )
    if malformed:
        return failed(
            f"cannot add up Lambda reservations, malformed on Lambda function {', '.join(malformed)}; set "
            "reserved_concurrent_executions to a whole number (-1 for unreserved)"
        )
    if unknown:
        return undetermined(
            f"cannot be determined at preview: {summary} so far; still to count: Lambda function {', '.join(unknown)}"
        )
    return passed(f"{summary} (at least {UNRESERVED_FLOOR} must stay unreserved)")


def check_stack(graph: Graph, settings: Settings) -> Iterator[tuple[Resource, Verdict]]:
    functions = graph.of_type(LAMBDA_FUNCTION)
    stack = stack_of(graph, functions)
    if stack is None:
        return
    if not functions:
        yield stack, not_applicable("the stack defines no Lambda functions, so it reserves no concurrency")
        return
    yield stack, headroom_verdict(functions, settings)


POLICY = Policy(
    id="account-concurrency-headroom",
    title="Lambda reservations leave the account's unreserved floor",
    description=(
        f"The stack's reserved concurrency must leave at least {UNRESERVED_FLOOR} executions of the "
        "account limit unreserved."
    ),
    severity="high",
    enforcement="mandatory",
    resource_types=(STACK_TYPE,),
    rationale=(
        "Reserving concurrency caps each function, but reservations come out of one regional account pool, "
        f"and AWS refuses any reservation that would leave fewer than {UNRESERVED_FLOOR} executions "
        "unreserved: a stack whose functions each pass lambda-reserved-concurrency can still fail halfway "
        "through deployment, or leave every unreserved function in the account fighting over the floor. The "
        "sum counts reservedConcurrentExecutions > 0 over all Lambda functions of the stack; absent, -1 "
        "(the provider's 'unreserved') and 0 reserve nothing. Unknown reservations make the result unknown, "
        "unless the known ones already exceed the budget (then it fails). A malformed reservation fails, "
        "naming the function. The sum is conservative: it adds functions of all regions into one pool, and "
        "it cannot see other stacks in the account, so set accountConcurrencyLimit to this stack's share. "
        "The finding belongs to the stack (rebuilt from the functions' URNs when the source sends no stack "
        "resource; nothing is reported for a stack without functions and without a stack resource). Exempt "
        "it by the stack's name in the policy config; a function's exemption tag does not remove its "
        "reservation from the sum, because AWS counts it anyway."
    ),
    remediation=(
        "Lower the biggest reservations until the sum leaves the floor, or raise accountConcurrencyLimit "
        "once AWS has raised the account's quota:\n"
        "    aws.lambda_.Function('batch', ..., reserved_concurrent_executions=50)\n"
        '    {"account-concurrency-headroom": {"accountConcurrencyLimit": 3000}}'
    ),
    config={"accountConcurrencyLimit": ACCOUNT_CONCURRENCY},
    check_stack=check_stack,
    references=(
        "AWS Lambda: Configuring reserved concurrency (UnreservedConcurrentExecutions minimum)",
        "AWS Lambda quotas: concurrent executions",
    ),
    tags=("lambda", "cost", "availability"),
)
