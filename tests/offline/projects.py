"""Pulumi projects written into a temporary directory, as a user would lay them out."""

from __future__ import annotations

import textwrap
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
