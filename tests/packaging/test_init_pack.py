"""`abuse-guard init-pack DIR`: the thin pack's files, where its requirement comes from, refusals, --force and
all-or-nothing writes in place."""

from __future__ import annotations

import ast
import errno
import json
import os
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from abuse_guard import __version__
from abuse_guard.cli import main
from abuse_guard.commands import init_pack

REPO = Path(__file__).resolve().parents[2]
PACK_FILES = [".gitignore", "PulumiPolicy.yaml", "__main__.py", "requirements.txt"]
WHEEL = f"abuse_guard-{__version__}-py3-none-any.whl"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def contents(directory: Path) -> dict[str, str]:
    """Every file under `directory` (relative POSIX path -> text)."""
    return {p.relative_to(directory).as_posix(): p.read_text() for p in sorted(directory.rglob("*")) if p.is_file()}


def requirement_lines(pack: Path) -> list[str]:
    return [line for line in (pack / "requirements.txt").read_text().splitlines() if not line.startswith("#")]


@pytest.fixture
def installed_from(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Makes abuse-guard look installed from somewhere: a dist-info first on sys.path, with the PEP 610
    direct_url.json given (none: installed from an index)."""

    def install(direct_url: dict[str, Any] | str | None, version: str = __version__) -> None:
        site = tmp_path_factory.mktemp("site-packages")
        dist_info = site / f"abuse_guard-{version}.dist-info"
        dist_info.mkdir(parents=True)
        (dist_info / "METADATA").write_text(f"Metadata-Version: 2.4\nName: abuse-guard\nVersion: {version}\n")
        if direct_url is not None:
            text = direct_url if isinstance(direct_url, str) else json.dumps(direct_url)
            (dist_info / "direct_url.json").write_text(text)
        monkeypatch.syspath_prepend(str(site))

    return install


GIT_ORIGIN = {"url": "https://git.example.com/abuse-guard.git", "vcs_info": {"vcs": "git", "commit_id": COMMIT}}
GIT_LINE = f"abuse-guard @ git+https://git.example.com/abuse-guard.git@{COMMIT}"


@pytest.fixture
def from_git(installed_from: Callable[..., None]) -> None:
    """abuse-guard installed from a git commit: the default requirement names it."""
    installed_from(GIT_ORIGIN)


# --- the files --------------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("from_git")
def test_writes_the_thin_pack_into_a_new_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "infra" / "policy"  # parents are created
    assert main(["init-pack", str(pack)]) == 0
    files = contents(pack)
    assert sorted(files) == PACK_FILES
    assert requirement_lines(pack) == [GIT_LINE, "pulumi-policy==1.21.0"]
    assert "from abuse_guard.pack import serve_pack\n\nserve_pack()\n" in files["__main__.py"]
    assert f"pulumi preview --policy-pack {pack}" in capsys.readouterr().out


@pytest.mark.usefixtures("from_git")
def test_every_file_starts_with_the_marker_line(tmp_path: Path) -> None:
    assert main(["init-pack", str(tmp_path)]) == 0
    assert {name: text.splitlines()[0] for name, text in contents(tmp_path).items()} == dict.fromkeys(
        PACK_FILES, init_pack.HEADER.rstrip("\n")
    )
    assert init_pack.HEADER.startswith(init_pack.MARKER)


@pytest.mark.usefixtures("from_git")
def test_the_thin_pack_is_the_repositorys_pack_but_for_where_the_package_comes_from(tmp_path: Path) -> None:
    """policy-pack/ and a thin pack: the same PulumiPolicy.yaml and .gitignore but the marker line, the same code
    in __main__.py."""
    assert main(["init-pack", str(tmp_path / "pack")]) == 0
    thin = contents(tmp_path / "pack")
    for name in ("PulumiPolicy.yaml", ".gitignore"):
        assert thin[name] == init_pack.HEADER + (REPO / "policy-pack" / name).read_text(), name
    assert _code(thin["__main__.py"]) == _code((REPO / "policy-pack" / "__main__.py").read_text())


def _code(source: str) -> list[str]:
    """A module's statements but its docstring."""
    body = ast.parse(source).body
    return [ast.dump(statement) for statement in body if ast.get_docstring(ast.Module([statement], [])) is None]


# --- the default requirement: where this installation came from -------------------------------------------------------

SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

ORIGINS = {
    "wheel_url_and_its_hash": (
        {"url": f"https://files.example.com/{WHEEL}", "archive_info": {"hashes": {"sha256": SHA256}}},
        f"abuse-guard @ https://files.example.com/{WHEEL}#sha256={SHA256}",
    ),
    "wheel_url_and_its_legacy_hash": (
        {"url": f"https://files.example.com/{WHEEL}", "archive_info": {"hash": f"sha256={SHA256}"}},
        f"abuse-guard @ https://files.example.com/{WHEEL}#sha256={SHA256}",
    ),
    "wheel_url_and_its_best_hash": (
        {"url": f"https://files.example.com/{WHEEL}", "archive_info": {"hashes": {"md5": "00", "sha512": "ab"}}},
        f"abuse-guard @ https://files.example.com/{WHEEL}#sha512=ab",
    ),
    "wheel_url_without_hash": (
        {"url": f"https://files.example.com/{WHEEL}", "archive_info": {}},
        f"abuse-guard @ https://files.example.com/{WHEEL}",
    ),
    "sdist_url_in_a_subdirectory": (
        {
            "url": f"https://files.example.com/abuse_guard-{__version__}.tar.gz",
            "archive_info": {"hashes": {"sha256": SHA256}},
            "subdirectory": "sub",
        },
        f"abuse-guard @ https://files.example.com/abuse_guard-{__version__}.tar.gz#sha256={SHA256}&subdirectory=sub",
    ),
    "git": (GIT_ORIGIN, GIT_LINE),
    "git_tag_pinned_to_its_commit": (
        {
            "url": "ssh://git@git.example.com/abuse-guard.git",
            "vcs_info": {"vcs": "git", "requested_revision": "v0.2.0", "commit_id": COMMIT},
        },
        f"abuse-guard @ git+ssh://git@git.example.com/abuse-guard.git@{COMMIT}",
    ),
    "git_subdirectory": (
        {
            "url": "https://git.example.com/mono.git",
            "vcs_info": {"vcs": "git", "commit_id": COMMIT},
            "subdirectory": "tools/abuse-guard",
        },
        f"abuse-guard @ git+https://git.example.com/mono.git@{COMMIT}#subdirectory=tools/abuse-guard",
    ),
}


@pytest.mark.parametrize(("direct_url", "line"), ORIGINS.values(), ids=list(ORIGINS))
def test_the_default_requirement_is_where_this_installation_came_from(
    tmp_path: Path,
    installed_from: Callable[..., None],
    direct_url: dict[str, Any] | None,
    line: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    installed_from(direct_url)
    assert main(["init-pack", str(tmp_path / "pack")]) == 0
    assert requirement_lines(tmp_path / "pack") == [line, "pulumi-policy==1.21.0"]
    assert capsys.readouterr().out.count("\n") == 1  # the files written: no note, no warning


def test_a_wheel_file_is_named_by_its_url_and_said_to_be_this_machines(
    tmp_path: Path, installed_from: Callable[..., None], capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / WHEEL).write_bytes(b"")
    installed_from({"url": (tmp_path / WHEEL).as_uri(), "archive_info": {"hashes": {"sha256": SHA256}}})
    assert main(["init-pack", str(tmp_path / "pack")]) == 0
    line = f"abuse-guard @ {(tmp_path / WHEEL).as_uri()}#sha256={SHA256}"
    assert requirement_lines(tmp_path / "pack")[0] == line
    [_, note] = capsys.readouterr().out.splitlines()
    assert note.startswith(f"note: requirements.txt names {line}, a path on this machine only")


def test_installed_from_an_index_the_default_is_refused_not_a_bare_name(
    tmp_path: Path, installed_from: Callable[..., None], capsys: pytest.CaptureFixture[str]
) -> None:
    """abuse-guard is not on the public PyPI: a bare name would install whatever the pack machine's index has."""
    installed_from(None)
    assert main(["init-pack", str(tmp_path / "pack")]) == 2
    [error] = capsys.readouterr().err.splitlines()
    assert "installed from a package index" in error
    assert "dependency confusion" in error
    assert error.endswith(
        "if your own index serves abuse-guard to every machine that runs the pack, "
        f"--requirement abuse-guard=={__version__}"
    )
    assert "writes none by default" in error
    assert error.index("git+https://HOST/abuse-guard.git@COMMIT") < error.index("#sha256=HASH") < error.index("==")
    assert not (tmp_path / "pack").exists()


DEFAULTS_REFUSED = {
    "password": ({"url": f"https://me:secret@files.example.com/{WHEEL}", "archive_info": {}}, "credentials"),
    "token": (
        {"url": "https://ghp_token@git.example.com/abuse-guard.git", "vcs_info": {"vcs": "git", "commit_id": COMMIT}},
        "credentials",
    ),
    "environment_variable": (
        {"url": f"https://${{TOKEN}}@files.example.com/{WHEEL}", "archive_info": {}},
        "environment variable",
    ),
    "not_a_file_name": ({"url": "https://files.example.com/download?id=1", "archive_info": {}}, "file name"),
    "missing_file": ({"url": f"file:///nonexistent/{WHEEL}", "archive_info": {}}, "no such file or directory"),
    "another_packages_wheel": (
        {"url": "https://files.example.com/requests-2.0-py3-none-any.whl", "archive_info": {}},
        "not of abuse-guard",
    ),
}


@pytest.mark.parametrize(("direct_url", "said"), DEFAULTS_REFUSED.values(), ids=list(DEFAULTS_REFUSED))
def test_a_default_that_would_be_refused_as_a_requirement_is_refused(
    tmp_path: Path,
    installed_from: Callable[..., None],
    direct_url: dict[str, Any],
    said: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    installed_from(direct_url)
    assert main(["init-pack", str(tmp_path / "pack")]) == 2
    [error] = capsys.readouterr().err.splitlines()
    assert error.startswith("abuse-guard: error: where abuse-guard was installed from, '")
    assert said in error
    assert not (tmp_path / "pack").exists()


@pytest.mark.parametrize("editable", [True, False], ids=["editable", "directory"])
def test_a_working_copy_is_never_the_default(
    tmp_path: Path, installed_from: Callable[..., None], editable: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    installed_from({"url": "file:///home/me/abuse-guard", "dir_info": {"editable": editable}})
    assert main(["init-pack", str(tmp_path / "pack")]) == 2
    error = capsys.readouterr().err
    assert "installed from the directory /home/me/abuse-guard" in error
    assert "pass --requirement SPEC" in error
    assert not (tmp_path / "pack").exists()


@pytest.mark.parametrize(
    "direct_url",
    [
        "{",
        "[]",
        json.dumps({"archive_info": {}}),
        json.dumps({"url": 1, "archive_info": {}}),
        json.dumps({"url": f"https://files.example.com/{WHEEL}", "archive_info": []}),
        json.dumps({"url": f"https://files.example.com/{WHEEL}", "archive_info": {"hashes": {"sha256": "#x"}}}),
    ],
)
def test_an_unreadable_direct_url_json_asks_for_the_requirement(
    tmp_path: Path, installed_from: Callable[..., None], direct_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    installed_from(direct_url)
    assert main(["init-pack", str(tmp_path / "pack")]) == 2
    assert "direct_url.json" in capsys.readouterr().err
    assert not (tmp_path / "pack").exists()


def test_another_installed_version_is_not_named(
    tmp_path: Path, installed_from: Callable[..., None], capsys: pytest.CaptureFixture[str]
) -> None:
    installed_from(None, version="0.0.1")
    assert main(["init-pack", str(tmp_path / "pack")]) == 2
    assert f"the abuse_guard module here is {__version__} but the installed abuse-guard package is 0.0.1" in (
        capsys.readouterr().err
    )


def test_a_source_copy_that_is_not_installed_asks_for_the_requirement(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def not_installed(name: str) -> metadata.Distribution:
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(metadata, "distribution", not_installed)
    assert main(["init-pack", str(tmp_path / "pack")]) == 2
    assert "not an installed package" in capsys.readouterr().err


# --- --requirement ----------------------------------------------------------------------------------------------------

ACCEPTED = {
    "pinned": (f"abuse-guard=={__version__}", f"abuse-guard=={__version__}"),
    "another_spelling_and_an_extra": (f"Abuse_Guard[stacks]=={__version__}", f"Abuse_Guard[stacks]=={__version__}"),
    "direct_reference": (f"abuse-guard@git+https://git.example.com/abuse-guard.git@{COMMIT}", GIT_LINE),
    "git_url": (f"git+https://git.example.com/abuse-guard.git@{COMMIT}", GIT_LINE),
    "git_ssh_user": (
        f"git+ssh://git@git.example.com/abuse-guard.git@{COMMIT}#subdirectory=sub",
        f"abuse-guard @ git+ssh://git@git.example.com/abuse-guard.git@{COMMIT}#subdirectory=sub",
    ),
    "wheel_url": (f"https://files.example.com/{WHEEL}", f"abuse-guard @ https://files.example.com/{WHEEL}"),
    "wheel_url_and_its_hash": (
        f"https://files.example.com/{WHEEL}#sha256=00ff",
        f"abuse-guard @ https://files.example.com/{WHEEL}#sha256=00ff",
    ),
    "sdist_url": (
        f"abuse-guard @ https://files.example.com/abuse_guard-{__version__}.tar.gz",
        f"abuse-guard @ https://files.example.com/abuse_guard-{__version__}.tar.gz",
    ),
}


@pytest.mark.parametrize(("spec", "line"), ACCEPTED.values(), ids=list(ACCEPTED))
def test_a_requirement_of_abuse_guard_is_written(
    tmp_path: Path, spec: str, line: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init-pack", str(tmp_path), "--requirement", spec]) == 0
    assert requirement_lines(tmp_path) == [line, "pulumi-policy==1.21.0"]
    warnings = [said for said in capsys.readouterr().out.splitlines() if said.startswith("warning: ")]
    if " @ " in line:
        assert warnings == []
    else:  # a bare name: the one warning line docs/install.md's box gives
        [warning] = warnings
        assert "whatever index the pack's machine uses" in warning
        assert "(dependency confusion)" in warning


@pytest.mark.parametrize("revision", ["v0.2.0", "main", COMMIT[:12]])
def test_a_revision_that_is_not_a_commit_id_is_warned_about(
    tmp_path: Path, revision: str, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = f"git+https://git.example.com/abuse-guard.git@{revision}"
    assert main(["init-pack", str(tmp_path), "--requirement", spec]) == 0
    assert requirement_lines(tmp_path)[0] == f"abuse-guard @ {spec}"
    [_, warning] = capsys.readouterr().out.splitlines()
    assert warning.startswith(f"warning: requirements.txt installs abuse-guard at revision '{revision}', a tag or a ")


REFUSED = {
    "empty": ("", "--requirement '': empty"),
    "blank": ("  ", "--requirement '  ': empty"),
    "comment": ("# abuse-guard", "a comment installs nothing"),
    "index_url": ("--index-url http://pypi.example.com/simple", "pip options"),
    "requirements_file": ("-r /etc/passwd", "pip options"),
    "editable": ("-e .", "pip options"),
    "hash": (f"abuse-guard=={__version__} --hash=sha256:00", "pip options"),
    "another_package": ("requests", "names requests, not abuse-guard"),
    "arbitrary_equality": ("abuse-guard===garbage!!", "=== compares text, not versions"),
    "another_version": ("abuse-guard==0.0.1", f"leaves out this version, {__version__}"),
    "bare_name": ("abuse-guard", "no version lets it pick any release"),
    "at_least": ("abuse-guard>=0", "a range lets it pick any release"),
    "compatible": ("abuse-guard~=0.1", "a range lets it pick any release"),
    "compatible_with_this_version": (f"abuse-guard~={__version__}", "a range lets it pick any release"),
    "wildcard": ("abuse-guard==0.*", "a range lets it pick any release"),
    "pin_and_range": (f"abuse-guard=={__version__},>=0", "a range lets it pick any release"),
    "marker": (f"abuse-guard=={__version__}; python_version < '3'", "an environment marker"),
    "not_a_requirement": ("abuse-guard=>1", "not a requirement pip reads"),
    "relative_direct_reference": (f"abuse-guard @ ./{WHEEL}", "`@` takes a URL"),
    "another_packages_wheel_url": ("https://files.example.com/requests-2.0-py3-none-any.whl", "not of abuse-guard"),
    "url_of_no_file": ("https://git.example.com/abuse-guard", "does not end in a wheel or sdist file name"),
    "index_page_url": ("https://pypi.example.com/simple/abuse-guard/", "does not end in a wheel or sdist file name"),
    "ftp_url": (f"ftp://files.example.com/{WHEEL}", "pip does not install from a ftp:// URL"),
    "unknown_vcs": (f"cvs+https://git.example.com/abuse-guard@{COMMIT}", "pip does not install from a cvs+https://"),
    "password": (f"https://me:secret@files.example.com/{WHEEL}", "the URL holds credentials"),
    "token": (f"abuse-guard @ git+https://ghp_x@git.example.com/abuse-guard.git@{COMMIT}", "holds credentials"),
    "ssh_password": (f"git+ssh://git:secret@git.example.com/abuse-guard.git@{COMMIT}", "holds credentials"),
    "environment_variable_token": (f"https://${{TOKEN}}@files.example.com/{WHEEL}", "environment variable"),
    "environment_variable_path": (f"https://files.example.com/${{DIR}}/{WHEEL}", "environment variable"),
    "environment_variable_version": ("abuse-guard==${VERSION}", "environment variable"),
    "git_without_revision": ("git+https://git.example.com/abuse-guard.git", "names no revision"),
    "git_without_revision_but_a_subdirectory": (
        "abuse-guard @ git+ssh://git@git.example.com/mono.git#subdirectory=abuse-guard",
        "names no revision",
    ),
    "git_with_an_empty_revision": ("git+https://git.example.com/abuse-guard.git@", "names no revision"),
    "missing_file_url": (f"file:///nonexistent/{WHEEL}", "no such file or directory"),
    "file_url_of_another_host": (f"file://fileserver/share/{WHEEL}", "names a path on this machine"),
    "newline": (f"abuse-guard=={__version__}\n--index-url http://x", "'abuse-guard==0.2.0\\n--index-url http://x'"),
    "escape": ("abuse-guard\x1b[2J", "'abuse-guard\\x1b[2J': holds U+001B"),
    "bidi_override": ("abuse-guard\u202e==0.2.0", "'abuse-guard\\u202e==0.2.0': holds U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    "zero_width_space": ("abuse\u200b-guard", "'abuse\\u200b-guard': holds U+200B (ZERO WIDTH SPACE)"),
}


@pytest.mark.parametrize(("spec", "said"), REFUSED.values(), ids=list(REFUSED))
def test_anything_but_abuse_guard_is_refused(
    tmp_path: Path, spec: str, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init-pack", str(tmp_path / "pack"), "--requirement", spec]) == 2
    [error] = capsys.readouterr().err.splitlines()
    assert error.startswith("abuse-guard: error: --requirement '")
    assert said in error
    assert not (tmp_path / "pack").exists()


@pytest.mark.parametrize("spec", ["", "abuse-guard>=0", "abuse-guard=>1"])
def test_the_examples_lead_with_pinned_urls(spec: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["init-pack", str(tmp_path / "pack"), "--requirement", spec]) == 2
    error = capsys.readouterr().err
    examples = error[error.index("e.g. ") :]
    assert examples.startswith("e.g. 'abuse-guard @ git+https://HOST/abuse-guard.git@COMMIT', 'abuse-guard @ https://")
    assert f"abuse-guard=={__version__}" not in examples.split("', a wheel's path")[0]


def test_a_relative_path_is_written_relative_to_the_pack_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """pip reads requirements.txt with the pack directory as its working directory (the Pulumi CLI runs it there)."""
    (tmp_path / "wheels").mkdir()
    (tmp_path / "wheels" / WHEEL).write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    assert main(["init-pack", "infra/policy", "--requirement", f"./wheels/{WHEEL}"]) == 0
    [line, _] = requirement_lines(tmp_path / "infra" / "policy")
    assert line == f"../../wheels/{WHEEL}"
    assert (tmp_path / "infra" / "policy" / line).resolve() == (tmp_path / "wheels" / WHEEL).resolve()
    assert "this machine only" not in capsys.readouterr().out


def test_a_checkout_beside_the_pack_is_written_relative_to_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    checkout = tmp_path / "vendor" / "abuse-guard"
    checkout.mkdir(parents=True)
    (checkout / "pyproject.toml").write_text('[project]\nname = "abuse_guard"\n')
    monkeypatch.chdir(tmp_path)
    assert main(["init-pack", "policy", "--requirement", "vendor/abuse-guard/"]) == 0
    assert requirement_lines(tmp_path / "policy")[0] == "../vendor/abuse-guard"


def test_an_absolute_path_is_a_file_url_and_said_to_be_this_machines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / WHEEL).write_bytes(b"")
    assert main(["init-pack", str(tmp_path / "pack"), "--requirement", str(tmp_path / WHEEL)]) == 0
    assert requirement_lines(tmp_path / "pack")[0] == f"abuse-guard @ {(tmp_path / WHEEL).as_uri()}"
    assert "a path on this machine only" in capsys.readouterr().out


def test_a_missing_path_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init-pack", "pack", "--requirement", f"./wheels/{WHEEL}"]) == 2
    assert f"--requirement './wheels/{WHEEL}': no such file or directory" in capsys.readouterr().err
    assert not (tmp_path / "pack").exists()


@pytest.mark.parametrize("as_url", [False, True], ids=["path", "file_url"])
@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("requests-2.0-py3-none-any.whl", "a distribution of requests, not of abuse-guard"),
        ("abuse_guard-0.2.0.tar.bz2", "not a wheel (.whl), an sdist (.tar.gz, .zip) or a source directory"),
        ("abuse_guard.whl", "Invalid wheel filename"),
        ("other-project", "not abuse-guard's source (its pyproject.toml names project 'other')"),
        ("no-project", "not abuse-guard's source (its pyproject.toml: No such file or directory)"),
    ],
)
def test_a_local_path_must_be_abuse_guard(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    said: str,
    as_url: bool,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A path and a file:// URL alike: there, and abuse-guard's wheel, sdist or checkout."""
    (tmp_path / "other-project").mkdir()
    (tmp_path / "other-project" / "pyproject.toml").write_text('[project]\nname = "other"\n')
    (tmp_path / "no-project").mkdir()
    for archive in ("requests-2.0-py3-none-any.whl", "abuse_guard-0.2.0.tar.bz2", "abuse_guard.whl"):
        (tmp_path / archive).write_bytes(b"")
    monkeypatch.chdir(tmp_path)
    spec = (tmp_path / name).as_uri() if as_url else f"./{name}"
    assert main(["init-pack", "pack", "--requirement", spec]) == 2
    assert said in capsys.readouterr().err


@pytest.mark.parametrize("kind", ["wheel", "checkout"])
def test_a_file_url_of_abuse_guard_is_written_and_said_to_be_this_machines(
    tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if kind == "wheel":
        (target := tmp_path / WHEEL).write_bytes(b"")
    else:
        (target := tmp_path / "abuse-guard").mkdir()
        (target / "pyproject.toml").write_text('[project]\nname = "abuse-guard"\n')
    assert main(["init-pack", str(tmp_path / "pack"), "--requirement", target.as_uri()]) == 0
    assert requirement_lines(tmp_path / "pack")[0] == f"abuse-guard @ {target.as_uri()}"
    assert "a path on this machine only" in capsys.readouterr().out


# --- the directory: refusals and --force ------------------------------------------------------------------------------


@pytest.mark.parametrize("project_file", ["Pulumi.yaml", "Pulumi.yml"])
@pytest.mark.parametrize("force", [[], ["--force"]], ids=["", "force"])
def test_a_pulumi_project_is_never_a_pack_directory(
    tmp_path: Path, project_file: str, force: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    mine = {project_file: "name: shop\nruntime: python\n", "__main__.py": "import pulumi\n", "requirements.txt": "x\n"}
    for name, text in mine.items():
        (tmp_path / name).write_text(text)
    assert main(["init-pack", str(tmp_path), "--requirement", f"abuse-guard=={__version__}", *force]) == 2
    assert f"{tmp_path}: holds {project_file}, so it is a Pulumi project, not a policy pack directory" in (
        capsys.readouterr().err
    )
    assert contents(tmp_path) == mine


def test_a_non_empty_directory_is_refused_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["init-pack", str(tmp_path), "--requirement", f"abuse-guard=={__version__}"]) == 2
    error = capsys.readouterr().err
    assert f"{tmp_path}: not empty (holds 'notes.txt'); give a new or empty directory for the pack" in error
    assert "replac" not in error and "--force to" not in error  # it does not steer a user to clobber
    assert contents(tmp_path) == {"notes.txt": "mine"}


@pytest.mark.usefixtures("from_git")
def test_force_rewrites_the_files_init_pack_wrote_and_keeps_the_rest(tmp_path: Path) -> None:
    assert main(["init-pack", str(tmp_path)]) == 0
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (tmp_path / "PulumiPolicy.yaml").write_text(init_pack.HEADER + "version: 0.0.1\n")
    assert main(["init-pack", str(tmp_path), "--force", "--requirement", f"abuse-guard=={__version__}"]) == 0
    files = contents(tmp_path)
    assert sorted(files) == sorted([*PACK_FILES, "venv/pyvenv.cfg"])
    assert files["PulumiPolicy.yaml"] == init_pack.HEADER + init_pack.POLICY_PACK_YAML
    assert requirement_lines(tmp_path)[0] == f"abuse-guard=={__version__}"
    assert files["venv/pyvenv.cfg"] == "home = /usr/bin\n"


@pytest.mark.parametrize("name", PACK_FILES)
def test_force_never_replaces_a_file_init_pack_did_not_write(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / name).write_text("# my own\n")
    assert main(["init-pack", str(tmp_path), "--force", "--requirement", f"abuse-guard=={__version__}"]) == 2
    assert f"{tmp_path / name}: not written by init-pack" in capsys.readouterr().err
    assert contents(tmp_path) == {name: "# my own\n"}


def test_force_never_replaces_a_directory_of_a_pack_files_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "requirements.txt").mkdir()
    assert main(["init-pack", str(tmp_path), "--force", "--requirement", f"abuse-guard=={__version__}"]) == 2
    assert f"{tmp_path / 'requirements.txt'}: not written by init-pack" in capsys.readouterr().err


@pytest.mark.usefixtures("from_git")
def test_the_repositorys_own_pack_is_not_init_packs_to_rewrite(tmp_path: Path) -> None:
    """policy-pack/'s files carry no marker: `init-pack policy-pack --force` must leave them alone."""
    for name in ("PulumiPolicy.yaml", "__main__.py", "requirements.txt", ".gitignore"):
        (tmp_path / name).write_text((REPO / "policy-pack" / name).read_text())
    assert main(["init-pack", str(tmp_path), "--force"]) == 2


def test_a_file_in_place_of_the_directory_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pack").write_text("a file")
    assert main(["init-pack", str(tmp_path / "pack"), "--force"]) == 2
    assert f"{tmp_path / 'pack'}: exists and is not a directory" in capsys.readouterr().err


# --- writing in place, all or nothing ---------------------------------------------------------------------------------


@pytest.mark.usefixtures("from_git")
def test_an_existing_empty_directory_is_written_in_place(tmp_path: Path) -> None:
    """Its inode and mode stay: a shell inside it stays in it, and no write goes through its parent."""
    pack = tmp_path / "pack"
    pack.mkdir()
    pack.chmod(0o751)
    before = os.stat(pack)
    assert main(["init-pack", str(pack)]) == 0
    after = os.stat(pack)
    assert (after.st_ino, after.st_dev, oct(after.st_mode)) == (before.st_ino, before.st_dev, oct(before.st_mode))
    assert sorted(os.listdir(tmp_path)) == ["pack"]  # nothing staged beside it
    assert sorted(contents(pack)) == PACK_FILES


@pytest.fixture
def failing(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, int], None]:
    """`failing(name, n)`: the n-th call of os.<name> from then on fails with ENOSPC."""

    def arm(name: str, n: int) -> None:
        real, calls = getattr(os, name), []

        def fails_on_the_nth(*args: Any, **kwargs: Any) -> Any:
            calls.append(args)
            if len(calls) == n:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return real(*args, **kwargs)

        monkeypatch.setattr(os, name, fails_on_the_nth)

    return arm


@pytest.mark.usefixtures("from_git")
def test_a_failed_write_leaves_no_directory(tmp_path: Path, failing: Callable[[str, int], None]) -> None:
    failing("fdopen", 3)
    assert main(["init-pack", str(tmp_path / "new" / "pack")]) == 2
    assert list(tmp_path.iterdir()) == []  # neither the pack nor the parent it created, nor a temporary


@pytest.mark.usefixtures("from_git")
def test_a_failed_write_leaves_an_empty_directory_empty(tmp_path: Path, failing: Callable[[str, int], None]) -> None:
    failing("replace", 3)
    assert main(["init-pack", str(tmp_path)]) == 2
    assert list(tmp_path.iterdir()) == []  # the two files renamed into place are removed again


@pytest.mark.usefixtures("from_git")
@pytest.mark.parametrize(("call", "n"), [("fdopen", 3), ("replace", 3), ("replace", 4), ("link", 2)])
def test_a_failed_forced_write_keeps_every_previous_file(
    tmp_path: Path, failing: Callable[[str, int], None], call: str, n: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init-pack", str(tmp_path), "--requirement", f"abuse-guard=={__version__}"]) == 0
    (tmp_path / "notes.txt").write_text("mine")
    before = contents(tmp_path)
    failing(call, n)
    assert main(["init-pack", str(tmp_path), "--force"]) in ((2,) if call != "link" else (0,))
    if call == "link":  # no hard link: the previous file is copied aside instead
        assert requirement_lines(tmp_path)[0] == GIT_LINE
        assert sorted(os.listdir(tmp_path)) == sorted([*PACK_FILES, "notes.txt"])
        return
    assert "cannot write: No space left on device" in capsys.readouterr().err
    assert contents(tmp_path) == before  # no new file, no temporary, no second name left behind
    assert sorted(os.listdir(tmp_path)) == sorted([*PACK_FILES, "notes.txt"])


# --- what cannot be looked up is a user error -------------------------------------------------------------------------


def _without_search_permission(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    """What the kernel says about anything under `directory` (mode 000) to a user who is not root: EACCES."""
    inside = str(directory) + os.sep

    def denied(real: Callable[..., Any]) -> Callable[..., Any]:
        def call(path: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(path, (str, os.PathLike)) and os.path.abspath(os.fspath(path)).startswith(inside):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
            return real(path, *args, **kwargs)

        return call

    for name in ("stat", "lstat", "listdir", "scandir", "mkdir", "open"):
        monkeypatch.setattr(os, name, denied(getattr(os, name)))


def test_a_parent_without_search_permission_is_a_user_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "nodir").mkdir(mode=0o000)
    _without_search_permission(monkeypatch, tmp_path / "nodir")
    target = tmp_path / "nodir" / "sub"
    assert main(["init-pack", str(target), "--requirement", f"abuse-guard=={__version__}"]) == 2
    assert capsys.readouterr().err == f"abuse-guard: error: {target}: cannot look it up: Permission denied\n"


def test_a_parent_that_cannot_be_written_is_a_user_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def read_only(path: Any, *args: Any, **kwargs: Any) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))

    monkeypatch.setattr(os, "mkdir", read_only)
    target = tmp_path / "pack"
    assert main(["init-pack", str(target), "--requirement", f"abuse-guard=={__version__}"]) == 2
    assert capsys.readouterr().err == f"abuse-guard: error: {target}: cannot write: Permission denied\n"
