"""A Pulumi project on disk, read as the CLI reads it: Pulumi.yaml, then the stack's config file.

Pulumi.yaml also says how the program runs: `runtime.options.virtualenv` and `runtime.options.toolchain`
(pip, poetry or uv), which environment.py turns into the interpreter, as the Python language host does.

Config reaches the program as the language host hands it over: every key qualified by a namespace
(`insecure` in project `demo` becomes `demo:insecure`, `aws:region` stays), every value a string
(booleans and numbers as YAML wrote them, objects and lists as JSON). Project-level values
(`config:` in Pulumi.yaml, `default:` or `value:`) come first, the stack file overrides them, and
`--config KEY=VALUE` overrides both. A stack's config file is optional, as in Pulumi (a stack nobody has set
config on has none): a stack without one gets the project-level values alone.

Secure values (`{secure: v1:...}`) need the stack's secrets provider to decrypt, which the offline
preview does not have. They reach the program as the text SECURE_PLACEHOLDER and their keys are
marked secret, so `Config.get_secret`/`require_secret` hand the program a secret and the rules see
it as a secret (never read, reported as unknown). A program that parses a secure value
(`require_int`, `get_object`) needs the real value: pass it with `--config KEY=VALUE`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]

from ..errors import UserError
from ..files.bounded_yaml import load_yaml
from ..files.inputs import read_text

log = logging.getLogger("abuse_guard.offline")

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
STACK_FILE_EXTENSIONS = (".yaml", ".yml", ".json")
SECURE_PLACEHOLDER = "[secret]"
# Pulumi's rule for stack names (sdk/go/common/tokens: "a stack name may only contain alphanumeric, hyphens,
# underscores, or periods", "cannot exceed 100 characters"); `org/project/stack` names the same stack.
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+")
STACK_NAME_LIMIT = 100
# Keys of a project-level config entry that describe it rather than give its value.
CONFIG_SCHEMA_KEYS = frozenset({"type", "description", "default", "value", "secret", "items"})
TOOLCHAINS = ("pip", "poetry", "uv")
"""`runtime.options.toolchain` values the Python language host accepts (pulumi-language-python parseOptions)."""


@dataclass(frozen=True)
class Project:
    name: str
    file: Path
    """Pulumi.yaml (or Pulumi.yml)."""
    program: Path
    """`main`: the program's directory (run through its __main__.py) or file."""
    stack_config_dir: Path
    config: Mapping[str, str]
    """Project-level config values, keys qualified."""
    secret_keys: frozenset[str] = frozenset()
    virtualenv: str | None = None
    """`runtime.options.virtualenv` as written: relative to the project directory, or absolute."""
    toolchain: str | None = None
    """`runtime.options.toolchain` (pip, poetry or uv); None lets the language host pick one (lock files)."""

    @property
    def root(self) -> Path:
        return self.file.parent

    @property
    def program_dir(self) -> Path:
        """Where the language host runs the program: its working directory and first import path."""
        return self.program if self.program.is_dir() else self.program.parent

    def qualify(self, key: str) -> str:
        """`key` as the program reads it: unqualified keys belong to the project's namespace."""
        return key if ":" in key else f"{self.name}:{key}"


@dataclass(frozen=True)
class StackConfig:
    name: str
    file: Path | None
    """Pulumi.<stack>.yaml (.yml, .json); None when the stack has no config file."""
    values: Mapping[str, str]
    secret_keys: frozenset[str]

    def overridden(self, project: Project, overrides: Mapping[str, str]) -> StackConfig:
        """These values with `--config KEY=VALUE` pairs on top (a secure key stays secret)."""
        values = dict(self.values)
        values.update({project.qualify(key): value for key, value in overrides.items()})
        return replace(self, values=values)


def find_file(directory: Path, names: tuple[str, ...]) -> Path | None:
    return next((directory / name for name in names if (directory / name).is_file()), None)


