"""SARIF 2.1.0 for code-scanning services: one rule per policy (help = remediation), one result per fail.

Levels: a fail is `error` when its policy blocks at the mandatory level, `warning` when advisory;
an unknown is a `note`, so "cannot be determined at preview" stays visible next to the alerts.
Each result names the resource URN as its logical location and, when known, the repository file
it comes from as its physical location (GitHub rejects results without one), percent-encoded: the
schema wants a URI reference, and a path with a space, `%`, `#`, `:` or a non-ASCII letter is not one
as it stands (or names another file). The fingerprint is policy + URN, so an alert keeps its identity
across runs.
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


def _result(report: Report, finding: Finding, rule_index: int) -> dict[str, Any]:
    location: dict[str, Any] = {
        "logicalLocations": [{"fullyQualifiedName": finding.urn, "name": finding.name, "kind": "resource"}]
    }
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
        "properties": {"outcome": finding.outcome.value, "resourceType": finding.type},
    }


def document(report: Report) -> dict[str, Any]:
    run = report.run
    rule_ids = [p.id for p in report.policies]
    index = {policy_id: i for i, policy_id in enumerate(rule_ids)}
    reported = (Outcome.FAIL, Outcome.UNKNOWN)
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
                "results": [_result(report, f, index[f.policy]) for f in run.findings if f.outcome in reported],
            }
        ],
    }


def render(report: Report) -> str:
    return json.dumps(document(report), ensure_ascii=False, separators=(",", ":")) + "\n"
