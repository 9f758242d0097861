"""Readers of a Lambda function's inputs that rules and the cost model share."""

from __future__ import annotations

from ..resources import Resource
from ..values import Malformed, figure, number, path_label

UNRESERVED = -1.0
"""What the provider fills in for a function without a reservation (pulumi-aws `reservedConcurrentExecutions`)."""


def reservation(function: Resource, at: str = "") -> float | None:
    """Reserved concurrency (concurrent executions); None when unreserved (absent, or -1: what the provider fills
    in); 0 reserves nothing and blocks every call. Every rule and the cost model read it here, labelled from `at`.

    Raises Undetermined when not known at preview, Malformed for a fraction, a non-number or below -1.
    """
    reserved = number(function.props, "reservedConcurrentExecutions", at=at, integer=True)
    if reserved is None or reserved == UNRESERVED:
        return None
    if reserved < 0:
        raise Malformed(path_label(at, "reservedConcurrentExecutions"), "-1 (unreserved) or at least 0", reserved)
    return reserved


def positive(function: Resource, key: str, default: float, unit: str) -> tuple[float, str]:
    """A function's positive number input (`timeout` in seconds, `memorySize` in MB), or AWS's default with a
    note that it was assumed. Raises Malformed for 0 or below, Undetermined when not known at preview."""
    at = f"Lambda function '{function.name}'"
    value = number(function.props, key, at=at)
    if value is None:
        return default, f"{at} sets no {key}: AWS's default {figure(default)} {unit}"
    if value <= 0:
        raise Malformed(f"{at}.{key}", "above 0", value)
    return value, ""
