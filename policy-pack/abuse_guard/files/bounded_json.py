"""JSON text (an event-log line, a config file) read within limits: json.loads reads a value whole, which the
caller bounds (a line's or a file's size, files/inputs.py); nesting and numbers are checked here. MAX_DEPTH is
also the limit of the streamed state-file reader (sources/state.py).
"""

from __future__ import annotations

import json
import re
import sys
from itertools import accumulate
from typing import Any

from ..errors import UserError

MAX_DEPTH = 128
"""Deepest nesting of objects and arrays accepted in any JSON input: an event-log line, a state file, a
policy config (Pulumi's own files nest a few dozen levels at most; serde_json's default limit is 128)."""

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def nesting(text: str) -> int:
    """How deeply the objects and arrays of a valid JSON text nest (0 for a scalar)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def load_json(text: str, where: str) -> Any:
    """The JSON value in `text`, as json.loads reads it, within the limits.

    Raises json.JSONDecodeError for invalid JSON (for the caller to word), and UserError starting with
    `where` for nesting deeper than MAX_DEPTH or an integer longer than Python converts (4,300 digits).
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise _too_deep(where) from None
    except ValueError:  # int("9" * 4301): Python refuses to convert integers that long
        raise UserError(f"{where}: a number longer than {sys.get_int_max_str_digits():,} digits") from None
    if text.count("[") + text.count("{") > MAX_DEPTH and nesting(text) > MAX_DEPTH:
        raise _too_deep(where)
    return value


def _too_deep(where: str) -> UserError:
    return UserError(f"{where}: objects and arrays nested deeper than the limit of {MAX_DEPTH} levels")
