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


def verdict_of(check: Callable[[], Verdict]) -> Verdict:
    """Run one check: what it could not read is unknown at preview, a malformed value is a fail."""
    try:
        return check()
    except Undetermined as error:
        return undetermined(f"cannot be determined at preview: {error}")
    except Malformed as error:
        return failed(f"malformed input: {error}")
