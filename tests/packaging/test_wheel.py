"""The package as a user gets it: the wheel `make dist` builds, installed into a fresh venv without extras.

One build and one venv for the module (about 30 s: the build's isolated environment and the install come from
pip's cache, honouring constraints.txt). From that venv: `abuse-guard --version` and `policies`, a thin pack
written by its `init-pack`, and that pack started with the venv's interpreter, as the engine starts it, and
asked over the Analyzer protocol about a function URL open to anyone.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from email.parser import HeaderParser
from pathlib import Path

import pytest

from abuse_guard import __version__
from abuse_guard.findings import Outcome
from abuse_guard.policies import POLICIES
from abuse_guard.resources import UNKNOWN
from tests.harness.analyzer import RunningPack, reported, start_pack
from tests.support import resource

pytestmark = pytest.mark.packaging

REPO = Path(__file__).resolve().parents[2]
CONSTRAINTS = REPO / "constraints.txt"
STACK_SDKS = ("pulumi_aws", "pulumi_aws_native")
"""The reference stacks' SDKs: the `stacks` extra, never a dependency of the package."""


def _run(*command: str | Path, cwd: Path | None = None) -> str:
    """A command's standard output; its output and errors in the failure message when it fails."""
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `make dist` builds (python -m build: the sdist, then the wheel from the sdist), in one directory."""
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--outdir", out, REPO)
    return out


@pytest.fixture(scope="module")
def wheel(dist: Path) -> Path:
    [built] = dist.glob("*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed, no extras, at the versions constraints.txt pins."""
    path = tmp_path_factory.mktemp("user") / "venv"
    _run(getattr(sys, "_base_executable", sys.executable), "-m", "venv", path)
    _run(path / "bin" / "python", "-m", "pip", "install", "--quiet", "-c", CONSTRAINTS, wheel)
    return path


