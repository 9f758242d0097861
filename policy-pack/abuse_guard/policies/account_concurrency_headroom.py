"""The stack's reservations, and the provisioned concurrency of its functions without one, leave AWS's unreserved
floor in each account and Region: past it, deployment fails or starves the rest."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial

from ..aws.frontdoors import FrontDoors
from ..aws.functions import FunctionElsewhere, provisioned, reservation
from ..aws.limits import UNRESERVED_FLOOR
from ..aws.regions import location, pool_label
from ..aws.types import LAMBDA_ALIAS, LAMBDA_FUNCTION, LAMBDA_PROVISIONED_CONCURRENCY
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
    """What the stack's functions in one account and Region take out of it: one pool of concurrency."""

    reserved: list[tuple[str, float]] = field(default_factory=list)
    """Reservations, by function as messages name it ("'batch'")."""
    provisioned: list[tuple[str, float]] = field(default_factory=list)
    """Provisioned concurrency of functions without a reservation, which comes out of the unreserved pool."""
    unknown: list[str] = field(default_factory=list)
    """What may take concurrency but is not known (at preview, or outside the stack), as messages name it."""
    malformed: list[str] = field(default_factory=list)
    assumed: str = ""
    """Why the pool's Region is an assumption, if it is (a provider that sets no region)."""
    elsewhere: bool = False
    """Some of `unknown` is on functions outside the stack: not known now, nor after deployment."""

    @property
    def taken(self) -> float:
        return sum(value for _, value in self.reserved) + sum(value for _, value in self.provisioned)


@dataclass
class Draw:
    """What one function (or a provisioned config whose function is not at hand) takes from its pool."""

    where: Resource
    """The resource whose account and Region the pool is: the function, else the config."""
    reserved: list[tuple[str, float]] = field(default_factory=list)
    provisioned: list[tuple[str, float]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)
    elsewhere: bool = False

    @property
    def taking(self) -> str:
        """How messages say what it takes: "Lambda function 'batch' reserves concurrency"."""
        if self.where.type == LAMBDA_FUNCTION:
            return f"Lambda function '{self.where.name}' reserves concurrency"
        return f"{self.where.label} provisions concurrency"


def provisioned_configs(graph: Graph) -> list[Resource]:
    """The stack's provisioned concurrency: pulumi-aws ProvisionedConcurrencyConfigs, and aws-native Aliases that
    set `provisionedConcurrencyConfig` (their view keeps it)."""
    aliases = [a for a in graph.of_type(LAMBDA_ALIAS) if "provisionedConcurrencyConfig" in a.props]
    return [*graph.of_type(LAMBDA_PROVISIONED_CONCURRENCY), *aliases]


def draws(functions: list[Resource], graph: Graph) -> list[Draw]:
    """What each function takes from its pool: its reservation, or without one the provisioned concurrency of its
    versions and aliases (AWS Lambda Developer Guide, "Configuring provisioned concurrency": it comes out of the
    unreserved pool, which keeps UNRESERVED_FLOOR; with a reservation it comes out of that). A config whose
    function cannot be told, or is outside the stack, is a draw of its own, in the config's account and Region."""
    doors = graph.derived(FrontDoors)
    by_function: dict[str, list[Resource]] = {}
    found: list[Draw] = []
    for config in provisioned_configs(graph):
        try:
            target = doors.function_from(config, "functionName")
        except FunctionElsewhere as error:
            found.append(_provision(Draw(config), config, error))
            continue
        except Undetermined as error:
            found.append(Draw(config, unknown=[f"{config.label} ({error})"]))
            continue
        except Malformed as error:
            found.append(Draw(config, malformed=[f"{config.label} ({error})"]))
            continue
        if isinstance(target, Resource):
            by_function.setdefault(target.urn, []).append(config)
    for function in functions:
        draw = Draw(function)
        try:
            reserved = reservation(function)
        except Undetermined as error:
            draw.unknown.append(f"Lambda function '{function.name}' ({error})")
        except Malformed as error:
            draw.malformed.append(f"Lambda function '{function.name}' ({error})")
        else:
            if reserved is not None and reserved > 0:
                draw.reserved.append((f"'{function.name}'", reserved))
            elif reserved is None:
                for config in by_function.get(function.urn, []):
                    _provision(draw, config, function)
        found.append(draw)
    return [d for d in found if d.reserved or d.provisioned or d.unknown or d.malformed]


