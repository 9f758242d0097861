"""Writing output all at once: a reader sees the previous files or the new ones, never a mix.

`write_atomically` puts single files in place by renaming a complete temporary copy over the old one;
`replace_directory` writes a whole set of files into a new directory beside the old one and then swaps the two,
so readers see the previous set or the new one, and a failure (a full disk, a bad path) leaves the previous set
as it was. Every failure is one UserError naming the file.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import shutil
import tempfile
from collections.abc import Mapping
from os import PathLike
from pathlib import Path, PurePosixPath

from ..errors import UserError
from ..wording import encodable


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


def replace_directory(directory: str | PathLike[str], files: Mapping[str, str]) -> None:
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
