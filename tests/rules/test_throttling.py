from typing import Any

import pytest

from abuse_guard.aws.throttles import STAGE_KEYS, USAGE_PLAN_KEYS, Maxima, read, violations
from abuse_guard.resources import UNKNOWN
from abuse_guard.values import Malformed, Undetermined

# (rate, burst) as the cost model and the rules see them: None is "no limit at this level".
READS: dict[str, tuple[dict[str, Any], tuple[float | None, float | None]]] = {
    "both_set": ({"throttlingRateLimit": 0.5, "throttlingBurstLimit": 3.0}, (0.5, 3.0)),
    "minus_one_is_off": ({"throttlingRateLimit": -1.0, "throttlingBurstLimit": -1.0}, (None, None)),
    "absent_is_off": ({}, (None, None)),
    "zero_stays_zero": ({"throttlingRateLimit": 0.0, "throttlingBurstLimit": 0.0}, (0.0, 0.0)),
}


@pytest.mark.parametrize(("settings", "expected"), READS.values(), ids=list(READS))
def test_read(settings: dict[str, Any], expected: tuple[float | None, float | None]) -> None:
    throttle = read({"settings": settings}, STAGE_KEYS, "settings")
    assert (throttle.rate, throttle.burst) == expected


@pytest.mark.parametrize(
    ("props", "error"),
    [
        ({"rateLimit": -2.0}, Malformed),
        ({"burstLimit": 2.5}, Malformed),
        ({"rateLimit": UNKNOWN}, Undetermined),
    ],
    ids=["other_negative", "fractional_burst", "unknown"],
)
def test_unreadable_values_raise(props: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        read(props, USAGE_PLAN_KEYS)


VIOLATIONS: dict[str, tuple[tuple[float | None, float | None], Maxima | None, bool, int]] = {
    "within": ((10.0, 20.0), Maxima(10.0, 20.0), True, 0),
    "unset_required": ((None, None), Maxima(10.0, 20.0), True, 1),
    "unset_inherits": ((None, None), Maxima(10.0, 20.0), False, 0),
    "zero_even_when_inheriting": ((0.0, None), Maxima(10.0, 20.0), False, 1),
    "above_both_maxima": ((11.0, 21.0), Maxima(10.0, 20.0), True, 2),
    "no_maxima_only_asks_for_a_throttle": ((1e9, 1e9), None, True, 0),
}


@pytest.mark.parametrize(("values", "maxima", "required", "count"), VIOLATIONS.values(), ids=list(VIOLATIONS))
def test_violations(
    values: tuple[float | None, float | None], maxima: Maxima | None, required: bool, count: int
) -> None:
    rate, burst = values
    props = {k: v for k, v in (("rateLimit", rate), ("burstLimit", burst)) if v is not None}
    throttle = read(props, USAGE_PLAN_KEYS)
    found = violations(throttle, maxima) if required else violations(throttle, maxima, when_unset=None)
    assert len(found) == count


# A side not known at preview, read with partial=True: the other side is still judged (a count of problems),
# and only when nothing is wrong with it does the unknown side make the throttle unknown.
PARTIAL: dict[str, tuple[dict[str, Any], int | None]] = {
    "rate_unknown_burst_zero": ({"rateLimit": UNKNOWN, "burstLimit": 0.0}, 1),
    "rate_unknown_burst_above_maximum": ({"rateLimit": UNKNOWN, "burstLimit": 21.0}, 1),
    "burst_unknown_rate_off": ({"rateLimit": -1.0, "burstLimit": UNKNOWN}, 1),
    "rate_unknown_burst_within": ({"rateLimit": UNKNOWN, "burstLimit": 20.0}, None),
    "both_unknown": ({"rateLimit": UNKNOWN, "burstLimit": UNKNOWN}, None),
    "block_unknown": ({"throttleSettings": UNKNOWN}, None),
}


@pytest.mark.parametrize(("props", "count"), PARTIAL.values(), ids=list(PARTIAL))
def test_an_unknown_side_hides_nothing_wrong_with_the_other(props: dict[str, Any], count: int | None) -> None:
    path = "throttleSettings" if "throttleSettings" in props else ""
    throttle = read(props, USAGE_PLAN_KEYS, path, partial=True)
    if count is None:
        with pytest.raises(Undetermined):
            violations(throttle, Maxima(10.0, 20.0))
    else:
        assert len(violations(throttle, Maxima(10.0, 20.0))) == count
