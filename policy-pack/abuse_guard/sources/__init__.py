"""The report's inputs: each reader turns a file Pulumi wrote into a `Run`.

- `read_event_log`: what the CrossGuard engine decided during `pulumi preview --event-log FILE`,
  passes included (Pulumi's own output lists only violations);
- `read_state`: our rules over a deployed stack (`pulumi stack export` or a checkpoint);
- `read_any`: either, told apart by the file's first line (`report --input FILE`).

Bad input raises one UserError naming the file, and the line where there is one.
"""

from __future__ import annotations

import json

from ..errors import UserError
from ..pack_config import PackConfig
from ..run import Run
from .event_log import read_event_log
from .files import FilePath, first_line
from .kinds import is_state_document
from .state import read_state

__all__ = ["read_any", "read_event_log", "read_state"]


def read_any(path: FilePath, pack_config: PackConfig | None = None) -> Run:
    """An event log (one JSON event per line) or a state file (one JSON document), by its first line.

    Every Pulumi command that writes state pretty-prints it, so its first line is a lone "{"; a
    compact state file is known by its 'deployment' or 'checkpoint' key. Anything else is read as
    an event log, whose reader says what is wrong with it. `pack_config` applies to state files:
    an event log records the config the engine ran with.
    """
    line = first_line(path)
    if not line:
        raise UserError(f"{path}: empty file: expected an engine event log or a Pulumi state file")
    if line == "{" or is_state_document(_parsed(line)):
        return read_state(path, pack_config)
    return read_event_log(path)


def _parsed(line: str) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None
