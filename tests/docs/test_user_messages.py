"""What the package tells a user to run names the user's own things: `abuse-guard`, the pack directory they chose.

The repository's own paths (`--policy-pack policy-pack`) and the module spelling (`python -m abuse_guard`) belong in
this repository's docs, not in a message a user of the installed package reads.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "policy-pack" / "abuse_guard"
REPOSITORY_ONLY = ("--policy-pack policy-pack", "python -m abuse_guard")


def _messages(source: str) -> list[str]:
    """The string literals of a module but its docstrings (module, class and function)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


@pytest.mark.parametrize("module", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_message_names_the_repositorys_own_pack_or_the_module_spelling(module: Path) -> None:
    said = [m for m in _messages(module.read_text()) if any(words in m for words in REPOSITORY_ONLY)]
    assert said == []
