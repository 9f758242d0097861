"""`abuse-guard init-pack DIR`: a thin policy pack directory for a user's repository.

The directory holds four files and no copy of the policies: PulumiPolicy.yaml (the pack's identity and
runtime, as policy-pack/'s), __main__.py (serves the installed package's policies through
`abuse_guard.pack.serve_pack`, as policy-pack/__main__.py does), requirements.txt (the abuse-guard package
to install, `abuse-guard==<this version>` unless `--requirement` names a git URL, a path or a wheel) and
.gitignore (what `pulumi policy publish` must leave out: it reads only the pack directory's .gitignore).
The Pulumi CLI creates the pack's venv/ from requirements.txt on first use:
`pulumi preview --policy-pack DIR`.

All or nothing: a new or empty DIR gets the four files at once (files.replace_directory); a non-empty one
is refused unless --force, which writes the four files over their namesakes (files.write_atomically) and
leaves everything else there (the pack's venv/, say) as it was.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import __version__
from ..errors import UserError
from ..files.atomic import replace_directory, write_atomically
from ..pack import AUTHOR, DESCRIPTION, LICENSE, PACK_NAME, PULUMI_POLICY_RELEASE, VIRTUALENV
from ..wording import printable

DEFAULT_REQUIREMENT = f"{PACK_NAME}=={__version__}"

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


def pack_files(requirement: str = DEFAULT_REQUIREMENT) -> dict[str, str]:
    """The thin pack's files: name -> text."""
    return {
        "PulumiPolicy.yaml": POLICY_PACK_YAML,
        "__main__.py": MAIN_PY,
        "requirements.txt": requirements(requirement),
        ".gitignore": GITIGNORE,
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = (
        "Then: pulumi preview --policy-pack DIR. The Pulumi CLI installs requirements.txt into DIR/venv on first use."
    )
    parser.add_argument("directory", metavar="DIR", help="the pack directory to write (created if missing)")
    parser.add_argument(
        "--requirement",
        metavar="SPEC",
        default=DEFAULT_REQUIREMENT,
        help=f"the requirements.txt line that installs abuse-guard (default {DEFAULT_REQUIREMENT}): a version, "
        "a git URL (abuse-guard @ git+https://...@TAG) or an absolute path to a wheel or a checkout",
    )
    parser.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty DIR, replacing files of the same names and keeping the others",
    )


def check_requirement(spec: str) -> str:
    """One requirements.txt line that installs something: not empty, not a comment, no line break."""
    text = spec.strip()
    if not text or text.startswith("#") or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise UserError(
            f"--requirement {spec!r}: expected one requirements.txt line naming abuse-guard "
            f"(e.g. {DEFAULT_REQUIREMENT}, a git URL or a wheel's path)"
        )
    return text


def run(args: argparse.Namespace) -> int:
    directory = Path(args.directory)
    files = pack_files(check_requirement(args.requirement))
    if directory.exists() and not directory.is_dir():
        raise UserError(f"{directory}: exists and is not a directory")
    held = _entries(directory)
    if held and not args.force:
        raise UserError(
            f"{directory}: not empty (holds {held[0]!r}); give a new or empty directory, or --force to write "
            f"{', '.join(files)} there and keep the rest"
        )
    if held:
        write_atomically({directory / name: text for name, text in files.items()})
    else:
        replace_directory(directory, files)
    print(printable(f"wrote {', '.join(files)} to {directory}; use it with: pulumi preview --policy-pack {directory}"))
    return 0


def _entries(directory: Path) -> list[str]:
    """The names `directory` holds, sorted; none when it does not exist."""
    if not directory.exists():
        return []
    try:
        return sorted(entry.name for entry in directory.iterdir())
    except OSError as error:
        raise UserError(f"{directory}: cannot read: {error.strerror or error}") from None
