"""The rules in-process: abuse_guard.evaluate.evaluate over generated stacks, all policies and each kind alone, and a
Run's whole judgement (pipeline.judged: the policies and every entrypoint's cost, the cost model priced once).

This is what the offline preview, the report and the cost model pay per run, without pulumi-policy
or gRPC in between.
"""

from __future__ import annotations

from functools import partial

from abuse_guard.evaluate import evaluate
from abuse_guard.pack_config import parse
from abuse_guard.pipeline import judged
from abuse_guard.policies import POLICIES
from benchmarks import synthetic
from benchmarks.results import Figure, Section, Target, median_time


def rules(section: Section, sizes: tuple[int, ...], runs: int) -> None:
    resource_policies = [p for p in POLICIES if not p.is_stack_policy]
    stack_policies = [p for p in POLICIES if p.is_stack_policy]
    largest = sizes[-1]
    for size in sizes:
        resources = synthetic.plain(synthetic.stack(size))
        evaluate(POLICIES, resources, synthetic.PACK_CONFIG)  # warm-up: settings are validated once and cached
        seconds = median_time(partial(evaluate, POLICIES, resources, synthetic.PACK_CONFIG), runs)
        target = Target(">=", 50_000) if size == largest else None
        section.add(Figure(f"all {len(POLICIES)} policies, {size:,} resources", size / seconds, "resources/s", target))
    resources = synthetic.plain(synthetic.stack(largest))
    config = parse(synthetic.PACK_CONFIG, POLICIES)
    run = partial(judged, "bench", "bench", "benchmark", resources, config, remediate=True)
    seconds = median_time(run, runs)
    section.add(
        Figure(
            f"a Run's judgement: all {len(POLICIES)} policies and {len(run().entrypoints):,} entrypoints' costs, "
            f"{largest:,} resources",
            largest / seconds,
            "resources/s",
            note="pipeline.judged, what the offline preview and a state audit run: the cost model priced once per Run",
        )
    )
    for label, policies in (("resource", resource_policies), ("stack", stack_policies)):
        seconds = median_time(partial(evaluate, policies, resources, synthetic.PACK_CONFIG), runs)
        section.add(
            Figure(f"{len(policies)} {label} policies alone, {largest:,} resources", largest / seconds, "resources/s")
        )
    for policy in stack_policies:
        seconds = median_time(partial(evaluate, [policy], resources, synthetic.PACK_CONFIG), runs)
        section.add(Figure(f"stack policy {policy.id}, {largest:,} resources", seconds * 1000, "ms"))
