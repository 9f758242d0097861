import json
from pathlib import Path
from typing import Any

import pytest

from abuse_guard.errors import UserError
from abuse_guard.findings import Outcome
from abuse_guard.pipeline import read_event_log
from abuse_guard.policies import BY_ID
from abuse_guard.run import PolicyInfo, Run
from tests.sources import FIXTURES

FAIL, PASS, UNKNOWN, NA = Outcome.FAIL, Outcome.PASS, Outcome.UNKNOWN, Outcome.NOT_APPLICABLE

MANY = [
    f"always-fails-{level}{severity}"
    for level in ("advisory-", "")
    for severity in ("critical", "high", "low", "medium", "unspecified")
]

# What each engine golden file implies, as {(resource name, policy): outcome}, every finding listed.
# The provider "default" and resA are the test programs' resources; "test-test" is the root stack.
FIXTURE_OUTCOMES: dict[str, dict[tuple[str, str], Outcome]] = {
    # always-fails fails resA; the analyzer answers not-applicable for the provider, which the
    # summary leaves out of both lists.
    "events-TestSimpleAnalyzeResourceFailure.ndjson": {("resA", "always-fails"): FAIL, ("default", "always-fails"): NA},
    # Ten policies fail resA (advisory and mandatory, every severity) and pass the provider.
    "events-TestSimpleAnalyzeResourceMultipleViolations.ndjson": {
        **{("resA", name): FAIL for name in MANY},
        **{("default", name): PASS for name in MANY},
    },
    # An analyzer with no policies: resources, no findings.
    "events-TestSimpleAnalyzer.ndjson": {},
    # Both policies remediate resA, then pass it; they pass the provider and the stack summary.
    "events-TestResourceRemediation.ndjson": {
        (resource, name): PASS for resource in ("default", "resA", "test-test") for name in ("ignored", "real-deal")
    },
}


def outcomes(run: Run) -> dict[tuple[str, str], Outcome]:
    found = {(f.name, f.policy): f.outcome for f in run.findings}
    assert len(found) == len(run.findings), "one finding per (resource, policy)"
    return found


@pytest.mark.parametrize("fixture", FIXTURE_OUTCOMES.keys(), ids=lambda name: name[len("events-") : -len(".ndjson")])
def test_fixture_outcomes(fixture: str) -> None:
    assert outcomes(read_event_log(FIXTURES / fixture)) == FIXTURE_OUTCOMES[fixture]


@pytest.mark.parametrize(
    ("fixture", "project", "resources"),
    [
        (
            "events-TestSimpleAnalyzer.ndjson",
            "test-proj",
            {
                "urn:pulumi:test::test-proj::pulumi:providers:pkgA::default": "pulumi:providers:pkgA",
                "urn:pulumi:test::test-proj::pkgA:m:typA::resA": "pkgA:m:typA",
            },
        ),
        (
            "events-TestSimpleAnalyzeResourceFailure.ndjson",
            "test",
            {
                "urn:pulumi:test::test::pulumi:providers:pkgA::default": "pulumi:providers:pkgA",
                "urn:pulumi:test::test::pkgA:m:typA::resA": "pkgA:m:typA",
            },
        ),
    ],
    ids=["types_from_resource_events", "types_from_urns"],
)
def test_project_stack_and_resources(fixture: str, project: str, resources: dict[str, str]) -> None:
    run = read_event_log(FIXTURES / fixture)
    assert (run.project, run.stack) == (project, "test")
    assert {r.urn: r.type for r in run.resources} == resources


def test_policies_carry_what_the_events_say() -> None:
    policies = {
        p.id: p for p in read_event_log(FIXTURES / "events-TestSimpleAnalyzeResourceMultipleViolations.ndjson").policies
    }
    assert set(policies) == set(MANY)
    assert policies["always-fails-critical"] == PolicyInfo(
        "always-fails-critical", severity="critical", enforcement="mandatory", pack="analyzerA"
    )
    assert policies["always-fails-advisory-unspecified"] == PolicyInfo(
        "always-fails-advisory-unspecified", enforcement="advisory", pack="analyzerA"
    )


def test_messages_read_from_the_log() -> None:
    failure = read_event_log(FIXTURES / "events-TestSimpleAnalyzeResourceFailure.ndjson")
    assert [f.message for f in failure.findings if f.outcome is FAIL] == ["a policy failed"]  # <{%reset%}> stripped
    remediation = read_event_log(FIXTURES / "events-TestResourceRemediation.ndjson")
    messages = {(f.name, f.policy): f.message for f in remediation.findings}
    assert messages[("resA", "real-deal")] == "passed after remediation (changed a; added fff, z; removed ggg)"


# Hand-built logs in the engine's format, for what the golden files do not show.
RESOURCE = "urn:pulumi:dev::shop::aws:lambda/function:Function::webhook"
OTHER = "urn:pulumi:dev::shop::aws:lambda/function:Function::worker"
TOPIC = "urn:pulumi:dev::shop::aws:sns/topic:Topic::alerts"
STACK = "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev"
OURS = "lambda-reserved-concurrency"


