"""`abuse_guard report`: the gate, atomic writes, inputs and the demo run, end to end through the CLI."""

from __future__ import annotations

import base64
import errno
import json
import os
import re
import shlex
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from abuse_guard.cli import main
from abuse_guard.commands import report as command
from abuse_guard.errors import UserError
from abuse_guard.files import atomic
from abuse_guard.findings import Outcome
from abuse_guard.report import json_report
from abuse_guard.report.model import Report
from abuse_guard.run import PolicyInfo
from tests.offline.projects import write_project
from tests.report.runs import LAMBDA, finding, resource, sample_run
from tests.sources import FIXTURES

REPO = Path(__file__).parents[2]
EVENT_LOG = FIXTURES / "events-TestSimpleAnalyzeResourceMultipleViolations.ndjson"  # 5 mandatory + 5 advisory fails
CHECKPOINT_WITH_SECRETS = FIXTURES / "checkpoint-secrets.json"
ALL_FILES = {"report.html", "report.json", "junit.xml", "report.sarif", "summary.md"}


def run_with(*fails: tuple[str, str]) -> Report:
    """A run whose fails come from policies at the given (policy id, enforcement level)."""
    policies = tuple(PolicyInfo(policy_id, enforcement=level) for policy_id, level in dict(fails).items())
    fn = resource(LAMBDA, "fn")
    findings = [finding(policy_id, fn, Outcome.FAIL, "fails") for policy_id, _ in fails]
    findings.append(finding(policies[0].id if policies else "p", fn, Outcome.UNKNOWN, "unknown"))
    return Report(replace(sample_run(), policies=policies, findings=tuple(findings)))


MANDATORY = ("reserved", "mandatory")
ADVISORY = ("throttle", "advisory")
GATE_CASES: dict[str, tuple[list[Report], str, int]] = {
    "mandatory_fail_blocks": ([run_with(MANDATORY)], "mandatory", 1),
    "advisory_fail_passes_mandatory_gate": ([run_with(ADVISORY)], "mandatory", 0),
    "advisory_fail_blocks_advisory_gate": ([run_with(ADVISORY)], "advisory", 1),
    "mandatory_fail_blocks_advisory_gate": ([run_with(MANDATORY)], "advisory", 1),
    "never_blocks_nothing": ([run_with(MANDATORY, ADVISORY)], "never", 0),
    "unknown_alone_blocks_nothing": ([run_with()], "advisory", 0),
    "remediate_counts_as_mandatory": ([run_with(("fix", "remediate"))], "mandatory", 1),
    "unstated_level_fails_closed": ([run_with(("foreign", ""))], "mandatory", 1),
    "disabled_never_blocks": ([run_with(("off", "disabled"))], "advisory", 0),
    "any_run_blocks": ([run_with(), run_with(MANDATORY)], "mandatory", 1),
    "failing_demo_is_expected": ([replace(run_with(MANDATORY), expected_failure=True)], "mandatory", 0),
    "passing_demo_is_a_regression": ([replace(run_with(), expected_failure=True)], "mandatory", 1),
    "passing_demo_under_never_is_fine": ([replace(run_with(), expected_failure=True)], "never", 0),
}


@pytest.mark.parametrize(("reports", "fail_on", "expected"), GATE_CASES.values(), ids=list(GATE_CASES))
def test_gate(reports: list[Report], fail_on: str, expected: int) -> None:
    assert command.gate(reports, fail_on) == expected


@pytest.mark.parametrize(("fail_on", "expected"), [("mandatory", 1), ("advisory", 1), ("never", 0)])
def test_exit_code_from_an_event_log(tmp_path: Path, fail_on: str, expected: int) -> None:
    assert main(["report", "--input", str(EVENT_LOG), "--out", str(tmp_path), "--fail-on", fail_on]) == expected


