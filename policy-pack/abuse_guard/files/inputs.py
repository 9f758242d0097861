"""Inputs: every failure to read one is one UserError naming the file (and the line).

An input is a regular file, a pipe (a FIFO, `/dev/stdin` when piped, `<(...)`) or standard input (`-`). A regular
file may be read more than once; a stream is read from its source exactly once, and what was read is kept in a
temporary file so a second reader (telling the two input formats apart, then reading; naming the line of a JSON
error) replays it. Devices, sockets and directories are refused (`/dev/zero` never ends), so are a terminal on
standard input (it waits for typing) and a named pipe nothing writes to within FIFO_WAIT_SECONDS. Reading
streams: a file is never held whole, and the limits below bound what one line or one value may take.
"""

from __future__ import annotations

import os
import select
import stat
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from os import PathLike
from typing import IO

from ..errors import UserError

PathName = str | PathLike[str]

STDIN = "-"
"""The input name that means standard input."""
STDIN_NAME = "standard input"
"""How messages name standard input."""

MAX_LINE_BYTES = 16 * 2**20
"""Longest line of an event log (one engine event), and largest text file (a policy config), in bytes."""
CHUNK_BYTES = 64 * 1024
"""How much is read at a time."""
FIFO_WAIT_SECONDS = 10.0
"""How long a named pipe (a FIFO on disk) may keep its first byte: opening one that nothing writes to would
wait for ever. An anonymous pipe (`-` or /dev/stdin when piped, `<(...)`) waits as long as its writer takes."""


def _unreadable(path: object, error: OSError) -> UserError:
    if isinstance(error, FileNotFoundError):
        return UserError(f"{path}: no such file")
    if isinstance(error, IsADirectoryError):
        return UserError(f"{path}: is a directory, not a file")
    return UserError(f"{path}: cannot read: {error.strerror or error}")


class Reader:
    """Bytes of an input from its start, `read(size)` at a time (the file protocol ijson and the line reader use)."""

    def __init__(self, source: Input, keep: bool) -> None:
        self._source, self._keep, self.position = source, keep, 0

    def read(self, size: int = -1) -> bytes:
        size = CHUNK_BYTES if size is None or size < 0 else size
        if size == 0:  # ijson asks for 0 bytes to learn whether it reads bytes or text
            return b""
        data = self._source._read_at(self.position, size, self._keep)
        self.position += len(data)
        return data


class Input:
    """One input, opened once: `reader()` reads it from the start. Close it (`opened` does)."""

    def __init__(self, name: str, fd: int, *, stream: bool, owned: bool) -> None:
        self.name = name
        self._fd, self._stream, self._owned = fd, stream, owned
        self._spool: IO[bytes] | None = None
        self._kept = 0
        """Bytes of a stream kept in the spool, from its start."""
        self._read = 0
        """Bytes of a stream read from its source."""
        self._ended = False

    def __str__(self) -> str:
        return self.name

    def reader(self, keep: bool = True) -> Reader:
        """A reader from the first byte. With `keep=False` (the input's last reader) a stream's further bytes
        are not kept for another reader."""
        return Reader(self, keep)

    def _read_at(self, position: int, size: int, keep: bool) -> bytes:
        try:
            if not self._stream:
                return os.pread(self._fd, size, position)
            if position < self._kept:
                assert self._spool is not None
                return os.pread(self._spool.fileno(), min(size, self._kept - position), position)
            if position != self._read:  # what it needs next was read by a reader that did not keep it
                raise UserError(f"{self.name}: a stream can be read only once")
            data = b"" if self._ended else os.read(self._fd, size)
        except OSError as error:
            raise _unreadable(self.name, error) from None
        self._read += len(data)
        self._ended = not data
        if data and keep and self._kept == position:
            self._keep(data)
        return data

    def _keep(self, data: bytes) -> None:
        try:
            if self._spool is None:
                self._spool = tempfile.TemporaryFile(prefix="abuse-guard-input-")  # noqa: SIM115 - closed by close()
            os.pwrite(self._spool.fileno(), data, self._kept)
        except OSError as error:
            raise UserError(f"{self.name}: cannot keep what was read: {error.strerror or error}") from None
        self._kept += len(data)

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()
        if self._owned:
            os.close(self._fd)