def _provision(draw: Draw, config: Resource, function: Resource | FunctionElsewhere) -> Draw:
    """`draw` with what `config` provisions for an unreserved function of the stack, or for one outside it (which
    takes from the pool only if that function has no reservation: not known here)."""
    try:
        value = provisioned(config, at=config.label)
    except Undetermined as error:
        draw.unknown.append(str(error))
        return draw
    except Malformed as error:
        draw.malformed.append(str(error))
        return draw
    if value is None:
        return draw
    if isinstance(function, Resource):
        draw.provisioned.append((f"{config.label} on '{function.name}'", value))
    else:
        draw.unknown.append(
            f"{config.label}'s {figure(value)} ({function}, so whether it has a reservation, which the provisioned "
            "concurrency would come out of, is not known here)"
        )
        draw.elsewhere = True
    return draw


def pools_of(functions: list[Resource], graph: Graph) -> tuple[dict[tuple[str, str], Pool], list[Verdict]]:
    """What the stack takes by (account, Region) pool, and the verdicts of what fits no pool: a draw whose account
    or Region cannot be read (unknown or malformed)."""
    pools: dict[tuple[str, str], Pool] = {}
    unplaced: list[Verdict] = []
    for draw in draws(functions, graph):
        try:
            where = location(draw.where, graph)
        except Undetermined as error:
            unplaced.append(
                failed(f"cannot add up Lambda reservations, malformed on {', '.join(draw.malformed)}")
                if draw.malformed
                else undetermined(
                    f"cannot be determined at preview: which account and Region {draw.taking} in ({error})"
                )
            )
            continue
        except Malformed as error:
            unplaced.append(failed(f"cannot tell which account and Region {draw.where.label} is in: {error}"))
            continue
        pool = pools.setdefault(where.pool, Pool())
        pool.assumed = pool.assumed or where.assumed
        pool.reserved += draw.reserved
        pool.provisioned += draw.provisioned
        pool.unknown += draw.unknown
        pool.malformed += draw.malformed
        pool.elsewhere = pool.elsewhere or draw.elsewhere
    return pools, unplaced


def pool_verdict(pool: Pool, where: str, limit: float) -> Verdict:
    """One pool against the account limit; `where` names the pool ("" when it is the stack's only one)."""
    budget = limit - UNRESERVED_FLOOR
    unknown, malformed = pool.unknown, pool.malformed
    total = pool.taken
    reserved = sum(value for _, value in pool.reserved)
    provisioned = sum(value for _, value in pool.provisioned)
    also = f" and provision {figure(provisioned)} on functions without a reservation" if pool.provisioned else ""
    summary = (
        f"Lambda functions in {where or 'this stack'} reserve {figure(reserved)} of the account limit "
        f"{figure(limit)} concurrent executions{also}, leaving {figure(limit - total)} unreserved"
    )
    assumed = f"; {pool.assumed}" if pool.assumed else ""
    if total > budget:
        biggest = sorted([*pool.reserved, *pool.provisioned], key=lambda item: item[1], reverse=True)[:BIGGEST_SHOWN]
        shown = ", ".join(f"{name} {figure(value)}" for name, value in biggest)
        not_counted = (
            f" (not counting {len(unknown)} unknown{'' if pool.elsewhere else ' at preview'})" if unknown else ""
        )
        malformed_too = f"; also malformed on {', '.join(malformed)}" if malformed else ""
        what = "reservations and provisioned concurrency" if pool.provisioned else "reservations"
        return failed(
            f"{summary}{not_counted}; AWS keeps at least {UNRESERVED_FLOOR} unreserved and refuses {what} "
            f"beyond that: lower {'them' if pool.provisioned else 'reservations'} by {figure(total - budget)} in "
            f"total, starting with the biggest ({shown}){malformed_too}{assumed}"
        )
    if malformed:
        return failed(
            f"cannot add up Lambda reservations{' in ' + where if where else ''}, malformed on {', '.join(malformed)}; "
            "set reserved_concurrent_executions to a whole number (-1 for unreserved) and "
            "provisioned_concurrent_executions to a whole number of at least 1"
        )
    if unknown:
        when = "" if pool.elsewhere else " at preview"
        return undetermined(
            f"cannot be determined{when}: {summary} so far; still to count: {', '.join(unknown)}{assumed}"
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
            pool.provisioned + unnamed.provisioned,
            pool.unknown + unnamed.unknown,
            pool.malformed + unnamed.malformed,
            pool.assumed or unnamed.assumed,
            pool.elsewhere or unnamed.elsewhere,
        )
        judged[key] = (merged, f"{pool_label(key)} (with those whose provider names no account, which may be it)")
    return judged


