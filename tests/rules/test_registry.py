"""The registry rejects at import time what would otherwise fail in a user's preview: one case per reason."""

from dataclasses import replace
from typing import Any

import pytest

from abuse_guard.findings import Verdict, passed
from abuse_guard.graph import Graph
from abuse_guard.policies import POLICIES, _check_registry
from abuse_guard.policy import Policy, Settings
from abuse_guard.resources import Resource


def _check(resource: Resource, settings: Settings) -> Verdict:
    return passed("ok")


def _check_stack(graph: Graph, settings: Settings) -> list[tuple[Resource, Verdict]]:
    return []


def _remediate(resource: Resource, settings: Settings) -> dict[str, Any] | None:
    return None


VALID = Policy(
    id="valid-policy",
    title="A valid policy",
    description="Every field the registry asks for is set.",
    severity="high",
    enforcement="mandatory",
    resource_types=("aws:lambda/function:Function",),
    rationale="So the registry has something to accept.",
    remediation="Nothing to do.",
    config={"maximum": {"type": "integer", "default": 1, "description": "The largest allowed value."}},
    check=_check,
)
VALID_STACK = replace(VALID, id="valid-stack-policy", check=None, check_stack=_check_stack)

ACCEPTED: dict[str, tuple[Policy, ...]] = {
    "resource_policy": (VALID,),
    "resource_policy_that_remediates": (replace(VALID, enforcement="remediate", remediate=_remediate),),
    "stack_policy": (VALID_STACK,),
    "policy_without_config": (replace(VALID, config={}),),
    "every_severity_and_level": tuple(
        replace(VALID, id=f"p-{severity}-{level}", severity=severity, enforcement=level)
        for severity in ("low", "medium", "high", "critical")
        for level in ("advisory", "mandatory", "remediate", "disabled")
    ),
    "two_policies": (VALID, VALID_STACK),
    "the_pack": POLICIES,
}


@pytest.mark.parametrize("policies", ACCEPTED.values(), ids=list(ACCEPTED))
def test_registry_accepts(policies: tuple[Policy, ...]) -> None:
    _check_registry(policies)  # raises on anything it rejects


REJECTED: dict[str, tuple[tuple[Policy, ...], str]] = {
    "id_empty": ((replace(VALID, id=""),), "policy '': missing or invalid id"),
    "id_not_lower_case": ((replace(VALID, id="Valid-Policy"),), "policy 'Valid-Policy': missing or invalid id"),
    "id_with_a_space": ((replace(VALID, id="valid policy"),), "policy 'valid policy': missing or invalid id"),
    "title": ((replace(VALID, title=""),), "policy 'valid-policy': missing or invalid title"),
    "description": ((replace(VALID, description=""),), "policy 'valid-policy': missing or invalid description"),
    "severity_unknown": ((replace(VALID, severity="severe"),), "policy 'valid-policy': missing or invalid severity"),
    "severity_upper_case": ((replace(VALID, severity="HIGH"),), "policy 'valid-policy': missing or invalid severity"),
    "enforcement_unknown": (
        (replace(VALID, enforcement="blocking"),),
        "policy 'valid-policy': missing or invalid enforcement",
    ),
    "resource_types": (
        (replace(VALID, resource_types=()),),
        "policy 'valid-policy': missing or invalid resource_types",
    ),
    "rationale": ((replace(VALID, rationale=""),), "policy 'valid-policy': missing or invalid rationale"),
    "remediation": ((replace(VALID, remediation=""),), "policy 'valid-policy': missing or invalid remediation"),
    "check_missing": ((replace(VALID, check=None),), "policy 'valid-policy': missing or invalid check"),
    "check_and_check_stack": (
        (replace(VALID, check_stack=_check_stack),),
        "policy 'valid-policy': missing or invalid check",
    ),
    "config_without_default": (
        (replace(VALID, config={"maximum": {"type": "integer", "description": "The largest allowed value."}}),),
        "policy 'valid-policy': missing or invalid config",
    ),
    "config_without_description": (
        (replace(VALID, config={"maximum": {"type": "integer", "default": 1}}),),
        "policy 'valid-policy': missing or invalid config",
    ),
    "every_problem_is_named_in_order": (
        (replace(VALID, title="", rationale="", check=None, config={"maximum": {}}),),
        "policy 'valid-policy': missing or invalid title, rationale, check, config",
    ),
    # pulumi-policy's StackValidationPolicy has no remediate callback: the engine would never call it
    "stack_policy_that_remediates": (
        (replace(VALID_STACK, remediate=_remediate),),
        "policy 'valid-stack-policy': a stack policy cannot remediate (pulumi-policy remediates resources only)",
    ),
    "registered_twice": ((VALID, VALID_STACK, VALID), "policy 'valid-policy' is registered twice"),
    "id_taken_by_another_kind_of_policy": (
        (VALID, replace(VALID_STACK, id="valid-policy")),
        "policy 'valid-policy' is registered twice",
    ),
    "first_bad_policy_is_named": (
        (VALID, replace(VALID_STACK, severity=""), replace(VALID, id="other", title="")),
        "policy 'valid-stack-policy': missing or invalid severity",
    ),
}


@pytest.mark.parametrize(("policies", "message"), REJECTED.values(), ids=list(REJECTED))
def test_registry_rejects(policies: tuple[Policy, ...], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        _check_registry(policies)
    assert str(raised.value) == message
