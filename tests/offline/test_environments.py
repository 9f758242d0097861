"""The program runs with the interpreter `pulumi preview` would use: its virtualenv, uv's or poetry's, else ours."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from abuse_guard.errors import UserError
from abuse_guard.findings import Outcome
from abuse_guard.offline import recorded
from abuse_guard.offline.environment import interpreter
from abuse_guard.offline.project import load_project
from abuse_guard.pipeline import preview
from tests.offline.projects import OLDEST_PULUMI_WHEEL, install_wheel, virtualenv, write_project

UV_LOCK = (
    'version = 1\nrequires-python = ">=3.11"\n\n'
    '[[package]]\nname = "shop"\nversion = "0.1.0"\nsource = { virtual = "." }\n'
)
PYPROJECT = '[project]\nname = "shop"\nversion = "0.1.0"\nrequires-python = ">=3.11"\ndependencies = []\n'


def pulumi_yaml(options: str = "", main: str = "") -> str:
    runtime = f"runtime:\n  name: python\n  options:\n{options}" if options else "runtime: python\n"
    return f"name: shop\n{runtime}{main}"


# name -> (runtime options in Pulumi.yaml, files, UV_PROJECT_ENVIRONMENT, the virtualenv that runs the program)
FOUND = {
    "no_options_is_our_own_interpreter": ("", {}, None, None),
    "virtualenv_relative_to_the_project": ("    virtualenv: venv\n", {}, None, "venv"),
    "virtualenv_absolute": ("    virtualenv: {root}/elsewhere\n", {}, None, "elsewhere"),
    "uv_lock_puts_it_next_to_the_lock": ("", {"uv.lock": UV_LOCK, "pyproject.toml": PYPROJECT}, None, ".venv"),
    "uv_toolchain_next_to_pyproject": ("    toolchain: uv\n", {"pyproject.toml": PYPROJECT}, None, ".venv"),
    "uv_project_environment": ("", {"uv.lock": UV_LOCK}, "envs/shop", "envs/shop"),
    "uv_with_a_named_virtualenv": ("    toolchain: uv\n    virtualenv: named\n", {"uv.lock": UV_LOCK}, None, "named"),
}


@pytest.mark.parametrize(("options", "files", "uv_environment", "expected"), FOUND.values(), ids=list(FOUND))
def test_the_interpreter_is_found_as_the_language_host_finds_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    options: str,
    files: dict[str, str],
    uv_environment: str | None,
    expected: str | None,
) -> None:
    root = write_project(tmp_path, "", project_yaml=pulumi_yaml(options.format(root=tmp_path)), files=files)
    if expected is not None:
        (root / expected / "bin").mkdir(parents=True)
        (root / expected / "bin" / "python").write_text("", encoding="utf-8")
    if uv_environment is None:
        monkeypatch.delenv("UV_PROJECT_ENVIRONMENT", raising=False)
    else:
        monkeypatch.setenv("UV_PROJECT_ENVIRONMENT", uv_environment)
    found = interpreter(load_project(root))
    if expected is None:
        assert (found.executable, found.virtualenv) == (Path(sys.executable), None)
    else:
        assert (found.executable, found.virtualenv) == (root / expected / "bin" / "python", root / expected)


# name -> (runtime options, files, the one error line's end)
MISSING = {
    "named_virtualenv_missing": (
        "    virtualenv: venv\n",
        {"requirements.txt": "pulumi\n"},
        "runtime.options.virtualenv is 'venv', but {root}/venv does not exist; create it with: python3 -m venv "
        "{root}/venv && {root}/venv/bin/python -m pip install -r {root}/requirements.txt (or `pulumi install`)",
    ),
    "virtualenv_without_python": (
        "    virtualenv: empty\n",
        {"empty/README": "not a virtualenv\n"},
        "runtime.options.virtualenv is 'empty', but {root}/empty is not a virtualenv (it has no bin/python); "
        "create it with: python3 -m venv {root}/empty (or `pulumi install`)",
    ),
    "uv_environment_missing": (
        "",
        {"uv.lock": UV_LOCK},
        "the uv toolchain's environment {root}/.venv does not exist; create it with: uv sync (in {root})",
    ),
    "poetry_not_installed": (
        "    toolchain: poetry\n",
        {},
        "the poetry toolchain needs the `poetry` command, which is not on PATH; install Poetry (1.8 or later), or "
        "set runtime.options.toolchain to pip",
    ),
}


@pytest.mark.parametrize(("options", "files", "message"), MISSING.values(), ids=list(MISSING))
def test_an_environment_that_is_not_there_is_one_error_with_the_command_that_creates_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: str, files: dict[str, str], message: str
) -> None:
    monkeypatch.setenv("PATH", os.defpath)  # no poetry, whatever this machine has
    monkeypatch.delenv("UV_PROJECT_ENVIRONMENT", raising=False)
    root = write_project(tmp_path, "", project_yaml=pulumi_yaml(options), files=files)
    with pytest.raises(UserError) as raised:
        preview(root, "dev")
    assert str(raised.value) == f"{root / 'Pulumi.yaml'}: " + message.format(root=root.resolve())


# -- programs run in their own environment ------------------------------------------------------------

TAGGED = """
import sys
import importlib.metadata
{imports}
aws.sns.Topic("topic", tags={{"prefix": sys.prefix, "pulumi": importlib.metadata.version("pulumi"), {tags}}})
"""


def test_a_program_imports_the_packages_of_its_own_virtualenv(tmp_path: Path) -> None:
    venv = virtualenv(tmp_path / ".venv", modules={"acme_naming": "TEAM = 'payments'\n"})
    source = TAGGED.format(imports="import acme_naming", tags='"team": acme_naming.TEAM')
    root = write_project(tmp_path, source, project_yaml=pulumi_yaml("    virtualenv: .venv\n"))
    [topic] = [r for r in recorded(root, "dev") if r.name == "topic"]
    assert topic.props["tags"] == {"prefix": str(venv.resolve()), "pulumi": "3.272.0", "team": "payments"}
    assert "acme_naming" not in sys.modules


def test_a_uv_project_runs_in_the_environment_next_to_its_lock(tmp_path: Path) -> None:
    venv = virtualenv(tmp_path / ".venv")
    files = {"uv.lock": UV_LOCK, "pyproject.toml": PYPROJECT}
    root = write_project(tmp_path, TAGGED.format(imports="", tags=""), project_yaml=pulumi_yaml(), files=files)
    [topic] = [r for r in recorded(root, "dev") if r.name == "topic"]
    assert topic.props["tags"]["prefix"] == str(venv.resolve())


def test_an_environment_without_the_pulumi_sdk_is_one_error(tmp_path: Path) -> None:
    virtualenv(tmp_path / "venv", with_our_packages=False)
    root = write_project(tmp_path, "", project_yaml=pulumi_yaml("    virtualenv: venv\n"))
    with pytest.raises(UserError) as raised:
        preview(root, "dev")
    assert str(raised.value) == (
        f"{root.resolve()}/venv/bin/python (runtime.options.virtualenv) cannot import the pulumi SDK "
        "(ModuleNotFoundError: No module named 'pulumi'): install the program's dependencies there"
    )


# A program that needs only the pulumi SDK: resources and a data source through its own classes and calls.
SDK_ONLY = """
import importlib.metadata
import pulumi


