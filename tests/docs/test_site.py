"""The docs site builds with `mkdocs build --strict`: a broken link, a missing anchor or a page left out of the nav
is an error, and every policy has its page at the stable path `policies/<policy-id>/`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from abuse_guard.policies import POLICIES

from . import ROOT


def _mkdocs_build(config_file: Path, site_dir: Path) -> subprocess.CompletedProcess[str]:
    """`mkdocs build` run from the checkout (the snippets' base path), writing only into `site_dir`."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(config_file),
            "--site-dir",
            str(site_dir),
        ],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_site_builds_strict_with_a_page_per_policy(tmp_path: Path) -> None:
    site = tmp_path / "site"
    built = _mkdocs_build(ROOT / "mkdocs.yml", site)
    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr, built.stderr
    for policy in POLICIES:
        assert (site / "policies" / policy.id / "index.html").is_file(), f"no page at policies/{policy.id}/"
    performance = (site / "performance" / "index.html").read_text(encoding="utf-8")
    assert "--8&lt;--" not in performance and "<table>" in performance, "benchmarks/RESULTS.md was not included"


def _repository_validation() -> dict[str, Any]:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["strict"] is True
    return {"strict": config["strict"], "validation": config["validation"]}


OTHER = {"other.md": "# Other\n"}
BROKEN = {
    "missing_anchor": ({"index.md": "# Home\n\n[there](other.md#no-such-heading)\n", **OTHER}, "anchor"),
    "missing_page": ({"index.md": "# Home\n\n[there](gone.md)\n", **OTHER}, "gone.md"),
    "page_left_out_of_the_nav": ({"index.md": "# Home\n", **OTHER, "stray.md": "# Stray\n"}, "stray"),
}


@pytest.mark.parametrize(("pages", "named"), BROKEN.values(), ids=list(BROKEN))
def test_the_repository_settings_make_a_broken_site_fail(tmp_path: Path, pages: dict[str, str], named: str) -> None:
    """The same `strict` and `validation` settings on a small site with one fault: the build must fail naming it."""
    docs = tmp_path / "docs"
    docs.mkdir()
    for name, text in pages.items():
        (docs / name).write_text(text, encoding="utf-8")
    config = {
        "site_name": "broken",
        "docs_dir": str(docs),
        "theme": {"name": "mkdocs"},
        "nav": ["index.md", "other.md"],
        **_repository_validation(),
    }
    config_file = tmp_path / "mkdocs.yml"
    config_file.write_text(yaml.safe_dump(config), encoding="utf-8")
    built = _mkdocs_build(config_file, tmp_path / "site")
    assert built.returncode != 0
    assert named in built.stderr, built.stderr
