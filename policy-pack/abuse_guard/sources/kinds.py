"""Telling the two input formats apart, so each reader can say "you gave me the other one"."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The event types of Pulumi's apitype.EngineEvent: each line of an event log holds exactly one.
EVENT_KEYS = frozenset(
    {
        "cancelEvent",
        "stdoutEvent",
        "diagnosticEvent",
        "preludeEvent",
        "summaryEvent",
        "resourcePreEvent",
        "resOutputsEvent",
        "resOpFailedEvent",
        "policyEvent",
        "policyRemediationEvent",
        "policyLoadEvent",
        "policyAnalyzeSummaryEvent",
        "policyRemediateSummaryEvent",
        "policyAnalyzeStackSummaryEvent",
        "startDebuggingEvent",
        "progressEvent",
        "errorEvent",
    }
)

STATE_KEYS = ("deployment", "checkpoint")
"""`pulumi stack export` holds a "deployment"; a local-backend checkpoint a "checkpoint"."""


def is_newer_engine_event(value: Any) -> bool:
    """An event of a type this reader does not know yet: numbered like every event, named *Event."""
    return isinstance(value, Mapping) and "sequence" in value and any(str(k).endswith("Event") for k in value)


def is_state_document(value: Any) -> bool:
    return isinstance(value, Mapping) and any(isinstance(value.get(key), Mapping) for key in STATE_KEYS)
