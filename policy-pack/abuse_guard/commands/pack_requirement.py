"""The requirements.txt line that installs abuse-guard into a thin pack's venv (`abuse-guard init-pack`).

The Pulumi CLI runs `pip install -r requirements.txt` with the pack directory as pip's working directory, on
every machine that runs the pack (and on the Pulumi Cloud's, for a published pack). The line must therefore
name abuse-guard itself, from a place those machines reach, and nothing else: no pip option (`--index-url`,
`-r`, `-e`, `--hash`, which would put pip in require-hashes mode and fail the unhashed pulumi-policy line), no
other package, no hidden character.

abuse-guard is not on the public PyPI: a bare `abuse-guard==VERSION` installs whatever package of that name the
first index pip asks on the pack's machine has, and anyone can publish the name there (dependency confusion). So
init-pack never writes a bare name by default, accepts one from the user only pinned to this version, and warns.

Two sources:
- `from_installation()`, the default: where this installation came from, read from its PEP 610
  `direct_url.json` (https://packaging.python.org/en/latest/specifications/direct-url-data-structure/): a
  wheel or sdist file or URL -> `abuse-guard @ URL#sha256=HASH` (the hash pip recorded, when it did); a VCS
  checkout -> `abuse-guard @ git+URL@COMMIT`; a local directory or editable install -> refused (a path to a
  working copy is this machine's); no direct_url.json (installed from an index) -> refused (see above).
- `from_option(SPEC, pack)`, `--requirement SPEC`: a PEP 508 requirement naming abuse-guard (a bare name only
  as `==` this version), a URL (written `abuse-guard @ URL`), or a local path to a wheel, an sdist or a source
  directory: an absolute one is written as a `file:` URL, a relative one (read from the current directory,
  which must hold it) relative to the pack directory, where pip resolves it.

Both are checked the same way. A URL must be one pip fetches and that names abuse-guard's code for good: no
credentials (the line is committed and published), a VCS URL with its revision (`@REV`; a REV that is not a
commit id is warned about: a tag or a branch can move), an http(s) URL of an abuse-guard wheel or sdist file,
a `file:` URL of an existing abuse-guard wheel, sdist or source directory. No `${VAR}` anywhere: pip expands
it from the environment of the machine running the pack.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import SplitResult, unquote, urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

from .. import __version__
from ..errors import UserError
from ..pack import PACK_NAME
from ..wording import printable

WHEEL_SUFFIX = ".whl"
SDIST_SUFFIXES = (".tar.gz", ".zip")
"""The sdist archives pip and packaging name by the standard (PEP 625)."""

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
"""A URL's scheme and `//`: https://, file://, git+https://, git+ssh://."""

