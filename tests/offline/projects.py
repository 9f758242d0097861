"""Pulumi projects written into a temporary directory, as a user would lay them out."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
import zipfile
from collections.abc import Mapping
from pathlib import Path

PROGRAM_HEADER = "import pulumi\nimport pulumi_aws as aws\n"


def write_project(
    root: Path,
    program: str,
    *,
    name: str = "thirdparty",
    stacks: Mapping[str, str] | None = None,
    project_yaml: str | None = None,
    files: Mapping[str, str] | None = None,
) -> Path:
    """A project in `root`: Pulumi.yaml, `program` as __main__.py, stack files (name -> YAML) and other files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "Pulumi.yaml").write_text(project_yaml or f"name: {name}\nruntime: python\n", encoding="utf-8")
    (root / "__main__.py").write_text(PROGRAM_HEADER + textwrap.dedent(program), encoding="utf-8")
    for stack, text in (stacks if stacks is not None else {"dev": "config: {}\n"}).items():
        (root / f"Pulumi.{stack}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    for path, text in (files or {}).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


REPO = Path(__file__).resolve().parents[2]
OLDEST_PULUMI_WHEEL = REPO / ".venv" / "wheels" / "pulumi-3.50.0-py3-none-any.whl"
"""The oldest pulumi SDK the offline preview supports, downloaded by `make setup` (Makefile OLDEST_PULUMI)."""


def virtualenv(path: Path, *, with_our_packages: bool = True, modules: Mapping[str, str] | None = None) -> Path:
    """A virtualenv at `path`, made without downloading anything.

    `python -m venv --system-site-packages --without-pip` from the interpreter behind abuse-guard's own venv;
    with `with_our_packages`, a .pth file puts abuse-guard's site-packages (pulumi, pulumi_aws) after the
    venv's own, so a package installed into the venv (`modules`: module name -> source) comes first.
    """
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--system-site-packages", "--without-pip", str(path)], check=True)
    site = Path(
        subprocess.run(
            [str(path / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    if with_our_packages:
        (site / "zz_abuse_guard_packages.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    for name, source in (modules or {}).items():
        (site / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
    return path


def install_wheel(venv: Path, wheel: Path) -> None:
    """A pure-Python wheel unpacked into the venv's site-packages (what pip does for one), before our packages."""
    site = next((venv / "lib").glob("python*/site-packages"))
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site)
