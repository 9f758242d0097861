"""abuse-guard's policies for a pack of one's own: `policies(severity="high")` in `PolicyPack("ours", [...])`.

A selection of the registry's policies (abuse_guard.policies), each converted by `adapter.pulumi_policy` with the
others selected, so a policy's findings that another selected policy's exemption covers (`Policy.covered_by`) are
covered as in abuse-guard's own pack. Bad arguments are one ValueError naming what is wrong and what is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from pulumi_policy import EnforcementLevel
from pulumi_policy import Policy as PulumiPolicy

from ..policies import POLICIES
from ..policy import ENFORCEMENT_LEVELS, SEVERITIES, Policy
from .adapter import pulumi_policy

__all__ = ["policies", "selected"]


def policies(
    *,
    ids: Iterable[str] | str | None = None,
    severity: str | None = None,
    tags: Iterable[str] | str | None = None,
    enforcement: EnforcementLevel | str | None = None,
) -> list[PulumiPolicy]:
    """abuse-guard's policies as pulumi-policy policies, for `PolicyPack(name, [*yours, *policies(...)])`.

    Every argument narrows the selection, in the registry's order (the order of abuse-guard's own pack and
    reports): `ids` exactly these policies; `severity` this one or above ("high": high and critical, from
    low < medium < high < critical); `tags` policies with any of these tags. `enforcement` ("advisory",
    "mandatory", "remediate", "disabled", or a pulumi_policy.EnforcementLevel) replaces each selected policy's
    declared level; the pack's config still overrides it, as for any policy. A single id or tag may be given as a
    string. A ValueError names an unknown id, tag, severity or level with the known ones, and a selection of no
    policy.
    """
    chosen = selected(POLICIES, ids=ids, severity=severity, tags=tags)
    if enforcement is not None:
        level = _level(enforcement)
        chosen = [replace(p, enforcement=level) for p in chosen]
    return [pulumi_policy(p, chosen) for p in chosen]


def selected(
    registry: Sequence[Policy],
    *,
    ids: Iterable[str] | str | None = None,
    severity: str | None = None,
    tags: Iterable[str] | str | None = None,
) -> list[Policy]:
    """The policies of `registry` that `policies` selects, in the registry's order."""
    chosen = list(registry)
    if ids is not None:
        wanted = _names(ids, "ids")
        known = [p.id for p in registry]
        unknown = [i for i in wanted if i not in known]
        if unknown:
            raise ValueError(f"abuse-guard has no policy {_listed(unknown)}; its policies are {', '.join(known)}")
        chosen = [p for p in chosen if p.id in wanted]
    if severity is not None:
        if severity not in SEVERITIES:
            raise ValueError(f"severity {severity!r} is not one of {', '.join(SEVERITIES)}")
        chosen = [p for p in chosen if SEVERITIES.index(p.severity) >= SEVERITIES.index(severity)]
    if tags is not None:
        wanted = _names(tags, "tags")
        known = sorted({t for p in registry for t in p.tags})
        unknown = [t for t in wanted if t not in known]
        if unknown:
            raise ValueError(f"no abuse-guard policy has the tag {_listed(unknown)}; their tags are {', '.join(known)}")
        chosen = [p for p in chosen if any(t in wanted for t in p.tags)]
    if not chosen:
        given = (("ids", ids), ("severity", severity), ("tags", tags))
        raise ValueError("no abuse-guard policy matches " + ", ".join(f"{n}={v!r}" for n, v in given if v is not None))
    return chosen


def _names(given: Iterable[str] | str, argument: str) -> list[str]:
    """Ids or tags as a list: a string is one name."""
    names = [given] if isinstance(given, str) else list(given)
    for name in names:
        if not isinstance(name, str):
            raise ValueError(f"{argument}: {name!r} is not a string")
    return names


def _listed(names: list[str]) -> str:
    return ", ".join(repr(n) for n in names)


def _level(enforcement: EnforcementLevel | str) -> str:
    value = enforcement.value if isinstance(enforcement, EnforcementLevel) else enforcement
    if value not in ENFORCEMENT_LEVELS:
        raise ValueError(f"enforcement {enforcement!r} is not one of {', '.join(ENFORCEMENT_LEVELS)}")
    return str(value)
