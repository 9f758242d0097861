"""The evaluator's shared guarantees, independent of any one rule."""

from collections.abc import Iterator

from abuse_guard.evaluate import evaluate_stack
from abuse_guard.findings import Outcome, Verdict, passed
from abuse_guard.graph import Graph
from abuse_guard.policy import Policy, Settings
from abuse_guard.resources import UNKNOWN, Resource
from abuse_guard.values import number
from tests.support import resource

FUNCTION = "aws:lambda/function:Function"


def careless_check(graph: Graph, settings: Settings) -> Iterator[tuple[Resource, Verdict]]:
    for r in graph.of_type(FUNCTION):
        yield r, passed(f"timeout {number(r.props, 'timeout')}")  # lets Undetermined escape


CARELESS = Policy(
    id="careless",
    title="t",
    description="d",
    severity="low",
    enforcement="advisory",
    resource_types=(FUNCTION,),
    rationale="r",
    remediation="r",
    check_stack=careless_check,
)


def test_a_read_escaping_a_stack_check_is_unknown_for_every_resource_not_a_crash() -> None:
    graph = Graph([resource(FUNCTION, {"timeout": 3.0}, "a"), resource(FUNCTION, {"timeout": UNKNOWN}, "b")])
    findings = evaluate_stack(CARELESS, graph, CARELESS.settings(None))
    assert [(f.name, f.outcome) for f in findings] == [("a", Outcome.UNKNOWN), ("b", Outcome.UNKNOWN)]
    assert "policy 'careless': cannot be determined yet: timeout" in findings[0].message


def test_a_huge_integer_is_described_not_converted() -> None:
    """Found by the property tests: an integer too large for a float (JSON allows any) must not crash a message."""
    from abuse_guard.values import describe, figure

    assert (figure(2**1200), figure(1e308), figure(12.0), describe(-(10**400))) == (
        "~1e+361",
        "1e+308",
        "12",
        "-~1e+400",
    )