class Function(pulumi.CustomResource):
    def __init__(self, name, props):
        super().__init__("aws:lambda/function:Function", name, {"arn": None, **props})


reserved = Function("reserved", {"runtime": "python3.12", "reservedConcurrentExecutions": 2})
Function("unreserved", {"runtime": "python3.12"})
caller = pulumi.runtime.invoke("aws:index/getCallerIdentity:getCallerIdentity", {}).value
pulumi.CustomResource(
    "aws:lambda/permission:Permission",
    "from-my-bucket",
    {
        "action": "lambda:InvokeFunction",
        "function": reserved.id,
        "principal": "s3.amazonaws.com",
        "sourceArn": "arn:aws:s3:::uploads",
        "sourceAccount": caller["accountId"],
        "description": importlib.metadata.version("pulumi"),
    },
)
"""

# the pulumi SDK in the program's environment -> its version
SDK_VERSIONS = {"pinned": "3.272.0", "oldest_supported": "3.50.0"}


@pytest.mark.parametrize("version", SDK_VERSIONS.values(), ids=list(SDK_VERSIONS))
def test_the_recording_runs_under_the_oldest_supported_and_the_pinned_pulumi(tmp_path: Path, version: str) -> None:
    venv = virtualenv(tmp_path / "venv")
    if version != "3.272.0":
        assert OLDEST_PULUMI_WHEEL.is_file(), f"{OLDEST_PULUMI_WHEEL} is missing: `make setup` downloads it"
        install_wheel(venv, OLDEST_PULUMI_WHEEL)
    root = write_project(tmp_path, "", project_yaml=pulumi_yaml("    virtualenv: venv\n"))
    (root / "__main__.py").write_text(SDK_ONLY, encoding="utf-8")
    run = preview(root, "dev")
    outcomes = {(f.policy, f.name): f.outcome for f in run.findings if f.outcome is not Outcome.NOT_APPLICABLE}
    assert outcomes == {
        ("lambda-reserved-concurrency", "reserved"): Outcome.PASS,
        ("lambda-reserved-concurrency", "unreserved"): Outcome.FAIL,
        ("lambda-permission-scope", "from-my-bucket"): Outcome.PASS,
        ("account-concurrency-headroom", "shop-dev"): Outcome.PASS,
    }
    [permission] = [r for r in recorded(root, "dev") if r.name == "from-my-bucket"]
    assert (permission.props["description"], permission.props["sourceAccount"]) == (version, "123456789012")