_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Unicode categories no requirement holds: controls, format characters (bidirectional overrides and marks,
zero-width characters), lone surrogates, line and paragraph separators."""

_VCS = frozenset({"git", "hg", "svn", "bzr"})
"""The version control systems pip installs from: `<vcs>+<scheme>://...@<rev>`."""

_COMMIT = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")
"""A git (SHA-1 or SHA-256) or Mercurial commit id: the one revision a tag or a branch cannot move."""

_HASHES = ("sha256", "sha384", "sha512")
"""The hashes of PEP 610's archive_info that init-pack keeps as pip's `#<name>=<hex>` URL fragment, best first."""

EXAMPLES = (
    f"e.g. '{PACK_NAME} @ git+https://HOST/abuse-guard.git@COMMIT', "
    f"'{PACK_NAME} @ https://HOST/abuse_guard-{__version__}-py3-none-any.whl#sha256=HASH', a wheel's path"
)

BY_NAME_WARNING = (
    "warning: requirements.txt names abuse-guard by name alone, which pip installs from whatever index the pack's "
    "machine uses; abuse-guard is not on the public PyPI, so whoever publishes that name there runs code in the "
    "pack's venv (dependency confusion): let pip ask your own index alone (PIP_INDEX_URL, never "
    "PIP_EXTRA_INDEX_URL), or name a git URL with a commit or a wheel URL with #sha256="
)


@dataclass(frozen=True)
class PackRequirement:
    line: str
    """The requirements.txt line."""
    machine_specific: bool = False
    """A `file:` URL: it installs on this machine only."""
    warnings: tuple[str, ...] = ()
    """One line each, `warning: ...`, for init-pack to print: what the line leaves open."""


def from_installation() -> PackRequirement:
    """Where this installation of abuse-guard came from, as a requirements.txt line (see the module's docstring)."""
    try:
        distribution = metadata.distribution(PACK_NAME)
    except metadata.PackageNotFoundError:
        raise UserError(
            f"abuse-guard runs here from a copy of its source, not an installed package, so init-pack cannot tell "
            f"where to install it from: pass --requirement SPEC ({EXAMPLES})"
        ) from None
    if distribution.version != __version__:
        raise UserError(
            f"the abuse_guard module here is {__version__} but the installed abuse-guard package is "
            f"{distribution.version}: pass --requirement SPEC naming the one the pack should install ({EXAMPLES})"
        )
    text = distribution.read_text("direct_url.json")
    if text is None:
        raise UserError(
            "abuse-guard is installed from a package index (it has no direct_url.json) and is not on the public "
            "PyPI: a bare name in the pack would install whatever package of that name the index of the pack's "
            "machine has (dependency confusion), so init-pack writes none by default. Pass --requirement SPEC "
            f"naming a pinned URL ({EXAMPLES}) or, if your own index serves abuse-guard to every machine that runs "
            f"the pack, --requirement {PACK_NAME}=={__version__}"
        )
    url = _direct_url(text)
    return _checked(url, f"where abuse-guard was installed from, '{_visible(url)}' (its direct_url.json)", Path())


def _direct_url(text: str) -> str:
    """The URL pip can install this distribution from again, from its PEP 610 direct_url.json: an archive's with
    the hash pip recorded, which pip checks again."""
    try:
        origin = json.loads(text)
        url = origin["url"]
        if not isinstance(url, str):
            raise TypeError("url is not a string")
        fragments = []
        if "vcs_info" in origin:
            vcs = origin["vcs_info"]
            url = f"{vcs['vcs']}+{url}@{vcs['commit_id']}"
        elif "archive_info" in origin:
            fragments += _archive_hash(origin["archive_info"])
        else:  # dir_info: a local directory, editable or not
            raise UserError(
                f"abuse-guard is installed from the directory {unquote(urlsplit(url).path)}; a path to a working copy "
                f"works on this machine only, so init-pack does not write it by default: pass --requirement SPEC "
                f"({EXAMPLES}; a relative path to a checkout inside your repository works too)"
            )
        subdirectory = origin.get("subdirectory")
    except (ValueError, KeyError, TypeError) as error:
        raise UserError(
            f"abuse-guard's direct_url.json (PEP 610, where pip installed it from) cannot be read ({error}): "
            f"pass --requirement SPEC ({EXAMPLES})"
        ) from None
    if isinstance(subdirectory, str) and subdirectory:
        fragments.append(f"subdirectory={subdirectory}")
    return f"{url}#{'&'.join(fragments)}" if fragments else url


def _archive_hash(archive_info: object) -> list[str]:
    """`[name=hex]`: the best of archive_info's `hashes` (name -> hex) or its legacy `hash` ("name=hex") pip
    checks in a URL fragment; none when it recorded none of _HASHES. ValueError for a hash that is not hex."""
    if not isinstance(archive_info, dict):
        raise TypeError("archive_info is not an object")
    hashes = archive_info.get("hashes")
    legacy = archive_info.get("hash")
    if hashes is None and isinstance(legacy, str):
        algorithm, _, digest = legacy.partition("=")
        hashes = {algorithm: digest}
    if not isinstance(hashes, dict):
        return []
    for name in _HASHES:
        value = hashes.get(name)
        if value is not None:
            if not isinstance(value, str) or not re.fullmatch(r"[0-9a-fA-F]+", value):
                raise ValueError(f"its {name} hash {value!r} is not hexadecimal")
            return [f"{name}={value}"]
    return []


def from_option(spec: str, pack: Path) -> PackRequirement:
    """`--requirement SPEC` checked, as the requirements.txt line of the pack directory `pack`.

    Raises UserError (one line, the value with visible escapes) for anything else than abuse-guard: an empty or
    comment line, a hidden character, a pip option, an environment variable, another package, a bare name not
    pinned to this version, a URL with credentials or without what pins it, a path that is not there.
    """
    return _checked(spec, f"--requirement '{_visible(spec)}'", pack)


def _checked(spec: str, shown: str, pack: Path) -> PackRequirement:
    text = spec.strip()
    if not text:
        raise UserError(f"{shown}: empty; expected what installs abuse-guard ({EXAMPLES})")
    hidden = next((c for c in text if unicodedata.category(c) in _HIDDEN_CATEGORIES), None)
    if hidden is not None:
        name = unicodedata.name(hidden, "a control character")
        raise UserError(
            f"{shown}: holds U+{ord(hidden):04X} ({name}), a control or invisible formatting character; "
            "type the requirement again"
        )
    if text.startswith("#"):
        raise UserError(f"{shown}: a comment installs nothing; expected what installs abuse-guard ({EXAMPLES})")
    if any(token.startswith("-") for token in text.split()):
        raise UserError(
            f"{shown}: pip options (--index-url, -r, -e, --hash, ...) are not accepted: the pack's requirements.txt "
            f"names abuse-guard alone ({EXAMPLES}); give pip its index with PIP_INDEX_URL or pip.conf"
        )
    if "${" in text:
        raise UserError(
            f"{shown}: pip replaces ${{NAME}} with the environment variable of the machine running the pack, so the "
            "line would install what that machine's environment says; write the value (no credentials: the line is "
            "committed and published)"
        )
    if _URL.match(text):
        return _named(f"{PACK_NAME} @ {text}", shown)
    if _looks_like_path(text):
        return _local(text, pack, shown)
    return _named(text, shown)


def _named(text: str, shown: str) -> PackRequirement:
    """A PEP 508 requirement of abuse-guard: a URL, or this version exactly (`==`), warned about."""
    try:
        requirement = Requirement(text)
    except InvalidRequirement as error:
        reason = str(error).splitlines()[0]
        raise UserError(f"{shown}: not a requirement pip reads ({reason}); expected {EXAMPLES}") from None
    if canonicalize_name(requirement.name) != PACK_NAME:
        raise UserError(
            f"{shown}: names {requirement.name}, not abuse-guard: the pack's requirements.txt installs abuse-guard "
            "(and the pulumi-policy release init-pack names itself)"
        )
    if requirement.marker is not None:
        raise UserError(f"{shown}: an environment marker could leave abuse-guard out; the pack needs it everywhere")
    if requirement.url is not None:
        return _url(requirement, shown)
    specifiers = list(requirement.specifier)
    if any(specifier.operator == "===" for specifier in specifiers):
        raise UserError(f"{shown}: === compares text, not versions; use =={__version__}")
    if not requirement.specifier.contains(__version__, prereleases=True):
        raise UserError(
            f"{shown}: leaves out this version, {__version__}, whose PulumiPolicy.yaml init-pack writes (the pack "
            "refuses to start on another): run the init-pack of the version you mean to install"
        )
    pinned = (
        len(specifiers) == 1
        and specifiers[0].operator == "=="
        and not specifiers[0].version.endswith("*")
        and Version(specifiers[0].version) == Version(__version__)
    )
    if not pinned:
        raise UserError(
            f"{shown}: a name without a URL is installed from whatever index the pack's machine uses, and "
            f"{'a range' if specifiers else 'no version'} lets it pick any release of that name someone published "
            f"(abuse-guard is not on the public PyPI: dependency confusion); name a pinned URL ({EXAMPLES}) or, if "
            f"your own index serves abuse-guard to every machine that runs the pack, {PACK_NAME}=={__version__}"
        )
    return PackRequirement(str(requirement), warnings=(BY_NAME_WARNING,))


def _url(requirement: Requirement, shown: str) -> PackRequirement:
    """`abuse-guard @ URL`: a URL pip fetches, without credentials, that pins abuse-guard's code: a VCS URL with a
    revision, an http(s) URL of an abuse-guard wheel or sdist, a `file:` URL of one (or of a checkout) that is
    there."""
    url = str(requirement.url)
    if not _URL.match(url):
        raise UserError(
            f"{shown}: `@` takes a URL (https://..., git+https://...@<commit>, file:///...); give a local path on its "
            "own, e.g. --requirement ./wheels/abuse_guard-<version>-py3-none-any.whl"
        )
    parts = urlsplit(url)
    vcs, _, scheme = parts.scheme.lower().rpartition("+")
    if (vcs and vcs not in _VCS) or scheme not in {"http", "https", "file", *(("ssh", "git") if vcs else ())}:
        raise UserError(
            f"{shown}: pip does not install from a {parts.scheme}:// URL; expected https://, file:// or a version "
            "control URL such as git+https://"
        )
    _check_no_credentials(parts, scheme, shown)
    warnings: tuple[str, ...] = ()
    if vcs:
        warnings = _vcs_revision(parts, shown)
    elif scheme == "file":
        if parts.netloc not in ("", "localhost"):
            raise UserError(
                f"{shown}: a file:// URL names a path on this machine (file:///PATH), not on {parts.netloc}"
            )
        _check_local(Path(unquote(parts.path)), shown)
    else:
        filename = unquote(parts.path.rsplit("/", 1)[-1])
        if not filename.endswith((WHEEL_SUFFIX, *SDIST_SUFFIXES)):
            raise UserError(
                f"{shown}: the URL does not end in a wheel or sdist file name "
                f"(abuse_guard-{__version__}-py3-none-any.whl, abuse_guard-{__version__}.tar.gz), so init-pack cannot "
                "tell it is abuse-guard; name the file, or a git repository as git+https://...@<commit>"
            )
        _check_archive(filename, shown)
    return PackRequirement(str(requirement), machine_specific=scheme == "file", warnings=warnings)


def _check_no_credentials(parts: SplitResult, scheme: str, shown: str) -> None:
    """UserError for a password or token in the URL (`user:pass@`, `token@`); an ssh user name (`git@`) is none."""
    if parts.password is not None or (parts.username is not None and scheme not in ("ssh", "git")):
        raise UserError(
            f"{shown}: the URL holds credentials (before the @ of its host), which requirements.txt would commit and "
            "`pulumi policy publish` upload; give pip them on the machines that run the pack (a .netrc, a "
            "credential helper, an ssh key) and leave them out of the URL"
        )


def _vcs_revision(parts: SplitResult, shown: str) -> tuple[str, ...]:
    """The warning for a VCS URL's revision (`...repo@REV`) a tag or a branch can move; UserError without one."""
    _, at, revision = parts.path.rpartition("@")
    if not at or not revision:
        raise UserError(
            f"{shown}: names no revision, so pip installs whatever the default branch holds when the pack is "
            "installed; pin it with @<commit> after the repository path (git+https://HOST/abuse-guard.git@COMMIT)"
        )
    if _COMMIT.fullmatch(revision):
        return ()
    return (
        f"warning: requirements.txt installs abuse-guard at revision '{revision}', a tag or a branch that can be "
        "moved to other code; name the commit (40 hex digits) to pin it",
    )


def _looks_like_path(text: str) -> bool:
    """A path as pip tells one from a name: it starts with `.` or `/`, holds a separator, or names an archive."""
    if "@" in text and not text.startswith((".", "/")):
        return False  # `name @ URL`
    return (
        text.startswith((".", "/", "~"))
        or "/" in text
        or os.sep in text
        or text.endswith((WHEEL_SUFFIX, *SDIST_SUFFIXES))
    )


def _local(text: str, pack: Path, shown: str) -> PackRequirement:
    """A wheel, sdist or source directory of abuse-guard on this machine: a `file:` URL when given absolute,
    otherwise its path relative to the pack directory."""
    path = Path(os.path.normpath(text))
    _check_local(path, shown)
    if path.is_absolute():
        return PackRequirement(f"{PACK_NAME} @ {path.as_uri()}", machine_specific=True)
    # pip reads the line in the pack directory: the path from there, through the real directories (a `..`
    # climbs out of where a symbolic link points, not back to where it was reached from)
    relative = os.path.relpath(os.path.join(os.path.realpath(path.parent), path.name), os.path.realpath(pack))
    relative = relative.replace(os.sep, "/")
    return PackRequirement(relative if relative == ".." or relative.startswith("../") else f"./{relative}")


def _check_local(path: Path, shown: str) -> None:
    """`path` is an abuse-guard wheel, sdist or source directory that is there; UserError otherwise."""
    try:
        is_directory = path.is_dir()
        exists = is_directory or path.is_file()
    except OSError as error:
        raise UserError(f"{shown}: cannot read: {error.strerror or error}") from None
    if not exists:
        raise UserError(f"{shown}: no such file or directory (a relative path is read from the current directory)")
    if is_directory:
        _check_source_directory(path, shown)
    else:
        _check_archive(path.name, shown)


def _check_archive(filename: str, shown: str) -> None:
    """A wheel or sdist file name that names abuse-guard; UserError otherwise."""
    try:
        if filename.endswith(WHEEL_SUFFIX):
            name: str = parse_wheel_filename(filename)[0]
        elif filename.endswith(SDIST_SUFFIXES):
            name = parse_sdist_filename(filename)[0]
        else:
            raise UserError(f"{shown}: not a wheel (.whl), an sdist (.tar.gz, .zip) or a source directory")
    except ValueError as error:  # InvalidWheelFilename, InvalidSdistFilename
        raise UserError(f"{shown}: {error}") from None
    if name != PACK_NAME:
        raise UserError(f"{shown}: a distribution of {name}, not of abuse-guard")


def _check_source_directory(path: Path, shown: str) -> None:
    """A directory whose pyproject.toml names the project abuse-guard; UserError otherwise."""
    try:
        with open(path / "pyproject.toml", "rb") as stream:
            name = tomllib.load(stream).get("project", {}).get("name")
    except (OSError, tomllib.TOMLDecodeError, AttributeError) as error:
        reason = error.strerror if isinstance(error, OSError) else error
        raise UserError(f"{shown}: not abuse-guard's source (its pyproject.toml: {reason})") from None
    if not isinstance(name, str) or canonicalize_name(name) != PACK_NAME:
        raise UserError(f"{shown}: not abuse-guard's source (its pyproject.toml names project {name!r})")


def _visible(value: str) -> str:
    """`value` with every character no requirement holds as a visible escape (wording.printable's where it has
    one: \\x1b, \\u202e)."""
    return "".join(
        (printable(c) if printable(c) != c else f"\\u{ord(c):04x}")
        if unicodedata.category(c) in _HIDDEN_CATEGORIES
        else c
        for c in value
    )
