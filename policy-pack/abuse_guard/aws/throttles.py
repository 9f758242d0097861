"""A throttle is a token bucket: `rate` requests per second refill it, `burst` is how many fit at once.

Usage plans, REST method settings and HTTP/WebSocket stages all spell one this way, under two pairs
of key names. Every rule (and the cost model, which wants an endpoint's tightest rate) reads it here,
so "-1 means off" and "0 rejects everything" are decided once:

- absent or -1: no limit at this level (-1 is what the provider fills in for MethodSettings);
- 0: every request is rejected with 429, so it fails like an unset limit: a rule cannot tell a
  deliberately closed endpoint from a forgotten value (the provider fills in 0 for a usage plan
  throttle key left out, and sends 0 for one left out of an HTTP/WebSocket settings block);
- above 0: the limit; burst is a whole number of requests.

Rules judge the two sides apart: one not known until deployment never hides what is wrong with the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..findings import Verdict, failed, passed
from ..resources import Resource
from ..values import Malformed, Undetermined, figure, number, path_label, text
from .limits import ACCOUNT_BURST_LIMIT, ACCOUNT_RATE_LIMIT
from .names import safe_method_path

OFF = -1.0
STAGE_WIDE = "*/*"
"""The methodPath of a REST MethodSettings that applies to every method of its stage."""


@dataclass(frozen=True)
class Keys:
    """Where a resource type keeps the two numbers."""

    rate: str
    burst: str


USAGE_PLAN_KEYS = Keys(rate="rateLimit", burst="burstLimit")
STAGE_KEYS = Keys(rate="throttlingRateLimit", burst="throttlingBurstLimit")


@dataclass(frozen=True)
class Maxima:
    """The largest rate (requests/second) and burst (requests) a policy allows."""

    rate: float
    burst: float


def maxima(settings: Mapping[str, Any]) -> Maxima:
    """The maxima of a policy that configures them as maxRateLimit and maxBurstLimit."""
    return Maxima(rate=settings["maxRateLimit"], burst=settings["maxBurstLimit"])


@dataclass(frozen=True)
class Throttle:
    """One throttle as read: None means no limit at this level (absent or -1); 0 rejects everything."""

    rate: float | None
    burst: float | None
    rate_label: str
    burst_label: str
    unread: tuple[tuple[str, Undetermined], ...] = ()
    """(label, why) of each side not known at preview, from `read(..., partial=True)`; its value above is None."""

    def describe(self, unset: str = "unlimited") -> str:
        def side(value: float | None) -> str:
            return unset if value is None else figure(value)

        return f"{side(self.rate)} requests/s, burst {side(self.burst)}"


def _limit(props: Any, path: str, at: str, integer: bool) -> float | None:
    value = number(props, path, at, integer=integer)
    if value is None or value == OFF:
        return None
    if value < 0:
        raise Malformed(path_label(at, path), "-1 (off) or a number of at least 0", value)
    return value


def read(props: Any, keys: Keys, path: str = "", at: str = "", partial: bool = False) -> Throttle:
    """The throttle under `path` (e.g. "settings"; "" for `props` itself), labelled from `at` for messages.

    A side not known at preview raises Undetermined, unless `partial`: then it is listed in `unread`,
    so that `violations` still judges the other side (a rule fails a burst of 0 whatever the rate).
    """
    rate_path, burst_path = path_label(path, keys.rate), path_label(path, keys.burst)
    unread: list[tuple[str, Undetermined]] = []

    def side(side_path: str, integer: bool) -> float | None:
        try:
            return _limit(props, side_path, at, integer)
        except Undetermined as error:
            if not partial:
                raise
            unread.append((path_label(at, side_path), error))
            return None

    return Throttle(
        rate=side(rate_path, integer=False),
        burst=side(burst_path, integer=True),
        rate_label=path_label(at, rate_path),
        burst_label=path_label(at, burst_path),
        unread=tuple(unread),
    )


TURNED_OFF = "absent or -1 turns throttling off"
"""Why an unset value fails where nothing wider throttles the requests."""


def violations(
    throttle: Throttle, maxima: Maxima | None, when_unset: str | None = TURNED_OFF, account_above: bool = False
) -> list[str]:
    """What is wrong with `throttle`, each with its fix; [] when it is fine.

    `when_unset`: why an unset value is wrong here, or None when it inherits a wider throttle.
    `account_above`: only the account's throttle is above this one (a REST stage's `*/*`), so a side left unset
    while the other is set is said as what it leaves to the account (`half_set`).
    `maxima` None only asks that the throttle exists; its size is then another policy's question.
    Each side is judged on its own: when nothing is wrong with the sides that were read, a side that
    was not (see `read`) raises its Undetermined.
    """
    unread = {label for label, _ in throttle.unread}
    both = (
        (throttle.rate, throttle.rate_label, "the rate", maxima.rate if maxima else None),
        (throttle.burst, throttle.burst_label, "the burst", maxima.burst if maxima else None),
    )
    sides = [side for side in both if side[1] not in unread]
    found = []
    unset = [(label, f"{name} {_wanted(maximum)}") for value, label, name, maximum in sides if value is None]
    if account_above and when_unset is not None and len(unset) == 1 and len(sides) == 2:
        found.append(f"{half_set(throttle)}; set {unset[0][1]}")
    elif unset and when_unset is not None:
        labels = " and ".join(label for label, _ in unset)
        fixes = " and ".join(fix for _, fix in unset)
        found.append(f"{labels} {'is' if len(unset) == 1 else 'are'} not set ({when_unset}); set {fixes}")
    for value, label, name, maximum in sides:
        if value == 0:
            found.append(f"{label} is 0, which rejects every request; set {name} {_wanted(maximum)}")
        elif value is not None and maximum is not None and value > maximum:
            found.append(
                f"{label} {figure(value)} is above the maximum {figure(maximum)}; set {name} {_wanted(maximum)}"
            )
    if not found and throttle.unread:
        raise throttle.unread[0][1]
    return found


def half_set(throttle: Throttle) -> str:
    """What a stage-wide throttle with one side unset (absent or -1) still limits, and what it leaves to the account's
    throttle (ACCOUNT_RATE_LIMIT, ACCOUNT_BURST_LIMIT: API Gateway's defaults, shared by every API of the account in
    the Region). A token bucket's rate bounds the steady flow and its burst the requests let through at once."""
    if throttle.burst is None and throttle.rate is not None:
        return (
            f"{throttle.burst_label} is not set (absent or -1): the rate still caps the steady flow at "
            f"{figure(throttle.rate)} requests/s, but the stage sets no burst, so as many requests as the account's "
            f"burst lets through at once (AWS default {ACCOUNT_BURST_LIMIT:,.0f}, shared by every API of the "
            "account in the Region) reach the backend together"
        )
    return (
        f"{throttle.rate_label} is not set (absent or -1): with no steady rate the stage limits nothing whatever its "
        f"burst of {figure(throttle.burst or 0)}, so only the account's throttle does (AWS default "
        f"{ACCOUNT_RATE_LIMIT:,.0f} requests/s, shared by every API of the account in the Region)"
    )


