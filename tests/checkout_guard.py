"""No test reads anything outside the checkout: an audit hook (PEP 578) sees every file this test process opens
or lists, and a path outside the allowed roots fails the test that touched it (or the session, when it happened
while collecting).

Allowed: the checkout itself (its .venv included), the interpreter's own installation (`sys.prefix`,
`sys.base_prefix`, `sys.exec_prefix`, and every `sys.path` entry outside the checkout's parent, for imports), the
temporary directory (tests write their scratch files there), and the operating system's own trees (/dev, /proc,
/sys, /etc, /usr, /lib, /lib64, /bin, /sbin, /var/lib, /run) that the standard library, gRPC and the dynamic loader
read. Everything else, in particular anything beside the checkout (`../shared`), is a finding.

Processes a test starts are outside the hook; `.ci/run` covers them by running the suite in a clone with nothing
beside it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[1]
SYSTEM_ROOTS = ("/dev", "/proc", "/sys", "/etc", "/usr", "/lib", "/lib64", "/bin", "/sbin", "/var/lib", "/run")
WATCHED_EVENTS = frozenset({"open", "os.listdir", "os.scandir", "glob.glob", "shutil.copyfile", "shutil.copytree"})


def allowed_roots(checkout: Path = CHECKOUT) -> tuple[str, ...]:
    """The directories a test may read under, as resolved absolute paths."""
    roots: list[str] = [str(checkout), tempfile.gettempdir(), *SYSTEM_ROOTS]
    roots += [sys.prefix, sys.base_prefix, sys.exec_prefix]
    # import paths (site-packages of the interpreter), never a directory that holds the checkout itself
    roots += [p for p in sys.path if p and not _under(str(checkout), os.path.realpath(p))]
    return tuple(dict.fromkeys(os.path.realpath(r) for r in roots))


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def outside(path: str, roots: Iterable[str]) -> bool:
    """Whether `path` (absolute or relative to the working directory) lies outside every root."""
    resolved = os.path.realpath(path)
    return not any(_under(resolved, root) for root in roots)


class Guard:
    """Collects the paths outside `roots` that this process opens or lists, once installed."""

    def __init__(self, roots: Iterable[str]) -> None:
        self.roots = tuple(roots)
        self.seen: list[str] = []
        self._local = threading.local()

    def hook(self, event: str, args: tuple[object, ...]) -> None:
        if event not in WATCHED_EVENTS or getattr(self._local, "busy", False) or not args:
            return
        target = args[0]
        if isinstance(target, bytes):
            target = os.fsdecode(target)
        if not isinstance(target, str | os.PathLike):
            return  # a file descriptor or None (the working directory, which is the checkout under pytest)
        self._local.busy = True  # realpath itself touches the file system; do not recurse into the hook
        try:
            path = os.fspath(target)
            if isinstance(path, str) and outside(path, self.roots):
                self.seen.append(f"{event} {os.path.realpath(path)}")
        finally:
            self._local.busy = False

    def take(self) -> list[str]:
        seen, self.seen = self.seen, []
        return seen
