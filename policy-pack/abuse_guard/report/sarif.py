"""SARIF 2.1.0 for code-scanning services: one rule per policy (help = remediation), one result per fail.

Levels: a fail is `error` when its policy blocks at the mandatory level, `warning` when advisory;
an unknown is a `note`, so "cannot be determined at preview" stays visible next to the alerts.
Each result names the resource URN as its logical location and, when known, the repository file
it comes from as its physical location (GitHub rejects results without one), percent-encoded: the
schema wants a URI reference, and a path with a space, `%`, `#`, `:` or a non-ASCII letter is not one
as it stands (or names another file). The fingerprint is policy + URN, so an alert keeps its identity
across runs. A resource that belongs to a component is nested in it (SARIF 2.1.0 §3.33.8): both are
listed once in `run.logicalLocations`, the resource's `parentIndex` pointing at its component, and the
result's logical location refers to its entry by `index`; the result's `properties.component` says the
same in words ("aws-apigateway:index:RestAPI 'api'").
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from urllib.parse import quote

from ..findings import Finding, Outcome
from .model import Report, level_rank

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

# GitHub ranks alerts by `security-severity` (0.1-3.9 low, 4-6.9 medium, 7-8.9 high, 9+ critical).
_SECURITY_SEVERITY = {"low": "3.0", "medium": "5.0", "high": "8.0", "critical": "9.5"}


def _level(report: Report, finding: Finding) -> str:
    if finding.outcome is Outcome.UNKNOWN:
        return "note"
    rank = level_rank(report.policy[finding.policy].enforcement)
    return "error" if rank >= level_rank("mandatory") else "warning" if rank >= level_rank("advisory") else "note"


def _rule(report: Report, policy_id: str) -> dict[str, Any]:
    policy = report.policy[policy_id]
    remediation = policy.remediation or "No remediation given by the policy pack."
    rule: dict[str, Any] = {
        "id": policy.id,
        "shortDescription": {"text": policy.title or policy.id},
        "fullDescription": {"text": policy.description or policy.title or policy.id},
        # The remediation is written as Markdown (inline code, an indented snippet): GitHub renders `markdown`.
        "help": {"text": remediation, "markdown": remediation},
        "properties": {"tags": ["security", policy.pack], "enforcement": policy.enforcement},
    }
    if policy.severity in _SECURITY_SEVERITY:
        rule["properties"]["security-severity"] = _SECURITY_SEVERITY[policy.severity]
    return rule


def _artifact_uri(path: str) -> str:
    """A relative POSIX path as a relative URI reference: UTF-8, percent-encoded, `/` kept."""
    return quote(path, safe="/")


class _LogicalLocations:
    """`run.logicalLocations`: each resource in a component, and each component, once, by URN."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self._index: dict[str, int] = {}

    def add(self, urn: str, name: str, parent: int | None = None) -> int:
        """The index of `urn`'s entry, made on first sight; `parent` becomes its parentIndex unless it has one, or
        the parent is (through its own parents) the entry itself: a cycle of parents never becomes a loop here."""
        index = self._index.get(urn)
        if index is None:
            index = self._index[urn] = len(self.entries)
            self.entries.append({"fullyQualifiedName": urn, "name": name, "kind": "resource"})
        entry = self.entries[index]
        if parent is not None and "parentIndex" not in entry and not self._within(parent, index):
            entry["parentIndex"] = parent
        return index

    def _within(self, start: int, target: int) -> bool:
        """Whether `target` is `start` or one of its ancestors."""
        at: int | None = start
        while at is not None:
            if at == target:
                return True
            at = self.entries[at].get("parentIndex")
        return False

    def place(self, finding: Finding) -> int | None:
        """The index of a finding's resource, or None when it belongs to no component."""
        component = finding.component
        if component is None:
            return None
        return self.add(finding.urn, finding.name, self.add(component.urn, component.name))


def _result(report: Report, finding: Finding, rule_index: int, logical: dict[str, Any]) -> dict[str, Any]:
    location: dict[str, Any] = {"logicalLocations": [logical]}
    if report.artifact:
        location["physicalLocation"] = {"artifactLocation": {"uri": _artifact_uri(report.artifact)}}
    fingerprint = hashlib.sha256(f"{finding.policy}\n{finding.urn}".encode()).hexdigest()
    return {
        "ruleId": finding.policy,
        "ruleIndex": rule_index,
        "level": _level(report, finding),
        "message": {"text": finding.message},
        "locations": [location],
        "partialFingerprints": {"abuseGuardFinding/v1": fingerprint},
        "properties": {
            "outcome": finding.outcome.value,
            "resourceType": finding.type,
            **({"component": finding.component.label} if finding.component is not None else {}),
        },
    }


def document(report: Report) -> dict[str, Any]:
    run = report.run
    rule_ids = [p.id for p in report.policies]
    index = {policy_id: i for i, policy_id in enumerate(rule_ids)}
    reported = [f for f in run.findings if f.outcome in (Outcome.FAIL, Outcome.UNKNOWN)]
    locations = _LogicalLocations()
    placed = [locations.place(f) for f in reported]  # every entry complete before a result copies one
    results = [
        _result(
            report,
            f,
            index[f.policy],
            {"fullyQualifiedName": f.urn, "name": f.name, "kind": "resource"}
            if at is None
            else {**locations.entries[at], "index": at},
        )
        for f, at in zip(reported, placed, strict=True)
    ]
    cached = {"logicalLocations": locations.entries} if locations.entries else {}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "abuse-guard",
                        "version": run.pack_version,
                        "rules": [_rule(report, policy_id) for policy_id in rule_ids],
                    }
                },
                "automationDetails": {"id": f"abuse-guard/{run.project}/{run.stack}/"},
                "properties": {"source": run.source, "generatedAt": run.generated_at},
                **cached,
                "results": results,
            }
        ],
    }


def render(report: Report) -> str:
    return json.dumps(document(report), ensure_ascii=False, separators=(",", ":")) + "\n"
