"""The HTML report's size budget at 10,000 resources x 10 policies (a size, so a test; timings are benchmarks)."""

from __future__ import annotations

from abuse_guard.report import html
from abuse_guard.report.model import Report
from tests.report.runs import large_run

BUDGET = 5_000_000


def test_html_for_ten_thousand_resources_by_ten_policies_fits_the_budget() -> None:
    run = large_run(resource_count=10_000, policy_count=10)
    assert len(run.findings) == 100_000
    assert len(html.render(Report(run)).encode()) <= BUDGET
