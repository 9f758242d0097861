"""The stack's reservations leave AWS's unreserved floor in each account and Region: past it, deployment fails
or starves the rest."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial

from ..aws.functions import reservation
from ..aws.limits import UNRESERVED_FLOOR
from ..aws.regions import location, pool_label
from ..aws.types import LAMBDA_FUNCTION
from ..findings import Verdict, all_of, failed, not_applicable, passed, undetermined
from ..graph import Graph
from ..policy import Policy, Settings
from ..resources import STACK_TYPE, Resource
from ..shared_config import ACCOUNT_CONCURRENCY
from ..urns import root_stack, urn_or_none
from ..values import Malformed, Undetermined, figure

BIGGEST_SHOWN = 3


def stack_of(graph: Graph, functions: list[Resource]) -> Resource | None:
    """The stack resource a finding attaches to. A source that sent none still names the stack in every
    URN (urn:pulumi:<stack>::<project>::...), so the stack is rebuilt from the first function's URN."""
    stack = graph.stack()
    if stack is not None or not functions:
        return stack
    named = urn_or_none(functions[0].urn)
    root = root_stack(named.stack, named.project) if named is not None else root_stack("", "")
    return Resource(urn=str(root), type=STACK_TYPE, name=root.name)


@dataclass
class Pool:
    """What the stack's functions in one account and Region reserve: one pool of concurrency."""

    reserved: list[tuple[Resource, float]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    """Functions whose reservation is not known at preview, as messages name them."""
    malformed: list[str] = field(default_factory=list)
    assumed: str = ""
    """Why the pool's Region is an assumption, if it is (a provider that sets no region)."""


def pools_of(functions: list[Resource], graph: Graph | None) -> tuple[dict[tuple[str, str], Pool], list[Verdict]]:
    """The functions' reservations by (account, Region) pool, and the verdicts of those that fit no pool: a
    function that may reserve something but whose account or Region cannot be read (unknown or malformed)."""
    pools: dict[tuple[str, str], Pool] = {}
    unplaced: list[Verdict] = []
    for function in functions:
        reserved: float | None = None
        unknown = malformed = ""
        try:
            reserved = reservation(function)
        except Undetermined as error:
            unknown = f"'{function.name}' ({error})"
        except Malformed as error:
            malformed = f"'{function.name}' ({error})"
        if not (unknown or malformed) and (reserved is None or reserved <= 0):
            continue  # reserves nothing, in whichever pool it is
        try:
            where = location(function, graph)
        except Undetermined as error:
            unplaced.append(
                failed(f"cannot add up Lambda reservations, malformed on Lambda function {malformed}")
                if malformed
                else undetermined(
                    f"cannot be determined at preview: which account and Region Lambda function '{function.name}' "
                    f"reserves concurrency in ({error})"
                )
            )
            continue
        except Malformed as error:
            unplaced.append(
                failed(f"cannot tell which account and Region Lambda function '{function.name}' is in: {error}")
            )
            continue
        pool = pools.setdefault(where.pool, Pool())
        pool.assumed = pool.assumed or where.assumed
        if unknown:
            pool.unknown.append(unknown)
        elif malformed:
            pool.malformed.append(malformed)
        elif reserved is not None:
            pool.reserved.append((function, reserved))
    return pools, unplaced


def pool_verdict(pool: Pool, where: str, limit: float) -> Verdict:
    """One pool against the account limit; `where` names the pool ("" when it is the stack's only one)."""
    budget = limit - UNRESERVED_FLOOR
    reserved, unknown, malformed = pool.reserved, pool.unknown, pool.malformed
    total = sum(value for _, value in reserved)
    summary = (
        f"Lambda functions in {where or 'this stack'} reserve {figure(total)} of the account limit {figure(limit)} "
        f"concurrent executions, leaving {figure(limit - total)} unreserved"
    )
    assumed = f"; {pool.assumed}" if pool.assumed else ""
    if total > budget:
        biggest = sorted(reserved, key=lambda item: item[1], reverse=True)[:BIGGEST_SHOWN]
        shown = ", ".join(f"'{function.name}' {figure(value)}" for function, value in biggest)
        not_counted = f" (not counting {len(unknown)} unknown at preview)" if unknown else ""
        also = f"; also malformed: {', '.join(malformed)}" if malformed else ""
        return failed(
            f"{summary}{not_counted}; AWS keeps at least {UNRESERVED_FLOOR} unreserved and refuses reservations "
            f"beyond that: lower reservations by {figure(total - budget)} in total, starting with the biggest "
            f"({shown}){also}{assumed}"
        )
    if malformed:
        return failed(
            f"cannot add up Lambda reservations{' in ' + where if where else ''}, malformed on Lambda function "
            f"{', '.join(malformed)}; set reserved_concurrent_executions to a whole number (-1 for unreserved)"
        )
    if unknown:
        return undetermined(
            f"cannot be determined at preview: {summary} so far; still to count: Lambda function "
            f"{', '.join(unknown)}{assumed}"
        )
    return passed(f"{summary} (at least {UNRESERVED_FLOOR} must stay unreserved){assumed}")


def with_unnamed(pools: dict[tuple[str, str], Pool]) -> dict[tuple[str, str], tuple[Pool, str]]:
    """Each pool as it is judged, with its label: a named account's pool also counts the functions of its Region
    whose provider names no account, since the stack's credentials may belong to that very account."""
    judged: dict[tuple[str, str], tuple[Pool, str]] = {}
    for key, pool in pools.items():
        account, region = key
        unnamed = pools.get(("", region)) if account else None
        if unnamed is None:
            judged[key] = (pool, pool_label(key))
            continue
        merged = Pool(
            pool.reserved + unnamed.reserved,
            pool.unknown + unnamed.unknown,
            pool.malformed + unnamed.malformed,
            pool.assumed or unnamed.assumed,
        )
        judged[key] = (merged, f"{pool_label(key)} (with those whose provider names no account, which may be it)")
    return judged


def headroom_verdict(functions: list[Resource], settings: Settings, graph: Graph | None = None) -> Verdict:
    """Every (account, Region) pool of the stack's functions against the account limit, as one verdict: it fails
    when any pool is over, naming each pool when there are several."""
    limit = settings["accountConcurrencyLimit"]
    pools, unplaced = pools_of(functions, graph)
    judged = with_unnamed(pools)
    named = len(judged) > 1
    in_pools = [pool_verdict(judged[key][0], judged[key][1] if named else "", limit) for key in sorted(judged)]
    verdicts = [*(in_pools or [pool_verdict(Pool(), "", limit)]), *unplaced]
    if len(verdicts) == 1:
        return verdicts[0]
    return all_of("", *(partial(_given, verdict) for verdict in verdicts))


def _given(verdict: Verdict) -> Verdict:
    return verdict


def check_stack(graph: Graph, settings: Settings) -> Iterator[tuple[Resource, Verdict]]:
    functions = graph.of_type(LAMBDA_FUNCTION)
    stack = stack_of(graph, functions)
    if stack is None:
        return
    if not functions:
        yield stack, not_applicable("the stack defines no Lambda functions, so it reserves no concurrency")
        return
    yield stack, headroom_verdict(functions, settings, graph)


POLICY = Policy(
    id="account-concurrency-headroom",
    title="Lambda reservations leave the account's unreserved floor",
    description=(
        f"The stack's reserved concurrency must leave at least {UNRESERVED_FLOOR} executions of the account limit "
        "unreserved in each account and Region."
    ),
    severity="high",
    enforcement="mandatory",
    resource_types=(STACK_TYPE,),
    rationale=(
        "Reserving concurrency caps each function, but reservations come out of the account's pool in their "
        f"Region, and AWS refuses any reservation that would leave fewer than {UNRESERVED_FLOOR} executions of "
        "that pool unreserved: a stack whose functions each pass lambda-reserved-concurrency can still fail "
        "halfway through deployment, or leave every unreserved function in the account fighting over the floor. "
        "The sum counts reservedConcurrentExecutions > 0 over the stack's Lambda functions, one sum per account "
        "and Region: a function is in the Region its own region input names, else its provider's (an explicit "
        "aws.Provider's region, or the default provider's, which is the stack's aws:region), else us-east-1; and "
        "in the account its provider's role ARN (assume_roles) or single allowed_account_ids entry names. "
        "Providers that name no account are taken to share the account of the stack's credentials (a profile "
        "names credentials, not an account), which may be any account named in the same Region, so their "
        "reservations count in those pools too: the sums err high, and allowed_account_ids on each provider "
        "(aws:allowedAccountIds for the default one) tells the accounts apart. Each pool is held to "
        "accountConcurrencyLimit. The finding is one, on the stack, as every policy gives a resource one outcome: "
        "it fails when any pool is over, and names each pool when there are several. "
        "Absent, -1 (the provider's 'unreserved') and 0 reserve nothing. Unknown reservations, or an account or "
        "Region not known at preview, make the result unknown, unless a pool is already over (then it fails). A "
        "malformed reservation or Region fails, naming the function. The policy cannot see other stacks in the "
        "account, so set accountConcurrencyLimit to this stack's share. The stack resource is rebuilt from the "
        "functions' URNs when the source sends none; nothing is reported for a stack without functions and "
        "without a stack resource. Exempt it by the stack's name in the policy config; a function's exemption "
        "tag does not remove its reservation from the sum, because AWS counts it anyway."
    ),
    remediation=(
        "Lower the biggest reservations in the pool that is over until it leaves the floor, or raise "
        "accountConcurrencyLimit once AWS has raised the account's quota in that Region:\n"
        "    aws.lambda_.Function('batch', ..., reserved_concurrent_executions=50)\n"
        '    {"account-concurrency-headroom": {"accountConcurrencyLimit": 3000}}\n'
        "If the pools are in different accounts, say so on each provider:\n"
        "    aws.Provider('prod', region='eu-west-1', allowed_account_ids=['111111111111'])"
    ),
    config={"accountConcurrencyLimit": ACCOUNT_CONCURRENCY},
    check_stack=check_stack,
    references=(
        "AWS Lambda: Configuring reserved concurrency (UnreservedConcurrentExecutions minimum)",
        "AWS Lambda quotas: concurrent executions (per Region)",
    ),
    tags=("lambda", "cost", "availability"),
)
