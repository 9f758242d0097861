"""`python -m benchmarks [--smoke] [--out DIR]`: every figure on one machine in one run, then the two files.

Writes DIR/latest.json and DIR/latest.md (default benchmarks/out); a full run also copies the
Markdown to benchmarks/RESULTS.md, the copy the README shows. A full run first installs the Node
packs it compares against (AWSGuard and an empty Node pack, benchmarks/node/) with `npm ci`, and
stops with one line if npm fails. `--smoke` runs every measurement at tiny sizes with one repetition,
without npm: the Node packs and Chromium (when absent) are reported as not run, with the reason.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from abuse_guard import gc_settings
from benchmarks import checkov_peer, engine, machine, native_mix, node_packs, preview, reports, rules
from benchmarks.results import Section, write

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"


@dataclass(frozen=True)
class Plan:
    """Sizes and repetitions of one run."""

    startups: int
    analyze_size: int
    analyze_rounds: int
    stack_sizes: tuple[int, ...]
    stack_scalings: tuple[tuple[int, int], ...]
    """Pairs of stack_sizes whose AnalyzeStack times give a scaling exponent; the target is on the last."""
    stack_runs: int
    peer_sizes: tuple[int, ...]
    """Stack sizes at which every pack's AnalyzeStack time and whole preview overhead are measured."""
    overhead_runs: int
    rule_sizes: tuple[int, ...]
    rule_runs: int
    previews: int
    program_sizes: tuple[int, ...]
    """Generated programs whose offline preview is timed against its floor (the program recorded, nothing checked)."""
    report_sizes: tuple[int, ...]
    report_key_size: int
    report_runs: int
    browser_opens: int


FULL = Plan(
    startups=7,
    analyze_size=1_000,
    analyze_rounds=7,
    stack_sizes=(100, 1_000, 2_000, 10_000, 20_000),
    stack_scalings=((1_000, 10_000), (2_000, 20_000)),
    stack_runs=5,
    peer_sizes=(1_000, 10_000),
    overhead_runs=3,
    rule_sizes=(100, 1_000, 10_000),
    rule_runs=5,
    previews=3,
    program_sizes=(1_000, 10_000),
    report_sizes=(1_000, 10_000, 50_000),
    report_key_size=10_000,
    report_runs=3,
    browser_opens=5,
)
SMOKE = Plan(
    startups=1,
    analyze_size=30,
    analyze_rounds=1,
    stack_sizes=(20, 30, 200, 300),
    stack_scalings=((20, 200), (30, 300)),
    stack_runs=1,
    peer_sizes=(20, 200),
    overhead_runs=1,
    rule_sizes=(20, 30),
    rule_runs=1,
    previews=1,
    program_sizes=(30,),
    report_sizes=(30,),
    report_key_size=30,
    report_runs=1,
    browser_opens=1,
)


