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
from ..files import FilePath, binary, is_blank
from .kinds import EVENT_KEYS, STATE_KEYS


def kind_of(path: FilePath) -> Literal["state", "event-log"]:
    """A state file or an event log, by the top-level keys of the file's first JSON value.

    A state file has 'deployment' or 'checkpoint' (after 'version'), an event has 'sequence',
    'timestamp' or an event type. Only that far is parsed, so a large compact state file is not read
    twice. Anything else is an event log, whose reader says what is wrong with it.
    """
    if is_blank(path):
        raise UserError(f"{path}: empty file: expected an engine event log or a Pulumi state file")
    if _first_top_level_key(path, STATE_KEYS, EVENT_KEYS | {"sequence", "timestamp"}) in STATE_KEYS:
        return "state"
    return "event-log"


def _first_top_level_key(path: FilePath, *wanted: Collection[str]) -> str | None:
    """The first top-level key of the file's first JSON value that is in one of `wanted`, or None."""
    with binary(path) as file:
        try:
            for prefix, event, value in ijson.parse(file, multiple_values=True):
                if prefix != "":
                    continue
                if event == "map_key" and any(value in keys for keys in wanted):
                    return str(value)
                if event in ("end_map", "end_array", "string", "number", "boolean", "null"):
                    return None
        except ijson.JSONError:
            return None
    return None
