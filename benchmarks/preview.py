"""The offline preview end to end, as a user runs it: process start to the JSON file written, and its floor.

`python -m abuse_guard preview PATH --stack NAME --json FILE` in a fresh process, so interpreter
start-up, imports (pulumi_aws is large), running the program under mocks, the rules and writing the
JSON all count. The floor is the same program recorded the same way with no policy evaluation:
`abuse_guard.offline.recorded` in a fresh process (start-up, the project read, the program run
under Pulumi's mock runtime in its child process, its registrations read back as Resources), so
preview / floor is what the checks, the cost model and the output add to running the program.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import program
from benchmarks.results import Figure, Section, Target

REPO = Path(__file__).resolve().parents[1]


def timed_preview(project: Path, stack: str, out: Path, *options: str) -> tuple[float, int]:
    """(seconds from process start to exit, resources in the JSON written); exit 1 (a failing policy) is fine."""
    out.unlink(missing_ok=True)
    command = [sys.executable, "-m", "abuse_guard", "preview", ".", "--stack", stack, "--json", str(out), *options]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1) or not out.is_file():
        raise RuntimeError(f"{' '.join(command)} (in {project}) exited {done.returncode}:\n{done.stderr}")
    return seconds, len(json.loads(out.read_text(encoding="utf-8"))["resources"])


FLOOR = """\
import sys

from abuse_guard import gc_settings
from abuse_guard.offline import recorded

gc_settings.apply()
print(len(recorded(sys.argv[1], sys.argv[2])))
"""
"""The floor's process: the program recorded as the preview records it (and with its garbage-collector settings),
no policy evaluated, nothing written; it prints how many resources it recorded."""


def timed_floor(project: Path, stack: str) -> tuple[float, int]:
    """(seconds from process start to exit, resources recorded) of the floor's process."""
    command = [sys.executable, "-c", FLOOR, ".", stack]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"the preview floor (in {project}) exited {done.returncode}:\n{done.stderr}")
    return seconds, int(done.stdout)


def preview(section: Section, runs: int, program_sizes: tuple[int, ...]) -> None:
    with tempfile.TemporaryDirectory(prefix="abuse-guard-bench-preview-") as directory:
        work = Path(directory)
        out = work / "run.json"
        reference = [timed_preview(REPO, "insecure", out) for _ in range(runs)]
        section.add(
            Figure(
                f"reference stack 'insecure' ({reference[0][1]} resources)",
                statistics.median(seconds for seconds, _ in reference),
                "s",
                Target("<=", 5.0),
            )
        )
        for size in program_sizes:
            floor(section, work / f"project-{size}", out, size, runs)


def floor(section: Section, project: Path, out: Path, size: int, runs: int) -> None:
    """The generated program of `size` resources: the preview, its floor and their ratio, taking turns."""
    config = program.write_project(project, size)
    previews, floors, ratios = [], [], []
    for _ in range(runs):
        seconds, resources = timed_preview(project, program.STACK, out, "--policy-config", str(config))
        floor_seconds, recorded = timed_floor(project, program.STACK)
        if recorded != resources:
            raise RuntimeError(f"the floor recorded {recorded} resources, the preview {resources}")
        previews.append(seconds)
        floors.append(floor_seconds)
        ratios.append(seconds / floor_seconds)
    section.add(
        Figure(
            f"generated program ({resources:,} resources)",
            statistics.median(previews),
            "s",
            Target("<=", 15.0) if size <= 1_000 else None,
        ),
        Figure(
            f"generated program ({resources:,} resources): floor, no policy evaluation",
            statistics.median(floors),
            "s",
            note="the program recorded as the preview records it, in a fresh process: nothing checked or written",
        ),
        Figure(
            f"generated program ({resources:,} resources): preview / floor",
            statistics.median(ratios),
            "",
            Target("<=", 1.3),
            note="median over runs of the preview's time over the floor's in the same run",
        ),
    )
