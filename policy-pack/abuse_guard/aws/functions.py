"""Readers of a Lambda function's inputs that rules and the cost model share, and of the inputs that name one."""

from __future__ import annotations

import re

from ..resources import Resource
from ..values import Malformed, Undetermined, figure, number, path_label

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


LAMBDA_ARN_REGION = re.compile(r"arn:[a-z-]+:lambda:([a-z]{2}(?:-[a-z]+)+-\d{1,2}):[^:]*:function:")
"""A Lambda function ARN (alone, or inside an API Gateway invoke ARN) and its Region field.
Source: AWS General Reference, "Amazon Resource Names (ARNs)"; API Gateway Developer Guide, "Set up Lambda proxy
integrations" (`arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations`)."""


class FunctionElsewhere(Undetermined):
    """An input names a Lambda function that is not a resource of this stack (made by another stack, by hand, or
    read with `aws.lambda_.Function.get`): what it reserves and how long it runs are not known here, now or later.

    `name` is the function's name as the program gives it (the name in its ARN, or the name itself); `region` the
    Region its ARN names, None when the input is a bare name (then the function is in the Region of what names it:
    a function URL, an integration and its function are in one Region)."""

    def __init__(self, label: str, name: str, value: str) -> None:
        super().__init__(label, f"names Lambda function '{name}', which is not in this stack")
        self.name = name
        found = LAMBDA_ARN_REGION.search(value)
        self.region = found.group(1) if found else None


PROVISIONED_MINIMUM = 1.0
"""The least provisioned concurrency a config may set. Source: AWS Lambda API Reference,
PutProvisionedConcurrencyConfig (ProvisionedConcurrentExecutions, minimum 1)."""


def provisioned(config: Resource, at: str = "") -> float | None:
    """The provisioned concurrency (concurrent executions) an `aws:lambda/provisionedConcurrencyConfig` sets, or an
    aws-native Alias's `provisionedConcurrencyConfig` (what its view keeps); None when it sets none.

    Raises Undetermined when not known at preview, Malformed for a fraction, a non-number or less than 1."""
    key = "provisionedConcurrentExecutions"
    if "provisionedConcurrencyConfig" in config.props:  # an aws-native Alias
        key = f"provisionedConcurrencyConfig.{key}"
    value = number(config.props, key, at=at, integer=True)
    if value is not None and value < PROVISIONED_MINIMUM:
        raise Malformed(path_label(at, key), "a whole number of at least 1", value)
    return value
