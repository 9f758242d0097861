"""A policy: declarative metadata, a config schema (the only home of defaults) and one check.

Resource policies check one resource (`check(resource, settings) -> Verdict`); stack policies see
the whole resource graph (`check_stack(graph, settings) -> [(resource, Verdict)]`). Exemptions,
config resolution and error handling are shared here, so a check only states its rule.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .errors import UserError
from .findings import Verdict
from .resources import Resource

if TYPE_CHECKING:
    from .graph import Graph

Settings = Mapping[str, Any]
ResourceCheck = Callable[[Resource, Settings], Verdict | None]
"""A resource's verdict; None when the resource defines nothing the policy checks (a RestApi without a body
is no operation), which, like a type the policy does not check, gives no finding."""
ResourceRemedy = Callable[[Resource, Settings], Mapping[str, Any] | None]
"""The top-level inputs a safe default would change on a resource (`{"reservedConcurrentExecutions": 1}`), or None."""
StackCheck = Callable[["Graph", Settings], Iterable[tuple[Resource, Verdict]]]
InGraphCheck = Callable[[Resource, Settings, "Graph"], Verdict | None]
"""A resource check given the stack's graph: it may decide what the check of the resource alone leaves unknown."""

SEVERITIES = ("low", "medium", "high", "critical")
ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")
EXEMPT_TAG_PREFIX = "abuse-guard:exempt:"

EXEMPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "default": [],
    "description": (
        "Resources this policy does not apply to, each with the reason: "
        '[{"resource": "<logical name, physical name or URN; * and ? match>", "reason": "..."}].'
    ),
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["resource", "reason"],
        "properties": {
            "resource": {"type": "string", "minLength": 1},
            "reason": {"type": "string", "minLength": 1},
        },
    },
}


class ConfigError(UserError, ValueError):
    """Invalid policy configuration; the message names the policy and the field."""


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    description: str
    severity: str
    enforcement: str
    resource_types: tuple[str, ...]
    rationale: str
    remediation: str
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    check: ResourceCheck | None = None
    check_stack: StackCheck | None = None
    in_graph: InGraphCheck | None = None
    """The resource check where the stack's graph is at hand (offline preview, reports), if it differs from `check`;
    the engine's per-resource Analyze has no graph and runs `check`."""
    remediate: ResourceRemedy | None = None
    """At enforcement level `remediate`, what the engine may fill in before the check runs (see evaluate.remedy)."""
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def is_stack_policy(self) -> bool:
        return self.check_stack is not None

    def applies_to(self, resource_type: str) -> bool:
        return resource_type in self.resource_types

    def config_schema(self) -> dict[str, Any]:
        """The JSON Schema for this policy's config, as the engine and `--policy-pack-config` use it."""
        return {
            "type": "object",
            "additionalProperties": False,
            "properties": {**self.config, "exemptions": EXEMPTIONS_SCHEMA},
        }

    def defaults(self) -> dict[str, Any]:
        return {key: prop["default"] for key, prop in self.config_schema()["properties"].items()}

    def settings(self, raw: Mapping[str, Any] | None) -> Settings:
        """Defaults overlaid with `raw` (as the engine sends it, or None outside the engine), validated."""
        given = {k: v for k, v in (raw or {}).items() if k != "enforcementLevel"}
        key = (self.id, json.dumps(given, sort_keys=True, default=str))
        cached = _SETTINGS_CACHE.get(key)
        if cached is None:
            cached = MappingProxyType({**self.defaults(), **_validated(self, given)})
            _SETTINGS_CACHE[key] = cached
        return cached


_SETTINGS_CACHE: dict[tuple[str, str], Settings] = {}


def _validated(policy: Policy, given: dict[str, Any]) -> dict[str, Any]:
    import jsonschema  # imported on first use: keeps the pack's start-up light

    validator = jsonschema.Draft7Validator(policy.config_schema())
    errors = sorted(validator.iter_errors(given), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "additionalProperties":
            field_name = where + "." if where else ""
            unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            raise ConfigError(
                f"policy '{policy.id}': unknown config key {field_name}{unknown[0]} "
                f"(known: {', '.join(sorted(error.schema.get('properties', {})))})"
            )
        raise ConfigError(f"policy '{policy.id}': config field '{where or '(root)'}': {error.message}")
    return given


def matches(resource: Resource, pattern: str) -> bool:
    """A name pattern matches the logical name, the physical `name` input, or the URN."""
    physical = resource.props.get("name")
    candidates = [resource.name, resource.urn]
    if isinstance(physical, str):
        candidates.append(physical)
    return any(fnmatch.fnmatchcase(candidate, pattern) for candidate in candidates)


def exemption(policy: Policy, resource: Resource, settings: Settings) -> str | None:
    """The reason `resource` is exempt from `policy` (config first, then tag), or None."""
    for entry in settings["exemptions"]:
        if matches(resource, entry["resource"]):
            return f"{entry['reason']} (policy config exemption '{entry['resource']}')"
    tags = resource.props.get("tags")
    if isinstance(tags, Mapping):
        reason = tags.get(EXEMPT_TAG_PREFIX + policy.id)
        if isinstance(reason, str) and reason.strip():
            return f"{reason.strip()} (tag {EXEMPT_TAG_PREFIX}{policy.id})"
    return None