def test_writes_every_format_and_an_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["report", "--input", str(EVENT_LOG), "--out", str(tmp_path), "--fail-on", "never"])
    (stack,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    assert {p.name for p in stack.iterdir()} == ALL_FILES
    assert f'href="{stack.name}/report.html"' in (tmp_path / "index.html").read_text()
    document = json.loads((stack / "report.json").read_text())
    jsonschema.validate(document, json_report.schema(), cls=jsonschema.Draft202012Validator)
    assert document["totals"]["failuresByEnforcement"] == {"mandatory": 5, "advisory": 5}
    assert str(stack) in capsys.readouterr().out


def test_format_selection(tmp_path: Path) -> None:
    main(["report", "--input", str(EVENT_LOG), "--out", str(tmp_path), "--format", "json,sarif", "--fail-on", "never"])
    written = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")}
    assert written == {"test", "test/report.json", "test/report.sarif"}


def test_two_runs_of_one_stack_get_two_directories(tmp_path: Path) -> None:
    main(["report", "--input", str(EVENT_LOG), "--input", str(EVENT_LOG), "--out", str(tmp_path), "--fail-on", "never"])
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["test", "test-2"]


def test_secrets_never_reach_a_report(tmp_path: Path) -> None:
    """The checkpoint's secrets are only base64: neither the ciphertext nor its plaintext may appear."""
    text = CHECKPOINT_WITH_SECRETS.read_text()
    ciphertexts = set(re.findall(r'"ciphertext": *"([^"]*)"', text))
    plaintexts = {json.loads(base64.b64decode(c)) for c in ciphertexts}
    main(["report", "--input", str(CHECKPOINT_WITH_SECRETS), "--out", str(tmp_path), "--fail-on", "never"])
    written = "".join(p.read_text() for p in tmp_path.rglob("*") if p.is_file())
    assert ciphertexts and not [s for s in ciphertexts | plaintexts if s in written]


BAD_ARGUMENTS: dict[str, list[str]] = {
    "missing_input": ["--input", "no-such-file.ndjson"],
    "second_input_missing": ["--input", str(EVENT_LOG), "--input", "no-such-file.ndjson"],
    "unknown_format": ["--input", str(EVENT_LOG), "--format", "pdf"],
    "project_and_input_without_stack": ["--project", ".", "--input", str(EVENT_LOG)],
    "config_without_stack": ["--input", str(EVENT_LOG), "--config", "aws:region=us-east-1"],
    "bad_policy_config": ["--input", str(EVENT_LOG), "--policy-config", "no-such-config.json"],
    "expected_failures_with_input": ["--input", str(EVENT_LOG), "--expected-failures"],
    "expected_failures_with_stack": ["--project", str(REPO), "--stack", "insecure", "--expected-failures"],
}


@pytest.mark.parametrize("arguments", BAD_ARGUMENTS.values(), ids=list(BAD_ARGUMENTS))
def test_bad_input_writes_nothing(tmp_path: Path, arguments: list[str]) -> None:
    previous = tmp_path / "test" / "report.html"
    previous.parent.mkdir()
    previous.write_text("previous report")
    assert main(["report", *arguments, "--out", str(tmp_path)]) == 2
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["test", "test/report.html"]
    assert previous.read_text() == "previous report"


def test_bad_input_error_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["report", "--input", "no-such-file.ndjson", "--out", str(tmp_path)])
    assert capsys.readouterr().err == "abuse-guard: error: no-such-file.ndjson: no such file\n"


