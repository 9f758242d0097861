"""The HTML report in a real browser: totals, a filter click, the matrix, no console errors, no injected script.

Runs headless Chromium (Debian's `chromium`; .ci/run installs it). Skipped only when Chromium is
absent outside CI; with CI=true a missing Chromium fails. ABUSE_GUARD_SCREENSHOT=1 saves the demo
report's screenshot to reports/out/screenshot.png.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from abuse_guard.pipeline import preview
from abuse_guard.report import html, json_report
from abuse_guard.report.model import Report
from tests.report import chromium
from tests.report.runs import HOSTILE_COMPONENT_NAME, HTML_TAG_VALUE, SCRIPT_NAME, sample_run

REPO = Path(__file__).parents[2]
SCREENSHOT = REPO / "reports" / "out" / "screenshot.png"


@pytest.fixture(scope="module")
def browser() -> Iterator[chromium.Browser]:
    if chromium.executable() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed; CI must run the browser test (apt-get install chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium); with CI=true this fails instead")
    with chromium.browser() as opened:
        yield opened


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The hand-built run's HTML page and its JSON report."""
    report = Report(sample_run())
    page = tmp_path_factory.mktemp("report") / "report.html"
    page.write_text(html.render(report), encoding="utf-8")
    return page, json.loads(json_report.render(report))


def visible_findings(browser: chromium.Browser) -> list[list[str]]:
    """[outcome label, policy, resource name] of each row of the findings list."""
    rows: list[list[str]] = browser.evaluate(
        "[...document.querySelectorAll('#findings-body > tr')].map(tr => [tr.querySelector('.badge').textContent,"
        " tr.querySelector('.policy .name').textContent, tr.querySelector('.resource .name').textContent])"
    )
    return rows


def test_totals_match_the_json_report(browser: chromium.Browser, sample: tuple[Path, dict[str, Any]]) -> None:
    page, document = sample
    browser.open(page)
    shown = browser.evaluate(
        "Object.fromEntries([...document.querySelectorAll('.card')]"
        ".map(c => [c.className.split(' o-')[1], Number(c.querySelector('.n').textContent.replace(/,/g, ''))]))"
    )
    assert shown == document["totals"]["byOutcome"]
    assert len(visible_findings(browser)) == document["totals"]["findings"]
    assert browser.errors == []


def test_fail_filter_shows_only_the_fails(browser: chromium.Browser, sample: tuple[Path, dict[str, Any]]) -> None:
    page, document = sample
    browser.open(page)
    browser.click(".segmented [data-outcome='1']")
    fails = sorted([f["policy"], f["name"]] for f in document["findings"] if f["outcome"] == "fail")
    rows = visible_findings(browser)
    assert {label for label, _, _ in rows} == {"Fail"}
    assert sorted([policy, name] for _, policy, name in rows) == fails
    shown = browser.evaluate("document.getElementById('shown').textContent")
    assert shown == f"Showing {len(fails)} of {len(fails)} findings"
    assert browser.errors == []


def test_matrix_search_and_details(browser: chromium.Browser, sample: tuple[Path, dict[str, Any]]) -> None:
    page, document = sample
    browser.open(page)
    browser.click("[data-view='matrix']")
    assert browser.evaluate("document.querySelectorAll('#matrix-body > tr').length") == len(document["resources"])
    browser.click("#search")
    browser.type("public-route")
    assert browser.evaluate("[...document.querySelectorAll('#matrix-body .expand .name')].map(n => n.textContent)") == [
        "public-route"
    ]
    browser.click("#matrix-body button.expand")
    tag = browser.evaluate("[...document.querySelectorAll('tr.detail dd')].map(d => d.textContent)")
    assert HTML_TAG_VALUE in tag
    assert browser.evaluate("document.querySelectorAll('tr.detail b').length") == 0
    assert browser.errors == []


def test_hostile_names_do_not_run(browser: chromium.Browser, sample: tuple[Path, dict[str, Any]]) -> None:
    page, _ = sample
    browser.open(page)
    for selector in ("[data-view='matrix']", "#matrix-body tr:nth-child(3) button.expand", "[data-view='findings']"):
        browser.click(selector)
    names = browser.evaluate("[...document.querySelectorAll('.resource .name')].map(n => n.textContent)")
    assert SCRIPT_NAME in names  # shown as text...
    assert browser.evaluate("typeof window.__xss") == "undefined"  # ...and the <img onerror> never ran
    assert browser.dialogs == []  # alert(1) never opened
    assert browser.errors == []


def test_findings_and_details_show_the_component(
    browser: chromium.Browser, sample: tuple[Path, dict[str, Any]]
) -> None:
    page, document = sample
    browser.open(page)
    shown = browser.evaluate(
        "[...document.querySelectorAll('#findings-body > tr')].map(tr => ["
        " tr.querySelector('.policy .name').textContent, tr.querySelector('.resource .name').textContent,"
        " (tr.querySelector('.resource .component') || {textContent: null}).textContent])"
    )
    expected = [
        [
            f["policy"],
            f["name"],
            f"in component {f['component']['type']} '{f['component']['name']}'" if "component" in f else None,
        ]
        for f in document["findings"]
    ]
    assert sorted(shown, key=str) == sorted(expected, key=str)
    assert [f"in component shop:index:Kit '{HOSTILE_COMPONENT_NAME}'", SCRIPT_NAME] in [[c, n] for _, n, c in shown]
    assert browser.evaluate("document.querySelectorAll('.component u').length") == 0  # text, never markup
    browser.click("#search")
    browser.type("publicapi 'orders'")  # the search matches the component
    assert sorted(visible_findings(browser)) == [
        ["Fail", "api-route-authorization", "public-route"],
        ["Fail", "stage-throttling", "prod"],
        ["Not applicable", "stage-throttling", "public-route"],
    ]
    browser.click("[data-view='matrix']")
    browser.click("#matrix-body button.expand")
    facts = browser.evaluate("[...document.querySelectorAll('tr.detail dt, tr.detail dd')].map(n => n.textContent)")
    assert facts[facts.index("Component") + 1] == "shop:index:PublicApi 'orders'"
    assert browser.evaluate("document.querySelector('tr.detail dd.component').title") == (
        "urn:pulumi:dev::shop::shop:index:PublicApi::orders"
    )
    assert browser.errors == []


def test_demo_report_opens_cleanly(browser: chromium.Browser, tmp_path: Path) -> None:
    report = Report(preview(REPO, "insecure"), expected_failure=True)
    page = tmp_path / "report.html"
    page.write_text(html.render(report), encoding="utf-8")
    browser.open(page)
    assert len(visible_findings(browser)) == min(len(report.run.findings), 200)
    assert browser.errors == []
    if os.environ.get("ABUSE_GUARD_SCREENSHOT"):
        browser.screenshot(SCREENSHOT, height=1900)