def read_yaml(path: Path) -> Any:
    """A YAML (or JSON) document; a read or syntax error names the file and line."""
    text = read_text(path)
    try:
        return load_yaml(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f": line {mark.line + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        raise UserError(f"{path}{where}: invalid YAML: {problem}") from None


def load_project(directory: str | Path) -> Project:
    """The project in `directory`: its name, program and stack config directory, checked."""
    directory = Path(directory)
    file = find_file(directory, PROJECT_FILES)
    if file is None:
        raise UserError(f"{directory / PROJECT_FILES[0]}: no Pulumi project file (Pulumi.yaml or Pulumi.yml)")
    document = read_yaml(file)
    if not isinstance(document, Mapping):
        raise UserError(f"{file}: expected a mapping with name, runtime and main")
    name = document.get("name")
    if not isinstance(name, str) or not name:
        raise UserError(f"{file}: 'name' must be the project's name")
    runtime = document.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, Mapping) else runtime
    if runtime_name != "python":
        raise UserError(f"{file}: runtime {runtime_name!r} is not supported: the offline preview runs Python programs")
    virtualenv, toolchain = _runtime_options(runtime, file)
    program = directory / _text(document, "main", file, default=".")
    if program.is_dir():
        if not (program / "__main__.py").is_file():
            raise UserError(f"{file}: main {str(program)!r} has no __main__.py")
    elif not program.is_file():
        raise UserError(f"{file}: main {str(program)!r} does not exist")
    config_section = document.get("config")
    # Before stackConfigDir existed, `config: <directory>` said where the stack files live.
    legacy_dir = config_section if isinstance(config_section, str) else "."
    stack_config_dir = directory / _text(document, "stackConfigDir", file, default=legacy_dir)
    project = Project(name, file, program, stack_config_dir, {}, virtualenv=virtualenv, toolchain=toolchain)
    if isinstance(config_section, str) or config_section is None:
        return project
    if not isinstance(config_section, Mapping):
        raise UserError(f"{file}: 'config' must map config keys to values or declarations")
    values, secret_keys = _project_config(project, config_section)
    return replace(project, config=values, secret_keys=secret_keys)


def _runtime_options(runtime: Any, file: Path) -> tuple[str | None, str | None]:
    """`runtime.options.virtualenv` and `.toolchain`, checked as the language host checks them."""
    options = runtime.get("options") if isinstance(runtime, Mapping) else None
    if options is None:
        return None, None
    if not isinstance(options, Mapping):
        raise UserError(f"{file}: 'runtime.options' must map option names to values")
    virtualenv = options.get("virtualenv")
    if virtualenv is not None and (not isinstance(virtualenv, str) or not virtualenv):
        raise UserError(f"{file}: 'runtime.options.virtualenv' must be a path")
    toolchain = options.get("toolchain")
    if toolchain is not None and toolchain not in TOOLCHAINS:
        raise UserError(
            f"{file}: 'runtime.options.toolchain' is {toolchain!r}: expected one of {', '.join(TOOLCHAINS)}"
        )
    return virtualenv, toolchain


def _text(document: Mapping[str, Any], key: str, file: Path, default: str) -> str:
    value = document.get(key, default)
    if not isinstance(value, str) or not value:
        raise UserError(f"{file}: '{key}' must be a path")
    return value


def _project_config(project: Project, section: Mapping[str, Any]) -> tuple[dict[str, str], frozenset[str]]:
    """Values from Pulumi.yaml's `config:`: `key: value`, or a declaration with `default:`/`value:`."""
    values: dict[str, str] = {}
    secret_keys: set[str] = set()
    for key, entry in section.items():
        value = entry
        if isinstance(entry, Mapping) and entry and set(entry) <= CONFIG_SCHEMA_KEYS:
            if "value" not in entry and "default" not in entry:
                continue
            value = entry.get("value", entry.get("default"))
        qualified = project.qualify(str(key))
        values[qualified], secret = config_text(value)
        if secret:
            secret_keys.add(qualified)
    return values, frozenset(secret_keys)


