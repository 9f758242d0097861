"""A Pulumi project on disk, read as the CLI reads it: Pulumi.yaml, then the stack's config file.

Pulumi.yaml also says how the program runs: `runtime.options.virtualenv` and `runtime.options.toolchain`
(pip, poetry or uv), which environment.py turns into the interpreter, as the Python language host does.

Config reaches the program as the language host hands it over: every key qualified by a namespace
(`insecure` in project `demo` becomes `demo:insecure`, `aws:region` stays), every value a string
(booleans and numbers as YAML wrote them, objects and lists as JSON). As `pulumi preview` merges it
(pulumi/pulumi pkg/workspace/config.go `mergeConfig`): the stack file's `config:` first, over the plain values
of its own ESC environment definition (stack_environment.py; objects merged per JSON merge patch), then
Pulumi.yaml's `default:`/`value:` for the keys neither sets; `--config KEY=VALUE` overrides all of them. Then
it is checked as Pulumi checks it (config_schema.py): each value of a typed key is of its type, a `secret: true`
key holds a secure value, and every project key declared without a default is set; a failed check is one
UserError naming the file and the key. A stack's config file is optional, as in Pulumi (a stack nobody has set
config on has none): a stack without one gets the project-level values alone.

Secure values (`{secure: v1:...}`) need the stack's secrets provider (`secretsprovider`, with `encryptedkey` or
`encryptionsalt`) to decrypt, which the offline preview does not have. They reach the program as the text
SECURE_PLACEHOLDER and their keys are marked secret, so `Config.get_secret`/`require_secret` hand the program a
secret and the rules see it as a secret (never read, reported as unknown). A program that parses a secure value
(`require_int`, `get_object`) needs the real value: pass it with `--config KEY=VALUE`. What the offline preview
cannot see (the secure values, the stack's ESC environments) is named in a warning (`check_config`).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped,unused-ignore]

from ..errors import UserError
from ..files.bounded_yaml import load_yaml
from ..files.inputs import read_text
from .config_schema import Declaration, declarations
from .stack_environment import StackEnvironment, read_environment

log = logging.getLogger("abuse_guard.offline")

PROJECT_FILES = ("Pulumi.yaml", "Pulumi.yml")
STACK_FILE_EXTENSIONS = (".yaml", ".yml", ".json")
SECURE_PLACEHOLDER = "[secret]"
# Pulumi's rule for stack names (sdk/go/common/tokens: "a stack name may only contain alphanumeric, hyphens,
# underscores, or periods", "cannot exceed 100 characters"); `org/project/stack` names the same stack.
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]+")
STACK_NAME_LIMIT = 100
SECRETS_KEYS = ("secretsprovider", "encryptedkey", "encryptionsalt")
"""A stack file's keys that say how its secure values are encrypted (ProjectStack in sdk/go/common/workspace)."""
OVERRIDE = "--config"
"""Where a value given with `--config KEY=VALUE` comes from, as errors name it."""
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
    objects: frozenset[str] = frozenset()
    """Keys of `config` whose values Pulumi keeps as JSON objects (lists, mappings, non-integer numbers)."""
    declarations: Mapping[str, Declaration] = field(default_factory=dict)
    """Pulumi.yaml's `config:` entries, checked, by qualified key."""
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
    objects: frozenset[str] = frozenset()
    """Keys whose values are JSON objects or lists (their structure is what a type check sees)."""
    origins: Mapping[str, str] = field(default_factory=dict)
    """Key -> where its value comes from, as errors name it: a file, or OVERRIDE."""
    environment: StackEnvironment | None = None
    """The stack file's `environment:` (Pulumi ESC), as far as it can be read offline."""
    secrets_provider: str = "the backend's default"
    """How the stack's secure values are encrypted (its `secretsprovider`), as warnings name it."""

    def overridden(self, project: Project, overrides: Mapping[str, str]) -> StackConfig:
        """These values with `--config KEY=VALUE` pairs on top (a secure key, or one Pulumi.yaml declares secret,
        is secret)."""
        given = {project.qualify(key): value for key, value in overrides.items()}
        declared_secret = {key for key in given if key in project.declarations and project.declarations[key].secret}
        return replace(
            self,
            values={**self.values, **given},
            secret_keys=self.secret_keys | declared_secret,
            objects=self.objects - set(given),
            origins={**self.origins, **dict.fromkeys(given, OVERRIDE)},
        )


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
    # Before stackConfigDir existed, `config: <directory>` said where the stack files live
    # (RewriteConfigPathIntoStackConfigDir).
    if isinstance(config_section, str) and document.get("stackConfigDir") is not None:
        raise UserError(f"{file}: use 'stackConfigDir' alone to say where the stack files are, not 'config' too")
    legacy_dir = config_section if isinstance(config_section, str) else "."
    # filepath.Join(project directory, stackConfigDir): an absolute path is taken as inside the project too
    stack_dir = _text(document, "stackConfigDir", file, default=legacy_dir)
    stack_config_dir = directory / stack_dir.lstrip("/")
    project = Project(name, file, program, stack_config_dir, {}, virtualenv=virtualenv, toolchain=toolchain)
    if isinstance(config_section, str) or config_section is None:
        return project
    if not isinstance(config_section, Mapping):
        raise UserError(f"{file}: 'config' must map config keys to values or declarations")
    return _project_config(project, config_section)


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
    value = document.get(key)
    value = default if value is None else value
    if not isinstance(value, str) or not value:
        raise UserError(f"{file}: '{key}' must be a path")
    return value


