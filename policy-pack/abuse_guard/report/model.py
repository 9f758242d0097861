"""What every report format says about a run, computed once: counts, the gate, policy metadata.

The formats differ only in how they lay this out, so a total or a gate decision cannot disagree
between the HTML page, the JSON a CI job reads and the exit code.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property

from ..cost.model import EntrypointCost, Worst
from ..findings import Finding, Outcome
from ..run import PolicyInfo, Run
from ..wording import amount, dollars, per_second, printable_data

OUTCOMES: tuple[Outcome, ...] = tuple(Outcome)
"""Report order: pass, fail, unknown, not-applicable, exempt."""

LABELS: Mapping[Outcome, str] = {
    Outcome.PASS: "Pass",
    Outcome.FAIL: "Fail",
    Outcome.UNKNOWN: "Unknown",
    Outcome.NOT_APPLICABLE: "Not applicable",
    Outcome.EXEMPT: "Exempt",
}

MEANINGS: Mapping[Outcome, str] = {
    Outcome.PASS: "the resource meets the policy",
    Outcome.FAIL: "the resource violates the policy",
    Outcome.UNKNOWN: "cannot be determined at preview (a value is only known after deployment, or is secret)",
    Outcome.NOT_APPLICABLE: "the policy looked at the resource and does not apply to it",
    Outcome.EXEMPT: "an exemption with a reason covers the resource",
}

FAIL_ON = ("mandatory", "advisory", "never")
"""`--fail-on` thresholds: a fail blocks when its policy's enforcement level is at or above it."""

_LEVEL_RANK = {"disabled": 0, "advisory": 1, "mandatory": 2, "remediate": 2}
_THRESHOLD_RANK = {"advisory": 1, "mandatory": 2}
UNSPECIFIED = "unspecified"


def level_rank(enforcement: str) -> int:
    """How strongly a level enforces; a level we do not know (a foreign pack's) counts as mandatory: fail closed."""
    return _LEVEL_RANK.get(enforcement, _LEVEL_RANK["mandatory"])


def _sum(tallies: Iterable[Mapping[Outcome, int]]) -> dict[Outcome, int]:
    """Outcome counts added up, every outcome present (zeros included) in report order."""
    total = dict.fromkeys(OUTCOMES, 0)
    for tally in tallies:
        for outcome, n in tally.items():
            total[outcome] += n
    return total


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


@dataclass(frozen=True)
class Status:
    tone: str
    """blocked (a mandatory fail), warned (advisory fails only) or clean."""
    headline: str
    caveat: str
    """What the headline cannot promise: findings unknown at preview; empty when there are none."""


@dataclass(frozen=True)
class EntrypointRow:
    """One entrypoint's worst case as every format shows it, worded once."""

    name: str
    kind: str
    function: str
    outcome: Outcome
    """pass: within budget; fail: over it; unknown: no figure."""
    status: str
    rate: str
    rate_limit: str
    concurrency: str
    concurrency_limit: str
    cost: str
    cost_parts: str
    budget: str
    binding: str
    """The limit that binds the cost, or why there is no figure."""
    fix: str
    notes: str


def entrypoint_row(entrypoint: EntrypointCost) -> EntrypointRow:
    common = {
        "name": entrypoint.name,
        "kind": entrypoint.kind,
        "function": entrypoint.function,
        "budget": dollars(entrypoint.budget),
        "notes": "; ".join(entrypoint.notes),
    }
    if entrypoint.worst is not None:
        return _figures(entrypoint, entrypoint.worst, common, "")
    least, most = entrypoint.least, entrypoint.most
    if least is not None and most is not None:  # bounded: only inputs of the function behind it are unknown
        if entrypoint.over_budget:
            return _figures(entrypoint, least, common, "at least ", f" (whatever {entrypoint.unknown})")
        if entrypoint.within_budget:
            return _figures(entrypoint, most, common, "at most ", f" (whatever {entrypoint.unknown})")
        spread = f"{dollars(least.cost.total)} to {dollars(most.cost.total)}/month"
        return replace(_unknown(entrypoint, common), cost=spread)
    return _unknown(entrypoint, common)


def _figures(
    entrypoint: EntrypointCost, worst: Worst, common: Mapping[str, str], bound: str, whatever: str = ""
) -> EntrypointRow:
    """A row with figures: the worst case, or (`bound` "at least " or "at most ") one end of its range."""
    over = entrypoint.over_budget
    fix = ""
    if entrypoint.fix is not None:
        fix = entrypoint.fix.describe() + ("" if entrypoint.fix.within_budget else " (still over budget)")
    return EntrypointRow(
        **common,
        outcome=Outcome.FAIL if over else Outcome.PASS,
        status="over budget" if over else "within budget",
        rate=per_second(worst.rate),
        rate_limit=worst.rate_limit,
        concurrency=f"{bound}{amount(worst.concurrency)}",
        concurrency_limit=worst.concurrency_limit,
        cost=f"{bound}{dollars(worst.cost.total)}/month",
        cost_parts=worst.cost.describe(),
        binding=worst.binding + whatever,
        fix=fix,
    )


