"""Exit codes are a contract: 0 clean, 1 policy failures at --fail-on, 2 bad input, 3 internal error, 130 Ctrl-C."""

from __future__ import annotations

from pathlib import Path

import pytest

from abuse_guard import cli
from abuse_guard.commands import report
from tests.sources import FIXTURES

FAILING_LOG = FIXTURES / "events-TestSimpleAnalyzeResourceMultipleViolations.ndjson"  # 5 mandatory + 5 advisory
PASSING_LOG = FIXTURES / "events-TestSimpleAnalyzer.ndjson"

EXITS: dict[str, tuple[list[str], int]] = {
    "clean": (["--input", str(PASSING_LOG)], cli.EXIT_OK),
    "failures_below_the_gate": (["--input", str(FAILING_LOG), "--fail-on", "never"], cli.EXIT_OK),
    "failures_at_the_gate": (["--input", str(FAILING_LOG)], cli.EXIT_POLICY_FAILED),
    "bad_input": (["--input", "missing.ndjson"], cli.EXIT_BAD_INPUT),
    "bad_argument": (["--fail-on", "sometimes"], cli.EXIT_BAD_INPUT),
}


@pytest.mark.parametrize(("arguments", "code"), EXITS.values(), ids=list(EXITS))
def test_exit_codes(tmp_path: Path, arguments: list[str], code: int) -> None:
    try:
        result = cli.main(["report", *arguments, "--out", str(tmp_path / "out")])
    except SystemExit as exit_:  # argparse's usage error
        result = int(str(exit_.code))
    assert result == code


# a command's otherwise valid arguments, to which an unknown flag is added
COMMAND_ARGUMENTS = {"preview": [".", "--stack", "dev"], "report": [], "policies": []}


@pytest.mark.parametrize(("command", "arguments"), COMMAND_ARGUMENTS.items(), ids=list(COMMAND_ARGUMENTS))
def test_an_unknown_argument_shows_the_commands_usage(
    capsys: pytest.CaptureFixture[str], command: str, arguments: list[str]
) -> None:
    """argparse hands a command's unknown arguments to the top-level parser, whose usage names no flag of it."""
    with pytest.raises(SystemExit) as exit_:
        cli.main([command, *arguments, "--no-such-flag", "x"])
    assert exit_.value.code == cli.EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith(f"usage: abuse-guard {command} [-h]")
    assert err.endswith(f"abuse-guard {command}: error: unrecognized arguments: --no-such-flag x\n")


def _broken(args: object) -> int:
    raise KeyError("a bug")


def test_an_internal_error_is_one_line_and_exit_3(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(cli.DEBUG_VARIABLE, raising=False)
    monkeypatch.setattr(report, "run", _broken)
    assert cli.main(["report"]) == cli.EXIT_INTERNAL_ERROR == 3
    assert capsys.readouterr().err == (
        "abuse-guard: internal error (KeyError: 'a bug'); this is a bug in abuse-guard, not in your input: please "
        "report it (set ABUSE_GUARD_DEBUG=1 for the traceback)\n"
    )


def test_the_traceback_only_when_asked_for(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(cli.DEBUG_VARIABLE, "1")
    monkeypatch.setattr(report, "run", _broken)
    assert cli.main(["report"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert err.splitlines()[-1].startswith("abuse-guard: internal error (KeyError: 'a bug')")


def test_interrupted(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "run", interrupted)
    assert cli.main(["report"]) == cli.EXIT_INTERRUPTED == 130
    assert capsys.readouterr().err == "abuse-guard: interrupted\n"


def test_recursion_is_no_longer_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """5,000 nested objects once gave a RecursionError traceback and exit 1, the "policy failed" code."""
    log = tmp_path / "deep.ndjson"
    log.write_text('{"sequence": 1, "stdoutEvent": ' + '{"a":' * 5000 + "1" + "}" * 5000 + "}\n")
    assert cli.main(["report", "--input", str(log), "--out", str(tmp_path / "out")]) == 2
    assert capsys.readouterr().err == (
        f"abuse-guard: error: {log}: line 1: objects and arrays nested deeper than the limit of 128 levels\n"
    )
