"""What a rule says about a resource: one of five explicit outcomes, with a sentence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

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
class Finding:
    """A verdict attached to a policy and a resource: the unit every output is made of."""

    policy: str
    urn: str
    type: str
    name: str
    outcome: Outcome
    message: str

    def to_dict(self) -> dict[str, str]:
        return {
            "policy": self.policy,
            "urn": self.urn,
            "type": self.type,
            "name": self.name,
            "outcome": self.outcome.value,
            "message": self.message,
        }


def verdict_of(check: Callable[[], Verdict], subject: str = "") -> Verdict:
    """Run one check: what it could not read is unknown, a malformed value is a fail.

    `subject` ("Function 'webhook'") names the resource in those two messages, which the check never saw.
    """
    prefix = f"{subject}: " if subject else ""
    try:
        return check()
    except Undetermined as error:
        return undetermined(f"{prefix}cannot be determined yet: {error}")
    except Malformed as error:
        return failed(f"{prefix}malformed input: {error}")


def unless(problems: list[str], ok: str) -> Verdict:
    """Fail with the problems found, or pass with `ok`."""
    return failed("; ".join(problems)) if problems else passed(ok)


def all_of(subject: str, *parts: Callable[[], Verdict]) -> Verdict:
    """Independent parts of one rule: a definite fail is never hidden by an unknown part.

    Any failing part fails the whole, then any unknown part makes it unknown, else it passes (a
    not-applicable part counts for nothing); the messages of the parts with the deciding outcome are
    joined behind `subject`. A part with nothing to add passes with "", and subject "" makes a group
    of parts that is itself one part of another all_of.
    """
    verdicts = [verdict_of(part) for part in parts]
    for outcome in (Outcome.FAIL, Outcome.UNKNOWN, Outcome.PASS):
        hits = [v for v in verdicts if v.outcome is outcome]
        if hits:
            return Verdict(outcome, _behind(subject, "; ".join(v.message for v in hits if v.message)))
    return not_applicable(_behind(subject, "nothing to check"))


def _behind(subject: str, message: str) -> str:
    return f"{subject}: {message}" if subject else message