def event(kind: str, **payload: Any) -> dict[str, Any]:
    return {"sequence": 0, "timestamp": 0, kind: payload}


def violation(
    urn: str, policy: str, message: str, pack: str = "p", level: str = "mandatory", **extra: Any
) -> dict[str, Any]:
    return event(
        "policyEvent",
        resourceUrn=urn,
        message=f"<{{%reset%}}>{message}<{{%reset%}}>\n",
        color="raw",
        policyName=policy,
        policyPackName=pack,
        policyPackVersion="0.1.0",
        enforcementLevel=level,
        **extra,
    )


def summary(urn: str, pack: str = "p", **lists: list[str]) -> dict[str, Any]:
    return event("policyAnalyzeSummaryEvent", resourceUrn=urn, policyPackName=pack, policyPackVersion="0.1.0", **lists)


def step(urn: str, type_: str, inputs: dict[str, Any]) -> dict[str, Any]:
    state = {"type": type_, "urn": urn, "parent": "", "inputs": inputs, "outputs": {}}
    return event("resourcePreEvent", metadata={"op": "create", "urn": urn, "type": type_, "old": None, "new": state})


END = event("summaryEvent", isPreview=True, result="succeeded", PolicyPacks={"p": "0.1.0"})


def write_log(path: Path, events: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
    return path


PY_CANT_RUN = "can't run policy 'x' from policy pack 'p@v0.1.0' during preview: reservedConcurrentExecutions is unknown"
NODE_CANT_RUN = "can't run policy 'x' during preview: string value at .name can't be known during preview"
REMEDIATION_CANT_RUN = "can't run remediation 'x' from policy pack 'p@v0.1.0' during preview: name is unknown"

OUTCOME_CASES: dict[str, tuple[list[dict[str, Any]], dict[tuple[str, str], Outcome]]] = {
    "violation": ([violation(RESOURCE, "x", "bad"), summary(RESOURCE, failed=["x"])], {("webhook", "x"): FAIL}),
    "listed_passed": ([summary(RESOURCE, passed=["x"])], {("webhook", "x"): PASS}),
    "listed_failed_without_message": ([summary(RESOURCE, failed=["x"])], {("webhook", "x"): FAIL}),
    "cant_run_python_sdk": (
        [violation(RESOURCE, "x", PY_CANT_RUN, level="advisory"), summary(RESOURCE, failed=["x"])],
        {("webhook", "x"): UNKNOWN},
    ),
    "cant_run_nodejs_sdk": ([violation(RESOURCE, "x", NODE_CANT_RUN, level="advisory")], {("webhook", "x"): UNKNOWN}),
    "cant_run_remediation": (
        [violation(RESOURCE, "x", REMEDIATION_CANT_RUN, level="advisory")],
        {("webhook", "x"): UNKNOWN},
    ),
    "violation_beats_cant_run": (
        [violation(RESOURCE, "x", "bad"), violation(RESOURCE, "x", PY_CANT_RUN, level="advisory")],
        {("webhook", "x"): FAIL},
    ),
    "absent_from_lists_is_not_applicable": (
        [summary(RESOURCE, passed=["x"]), summary(TOPIC)],
        {("webhook", "x"): PASS, ("alerts", "x"): NA},
    ),
    "stack_summary_pass_on_the_stack": (
        [
            step(STACK, "pulumi:pulumi:Stack", {}),
            event("policyAnalyzeStackSummaryEvent", policyPackName="p", passed=["s"]),
        ],
        {("shop-dev", "s"): PASS},
    ),
    "stack_summary_in_a_log_without_resources": (
        [event("policyAnalyzeStackSummaryEvent", policyPackName="p", passed=["s"])],
        {("", "s"): PASS},
    ),
    "stack_violation_without_urn_on_the_stack": (
        [step(RESOURCE, "aws:lambda/function:Function", {}), violation("", "s", PY_CANT_RUN, level="advisory")],
        {("shop-dev", "s"): UNKNOWN},
    ),
    "stack_policy_violation_on_its_resource": (
        [
            violation(RESOURCE, "s", "too much"),
            event("policyAnalyzeStackSummaryEvent", policyPackName="p", failed=["s"]),
        ],
        {("webhook", "s"): FAIL},
    ),
    "remediated_without_analysis": (
        [event("policyRemediationEvent", resourceUrn=RESOURCE, policyName="x", policyPackName="p", after={"a": 1})],
        {("webhook", "x"): PASS},
    ),
    "newer_event_types_are_skipped": (
        [event("policyLoadEvent"), {"sequence": 0, "timestamp": 0, "fancyNewEvent": {}}],
        {},
    ),
}


@pytest.mark.parametrize(("events", "expected"), OUTCOME_CASES.values(), ids=list(OUTCOME_CASES))
def test_outcomes(tmp_path: Path, events: list[dict[str, Any]], expected: dict[tuple[str, str], Outcome]) -> None:
    assert outcomes(read_event_log(write_log(tmp_path / "events.ndjson", [*events, END]))) == expected


def test_a_log_where_no_policy_pack_ran_is_an_error_not_a_clean_report(tmp_path: Path) -> None:
    """A CI job that forgot --policy-pack must not pass: a log without any policy event proves nothing."""
    created = {"sequence": 1, "timestamp": 0, "resourcePreEvent": {"metadata": {"op": "create", "urn": RESOURCE}}}
    log = write_log(tmp_path / "events.ndjson", [created, END])
    with pytest.raises(UserError, match=r"no policy pack ran in this run") as error:
        read_event_log(log)
    assert "`pulumi preview --policy-pack <your pack dir> --event-log FILE`" in str(error.value)


def test_stack_root_is_named_by_pulumi_convention_when_the_log_has_none(tmp_path: Path) -> None:
    log = write_log(
        tmp_path / "events.ndjson",
        [event("policyAnalyzeStackSummaryEvent", policyPackName="p", passed=["s"]), summary(RESOURCE)],
    )
    assert [f.urn for f in read_event_log(log).findings] == [STACK]


def test_abuse_guard_policies_are_enriched_from_the_registry(tmp_path: Path) -> None:
    events = [
        step(RESOURCE, "aws:lambda/function:Function", {"tags": {"team": "payments"}}),
        violation(
            RESOURCE, OURS, "Lambda function 'webhook' has no reserved concurrency", pack="abuse-guard", severity="high"
        ),
        summary(RESOURCE, pack="abuse-guard", failed=[OURS]),
        summary(OTHER, pack="abuse-guard"),
        summary(TOPIC, pack="abuse-guard"),
        END,
    ]
    run = read_event_log(write_log(tmp_path / "events.ndjson", events))
    registered = BY_ID[OURS]
    assert run.policies == (
        PolicyInfo(
            OURS,
            registered.title,
            registered.description,
            registered.severity,
            "mandatory",
            registered.remediation,
            "abuse-guard",
        ),
    )
    # The topic is outside the policy's scope, so it has no finding, as `evaluate` gives none.
    assert outcomes(run) == {("webhook", OURS): FAIL, ("worker", OURS): NA}
    assert {r.name: dict(r.tags) for r in run.resources} == {
        "webhook": {"team": "payments"},
        "worker": {},
        "alerts": {},
    }
    assert run.pack_version == "0.1.0"


def test_same_policy_name_in_two_packs_is_qualified(tmp_path: Path) -> None:
    log = write_log(
        tmp_path / "events.ndjson",
        [summary(RESOURCE, pack="a", passed=["x"]), summary(RESOURCE, pack="b", failed=["x"]), END],
    )
    assert outcomes(read_event_log(log)) == {("webhook", "a/x"): PASS, ("webhook", "b/x"): FAIL}


GOOD = json.dumps(summary(RESOURCE, passed=["x"])) + "\n"

MALFORMED: dict[str, tuple[bytes, int | None]] = {
    "bad_json_on_line_3": ((GOOD + GOOD + '{"sequence": 0, "policyEvent": {\n' + GOOD).encode(), 3),
    "truncated_last_line": ((GOOD + GOOD[:30]).encode(), 2),
    "empty": (b"", None),
    "blank_lines_only": (b"\n  \n", None),
    "wrong_schema": (b'{"name": "webhook", "runtime": "python3.12"}\n' * 2, 1),
    "json_array_per_line": (b"[1, 2]\n", 1),
    "only_unknown_event_types": (b'{"sequence": 0, "fancyNewEvent": {}}\n', None),
    "event_not_an_object": (b'{"sequence": 0, "policyEvent": "bad"}\n', 1),
    "passed_not_a_list": ((GOOD + json.dumps(summary(RESOURCE, passed="x")) + "\n").encode(), 2),  # type: ignore[arg-type]
    "not_a_urn": ((GOOD + json.dumps(summary("webhook", passed=["x"])) + "\n").encode(), 2),
    "not_utf8": (GOOD.encode() + b"\xff\xfe\n", 2),
    "typed_step_with_a_bad_urn": (
        (
            GOOD + json.dumps({"sequence": 0, "resourcePreEvent": {"metadata": {"urn": "garbage", "type": "t"}}}) + "\n"
        ).encode(),
        2,
    ),
    "pretty_printed_checkpoint": ((FIXTURES / "checkpoint-v3.json").read_bytes(), None),
    "compact_checkpoint": (
        json.dumps(json.loads((FIXTURES / "checkpoint-v3.json").read_bytes())).encode() + b"\n",
        None,
    ),
}


@pytest.mark.parametrize(("content", "line"), MALFORMED.values(), ids=list(MALFORMED))
def test_malformed_logs_name_file_and_line(tmp_path: Path, content: bytes, line: int | None) -> None:
    path = tmp_path / "events.ndjson"
    path.write_bytes(content)
    with pytest.raises(UserError) as error:
        read_event_log(path)
    message = str(error.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    if line is not None:
        assert message.startswith(f"{path}: line {line}: ")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        read_event_log(tmp_path / "missing.ndjson")
