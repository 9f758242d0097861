"""What a rule says about a resource: one of five explicit outcomes, with a sentence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, cast

from .resources import Resource
from .values import Malformed, Undetermined


class Outcome(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"  # cannot be determined at preview
    NOT_APPLICABLE = "not-applicable"
    EXEMPT = "exempt"


@dataclass(frozen=True)
class Verdict:
    """A rule's answer for one resource, before exemptions are applied."""

    outcome: Outcome
    message: str


def passed(message: str) -> Verdict:
    return Verdict(Outcome.PASS, message)


def failed(message: str) -> Verdict:
    return Verdict(Outcome.FAIL, message)


def undetermined(message: str) -> Verdict:
    return Verdict(Outcome.UNKNOWN, message)


def not_applicable(message: str) -> Verdict:
    return Verdict(Outcome.NOT_APPLICABLE, message)


@dataclass(frozen=True)
class Component:
    """The component resource a resource belongs to (see `Graph.component_of`): what a user of the component
    changes to fix a finding on one of its children."""

    urn: str
    type: str
    """Type token, e.g. aws-apigateway:index:RestAPI."""
    name: str
    """Logical name."""

    @classmethod
    def of(cls, resource: Resource | None) -> Component | None:
        """The component `resource` is, as the program declared it (an aws-native resource, not its view)."""
        if resource is None:
            return None
        declared = resource.as_declared
        return cls(declared.urn, declared.type, declared.name)

    @property
    def label(self) -> str:
        """How reports name it: "aws-apigateway:index:RestAPI 'api'" (the whole type token, then the logical name)."""
        return f"{self.type} '{self.name}'"

    def to_dict(self) -> dict[str, str]:
        return {"urn": self.urn, "type": self.type, "name": self.name}


@dataclass(frozen=True)
class Finding:
    """A verdict attached to a policy and a resource: the unit every output is made of."""

    policy: str
    urn: str
    type: str
    name: str
    outcome: Outcome
    message: str
    component: Component | None = None
    """The component the resource belongs to; None for a resource directly under the stack, or where the
    source does not say (the engine's per-resource Analyze, an event log without the resource's step event)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, in the shape of the JSON report's findings: `component` only when there is one."""
        found: dict[str, Any] = {
            "policy": self.policy,
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "outcome": self.outcome.value,
            "message": self.message,
        }
        if self.component is not None:
            found["component"] = self.component.to_dict()
        return found


def verdict_of(check: Callable[[], Verdict], subject: str = "") -> Verdict:
    """Run one check: what it could not read is unknown, a malformed value is a fail.

    `subject` ("Function 'webhook'") names the resource in those two messages, which the check never saw.
    """
    try:
        return check()
    except Undetermined as error:
        error.__traceback__ = None  # a rule that re-raises a kept error holds it in a frame of this traceback
        return undetermined(f"{_prefix(subject)}cannot be determined yet: {error}")
    except Malformed as error:
        error.__traceback__ = None
        return failed(f"{_prefix(subject)}malformed input: {error}")


def _prefix(subject: str) -> str:
    return f"{subject}: " if subject else ""


def verdict_if_any(check: Callable[[], Verdict | None], subject: str = "") -> Verdict | None:
    """`verdict_of` for a check that may find nothing to judge: None then, else its verdict (`verdict_of` returns
    what the check returns)."""
    return verdict_of(cast("Callable[[], Verdict]", check), subject)


def unless(problems: list[str], ok: str) -> Verdict:
    """Fail with the problems found, or pass with `ok`."""
    return failed("; ".join(problems)) if problems else passed(ok)


MAX_PARTS_SHOWN = 20
"""A message names at most this many parts with the deciding outcome (an API body can hold thousands)."""


def all_of(subject: str, *parts: Callable[[], Verdict]) -> Verdict:
    """Independent parts of one rule: a definite fail is never hidden by an unknown part.

    Any failing part fails the whole, then any unknown part makes it unknown, else it passes (a
    not-applicable part counts for nothing); the messages of the parts with the deciding outcome are
    joined behind `subject`. A part with nothing to add passes with "", and subject "" makes a group
    of parts that is itself one part of another all_of.
    """
    verdicts = [verdict_of(part) for part in parts]
    for outcome in (Outcome.FAIL, Outcome.UNKNOWN, Outcome.PASS):
        hits = [v.message for v in verdicts if v.outcome is outcome and v.message]
        if hits or any(v.outcome is outcome for v in verdicts):
            shown = hits[:MAX_PARTS_SHOWN] + (
                [f"and {len(hits) - MAX_PARTS_SHOWN} more"] if len(hits) > MAX_PARTS_SHOWN else []
            )
            return Verdict(outcome, _behind(subject, "; ".join(shown)))
    return not_applicable(_behind(subject, "nothing to check"))


def _behind(subject: str, message: str) -> str:
    return f"{subject}: {message}" if subject else message
