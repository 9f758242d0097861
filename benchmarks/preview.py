"""The offline preview end to end, as a user runs it: process start to the JSON file written.

`python -m abuse_guard preview PATH --stack NAME --json FILE` in a fresh process, so interpreter
start-up, imports (pulumi_aws is large), running the program under mocks, the rules and writing the
JSON all count.
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


def preview(section: Section, runs: int, program_size: int) -> None:
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
        project = work / "project"
        config = program.write_project(project, program_size)
        generated = [timed_preview(project, program.STACK, out, "--policy-config", str(config)) for _ in range(runs)]
        section.add(
            Figure(
                f"generated program ({generated[0][1]:,} resources)",
                statistics.median(seconds for seconds, _ in generated),
                "s",
                Target("<=", 15.0),
            )
        )
