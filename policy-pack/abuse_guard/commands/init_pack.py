"""`abuse-guard init-pack DIR`: a thin policy pack directory for a user's repository.

The directory holds four files and no copy of the policies: PulumiPolicy.yaml (the pack's identity and
runtime, as policy-pack/'s), __main__.py (serves the installed package's policies through
`abuse_guard.pack.serve_pack`, as policy-pack/__main__.py does), requirements.txt (the abuse-guard package
to install: where this installation came from, or what `--requirement` names; pack_requirement.py) and
.gitignore (what `pulumi policy publish` must leave out: it reads only the pack directory's .gitignore).
The Pulumi CLI creates the pack's venv/ from requirements.txt on first use:
`pulumi preview --policy-pack DIR`.

Each file's first line is MARKER, so a later run can tell the files it wrote from the user's own: a new or
empty DIR gets the four files; a non-empty one is refused unless --force, which rewrites only files carrying
the marker (a file of the same name without it is an error, --force or not) and leaves everything else there
(the pack's venv/, say) as it was. A Pulumi project directory (Pulumi.yaml) is never a pack directory. The
files are written in place, all or nothing (files.atomic.write_into): DIR itself is never replaced.
"""

from __future__ import annotations

import argparse
import os
import stat
from pathlib import Path

from .. import __version__
from ..errors import UserError
from ..files.atomic import write_into
from ..offline.project import PROJECT_FILES
from ..pack import AUTHOR, DESCRIPTION, LICENSE, PACK_NAME, PULUMI_POLICY_RELEASE, VIRTUALENV
from ..wording import printable
from .pack_requirement import from_installation, from_option

MARKER = "# written by abuse-guard init-pack"
"""The first line of every file init-pack writes: `--force` rewrites a file only when it starts with this."""

HEADER = f"{MARKER}: `abuse-guard init-pack DIR --force` rewrites this file unless you delete this line\n"

POLICY_PACK_YAML = f"""\
description: {DESCRIPTION}
version: {__version__}
license: {LICENSE}
author: {AUTHOR}
runtime:
  name: python
  options:
    toolchain: pip
    virtualenv: {VIRTUALENV}
"""
"""PulumiPolicy.yaml: what the engine reads before it starts the pack (policy-pack/'s is the same; a test checks)."""

MAIN_PY = '''\
"""abuse-guard's policies, served from the abuse-guard package that requirements.txt installs into this pack's venv.

Written by `abuse-guard init-pack`; use it with `pulumi preview --policy-pack <this directory>`.
"""

from abuse_guard.pack import serve_pack

serve_pack()
'''

GITIGNORE = f"""\
# `pulumi policy publish` uploads this directory minus what this file names (it reads no other .gitignore):
# the pack's virtualenv, build and test leftovers stay out of the published pack.
{VIRTUALENV}/
.venv/
__pycache__/
*.py[cod]
*.egg-info/
build/
dist/
.pytest_cache/
.mypy_cache/
.ruff_cache/
.hypothesis/
"""
"""The pack directory's .gitignore (policy-pack/'s is the same; a test checks)."""


def requirements(requirement: str) -> str:
    """requirements.txt: the abuse-guard package and the pulumi-policy release its fast server is checked with."""
    return (
        "# The Pulumi CLI installs these into venv/ the first time it runs the pack.\n"
        f"{requirement}\n"
        "# the release abuse-guard's shared-request server is checked with (any other runs slower, never wrong)\n"
        f"pulumi-policy=={PULUMI_POLICY_RELEASE}\n"
    )


FILE_NAMES = ("PulumiPolicy.yaml", "__main__.py", "requirements.txt", ".gitignore")