def sections() -> dict[str, Section]:
    """Every section of a run, in report order; the smoke test checks that each one is written."""
    return {
        s.id: s
        for s in (
            Section(
                "startup",
                "Pack start-up",
                "`start_pack` as the engine starts a pack (`python -u -m pulumi.policy ADDRESS .`; a Node pack: "
                "`node ./node_modules/@pulumi/pulumi/cmd/run-policy-pack ADDRESS .`): process start to the port "
                "printed, median of several starts, the packs taking turns.",
            ),
            Section(
                "analyze",
                "Analyze throughput over gRPC",
                "One Analyze request per resource of a generated stack, sent one after another (as the engine does "
                "during preview), requests built beforehand. Our pack, benchmarks/empty_pack, a generated no-op "
                "pack with as many policies as ours, and the Node packs of benchmarks/node (Pulumi's AWSGuard, every "
                "policy mandatory, and an empty pack) take turns round after round on the same requests; a ratio is "
                "the median over rounds of the baseline's time over the pack's. Then, in the same rounds, the Python "
                "packs on the mixed small resources (benchmarks/engine.py SMALL_PROPS): one resource of each type a "
                "resource policy checks, pulumi-aws and aws-native, a few props each, cycled to as many requests. "
                "Our pack calls only the policies that check a request's type and reads pulumi's runtime settings "
                "once per worker thread; pulumi-policy, which serves the baselines, reads them at every call.",
            ),
            Section(
                "analyze-stack",
                "AnalyzeStack over gRPC",
                "One AnalyzeStack request with every resource of a generated stack, parents, dependencies and "
                "property dependencies as the engine sends them; median of several calls after a warm-up. Our pack "
                "at every size, the other packs at the sizes of the whole-preview figures. Since issue 19 the pack "
                "also judges here, with the graph, the resources Analyze leaves open (the graph policies' figure: "
                "the same call with and without them). Before that (commit 2d6a61a), measured beside this code on "
                "2026-12-04 on the same machine (AMD EPYC, 2 cores, 24 GiB, Python 3.11.7; 1-minute load 0.7; the "
                "two packs taking turns, median of 9 calls each): 0.0511 s at 1,000 resources, 0.542 s at 10,000, "
                "1.38 s at 20,000; this code then: 0.0449 s, 0.460 s, 0.944 s.",
            ),
            Section(
                "overhead",
                "Whole pack overhead of one preview",
                "What a pack costs one `pulumi preview` of a generated stack: process start, Handshake, "
                "ConfigureStack, GetAnalyzerInfo and Configure (our pack's exemptions), one Analyze per resource, "
                "then one AnalyzeStack of the same resources, timed from process start to the AnalyzeStack answer. "
                "A fresh process per run; the four packs take turns, median of several runs.",
            ),
            Section(
                "rules",
                "Rules in-process",
                "`abuse_guard.evaluate.evaluate` over the generated resources (what the offline preview, reports "
                "and cost model run), and a Run's whole judgement (`abuse_guard.pipeline.judged`: the policies and "
                "the entrypoints' costs), median of several runs after a warm-up, with the garbage-collector "
                "settings of `python -m abuse_guard` (abuse_guard/gc_settings.py).",
            ),
            Section(
                "preview",
                "Offline preview end to end",
                "`python -m abuse_guard preview . --stack NAME --json FILE` in a new process: start to exit, with "
                "the JSON written; the generated program uses pulumi_aws with the benchmark's stack mix. Its floor: "
                "the same program recorded the same way (`abuse_guard.offline.recorded`: the program run under "
                "Pulumi's mock runtime in its child process) in a new process, with no policy evaluation and nothing "
                "written; the preview and its floor take turns.",
            ),
            Section(
                "report",
                "Report generation",
                "A run read from a generated `pulumi stack export` with `read_state`; then a fresh Report, the "
                "formats rendered and written atomically, median of several runs. Peak memory: tracemalloc's peak "
                "of Python allocations during one separate, untimed generation.",
            ),
            Section(
                "browser",
                "HTML report in headless Chromium",
                "tests/report/chromium.py's DevTools-over-pipe client: navigation to the load event, after one "
                "warm-up load, median of several loads.",
            ),
            Section(
                "native",
                "aws-native in the same stack",
                "The Analyze and AnalyzeStack requests of the generated stack, and of the same stack with every "
                "second resource of a type aws-native declares one to one declared through aws-native "
                "(benchmarks/native_mix.py), sent to one pack process in alternating rounds.",
            ),
            checkov_peer.section(),
        )
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one repetition: proves it runs")
    parser.add_argument("--out", default=str(HERE / "out"), metavar="DIR", help="where latest.json and latest.md go")
    args = parser.parse_args(argv)
    plan = SMOKE if args.smoke else FULL
    try:
        peers = engine.Peers.with_reason(node_packs.prepare(args.smoke))
    except node_packs.InstallError as error:
        print(f"bench: cannot install the Node packs: {error}", file=sys.stderr)
        return 1
    try:  # a full run installs Checkov into its own venv (benchmarks/checkov_peer.py); a smoke run never runs it
        checkov_not_run = checkov_peer.prepare(args.smoke)
    except checkov_peer.InstallError as error:
        print(f"bench: cannot install Checkov: {error}", file=sys.stderr)
        return 1
    gc_settings.apply()  # as `python -m abuse_guard` runs: the in-process figures stand for the CLI's work
    started, started_at = time.perf_counter(), datetime.now(UTC).isoformat(timespec="seconds")
    load_at_start = machine.load()
    s = sections()
    steps = (
        ("pack start-up", lambda: engine.startup(s["startup"], plan.startups, peers)),
        ("Analyze", lambda: engine.analyze(s["analyze"], plan.analyze_size, plan.analyze_rounds, peers)),
        (
            "AnalyzeStack",
            lambda: engine.analyze_stack(
                s["analyze-stack"], plan.stack_sizes, plan.stack_scalings, plan.peer_sizes, plan.stack_runs, peers
            ),
        ),
        (
            "whole preview overhead",
            lambda: engine.preview_overhead(s["overhead"], plan.peer_sizes, plan.overhead_runs, peers),
        ),
        ("rules", lambda: rules.rules(s["rules"], plan.rule_sizes, plan.rule_runs)),
        ("offline preview", lambda: preview.preview(s["preview"], plan.previews, plan.program_sizes)),
        (
            "reports and Chromium",
            lambda: reports.reports(
                s["report"], plan.report_sizes, plan.report_key_size, plan.report_runs, s["browser"], plan.browser_opens
            ),
        ),
        (
            "aws-native mix",
            lambda: native_mix.compare(s["native"], plan.analyze_size, plan.peer_sizes[-1], plan.analyze_rounds),
        ),
        ("against Checkov", lambda: checkov_peer.compare(s["checkov"], args.smoke, checkov_not_run)),
    )
    for label, step in steps:
        print(f"bench: {label}...", file=sys.stderr, flush=True)
        step()
    document = {
        "mode": "smoke" if args.smoke else "full",
        "started": started_at,
        "seconds": time.perf_counter() - started,
        "machine": {**machine.describe(), "load_at_start": load_at_start, "load_at_end": machine.load()},
        "plan": asdict(plan),
    }
    json_file, markdown_file = write(Path(args.out), document, list(s.values()))
    if not args.smoke:
        shutil.copyfile(markdown_file, RESULTS)
    print(markdown_file.read_text(encoding="utf-8"))
    print(f"bench: wrote {json_file} and {markdown_file}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
