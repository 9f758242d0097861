"""Reading Pulumi.yaml and the stack file: config as the language host hands it to the program."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from abuse_guard.errors import UserError
from abuse_guard.offline.project import SECURE_PLACEHOLDER, Project, load_project, load_stack, stack_name, stack_names
from tests.offline.projects import write_project

# stack file -> (qualified key, value the program reads, secret?)
CONFIG_CASES = {
    "unqualified_key_is_the_projects": ("config:\n  insecure: 'true'\n", "demo:insecure", "true", False),
    "qualified_key_stays": ("config:\n  demo:insecure: 'true'\n", "demo:insecure", "true", False),
    "provider_key": ("config:\n  aws:region: eu-west-1\n", "aws:region", "eu-west-1", False),
    "yaml_boolean_as_pulumi_writes_it": ("config:\n  flag: true\n", "demo:flag", "true", False),
    "yaml_number": ("config:\n  count: 5\n", "demo:count", "5", False),
    "object_as_json": (
        "config:\n  limits:\n    rate: 5\n    keys: [a]\n",
        "demo:limits",
        '{"rate": 5, "keys": ["a"]}',
        False,
    ),
    "secure_value": ("config:\n  token:\n    secure: v1:AAAA\n", "demo:token", SECURE_PLACEHOLDER, True),
    "secure_inside_object": (
        "config:\n  db:\n    user: app\n    password:\n      secure: v1:AAAA\n",
        "demo:db",
        '{"user": "app", "password": "[secret]"}',
        True,
    ),
}


@pytest.mark.parametrize(("stack_yaml", "key", "value", "secret"), CONFIG_CASES.values(), ids=list(CONFIG_CASES))
def test_stack_config(tmp_path: Path, stack_yaml: str, key: str, value: str, secret: bool) -> None:
    project = load_project(write_project(tmp_path, "", name="demo", stacks={"dev": stack_yaml}))
    config = load_stack(project, "dev")
    assert config.values[key] == value
    assert (key in config.secret_keys) is secret


PROJECT_YAML = """\
name: demo
runtime:
  name: python
main: app/
stackConfigDir: stacks
config:
  tier:
    type: string
    default: free
  aws:region:
    value: us-east-1
  limit: 10
  described:
    type: string
    description: no default, so no value
