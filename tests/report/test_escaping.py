"""Names, messages and tags come from user programs: no format may let them become markup."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from html import unescape

import pytest

from abuse_guard.report import html, junit, markdown, sarif
from abuse_guard.report.model import Report
from tests.report.runs import (
    HOSTILE_COMPONENT_NAME,
    HTML_TAG_VALUE,
    IMG_NAME,
    LAMBDA,
    LINE_SEPARATOR_NAME,
    PIPE_NAME,
    QUOTED_MESSAGE,
    ROUTE,
    SCRIPT_NAME,
    sample_run,
)
from tests.report.test_formats import page_data

RUN = replace(sample_run(), project="<b>shop</b>", source="event log <i>x.ndjson</i> & more")
REPORT = Report(RUN)
PAGE = html.render(REPORT)

RAW_IN_PAGE = {
    "script_name": SCRIPT_NAME,
    "img_onerror_name": IMG_NAME,
    "html_tag_value": HTML_TAG_VALUE,
    "closing_script_and_comment": "</script><!--",
    "line_separator": "\u2028",
    "paragraph_separator": "\u2029",
    "project_markup": "<b>shop</b>",
    "source_markup": "<i>x.ndjson</i>",
    "component_name": HOSTILE_COMPONENT_NAME,
    "component_markup": "<u onclick",
}


@pytest.mark.parametrize("text", RAW_IN_PAGE.values(), ids=list(RAW_IN_PAGE))
def test_html_never_contains_hostile_text_raw(text: str) -> None:
    assert text not in PAGE


def test_html_has_only_its_own_two_scripts() -> None:
    assert PAGE.count("<script") == 2


def test_html_escapes_server_rendered_values() -> None:
    assert "&lt;b&gt;shop&lt;/b&gt;" in PAGE
    assert "event log &lt;i&gt;x.ndjson&lt;/i&gt; &amp; more" in PAGE


def test_html_script_data_decodes_to_the_original_text() -> None:
    data = page_data(PAGE)
    names = [row[0] for row in data["resources"]]
    assert {SCRIPT_NAME, IMG_NAME, PIPE_NAME, LINE_SEPARATOR_NAME} <= set(names)
    assert QUOTED_MESSAGE in data["messages"]
    tags = [row[4] for row in data["resources"] if len(row) > 4]
    assert {"owner": HTML_TAG_VALUE} in tags
    assert [label for label, _ in data["components"]] == [
        f"shop:index:Kit '{HOSTILE_COMPONENT_NAME}'",
        "shop:index:PublicApi 'orders'",
    ]


def test_html_csp_allows_only_the_page_script() -> None:
    script = re.search(r"<script>(.*?)</script>", PAGE, re.S)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', PAGE)
    assert script is not None and policy is not None
    digest = base64.b64encode(hashlib.sha256(script.group(1).encode()).digest()).decode()
    directives = dict(d.strip().split(" ", 1) for d in unescape(policy.group(1)).split(";"))
    assert directives["script-src"] == f"'sha256-{digest}'"
    assert directives["default-src"] == "'none'"


def _cells(row: str) -> list[str]:
    """A Markdown table row split on its unescaped pipes."""
    return re.split(r"(?<!\\)\|", row.strip())[1:-1]


def test_markdown_table_rows_keep_their_columns() -> None:
    text = markdown.render(REPORT)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "mandatory" in line]
    assert [[cell.strip() for cell in _cells(row)] for row in rows] == [
        [
            "lambda-reserved-concurrency",
            "mandatory",
            "worker",
            LAMBDA,
            "—",
            "Lambda function 'worker' has no reservation",
        ],
        [
            "lambda-reserved-concurrency",
            "mandatory",
            "&lt;script&gt;alert(1)&lt;/script&gt;",
            LAMBDA,
            r"shop:index:Kit '&lt;u onclick=alert(2)&gt;kit&lt;/u&gt;\|\`x\`'",
            "Lambda function '&lt;script&gt;alert(1)&lt;/script&gt;' is unbounded",
        ],
        [
            "lambda-reserved-concurrency",
            "mandatory",
            r"pipe\|name\`with\`ticks\*and\*\[link\](x)",
            LAMBDA,
            "—",
            r"Lambda function 'pipe\|name\`with\`ticks\*and\*\[link\](x)' is unbounded",
        ],
        [
            "api-route-authorization",
            "mandatory",
            "public-route",
            ROUTE,
            "shop:index:PublicApi 'orders'",
            "Route \"GET /\" &amp; 'POST /' have no authorizer &amp; anyone can call them",
        ],
    ]


MARKDOWN_RAW = {
    "script_tag": "<script>",
    "img_tag": "<img",
    "unescaped_backtick": re.compile(r"(?<!\\)`"),
    "link_syntax": "[link](x)",
    "emphasis": "*and*",
    "bare_ampersand": re.compile(r"&(?!amp;|lt;|gt;)"),
}


@pytest.mark.parametrize("pattern", MARKDOWN_RAW.values(), ids=list(MARKDOWN_RAW))
def test_markdown_never_contains_hostile_text_raw(pattern: str | re.Pattern[str]) -> None:
    text = markdown.render(REPORT)
    found = pattern.search(text) if isinstance(pattern, re.Pattern) else pattern in text
    assert not found


def test_markdown_escape_keeps_the_text() -> None:
    assert markdown.escape("a|b`c<d>&\n[e]") == r"a\|b\`c&lt;d&gt;&amp; \[e\]"


def test_junit_attributes_round_trip() -> None:
    root = ET.fromstring(junit.render(REPORT))
    messages = {case.get("message") for case in root.iter("failure")}
    assert {QUOTED_MESSAGE, f"Lambda function '{SCRIPT_NAME}' is unbounded"} <= messages
    assert [case.get("name") for case in root.iter("testcase")] == [f.urn for f in RUN.findings]
    assert f"urn:pulumi:dev::shop::{LAMBDA}::{IMG_NAME}" in {f.urn for f in RUN.findings}


def test_sarif_messages_round_trip() -> None:
    (run,) = json.loads(sarif.render(REPORT))["runs"]
    assert QUOTED_MESSAGE in {result["message"]["text"] for result in run["results"]}
