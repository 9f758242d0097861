"""How figures and text are written for a person: money, counts, rates (the cost model's messages and every
report), and names and messages from user input made safe to print (`printable`) and to encode (`encodable`)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from enum import Enum
from typing import Any


def dollars(value: float) -> str:
    return f"${value:,.2f}"


def amount(value: float) -> str:
    """A count or rate for a message: 150,000 or 2.5."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def per_second(rate: float) -> str:
    return f"{amount(rate)} request/s" if rate == 1 else f"{amount(rate)} requests/s"


def requests(count: int) -> str:
    return "1 request" if count == 1 else f"{count:,} requests"


def keys_of(count: int) -> str:
    return "1 API key" if count == 1 else f"{count:,} API keys"


# C0 and C1 controls and DEL (ESC starts terminal escape sequences; CSI is also one byte, U+009B), the line
# and paragraph separators, the bidirectional overrides and isolates (text that reads differently than it
# is), and lone surrogates (a JSON "\ud800" escape decodes to one; it cannot be encoded to UTF-8).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""What a document must not carry raw: controls but newline and tab, bidirectional marks and overrides, lone
surrogates (newlines are kept: remediation snippets span lines, and documents escape them their own way)."""


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(match: re.Match[str]) -> str:
    character = match[0]
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(value: object) -> str:
    """`value` as text that shows the same on a terminal and in a document: one line, nothing hidden.

    Control characters (ESC, CR, newline, tab, C1 controls such as CSI), line separators,
    bidirectional overrides and lone surrogates become visible escapes (`\\x1b`, `\\n`, `\\u202e`), so
    a name or message read from a file or a program cannot move the cursor, clear the screen, set the
    window title, hide text or forge another line. Everything else is kept as it is.
    """
    return _UNPRINTABLE.sub(_escaped, str(value))


def encodable(text: str) -> str:
    """`text` with every lone surrogate replaced by U+FFFD, so it encodes to UTF-8 (files, pipes, terminals)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub("\ufffd", text)
    return text


def printable_data(value: Any) -> Any:
    """`value` (strings, dataclasses, tuples, lists, dicts) with control characters (but newline and tab),
    bidirectional marks and overrides and lone surrogates made visible escapes, as `printable` writes them:
    what a report shows of a run, so a name or message cannot reorder or hide text in a browser, a
    code-scanning view or a CI log. Enum members and other values are kept; an unchanged part is the same
    object."""
    if isinstance(value, Enum) or value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return _HIDDEN.sub(_escaped, value) if _HIDDEN.search(value) else value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            before = getattr(value, f.name)
            after = printable_data(before)
            if after is not before:
                changes[f.name] = after
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, (tuple, list)):
        items = [printable_data(v) for v in value]
        if all(a is b for a, b in zip(items, value, strict=True)):
            return value
        return type(value)(items)
    if isinstance(value, Mapping):
        pairs = [(printable_data(k), printable_data(v)) for k, v in value.items()]
        if all(k is k0 and v is v0 for (k, v), (k0, v0) in zip(pairs, value.items(), strict=True)):
            return value
        return dict(pairs)
    return value
