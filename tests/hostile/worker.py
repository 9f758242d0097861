"""Runs `abuse_guard` command lines in this one process and says what each did: `python -m tests.hostile.worker JOBS`.

JOBS is a JSON file: [{"name": ..., "cwd": ..., "argv": [...]}]. For each, in order: change to `cwd`, reset
the peak resident size (Linux: writing 5 to /proc/self/clear_refs), run `cli.main(argv)` with stderr
captured, and record the exit code, stderr, the resident size before and the peak during the run. The
results go to JOBS + ".out" as JSON. One process for many command lines keeps the corpus fast (each new
process spends most of a second importing Pulumi); the test runs several workers and kills one that
outlives its time limit.
"""

from __future__ import annotations

import contextlib
import gc
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

from abuse_guard.cli import main as cli
from abuse_guard.files import inputs

inputs.FIFO_WAIT_SECONDS = 0.5  # the corpus's named pipe that nothing writes to: refused sooner than a user's


def _status(field: str) -> int:
    """A size from /proc/self/status (VmRSS, VmHWM), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise LookupError(field)


def run(job: dict[str, Any]) -> dict[str, Any]:
    os.chdir(job["cwd"])
    gc.collect()
    Path("/proc/self/clear_refs").write_text("5")
    before = _status("VmRSS")
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = cli(job["argv"])
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
    return {"code": code, "stderr": stderr.getvalue(), "before": before, "peak": _status("VmHWM")}


def main() -> None:
    jobs_path = Path(sys.argv[1])
    results = {job["name"]: run(job) for job in json.loads(jobs_path.read_text())}
    Path(f"{jobs_path}.out").write_text(json.dumps(results))


if __name__ == "__main__":
    main()
