"""Every program the tests write into a project (`write_project`), found in their source, for tests that run them all.

A test module that uses `write_project` is scanned (its syntax tree, and its values once imported): each
string a module-level name holds (directly, or in a dict, tuple or list of cases), and each string constant or
sum of strings (`FUNCTION + '''...'''`, not its parts) inside its functions, that is a Python program using
`aws.` or `pulumi.`. A program built from a test's own variables (an f-string, a `.format` call) is not found; it is
a variant of one that is. Left out: test_hostile.py, whose programs are made to hang, kill their process or tamper
with it (none records a stack), and the modules that run these programs (`written_programs`).
"""

from __future__ import annotations

import ast
import importlib
import re
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

TESTS = Path(__file__).resolve().parents[1]
NOT_SCANNED = frozenset({"tests/offline/test_hostile.py"})
"""Modules whose programs are not meant to record (see the module docstring)."""

USES_PULUMI = re.compile(r"\b(aws|pulumi)\.\w")


def program_modules() -> list[Path]:
    """The test modules that write programs into projects, in path order."""
    return sorted(
        path
        for path in TESTS.rglob("test_*.py")
        if path.relative_to(TESTS.parent).as_posix() not in NOT_SCANNED and _writes_programs(path.read_text("utf-8"))
    )


def _writes_programs(source: str) -> bool:
    """Whether a test module writes programs of its own: it uses `write_project`, and not to run the others'."""
    return "write_project" in source and "written_programs" not in source


def written_programs() -> dict[str, str]:
    """Program id (`<dir>/<module>.<NAME>`, `...<NAME>[<key>]` or `<dir>/<module>:<line>`) -> its source, each once."""
    found: dict[str, str] = {}
    for path in program_modules():
        relative = path.relative_to(TESTS.parent).with_suffix("")
        module = importlib.import_module(".".join(relative.parts))
        label = f"{path.parent.name}/{path.stem}"
        for where, text in _strings(module, ast.parse(path.read_text(encoding="utf-8"))):
            if text not in found.values() and is_program(text):
                found[f"{label}{where}"] = text
    return found


def is_program(text: str) -> bool:
    """Whether `text` is a Python program that uses the Pulumi or pulumi-aws SDK (after write_project's imports)."""
    if not USES_PULUMI.search(text):
        return False
    try:
        compile(textwrap.dedent(text), "<program>", "exec")  # as write_project writes it
    except (SyntaxError, ValueError):
        return False
    return True


def _strings(module: ModuleType, tree: ast.Module) -> Iterator[tuple[str, str]]:
    """(where, text) of each string a module's names hold, then of each string expression in its functions."""
    for statement in tree.body:
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        for target in targets:
            if isinstance(target, ast.Name):
                yield from _held(f".{target.id}", getattr(module, target.id, None))
    namespace = vars(module)
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        sums = [inner for inner in ast.walk(node) if isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Add)]
        parts = {id(operand) for inner in sums for operand in (inner.left, inner.right)}  # a sum's parts are not
        for inner in ast.walk(node):  # programs of their own
            if id(inner) not in parts and (isinstance(inner, ast.Constant) or inner in sums):
                value = _value(inner, namespace)
                if isinstance(value, str):
                    yield f":{inner.lineno}", value


def _held(where: str, value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _held(f"{where}[{key}]", item)
    elif isinstance(value, (tuple, list)):
        for index, item in enumerate(value):
            yield from _held(f"{where}[{index}]", item)


def _value(node: ast.expr, namespace: dict[str, Any]) -> Any:
    """The value of a constant, or of a sum of constants and module-level names; None for anything else."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return namespace.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _value(node.left, namespace), _value(node.right, namespace)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
    return None
