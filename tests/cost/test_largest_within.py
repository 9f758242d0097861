"""The search for the largest fix within budget: exact for any non-decreasing cost, not only linear ones."""

import pytest

from abuse_guard.cost.model import _largest_within

COSTS = {
    "linear": lambda v: 2.0 * v,
    "flat_then_steep": lambda v: 10.0 if v < 700 else 10.0 + 50 * (v - 700),
    "capped": lambda v: min(3.0 * v, 900.0),
    "steps": lambda v: float(v // 100 * 100),
    "constant": lambda v: 5.0,
}


@pytest.mark.parametrize("name", list(COSTS))
@pytest.mark.parametrize("budget", [0.5, 1.0, 5.0, 99.0, 100.0, 1000.0, 2001.0, 10_000.0])
def test_matches_an_exhaustive_scan(name: str, budget: float) -> None:
    cost = COSTS[name]
    fitting = [v for v in range(1, 1001) if cost(v) <= budget]
    assert _largest_within(cost, 1000, budget) == (max(fitting) if fitting else 1)
