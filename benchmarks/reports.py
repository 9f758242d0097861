"""Report generation at size, its peak memory, and how fast headless Chromium opens the HTML page.

The run to report comes from a generated stack written as a `pulumi stack export` document and read
back with abuse_guard.sources.read_state, the path of `report --input state.json`, so it carries
everything a real run carries. Generation is timed as `report` does it: a fresh Report, every format
rendered, the files written atomically. Peak memory is tracemalloc's peak of Python allocations
during one extra, separately traced generation (tracing slows it, so it is not timed): what
rendering adds on top of the run already in memory.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from abuse_guard.commands.report import FORMATS
from abuse_guard.files.atomic import write_atomically
from abuse_guard.pack_config import parse
from abuse_guard.pipeline import read_state
from abuse_guard.policies import POLICIES
from abuse_guard.report.model import Report
from abuse_guard.resources import Resource
from abuse_guard.run import Run
from benchmarks import synthetic
from benchmarks.results import Figure, Section, Target, median_time
from tests.report import chromium

HTML_FILE = FORMATS["html"][0]
SELECTIONS = {"all formats": tuple(FORMATS), "HTML+JSON": ("html", "json")}


def stack_export(resources: list[Resource]) -> dict[str, Any]:
    """A `pulumi stack export` document holding `resources`, their props as inputs."""
    return {
        "version": 3,
        "deployment": {
            "manifest": {"time": "2026-01-01T00:00:00Z", "version": "v3.272.0"},
            "resources": [
                {
                    "urn": r.urn,
                    "custom": not r.type.startswith(("pulumi:", "bench:")),
                    "type": r.type,
                    "inputs": dict(r.props),
                    "parent": r.parent or "",
                    "dependencies": list(r.dependencies),
                    "propertyDependencies": {k: list(v) for k, v in r.property_dependencies.items()},
                }
                for r in resources
            ],
        },
    }


def generated_run(size: int, directory: Path) -> Run:
    path = directory / f"stack-{size}.json"
    path.write_text(json.dumps(stack_export(synthetic.stack(size))), encoding="utf-8")
    return read_state(path, parse(dict(synthetic.PACK_CONFIG), POLICIES))


def generate(run: Run, formats: tuple[str, ...], out: Path) -> None:
    report = Report(run)
    write_atomically({out / FORMATS[name][0]: FORMATS[name][1](report) for name in formats})


def peak_mib(action: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def reports(section: Section, sizes: tuple[int, ...], key_size: int, runs: int, browser: Section, opens: int) -> None:
    with tempfile.TemporaryDirectory(prefix="abuse-guard-bench-report-") as directory:
        work = Path(directory)
        for size in sizes:
            run = generated_run(size, work)
            out = work / f"report-{size}"
            for label, formats in SELECTIONS.items():
                generate(run, formats, out)  # warm-up: templates compile once per process
                seconds = median_time(partial(generate, run, formats, out), runs)
                target = Target("<=", 2.0) if size == key_size and label == "HTML+JSON" else None
                section.add(
                    Figure(f"{label}, {size:,} resources: time", seconds, "s", target),
                    Figure(
                        f"{label}, {size:,} resources: peak memory",
                        peak_mib(partial(generate, run, formats, out)),
                        "MiB",
                    ),
                )
            if size == key_size:
                page = out / HTML_FILE
                section.add(
                    Figure(f"HTML size, {size:,} resources", page.stat().st_size / 1e6, "MB", Target("<=", 5.0))
                )
                browser.add(open_in_chromium(page, size, opens))


def open_in_chromium(page: Path, size: int, opens: int) -> Figure:
    """Navigation to the load event (the page script has drawn the first page of findings), median of `opens`."""
    name = f"open the {size:,}-resource HTML report"
    if chromium.executable() is None:
        return Figure(name, None, "s", Target("<=", 2.0), note="chromium is not installed (apt-get install chromium)")
    with chromium.browser() as browser:
        browser.open(page)  # warm-up: the first page load starts the renderer
        seconds = statistics.median(browser.open(page) for _ in range(opens))
        errors = list(browser.errors)
    note = f"page errors: {errors}" if errors else ""
    return Figure(name, seconds, "s", Target("<=", 2.0), note=note)