def config_text(value: Any) -> tuple[str, bool]:
    """A config value as the program receives it, and whether it holds a secure (secret) value."""
    if isinstance(value, Mapping) and set(value) == {"secure"}:
        return SECURE_PLACEHOLDER, True
    if isinstance(value, str):
        return value, False
    secret = False

    def plain(item: Any) -> Any:
        nonlocal secret
        if isinstance(item, Mapping):
            if set(item) == {"secure"}:
                secret = True
                return SECURE_PLACEHOLDER
            return {str(k): plain(v) for k, v in item.items()}
        if isinstance(item, list):
            return [plain(v) for v in item]
        return item

    return json.dumps(plain(value)), secret


def stack_name(stack: str, project: Project) -> str:
    """The stack's own name in `stack`: `dev`, `org/dev` and `org/<project>/dev` all name the stack whose file is
    Pulumi.dev.yaml (Pulumi's fully qualified names: `<org>/<project>/<stack>`, or `<org>/<stack>` in backends that
    leave the project out).

    Every part follows Pulumi's rule for stack names (STACK_NAME, at most STACK_NAME_LIMIT characters) and is
    neither `.` nor `..` (a name is part of a file name: it never leads elsewhere); a project part must be
    `project`'s name. Anything else is a UserError naming the stack as given."""
    parts = stack.split("/")
    if len(parts) > 3 or not all(_valid_stack_part(part) for part in parts):
        raise UserError(
            f"stack name {stack!r} is invalid: use STACK, ORG/STACK or ORG/PROJECT/STACK, each part letters, digits, "
            f"'-', '_' and '.' (at most {STACK_NAME_LIMIT} characters, and not '.' or '..')"
        )
    if len(parts) == 3 and parts[1] != project.name:
        raise UserError(
            f"stack {stack!r} is a stack of project {parts[1]!r}, but {project.file} is project {project.name!r}"
        )
    return parts[-1]


def _valid_stack_part(part: str) -> bool:
    return len(part) <= STACK_NAME_LIMIT and part not in (".", "..") and STACK_NAME.fullmatch(part) is not None


def load_stack(project: Project, stack: str) -> StackConfig:
    """The stack's config: project-level values, then the stack file's `config:`.

    A stack with no config file (Pulumi's stacks have one only once config is set on them) gets the
    project-level values alone, with `file` None; a name that is not a valid stack name, or names another
    project, is a UserError (`stack_name`)."""
    name = stack_name(stack, project)
    file = find_file(project.stack_config_dir, tuple(f"Pulumi.{name}{ext}" for ext in STACK_FILE_EXTENSIONS))
    if file is None:
        log.warning(
            "offline preview: stack '%s' has no config file Pulumi.%s.yaml in %s: previewed with the project's config"
            " alone (if the name is mistyped, the stack you meant was not previewed)",
            name,
            name,
            project.stack_config_dir,
        )
        return StackConfig(name, None, dict(project.config), project.secret_keys)
    document = read_yaml(file) or {}
    if not isinstance(document, Mapping):
        raise UserError(f"{file}: expected a mapping with a 'config' section")
    section = document.get("config") or {}
    if not isinstance(section, Mapping):
        raise UserError(f"{file}: 'config' must map config keys to values")
    values = dict(project.config)
    secret_keys = set(project.secret_keys)
    for key, value in section.items():
        qualified = project.qualify(str(key))
        values[qualified], secret = config_text(value)
        if secret:
            secret_keys.add(qualified)
        else:
            secret_keys.discard(qualified)
    return StackConfig(name, file, values, frozenset(secret_keys))


def stack_names(project: Project) -> list[str]:
    """The project's stacks that have a config file, sorted: one per `Pulumi.<stack>.yaml` (.yml, .json) in its
    stack config directory."""
    directory = project.stack_config_dir
    if not directory.is_dir():
        return []
    names = set()
    try:
        for path in directory.iterdir():
            name = path.name[len("Pulumi.") : -len(path.suffix)] if path.suffix in STACK_FILE_EXTENSIONS else ""
            if path.name.startswith("Pulumi.") and _valid_stack_part(name) and path.is_file():
                names.add(name)
    except OSError as error:
        raise UserError(f"{directory}: cannot read: {error.strerror or error}") from None
    return sorted(names)
