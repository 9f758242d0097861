"""Small builders shared by the tests: a resource from props, a policy's finding for it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from abuse_guard.evaluate import evaluate_resource
from abuse_guard.findings import Finding
from abuse_guard.policy import Policy
from abuse_guard.resources import Resource


def resource(type_: str, props: Mapping[str, Any], name: str = "res", **edges: Any) -> Resource:
    return Resource(urn=f"urn:pulumi:dev::proj::{type_}::{name}", type=type_, name=name, props=props, **edges)


def check(policy: Policy, type_: str, props: Mapping[str, Any], config: Mapping[str, Any] | None = None) -> Finding:
    result = evaluate_resource(policy, resource(type_, props), policy.settings(config))
    assert result is not None, f"{policy.id} does not apply to {type_}"
    return result