UNKNOWN_FIGURE = "unknown"
"""What a row shows for a figure it does not have."""


def _unknown(entrypoint: EntrypointCost, common: Mapping[str, str]) -> EntrypointRow:
    """A row without figures: why there are none."""
    unknown = UNKNOWN_FIGURE
    return EntrypointRow(
        **common,
        outcome=Outcome.FAIL if entrypoint.malformed else Outcome.UNKNOWN,
        status="malformed" if entrypoint.malformed else "unknown",
        rate=unknown,
        rate_limit="",
        concurrency=unknown,
        concurrency_limit="",
        cost=unknown,
        cost_parts="",
        binding=entrypoint.unknown,
        fix="",
    )


@dataclass(frozen=True)
class Report:
    """A run and what the formats need to say about it.

    `artifact` is the repository file the findings point at in SARIF (the previewed program or the
    input file): code-scanning services reject results without a physical location.
    `expected_failure` marks a stack that is insecure on purpose (its config sets abuse-guard:expectedFailure, as the
    demo's insecure stacks do, and the command was run with --expected-failures): reported, not gated, and a
    regression when nothing fails.
    """

    run: Run
    artifact: str | None = None
    expected_failure: bool = False

    def __post_init__(self) -> None:
        # what every format shows: names and messages cannot reorder, hide or forge text (wording.printable)
        object.__setattr__(self, "run", printable_data(self.run))

    @cached_property
    def policies(self) -> tuple[PolicyInfo, ...]:
        """The run's policies, plus a bare entry for any policy a finding names that the run does not describe."""
        known = {p.id for p in self.run.policies}
        extra = dict.fromkeys(f.policy for f in self.run.findings if f.policy not in known)
        return self.run.policies + tuple(PolicyInfo(policy_id) for policy_id in extra)

    @cached_property
    def entrypoints(self) -> tuple[EntrypointRow, ...]:
        """The worst-case cost of each public entrypoint, worded for every format."""
        return tuple(entrypoint_row(b) for b in self.run.entrypoints)

    @cached_property
    def policy(self) -> Mapping[str, PolicyInfo]:
        return {p.id: p for p in self.policies}

    @cached_property
    def by_policy(self) -> dict[str, dict[Outcome, int]]:
        """Outcome counts per policy: the one pass over the findings every other total is summed from."""
        tally = Counter((f.policy, f.outcome) for f in self.run.findings)
        return {p.id: {outcome: tally[p.id, outcome] for outcome in OUTCOMES} for p in self.policies}

    @cached_property
    def by_outcome(self) -> dict[Outcome, int]:
        return _sum(self.by_policy.values())

    @cached_property
    def by_severity(self) -> dict[str, dict[Outcome, int]]:
        """Outcome counts per severity, most severe first; policies without a severity are "unspecified"."""
        grouped: dict[str, list[dict[Outcome, int]]] = {}
        for policy in self.policies:
            if any(self.by_policy[policy.id].values()):
                grouped.setdefault(policy.severity or UNSPECIFIED, []).append(self.by_policy[policy.id])
        order = ("critical", "high", "medium", "low", UNSPECIFIED)
        ranked = sorted(grouped, key=lambda s: order.index(s) if s in order else len(order))
        return {severity: _sum(grouped[severity]) for severity in ranked}

    @cached_property
    def failures_by_enforcement(self) -> dict[str, int]:
        """Fails per enforcement level of their policy: what a CI job gates on."""
        tally: Counter[str] = Counter()
        for policy in self.policies:
            tally[policy.enforcement or UNSPECIFIED] += self.by_policy[policy.id][Outcome.FAIL]
        return {level: n for level, n in sorted(tally.items(), key=lambda item: -level_rank(item[0])) if n}

    @cached_property
    def status(self) -> Status:
        """The one-line answer a reader wants first: would this stack's update be blocked?"""
        mandatory = self.blocking("mandatory")
        advisory = self.blocking("advisory") - mandatory
        unknown = self.by_outcome[Outcome.UNKNOWN]
        caveat = f"{plural(unknown, 'finding')} cannot be determined at preview." if unknown else ""
        if mandatory:
            also = f" (and {plural(advisory, 'advisory violation')})" if advisory else ""
            headline = f"{plural(mandatory, 'mandatory violation')}{also}: the update would be blocked."
            return Status("blocked", headline, caveat)
        if advisory:
            headline = f"{plural(advisory, 'advisory violation')}: the update is allowed, with warnings."
            return Status("warned", headline, caveat)
        return Status("clean", "No violations.", caveat)

    def enforcement(self, finding: Finding) -> str:
        return self.policy[finding.policy].enforcement or UNSPECIFIED

    def blocking(self, fail_on: str) -> int:
        """How many fails are at or above the `--fail-on` threshold ("never" blocks nothing)."""
        threshold = _THRESHOLD_RANK.get(fail_on)
        if threshold is None:
            return 0
        return sum(n for level, n in self.failures_by_enforcement.items() if level_rank(level) >= threshold)
