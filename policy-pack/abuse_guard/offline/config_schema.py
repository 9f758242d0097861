"""Pulumi.yaml's `config:` as the Pulumi CLI reads it: each entry a value or a declaration, and the checks on both.

Source: pulumi/pulumi sdk/go/common/workspace (project.json's `config` and `configTypeDeclaration` schema,
`RewriteShorthandConfigValues`, `Project.Validate`, `ValidateConfigValue`, `InferFullTypeName`) and
pkg/workspace/config.go (`mergeConfig`, `validateStackConfigValue`), which `pulumi preview` runs before the program:

- an entry is a shorthand (a string, an integer, a boolean or a list) or a declaration (a mapping of `type`,
  `items`, `description`, `secret`, `default`, `value`); anything else, or any other attribute, is invalid;
- a key the project namespaces (no namespace, or `<project>:`) takes a shorthand as its `default`; any other
  key (`aws:region`) takes it as its `value`, and a declaration of one must give `value` and no `type` or
  `default`;
- `type` is string, integer, boolean, array or object; an array names its items' type (`items: {type: ...}`,
  nested for arrays of arrays); a typed `default` must be of that type; `default` and `value` exclude each other;
- the stack's config is checked against each typed declaration: its value must be of the type (`ValidateConfigValue`,
  below), and a `secret: true` key must hold a secure (encrypted) value; a project key declared with neither
  `default` nor `value` must be set by the stack ("Stack 'dev' is missing configuration value 'x'").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UserError

TYPES = ("string", "integer", "boolean", "array", "object")
"""project.json's simpleConfigType."""
DECLARATION_KEYS = frozenset({"type", "items", "description", "secret", "default", "value"})
"""project.json's configTypeDeclaration: `additionalProperties: false`."""
INTEGER_TEXT = re.compile(r"[+-]?[0-9]+")
"""What Go's strconv.Atoi parses (within int64, INT64 below)."""
INT64 = 1 << 63


@dataclass(frozen=True)
class ItemsType:
    """An array's items: `items: {type: string}`, or `{type: array, items: {...}}` for arrays of arrays."""

    type: str
    items: ItemsType | None = None


@dataclass(frozen=True)
class Declaration:
    """One entry of Pulumi.yaml's `config:`, checked."""

    key: str
    """As written in Pulumi.yaml (`tier`, `aws:region`)."""
    type: str | None = None
    """One of TYPES; None when the entry declares no type (its values are not checked)."""
    items: ItemsType | None = None
    secret: bool = False
    given: bool = False
    """Whether the entry gives a value (`default`, `value` or a shorthand): a project key without one must be set."""
    value: Any = None
    """The `default` or `value` as YAML wrote it."""
    projects: bool = True
    """Whether the project namespaces the key (no namespace, or `<project>:`): only those may be typed or required."""

    @property
    def type_name(self) -> str:
        """`integer`, `array<string>`, as Pulumi's messages name it (InferFullTypeName)."""
        return _full_type_name(self.type or "", self.items)

    def accepts(self, value: Any) -> bool:
        """Whether `value` (a stack value as Pulumi checks it: its text, or its structure if it is an object or a
        list) is of this declaration's type; True when it declares none."""
        return self.type is None or valid(self.type, self.items, value)


def declarations(project: str, section: Mapping[Any, Any], file: Path) -> dict[str, Declaration]:
    """The entries of Pulumi.yaml's `config:` mapping, by key as written; a UserError names the file and the key."""
    found: dict[str, Declaration] = {}
    for key, entry in section.items():
        if not isinstance(key, str) or not key:
            raise UserError(f"{file}: config key {key!r} must be text")
        found[key] = _declaration(project, key, entry, file)
    return found


