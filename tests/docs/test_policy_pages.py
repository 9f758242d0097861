"""The policy reference is generated from the registry (`make docs`); the pages must not drift from it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

from abuse_guard.cli import main
from abuse_guard.commands.policies import GENERATED, markdown, pages, remediation, summary_table, write_docs
from abuse_guard.errors import UserError
from abuse_guard.policies import POLICIES

from . import DOCS, README, ROOT

POLICY_DOCS = DOCS / "policies"
REFRESH = "run `make docs` to regenerate docs/policies from the registry"


def test_policy_pages_equal_what_the_generator_writes() -> None:
    expected = pages()
    assert sorted(p.name for p in POLICY_DOCS.glob("*.md")) == sorted(expected), REFRESH
    for name, text in expected.items():
        assert (POLICY_DOCS / name).read_text(encoding="utf-8") == text, f"docs/policies/{name}: {REFRESH}"


def test_every_policy_page_is_in_the_site_nav() -> None:
    """Its page is `policies/<id>/` on the site, the stable link reports point to; listed in registry order."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    section = next(entry["Policies"] for entry in config["nav"] if isinstance(entry, dict) and "Policies" in entry)
    listed = [entry for entry in section if isinstance(entry, str)]
    assert listed == ["policies/index.md", *(f"policies/{p.id}.md" for p in POLICIES)], (
        "mkdocs.yml: list docs/policies/index.md, then one line per policy in registry order, under Policies"
    )


def test_the_readme_policy_table_is_the_registry() -> None:
    table = "\n".join(summary_table(POLICIES, lambda policy_id: f"docs/policies/{policy_id}.md"))
    assert table in README.read_text(encoding="utf-8"), f"README.md: replace the policy table with\n{table}"


def test_every_remediation_snippet_is_python() -> None:
    """The fixes a violation points to are copied by users: each code block must at least parse."""
    for policy in POLICIES:
        blocks = "\n".join(remediation(policy.remediation)).split("```python\n")[1:]
        assert blocks, f"{policy.id} has no code in its remediation"
        for block in blocks:
            ast.parse(block.split("```")[0])


def test_policies_prints_the_reference(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["policies"]) == 0
    printed = capsys.readouterr().out
    assert printed == markdown()
    assert all(f"## `{p.id}`" in printed for p in POLICIES)


def test_write_docs_replaces_generated_pages_and_keeps_the_rest(tmp_path: Path) -> None:
    stale = tmp_path / "retired-policy.md"
    stale.write_text(f"{GENERATED}\n\n# `retired-policy`\n", encoding="utf-8")
    own = tmp_path / "notes.md"
    own.write_text("# Notes written by hand\n", encoding="utf-8")
    (tmp_path / "index.md").write_text("old\n", encoding="utf-8")

    assert main(["policies", "--write-docs", str(tmp_path)]) == 0

    assert sorted(p.name for p in tmp_path.glob("*.md")) == sorted([*pages(), "notes.md"])
    assert (tmp_path / "index.md").read_text(encoding="utf-8") == pages()["index.md"]
    assert own.read_text(encoding="utf-8") == "# Notes written by hand\n"


def test_write_docs_into_a_new_directory(tmp_path: Path) -> None:
    write_docs(tmp_path / "site-docs" / "policies")
    assert sorted(p.name for p in (tmp_path / "site-docs" / "policies").iterdir()) == sorted(pages())


def test_write_docs_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "policies"
    target.write_text("not a directory\n", encoding="utf-8")
    with pytest.raises(UserError, match="needs a directory"):
        write_docs(target)
    assert target.read_text(encoding="utf-8") == "not a directory\n"
