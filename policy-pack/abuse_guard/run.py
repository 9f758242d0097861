"""One evaluation of one stack, from any source: what every report format is rendered from.

Sources: the offline preview (offline/), an engine event log and a state file (sources/). Policies
are carried with the run because an event log can name policies of packs other than ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import __version__
from .cost.model import EntrypointCost
from .findings import Finding
from .pack_config import PackConfig
from .policy import Policy
from .resources import Resource


@dataclass(frozen=True)
class PolicyInfo:
    """What a report shows about a policy; unknown metadata is an empty string."""

    id: str
    title: str = ""
    description: str = ""
    severity: str = ""
    enforcement: str = ""
    remediation: str = ""
    pack: str = "abuse-guard"


@dataclass(frozen=True)
class ResourceInfo:
    urn: str
    type: str
    name: str
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags as text: secrets shown as [secret], unknowns as <unknown at preview>."""


@dataclass(frozen=True)
class Run:
    project: str
    stack: str
    source: str
    """Where the findings come from, said for a person: "offline preview of ./stacks (stack insecure)"."""
    policies: tuple[PolicyInfo, ...]
    resources: tuple[ResourceInfo, ...]
    """Every resource seen, including those no policy reported on."""
    findings: tuple[Finding, ...]
    pack_version: str = __version__
    generated_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    entrypoints: tuple[EntrypointCost, ...] = ()
    """The worst-case monthly cost of each public entrypoint (none from an event log: it carries no props)."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (findings' outcomes as their string values)."""
        return asdict(self)


def policy_infos(policies: Iterable[Policy], config: PackConfig) -> tuple[PolicyInfo, ...]:
    """Our policies as a run shows them, with the enforcement level the config gives them."""
    return tuple(
        PolicyInfo(p.id, p.title, p.description, p.severity, config.levels[p.id], p.remediation) for p in policies
    )


def resource_infos(resources: Iterable[Resource]) -> tuple[ResourceInfo, ...]:
    return tuple(ResourceInfo(r.urn, r.type, r.name, _tags(r.props.get("tags"))) for r in resources)


def _tags(tags: Any) -> dict[str, str]:
    if not isinstance(tags, Mapping):
        return {}
    return {str(k): v if isinstance(v, str) else repr(v) for k, v in tags.items()}


@dataclass(frozen=True)
class EngineRecord:
    """What an engine event log records of one run: the engine's own findings, no rules re-run."""

    project: str
    stack: str
    source: str
    policies: tuple[PolicyInfo, ...]
    resources: tuple[Resource, ...]
    """Each resource the log names, with its tags where the log has them (no other props)."""
    findings: tuple[Finding, ...]
    pack_version: str
