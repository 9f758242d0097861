"""The README's policy reference is generated from the registry; it must not drift from it."""

import ast
from pathlib import Path

from abuse_guard.commands.policies import END, START, markdown, remediation, with_reference
from abuse_guard.policies import POLICIES

README = Path(__file__).resolve().parents[1] / "README.md"


def test_policy_reference_matches_the_registry() -> None:
    text = README.read_text(encoding="utf-8")
    assert with_reference(text, markdown()) == text, "run `make docs` to refresh the README's policy reference"


def test_reference_is_between_the_markers_once() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.count(START) == text.count(END) == 1


def test_every_remediation_snippet_is_python() -> None:
    """The fixes a violation points to are copied by users: each code block must at least parse."""
    for policy in POLICIES:
        blocks = "\n".join(remediation(policy.remediation)).split("```python\n")[1:]
        assert blocks, f"{policy.id} has no code in its remediation"
        for block in blocks:
            ast.parse(block.split("```")[0])
