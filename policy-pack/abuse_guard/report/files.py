"""Writing reports so a reader never sees half of one: stage every file, then rename each into place.

Each file is written in full to a temporary name in its own directory and moved over the old one
with os.replace (atomic on one filesystem). Staging all files before the first rename means a
failure while writing (a full disk, a bad path) leaves every existing report as it was.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

from ..errors import UserError


def write_atomically(files: Mapping[Path, str]) -> None:
    staged: list[tuple[str, Path]] = []
    target: Path | None = None
    try:
        for path, text in files.items():
            target = path
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((temporary, path))
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            os.chmod(temporary, 0o644)  # mkstemp creates 0600; a report is meant to be shared
        for temporary, path in staged:
            target = path
            os.replace(temporary, path)
    except OSError as error:
        raise UserError(f"{target}: cannot write report: {error.strerror or error}") from None
    finally:
        for temporary, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
