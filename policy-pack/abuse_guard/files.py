"""Files in and out: every failure is one UserError naming the file (and the line).

Reading streams (a file is never held whole unless a caller asks for its text). Writing stages every
file, then renames each into place: each is written in full to a temporary name in its own directory
and moved over the old one with os.replace (atomic on one filesystem). A failure while writing (a
full disk, a bad path) leaves every existing file as it was; every file is always whole, old or new.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from os import PathLike
from pathlib import Path
from typing import BinaryIO

from .errors import UserError

FilePath = str | PathLike[str]


def _unreadable(path: FilePath, error: OSError) -> UserError:
    if isinstance(error, FileNotFoundError):
        return UserError(f"{path}: no such file")
    if isinstance(error, IsADirectoryError):
        return UserError(f"{path}: is a directory, not a file")
    return UserError(f"{path}: cannot read: {error.strerror or error}")


def numbered_lines(path: FilePath) -> Iterator[tuple[int, str]]:
    """(line number, line with its newline) one at a time: the file is never held whole."""
    try:
        with open(path, "rb") as lines:
            for number, raw in enumerate(lines, 1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError:
                    raise UserError(f"{path}: line {number}: not UTF-8 text") from None
                yield number, line
    except OSError as error:
        raise _unreadable(path, error) from None


@contextmanager
def binary(path: FilePath) -> Iterator[BinaryIO]:
    """The file open for reading bytes; failing to open or read it is one UserError."""
    try:
        with open(path, "rb") as file:
            yield file
    except OSError as error:
        raise _unreadable(path, error) from None


def chunks(path: FilePath, size: int = 64 * 1024) -> Iterator[bytes]:
    """The file's bytes, `size` at a time: the file is never held whole."""
    with binary(path) as file:
        while chunk := file.read(size):
            yield chunk


def is_blank(path: FilePath) -> bool:
    """Nothing but whitespace (or nothing at all) in the file."""
    return not any(chunk.strip() for chunk in chunks(path))


def read_text(path: FilePath) -> str:
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except UnicodeDecodeError:
        raise UserError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise _unreadable(path, error) from None


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
        raise UserError(f"{target}: cannot write: {error.strerror or error}") from None
    finally:
        for temporary, _ in staged:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
