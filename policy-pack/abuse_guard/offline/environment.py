"""The Python interpreter `pulumi preview` would run a project's program with, found as the language host finds it.

Source: pulumi/pulumi, sdk/python/toolchain (`ResolveToolchain` in toolchain.go, pip.go, uv.go, poetry.go)
and sdk/python/cmd/pulumi-language-python (`parseOptions`):

- the toolchain is `runtime.options.toolchain`; without it, uv when a `uv.lock` is found from the
  program's directory upwards, else poetry when a `poetry.lock` is, else pip;
- pip: the virtualenv `runtime.options.virtualenv` names (relative to the project directory, or
  absolute); without one the language host runs `python3` from PATH, and the offline preview runs
  the interpreter running abuse-guard instead (its own environment, with pulumi);
- uv: `runtime.options.virtualenv` again, else `UV_PROJECT_ENVIRONMENT` (relative to the directory of
  the nearest `uv.lock`, else of the nearest `pyproject.toml`, else the program's), else `.venv` there;
- poetry: the environment `poetry env info --path` names, run in the program's directory.

The program then runs with the environment "activated" as the language host does it: the
virtualenv's `bin` first on PATH, VIRTUAL_ENV set, PYTHONHOME removed. Nothing is installed or
created: an environment that does not exist is a UserError naming the command that creates it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError
from .project import Project

BIN = "Scripts" if os.name == "nt" else "bin"
PYTHON = "python.exe" if os.name == "nt" else "python"
POETRY_TIMEOUT = 60.0
"""Seconds `poetry env info --path` may take (it resolves nothing, but starts Poetry and its plugins)."""


@dataclass(frozen=True)
class Interpreter:
    """The Python executable a program runs under, and how it was chosen."""

    executable: Path
    virtualenv: Path | None
    """The environment to activate; None for the interpreter running abuse-guard, used as it is."""
    chosen_by: str
    """Said in errors: "runtime.options.virtualenv", "uv", "poetry" or "abuse-guard's own interpreter"."""

    def environment(self, base: Mapping[str, str]) -> dict[str, str]:
        """`base` (the process environment) with the virtualenv activated as the language host does it."""
        env = dict(base)
        if self.virtualenv is None:
            return env
        env.pop("PYTHONHOME", None)
        env["VIRTUAL_ENV"] = str(self.virtualenv)
        path = env.get("PATH")
        env["PATH"] = str(self.virtualenv / BIN) + (os.pathsep + path if path else "")
        return env


def own_interpreter() -> Interpreter:
    return Interpreter(Path(sys.executable), None, "abuse-guard's own interpreter")


def interpreter(project: Project) -> Interpreter:
    """The interpreter for `project`; UserError when the environment it names does not exist."""
    toolchain = project.toolchain or _detected(project.program_dir)
    if toolchain == "uv":
        return _uv(project)
    if toolchain == "poetry":
        return _poetry(project)
    if project.virtualenv is None:
        return own_interpreter()
    venv = _from_root(project, project.virtualenv)
    if not _is_virtualenv(venv):
        requirements = project.root / "requirements.txt"
        install = f" && {venv / BIN / PYTHON} -m pip install -r {requirements}" if requirements.is_file() else ""
        raise UserError(
            f"{project.file}: runtime.options.virtualenv is {project.virtualenv!r}, but {venv} {_what_is_wrong(venv)}; "
            f"create it with: python3 -m venv {venv}{install} (or `pulumi install`)"
        )
    return Interpreter(venv / BIN / PYTHON, venv, "runtime.options.virtualenv")


def _detected(program_dir: Path) -> str:
    if _search_up(program_dir, "uv.lock") is not None:
        return "uv"
    if _search_up(program_dir, "poetry.lock") is not None:
        return "poetry"
    return "pip"


def _uv(project: Project) -> Interpreter:
    if project.virtualenv is not None:
        venv = _from_root(project, project.virtualenv)
        project_dir = project.program_dir
    else:
        found = _search_up(project.program_dir, "uv.lock") or _search_up(project.program_dir, "pyproject.toml")
        project_dir = found or project.program_dir
        venv = project_dir / (os.environ.get("UV_PROJECT_ENVIRONMENT") or ".venv")
    if not _is_virtualenv(venv):
        raise UserError(
            f"{project.file}: the uv toolchain's environment {venv} {_what_is_wrong(venv)}; "
            f"create it with: uv sync (in {project_dir})"
        )
    return Interpreter(venv / BIN / PYTHON, venv, "uv")


def _poetry(project: Project) -> Interpreter:
    directory = project.program_dir
    poetry = shutil.which("poetry")
    if poetry is None:
        raise UserError(
            f"{project.file}: the poetry toolchain needs the `poetry` command, which is not on PATH; install Poetry "
            "(1.8 or later), or set runtime.options.toolchain to pip"
        )
    command = [poetry, "env", "info", "--path", "--no-ansi"]
    try:
        done = subprocess.run(
            command, cwd=directory, capture_output=True, text=True, timeout=POETRY_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise UserError(
            f"`poetry env info --path` (in {directory}) did not answer within {POETRY_TIMEOUT:.0f} s"
        ) from None
    path = done.stdout.strip()
    venv = Path(path) if done.returncode == 0 and path else None
    if venv is None or not _is_virtualenv(venv):
        raise UserError(
            f"{project.file}: `poetry env info --path` (in {directory}) names no environment; "
            f"create it with: poetry install (in {directory})"
        )
    return Interpreter(venv / BIN / PYTHON, venv, "poetry")


def _from_root(project: Project, path: str) -> Path:
    given = Path(path).expanduser()
    return given if given.is_absolute() else project.root.resolve() / given


def _is_virtualenv(directory: Path) -> bool:
    """What the language host calls a virtualenv (IsVirtualEnv): a directory with bin/python in it."""
    return (directory / BIN / PYTHON).is_file()


def _what_is_wrong(directory: Path) -> str:
    return "is not a virtualenv (it has no bin/python)" if directory.exists() else "does not exist"


def _search_up(start: Path, name: str) -> Path | None:
    """The nearest directory from `start` upwards that holds `name` (the toolchain's `searchup`)."""
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / name).exists():
            return directory
    return None
