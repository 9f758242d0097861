"""Which input values a message may repeat: only those of a strict structural form.

Under the engine pulumi-policy hands the pack secret values already unwrapped, and a violation message
travels to the CLI, the event log and every report; so a message names a value only when it has the
shape AWS gives that kind of name (an HTTP verb, a route key or resource path of safe characters, a
`$` route key, a MethodSettings path), and otherwise names the input that holds it.
Sources: Amazon API Gateway Developer Guide, "Set up a method" (HTTP verbs and ANY), "Working with
routes for HTTP APIs" (route keys, greedy path variables), "Working with routes for WebSocket APIs"
($connect, $disconnect, $default and action keys).
"""

from __future__ import annotations

import re

HTTP_VERBS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"})
_PATH = r"/(?:[A-Za-z0-9._~+-]|\{[A-Za-z0-9._-]+\+?\})*(?:/(?:[A-Za-z0-9._~+-]|\{[A-Za-z0-9._-]+\+?\})*)*"
_ROUTE_KEY = re.compile(rf"(?:{'|'.join(sorted(HTTP_VERBS))}) {_PATH}")
_DOLLAR_KEY = re.compile(r"\$(?:connect|disconnect|default)")
_ACTION_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_.-]{0,63}")
_METHOD_PATH = re.compile(r"\*/\*|(?:[A-Za-z0-9._~+{}-]+/)*[A-Z]+|\*")
MAX_SHOWN = 128
"""Characters: a longer value is never repeated."""


def safe_verb(value: str) -> str | None:
    """The HTTP verb upper-cased when it is one API Gateway knows, else None."""
    verb = value.upper()
    return verb if verb in HTTP_VERBS else None


def safe_path(value: str) -> str | None:
    """A resource path such as `/items/{id}` of safe characters, else None."""
    return value if len(value) <= MAX_SHOWN and re.fullmatch(_PATH, value) else None


def safe_route_key(value: str) -> str | None:
    """`GET /items`, `$default`, `$connect` or a WebSocket action key such as `sendMessage`, else None."""
    if len(value) > MAX_SHOWN:
        return None
    for form in (_ROUTE_KEY, _DOLLAR_KEY, _ACTION_KEY):
        if form.fullmatch(value):
            return value
    return None


def safe_method_path(value: str) -> str | None:
    """A MethodSettings methodPath: `*/*` or `items/{id}/GET`, else None."""
    return value if len(value) <= MAX_SHOWN and _METHOD_PATH.fullmatch(value) else None
