"""A policy: declarative metadata, a config schema (the only home of defaults) and one check.

Resource policies check one resource (`check(resource, settings) -> Verdict`); stack policies see
the whole resource graph (`check_stack(graph, settings) -> [(resource, Verdict)]`). Exemptions,
config resolution and error handling are shared here, so a check only states its rule.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .errors import UserError
from .findings import Outcome, Verdict
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

MAX_PATTERN_LENGTH = 1024
"""Longest name pattern (exemptions, per-function overrides): a URN is a few hundred characters."""
MAX_PATTERN_STARS = 16
"""Most `*` in one name pattern."""
MAX_EXEMPTIONS = 500
"""Most exemptions per policy: each resource is compared with each of them."""
MAX_REASON_LENGTH = 1024
"""Longest exemption reason, in characters: it is repeated in every finding it covers."""

NAME_PATTERN_SCHEMA: dict[str, Any] = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_PATTERN_LENGTH,
    "pattern": f"^[^*]*(\\*[^*]*){{0,{MAX_PATTERN_STARS}}}$",
}
"""A name pattern, as `matches` reads it: `*` and `?` are wildcards, every other character is itself; at most
MAX_PATTERN_LENGTH characters and MAX_PATTERN_STARS stars."""

EXEMPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "default": [],
    "maxItems": MAX_EXEMPTIONS,
    "description": (
        "Resources this policy does not apply to, each with the reason: "
        '[{"resource": "<logical name, physical name or URN; * and ? match>", "reason": "..."}].'
    ),
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["resource", "reason"],
        "properties": {
            "resource": NAME_PATTERN_SCHEMA,
            "reason": {"type": "string", "minLength": 1, "maxLength": MAX_REASON_LENGTH},
        },
    },
}


class ConfigError(UserError, ValueError):
    """Invalid policy configuration; the message names the policy and the field."""


@dataclass(frozen=True)
class Covered:
    """Where another policy's exemption covers this one's findings: `related(resource, graph)` are the resources
    whose exemption from `policy` also exempts `resource` (a public function URL's companion grants)."""

    policy: str
    related: Callable[[Resource, Graph], list[Resource]]


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    description: str
    severity: str
    enforcement: str
    resource_types: tuple[str, ...]
    """The pulumi-aws types it checks; a resource declared through aws-native is checked as its pulumi-aws view
    (evaluate.py: `in_scope` and `declared_types` say which declared types that covers)."""
    rationale: str
    remediation: str
    config: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    check: ResourceCheck | None = None
    check_stack: StackCheck | None = None
    in_graph: InGraphCheck | None = None
    """The resource check where the stack's graph is at hand, if it differs from `check`: every stack-level
    evaluation runs it (offline preview, reports, and the engine's AnalyzeStack for what `check` alone leaves
    open; see `decided_alone`)."""
    decided_alone: frozenset[Outcome] = frozenset()
    """For a policy with `in_graph`: the outcomes of `check` (the resource alone) that no graph changes, which the
    engine's per-resource Analyze reports; every other resource is judged at AnalyzeStack with the graph. An
    exemption never depends on the graph, so EXEMPT is always decided alone. Ignored without `in_graph`."""
    covered_by: Covered | None = None
    """In a stack-level evaluation, another policy's exemption of related resources that covers this one's."""
    remediate: ResourceRemedy | None = None
    """At enforcement level `remediate`, what the engine may fill in before the check runs (see evaluate.remedy)."""
    references: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    @property
    def is_stack_policy(self) -> bool:
        return self.check_stack is not None

    def decides_alone(self, outcome: Outcome) -> bool:
        """Whether `check`'s `outcome` for a resource alone is its verdict in any stack (see `decided_alone`)."""
        return self.in_graph is None or outcome is Outcome.EXEMPT or outcome in self.decided_alone

    def applies_to(self, resource_type: str) -> bool:
        """Whether it checks resources (or views) of pulumi-aws type `resource_type`."""
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

    non_finite = _non_finite(given)
    if non_finite is not None:
        raise ConfigError(
            f"policy '{policy.id}': config field '{non_finite[0]}': {non_finite[1]} is not a finite number "
            "(NaN and infinities are not allowed)"
        )
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
        why = ""
        if error.validator in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            described = error.schema.get("description") if isinstance(error.schema, Mapping) else None
            why = f" ({described})" if isinstance(described, str) else ""
        raise ConfigError(f"policy '{policy.id}': config field '{where or '(root)'}': {error.message}{why}")
    return given


def _non_finite(value: Any) -> tuple[str, float] | None:
    """(dotted path, value) of the first NaN or infinity in a config value, or None; iterative, so any depth."""
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        where, item = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return where or "(root)", item
        if isinstance(item, Mapping):
            pending.extend((f"{where}.{key}" if where else str(key), v) for key, v in reversed(list(item.items())))
        elif isinstance(item, (list, tuple)):
            pending.extend((f"{where}[{index}]", v) for index, v in reversed(list(enumerate(item))))
    return None


def matches(resource: Resource, pattern: str) -> bool:
    """A name pattern matches the logical name, the physical `name` input, or the URN (see `wildcard_match`)."""
    physical = resource.props.get("name")
    candidates = [resource.name, resource.urn]
    if isinstance(physical, str):
        candidates.append(physical)
    return any(wildcard_match(candidate, pattern) for candidate in candidates)


def wildcard_match(name: str, pattern: str) -> bool:
    """Whether `pattern` matches all of `name`: `*` any run of characters, `?` any one, the rest themselves.

    No character classes, unlike fnmatch (whose translation to a regular expression took time quadratic
    in a pattern of `[`s). The parts between stars are found left to right, each at its first place after
    the one before (the first anchored at the start, the last at the end), so the time is at most
    len(name) x len(pattern), linear in the name for the patterns the schema allows.
    """
    first, *middle = pattern.split("*")
    if not middle:
        return len(name) == len(pattern) and _fits(name, 0, pattern)
    last = middle.pop()
    end = len(name) - len(last)
    if end < len(first) or not _fits(name, 0, first) or not _fits(name, end, last):
        return False
    position = len(first)
    for part in filter(None, middle):
        found = _find(name, part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


def _fits(name: str, at: int, part: str) -> bool:
    """`part` (with `?` for any character) matches `name` at `at` (the caller has checked it fits in length)."""
    if "?" not in part:
        return name.startswith(part, at)
    return all(p == "?" or p == n for p, n in zip(part, name[at : at + len(part)], strict=True))


def _find(name: str, part: str, start: int, end: int) -> int:
    """Where `part` (with `?` for any character) first matches within name[start:end], or -1."""
    if "?" not in part:
        return name.find(part, start, end)
    found = _part_expression(part).search(name, start, end)
    return -1 if found is None else found.start()


@lru_cache(maxsize=256)
def _part_expression(part: str) -> re.Pattern[str]:
    """Literal characters and `.` for each `?`: no repetition, so a search is at most len(name) x len(part)."""
    return re.compile("".join("." if c == "?" else re.escape(c) for c in part), re.DOTALL)


def exemption(policy: Policy, resource: Resource, settings: Settings) -> str | None:
    """The reason `resource` is exempt from `policy` (config first, then tag), or None."""
    for entry in settings["exemptions"]:
        if matches(resource, entry["resource"]):
            return f"{entry['reason']} (policy config exemption '{entry['resource']}')"
    reason = tag(resource, EXEMPT_TAG_PREFIX + policy.id)
    if isinstance(reason, str) and reason.strip():
        return f"{reason.strip()} (tag {EXEMPT_TAG_PREFIX}{policy.id})"
    return None


def tag(resource: Resource, key: str) -> Any:
    """A tag's value: `tags` is a map in pulumi-aws and a list of {key, value} in aws-native (CloudFormation)."""
    tags = resource.props.get("tags")
    if isinstance(tags, Mapping):
        return tags.get(key)
    if isinstance(tags, list):
        for entry in tags:
            if isinstance(entry, Mapping) and entry.get("key") == key:
                return entry.get("value")
    return None
