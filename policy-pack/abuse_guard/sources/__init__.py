"""The report's inputs: each reader turns a file Pulumi wrote into a `Run`.

- `read_event_log`: what the CrossGuard engine decided during `pulumi preview --event-log FILE`,
  passes included (Pulumi's own output lists only violations);
- `read_state`: our rules over a deployed stack (`pulumi stack export` or a checkpoint);
- `read_any`: either, told apart by the first keys of the file (`report --input FILE`).

Bad input raises one UserError naming the file, and the line where there is one.
"""

from __future__ import annotations

from collections.abc import Collection

import ijson  # type: ignore[import-untyped]

from ..errors import UserError
from ..files import FilePath, binary, is_blank
from ..pack_config import PackConfig
from ..run import Run
from .event_log import read_event_log
from .kinds import EVENT_KEYS, STATE_KEYS
from .state import read_state

__all__ = ["read_any", "read_event_log", "read_state"]


def read_any(path: FilePath, pack_config: PackConfig | None = None) -> Run:
    """An event log (one JSON event per line) or a state file (one JSON document), by its first keys.

    The top-level keys of the first JSON value say which: a state file has 'deployment' or
    'checkpoint' (after 'version'), an event has 'sequence', 'timestamp' or an event type. Only that
    far is parsed, so a large compact state file is not read twice. Anything else is read as an
    event log, whose reader says what is wrong with it. `pack_config` applies to state files: an
    event log records the config the engine ran with.
    """
    if is_blank(path):
        raise UserError(f"{path}: empty file: expected an engine event log or a Pulumi state file")
    if _first_top_level_key(path, STATE_KEYS, EVENT_KEYS | {"sequence", "timestamp"}) in STATE_KEYS:
        return read_state(path, pack_config)
    return read_event_log(path)


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