def headroom_verdict(functions: list[Resource], settings: Settings, graph: Graph) -> Verdict:
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
    stack = stack_of(graph, functions or provisioned_configs(graph))
    if stack is None:
        return
    if not functions and not provisioned_configs(graph):
        yield stack, not_applicable("the stack defines no Lambda functions, so it reserves no concurrency")
        return
    yield stack, headroom_verdict(functions, settings, graph)


POLICY = Policy(
    id="account-concurrency-headroom",
    title="Lambda reservations leave the account's unreserved floor",
    description=(
        f"The stack's reserved concurrency, and the provisioned concurrency of its functions without a reservation, "
        f"must leave at least {UNRESERVED_FLOOR} executions of the account limit unreserved in each account and "
        "Region."
    ),
    severity="high",
    enforcement="mandatory",
    resource_types=(STACK_TYPE,),
    rationale=(
        "Reserving concurrency caps each function, but reservations come out of the account's pool in their "
        f"Region, and AWS refuses any reservation that would leave fewer than {UNRESERVED_FLOOR} executions of "
        "that pool unreserved: a stack whose functions each pass lambda-reserved-concurrency can still fail "
        "halfway through deployment, or leave every unreserved function in the account fighting over the floor. "
        "The same floor holds provisioned concurrency: on a function without a reservation it comes out of the "
        "unreserved pool, so AWS refuses a ProvisionedConcurrencyConfig that would take the pool below it (one "
        "function reserving 850 of 1,000 and 100 provisioned on another is refused; anomalyco/sst#5829); on a "
        "function with a reservation it comes out of that reservation. "
        "The sum counts reservedConcurrentExecutions > 0 over the stack's Lambda functions, and for a function "
        "without a reservation the provisionedConcurrentExecutions of each ProvisionedConcurrencyConfig on it (on "
        "an alias or a version; an aws-native Alias's provisionedConcurrencyConfig too), one sum per account "
        "and Region: a function is in the Region its own region input names, else its provider's (an explicit "
        "aws.Provider's region, or the default provider's, which is the stack's aws:region), else us-east-1; and "
        "in the account its provider's role ARN (assume_roles) or single allowed_account_ids entry names. "
        "Providers that name no account are taken to share the account of the stack's credentials (a profile "
        "names credentials, not an account), which may be any account named in the same Region, so their "
        "reservations count in those pools too: the sums err high, and allowed_account_ids on each provider "
        "(aws:allowedAccountIds for the default one) tells the accounts apart. Each pool is held to "
        "accountConcurrencyLimit. The finding is one, on the stack, as every policy gives a resource one outcome: "
        "it fails when any pool is over, and names each pool when there are several. "
        "Absent, -1 (the provider's 'unreserved') and 0 reserve nothing. Unknown reservations or provisioned "
        "concurrency, or an account or Region not known at preview, make the result unknown, unless a pool is "
        "already over (then it fails); so does provisioned concurrency on a function outside the stack, whose "
        "reservation is not known here. A malformed reservation, provisioned concurrency or Region fails, naming "
        "the resource. The policy cannot see other stacks in the "
        "account, so set accountConcurrencyLimit to this stack's share. The stack resource is rebuilt from the "
        "functions' URNs when the source sends none; nothing is reported for a stack without functions and "
        "without a stack resource. Exempt it by the stack's name in the policy config; a function's exemption "
        "tag does not remove its reservation from the sum, because AWS counts it anyway."
    ),
    remediation=(
        "Lower the biggest reservations (or provisioned concurrency) in the pool that is over until it leaves the "
        "floor, or raise accountConcurrencyLimit once AWS has raised the account's quota in that Region:\n"
        "    aws.lambda_.Function('batch', ..., reserved_concurrent_executions=50)\n"
        "    aws.lambda_.ProvisionedConcurrencyConfig('warm', function_name=live.function_name, qualifier=live.name,\n"
        "        provisioned_concurrent_executions=20)\n"
        '    {"account-concurrency-headroom": {"accountConcurrencyLimit": 3000}}\n'
        "If the pools are in different accounts, say so on each provider:\n"
        "    aws.Provider('prod', region='eu-west-1', allowed_account_ids=['111111111111'])"
    ),
    config={"accountConcurrencyLimit": ACCOUNT_CONCURRENCY},
    check_stack=check_stack,
    references=(
        "AWS Lambda: Configuring reserved concurrency (UnreservedConcurrentExecutions minimum)",
        "AWS Lambda: Configuring provisioned concurrency; Lambda function scaling (the unreserved pool)",
        "AWS Lambda quotas: concurrent executions (per Region)",
        "anomalyco/sst#5829 (a provisioned concurrency config refused for the unreserved floor)",
    ),
    tags=("lambda", "cost", "availability"),
)
