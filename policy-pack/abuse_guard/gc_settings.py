"""Garbage-collector settings for abuse-guard's own processes: the policy pack and the command line.

Both keep tens of thousands of small containers alive for a whole run (every resource's props, and
in the pack pulumi-policy's copy of them for each policy) on top of large imports (pulumi, and
pulumi_aws in the offline preview). CPython 3.11 collects its youngest generation every 700 new
containers, so collections kept walking what was built so far, a large share of the CPU time of big
runs. Collecting every 50,000 allocations, with what exists at start-up frozen out of the walk, keeps
that cost small; reference cycles are still collected.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION_THRESHOLD = 50_000


def apply() -> None:
    """For a process that does one batch of work: call once, at its entry point, after its imports."""
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)
