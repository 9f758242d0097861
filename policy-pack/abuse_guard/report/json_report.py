"""The JSON report: the run's data plus its totals, in the versioned shape of schema/report-v1.json.

This is the format other tools read (CI gates, dashboards), so its shape is a contract: the schema
file ships with the pack and tests validate every document we write against it.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from ..cost.model import EntrypointCost, Worst
from ..findings import Outcome
from .model import Report

SCHEMA_VERSION = "1.2"
"""1.1 added the optional findings[].component, 1.2 the optional entrypoints[].bounds and the entrypoint kind
"load balancer listener" (minor bumps, as the schema's versioning rule says: every earlier document is a valid
later one, and a reader of the earlier fields finds them unchanged)."""
SCHEMA_FILE = "report-v1.json"


@cache
def schema() -> dict[str, Any]:
    """The JSON Schema every report document conforms to."""
    text = resources.files(__package__).joinpath("schema", SCHEMA_FILE).read_text(encoding="utf-8")
    return dict(json.loads(text))


def _outcomes(tally: dict[Outcome, int]) -> dict[str, int]:
    return {outcome.value: count for outcome, count in tally.items()}


def _worst(worst: Worst, budget: float) -> dict[str, Any]:
    return {
        "ratePerSecond": worst.rate,
        "rateLimit": worst.rate_limit,
        "concurrency": worst.concurrency,
        "concurrencyLimit": worst.concurrency_limit,
        "invocationsPerMonth": worst.invocations,
        "apiRequestsPerMonth": worst.api_requests,
        "monthlyCost": {
            "total": worst.cost.total,
            "lambdaRequests": worst.cost.lambda_requests,
            "lambdaDuration": worst.cost.lambda_duration,
            "apiGateway": worst.cost.api_requests,
        },
        "bindingLimit": worst.binding,
        "withinBudget": worst.cost.total <= budget,
    }


def _entrypoint(entrypoint: EntrypointCost) -> dict[str, Any]:
    worst, fix, budget = entrypoint.worst, entrypoint.fix, entrypoint.budget
    least, most = entrypoint.least, entrypoint.most
    return {
        "kind": entrypoint.kind,
        "urn": entrypoint.urn,
        "name": entrypoint.name,
        "type": entrypoint.type,
        "function": entrypoint.function,
        "budget": budget,
        "worstCase": None if worst is None else _worst(worst, budget),
        "bounds": None
        if least is None or most is None
        else {"atLeast": _worst(least, budget), "atMost": _worst(most, budget)},
        "fix": None
        if fix is None
        else {"change": fix.change, "monthlyCost": fix.monthly_cost, "withinBudget": fix.within_budget},
        "unknown": entrypoint.unknown,
        "notes": list(entrypoint.notes),
    }


def document(report: Report) -> dict[str, Any]:
    run = report.run
    return {
        "schemaVersion": SCHEMA_VERSION,
        "stack": run.stack,
        "project": run.project,
        "source": run.source,
        "packVersion": run.pack_version,
        "generatedAt": run.generated_at,
        "totals": {
            "resources": len(run.resources),
            "findings": len(run.findings),
            "byOutcome": _outcomes(report.by_outcome),
            "bySeverity": {severity: _outcomes(tally) for severity, tally in report.by_severity.items()},
            "failuresByEnforcement": report.failures_by_enforcement,
        },
        "policies": [
            {
                "id": p.id,
                "pack": p.pack,
                "title": p.title,
                "description": p.description,
                "severity": p.severity,
                "enforcement": p.enforcement,
                "remediation": p.remediation,
                "totals": _outcomes(report.by_policy[p.id]),
            }
            for p in report.policies
        ],
        "resources": [{"urn": r.urn, "type": r.type, "name": r.name, "tags": dict(r.tags)} for r in run.resources],
        "findings": [f.to_dict() for f in run.findings],
        "entrypoints": [_entrypoint(entrypoint) for entrypoint in run.entrypoints],
    }


def render(report: Report) -> str:
    return json.dumps(document(report), ensure_ascii=False, separators=(",", ":")) + "\n"