class _DiskFull:
    """A file that takes half of what it is given, then fails as a full disk does."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def __enter__(self) -> _DiskFull:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stream.close()

    def write(self, text: str) -> None:
        self._stream.write(text[: len(text) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_failed_write_keeps_the_previous_report(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = tmp_path / "report.html", tmp_path / "report.json"
    first.write_text("previous html")
    second.write_text("previous json")
    real_fdopen = os.fdopen
    opened: list[int] = []

    def fail_on_second_file(fd: int, *args: Any, **kwargs: Any) -> Any:
        opened.append(fd)
        stream = real_fdopen(fd, *args, **kwargs)
        return _DiskFull(stream) if len(opened) == 2 else stream

    monkeypatch.setattr(atomic.os, "fdopen", fail_on_second_file)
    with pytest.raises(UserError):
        atomic.write_atomically({first: "new html " * 1000, second: "new json " * 1000})
    assert (first.read_text(), second.read_text()) == ("previous html", "previous json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.json"]  # no temporary left


def test_find_project_walks_up(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: x\nruntime: python\n")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert command.find_project(nested) == tmp_path


def test_find_project_without_one_says_what_to_pass(tmp_path: Path) -> None:
    """--project DIR alone previews every stack of DIR: the error says so, not `--project DIR --stack NAME`."""
    with pytest.raises(UserError) as raised:
        command.find_project(tmp_path)
    assert str(raised.value) == (
        f"{tmp_path}: no Pulumi.yaml here or in any parent directory; give --project DIR (the directory that holds "
        "Pulumi.yaml), or --input FILE (an event log from pulumi preview --event-log FILE, or a state from pulumi "
        "stack export)"
    )


def make_report_arguments() -> list[str]:
    """The arguments the Makefile's `report` target gives the command."""
    recipe = re.search(r"^report:.*\n\t\$\(PY\) -m abuse_guard (report\b.*)$", (REPO / "Makefile").read_text(), re.M)
    assert recipe, "the Makefile has no `report` target running `$(PY) -m abuse_guard report`"
    return shlex.split(recipe.group(1))


