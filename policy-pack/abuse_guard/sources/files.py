"""Reading input files so that every failure is one UserError naming the file (and the line)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike
from typing import BinaryIO

from ..errors import UserError

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
