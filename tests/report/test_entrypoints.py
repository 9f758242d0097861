"""The worst-case cost table in each format: JSON (schema-valid), HTML and Markdown, escaped, over budget first."""

from __future__ import annotations

import json
from dataclasses import replace

import jsonschema

from abuse_guard.report import html, json_report, markdown
from abuse_guard.report.model import Report
from abuse_guard.resources import UNKNOWN
from abuse_guard.run import Run
from tests.cost.graphs import function, function_url, only_entrypoint, rest_endpoint
from tests.report.runs import SCRIPT_NAME, sample_run


def entrypoint_run() -> Run:
    """Within budget, unknown, over budget (with a fix), and a hostile name."""
    within = only_entrypoint(function_url(function("report", reserved=2.0)))
    unknown = only_entrypoint(function_url(function("pending", reserved=UNKNOWN)))
    over = only_entrypoint(rest_endpoint(function("refresh-cache", reserved=1.0, timeout=30.0)))
    return replace(sample_run(), entrypoints=(within, unknown, over, replace(within, name=SCRIPT_NAME)))


REPORT = Report(entrypoint_run())


def validate(document: object) -> None:
    jsonschema.validate(document, json_report.schema(), cls=jsonschema.Draft202012Validator)


def test_json_entrypoints_follow_the_schema() -> None:
    document = json.loads(json_report.render(REPORT))
    validate(document)
    within, unknown, over, _ = document["entrypoints"]
    assert (within["worstCase"]["withinBudget"], within["fix"]) == (True, None)
    assert (unknown["worstCase"], unknown["unknown"]) == (
        None,
        "Lambda function 'pending'.reservedConcurrentExecutions is not known until the resource is deployed",
    )
    assert unknown["bounds"]["atLeast"]["monthlyCost"]["total"] == 0
    assert unknown["bounds"]["atMost"]["withinBudget"] is False
    assert over["worstCase"]["withinBudget"] is False
    assert over["fix"]["withinBudget"] is True
    assert over["worstCase"]["monthlyCost"]["total"] == sum(
        over["worstCase"]["monthlyCost"][part] for part in ("lambdaRequests", "lambdaDuration", "apiGateway")
    )


def test_a_document_without_entrypoints_still_follows_the_schema() -> None:
    """The property is optional: reports written before it existed stay valid."""
    document = json.loads(json_report.render(REPORT))
    del document["entrypoints"]
    validate(document)


def test_run_with_entrypoints_is_plain_json() -> None:
    assert json.loads(json.dumps(REPORT.run.to_dict()))["entrypoints"][2]["fix"]["within_budget"] is True


def test_html_table_has_a_row_per_entrypoint_and_escapes_names() -> None:
    page = html.render(REPORT)
    section = page[page.index('<section id="entrypoints"') : page.index('<section id="findings"')]
    assert section.count("<tr>") == 1 + len(REPORT.run.entrypoints)
    assert SCRIPT_NAME not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section


def test_html_has_no_table_without_entrypoints() -> None:
    assert 'id="entrypoints"' not in html.render(Report(sample_run()))


def test_markdown_lists_over_budget_first() -> None:
    text = markdown.render(REPORT)
    table = text[text.index("#### Worst-case cost per entrypoint (4)") : text.index("#### Failing findings")]
    rows = table.splitlines()[4:-1]  # heading, blank line, header, separator; a blank line after
    assert [row.split(" | ")[3] for row in rows] == [
        "$90,730.58/month (over budget)",
        "$0.00 to $10,584.01/month",
        "$21.17/month (within budget)",
        "$21.17/month (within budget)",
    ]
