"""Pack config in the format of `pulumi preview --policy-pack-config FILE`, applied as the engine does.

{"all": "advisory", "<policy>": "disabled", "<policy>": {"enforcementLevel": "mandatory", "<key>": ...}}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .files.bounded_json import load_json
from .files.inputs import read_text
from .policy import ENFORCEMENT_LEVELS, ConfigError, Policy


@dataclass(frozen=True)
class PackConfig:
    levels: Mapping[str, str]
    """Enforcement level of every policy, after defaults, "all" and per-policy levels."""
    properties: Mapping[str, Mapping[str, Any]]
    """Each policy's config values (validated, without the enforcement level)."""

    def enabled(self, policies: Iterable[Policy]) -> list[Policy]:
        return [p for p in policies if self.levels[p.id] != "disabled"]


def parse(raw: Any, policies: Iterable[Policy], source: str = "policy config") -> PackConfig:
    """Validate a config document against the pack; the error names the source, policy and field."""
    policies = list(policies)
    by_id = {p.id: p for p in policies}
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: expected a JSON object keyed by policy name")
    levels = {p.id: p.enforcement for p in policies}
    properties: dict[str, Mapping[str, Any]] = {}
    if "all" in raw:
        everyone = _level(raw["all"], "all", source)
        levels = dict.fromkeys(levels, everyone)
    for key, value in raw.items():
        if key == "all":
            continue
        policy = by_id.get(key)
        if policy is None:
            raise ConfigError(f"{source}: unknown policy '{key}' (known: {', '.join(by_id)})")
        if isinstance(value, str):
            levels[key] = _level(value, key, source)
            continue
        if not isinstance(value, Mapping):
            raise ConfigError(f"{source}: policy '{key}': expected an enforcement level or an object")
        if "enforcementLevel" in value:
            levels[key] = _level(value["enforcementLevel"], key, source)
        props = {k: v for k, v in value.items() if k != "enforcementLevel"}
        try:
            policy.settings(props)
        except ConfigError as error:
            raise ConfigError(f"{source}: {error}") from None
        properties[key] = props
    return PackConfig(levels, properties)


def _level(value: Any, policy: str, source: str) -> str:
    if value not in ENFORCEMENT_LEVELS:
        raise ConfigError(
            f"{source}: policy '{policy}': enforcement level {value!r} is not one of {', '.join(ENFORCEMENT_LEVELS)}"
        )
    return str(value)


def load(path: str | Path | None, policies: Iterable[Policy]) -> PackConfig:
    """Read a `--policy-pack-config` file (`-` for standard input); None gives the defaults.

    Raises UserError naming the file: unreadable, larger than files.inputs.MAX_LINE_BYTES, invalid JSON, nested
    deeper than files.bounded_json.MAX_DEPTH, or invalid for a policy (ConfigError naming the policy and field), which
    includes NaN and infinite numbers (Python's JSON reader takes NaN, Infinity and 1e999; Go's, the Pulumi
    CLI's, does not).
    """
    if path is None:
        return parse({}, policies)
    try:
        raw = load_json(read_text(path), str(path))
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}: line {error.lineno}: invalid JSON: {error.msg}") from None
    return parse(raw, policies, str(path))
