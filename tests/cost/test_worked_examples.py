"""The cost model on worked examples: every dollar figure below is computed by hand in the comment above it.

Defaults throughout: a month of 2,592,000 s (30 days); Lambda $0.20 per million requests and
$0.0000166667 per GB-second; REST API $3.50 and HTTP API $1.00 per million requests; the account's
API Gateway limit 10,000 requests/s and concurrency pool 1,000; Lambda serves at most 10 requests/s
per concurrent execution.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from abuse_guard.resources import Resource
from tests.cost.graphs import function, function_url, http_route, only_entrypoint, rest_endpoint


@dataclass(frozen=True)
class Expected:
    rate: float
    concurrency: float
    lambda_requests: float
    lambda_duration: float
    api_requests: float
    total: float
    binding: str
    """A phrase of the limit that binds the largest part of the cost."""


EXAMPLES: dict[str, tuple[list[Resource], Expected]] = {
    # The seed's webhook: POST /refresh-cache, no API key, no stage throttle, reserved concurrency 1, 30 s timeout.
    # rate: nothing but the account's 10,000 requests/s; Lambda serves 10 x 1 = 10 requests/s.
    # API Gateway: 10,000 x 2,592,000 = 25,920,000,000 requests x $3.50/1e6 = $90,720.00
    # Lambda requests: 10 x 2,592,000 = 25,920,000 x $0.20/1e6 = $5.184
    # concurrency min(1, 10 x 30, 1,000) = 1: 1 x 2,592,000 s x 0.125 GB = 324,000 GB-s x $0.0000166667 = $5.4000108
    # total 90,720 + 5.184 + 5.4000108 = $90,730.5840108
    "seed_webhook_reserved_1_timeout_30": (
        rest_endpoint(function("refresh-cache", reserved=1.0, timeout=30.0, memory=128.0)),
        Expected(10_000, 1, 5.184, 5.4000108, 90_720.0, 90_730.5840108, "the account's API Gateway limit"),
    ),
    # A function URL on an unreserved function with AWS's defaults (3 s, 128 MB): no rate limit of its own.
    # rate: 10 requests/s x the account pool of 1,000 = 10,000 requests/s
    # Lambda requests: 10,000 x 2,592,000 = 25,920,000,000 x $0.20/1e6 = $5,184.00
    # concurrency min(1,000, 10,000 x 3) = 1,000: 1,000 x 2,592,000 x 0.125 = 324,000,000 GB-s x $0.0000166667
    #   = $5,400.0108
    # total 5,184 + 5,400.0108 = $10,584.0108
    "function_url_without_reservation": (
        function_url(function("worker")),
        Expected(10_000, 1_000, 5_184.0, 5_400.0108, 0.0, 10_584.0108, "the account pool"),
    ),
    # A keyed REST method: stage-wide throttle 100/s; usage plan 10/s per key with 3 keys and a quota of 10,000 a
    # DAY per key; reserved 5, timeout 10 s, 256 MB.
    # rate: min(100, 10 x 3 = 30, 10,000) = 30 requests/s
    # requests: min(30 x 2,592,000 = 77,760,000, quota 10,000 x 30 days x 3 keys = 900,000) = 900,000
    # Lambda requests: 900,000 x $0.20/1e6 = $0.18; API Gateway: 900,000 x $3.50/1e6 = $3.15
    # concurrency min(5, 30 x 10, 1,000) = 5; busy seconds min(5 x 2,592,000 = 12,960,000, 900,000 x 10 = 9,000,000)
    #   = 9,000,000 s x 0.25 GB = 2,250,000 GB-s x $0.0000166667 = $37.500075
    # total 0.18 + 37.500075 + 3.15 = $40.830075
    "usage_plan_with_3_keys_and_a_quota": (
        rest_endpoint(
            function("partner-sync", reserved=5.0, timeout=10.0, memory=256.0),
            api_key=True,
            stage_throttle=100.0,
            plan={
                "throttleSettings": {"rateLimit": 10.0, "burstLimit": 20.0},
                "quotaSettings": {"limit": 10_000.0, "period": "DAY"},
            },
            keys=3,
        ),
        Expected(30, 5, 0.18, 37.500075, 3.15, 40.830075, "quota 10,000 requests/DAY x 3 API keys"),
    ),
    # An HTTP route on a stage without a throttle, to an unreserved function with a 3 s timeout and 128 MB.
    # rate: the account's 10,000 requests/s; Lambda could serve 10 x 1,000 = 10,000 requests/s.
    # API Gateway: 10,000 x 2,592,000 = 25,920,000,000 x $1.00/1e6 = $25,920.00
    # Lambda requests: 25,920,000,000 x $0.20/1e6 = $5,184.00
    # concurrency min(1,000, 10,000 x 3) = 1,000: $5,400.0108 (as for the function URL above)
    # total 25,920 + 5,184 + 5,400.0108 = $36,504.0108
    "http_route_limited_only_by_the_account": (
        http_route(function("items", timeout=3.0, memory=128.0)),
        Expected(10_000, 1_000, 5_184.0, 5_400.0108, 25_920.0, 36_504.0108, "the account's API Gateway limit"),
    ),
    # The reference stack's webhook (stacks/components.py): stage 5/s, usage plan 2/s with 1 key and a quota of
    # 5,000 a DAY, reserved 1, timeout 10 s, 128 MB.
    # rate min(5, 2 x 1) = 2 requests/s; requests min(2 x 2,592,000 = 5,184,000, 5,000 x 30 x 1 = 150,000) = 150,000
    # Lambda requests 150,000 x $0.20/1e6 = $0.03; API Gateway 150,000 x $3.50/1e6 = $0.525
    # concurrency min(1, 2 x 10, 1,000) = 1; busy min(2,592,000, 150,000 x 10 = 1,500,000) = 1,500,000 s
    #   x 0.125 GB = 187,500 GB-s x $0.0000166667 = $3.12500625
    # total 0.03 + 3.12500625 + 0.525 = $3.68000625
    "reference_webhook": (
        rest_endpoint(
            function("refresh-cache", reserved=1.0, timeout=10.0, memory=128.0),
            api_key=True,
            stage_throttle=5.0,
            plan={
                "throttleSettings": {"rateLimit": 2.0, "burstLimit": 5.0},
                "quotaSettings": {"limit": 5_000.0, "period": "DAY"},
            },
            keys=1,
        ),
        Expected(2, 1, 0.03, 3.12500625, 0.525, 3.68000625, "quota 5,000 requests/DAY x 1 API key"),
    ),
}


@pytest.mark.parametrize(("graph", "expected"), EXAMPLES.values(), ids=list(EXAMPLES))
def test_worked_example(graph: list[Resource], expected: Expected) -> None:
    worst = only_entrypoint(graph).worst
    assert worst is not None
    assert (worst.rate, worst.concurrency) == (expected.rate, expected.concurrency)
    cost = worst.cost
    assert (cost.lambda_requests, cost.lambda_duration, cost.api_requests) == pytest.approx(
        (expected.lambda_requests, expected.lambda_duration, expected.api_requests), rel=1e-9
    )
    assert cost.total == pytest.approx(expected.total, rel=1e-9)
    assert expected.binding in worst.binding


# name -> (graph, the fix's change, its monthly cost worked by hand)
FIXES: dict[str, tuple[list[Resource], str, float]] = {
    # The seed's webhook already reserves 1. A stage throttle of R <= 10 requests/s costs 9.072 R (API) + 0.5184 R
    # (Lambda requests) + 5.4000108 (one execution busy all month), within $100 up to R = 9: $91.7136108. A quota
    # of 10,000 a day for the 1 assumed API key: 300,000 requests = $1.05 + $0.06, plus $5.4000108 (min(2,592,000,
    # 300,000 x 30) s busy) = $6.5100108, the cheapest.
    "seed_webhook_gets_a_quota": (
        rest_endpoint(function("refresh-cache", reserved=1.0, timeout=30.0, memory=128.0)),
        "requiring an API key, with a usage plan quota of 10,000 requests/day per API key",
        6.5100108,
    ),
    # The unreserved function URL: reserved concurrency 1 leaves 10 requests/s: 25,920,000 x $0.20/1e6 = $5.184,
    # plus 1 x 2,592,000 x 0.125 x $0.0000166667 = $5.4000108: $10.5840108.
    "function_url_gets_a_reservation": (function_url(function("worker")), "reserved concurrency 1", 10.5840108),
}


@pytest.mark.parametrize(("graph", "change", "monthly_cost"), FIXES.values(), ids=list(FIXES))
def test_cheapest_fix(graph: list[Resource], change: str, monthly_cost: float) -> None:
    entrypoint = only_entrypoint(graph)
    assert entrypoint.fix is not None
    assert (entrypoint.fix.change, entrypoint.fix.within_budget) == (change, True)
    assert entrypoint.fix.monthly_cost == pytest.approx(monthly_cost, rel=1e-9)


def test_no_fix_within_budget_still_names_the_cheapest() -> None:
    """The seed's webhook with a budget of $0: no candidate fits, and the cheapest is said, with its figure.

    A stage throttle of 1 request/s: 9.072 + 0.5184 + 5.4000108 = $14.9904108. A quota of 1 request a day for the
    1 assumed API key: 30 requests a month, each keeping the one execution busy up to 30 s: 900 s x 0.125 GB x
    $0.0000166667 = $0.00187500375, plus 30 x ($0.20 + $3.50)/1e6 = $0.000111: $0.00198600375, the cheapest.
    """
    entrypoint = only_entrypoint(
        rest_endpoint(function("refresh-cache", reserved=1.0, timeout=30.0, memory=128.0)), budget=0.0
    )
    assert entrypoint.fix is not None
    assert (entrypoint.fix.change, entrypoint.fix.within_budget) == (
        "requiring an API key, with a usage plan quota of 1 request/day per API key",
        False,
    )
    assert entrypoint.fix.monthly_cost == pytest.approx(0.00198600375, rel=1e-9)
