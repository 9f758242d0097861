"""Each format rendered from a hand-built run holding every outcome: structure, totals and content."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from html.parser import HTMLParser
from typing import Any

import jsonschema
import pytest

from abuse_guard import __version__
from abuse_guard.findings import Outcome
from abuse_guard.report import html, json_report, junit, markdown, sarif
from abuse_guard.report.html import NAME_PLACEHOLDER
from abuse_guard.report.model import Report
from tests.report.runs import POLICIES, QUOTED_MESSAGE, sample_run

REPORT = Report(sample_run(), artifact="stacks/__main__.py")
FINDINGS = {(f.policy, f.urn): f for f in REPORT.run.findings}


def page_data(page: str) -> dict[str, Any]:
    """The JSON block the page script reads, decoded as the browser decodes it."""
    match = re.search(r'<script type="application/json" id="report-data">(.*?)</script>', page, re.S)
    assert match is not None
    return dict(json.loads(match.group(1)))


def test_sample_run_has_every_outcome() -> None:
    assert REPORT.by_outcome == {
        Outcome.PASS: 2,
        Outcome.FAIL: 5,
        Outcome.UNKNOWN: 1,
        Outcome.NOT_APPLICABLE: 1,
        Outcome.EXEMPT: 1,
    }


def test_json_report_follows_its_schema() -> None:
    document = json.loads(json_report.render(REPORT))
    jsonschema.Draft202012Validator.check_schema(json_report.schema())
    jsonschema.validate(document, json_report.schema(), cls=jsonschema.Draft202012Validator)


def test_json_schema_rejects_an_unknown_outcome() -> None:
    document = json.loads(json_report.render(REPORT))
    document["findings"][0]["outcome"] = "passed-ish"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, json_report.schema(), cls=jsonschema.Draft202012Validator)


def test_json_report_totals_and_content() -> None:
    document = json.loads(json_report.render(REPORT))
    assert document["totals"]["byOutcome"] == {"pass": 2, "fail": 5, "unknown": 1, "not-applicable": 1, "exempt": 1}
    assert document["totals"]["failuresByEnforcement"] == {"mandatory": 4, "advisory": 1}
    assert document["totals"]["bySeverity"]["critical"]["fail"] == 1
    assert [p["id"] for p in document["policies"]] == [p.id for p in POLICIES]
    assert len(document["resources"]) == len(REPORT.run.resources)
    assert [f["message"] for f in document["findings"]] == [f.message for f in REPORT.run.findings]


JUNIT_ELEMENT = {
    Outcome.PASS: None,
    Outcome.FAIL: "failure",
    Outcome.UNKNOWN: "skipped",
    Outcome.NOT_APPLICABLE: "skipped",
    Outcome.EXEMPT: "skipped",
}


def test_junit_one_testcase_per_finding() -> None:
    root = ET.fromstring(junit.render(REPORT))
    cases = root.findall("testsuite/testcase")
    assert len(cases) == len(REPORT.run.findings)
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("10", "5", "3")
    for case in cases:
        finding = FINDINGS[case.get("classname", ""), case.get("name", "")]
        children = [child.tag for child in case]
        expected = JUNIT_ELEMENT[finding.outcome]
        assert children == ([expected] if expected else []), finding


def test_junit_failure_carries_message_level_and_remediation() -> None:
    root = ET.fromstring(junit.render(REPORT))
    failure = root.find("testsuite[@name='api-route-authorization']/testcase/failure")
    assert failure is not None
    assert failure.get("message") == QUOTED_MESSAGE
    assert failure.get("type") == "mandatory"
    assert failure.text == (
        f"{QUOTED_MESSAGE}\n\nRemediation:\nSet `authorization_type` to JWT, AWS_IAM or CUSTOM on every route."
    )


def test_junit_skipped_names_the_outcome() -> None:
    root = ET.fromstring(junit.render(REPORT))
    skipped = root.find("testsuite[@name='stage-throttling']/testcase/skipped")
    assert skipped is not None
    assert skipped.get("message") == "not-applicable: the route's API has no stage with throttling"


def test_junit_drops_characters_xml_cannot_carry() -> None:
    run = sample_run()
    broken = replace(next(f for f in run.findings if f.outcome is Outcome.FAIL), message="bell\x07")
    report = Report(replace(run, findings=(broken,)))
    failure = ET.fromstring(junit.render(report)).find(".//failure")
    assert failure is not None
    assert failure.get("message") == "bell\\x07"  # shown as an escape (wording.printable_data)


SARIF_LEVELS = {
    ("lambda-reserved-concurrency", Outcome.FAIL): "error",
    ("api-route-authorization", Outcome.FAIL): "error",
    ("stage-throttling", Outcome.FAIL): "warning",
    ("lambda-reserved-concurrency", Outcome.UNKNOWN): "note",
}


def test_sarif_structure() -> None:
    document = json.loads(sarif.render(REPORT))
    assert {"$schema", "version", "runs"} <= document.keys()
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert {"name", "rules"} <= driver.keys()
    assert [rule["id"] for rule in driver["rules"]] == [p.id for p in POLICIES]
    assert all(rule["help"]["text"] == p.remediation for rule, p in zip(driver["rules"], POLICIES, strict=True))
    assert isinstance(run["results"], list)


def test_sarif_results_are_fails_and_unknowns_with_levels_and_locations() -> None:
    (run,) = json.loads(sarif.render(REPORT))["runs"]
    seen = {}
    for result in run["results"]:
        location = result["locations"][0]
        urn = location["logicalLocations"][0]["fullyQualifiedName"]
        finding = FINDINGS[result["ruleId"], urn]
        assert result["message"]["text"] == finding.message
        assert location["physicalLocation"]["artifactLocation"]["uri"] == "stacks/__main__.py"
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == finding.policy
        seen[finding.policy, finding.outcome, urn] = result["level"]
    assert len(seen) == REPORT.by_outcome[Outcome.FAIL] + REPORT.by_outcome[Outcome.UNKNOWN]
    assert {(policy, outcome): level for (policy, outcome, _), level in seen.items()} == SARIF_LEVELS


def test_markdown_totals_and_failing_findings() -> None:
    text = markdown.render(REPORT)
    assert "| Fail | 5 |" in text
    assert "| **Total** | **10** |" in text
    assert "#### Failing findings (5)" in text
    assert text.index("| lambda-reserved-concurrency | mandatory |") < text.index("| stage-throttling | advisory |")


def test_markdown_lists_at_most_the_cap() -> None:
    run = sample_run()
    fail = next(f for f in run.findings if f.outcome is Outcome.FAIL)
    text = markdown.render(Report(replace(run, findings=(fail,) * (markdown.MAX_LISTED + 7))))
    assert text.count("| lambda-reserved-concurrency | mandatory |") == markdown.MAX_LISTED
    assert "…and 7 more failing findings" in text


class _Links(HTMLParser):
    """Every URL-bearing attribute and every element a page could load something through."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.urls += [value or "" for name, value in attrs if name in ("src", "href", "srcset", "action", "data")]