@pytest.fixture(scope="module")
def thin_pack(venv: Path, wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A pack directory written by the installed `abuse-guard init-pack`, naming the wheel by a path relative to
    the current directory, and its requirements installed as the Pulumi CLI installs them: pip run in the pack
    directory (here already satisfied, but pip must find the wheel from there)."""
    pack = tmp_path_factory.mktemp("user-repo") / "policy"
    _run(venv / "bin" / "abuse-guard", "init-pack", pack, "--requirement", f"./{wheel.name}", cwd=wheel.parent)
    _run(
        venv / "bin" / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "-c",
        CONSTRAINTS,
        "-r",
        "requirements.txt",
        cwd=pack,
    )
    return pack


@pytest.fixture(scope="module")
def running(thin_pack: Path, venv: Path) -> Iterator[RunningPack]:
    with start_pack(thin_pack, python=venv / "bin" / "python") as pack:
        yield pack


def test_the_wheel_holds_the_package_its_data_and_the_licence(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {
        "abuse_guard/py.typed",
        "abuse_guard/report/schema/report-v1.json",
        "abuse_guard/report/templates/report.html.j2",
        f"abuse_guard-{__version__}.dist-info/licenses/LICENSE",
    } <= names
    assert not [n for n in names if n.split("/")[0] not in ("abuse_guard", f"abuse_guard-{__version__}.dist-info")]


def test_the_wheels_metadata_carries_the_one_version_and_the_licence(wheel: Path) -> None:
    text = zipfile.ZipFile(wheel).read(f"abuse_guard-{__version__}.dist-info/METADATA").decode()
    metadata = HeaderParser().parsestr(text)
    assert (metadata["Name"], metadata["Version"], metadata["License-Expression"]) == (
        "abuse-guard",
        __version__,
        "Apache-2.0",
    )
    required = metadata.get_all("Requires-Dist") or []
    assert [r for r in required if r.startswith(("pulumi-aws", "pulumi_aws")) and "extra ==" not in r] == []
    entry_points = zipfile.ZipFile(wheel).read(f"abuse_guard-{__version__}.dist-info/entry_points.txt").decode()
    assert "abuse-guard = abuse_guard.cli:console" in entry_points


def test_the_sdist_holds_the_package_its_metadata_and_the_release_files_but_no_tests(dist: Path) -> None:
    [sdist] = dist.glob("*.tar.gz")
    root = f"abuse_guard-{__version__}/"
    with tarfile.open(sdist) as archive:
        members = {m.name.removeprefix(root) for m in archive.getmembers() if m.isfile()}
    package = {
        p.relative_to(REPO).as_posix()
        for p in (REPO / "policy-pack" / "abuse_guard").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    egg_info = {n for n in members if n.startswith("policy-pack/abuse_guard.egg-info/")}
    release = {"CHANGELOG.md", "LICENSE", "MANIFEST.in", "PKG-INFO", "README.md", "constraints.txt", "pyproject.toml"}
    assert members == release | {"setup.cfg"} | package | egg_info
    assert {n.rsplit("/", 1)[-1] for n in egg_info} >= {"PKG-INFO", "SOURCES.txt", "requires.txt"}


def test_the_thin_packs_relative_wheel_path_is_written_from_the_pack_directory(thin_pack: Path, wheel: Path) -> None:
    [line] = [x for x in (thin_pack / "requirements.txt").read_text().splitlines() if x.startswith(("..", "./"))]
    assert (thin_pack / line).resolve() == wheel.resolve()


def test_init_pack_names_the_wheel_this_venv_was_installed_from(venv: Path, wheel: Path, tmp_path: Path) -> None:
    """Installed from a wheel file: its direct_url.json (PEP 610) names it and the hash pip recorded, which pip
    checks again; init-pack says it is this machine's."""
    said = _run(venv / "bin" / "abuse-guard", "init-pack", tmp_path / "policy")
    requirements = (tmp_path / "policy" / "requirements.txt").read_text().splitlines()
    line = f"abuse-guard @ {wheel.resolve().as_uri()}#sha256={hashlib.sha256(wheel.read_bytes()).hexdigest()}"
    assert line in requirements
    assert said.splitlines()[1].startswith(f"note: requirements.txt names {line}, a path on this machine only")


def test_no_stack_sdk_is_installed_and_the_package_comes_from_the_venv(venv: Path) -> None:
    probe = (
        "import importlib.util, abuse_guard\n"
        "print(abuse_guard.__file__)\n"
        f"print([importlib.util.find_spec(m) for m in {list(STACK_SDKS)}])"
    )
    where, specs = _run(venv / "bin" / "python", "-c", probe).splitlines()
    assert Path(where).is_relative_to(venv)
    assert specs == "[None, None]"


def test_the_console_script_says_its_version(venv: Path) -> None:
    assert _run(venv / "bin" / "abuse-guard", "--version") == f"abuse-guard {__version__}\n"


def test_the_console_script_prints_the_policy_reference(venv: Path) -> None:
    reference = _run(venv / "bin" / "abuse-guard", "policies")
    headings = {line.lstrip("#").strip() for line in reference.splitlines() if line.startswith("#")}
    assert [p.id for p in POLICIES if f"`{p.id}`" not in headings] == []


def test_a_bad_command_line_exits_2_from_the_console_script(venv: Path) -> None:
    done = subprocess.run([str(venv / "bin" / "abuse-guard"), "report", "--format", "pdf"], capture_output=True)
    assert done.returncode == 2


def test_the_thin_pack_serves_the_installed_policies_over_the_analyzer_protocol(running: RunningPack) -> None:
    open_url = resource("aws:lambda/functionUrl:FunctionUrl", {"functionName": UNKNOWN, "authorizationType": "NONE"})
    said = [entry for entry in reported(running.analyze(open_url), open_url.urn) if entry.kind is Outcome.FAIL]
    assert [(entry.policy, entry.urn) for entry in said] == [("lambda-function-url-auth", open_url.urn)]
    assert running.info().name == "abuse-guard"
