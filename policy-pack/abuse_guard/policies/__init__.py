"""The registry: every policy of the pack, in report order. Registration checks the metadata."""

from __future__ import annotations

from ..policy import ENFORCEMENT_LEVELS, SEVERITIES, Policy
from . import (
    account_concurrency_headroom,
    api_route_authorization,
    entrypoint_cost_budget,
    lambda_function_url_auth,
    lambda_permission_scope,
    lambda_reserved_concurrency,
    lambda_timeout_behind_rest_api,
    load_balancer_lambda_auth,
    rest_method_authorization,
    rest_stage_protected,
    stage_throttling,
    usage_plan_limits,
)

POLICIES: tuple[Policy, ...] = (
    lambda_reserved_concurrency.POLICY,
    lambda_function_url_auth.POLICY,
    lambda_permission_scope.POLICY,
    rest_method_authorization.POLICY,
    api_route_authorization.POLICY,
    load_balancer_lambda_auth.POLICY,
    usage_plan_limits.POLICY,
    stage_throttling.POLICY,
    rest_stage_protected.POLICY,
    account_concurrency_headroom.POLICY,
    entrypoint_cost_budget.POLICY,
    lambda_timeout_behind_rest_api.POLICY,
)


def _check_registry(policies: tuple[Policy, ...]) -> None:
    """Reject duplicate ids and incomplete metadata at import time, not in a user's preview."""
    seen: set[str] = set()
    for p in policies:
        problems = [
            name
            for name, ok in (
                ("id", bool(p.id) and p.id == p.id.lower() and " " not in p.id),
                ("title", bool(p.title)),
                ("description", bool(p.description)),
                ("severity", p.severity in SEVERITIES),
                ("enforcement", p.enforcement in ENFORCEMENT_LEVELS),
                ("resource_types", bool(p.resource_types)),
                ("rationale", bool(p.rationale)),
                ("remediation", bool(p.remediation)),
                ("check", (p.check is None) != (p.check_stack is None)),
                ("config", all("default" in s and "description" in s for s in p.config.values())),
            )
            if not ok
        ]
        if problems:
            raise ValueError(f"policy '{p.id}': missing or invalid {', '.join(problems)}")
        if p.is_stack_policy and p.remediate is not None:
            raise ValueError(
                f"policy '{p.id}': a stack policy cannot remediate (pulumi-policy remediates resources only)"
            )
        if p.id in seen:
            raise ValueError(f"policy '{p.id}' is registered twice")
        seen.add(p.id)


_check_registry(POLICIES)

BY_ID = {p.id: p for p in POLICIES}