def _open(path: PathName) -> Input:
    if os.fspath(path) == STDIN:
        return _standard_input()
    try:
        # O_NONBLOCK: opening a FIFO nobody writes to returns at once instead of waiting for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except OSError as error:
        raise _unreadable(path, error) from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISREG(mode):
            return Input(str(path), fd, stream=False, owned=True)
        if stat.S_ISFIFO(mode):
            if not _anonymous_pipe(path) and not select.select([fd], [], [], FIFO_WAIT_SECONDS)[0]:
                raise UserError(
                    f"{path}: a named pipe that nothing wrote to within {FIFO_WAIT_SECONDS:g} s: start its writer "
                    "first, or pipe the data into standard input with `-`"
                )
            os.set_blocking(fd, True)
            return Input(str(path), fd, stream=True, owned=True)
        raise UserError(f"{path}: is {_kind(mode)}, not a file" + ("" if stat.S_ISDIR(mode) else _PIPE_IT))
    except BaseException:
        os.close(fd)
        raise


def _anonymous_pipe(path: PathName) -> bool:
    """A pipe reached through /dev/fd or /proc (/dev/stdin, `<(...)`): Linux shows it as `pipe:[inode]`."""
    return os.path.basename(os.path.realpath(path)).startswith("pipe:[")


_PIPE_IT = ": give a file, or pipe the data into standard input with `-`"


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a socket" if stat.S_ISSOCK(mode) else "not a regular file"


def _standard_input() -> Input:
    try:
        fd = sys.stdin.fileno()
        mode = os.fstat(fd).st_mode
    except (AttributeError, ValueError, OSError):
        raise UserError(f"{STDIN_NAME}: closed: nothing to read") from None
    if os.isatty(fd):
        raise UserError(f"{STDIN_NAME}: is a terminal: pipe or redirect the file into it")
    if stat.S_ISDIR(mode):
        raise UserError(f"{STDIN_NAME}: is a directory, not a file")
    return Input(STDIN_NAME, fd, stream=True, owned=False)  # read on from where it is, even in a regular file


FilePath = PathName | Input
"""What the readers take: a path (`-` for standard input), or an input already opened (read it from there)."""


@contextmanager
def opened(source: FilePath) -> Iterator[Input]:
    """`source` opened for reading (and closed after), or as it is if it is already an Input."""
    if isinstance(source, Input):
        yield source
        return
    handle = _open(source)
    try:
        yield handle
    finally:
        handle.close()


def chunks(source: FilePath, size: int = CHUNK_BYTES) -> Iterator[bytes]:
    """The input's bytes, `size` at a time: the file is never held whole."""
    with opened(source) as handle:
        reader = handle.reader()
        while chunk := reader.read(size):
            yield chunk


def numbered_lines(source: FilePath, limit: int = MAX_LINE_BYTES) -> Iterator[tuple[int, str]]:
    """(line number, line with its newline) one at a time; a line longer than `limit` bytes is a UserError.

    The file is never held whole, and no more than `limit` bytes of one line are ever held.
    """
    with opened(source) as handle:
        reader = handle.reader(keep=False)
        number, held, size = 0, list[bytes](), 0
        while chunk := reader.read(CHUNK_BYTES):
            *complete, rest = chunk.split(b"\n")
            for piece in complete:
                number += 1
                if size + len(piece) > limit:
                    raise _too_long(handle, number, limit)
                if held:
                    held.append(piece)
                    piece, held, size = b"".join(held), [], 0
                yield number, _decoded(handle, number, piece) + "\n"
            if rest:
                held.append(rest)
                size += len(rest)
                if size > limit:
                    raise _too_long(handle, number + 1, limit)
        if held:
            yield number + 1, _decoded(handle, number + 1, b"".join(held))


def _too_long(source: Input, number: int, limit: int) -> UserError:
    return UserError(f"{source}: line {number}: longer than the limit of {limit:,} bytes")


def _decoded(source: Input, number: int, raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UserError(f"{source}: line {number}: not UTF-8 text") from None


def is_blank(source: FilePath) -> bool:
    """Nothing but whitespace (or nothing at all) in the input."""
    return not any(chunk.strip() for chunk in chunks(source))


def read_text(source: FilePath, limit: int = MAX_LINE_BYTES) -> str:
    """The whole input as text (newlines as "\\n"); larger than `limit` bytes or not UTF-8 is a UserError."""
    with opened(source) as handle:
        reader, held, size = handle.reader(keep=False), list[bytes](), 0
        while chunk := reader.read(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                raise UserError(f"{handle}: larger than the limit of {limit:,} bytes")
            held.append(chunk)
        try:
            text = b"".join(held).decode("utf-8")
        except UnicodeDecodeError:
            raise UserError(f"{handle}: not UTF-8 text") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")
