"""The cost model prices each part of a door's bill in the Region of the resource that bills it (issue 11, item 6).

AWS bills Lambda requests and duration in the function's Region (AWS Lambda pricing) and API Gateway requests in
the API's (Amazon API Gateway pricing); both pages price each Region apart. The prices below for eu-central-1 are
the test's own config, not AWS's figures: the point is which Region's price each part takes. Every figure is
computed by hand in the comment above it (a month of 2,592,000 s; us-east-1 defaults $0.20 per million Lambda
requests, $0.0000166667 per GB-second).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from abuse_guard.cost.model import EntrypointBound
from abuse_guard.evaluate import evaluate, stack_graph
from abuse_guard.findings import Outcome
from abuse_guard.policies.entrypoint_cost_budget import POLICY, entrypoint_bounds
from abuse_guard.resources import UNKNOWN, ProviderRef, Resource
from tests.cost.graphs import function, function_url, http_route, only_bound
from tests.support import resource

PROVIDER = "pulumi:providers:aws"
EU = resource(PROVIDER, {"region": "eu-central-1"}, "eu")
DEFAULT = ProviderRef(f"urn:pulumi:dev::proj::{PROVIDER}::default_7_0_0", {"region": "us-east-1"})
EU_PRICES = {
    "eu-central-1": {
        "lambdaRequestPricePerMillion": 0.30,
        "lambdaGbSecondPrice": 0.00002,
        "httpApiRequestPricePerMillion": 1.20,
    }
}
CONFIG: dict[str, Any] = {POLICY.id: {"regionPrices": EU_PRICES}}


def on(provider: Resource | ProviderRef, graph: list[Resource]) -> list[Resource]:
    """Every resource of `graph` managed by `provider` (a provider resource of the graph, or one sent with each)."""
    ref = ProviderRef(provider.urn) if isinstance(provider, Resource) else provider
    return [replace(r, provider=ref) for r in graph]


def mixed_graph() -> list[Resource]:
    """A function URL and its function on Provider 'eu' (eu-central-1); an HTTP route on 'eu' whose function is
    on the default provider (us-east-1)."""
    eu_worker = function("eu-worker", reserved=2.0, timeout=10.0, memory=1024.0)
    us_handler = on(DEFAULT, [function("us-handler", reserved=1.0, timeout=1.0, memory=128.0)])[0]
    route = http_route(us_handler, throttle=5.0)
    return [EU, *on(EU, function_url(eu_worker)), us_handler, *on(EU, route[1:])]


def bounds_by_name(graph: list[Resource], config: dict[str, Any] | None = CONFIG) -> dict[str, EntrypointBound]:
    return {b.name: b for b in entrypoint_bounds(stack_graph(graph), config)}


# name -> (the bound's name in the mixed graph, Lambda requests, Lambda duration, front door requests, total, USD)
MIXED: dict[str, tuple[str, float, float, float, float]] = {
    # URL and function in eu-central-1: Lambda's 10 x 2 = 20 requests/s, the URL has no limit of its own
    # Lambda requests 20 x 2,592,000 = 51,840,000 x $0.30/1e6 = $15.552 (eu-central-1)
    # concurrency min(2, 20 x 10, 1,000) = 2: 2 x 2,592,000 = 5,184,000 s x 1 GB x $0.00002 = $103.68 (eu-central-1)
    # total 15.552 + 103.68 = $119.232
    "function_url_in_eu_central_1": ("url", 15.552, 103.68, 0.0, 119.232),
    # route in eu-central-1, its function in us-east-1: the stage's 5 requests/s
    # API requests 5 x 2,592,000 = 12,960,000 x $1.20/1e6 = $15.552 (eu-central-1, the route's Region)
    # Lambda requests 12,960,000 x $0.20/1e6 = $2.592 (us-east-1, the function's Region)
    # concurrency min(1, 5 x 1) = 1: 2,592,000 s x 0.125 GB x $0.0000166667 = $5.4000108 (us-east-1)
    # total 15.552 + 2.592 + 5.4000108 = $23.5440108
    "route_in_eu_central_1_to_a_function_in_us_east_1": ("route", 2.592, 5.4000108, 15.552, 23.5440108),
}


@pytest.mark.parametrize(("name", "requests", "duration", "front", "total"), MIXED.values(), ids=list(MIXED))
def test_mixed_providers_each_part_priced_in_its_region(
    name: str, requests: float, duration: float, front: float, total: float
) -> None:
    bound = bounds_by_name(mixed_graph())[name]
    assert bound.worst is not None
    cost = bound.worst.cost
    assert (cost.lambda_requests, cost.lambda_duration, cost.api_requests) == pytest.approx(
        (requests, duration, front), rel=1e-9
    )
    assert cost.total == pytest.approx(total, rel=1e-9)
    assert not any("regionPrices" in note for note in bound.notes)


def test_the_mixed_graph_against_the_budget() -> None:
    """$119.23 is over the default $100 budget; $23.54 is within it. Priced at us-east-1 the URL would be
    51,840,000 x $0.20/1e6 + 5,184,000 x $0.0000166667 = $96.7681728, within it."""
    outcomes = {f.name: f.outcome for f in evaluate([POLICY], mixed_graph(), CONFIG) if f.policy == POLICY.id}
    assert outcomes == {"url": Outcome.FAIL, "route": Outcome.PASS}
    us_east_1 = bounds_by_name(mixed_graph(), None)["url"].worst
    assert us_east_1 is not None
    assert us_east_1.cost.total == pytest.approx(96.7681728, rel=1e-9)


def test_a_region_the_table_does_not_list_is_priced_at_the_default_and_noted() -> None:
    mumbai = resource(PROVIDER, {"region": "ap-south-1"}, "mumbai")
    graph = [mumbai, *on(mumbai, function_url(function("worker", reserved=1.0, timeout=3.0, memory=128.0)))]
    bound = bounds_by_name(graph)["url"]
    # as in us-east-1: 10 requests/s, 25,920,000 x $0.20/1e6 = $5.184, plus 2,592,000 s x 0.125 GB x $0.0000166667
    assert bound.worst is not None
    assert bound.worst.cost.total == pytest.approx(5.184 + 5.4000108, rel=1e-9)
    assert bound.notes == (
        "FunctionUrl 'url' is in ap-south-1, which regionPrices does not list: priced at the default prices "
        "(us-east-1's unless configured)",
        "Function 'worker' is in ap-south-1, which regionPrices does not list: priced at the default prices "
        "(us-east-1's unless configured)",
    )


def test_a_region_not_known_at_preview_leaves_the_bound_unknown() -> None:
    computed = ProviderRef(f"urn:pulumi:dev::proj::{PROVIDER}::computed", {"region": UNKNOWN})
    bound = only_bound(on(computed, function_url(function(reserved=1.0))))
    assert (bound.worst, bound.malformed) == (None, False)
    assert (
        bound.unknown
        == "cannot be determined yet: Provider 'computed'.region is not known until the resource is deployed"
    )


KNOWN = (
    "httpApiRequestPricePerMillion, lambdaGbSecondPrice, lambdaRequestPricePerMillion, loadBalancerLcuPricePerHour, "
    "restApiRequestPricePerMillion, webSocketMessagePricePerMillion"
)
# name -> (regionPrices, the config error)
BAD_TABLES: dict[str, tuple[dict[str, dict[str, float]], str]] = {
    "region_name_not_a_region_code": (
        {"us-east1": {"lambdaGbSecondPrice": 0.1}},
        r"config field 'regionPrices': 'us-east1' does not match '^[a-z]{2}(-[a-z]+)+-\\d{1,2}$'",
    ),
    "unknown_price_key": (
        {"eu-west-1": {"gbSecond": 0.1}},
        f"unknown config key regionPrices.eu-west-1.gbSecond (known: {KNOWN})",
    ),
    "empty_entry": ({"eu-west-1": {}}, "config field 'regionPrices.eu-west-1': {} should be non-empty"),
    "price_not_above_zero": (
        {"eu-west-1": {"lambdaGbSecondPrice": 0.0}},
        "config field 'regionPrices.eu-west-1.lambdaGbSecondPrice': 0.0 is less than or equal to the minimum of 0",
    ),
}


@pytest.mark.parametrize(("table", "error"), BAD_TABLES.values(), ids=list(BAD_TABLES))
def test_a_malformed_region_price_table_is_a_config_error(table: dict[str, dict[str, float]], error: str) -> None:
    with pytest.raises(ValueError) as raised:
        POLICY.settings({"regionPrices": table})
    assert str(raised.value) == f"policy 'entrypoint-cost-budget': {error}"
