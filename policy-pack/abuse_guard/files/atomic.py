"""Writing output all at once: a reader sees the previous files or the new ones, never a mix.

`write_atomically` puts single files in place by renaming a complete temporary copy over the old one;
`write_into` puts a set of files into a directory in place, all or nothing (the directory itself, its mode,
owner and inode, is kept); `replace_directory` writes a whole set of files into a new directory beside the old
one and then swaps the two, so readers see the previous set or the new one, and a failure (a full disk, a bad
path) leaves the previous set as it was. Every failure is one UserError naming the file.

Modes are those any program's output gets: a file or directory that replaces one keeps its permission bits (and
its group where the caller may set it), a new one gets 0o666 (0o777 for a directory) less the umask.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import shutil
import stat
from collections.abc import Callable, Iterable, Mapping
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
            _stage(path, text, staged)
        for temporary, path in staged:
            target = path
            os.replace(temporary, path)
    except OSError as error:
        raise UserError(f"{target}: cannot write: {error.strerror or error}") from None
    finally:
        _remove(temporary for temporary, _ in staged)


def write_into(directory: Path, files: Mapping[str, str]) -> None:
    """`files` (names -> text) written into `directory` in place, all or nothing.

    `directory` and any missing parent are created; an existing one is kept as it is (its inode, mode, owner,
    ACL: a shell inside it stays there), and whatever else it holds is left alone. Every file is first written
    whole to a temporary name beside its own, then each is renamed over its name, a file it replaces kept
    meanwhile under another name (a hard link, or a copy). On any failure the files already renamed are put back
    as they were (a replaced file restored, a new one removed), the temporaries and the directories this call
    created are removed, and UserError names the file or directory that could not be written.
    """
    staged: list[tuple[str, Path]] = []
    kept: list[tuple[Path, str | None]] = []  # renamed into place: (path, its previous file's second name or None)
    created: list[Path] = []
    current = directory
    pending: str | None = None  # the second name of a file not replaced yet (a link to it: rename back is a no-op)
    try:
        for parent in reversed(_missing_parents(directory)):
            current = parent
            os.mkdir(parent)
            created.insert(0, parent)
        for name, text in files.items():
            current = directory / name
            _stage(current, text, staged)
        for temporary, path in staged:
            current = path
            pending = previous = _keep(path)
            os.replace(temporary, path)
            kept.append((path, previous))
            pending = None
    except OSError as error:
        _remove(temporary for temporary, _ in staged)
        _remove([pending] if pending else [])
        for path, previous in reversed(kept):  # a copy that cannot be put back stays, under its other name
            with contextlib.suppress(OSError):
                if previous is None:
                    os.unlink(path)
                else:
                    os.replace(previous, path)
        for parent in created:
            with contextlib.suppress(OSError):
                os.rmdir(parent)
        raise UserError(f"{current}: cannot write: {error.strerror or error}") from None
    _remove(previous for _, previous in kept if previous is not None)


def _stage(path: Path, text: str, staged: list[tuple[str, Path]]) -> None:
    """`text` written whole to a new temporary file beside `path`; (temporary, path) added to `staged` as soon as
    the temporary exists, so the caller removes it whatever happens next.

    The temporary gets the mode the file will have: the permission bits of the file it replaces (and its group
    where the caller may set it), or for a new file 0o666 less the umask, as open(2) gives any new file (created
    with that mode, so the kernel applies the umask: nothing reads or changes the process's umask)."""
    temporary = str(path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    staged.append((temporary, path))
    with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
        try:
            previous = os.stat(path)
        except FileNotFoundError:
            previous = None
        if previous is not None:
            _same_access(previous, lambda gid: os.fchown(handle, -1, gid), lambda mode: os.fchmod(handle, mode))
        stream.write(encodable(text))


def _same_access(
    previous: os.stat_result, change_group: Callable[[int], None], change_mode: Callable[[int], None]
) -> None:
    """The permission bits of `previous` (rwx for owner, group and others; for a directory also setgid and
    sticky), and its group when the caller may set it (a member of that group, or root): the owner stays the
    caller, as only root may give a file away. The group is set first: changing it may clear the setgid bit."""
    with contextlib.suppress(OSError):  # not a member of that group: the new one keeps the group it was given
        change_group(previous.st_gid)
    kept = stat.S_ISGID | stat.S_ISVTX if stat.S_ISDIR(previous.st_mode) else 0
    change_mode(stat.S_IMODE(previous.st_mode) & (0o777 | kept))


def _keep(path: Path) -> str | None:
    """A second name for the file at `path` (a hard link, or a copy where links are not allowed), so it can be put
    back; None when there is no file there."""
    if not os.path.lexists(path):
        return None
    previous = str(path.parent / f".{path.name}.{secrets.token_hex(4)}.old")
    try:
        os.link(path, previous, follow_symlinks=False)
    except OSError:
        try:
            shutil.copy2(path, previous, follow_symlinks=False)
        except OSError:
            _remove([previous])
            raise
    return previous


def _remove(paths: Iterable[str]) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def replace_directory(directory: str | PathLike[str], files: Mapping[str, str]) -> None:
    """Make `directory` hold exactly `files` (POSIX paths relative to it -> text), all at once.

    The set is written into a new directory beside `directory` (same parent, so the same filesystem),
    which is then swapped with the old one (Linux renameat2 RENAME_EXCHANGE, one atomic step; elsewhere
    two renames) and the old set removed. The new directory gets the old one's permission bits (and its
    group where the caller may set it); a new one, like the files in it, gets the umask's. On any failure
    the new directory and any parent this call created are removed and the previous set is left as it
    was; UserError names what could not be written. Whatever else `directory` held goes with the old set:
    check it before calling.
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
        if target.exists():
            previous = os.stat(target)
            _same_access(previous, lambda gid: os.chown(staging, -1, gid), lambda mode: os.chmod(staging, mode))
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
