"""The registry rejects at import time what would otherwise fail in a user's preview."""

from dataclasses import replace

import pytest

from abuse_guard.policies import _check_registry, account_concurrency_headroom, usage_plan_limits
from abuse_guard.policy import Policy

STACK_POLICY = account_concurrency_headroom.POLICY
REMEDIATING = usage_plan_limits.POLICY

REGISTRIES: dict[str, tuple[tuple[Policy, ...], str | None]] = {
    "resource_policy_that_remediates": ((REMEDIATING,), None),
    "stack_policy": ((STACK_POLICY,), None),
    # pulumi-policy's StackValidationPolicy has no remediate callback: the engine would never call it
    "stack_policy_that_remediates": (
        (replace(STACK_POLICY, remediate=REMEDIATING.remediate),),
        "a stack policy cannot remediate",
    ),
    "registered_twice": ((STACK_POLICY, STACK_POLICY), "registered twice"),
}


@pytest.mark.parametrize(("policies", "rejected"), REGISTRIES.values(), ids=list(REGISTRIES))
def test_registry_check(policies: tuple[Policy, ...], rejected: str | None) -> None:
    if rejected is None:
        _check_registry(policies)
    else:
        with pytest.raises(ValueError, match=rejected):
            _check_registry(policies)
