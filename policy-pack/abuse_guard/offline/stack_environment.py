"""A stack file's `environment:`: the Pulumi ESC environments `pulumi preview` opens for the stack, read offline.

Source: pulumi/pulumi sdk/go/common/workspace/project.go (`ProjectStack.Environment`, `Environment.Definition`,
`Environment.Imports`), pkg/cmd/pulumi/config/io.go (`getStackConfigurationFromProjectStack`: the opened
environment's `pulumiConfig` becomes stack config, its `environmentVariables` the process's environment),
pkg/workspace/config.go (`mergeConfig`: the stack's own values win, objects merged per JSON merge patch), and
pulumi/esc ast/environment.go (`ParseEnvironment`, `ImportDecl`):

- `environment: [myorg/dev, shared]` is a list of environment names: an anonymous environment importing them;
- `environment: {imports: [...], values: {...}}` is an environment definition of the stack's own: `imports`
  is a list of names, or of single-key mappings (`- myorg/dev: {merge: false}`: not merged, only referable);
  `values.pulumiConfig` and `values.environmentVariables` are what reaches the stack.

Opening an environment needs Pulumi Cloud, so the offline preview reads only what the file itself says: the
definition's own `values.pulumiConfig` entries that are plain values (no `${...}` interpolation, no `fn::`
function) are config; the imported environments, the other entries and the environment variables are not seen,
and the offline preview warns about each (project.py `warn_unseen`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UserError

SHAPE = "a list of environment names, or an environment definition with 'imports' and 'values'"


@dataclass(frozen=True)
class StackEnvironment:
    """What a stack file's `environment:` says, as far as it can be read without opening anything."""

    imports: tuple[str, ...] = ()
    """The environments merged into the stack's, in order (those imported with `merge: false` are not)."""
    config: Mapping[str, Any] = field(default_factory=dict)
    """Qualified config key -> its plain value, from the definition's own `values.pulumiConfig`."""
    unevaluated: tuple[str, ...] = ()
    """Qualified keys of `values.pulumiConfig` whose values are expressions (or `values.pulumiConfig` itself)."""
    variables: tuple[str, ...] = ()
    """Names in the definition's `values.environmentVariables` and `values.files` (or those sections themselves)."""


def read_environment(value: Any, file: Path, qualify: Callable[[str], str]) -> StackEnvironment | None:
    """The stack file's `environment:` value; None when there is none. A malformed one is a UserError naming
    the file and the entry."""
    if value is None or value == []:
        return None
    if isinstance(value, list):
        for index, name in enumerate(value):
            if not isinstance(name, str) or not name:
                raise UserError(f"{file}: environment[{index}] is {name!r}: 'environment' must be {SHAPE}")
        return StackEnvironment(imports=tuple(value))
    if not isinstance(value, Mapping):
        raise UserError(f"{file}: 'environment' is {value!r}: it must be {SHAPE}")
    # ESC reads the definition's own keys whatever their case, and ignores keys it does not know.
    keys = {str(key).lower(): key for key in value}
    imports = value.get(keys["imports"]) if "imports" in keys else None
    values = value.get(keys["values"]) if "values" in keys else None
    if values is not None and not isinstance(values, Mapping):
        raise UserError(f"{file}: environment.values must be a mapping")
    values = values or {}
    config, unevaluated = _pulumi_config(values.get("pulumiConfig"), file, qualify)
    variables = []
    for section in ("environmentVariables", "files"):  # `files`: variables naming files ESC writes
        names = values.get(section)
        if isinstance(names, Mapping):
            variables += [str(name) for name in names]
        elif names is not None:
            variables.append(f"environment.values.{section}")
    return StackEnvironment(_imports(imports, file), config, unevaluated, tuple(variables))


def _imports(imports: Any, file: Path) -> tuple[str, ...]:
    if imports is None:
        return ()
    if not isinstance(imports, list):
        raise UserError(f"{file}: environment.imports must be a list of environment names")
    names = []
    for index, entry in enumerate(imports):
        if isinstance(entry, str) and entry:
            names.append(entry)
        elif isinstance(entry, Mapping) and len(entry) == 1:
            ((name, meta),) = entry.items()
            if not isinstance(meta, (Mapping, type(None))):
                raise UserError(f"{file}: environment.imports[{index}]: {name!r} takes options, such as merge: false")
            if (meta or {}).get("merge", True) is not False:
                names.append(str(name))
        else:
            raise UserError(
                f"{file}: environment.imports[{index}] is {entry!r}: an import is an environment's name, or a mapping "
                "of one name to its options ({merge: false})"
            )
    return tuple(names)


def _pulumi_config(section: Any, file: Path, qualify: Callable[[str], str]) -> tuple[dict[str, Any], tuple[str, ...]]:
    """(plain values by qualified key, keys whose values are expressions) of `values.pulumiConfig`."""
    if section is None:
        return {}, ()
    if not isinstance(section, Mapping) or not _plain(dict(section.items()), top=True):
        return {}, ("environment.values.pulumiConfig",)
    config: dict[str, Any] = {}
    unevaluated = []
    for key, value in section.items():
        if not isinstance(key, str) or not key:
            raise UserError(f"{file}: environment.values.pulumiConfig key {key!r} must be text")
        if _plain(value):
            config[qualify(key)] = value
        else:
            unevaluated.append(qualify(key))
    return config, tuple(unevaluated)


def _plain(value: Any, top: bool = False) -> bool:
    """Whether `value` is a plain value ESC gives as it is: no `${...}` interpolation, no `fn::` function, no null.
    With `top`, only the mapping's own keys are looked at (`pulumiConfig: {fn::open: ...}` is one expression)."""
    if isinstance(value, Mapping):
        if any(isinstance(key, str) and key.startswith("fn::") for key in value):
            return False
        return top or all(_plain(item) for item in value.values())
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    if isinstance(value, str):
        return "${" not in value
    return isinstance(value, (bool, int, float))