def _declaration(project: str, key: str, entry: Any, file: Path) -> Declaration:
    projects = ":" not in key or key.startswith(f"{project}:")
    where = f"{file}: config '{key}'"
    if isinstance(entry, (str, int, list)):  # a shorthand (a bool is an int)
        return Declaration(key, given=True, value=entry, projects=projects)
    if not isinstance(entry, Mapping):
        raise UserError(
            f"{where} is {entry!r}: expected a string, an integer, a boolean, a list, or a declaration "
            "(type, default, value, secret, description, items)"
        )
    unknown = sorted(str(name) for name in entry if name not in DECLARATION_KEYS)
    if unknown:
        raise UserError(
            f"{where} has {', '.join(repr(name) for name in unknown)}: a declaration has only type, default, value, "
            "secret, description and items (an object value goes under `default:` or `value:`)"
        )
    type_ = entry.get("type")
    if type_ is not None and type_ not in TYPES:
        raise UserError(f"{where}: type {type_!r} is not one of {', '.join(TYPES)}")
    secret = entry.get("secret", False)
    if not isinstance(secret, bool):
        raise UserError(f"{where}: secret must be true or false")
    description = entry.get("description")
    if description is not None and not isinstance(description, str):
        raise UserError(f"{where}: description must be text")
    items = _items(entry["items"], f"{where}: items") if "items" in entry else None
    if entry.get("default") is not None and entry.get("value") is not None:
        raise UserError(f"{where} cannot have both a 'default' and 'value' attribute")
    given = entry.get("default") is not None or entry.get("value") is not None
    value = entry.get("default") if entry.get("default") is not None else entry.get("value")
    declared = Declaration(key, type_, items, secret, given, value, projects)
    if projects:
        if type_ == "array" and items is None:
            raise UserError(f"{where} declares an array but does not say its items' type (items: {{type: ...}})")
        if type_ is not None and entry.get("default") is not None and not declared.accepts(value):
            raise UserError(f"{where}: the default value {value!r} is not of the expected type '{declared.type_name}'")
        return declared
    if type_ is not None:
        raise UserError(f"{where} is not namespaced by the project and should not define a type")
    if entry.get("default") is not None:
        raise UserError(
            f"{where} is not namespaced by the project and should not define a default value: use 'value' instead"
        )
    if entry.get("value") is None:
        raise UserError(f"{where} is namespaced and must provide an attribute 'value'")
    return declared


def _items(entry: Any, where: str) -> ItemsType:
    """project.json's configItemsType: `type` required (a simple type), `items` required for an array."""
    if not isinstance(entry, Mapping) or set(entry) - {"type", "items"}:
        raise UserError(f"{where} must be a mapping with 'type' (and 'items' for an array)")
    type_ = entry.get("type")
    if type_ is None:
        raise UserError(f"{where} needs a 'type': one of {', '.join(TYPES)}")
    if type_ not in TYPES:
        raise UserError(f"{where}: type {type_!r} is not one of {', '.join(TYPES)}")
    if type_ == "array" and "items" not in entry:
        raise UserError(f"{where}: an array of arrays says its items' type (items: {{type: ...}})")
    return ItemsType(type_, _items(entry["items"], f"{where}.items") if "items" in entry else None)


def valid(type_: str, items: ItemsType | None, value: Any) -> bool:
    """Pulumi's ValidateConfigValue: whether `value` is of `type_`.

    A string type takes text; an integer a whole number or the text of one (as strconv.Atoi reads it); a boolean
    `true`/`false` or their text; an object a mapping; an array a list whose every item is of `items`' type."""
    if type_ == "string":
        return isinstance(value, str)
    if type_ == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return True
        return isinstance(value, str) and INTEGER_TEXT.fullmatch(value) is not None and -INT64 <= int(value) < INT64
    if type_ == "boolean":
        return isinstance(value, bool) or value in ("true", "false")
    if type_ == "object":
        return isinstance(value, Mapping)
    if not isinstance(value, list) or items is None:
        return False
    return all(valid(items.type, items.items, item) for item in value)


def _full_type_name(type_: str, items: ItemsType | None) -> str:
    return f"array<{_full_type_name(items.type, items.items)}>" if items is not None else type_
