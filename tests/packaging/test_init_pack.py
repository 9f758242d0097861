"""`abuse-guard init-pack DIR`: the thin pack's files, refusals, --force and all-or-nothing writes."""

from __future__ import annotations

import ast
import builtins
import errno
import os
from pathlib import Path
from typing import Any

import pytest

from abuse_guard import __version__
from abuse_guard.cli import main
from abuse_guard.commands import init_pack

REPO = Path(__file__).resolve().parents[2]
PACK_FILES = [".gitignore", "PulumiPolicy.yaml", "__main__.py", "requirements.txt"]


def contents(directory: Path) -> dict[str, str]:
    """Every file under `directory` (relative POSIX path -> text)."""
    return {p.relative_to(directory).as_posix(): p.read_text() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_writes_the_thin_pack_into_a_new_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pack = tmp_path / "infra" / "policy"  # parents are created
    assert main(["init-pack", str(pack)]) == 0
    files = contents(pack)
    assert sorted(files) == PACK_FILES
    assert f"\nabuse-guard=={__version__}\n" in files["requirements.txt"]
    assert "from abuse_guard.pack import serve_pack\n\nserve_pack()\n" in files["__main__.py"]
    assert f"pulumi preview --policy-pack {pack}" in capsys.readouterr().out


def test_the_thin_pack_is_the_repositorys_pack_but_for_where_the_package_comes_from(tmp_path: Path) -> None:
    """policy-pack/ and a thin pack: the same PulumiPolicy.yaml and .gitignore, the same code in __main__.py."""
    assert main(["init-pack", str(tmp_path / "pack")]) == 0
    thin = contents(tmp_path / "pack")
    for name in ("PulumiPolicy.yaml", ".gitignore"):
        assert thin[name] == (REPO / "policy-pack" / name).read_text(), name
    assert _code(thin["__main__.py"]) == _code((REPO / "policy-pack" / "__main__.py").read_text())


def _code(source: str) -> list[str]:
    """A module's statements but its docstring."""
    body = ast.parse(source).body
    return [ast.dump(statement) for statement in body if ast.get_docstring(ast.Module([statement], [])) is None]


def test_requirement_names_where_abuse_guard_comes_from(tmp_path: Path) -> None:
    spec = "abuse-guard @ git+https://example.invalid/abuse-guard.git@v0.2.0"
    assert main(["init-pack", str(tmp_path), "--requirement", spec]) == 0
    lines = (tmp_path / "requirements.txt").read_text().splitlines()
    assert [line for line in lines if not line.startswith("#")] == [spec, "pulumi-policy==1.21.0"]


@pytest.mark.parametrize("spec", ["", "  ", "# abuse-guard", "abuse-guard\n--index-url http://x", "a\x1bb"])
def test_a_requirement_that_installs_nothing_is_refused(
    tmp_path: Path, spec: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init-pack", str(tmp_path / "pack"), "--requirement", spec]) == 2
    assert "--requirement" in capsys.readouterr().err
    assert not (tmp_path / "pack").exists()


def test_a_non_empty_directory_is_refused_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["init-pack", str(tmp_path)]) == 2
    assert f"{tmp_path}: not empty (holds 'notes.txt'); give a new or empty directory, or --force" in (
        capsys.readouterr().err
    )
    assert contents(tmp_path) == {"notes.txt": "mine"}


def test_force_replaces_the_packs_files_and_keeps_the_rest(tmp_path: Path) -> None:
    (tmp_path / "venv").mkdir()
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (tmp_path / "PulumiPolicy.yaml").write_text("version: 0.0.1\n")
    assert main(["init-pack", str(tmp_path), "--force"]) == 0
    files = contents(tmp_path)
    assert sorted(files) == sorted([*PACK_FILES, "venv/pyvenv.cfg"])
    assert files["PulumiPolicy.yaml"] == init_pack.POLICY_PACK_YAML
    assert files["venv/pyvenv.cfg"] == "home = /usr/bin\n"


def test_an_empty_directory_needs_no_force(tmp_path: Path) -> None:
    assert main(["init-pack", str(tmp_path)]) == 0
    assert sorted(contents(tmp_path)) == PACK_FILES


def test_a_file_in_place_of_the_directory_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "pack").write_text("a file")
    assert main(["init-pack", str(tmp_path / "pack"), "--force"]) == 2
    assert f"{tmp_path / 'pack'}: exists and is not a directory" in capsys.readouterr().err


def test_a_failed_write_leaves_no_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = builtins.open

    def open_but_not_requirements(file: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(file, (str, Path)) and Path(file).name == "requirements.txt":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", open_but_not_requirements)
    assert main(["init-pack", str(tmp_path / "new" / "pack")]) == 2
    assert list(tmp_path.iterdir()) == []  # neither the pack nor the parent it created, nor a staging directory


def test_a_failed_forced_write_keeps_every_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("version: 0.0.1\n")
    real_fdopen, opened = os.fdopen, []

    def fdopen_failing_on_the_third(fd: int, *args: Any, **kwargs: Any) -> Any:
        opened.append(fd)
        if len(opened) == 3:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fdopen(fd, *args, **kwargs)

    monkeypatch.setattr(os, "fdopen", fdopen_failing_on_the_third)
    assert main(["init-pack", str(tmp_path), "--force"]) == 2
    assert contents(tmp_path) == {"PulumiPolicy.yaml": "version: 0.0.1\n"}  # no new file, no temporary