def _project_config(project: Project, section: Mapping[str, Any]) -> Project:
    """`project` with Pulumi.yaml's `config:` read: its declarations, and the values they give (`default:`,
    `value:` or a shorthand), as `createConfigValue` makes them."""
    declared = {project.qualify(key): entry for key, entry in declarations(project.name, section, project.file).items()}
    values: dict[str, str] = {}
    secret_keys = set()
    objects = set()
    for key, entry in declared.items():
        if not entry.given:
            continue
        values[key], secret = config_text(entry.value)
        if secret:
            secret_keys.add(key)
        if isinstance(entry.value, (Mapping, list, float)):
            objects.add(key)
    return replace(
        project, config=values, secret_keys=frozenset(secret_keys), objects=frozenset(objects), declarations=declared
    )


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
    """The stack's config, merged as `pulumi preview` merges it (the module's docstring); not yet checked
    (`check_config`).

    A stack with no config file (Pulumi's stacks have one only once config is set on them) gets the
    project-level values alone, with `file` None; a name that is not a valid stack name, or names another
    project, is a UserError (`stack_name`), and so is a malformed stack file (naming the file and the key)."""
    name = stack_name(stack, project)
    file = find_file(project.stack_config_dir, tuple(f"Pulumi.{name}{ext}" for ext in STACK_FILE_EXTENSIONS))
    from_project = dict.fromkeys(project.config, str(project.file))
    if file is None:
        log.warning(
            "offline preview: stack '%s' has no config file Pulumi.%s.yaml in %s: previewed with the project's config"
            " alone (if the name is mistyped, the stack you meant was not previewed)",
            name,
            name,
            project.stack_config_dir,
        )
        return StackConfig(name, None, dict(project.config), project.secret_keys, project.objects, from_project)
    document = read_yaml(file) or {}
    if not isinstance(document, Mapping):
        raise UserError(f"{file}: expected a mapping with a 'config' section")
    section = document.get("config") or {}
    if not isinstance(section, Mapping):
        raise UserError(f"{file}: 'config' must map config keys to values")
    for key in SECRETS_KEYS:
        if document.get(key) is not None and not isinstance(document[key], str):
            raise UserError(f"{file}: '{key}' must be text, as Pulumi writes it")
    environment = read_environment(document.get("environment"), file, project.qualify)
    values = dict(project.config)
    secret_keys = set(project.secret_keys)
    objects = set(project.objects)
    origins = from_project

    def take(key: str, value: Any, origin: str) -> None:
        values[key], secret = config_text(value)
        (secret_keys.add if secret else secret_keys.discard)(key)
        (objects.add if isinstance(value, (Mapping, list)) and not secret else objects.discard)(key)
        origins[key] = origin

    from_environment = environment.config if environment is not None else {}
    for key, value in from_environment.items():
        take(key, value, f"{file} (environment.values.pulumiConfig)")
    for key, value in section.items():
        qualified = project.qualify(str(key))
        if qualified in from_environment:  # the stack's value wins, objects merged (JSON merge patch, RFC 7386)
            value = merge_patch(from_environment[qualified], value)
        take(qualified, value, str(file))
    provider = document.get("secretsprovider") or ("passphrase" if document.get("encryptionsalt") else None)
    return StackConfig(
        name,
        file,
        values,
        frozenset(secret_keys),
        frozenset(objects),
        origins,
        environment,
        provider or StackConfig.secrets_provider,
    )


