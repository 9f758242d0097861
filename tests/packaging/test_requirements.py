"""policy-pack/requirements.txt (what the Pulumi CLI installs into a vendored pack's venv) asks for what
pyproject.toml's dependencies allow, so the vendored pack and the installed package run on the same SDKs."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from abuse_guard.pack import PULUMI_POLICY_RELEASE

REPO = Path(__file__).resolve().parents[2]


def _by_name(lines: list[str]) -> dict[str, Requirement]:
    requirements = [Requirement(line) for line in lines]
    return {canonicalize_name(r.name): r for r in requirements}


def test_the_vendored_packs_requirements_are_the_packages_ranges() -> None:
    """The same range for every package both name, but pulumi-policy: the pack pins the release its shared-request
    server is checked with (crossguard/release.py), which must lie in the package's range."""
    package = _by_name(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"])
    text = (REPO / "policy-pack" / "requirements.txt").read_text()
    pack = _by_name([line for line in text.splitlines() if line.strip() and not line.startswith("#")])
    assert set(pack) <= set(package)
    pinned = pack.pop("pulumi-policy")
    assert str(pinned.specifier) == f"=={PULUMI_POLICY_RELEASE}"
    assert package["pulumi-policy"].specifier.contains(PULUMI_POLICY_RELEASE)
    assert {name: str(r.specifier) for name, r in pack.items()} == {name: str(package[name].specifier) for name in pack}
