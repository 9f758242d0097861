"""What a URN says: urn:pulumi:<stack>::<project>::<parent type$...$type>::<name>."""

from __future__ import annotations

from ..resources import STACK_TYPE

PREFIX = "urn:pulumi:"


def urn_parts(urn: str) -> tuple[str, str, str]:
    """(stack, project, resource type) of a URN; ValueError when it is not a Pulumi URN."""
    parts = urn[len(PREFIX) :].split("::", 3) if urn.startswith(PREFIX) else []
    if len(parts) != 4 or not all(parts[:3]):
        raise ValueError(f"not a Pulumi URN: {urn!r}")
    stack, project, qualified_type, _name = parts
    return stack, project, qualified_type.rsplit("$", 1)[-1]


def stack_urn(stack: str, project: str) -> str:
    """The root stack resource's URN, which Pulumi names <project>-<stack>."""
    return f"{PREFIX}{stack}::{project}::{STACK_TYPE}::{project}-{stack}"