def merge_patch(target: Any, patch: Any) -> Any:
    """`patch` applied to `target` as RFC 7386 says: a mapping merges key by key (null removes one), anything
    else replaces `target`."""
    if not isinstance(patch, Mapping):
        return patch
    merged = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def check_config(project: Project, config: StackConfig) -> None:
    """Check the stack's config (with its `--config` values) as `pulumi preview` does before running the program
    (pkg/workspace/config.go `mergeConfig` with validation), then warn about what the offline preview cannot see.

    In Pulumi's order, by key: a key Pulumi.yaml declares `secret: true` and types must hold a secure value (or
    one given with --config); its value must be of its type (a secure value cannot be read, so it is not
    checked); a project key declared without a default must be set, unless the stack's ESC environment may set
    it. Each failure is a UserError naming where the value comes from and the key."""
    missing = []
    for key, declared in sorted(project.declarations.items()):
        if key not in config.values:
            if declared.projects and not declared.given:
                missing.append(key)
            continue
        if declared.type is None:
            continue
        origin = config.origins.get(key, str(project.file))
        if declared.secret and key not in config.secret_keys:
            raise UserError(
                f"{origin}: config '{declared.key}' must be a secure value, as {project.file} declares it secret: set "
                f"it with `pulumi config set --secret {declared.key}`, or give it with --config {declared.key}=VALUE"
            )
        if key in config.secret_keys and origin != OVERRIDE:
            continue
        text = config.values[key]
        if not declared.accepts(_checked_value(key, text, config, declared)):
            raise UserError(
                f"{origin}: config '{declared.key}' is {text!r}: stack '{config.name}' with configuration key "
                f"'{declared.key}' must be of type '{declared.type_name}' (as {project.file} declares it)"
            )
    environment = config.environment or StackEnvironment()
    opaque = bool(environment.imports) or "environment.values.pulumiConfig" in environment.unevaluated
    may_set = set(missing) if opaque else set(missing) & set(environment.unevaluated)
    required = [key for key in missing if key not in may_set]
    if required:
        raise UserError(
            f"{config.file or project.file}: stack '{config.name}' is missing configuration "
            f"{', '.join(repr(project.declarations[key].key) for key in required)} ({project.file} declares it without "
            "a default): set it in the stack's config file, or give it with --config KEY=VALUE"
        )
    _warn_unseen(config, sorted(may_set))


def _checked_value(key: str, text: str, config: StackConfig, declared: Declaration) -> Any:
    """The value a type check sees: an object's structure, else its text; a --config value of an object or
    array type is read as JSON when it is one."""
    if key in config.objects:
        return json.loads(text)
    if config.origins.get(key) == OVERRIDE and declared.type in ("object", "array"):
        try:
            return json.loads(text)
        except ValueError:
            return text
    return text


def _warn_unseen(config: StackConfig, maybe_set: list[str]) -> None:
    """One warning for each kind of config the offline preview cannot see, naming what it is and how to give it."""
    given = {key for key, origin in config.origins.items() if origin == OVERRIDE}
    set_by_the_stack = {key for key, origin in config.origins.items() if origin == str(config.file)}
    environment = config.environment or StackEnvironment()
    if environment.imports:
        unset = f"; Pulumi.yaml's config they may set: {', '.join(maybe_set)}" if maybe_set else ""
        log.warning(
            "offline preview: stack '%s' imports Pulumi ESC environments, which the offline preview cannot open: their "
            "pulumiConfig is not in its config and their environmentVariables are not set (give config values with "
            "--config KEY=VALUE, variables in abuse-guard's environment; `pulumi env open NAME` shows them%s): %s",
            config.name,
            unset,
            ", ".join(environment.imports),
        )
    # a value the stack file sets wins over the environment's (but for an object's other keys, merged in)
    unevaluated = [key for key in environment.unevaluated if key not in given and key not in set_by_the_stack]
    if unevaluated:
        log.warning(
            "offline preview: stack '%s' sets config in environment.values.pulumiConfig with expressions the offline "
            "preview cannot evaluate (${...}, fn::; give the values with --config KEY=VALUE): %s",
            config.name,
            ", ".join(unevaluated),
        )
    if environment.variables:
        log.warning(
            "offline preview: stack '%s' sets environment variables in its environment.values, which the program "
            "does not get offline (set them in abuse-guard's environment): %s",
            config.name,
            ", ".join(environment.variables),
        )
    secure = sorted(config.secret_keys - given)
    if secure:
        log.warning(
            "offline preview: stack '%s' has secure config values the offline preview cannot decrypt (secrets "
            "provider: %s): the program reads them as %r and the rules as unknown (a program that parses one needs "
            "its real value: --config KEY=VALUE): %s",
            config.name,
            config.secrets_provider,
            SECURE_PLACEHOLDER,
            ", ".join(secure),
        )


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
