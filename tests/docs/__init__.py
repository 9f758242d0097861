"""The docs: generated policy pages, the mkdocs site and the README's links."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The checkout: the only place these tests read."""
DOCS = ROOT / "docs"
README = ROOT / "README.md"
