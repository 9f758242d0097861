"""The insecure reference stack with every policy at enforcement level remediate.

The three anti-patterns with a safe default are fixed before the checks run, as the engine runs
Remediate before Analyze, and pass with the change named; every other violation still fails and
still fails the preview, because pulumi-policy reports a violation at level remediate as mandatory.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from abuse_guard.cli import main
from abuse_guard.evaluate import REMEDIATED
from abuse_guard.findings import Outcome
from abuse_guard.pack_config import parse
from abuse_guard.pipeline import preview
from abuse_guard.policies import POLICIES
from abuse_guard.run import Run

REPO = Path(__file__).resolve().parents[2]

# (policy, resource) -> what its remediation sets (the recorded program leaves unset inputs absent)
FIXES = {
    ("lambda-reserved-concurrency", "unreserved-worker"): "reservedConcurrentExecutions absent -> 1",
    (
        "usage-plan-limits",
        "unmetered-plan",
    ): "quotaSettings.limit absent -> 10000, quotaSettings.period absent -> 'DAY'",
    ("stage-throttling", "items-beta"): (
        "defaultRouteSettings.throttlingRateLimit absent -> 100, "
        "defaultRouteSettings.throttlingBurstLimit absent -> 200"
    ),
}


@pytest.fixture(scope="module")
def as_written() -> Run:
    return preview(REPO, "insecure")


@pytest.fixture(scope="module")
def remediated() -> Run:
    return preview(REPO, "insecure", pack_config=parse({"all": "remediate"}, POLICIES))


def outcomes(run: Run, outcome: Outcome) -> set[tuple[str, str]]:
    return {(f.policy, f.name) for f in run.findings if f.outcome is outcome}


def test_each_safe_default_is_applied_and_named(remediated: Run) -> None:
    fixed = {
        (f.policy, f.name): f.message.removeprefix(REMEDIATED).partition("; ")[0]
        for f in remediated.findings
        if f.message.startswith(REMEDIATED)
    }
    assert fixed == FIXES
    assert outcomes(remediated, Outcome.PASS) >= set(FIXES)


def test_what_has_no_safe_default_still_fails(as_written: Run, remediated: Run) -> None:
    assert set(FIXES) <= outcomes(as_written, Outcome.FAIL)
    assert outcomes(remediated, Outcome.FAIL) == outcomes(as_written, Outcome.FAIL) - set(FIXES)
    assert outcomes(remediated, Outcome.UNKNOWN) == outcomes(as_written, Outcome.UNKNOWN)


def test_the_preview_still_fails_and_lists_the_fixes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "remediate.json"
    config.write_text('{"all": "remediate"}', encoding="utf-8")
    assert main(["preview", str(REPO), "--stack", "insecure", "--policy-config", str(config)]) == 1
    fixed = [line.split()[1] for line in capsys.readouterr().out.splitlines() if line.startswith("FIXED ")]
    assert sorted(fixed) == sorted(policy for policy, _ in FIXES)


def test_the_cost_table_judges_the_remediated_resources(as_written: Run, remediated: Run) -> None:
    """The bounds and the findings describe the same (fixed) stack, never one before and one after."""

    def items_routes(run: Run) -> dict[str, float]:
        return {
            e.name: e.worst.cost.total
            for e in run.entrypoints
            if e.kind == "HTTP route" and e.worst and e.name.startswith("items-")
        }

    before, after = items_routes(as_written), items_routes(remediated)
    assert set(before) == set(after) == {"items-get-items", "items-post-items", "items-health"}
    # stage 'beta' went from no throttle (the account's 10,000 requests/s) to the 100 requests/s default
    assert all(after[name] < before[name] / 50 for name in before)
