"""The Markdown files at the root, which the site does not build, link only to files and headings that exist.

Links are read with markdown-it-py (CommonMark, as GitHub reads them); an anchor is checked against the target's
headings slugged as GitHub slugs them. Only files inside the checkout are read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from itertools import pairwise
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from . import README, ROOT

ROOT_PAGES = ("README.md", "CONTRIBUTING.md")
README_LIMIT = 15_000
"""Bytes: the README is a landing page; the rest lives in docs/."""

_PARSER = MarkdownIt("commonmark").enable("table")


def _tokens(path: Path) -> list[Token]:
    return _PARSER.parse(path.read_text(encoding="utf-8"))


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        yield from _walk(token.children or [])


def links(path: Path) -> list[str]:
    """Every link and image target of a Markdown file."""
    found = []
    for token in _walk(_tokens(path)):
        target = token.attrGet("href") if token.type == "link_open" else token.attrGet("src")
        if token.type in ("link_open", "image") and isinstance(target, str):
            found.append(target)
    return found


def github_slug(text: str) -> str:
    """GitHub's heading anchor: lower case, punctuation but `-` and `_` dropped, spaces as `-`."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    """The anchors of a Markdown file's headings; a repeated heading gets -1, -2, ... as on GitHub."""
    seen: dict[str, int] = {}
    tokens = _tokens(path)
    for opening, inline in pairwise(tokens):
        if opening.type != "heading_open":
            continue
        text = "".join(child.content for child in inline.children or [] if child.type in ("text", "code_inline"))
        slug = github_slug(text)
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        if count:
            seen[f"{slug}-{count}"] = 1
    return frozenset(seen)


def broken(page: Path, root: Path = ROOT) -> list[str]:
    problems = []
    for target in links(page):
        parts = urlsplit(target)
        if parts.scheme or parts.netloc:
            continue  # a web address: not ours to check offline
        file = (page.parent / unquote(parts.path)).resolve() if parts.path else page
        if not file.is_relative_to(root):
            problems.append(f"{target}: outside the checkout")
        elif not file.exists():
            problems.append(f"{target}: no such file")
        elif parts.fragment and (file.suffix != ".md" or parts.fragment not in anchors(file)):
            problems.append(f"{target}: no heading with the anchor #{parts.fragment}")
    return problems


@pytest.mark.parametrize("name", ROOT_PAGES)
def test_relative_links_and_anchors_resolve(name: str) -> None:
    page = ROOT / name
    assert links(page), f"{name} has no links: the parser read nothing"
    assert broken(page) == []


def test_the_checker_finds_a_broken_link_and_anchor(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Use it: `abuse-guard` now\n\n## Use it: `abuse-guard` now\n\n"
        "[a](#use-it-abuse-guard-now) [b](#use-it-abuse-guard-now-1) [c](#nowhere) [d](missing.md)"
        " [e](page.md#use-it-abuse-guard-now) [f](https://example.com/x.md#y)\n",
        encoding="utf-8",
    )
    assert broken(page, root=tmp_path) == ["#nowhere: no heading with the anchor #nowhere", "missing.md: no such file"]
    assert broken(page) == [f"{target}: outside the checkout" for target in links(page)[:-1]]


def test_the_readme_is_a_landing_page() -> None:
    size = len(README.read_bytes())
    assert size < README_LIMIT, f"README.md is {size} bytes: move detail to docs/ (at most {README_LIMIT})"
