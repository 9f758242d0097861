"""A Markdown summary for a pull-request comment: the verdict, totals and the failing findings.

Resource names and messages come from user programs, so every value is escaped for both Markdown
(a `|` would break the table, backticks and brackets would start code or links) and HTML (GitHub
renders inline HTML); control characters become visible escapes (wording.printable); and nothing in a
value can notify anyone or become a link when the summary is posted as a pull-request comment: a
zero-width space follows every `@` (no `@user`, `@org/team` or e-mail autolink, as Dependabot does)
and splits `www.` and `://` (no bare-link autolink). The template cannot forget: escaping is the
environment's `finalize`.
The list is capped so the comment stays well inside GitHub's 65,536-character limit.
"""

from __future__ import annotations

import html
import re
from functools import cache
from typing import Any

import jinja2

from ..findings import Outcome
from ..wording import printable
from .model import LABELS, OUTCOMES, Report, level_rank

MAX_LISTED = 50
"""Failing findings (and entrypoints, over budget first) listed in full; the rest are counted."""

# What changes meaning inside a line: emphasis, code, links, table cells, strike-through, issue references.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~#])")
ZERO_WIDTH_SPACE = "&#8203;"
# What GitHub turns into a mention or a link without any markup: @user, @org/team, name@example.com,
# www.example.com, https://example.com (and any other scheme://).
_AUTOLINKED = re.compile(r"(@)|(?i:(www)(\.))|(://)")


def escape(value: Any) -> str:
    """Text that Markdown and HTML show literally, on one line (a table cell cannot hold a newline)."""
    text = printable(" ".join(str(value).split()))
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", html.escape(text, quote=False))
    return _AUTOLINKED.sub(_inert, escaped)


def _inert(match: re.Match[str]) -> str:
    """A zero-width space where GitHub would otherwise see a mention or a link: after `@`, inside `www.` and
    before `://`. The text reads the same."""
    if match[1]:
        return f"@{ZERO_WIDTH_SPACE}"
    if match[2]:
        return f"{match[2]}{ZERO_WIDTH_SPACE}{match[3]}"
    return f"{ZERO_WIDTH_SPACE}://"


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("abuse_guard.report", "templates"),
        autoescape=False,
        finalize=escape,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(report: Report) -> str:
    run = report.run
    failing = [f for f in run.findings if f.outcome is Outcome.FAIL]
    failing.sort(key=lambda f: -level_rank(report.enforcement(f)))
    attention = (Outcome.FAIL, Outcome.UNKNOWN, Outcome.PASS)
    entrypoints = sorted(report.entrypoints, key=lambda e: attention.index(e.outcome))
    return (
        _environment()
        .get_template("summary.md.j2")
        .render(
            run=run,
            report=report,
            status=report.status,
            outcomes=[(LABELS[o], f"{report.by_outcome[o]:,}") for o in OUTCOMES],
            total=f"{len(run.findings):,}",
            failing=failing[:MAX_LISTED],
            hidden=len(failing) - min(len(failing), MAX_LISTED),
            entrypoints=entrypoints[:MAX_LISTED],
            entrypoints_hidden=len(entrypoints) - min(len(entrypoints), MAX_LISTED),
        )
    )