def pack_files(requirement: str) -> dict[str, str]:
    """The thin pack's files (FILE_NAMES), each starting with HEADER: name -> text."""
    texts = (POLICY_PACK_YAML, MAIN_PY, requirements(requirement), GITIGNORE)
    return {name: HEADER + text for name, text in zip(FILE_NAMES, texts, strict=True)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "Then: pulumi preview --policy-pack DIR. The Pulumi CLI installs requirements.txt into DIR/venv on first use "
        "(only then: to upgrade, run init-pack DIR --force with the new abuse-guard and delete DIR/venv)."
    )
    parser.add_argument("directory", metavar="DIR", help="the pack directory to write (created if missing)")
    parser.add_argument(
        "--requirement",
        metavar="SPEC",
        help="what requirements.txt installs abuse-guard from (default: where this installation came from, when "
        f"pip recorded a URL or commit for it): a URL pinning it, such as '{PACK_NAME} @ "
        "git+https://HOST/abuse-guard.git@COMMIT' or a wheel's URL with #sha256=HASH, a path to a wheel, sdist or "
        "checkout (a relative path is read from the current directory and written relative to DIR, where pip reads "
        f"it), or {PACK_NAME}=={__version__} when your own index serves abuse-guard to every machine that runs the "
        "pack",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty DIR: rewrite the files an earlier init-pack wrote there, keep everything else",
    )


def run(args: argparse.Namespace) -> int:
    directory = Path(args.directory)
    held = _entries(directory)
    if held:
        _check_rewritable(directory, held, args.force)
    requirement = from_installation() if args.requirement is None else from_option(args.requirement, directory)
    files = pack_files(requirement.line)
    write_into(directory, files)
    print(printable(f"wrote {', '.join(files)} to {directory}; use it with: pulumi preview --policy-pack {directory}"))
    if requirement.machine_specific:
        print(
            printable(
                f"note: requirements.txt names {requirement.line}, a path on this machine only: for CI, other "
                "machines and `pulumi policy publish`, run again with --force and --requirement naming a git URL "
                "with a commit or a wheel's URL with #sha256=HASH"
            )
        )
    for warning in requirement.warnings:
        print(printable(warning))
    return 0


def _entries(directory: Path) -> list[str]:
    """The names `directory` holds, sorted; none when it does not exist. UserError when it is not a directory or
    cannot be read (a parent without search permission, say)."""
    try:
        mode = os.stat(directory).st_mode
    except FileNotFoundError:
        return []
    except OSError as error:
        raise UserError(f"{directory}: cannot look it up: {error.strerror or error}") from None
    if not stat.S_ISDIR(mode):
        raise UserError(f"{directory}: exists and is not a directory")
    try:
        return sorted(os.listdir(directory))
    except OSError as error:
        raise UserError(f"{directory}: cannot read: {error.strerror or error}") from None


def _check_rewritable(directory: Path, held: list[str], force: bool) -> None:
    """UserError unless the non-empty `directory` may take the pack's files: not a Pulumi project, --force given,
    and every file of the same name written by init-pack."""
    project = next((name for name in PROJECT_FILES if name in held), None)
    if project is not None:
        raise UserError(
            f"{directory}: holds {project}, so it is a Pulumi project, not a policy pack directory; give the pack a "
            f"directory of its own, e.g. {directory / 'policy'}"
        )
    if not force:
        raise UserError(
            f"{directory}: not empty (holds {held[0]!r}); give a new or empty directory for the pack (--force only "
            "rewrites the files an earlier init-pack wrote there)"
        )
    for name in FILE_NAMES:
        if name in held and not _written_by_init_pack(directory / name):
            raise UserError(
                f"{directory / name}: not written by init-pack (its first line is not {MARKER!r}), so it is not "
                "replaced, even with --force; move it away, or give the pack another directory"
            )


def _written_by_init_pack(path: Path) -> bool:
    """Whether `path` is a regular file whose first line is MARKER's."""
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return False
        with open(path, encoding="utf-8", errors="replace") as stream:
            return stream.readline(len(HEADER) + 1).startswith(MARKER)
    except OSError as error:
        raise UserError(f"{path}: cannot read: {error.strerror or error}") from None
