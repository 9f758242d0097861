"""Every Lambda function reserves concurrency: the cap on what a flood of calls can run at once."""

from __future__ import annotations

from ..aws.functions import reservation
from ..aws.limits import UNRESERVED_FLOOR
from ..aws.types import LAMBDA_FUNCTION
from ..findings import Verdict, failed, passed
from ..policy import NAME_PATTERN_SCHEMA, ConfigError, Policy, Settings, matches
from ..resources import Resource
from ..shared_config import ACCOUNT_CONCURRENCY
from ..values import figure


def bounds(resource: Resource, settings: Settings) -> tuple[float, float]:
    """(minimum, maximum) for this function: the first matching override, else the policy's own.

    Bounds no reservation can meet are a ConfigError, whichever function they are for: otherwise every
    function would fail, each with a message blaming the function rather than the config.
    """
    minimum = settings["minimum"]
    maximum = settings["maximum"]
    if maximum is None:
        maximum = settings["accountConcurrencyLimit"] - UNRESERVED_FLOOR
        shown = f"null, so accountConcurrencyLimit - {UNRESERVED_FLOOR} = {figure(maximum)}"
    else:
        shown = figure(maximum)
    if minimum > maximum:
        raise ConfigError(
            f"policy '{POLICY.id}': config field 'minimum' ({figure(minimum)}) is above 'maximum' ({shown}), so no "
            "reservation is allowed; lower minimum or raise maximum"
        )
    found: tuple[float, float] | None = None
    for index, override in enumerate(settings["overrides"]):
        low, high = override.get("minimum", minimum), override.get("maximum", maximum)
        if low > high:
            low_from, high_from = (
                "this override" if key in override else "the top level" for key in ("minimum", "maximum")
            )
            raise ConfigError(
                f"policy '{POLICY.id}': config field 'overrides[{index}]' (function '{override['function']}'): "
                f"minimum {figure(low)} (from {low_from}) is above maximum {figure(high)} (from {high_from}), so no "
                "reservation is allowed for the functions it matches"
            )
        if found is None and matches(resource, override["function"]):
            found = (low, high)
    return found or (minimum, maximum)


def check(resource: Resource, settings: Settings) -> Verdict:
    minimum, maximum = bounds(resource, settings)
    reserved = reservation(resource)
    if reserved is None:
        return failed(
            f"Lambda function '{resource.name}' has no reserved concurrency, so a burst of calls can "
            f"scale it to the whole account pool; set reserved_concurrent_executions to {figure(minimum)}"
            f"-{figure(maximum)}"
        )
    if reserved == 0:
        return failed(
            f"Lambda function '{resource.name}' reserves 0 concurrency, which throttles every invocation; "
            "exempt it with a reason if it is disabled on purpose"
        )
    if reserved < minimum or reserved > maximum:
        return failed(
            f"Lambda function '{resource.name}' reserves {figure(reserved)} concurrent executions, outside "
            f"the allowed {figure(minimum)}-{figure(maximum)}"
        )
    return passed(f"Lambda function '{resource.name}' reserves {figure(reserved)} concurrent executions")


def remediate(resource: Resource, settings: Settings) -> dict[str, int] | None:
    """Reserve the configured default for an unreserved function, if that is within its bounds."""
    default = settings["remediationReservedConcurrency"]
    minimum, maximum = bounds(resource, settings)
    if reservation(resource) is not None or not minimum <= default <= maximum:
        return None
    return {"reservedConcurrentExecutions": default}


POLICY = Policy(
    id="lambda-reserved-concurrency",
    title="Lambda functions reserve concurrency",
    description="Lambda functions must set reserved concurrency within the configured bounds.",
    severity="high",
    enforcement="mandatory",
    resource_types=(LAMBDA_FUNCTION,),
    rationale=(
        "Without a reservation a function scales with its callers until the account pool is exhausted: a "
        "webhook sender firing once per changed record sent ~50 concurrent calls that mostly timed out at "
        "30 s; reservedConcurrency 1 turned them into 3-4 calls that all succeeded. Absent and -1 (what "
        "the provider fills in for 'unreserved') fail. 0 fails too: it throttles every call. At "
        "enforcement level remediate an unreserved function gets remediationReservedConcurrency (default 1: "
        "one call at a time, what the webhook needed) when that is within its bounds; a reservation the "
        "user set is never changed."
    ),
    remediation=(
        "Set `reserved_concurrent_executions` to the concurrency the function really needs:\n"
        "    aws.lambda_.Function('webhook', ..., reserved_concurrent_executions=1)"
    ),
    config={
        "minimum": {
            "type": "integer",
            "minimum": 1,
            "default": 1,
            "description": "Smallest reservation allowed.",
        },
        "maximum": {
            "type": ["integer", "null"],
            "minimum": 1,
            "default": None,
            "description": "Largest reservation allowed; null means accountConcurrencyLimit - 100.",
        },
        "accountConcurrencyLimit": ACCOUNT_CONCURRENCY,
        "remediationReservedConcurrency": {
            "type": "integer",
            "minimum": 1,
            "default": 1,
            "description": (
                "At enforcement level remediate: the reservation given to a function that has none (absent or "
                "-1); not applied when outside the function's bounds."
            ),
        },
        "overrides": {
            "type": "array",
            "default": [],
            "description": (
                'Per-function bounds, first match wins: [{"function": "<name pattern>", "minimum": 1, "maximum": 5}].'
            ),
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["function"],
                "properties": {
                    "function": NAME_PATTERN_SCHEMA,
                    "minimum": {"type": "integer", "minimum": 1},
                    "maximum": {"type": "integer", "minimum": 1},
                },
            },
        },
    },
    check=check,
    remediate=remediate,
    references=("Checkov CKV_AWS_115", "AWS Config lambda-concurrency-check"),
    tags=("lambda", "cost", "availability"),
)