def test_html_is_self_contained() -> None:
    page = html.render(REPORT)
    parser = _Links()
    parser.feed(page)
    assert parser.urls == ["data:,"]  # the empty favicon, so the browser asks for nothing
    assert not {"img", "iframe", "object", "embed", "frame"} & set(parser.tags)
    assert "url(" not in page and "@import" not in page


def test_html_totals_and_data_cover_every_finding() -> None:
    page = html.render(REPORT)
    for outcome in Outcome:
        assert re.search(rf'class="card o-{outcome.value}"[^>]*>\s*<span class="n">{REPORT.by_outcome[outcome]}<', page)
    data = page_data(page)
    rows = data["resources"]
    assert [row[0] for row in rows] == [r.name for r in REPORT.run.resources]
    decoded = []
    for row in rows:
        urn = row[2] if isinstance(row[2], str) else f"{data['heads'][row[2]]}::{row[0]}"
        findings = row[3]
        for k in range(0, len(findings), 3):
            message = data["messages"][findings[k + 2]].replace(NAME_PLACEHOLDER, row[0])
            decoded.append((data["policies"][findings[k]]["id"], urn, data["outcomes"][findings[k + 1]], message))
    assert sorted(decoded) == sorted((f.policy, f.urn, f.outcome.value, f.message) for f in REPORT.run.findings)


