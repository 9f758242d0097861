"""Typed, total reads of engine props for the rules.

A read returns the value, or None when it is absent. It never guesses: an unknown (or secret) value
raises `Undetermined` and a value of the wrong shape raises `Malformed`; the evaluator turns those
into the unknown-at-preview and fail outcomes, so a rule cannot pass on what it could not read.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from .resources import SECRET, UNKNOWN


class Undetermined(Exception):
    """The value a rule needs is not known at preview (or is a secret the rule may not read)."""

    def __init__(self, label: str, why: str = "is not known until the resource is deployed") -> None:
        super().__init__(f"{label} {why}")
        self.label = label


class Malformed(Exception):
    """The value has the wrong shape (a string where a number belongs, a list for an object...)."""

    def __init__(self, label: str, expected: str, got: Any, shown: str | None = None) -> None:
        super().__init__(f"{label} must be {expected}, got {shown or describe(got)}")
        self.label = label


def describe(value: Any) -> str:
    """What kind of value it is, for a message: never a string's content.

    Under the engine, pulumi-policy hands the pack secret values already unwrapped, so the pack
    cannot tell a secret string from any other; a violation message travels to the CLI, the event
    log and the report, so it names the input and the kind of value, not the text.
    """
    if value is SECRET:
        return "a secret"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return figure(value)
    if isinstance(value, str):
        return "an empty string" if not value else "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def path_label(at: str, path: str) -> str:
    """How messages name an input: `at` (where it sits) joined to its dotted path."""
    return f"{at}.{path}" if at else path


def get(props: Any, path: str, at: str = "") -> Any:
    """The raw value at a dotted path, or None when any part is absent."""
    if type(props) is dict and "." not in path:  # the usual read, a top-level input, without the walk below
        value = props.get(path)
        if value is not UNKNOWN and value is not SECRET:
            return value
    current = props
    walked = at
    for key in path.split("."):
        if current is UNKNOWN:
            raise Undetermined(walked or "the resource's inputs")
        if current is SECRET:
            raise Undetermined(walked, "is a secret")
        if not isinstance(current, Mapping):
            raise Malformed(walked or "the resource's inputs", "an object", current)
        current = current.get(key)
        walked = path_label(walked, key)
        if current is None:
            return None
    if current is UNKNOWN:
        raise Undetermined(walked)
    if current is SECRET:
        raise Undetermined(walked, "is a secret")
    return current


def given(props: Any, path: str, at: str = "") -> Any:
    """The raw value at a dotted path, None when absent or blank text (a blank document is no document)."""
    value = get(props, path, at)
    return None if isinstance(value, str) and not value.strip() else value


def number(props: Any, path: str, at: str = "", integer: bool = False) -> float | None:
    """A number (the engine sends every number as a float); `integer` rejects fractions."""
    value = get(props, path, at)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Malformed(path_label(at, path), "a number", value)
    if not abs(value) < float("inf"):  # NaN and +/-infinity: no limit, price or size can be one
        raise Malformed(path_label(at, path), "a finite number", value)
    if integer and not float(value).is_integer():
        raise Malformed(path_label(at, path), "a whole number", value)
    return float(value)


def text(props: Any, path: str, at: str = "") -> str | None:
    value = get(props, path, at)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Malformed(path_label(at, path), "a string", value)
    return value


def filled(props: Any, path: str, at: str = "") -> str | None:
    """A string that names something: blank text counts as absent, because it scopes nothing."""
    value = text(props, path, at)
    return value if value is not None and value.strip() else None


def choice(props: Any, path: str, options: tuple[str, ...], at: str = "") -> str | None:
    """An enum string: a value outside `options` is Malformed, never guessed at."""
    value = text(props, path, at)
    if value is not None and value not in options:
        raise Malformed(path_label(at, path), "one of " + ", ".join(options), value)
    return value


def flag(props: Any, path: str, at: str = "") -> bool | None:
    value = get(props, path, at)
    if value is None:
        return None
    if not isinstance(value, bool):
        raise Malformed(path_label(at, path), "true or false", value)
    return value


def mapping(props: Any, path: str, at: str = "") -> Mapping[str, Any] | None:
    value = get(props, path, at)
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise Malformed(path_label(at, path), "an object", value)
    return value


def items(props: Any, path: str, at: str = "") -> list[tuple[str, Any]]:
    """The elements of a list as (label, element) pairs; absent is an empty list."""
    value = get(props, path, at)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Malformed(path_label(at, path), "a list", value)
    label = path_label(at, path)
    return [(f"{label}[{i}]", element) for i, element in enumerate(value)]


def figure(value: float) -> str:
    """A number as a person writes it: 5 not 5.0; 1e+308 rather than its 309 digits (an integer too large for
    a float: its order of magnitude, `~1e+361`)."""
    if isinstance(value, int) and not abs(value) < 1e15:
        magnitude = int(abs(value).bit_length() * math.log10(2))
        return f"{'-' if value < 0 else ''}~1e+{magnitude}"
    if not abs(value) < 1e15:
        return f"{float(value):g}"
    return str(int(value)) if float(value).is_integer() else str(value)


def literal(props: Any, key: str) -> Any:
    """A string input to match two resources on: the string, UNKNOWN when not known until deployment (or a
    secret), else None (absent or not a string)."""
    try:
        return text(props, key)
    except Undetermined:
        return UNKNOWN
    except Malformed:
        return None
