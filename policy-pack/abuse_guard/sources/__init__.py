"""Where resources and findings come from, besides the engine and the offline preview: files Pulumi wrote.

- `event_log.read_event_log`: what the CrossGuard engine decided during `pulumi preview --event-log FILE`,
  passes included (Pulumi's own output lists only violations);
- `state.read_deployment`: the resources of a deployed stack (`pulumi stack export` or a checkpoint);
- `kind_of`: which of the two a file is, by its first keys (`report --input FILE`).

pipeline.py turns what they read into a Run. Bad input raises one UserError naming the file, and the
line where there is one.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

import ijson  # type: ignore[import-untyped]

from ..errors import UserError
from ..files.bounded_json import MAX_DEPTH
from ..files.inputs import FilePath, Input, is_blank, opened
from .kinds import EVENT_KEYS, STATE_KEYS

JSON = ijson.get_backend("yajl2_c")
"""ijson's C parser. Only its basic events are used (no prefixes, which grow with the depth of every value),
always with `use_float` (without it ijson 3.6.0 crashes on an integer longer than Python converts)."""

OPENING, CLOSING = frozenset({"start_map", "start_array"}), frozenset({"end_map", "end_array"})


def kind_of(source: FilePath) -> Literal["state", "event-log"]:
    """A state file or an event log, by the top-level keys of the input's first JSON value.

    A state file has 'deployment' or 'checkpoint' (after 'version'), an event has 'sequence',
    'timestamp' or an event type. Only that far is parsed (and, for a stream, kept for the reader), so a
    large compact state file is not read twice. Anything else is an event log, whose reader says what
    is wrong with it. Raises UserError for an empty or blank input.
    """
    with opened(source) as handle:
        key = _first_top_level_key(handle, STATE_KEYS, EVENT_KEYS | {"sequence", "timestamp"})
    if key is _BLANK:
        raise UserError(f"{handle}: empty file: expected an engine event log or a Pulumi state file")
    return "state" if key in STATE_KEYS else "event-log"


_BLANK = "(blank)"


def _first_top_level_key(source: Input, *wanted: Collection[str]) -> str | None:
    """The first top-level key of the first JSON value that is in one of `wanted`; None if there is none
    (or the value is not JSON, or nests deeper than MAX_DEPTH); _BLANK for nothing but whitespace."""
    depth, seen = 0, False
    try:
        for event, value in JSON.basic_parse(source.reader(), use_float=True, multiple_values=True):
            seen = True
            if event == "map_key":
                if depth == 1 and any(value in keys for keys in wanted):
                    return str(value)
            elif event in OPENING:
                depth += 1
                if depth > MAX_DEPTH:
                    return None
            elif event in CLOSING:
                depth -= 1
                if depth == 0:
                    return None  # the first value ended without a wanted key
            elif depth == 0:
                return None  # the first value is a scalar
    except ijson.JSONError:  # yajl says "premature EOF" for an input of whitespace only
        return _BLANK if not seen and is_blank(source) else None
    return None if seen else _BLANK
