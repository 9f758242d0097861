"""`python -m abuse_guard preview`: exit codes, the summary, the JSON file and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from abuse_guard.cli import main
from abuse_guard.offline import shown
from tests.offline.projects import write_project

REPO = Path(__file__).resolve().parents[2]

# name -> (arguments after PATH, exit code)
EXIT_CASES = {
    "compliant_passes": (["--stack", "compliant"], 0),
    "insecure_fails_mandatory_policies": (["--stack", "insecure"], 1),
    "insecure_with_everything_advisory": (["--stack", "insecure", "--policy-config", "{advisory}"], 0),
    "config_flag_makes_compliant_insecure": (["--stack", "compliant", "--config", "insecure=true"], 1),
    # --fail-on as for report: one exit-code contract for both commands
    "insecure_under_fail_on_never": (["--stack", "insecure", "--fail-on", "never"], 0),
    "advisory_fails_at_fail_on_advisory": (
        ["--stack", "insecure", "--policy-config", "{advisory}", "--fail-on", "advisory"],
        1,
    ),
}


@pytest.mark.parametrize(("arguments", "code"), EXIT_CASES.values(), ids=list(EXIT_CASES))
def test_exit_code(tmp_path: Path, arguments: list[str], code: int) -> None:
    advisory = tmp_path / "advisory.json"
    advisory.write_text('{"all": "advisory"}', encoding="utf-8")
    argv = ["preview", str(REPO), *(str(advisory) if a == "{advisory}" else a for a in arguments)]
    assert main(argv) == code


def test_summary_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "reports" / "insecure.json"
    assert main(["preview", str(REPO), "--stack", "insecure", "--json", str(out)]) == 1
    run = json.loads(out.read_text(encoding="utf-8"))
    fails = [f for f in run["findings"] if f["outcome"] == "fail"]
    # the 13 anti-patterns, and the 4 routes unthrottled stages ('beta', quick create's) put over their budget
    assert (run["project"], run["stack"], len(fails)) == ("abuse-guard-demo", "insecure", 17)
    assert len(run["entrypoints"]) == 17
    assert run["source"] == (
        f"offline preview of {shown(REPO / 'stacks')} (stack insecure; outputs modelled as on a deployed stack "
        "(synthetic IDs, ARNs and names))"
    )
    summary = capsys.readouterr().out.splitlines()
    assert summary[1] == "  pass 65, fail 17, unknown 0, not-applicable 13, exempt 0"
    assert sum(line.startswith("FAIL ") for line in summary) == 17
    assert sum(line.startswith("  over budget ") for line in summary) == 4
    assert [p.name for p in out.parent.iterdir()] == ["insecure.json"]


# name -> (how to break the project, the path or name the one error line must mention)
BROKEN = {
    "no_project_file": ("rm Pulumi.yaml", "Pulumi.yaml"),
    "invalid_stack_name": ("--stack my stack", "stack name 'my stack' is invalid"),
    "path_like_stack_name": ("--stack x/../../etc", "stack name 'x/../../etc' is invalid"),
    "parent_stack_name": ("--stack ../dev", "stack name '../dev' is invalid"),
    "another_projects_stack": ("--stack org/other/dev", "is a stack of project 'other', but "),
    "bad_config_pair": ("--config token", "--config 'token'"),
}


@pytest.mark.parametrize(("breakage", "named"), BROKEN.values(), ids=list(BROKEN))
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], breakage: str, named: str
) -> None:
    root = write_project(tmp_path, "aws.sns.Topic('topic')\n")
    argv = ["preview", str(root), "--stack", "dev"]
    verb, _, what = breakage.partition(" ")
    if verb == "rm":
        (root / what).unlink()
    else:
        argv += [verb, what]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("abuse-guard: error: ")
    assert named in err


@pytest.mark.parametrize("stacks", [{}, {"prod": "config: {}\n"}], ids=["no_stack_files", "another_stack"])
def test_a_stack_without_a_config_file_is_previewed_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], stacks: dict[str, str]
) -> None:
    """Every pulumi/examples program as cloned: no Pulumi.<stack>.yaml, as Pulumi allows."""
    root = write_project(tmp_path, "aws.sns.Topic('topic')\n", stacks=stacks)
    assert main(["preview", str(root), "--stack", "dev", "--json", str(tmp_path / "run.json")]) == 0
    run = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    assert (run["stack"], [r["type"] for r in run["resources"]][-1]) == ("dev", "aws:sns/topic:Topic")
    assert "(stack dev, which has no config file Pulumi.dev.yaml; outputs modelled" in run["source"]
    assert capsys.readouterr().out.startswith(run["source"])


def test_failing_program_shows_its_traceback_then_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_project(tmp_path, "def broken():\n    raise RuntimeError('boom')\n\nbroken()\n")
    assert main(["preview", str(root), "--stack", "dev", "--json", str(tmp_path / "run.json")]) == 2
    err = capsys.readouterr().err.splitlines()
    program = root.resolve() / "__main__.py"
    # the program's own frames only (line numbers count the two import lines write_project puts first)
    assert err == [
        "Traceback (most recent call last):",
        f'  File "{program}", line 6, in <module>',
        "    broken()",
        f'  File "{program}", line 4, in broken',
        "    raise RuntimeError('boom')",
        "RuntimeError: boom",
        f"abuse-guard: error: the program {root.resolve()} (stack dev) failed: RuntimeError: boom",
    ]
    assert not (tmp_path / "run.json").exists()
