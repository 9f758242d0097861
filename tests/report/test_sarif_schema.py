"""The SARIF we emit, checked against the official SARIF 2.1.0 JSON Schema (schema/SOURCE.md says where it is from)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from abuse_guard.cli import main
from abuse_guard.findings import Outcome
from abuse_guard.report import sarif
from abuse_guard.report.model import Report
from tests.report.runs import large_run, sample_run
from tests.report.test_formats import EDGE_RUNS, REPORT

REPO = Path(__file__).parents[2]
SCHEMA_FILE = Path(__file__).parent / "schema" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
SCHEMA: dict[str, Any] = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

# Every $ref is looked up here; the registry has no `retrieve`, so a $ref it lacks fails instead of being fetched.
REGISTRY: Registry[Any] = Registry().with_resource(SCHEMA["id"], Resource.from_contents(SCHEMA))


class StrictFormats(jsonschema.FormatChecker):
    """Every format jsonschema can check, whatever the draft ("uri-reference" is a draft 6 name the SARIF schema uses).

    A format it cannot check is an error rather than a silent pass, so the test fails instead of missing a check
    if we ever emit a field whose format has no checker here (date-time would need rfc3339-validator).
    """

    def check(self, instance: object, format: str) -> None:
        if format not in self.checkers:
            raise jsonschema.FormatError(f"format {format!r} is not checked: install its checker")
        super().check(instance, format)


VALIDATOR = jsonschema.Draft4Validator(SCHEMA, registry=REGISTRY, format_checker=StrictFormats())


def violations(document: dict[str, Any]) -> list[str]:
    """Each schema error as `path: message`, so a failing assert shows what is wrong and where."""
    return [
        f"/{'/'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in VALIDATOR.iter_errors(document)
    ]


def test_the_schema_is_the_official_file_and_a_valid_draft_4_schema() -> None:
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256
    assert SCHEMA["id"] == sarif.SARIF_SCHEMA  # the schema our documents name is the one we test against
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert jsonschema.validators.validator_for(SCHEMA) is jsonschema.Draft4Validator
    jsonschema.Draft4Validator.check_schema(SCHEMA)


def test_no_ref_is_fetched() -> None:
    refs: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, dict):
            refs.extend(value for key, value in node.items() if key == "$ref" and isinstance(value, str))
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(SCHEMA)
    assert len(refs) == 233
    assert [ref for ref in refs if not ref.startswith("#/definitions/")] == []
    with pytest.raises(NoSuchResource):
        REGISTRY.get_or_retrieve("https://json.schemastore.org/sarif-2.1.0.json")


def test_the_formats_our_documents_reach_are_checked() -> None:
    assert {"uri", "uri-reference"} <= StrictFormats().checkers.keys()


REPORTS: dict[str, Report] = {
    "sample_run_with_artifact": REPORT,
    "sample_run_without_artifact": Report(sample_run()),
    **{name: Report(run, artifact="stacks/__main__.py") for name, run in EDGE_RUNS.items()},
    "many_policies_and_nested_urns": Report(large_run(resource_count=50), artifact="stacks/__main__.py"),
}


@pytest.mark.parametrize("report", REPORTS.values(), ids=list(REPORTS))
def test_rendered_sarif_follows_the_schema(report: Report) -> None:
    document = json.loads(sarif.render(report))
    assert violations(document) == []
    (run,) = document["runs"]
    reported = {Outcome.FAIL, Outcome.UNKNOWN}
    assert len(run["results"]) == sum(f.outcome in reported for f in report.run.findings)
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [p.id for p in report.policies]


# Each broken document is rejected, at the place and for the reason it is broken: structure, enums and formats.
RESULT = "/runs/0/results/0"
URI = f"{RESULT}/locations/0/physicalLocation/artifactLocation/uri"
BROKEN: dict[str, tuple[str, Any, str]] = {
    "unknown_version": ("/version", "2.2.0", "/version: '2.2.0' is not one of ['2.1.0']"),
    "unknown_level": (
        f"{RESULT}/level",
        "critical",
        f"{RESULT}/level: 'critical' is not one of ['none', 'note', 'warning', 'error']",
    ),
    "result_without_a_message": (
        f"{RESULT}/message",
        {},
        f"{RESULT}/message: {{}} is not valid under any of the given schemas",
    ),
    "driver_without_a_name": (
        "/runs/0/tool/driver",
        {"rules": []},
        "/runs/0/tool/driver: 'name' is a required property",
    ),
    "negative_rule_index": (f"{RESULT}/ruleIndex", -2, f"{RESULT}/ruleIndex: -2 is less than the minimum of -1"),
    "unknown_top_level_property": ("/extra", True, "/: Additional properties are not allowed ('extra' was unexpected)"),
    "artifact_uri_with_a_space": (URI, "a b.py", f"{URI}: 'a b.py' is not a 'uri-reference'"),
    "schema_that_is_no_uri": ("/$schema", "sarif 2.1.0", "/$schema: 'sarif 2.1.0' is not a 'uri'"),
}


@pytest.mark.parametrize(("pointer", "value", "violation"), BROKEN.values(), ids=list(BROKEN))
def test_the_schema_rejects_a_broken_document(pointer: str, value: Any, violation: str) -> None:
    document = json.loads(sarif.render(REPORT))
    *parents, last = pointer.lstrip("/").split("/")
    node = document
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    node[last] = value
    assert violations(document) == [violation]


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("stacks/__main__.py", "stacks/__main__.py"),
        ("../stacks/__main__.py", "../stacks/__main__.py"),
        ("my stacks/100% done#2.py", "my%20stacks/100%25%20done%232.py"),
        ("café/prod:eu.py", "caf%C3%A9/prod%3Aeu.py"),
    ],
)
def test_artifact_path_becomes_a_uri_reference(path: str, uri: str) -> None:
    """A path is percent-encoded: as it stands, a space, `%` or `é` is no URI, and `#` or `:` change its meaning."""
    document = json.loads(sarif.render(replace(REPORT, artifact=path)))
    assert violations(document) == []
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
    assert uris == {uri}
    assert unquote(uri) == path


@pytest.mark.parametrize("stack", ["insecure", "compliant"])
def test_sarif_of_an_offline_preview_follows_the_schema(
    stack: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reference stacks, previewed offline as `abuse_guard report --stack` does on a real run."""
    monkeypatch.chdir(REPO)
    arguments = ["report", "--project", ".", "--stack", stack, "--out", str(tmp_path), "--fail-on", "never"]
    assert main([*arguments, "--format", "sarif,json"]) == 0
    document = json.loads((tmp_path / stack / "report.sarif").read_text(encoding="utf-8"))
    assert violations(document) == []
    report = json.loads((tmp_path / stack / "report.json").read_text(encoding="utf-8"))
    (run,) = document["runs"]
    assert run["automationDetails"] == {"id": f"abuse-guard/abuse-guard-demo/{stack}/"}
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == [p["id"] for p in report["policies"]]
    expected = [
        (f["policy"], f["urn"], f["message"]) for f in report["findings"] if f["outcome"] in ("fail", "unknown")
    ]
    got = [
        (r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], r["message"]["text"])
        for r in run["results"]
    ]
    assert got == expected
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == ({"stacks/__main__.py"} if expected else set())
    totals = report["totals"]["byOutcome"]
    assert len(run["results"]) == totals["fail"] + totals["unknown"]
