"""Files in and out: every failure is one UserError naming the file (and the line).

Reading (`opened`): an input is a regular file, a pipe (a FIFO, `/dev/stdin` when piped, `<(...)`) or
standard input (`-`). A regular file may be read more than once; a stream is read from its source
exactly once, and what was read is kept in a temporary file so a second reader (telling the two
input formats apart, then reading; naming the line of a JSON error) replays it. Devices, sockets and
directories are refused (`/dev/zero` never ends), so are a terminal on standard input (it waits for
typing) and a named pipe nothing writes to within FIFO_WAIT_SECONDS. Reading streams: a file is never
held whole, and the limits below bound what one line or one value may take.

Writing: `write_atomically` puts single files in place by renaming a complete temporary copy over the
old one; `replace_directory` writes a whole set of files into a new directory beside the old one and
then swaps the two, so readers see the previous set or the new one, never a mix, and a failure (a full
disk, a bad path) leaves the previous set as it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import re
import secrets
import select
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from itertools import accumulate
from os import PathLike
from pathlib import Path, PurePosixPath
from typing import IO, Any

from .errors import UserError
from .wording import encodable

PathName = str | PathLike[str]

STDIN = "-"
"""The input name that means standard input."""
STDIN_NAME = "standard input"
"""How messages name standard input."""

MAX_DEPTH = 128
"""Deepest nesting of objects and arrays accepted in any JSON input: an event-log line, a state file, a
policy config (Pulumi's own files nest a few dozen levels at most; serde_json's default limit is 128)."""
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


# JSON text (an event-log line, a config file) with the limits: json.loads reads a value whole, which a
# line's limit bounds; nesting and numbers are checked here.
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


def write_atomically(files: Mapping[Path, str]) -> None:
    """Each file written whole to a temporary name in its directory, then renamed over the old one."""
    staged: list[tuple[str, Path]] = []
    target: Path | None = None
    try:
        for path, text in files.items():
            target = path
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            staged.append((temporary, path))
            with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(encodable(text))
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


def replace_directory(directory: PathName, files: Mapping[str, str]) -> None:
    """Make `directory` hold exactly `files` (POSIX paths relative to it -> text), all at once.

    The set is written into a new directory beside `directory` (same parent, so the same filesystem),
    which is then swapped with the old one (Linux renameat2 RENAME_EXCHANGE, one atomic step; elsewhere
    two renames) and the old set removed. On any failure the new directory and any parent this call
    created are removed and the previous set is left as it was; UserError names what could not be
    written. Whatever else `directory` held goes with the old set: check it before calling.
    """
    shown = Path(directory)
    target = Path(os.path.realpath(directory))
    if target.exists() and not target.is_dir():
        raise UserError(f"{shown}: exists and is not a directory")
    created = _missing_parents(target.parent)
    staging = target.parent / f".{target.name}.{secrets.token_hex(4)}.new"
    current = shown
    try:
        for directory_path in reversed(created):
            current = directory_path
            os.mkdir(directory_path)
        current = shown
        os.mkdir(staging)
        for relative, text in files.items():
            current = shown / relative
            path = staging / PurePosixPath(relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "x", encoding="utf-8", newline="\n") as stream:
                stream.write(encodable(text))
        current = shown
        _swap_in(staging, target)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        for directory_path in created:
            with contextlib.suppress(OSError):
                os.rmdir(directory_path)
        raise UserError(f"{current}: cannot write: {error.strerror or error}") from None
    shutil.rmtree(staging, ignore_errors=True)  # after the swap it holds the previous set


def _missing_parents(directory: Path) -> list[Path]:
    """`directory` and its ancestors that do not exist yet, deepest first."""
    missing: list[Path] = []
    while not directory.exists() and directory != directory.parent:
        missing.append(directory)
        directory = directory.parent
    return missing


def _swap_in(new: Path, target: Path) -> None:
    """`new` becomes `target`; the previous `target`, if any, ends up at `new`."""
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        return
    old = target.parent / f".{target.name}.{secrets.token_hex(4)}.old"
    os.rename(target, old)
    try:
        os.rename(new, target)
    except OSError:
        os.rename(old, target)
        raise
    os.rename(old, new)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


MAX_YAML_ALIASES = 1_000
"""Alias references (`*name`) one YAML document may hold: a few are convenient, thousands are a bomb
(each expands the anchored value again when the document is turned into plain data)."""


def load_yaml(text: str) -> Any:
    """A YAML (or JSON) document as plain data, with PyYAML's safe loader, at most MAX_YAML_ALIASES aliases
    and MAX_DEPTH levels deep. Raises yaml.YAMLError (with a problem_mark where PyYAML knows the place)."""
    import yaml

    class Bounded(yaml.SafeLoader):
        aliases = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            if self.check_event(yaml.AliasEvent):
                self.aliases += 1
                if self.aliases > MAX_YAML_ALIASES:
                    event = self.peek_event()
                    raise yaml.composer.ComposerError(
                        None, None, f"more than {MAX_YAML_ALIASES} aliases (a YAML alias bomb?)", event.start_mark
                    )
            return super().compose_node(parent, index)

    try:
        document = yaml.load(text, Loader=Bounded)  # a SafeLoader subclass: no arbitrary objects
    except RecursionError:
        raise yaml.YAMLError("nested too deep to read") from None
    if _expanded_size(document, {}) > MAX_YAML_VALUES:
        raise yaml.YAMLError(f"more than {MAX_YAML_VALUES:,} values once its aliases are expanded (a YAML alias bomb?)")
    return document


MAX_YAML_VALUES = 1_000_000
"""Values a YAML document may hold once every alias is expanded, as reading it into plain data (JSON) does."""


def _expanded_size(value: Any, sizes: dict[int, int]) -> int:
    """How many values `value` holds with shared (aliased) parts counted each time they appear; each shared
    part is measured once, so this is linear in the document, however large the expansion."""
    if not isinstance(value, (dict, list)):
        return 1
    known = sizes.get(id(value))
    if known is not None:
        return known
    sizes[id(value)] = MAX_YAML_VALUES + 1  # a part that holds itself expands without end
    parts = value.values() if isinstance(value, dict) else value
    total = 1
    for part in parts:
        total += _expanded_size(part, sizes)
        if total > MAX_YAML_VALUES:
            break
    sizes[id(value)] = total
    return total
