"""One version: abuse_guard.__version__, which the CLI, PulumiPolicy.yaml and the CHANGELOG repeat.

The wheel's metadata (pyproject.toml reads __version__) is checked in test_wheel.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from abuse_guard import __version__
from abuse_guard.cli import main
from abuse_guard.pack import AUTHOR, LICENSE

REPO = Path(__file__).resolve().parents[2]


def test_the_repositorys_pack_carries_the_version_licence_and_author() -> None:
    pack = yaml.safe_load((REPO / "policy-pack" / "PulumiPolicy.yaml").read_text())
    assert (pack["version"], pack["license"], pack["author"]) == (__version__, "Apache-2.0", AUTHOR)
    assert LICENSE == "Apache-2.0"


def test_pyproject_reads_the_version_and_names_the_licence() -> None:
    text = (REPO / "pyproject.toml").read_text()
    assert 'version = { attr = "abuse_guard.__version__" }' in text
    assert '\nlicense = "Apache-2.0"\n' in text
    assert "Apache License\n                           Version 2.0, January 2004" in (REPO / "LICENSE").read_text()


def test_the_cli_says_its_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert (exit_.value.code, capsys.readouterr().out) == (0, f"abuse-guard {__version__}\n")


def test_the_changelog_has_an_entry_for_this_version() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text()
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", changelog, re.MULTILINE)
    assert released and released[0] == __version__  # the newest release first
