"""The machine a run was measured on: figures only compare within one machine and one run."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path
from typing import Any


def _field(path: str, name: str) -> str:
    """The first `name: value` line of a /proc file, or "" where there is none (not Linux)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return ""
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() == name:
            return value.strip()
    return ""


def describe() -> dict[str, Any]:
    memory_kib = _field("/proc/meminfo", "MemTotal").removesuffix("kB").strip()
    return {
        "cpu": _field("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU",
        "cores": os.cpu_count(),
        "memory_gib": int(memory_kib) / 2**20 if memory_kib.isdigit() else 0.0,
        "python": platform.python_version(),
        "node": node_version(),
        "platform": platform.platform(),
    }


def node_version() -> str:
    """`node --version` (the Node packs' runtime), or "" where node is not on PATH."""
    node = shutil.which("node")
    if node is None:
        return ""
    done = subprocess.run([node, "--version"], capture_output=True, text=True, check=False, timeout=30)
    return done.stdout.strip() if done.returncode == 0 else ""


def load() -> list[float]:
    """1-, 5- and 15-minute load averages: other work on the machine skews wall-clock figures."""
    return [round(value, 2) for value in os.getloadavg()]