def test_demo_reports_every_reference_stack_and_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make report` on a fresh clone: the insecure stacks fail by design (their config says so), the command passes."""
    monkeypatch.chdir(REPO / "stacks")  # the project is found from a subdirectory too
    assert main([*make_report_arguments(), "--out", str(tmp_path)]) == 0
    stacks = ["compliant", "insecure", "native", "native-insecure"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*stacks, "index.html"])
    assert {p.name for p in (tmp_path / "compliant").iterdir()} == ALL_FILES
    insecure = json.loads((tmp_path / "insecure" / "report.json").read_text())
    assert insecure["totals"]["failuresByEnforcement"] == {"mandatory": 17}
    compliant = json.loads((tmp_path / "compliant" / "report.json").read_text())
    assert compliant["totals"]["failuresByEnforcement"] == {}
    assert "insecure on purpose" in (tmp_path / "insecure" / "report.html").read_text()
    assert "insecure on purpose" not in (tmp_path / "compliant" / "report.html").read_text()
    sarif = json.loads((tmp_path / "insecure" / "report.sarif").read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"__main__.py"}  # the program, relative to where the command ran
    lines = capsys.readouterr().out.splitlines()
    labelled = [line.split(" ", 1)[0] for line in lines if "(expected to fail: insecure on purpose): " in line]
    assert labelled == ["insecure", "native-insecure"]


OPEN_URL_PROGRAM = """
    open_url = pulumi.Config().get_bool("open")
    aws.lambda_.FunctionUrl("url", function_name="fn", authorization_type="NONE" if open_url else "AWS_IAM")
"""


def users_project(root: Path, prod_config: str = "") -> Path:
    """A user's project with stacks dev (a function URL behind IAM) and prod (the same URL open to anyone)."""
    prod = "config:\n  thirdparty:open: 'true'\n" + prod_config
    return write_project(root, OPEN_URL_PROGRAM, stacks={"dev": "config: {}\n", "prod": prod})


def test_a_users_project_gets_every_stack_gated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = users_project(tmp_path / "project")
    monkeypatch.chdir(project)
    out = tmp_path / "out"
    assert main(["report", "--out", str(out)]) == 1  # prod's open URL fails a mandatory policy
    assert sorted(p.name for p in out.iterdir()) == ["dev", "index.html", "prod"]
    prod = json.loads((out / "prod" / "report.json").read_text())
    assert prod["totals"]["failuresByEnforcement"] == {"mandatory": 1}
    captured = capsys.readouterr()
    assert "stack 'prod': 1 fails at or above --fail-on mandatory" in captured.err
    assert "expected to fail" not in captured.out + (out / "prod" / "report.html").read_text()


def test_an_expected_failure_mark_is_honoured_only_with_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The stack file is editable in the pull request the CI gate checks: one line in it must not turn the gate
    green. Only the one running the command (`make report`) lets a marked stack fail."""
    project = users_project(tmp_path / "project", f"  {command.EXPECTED_FAILURE}: true\n")
    out = tmp_path / "out"
    assert main(["report", "--project", str(project), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert captured.err == (
        "abuse-guard: stack 'prod': 1 fails at or above --fail-on mandatory (its config sets "
        "abuse-guard:expectedFailure, which only --expected-failures honours)\n"
    )
    assert "expected to fail" not in captured.out + (out / "prod" / "report.html").read_text()
    assert main(["report", "--project", str(project), "--expected-failures", "--out", str(out)]) == 0
    assert "prod (expected to fail: insecure on purpose): " in capsys.readouterr().out
    assert "insecure on purpose" in (out / "prod" / "report.html").read_text()
    # named with --stack, the same stack is gated
    assert main(["report", "--project", str(project), "--stack", "prod", "--out", str(out)]) == 1


def test_an_expected_failure_that_stops_failing_fails_the_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = f"config:\n  {command.EXPECTED_FAILURE}: 'true'\n"
    project = write_project(tmp_path, OPEN_URL_PROGRAM, stacks={"dev": expected})
    assert main(["report", "--project", str(project), "--expected-failures", "--out", str(tmp_path / "out")]) == 1
    error = capsys.readouterr().err
    assert "stack 'dev' is insecure on purpose (abuse-guard:expectedFailure) but nothing fails" in error


def test_an_unreadable_expected_failure_value_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = users_project(tmp_path / "project", f"  {command.EXPECTED_FAILURE}: maybe\n")
    assert main(["report", "--project", str(project), "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert "Pulumi.prod.yaml: config abuse-guard:expectedFailure is 'maybe': expected true or false" in error
    assert not (tmp_path / "out").exists()


def test_a_project_without_stacks_says_what_to_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_project(tmp_path / "project", OPEN_URL_PROGRAM, stacks={})
    monkeypatch.chdir(project)
    assert main(["report", "--out", str(tmp_path / "out")]) == 2
    error = capsys.readouterr().err
    assert f"{project / 'Pulumi.yaml'}: no stacks to preview: no Pulumi.<stack>.yaml in {project}; give " in error
    assert "give --stack NAME to preview one stack (a stack without a config file gets the project's config)" in error
    assert not (tmp_path / "out").exists()


def test_a_stack_without_a_config_file_is_reported(tmp_path: Path) -> None:
    """Every pulumi/examples program as cloned has no Pulumi.<stack>.yaml: a stack's config file is optional."""
    project = write_project(tmp_path / "project", OPEN_URL_PROGRAM, stacks={})
    assert main(["report", "--project", str(project), "--stack", "dev", "--out", str(tmp_path / "out")]) == 0
    document = json.loads((tmp_path / "out" / "dev" / "report.json").read_text())
    assert "(stack dev, which has no config file Pulumi.dev.yaml; " in document["source"]


FAILING_PROGRAM = """
    if pulumi.Config().get_bool("broken"):
        raise RuntimeError("boom")
    aws.sns.Topic("topic")
"""
# how stack 'prod' breaks -> its stack file, and what the error says first
ONE_BAD_STACK = {
    "malformed_stack_file": ("config: [broken\n", "{project}/Pulumi.prod.yaml: line 2: invalid YAML: "),
    "config_not_a_mapping": ("config: [a]\n", "{project}/Pulumi.prod.yaml: 'config' must map config keys to values"),
    "failing_program": ("config:\n  thirdparty:broken: 'true'\n", "the program {project} (stack prod) failed: "),
}


@pytest.mark.parametrize(("prod", "named"), ONE_BAD_STACK.values(), ids=list(ONE_BAD_STACK))
def test_one_bad_stack_names_itself_and_the_stacks_it_kept_from_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], prod: str, named: str
) -> None:
    """A report set is written whole or not at all: the error says which stack kept the others out of it."""
    stacks = {"dev": "config: {}\n", "prod": prod, "test": "config: {}\n"}
    project = write_project(tmp_path / "project", FAILING_PROGRAM, stacks=stacks).resolve()
    out = tmp_path / "out"
    (out / "dev").mkdir(parents=True)
    (out / "dev" / "report.html").write_text("previous report")
    assert main(["report", "--project", str(project), "--out", str(out)]) == 2
    error = capsys.readouterr().err.splitlines()[-1]
    assert error.startswith(f"abuse-guard: error: {named.format(project=project)}")
    assert error.endswith(
        "; the other stacks (dev, test) were not reported because of stack 'prod' (the reports are written for "
        "every stack or for none): fix it, or report one stack with --stack NAME"
    )
    assert [p.relative_to(out).as_posix() for p in sorted(out.rglob("*"))] == ["dev", "dev/report.html"]
    assert (out / "dev" / "report.html").read_text() == "previous report"


def test_the_default_output_is_in_the_project_wherever_the_command_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run from a subdirectory (the program's app/, zipped into a Lambda package), the reports still go to
    <project>/reports/out, and the command prints where."""
    project = users_project(tmp_path / "project").resolve()
    out = project / "reports" / "out"
    (project / "app").mkdir()
    monkeypatch.chdir(project / "app")
    assert main(["report", "--fail-on", "never"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["dev", "index.html", "prod"]
    assert not (project / "app" / "reports").exists()
    assert f"index: {out / 'index.html'}" in capsys.readouterr().out
    # --project from elsewhere, relative: the same place, printed in full
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--project", "project", "--stack", "dev"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (lines[0].endswith(f" -> {out / 'dev'}"), lines[1]) == (True, f"index: {out / 'index.html'}")
    assert not (tmp_path / "reports").exists()


def test_the_default_output_with_input_alone_is_in_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", "--input", str(EVENT_LOG), "--fail-on", "never"]) == 0
    assert sorted(p.name for p in (tmp_path / "reports" / "out").iterdir()) == ["index.html", "test"]
    assert f"index: {tmp_path / 'reports' / 'out' / 'index.html'}" in capsys.readouterr().out


def test_preview_of_one_stack_is_gated(tmp_path: Path) -> None:
    arguments = ["report", "--project", str(REPO), "--stack", "insecure", "--out", str(tmp_path)]
    assert main(arguments) == 1
    assert main([*arguments, "--fail-on", "never"]) == 0


@pytest.mark.parametrize(
    ("stack", "named"),
    [
        ("x/../../etc", "stack name 'x/../../etc' is invalid"),
        ("../insecure", "stack name '../insecure' is invalid"),
        ("org/other/insecure", "stack 'org/other/insecure' is a stack of project 'other', but "),
    ],
)
def test_a_stack_name_is_no_path(tmp_path: Path, capsys: pytest.CaptureFixture[str], stack: str, named: str) -> None:
    """`--stack x/../../etc` once previewed stack `etc`, and `org/other/insecure` this project's `insecure`."""
    out = tmp_path / "out"
    assert main(["report", "--project", str(REPO), "--stack", stack, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("abuse-guard: error: ") and err.count("\n") == 1 and named in err
    assert not out.exists()


def test_a_fully_qualified_stack_of_this_project_is_previewed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    stack = "acme/abuse-guard-demo/compliant"
    assert main(["report", "--project", str(REPO), "--stack", stack, "--out", str(out)]) == 0
    assert json.loads((out / "compliant" / "report.json").read_text())["stack"] == "compliant"