def _wanted(maximum: float | None) -> str:
    return "above 0" if maximum is None else f"above 0 and at most {figure(maximum)}"


def check_method_settings(resource: Resource, bounds: Maxima | None) -> Verdict:
    """A REST stage's `*/*` settings must throttle; a single method's override may leave it to `*/*`.

    stage-throttling judges it against its maxima; rest-stage-protected passes `bounds` None, to ask
    whether the stage is throttled at all.
    A methodPath not known until deployment still fails a value that is wrong on every path (0, or
    above the maxima).
    """
    throttle = read(resource.props, STAGE_KEYS, "settings", partial=True)
    path_unknown: Undetermined | None = None
    try:
        path = text(resource.props, "methodPath")
    except Undetermined as error:
        path, path_unknown = None, error
    if path is None and path_unknown is None:
        return failed(
            f"MethodSettings '{resource.name}' has no methodPath; set method_path to '*/*' for the whole "
            "stage or '<resource path>/<HTTP method>' for one method"
        )
    stage_wide = path == STAGE_WIDE
    shown = safe_method_path(path) if path is not None else None
    where = "" if shown is None else f" ({'stage-wide ' if stage_wide else ''}{shown})"
    label = f"MethodSettings '{resource.name}'{where}"
    problems = violations(throttle, bounds, TURNED_OFF if stage_wide else None, account_above=stage_wide)
    if problems:
        return failed(f"{label}: " + "; ".join(problems))
    if path_unknown is not None:
        raise path_unknown
    if stage_wide:
        return passed(f"{label} throttles every method of its stage at {throttle.describe()}")
    if throttle.rate is None and throttle.burst is None:
        return passed(f"{label} sets no throttle of its own, so the stage-wide */* throttle applies")
    return passed(f"{label} overrides the stage-wide throttle with {throttle.describe('inherited')}")
