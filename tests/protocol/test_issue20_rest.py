"""Issue 20's REST and load balancer kinds through the pack as the engine runs it: each table case of the rules gets,
resource by resource, the fails and unknowns (with their messages) the in-process evaluation gives.

Items: 1, a REST integration belongs to the method with its (REST API, resource, HTTP method)
(tests/rules/test_method_integrations.py); 4, a sign-in action with onUnauthenticatedRequest `allow` lets anonymous
callers through (tests/rules/test_load_balancer_lambda_auth.py); 5, integration timeouts above 29 s only on Regional
and private APIs (tests/rules/test_lambda_timeout_behind_rest_api.py); and the messages of the issue's list
(tests/rules/test_issue20_messages.py). Each case's source is in the comment above it there.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Outcome
from abuse_guard.policies import POLICIES
from abuse_guard.resources import Resource
from tests.harness.analyzer import RunningPack, previewed
from tests.rules import test_issue20_messages as messages
from tests.rules import test_lambda_timeout_behind_rest_api as timeouts
from tests.rules import test_load_balancer_lambda_auth as load_balancers
from tests.rules import test_method_integrations as integrations

SHOWN = (Outcome.FAIL, Outcome.UNKNOWN)
"""What the engine shows of a verdict: a violation, or the "can't run policy" advisory."""

CASES: dict[str, Sequence[Resource]] = {
    **{f"integration_{name}": graph for name, (graph, _, _) in integrations.CASES.items()},
    **{f"load_balancer_{name}": graph for name, (graph, _) in load_balancers.CASES.items()},
    **{f"timeout_{name}": graph for name, (graph, config, _) in timeouts.CASES.items() if config is None},
    **{f"message_{name}": graph for name, (graph, _, _, _) in messages.CASES.items()},
}


@pytest.fixture(autouse=True)
def defaults(pack: RunningPack) -> None:
    pack.configure({})


def in_process(resources: Sequence[Resource]) -> dict[tuple[str, str], tuple[Outcome, str]]:
    return {(f.policy, f.urn): (f.outcome, f.message) for f in evaluate(POLICIES, resources) if f.outcome in SHOWN}


def over_grpc(pack: RunningPack, resources: Sequence[Resource]) -> dict[tuple[str, str], tuple[Outcome, str]]:
    return {(e.policy, e.urn): (e.kind, e.message) for e in previewed(pack, resources) if e.kind in SHOWN}


@pytest.mark.parametrize("resources", CASES.values(), ids=list(CASES))
def test_the_pack_says_what_the_rules_say(pack: RunningPack, resources: Sequence[Resource]) -> None:
    assert over_grpc(pack, resources) == in_process(resources)
