"""Figures, their targets, and the two files a benchmark run writes: latest.json and latest.md."""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from abuse_guard.files.atomic import write_atomically


@dataclass(frozen=True)
class Target:
    """What a figure must be: at most (`<=`) or at least (`>=`) `limit`."""

    op: Literal["<=", ">="]
    limit: float

    def met(self, value: float) -> bool:
        return value <= self.limit if self.op == "<=" else value >= self.limit


@dataclass(frozen=True)
class Figure:
    name: str
    value: float | None
    """None when the figure was not measured in this run (`note` says why)."""
    unit: str
    target: Target | None = None
    note: str = ""

    @property
    def result(self) -> str:
        """pass or miss against the target; "-" without a target; "not run" when not measured."""
        if self.value is None:
            return "not run"
        if self.target is None:
            return "-"
        return "pass" if self.target.met(self.value) else "miss"

    def to_dict(self) -> dict[str, Any]:
        target = None if self.target is None else {"op": self.target.op, "limit": self.target.limit}
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "target": target,
            "result": self.result,
            "note": self.note,
        }


@dataclass
class Section:
    id: str
    title: str
    method: str
    """How the figures were measured, in a sentence or two: printed under the table."""
    figures: list[Figure] = field(default_factory=list)

    def add(self, *figures: Figure) -> None:
        self.figures.extend(figures)


def median_time(action: Callable[[], object], runs: int) -> float:
    """The median wall-clock seconds of `runs` calls of `action`."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def shown(value: float | None) -> str:
    """A figure as a person reads it: three significant digits, thousands separated."""
    if value is None:
        return "-"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def target_text(figure: Figure) -> str:
    if figure.target is None:
        return ""
    return f"{figure.target.op} {figure.target.limit:,g} {figure.unit}".rstrip()


def to_markdown(document: Mapping[str, Any], sections: Iterable[Section]) -> str:
    machine = document["machine"]
    load = f"{machine['load_at_start'][0]:.2f} at start, {machine['load_at_end'][0]:.2f} at end (1-minute average)"
    smoke = (
        "\n**Smoke run**: tiny sizes and one repetition, to prove the benchmark runs; the figures mean nothing.\n"
        if document["mode"] == "smoke"
        else ""
    )
    lines = [
        "# abuse-guard benchmark",
        smoke,
        f"Run {document['started']} in {document['seconds']:.0f} s (`make bench`). Machine: {machine['cpu']}, "
        f"{machine['cores']} cores, {machine['memory_gib']:.0f} GiB; Python {machine['python']}"
        + (f", Node {machine['node']}" if machine.get("node") else "")
        + f"; load {load}.",
        "",
        "| Figure | Value | Target | Result |",
        "| --- | ---: | --- | --- |",
    ]
    notes = []
    for section in sections:
        lines.append(f"| **{section.title}** | | | |")
        for figure in section.figures:
            value = f"{shown(figure.value)} {figure.unit}".rstrip() if figure.value is not None else "-"
            lines.append(f"| {figure.name} | {value} | {target_text(figure)} | {figure.result} |")
        notes.append(f"- **{section.title}**: {section.method}")
        notes += [f"  - {f.name}: {f.note}" for f in section.figures if f.note]
    lines += ["", "How each figure was measured:", "", *notes, ""]
    return "\n".join(lines)


def write(out: Path, document: Mapping[str, Any], sections: list[Section]) -> tuple[Path, Path]:
    """latest.json and latest.md in `out`, both written in full before either replaces the old one."""
    data = {**document, "sections": [{**vars(s), "figures": [f.to_dict() for f in s.figures]} for s in sections]}
    files = {
        out / "latest.json": json.dumps(data, indent=2) + "\n",
        out / "latest.md": to_markdown(document, sections),
    }
    write_atomically(files)
    return out / "latest.json", out / "latest.md"
