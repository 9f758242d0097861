"""The HTML report: one self-contained page (inline CSS, SVG and JS; nothing fetched) per run, plus an index.

The summary (totals, charts, policies) is rendered here by Jinja2 with autoescape. The findings
list and the resource x policy matrix are drawn in the browser from one compact JSON block, a page
at a time, so 10,000 resources x 10 policies stays a few MB and opens fast: outcomes are small
integers, types, URN prefixes and components are tables, and messages are stored once as templates
with the resource name cut out (most differ only by that name). The script builds the DOM with textContent
only, and a Content-Security-Policy with the script's hash stops any other script from running.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import jinja2
from markupsafe import Markup

from ..findings import Component, Outcome
from ..run import ResourceInfo
from ..urns import NAME_DELIMITER, urn_or_none
from .model import LABELS, MEANINGS, OUTCOMES, Report

NAME_PLACEHOLDER = "\x00"
"""Stands for the resource name in a stored message template (report.js.j2 puts the name back)."""

# The order the findings list shows outcomes in: what needs action first.
_ATTENTION_ORDER = (Outcome.FAIL, Outcome.UNKNOWN, Outcome.EXEMPT, Outcome.NOT_APPLICABLE, Outcome.PASS)
_SHORT_LABELS = {**LABELS, Outcome.NOT_APPLICABLE: "N/A"}

ENTRYPOINTS_OPEN_UP_TO = 100
"""Past this many rows the worst-case cost table starts collapsed: a browser lays out an open table in
full before the page is ready, which for a large stack took most of the page's load (the README's
performance table); closed, the rows are in the page but not laid out until opened."""


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("abuse_guard.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # `tojson` escapes <, >, & and ' as \u003c..., and json.dumps escapes U+2028/2029: safe inside <script>.
    env.policies["json.dumps_kwargs"] = {"separators": (",", ":")}
    return env


@cache
def _script() -> tuple[Markup, str]:
    """The page script (static: the data comes separately) and its CSP hash source."""
    source = _environment().get_template("report.js.j2").render()
    digest = base64.b64encode(hashlib.sha256(source.encode()).digest()).decode()
    return Markup(source), f"'sha256-{digest}'"


@dataclass(frozen=True)
class Segment:
    outcome: str
    label: str
    count: int
    x: float
    width: float
    """Position and size in percent of the bar."""


@dataclass(frozen=True)
class Bar:
    label: str
    title: str
    total: int
    segments: tuple[Segment, ...]


def _bar(label: str, title: str, tally: dict[Outcome, int]) -> Bar:
    total = sum(tally.values())
    segments, x = [], 0.0
    for outcome in OUTCOMES:
        count = tally[outcome]
        if count:
            width = 100.0 * count / total
            segments.append(Segment(outcome.value, LABELS[outcome], count, round(x, 3), round(width, 3)))
            x += width
    return Bar(label, title, total, tuple(segments))


def _data(report: Report, types: list[str]) -> dict[str, Any]:
    """Everything the findings list and matrix draw, compactly (see the module docstring)."""
    policy_index = {p.id: i for i, p in enumerate(report.policies)}
    outcome_index = {outcome: i for i, outcome in enumerate(OUTCOMES)}
    resources: dict[str, ResourceInfo] = {}
    for resource in report.run.resources:
        resources.setdefault(resource.urn, resource)
    found: dict[str, list[int]] = {urn: [] for urn in resources}
    messages: dict[str, int] = {}
    placed: dict[str, Component] = {}  # URN -> the component it belongs to
    for f in report.run.findings:
        if f.component is not None:
            placed.setdefault(f.urn, f.component)
        if f.urn not in resources:  # a finding on a resource the source did not list: show it anyway
            resources[f.urn] = ResourceInfo(f.urn, f.type, f.name)
            found[f.urn] = []
        text = f.message.replace(NAME_PLACEHOLDER, "\ufffd")
        template = text.replace(resources[f.urn].name, NAME_PLACEHOLDER) if resources[f.urn].name else text
        found[f.urn] += (policy_index[f.policy], outcome_index[f.outcome], messages.setdefault(template, len(messages)))
    type_index = {t: i for i, t in enumerate(types)}
    heads: dict[str, int] = {}
    components: dict[Component, int] = {}
    rows: list[list[Any]] = []
    for urn, resource in resources.items():
        parsed = urn_or_none(urn)
        head = (
            urn.removesuffix(NAME_DELIMITER + resource.name)
            if parsed is not None and parsed.name == resource.name
            else ""
        )
        where: int | str = heads.setdefault(head, len(heads)) if head else urn
        # [name, type index, URN head index (or the URN), findings, tags or null, component index]: the last two
        # only as far as needed
        row: list[Any] = [resource.name, type_index[resource.type], where, found[urn]]
        component = placed.get(urn)
        if resource.tags or component is not None:
            row.append(dict(resource.tags) or None)
        if component is not None:
            row.append(components.setdefault(component, len(components)))
        rows.append(row)
    return {
        "outcomes": [o.value for o in OUTCOMES],
        "labels": [LABELS[o] for o in OUTCOMES],
        "short": [_SHORT_LABELS[o] for o in OUTCOMES],
        "attention": [outcome_index[o] for o in _ATTENTION_ORDER],
        "policies": [{"id": p.id, "title": p.title, "remediation": p.remediation} for p in report.policies],
        "types": types,
        "heads": list(heads),
        "components": [[c.label, c.urn] for c in components],
        "messages": list(messages),
        "resources": rows,
    }


def render(report: Report) -> str:
    run = report.run
    script, script_hash = _script()
    types = sorted({r.type for r in run.resources} | {f.type for f in run.findings})
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            run=run,
            report=report,
            status=report.status,
            outcomes=[
                {"value": o.value, "index": i, "label": LABELS[o], "meaning": MEANINGS[o], "count": count}
                for i, (o, count) in enumerate(report.by_outcome.items())
            ],
            attention=[OUTCOMES.index(o) for o in _ATTENTION_ORDER],
            total=len(run.findings),
            policy_bars=[_bar(p.id, p.title, report.by_policy[p.id]) for p in report.policies],
            severity_bars=[_bar(s.capitalize(), s, tally) for s, tally in report.by_severity.items()],
            policies=[(p, report.by_policy[p.id]) for p in report.policies],
            types=types,
            data=_data(report, types),
            entrypoints_open=len(report.entrypoints) <= ENTRYPOINTS_OPEN_UP_TO,
            script=script,
            script_hash=script_hash,
        )
    )


@dataclass(frozen=True)
class IndexEntry:
    """One run on the index page: where its report is and what it says."""

    href: str
    """The run's directory, relative to the index."""
    report: Report
    files: tuple[tuple[str, str], ...]
    """(format name, file name) of each file written for the run."""


def render_index(entries: Sequence[IndexEntry], generated_at: str) -> str:
    return (
        _environment()
        .get_template("index.html.j2")
        .render(entries=entries, outcomes=[(o.value, LABELS[o]) for o in OUTCOMES], generated_at=generated_at)
    )
