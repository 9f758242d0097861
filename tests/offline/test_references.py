"""A program that passes a resource object as an input (`function=fn`): every source gives the rules what the engine
gives a policy pack, the referenced resource's ID (its URN when it has none), never the SDK's reference envelope."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Outcome
from abuse_guard.policies import POLICIES
from abuse_guard.resources import RESOURCE_REFERENCE_SIG, SIG_KEY, UNKNOWN, from_wire
from tests.harness.analyzer import reported, start_pack
from tests.offline.projects import write_project
from tests.offline.test_preview import FUNCTION, recorded

REPO = Path(__file__).resolve().parents[2]
URN = "urn:pulumi:dev::proj::aws:lambda/function:Function::worker"


def reference(**fields: Any) -> dict[str, Any]:
    return {SIG_KEY: RESOURCE_REFERENCE_SIG, "urn": URN, **fields}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (reference(id="worker-1a2b3c", packageVersion="7.51.1"), "worker-1a2b3c"),
        # a resource being created: the SDK sends the unknown sentinel as its ID, the engine forwards an unknown
        (reference(id="04da6b54-80e4-46f7-96ec-b56ff0331ba9"), UNKNOWN),
        # a component has no ID: the engine sends the URN
        (reference(), URN),
        ({"nested": [reference(id="")]}, {"nested": [""]}),
    ],
    ids=["custom", "unknown_id", "component", "nested_empty_id"],
)
def test_a_reference_reads_as_the_engine_marshals_it_for_a_pack(value: Any, expected: Any) -> None:
    assert from_wire(value) == expected


PROGRAM = (
    FUNCTION
    + """
worker = function("worker")
aws.lambda_.FunctionUrl("url", function_name=worker, authorization_type="NONE")
aws.lambda_.Permission("anyone", function=worker, action="lambda:InvokeFunction", principal="*")
"""
)


def test_resource_objects_as_inputs_reach_the_rules_and_the_pack_as_ids(tmp_path: Path) -> None:
    resources = recorded(write_project(tmp_path, PROGRAM))
    assert isinstance(resources["anyone"].props["function"], str)
    assert isinstance(resources["url"].props["functionName"], str)
    offline = {(f.policy, f.name) for f in evaluate(POLICIES, resources.values()) if f.outcome is Outcome.FAIL}
    assert {("lambda-function-url-auth", "url"), ("lambda-permission-scope", "anyone")} <= offline
    with start_pack(REPO / "policy-pack") as pack:
        engine = {
            (e.policy, e.urn.rsplit("::", 1)[-1])
            for r in resources.values()
            for e in reported(pack.analyze(r), r.urn)
            if e.kind is Outcome.FAIL
        }
    assert {("lambda-function-url-auth", "url"), ("lambda-permission-scope", "anyone")} <= engine
