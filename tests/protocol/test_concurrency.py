"""Many engine threads at once against one pack process (its servicer runs 4 workers)."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

from abuse_guard.policies import POLICIES
from abuse_guard.resources import Resource
from tests.harness.analyzer import Reported, RunningPack, reported
from tests.protocol.examples import RESOURCE_EXAMPLES, STACK_EXAMPLES

THREADS = 8
ROUNDS = 5


def test_concurrent_calls_get_the_answers_of_sequential_ones(pack: RunningPack) -> None:
    pack.configure({p.id: (p.enforcement, p.defaults()) for p in POLICIES})  # once, as the engine does
    resources = [r for pair in RESOURCE_EXAMPLES.values() for r in pair]
    graphs = [graph for pair in STACK_EXAMPLES.values() for graph in pair]
    calls: list[Resource | tuple[Resource, ...]] = [*resources, *graphs]

    def answer(call: Resource | tuple[Resource, ...]) -> list[Reported]:
        if isinstance(call, Resource):
            return reported(pack.analyze(call), call.urn)
        return reported(pack.analyze_stack(call))

    expected = [answer(call) for call in calls]

    def worker(seed: int) -> list[tuple[int, list[Reported]]]:
        order = [i for _ in range(ROUNDS) for i in range(len(calls))]
        random.Random(seed).shuffle(order)
        return [(i, answer(calls[i])) for i in order]

    with ThreadPoolExecutor(THREADS) as threads:
        results = [pair for batch in threads.map(worker, range(THREADS)) for pair in batch]
    assert len(results) == THREADS * ROUNDS * len(calls)
    assert [i for i, said in results if said != expected[i]] == []
