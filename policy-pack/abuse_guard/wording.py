"""How figures and text are written for a person: money, counts, rates (the cost model's messages and every
report), and names and messages from user input made safe to print (`printable`) and to encode (`encodable`)."""

from __future__ import annotations

import re


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