def test_html_shows_metadata_and_remediation() -> None:
    page = html.render(REPORT)
    for text in ("shop", "dev", "hand-built run for tests", f"abuse-guard {__version__}", "2025-01-02 03:04:05+00:00"):
        assert text in page
    assert "Set `authorization_type` to JWT, AWS_IAM or CUSTOM on every route." in page


def test_index_links_every_report() -> None:
    entries = [
        html.IndexEntry("dev", REPORT, (("html", "report.html"), ("json", "report.json"))),
        html.IndexEntry("dev-2", Report(sample_run(), expected_failure=True), (("html", "report.html"),)),
    ]
    page = html.render_index(entries, "2025-01-02T03:04:05+00:00")
    assert 'href="dev/report.html"' in page and 'href="dev-2/report.html"' in page
    assert 'href="dev/report.json"' in page
    assert page.count("expected to fail: insecure on purpose") == 1


EDGE_RUNS = {
    "no_findings": replace(sample_run(), findings=()),
    "no_resources": replace(sample_run(), resources=(), findings=()),
    "finding_of_an_undescribed_policy": replace(sample_run(), policies=()),
    "finding_on_an_unlisted_resource": replace(sample_run(), resources=()),
}
EVERY_OUTCOME = frozenset(Outcome)
RENDERERS: dict[str, tuple[Callable[[Report], str], Callable[[str], int], frozenset[Outcome]]] = {
    # format: (render, how many findings the output carries, the outcomes it carries)
    "html": (html.render, lambda page: sum(len(row[3]) // 3 for row in page_data(page)["resources"]), EVERY_OUTCOME),
    "json": (json_report.render, lambda text: len(json.loads(text)["findings"]), EVERY_OUTCOME),
    "junit": (junit.render, lambda text: len(ET.fromstring(text).findall("testsuite/testcase")), EVERY_OUTCOME),
    "sarif": (
        sarif.render,
        lambda text: len(json.loads(text)["runs"][0]["results"]),
        frozenset({Outcome.FAIL, Outcome.UNKNOWN}),
    ),
}


@pytest.mark.parametrize("run", EDGE_RUNS.values(), ids=list(EDGE_RUNS))
@pytest.mark.parametrize(("render", "carried", "outcomes"), RENDERERS.values(), ids=list(RENDERERS))
def test_edge_runs_render(
    run: Any, render: Callable[[Report], str], carried: Callable[[str], int], outcomes: frozenset[Outcome]
) -> None:
    assert carried(render(Report(run))) == sum(f.outcome in outcomes for f in run.findings)


@pytest.mark.parametrize("run", EDGE_RUNS.values(), ids=list(EDGE_RUNS))
def test_edge_runs_keep_the_schema_and_every_finding(run: Any) -> None:
    document = json.loads(json_report.render(Report(run)))
    jsonschema.validate(document, json_report.schema(), cls=jsonschema.Draft202012Validator)
    assert sum(document["totals"]["byOutcome"].values()) == len(run.findings)
    assert sum(len(row[3]) // 3 for row in page_data(html.render(Report(run)))["resources"]) == len(run.findings)


def test_undescribed_policy_gates_as_mandatory() -> None:
    report = Report(EDGE_RUNS["finding_of_an_undescribed_policy"])
    assert report.failures_by_enforcement == {"unspecified": 5}
    assert report.status.tone == "blocked"