"""


def test_project_config_defaults_then_stack_then_overrides(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        "",
        stacks={},
        project_yaml=PROJECT_YAML,
        files={"app/__main__.py": "", "stacks/Pulumi.dev.yaml": "config:\n  tier: paid\n"},
    )
    project = load_project(root)
    config = load_stack(project, "org/demo/dev").overridden(project, {"limit": "20", "aws:profile": "ops"})
    assert config.name == "dev"
    assert dict(config.values) == {
        "demo:tier": "paid",
        "aws:region": "us-east-1",
        "demo:limit": "20",
        "aws:profile": "ops",
    }
    assert project.program_dir == root / "app"


# --stack as given -> the stack's own name (its file is Pulumi.<name>.yaml), in project `demo`
STACK_NAMES = {
    "dev": "dev",
    "org/dev": "dev",
    "org/demo/dev": "dev",
    "my-org/demo/dev_2.eu-west-1": "dev_2.eu-west-1",
    "...": "...",
    ".dev": ".dev",
    "x" * 100: "x" * 100,
}


@pytest.mark.parametrize(("stack", "name"), STACK_NAMES.items(), ids=[s[:20] for s in STACK_NAMES])
def test_stack_name(stack: str, name: str) -> None:
    assert stack_name(stack, _demo()) == name


def _demo() -> Project:
    return Project("demo", Path("/demo/Pulumi.yaml"), Path("/demo"), Path("/demo"), {})


INVALID_STACKS = [
    "",
    ".",
    "..",
    "../x",
    "x/..",
    "x/../../etc",
    "org/../dev",
    "/dev",
    "dev/",
    "org//dev",
    "a/demo/b/dev",
    "my stack",
    "dev\\..\\x",
    "dév",
    "x" * 101,
    "org/demo/" + "x" * 101,
]


@pytest.mark.parametrize("stack", INVALID_STACKS)
def test_an_invalid_stack_name_is_one_error_naming_it(stack: str) -> None:
    """A name is part of a file name: `x/../../etc` once previewed stack `etc`, `../x` stack `x`."""
    with pytest.raises(UserError) as raised:
        stack_name(stack, _demo())
    assert str(raised.value) == (
        f"stack name {stack!r} is invalid: use STACK, ORG/STACK or ORG/PROJECT/STACK, each part letters, digits, '-', "
        "'_' and '.' (at most 100 characters, and not '.' or '..')"
    )


@pytest.mark.parametrize("stack", ["org/other/dev", "org/Demo/dev", "org/etc/dev"])
def test_a_stack_of_another_project_is_one_error_naming_both(stack: str) -> None:
    with pytest.raises(UserError) as raised:
        stack_name(stack, _demo())
    project = stack.split("/")[1]
    assert str(raised.value) == (
        f"stack {stack!r} is a stack of project {project!r}, but {Path('/demo/Pulumi.yaml')} is project 'demo'"
    )


def test_stack_files_named_dot_or_dot_dot_are_no_stacks(tmp_path: Path) -> None:
    root = write_project(tmp_path, "", stacks={"dev": "", ".": "", "..": "", "...": ""})
    assert stack_names(load_project(root)) == ["...", "dev"]


# name -> (Pulumi.yaml or None for none, stack files, stack asked for, the path the error must name)
ERROR_CASES = {
    "no_project_file": (None, {"dev": "config: {}\n"}, "dev", "Pulumi.yaml"),
    "not_python": ("name: demo\nruntime: nodejs\n", {"dev": ""}, "dev", "Pulumi.yaml"),
    "main_missing": ("name: demo\nruntime: python\nmain: src/\n", {"dev": ""}, "dev", "Pulumi.yaml"),
    "invalid_yaml": ("name: demo\nruntime: [python\n", {"dev": ""}, "dev", "Pulumi.yaml"),
    "stack_config_not_a_mapping": ("name: demo\nruntime: python\n", {"dev": "config: [a]\n"}, "dev", "Pulumi.dev.yaml"),
    "invalid_stack_name": ("name: demo\nruntime: python\n", {"dev": ""}, "dev stack", "dev stack"),
    "unknown_toolchain": (
        "name: demo\nruntime:\n  name: python\n  options:\n    toolchain: npm\n",
        {"dev": ""},
        "dev",
        "'runtime.options.toolchain' is 'npm': expected one of pip, poetry, uv",
    ),
    "virtualenv_not_a_path": (
        "name: demo\nruntime:\n  name: python\n  options:\n    virtualenv: 3\n",
        {"dev": ""},
        "dev",
        "'runtime.options.virtualenv' must be a path",
    ),
}


@pytest.mark.parametrize(("project_yaml", "stacks", "stack", "named"), ERROR_CASES.values(), ids=list(ERROR_CASES))
def test_bad_project_is_one_error_naming_the_file(
    tmp_path: Path, project_yaml: str | None, stacks: dict[str, str], stack: str, named: str
) -> None:
    root = write_project(tmp_path, "", stacks=stacks, project_yaml=project_yaml or "name: x\nruntime: python\n")
    if project_yaml is None:
        (root / "Pulumi.yaml").unlink()
    with pytest.raises(UserError) as raised:
        load_stack(load_project(root), stack)
    message = str(raised.value)
    assert named in message
    assert "\n" not in message


@pytest.mark.parametrize("stacks", [{}, {"prod": "config:\n  tier: paid\n"}], ids=["no_stack_files", "another_stack"])
def test_a_stack_without_a_config_file_gets_the_project_config(
    tmp_path: Path, stacks: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    """Pulumi writes Pulumi.<stack>.yaml only when config is set on the stack: every pulumi/examples program as
    cloned has none, and `pulumi preview --stack dev` previews it with Pulumi.yaml's config alone. A mistyped
    name would do the same, so the preview warns."""
    root = write_project(
        tmp_path,
        "",
        stacks={},
        project_yaml=PROJECT_YAML,
        files={"app/__main__.py": "", **{f"stacks/Pulumi.{name}.yaml": text for name, text in stacks.items()}},
    )
    project = load_project(root)
    with caplog.at_level(logging.WARNING, logger="abuse_guard.offline"):
        config = load_stack(project, "org/demo/dev")
    assert "stack 'dev' has no config file Pulumi.dev.yaml" in caplog.text
    assert (config.name, config.file) == ("dev", None)
    assert dict(config.values) == {"demo:tier": "free", "aws:region": "us-east-1", "demo:limit": "10"}
    assert config.overridden(project, {"tier": "paid"}).values["demo:tier"] == "paid"


def test_runtime_options_are_read_as_written(tmp_path: Path) -> None:
    yaml = "name: demo\nruntime:\n  name: python\n  options:\n    toolchain: uv\n    virtualenv: ../envs/demo\n"
    project = load_project(write_project(tmp_path, "", project_yaml=yaml))
    assert (project.toolchain, project.virtualenv) == ("uv", "../envs/demo")


def test_a_yaml_alias_bomb_in_a_stack_file_is_one_error(tmp_path: Path) -> None:
    """The Pulumi CLI's YAML reader refuses excessive aliasing; so does ours, at once (found by a fresh user)."""
    (tmp_path / "Pulumi.yaml").write_text("name: bomb\nruntime: python\n", encoding="utf-8")
    (tmp_path / "__main__.py").write_text("import pulumi\n", encoding="utf-8")
    text = "config:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in range(1, 9):
        text += f"  b{level}: &b{level} [" + ", ".join(["*" + ("a" if level == 1 else f"b{level - 1}")] * 10) + "]\n"
    (tmp_path / "Pulumi.dev.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(UserError, match=r"Pulumi\.dev\.yaml: invalid YAML: more than 1,000,000 values"):
        load_stack(load_project(tmp_path), "dev")
