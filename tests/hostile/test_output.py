"""Output that cannot be turned against its reader: terminals, the Markdown summary, and text that cannot be encoded."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from abuse_guard.cli import main
from abuse_guard.commands.preview import summary
from abuse_guard.files.atomic import replace_directory, write_atomically
from abuse_guard.findings import Finding, Outcome
from abuse_guard.report import markdown
from abuse_guard.report.model import Report
from abuse_guard.run import PolicyInfo, ResourceInfo
from abuse_guard.wording import encodable, printable
from tests.report.runs import LAMBDA, sample_run

TERMINAL_ATTACK = "\x1b[2J\x1b]0;title\x07"
"""Clears the screen and sets the window title."""
UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

PRINTABLE: dict[str, tuple[str, str]] = {
    "plain_text_is_kept": ("webhook-1 é 日本 🚀 $5.00", "webhook-1 é 日本 🚀 $5.00"),
    "escape_sequences": (f"fn{TERMINAL_ATTACK}", "fn\\x1b[2J\\x1b]0;title\\x07"),
    "newline_cannot_forge_a_line": ("fn\nPASS  everything", "fn\\nPASS  everything"),
    "carriage_return_cannot_overwrite": ("bad\rgood", "bad\\rgood"),
    "tab_and_nul": ("a\tb\0", "a\\tb\\x00"),
    "c1_csi": ("a\x9b31mb", "a\\x9b31mb"),
    "delete": ("a\x7f", "a\\x7f"),
    "bidi_override": ("abc\u202edcba", "abc\\u202edcba"),
    "bidi_isolate": ("a\u2066b\u2069", "a\\u2066b\\u2069"),
    "line_separator": ("a\u2028b", "a\\u2028b"),
    "lone_surrogate": ("a\ud800b", "a\\ud800b"),
}


@pytest.mark.parametrize(("text", "shown"), PRINTABLE.values(), ids=list(PRINTABLE))
def test_printable(text: str, shown: str) -> None:
    assert printable(text) == shown


def test_encodable_replaces_lone_surrogates_only() -> None:
    assert encodable("ok é \ud800 \udfff 🚀") == "ok é \ufffd \ufffd 🚀"


def _event_log(tmp_path: Path, stack: str, name: str, message: str) -> Path:
    """An event log whose stack, resource name and violation message are hostile."""
    urn = f"urn:pulumi:{stack}::shop::{LAMBDA}::{name}"
    events = [
        {"sequence": 1, "resourcePreEvent": {"metadata": {"urn": urn, "type": LAMBDA, "new": {"inputs": {}}}}},
        {
            "sequence": 2,
            "policyEvent": {
                "resourceUrn": urn,
                "message": message,
                "policyName": "lambda-reserved-concurrency",
                "policyPackName": "abuse-guard",
                "policyPackVersion": "0.1.0",
                "enforcementLevel": "mandatory",
            },
        },
        {"sequence": 3, "summaryEvent": {"isPreview": True, "result": "failed"}},
    ]
    path = tmp_path / "events.ndjson"
    path.write_text("".join(json.dumps(e) + "\n" for e in events))
    return path


def test_report_prints_no_control_character(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = _event_log(tmp_path, f"dev{TERMINAL_ATTACK}", f"fn{TERMINAL_ATTACK}", "unbounded \ud800")
    assert main(["report", "--input", str(log), "--out", str(tmp_path / "out")]) == 1
    printed = capsys.readouterr()
    assert UNSAFE.findall((printed.out + printed.err).replace("\n", "")) == []
    assert "dev\\x1b[2J\\x1b]0;title\\x07" in printed.err  # the gate names the stack, visibly escaped


def test_a_lone_surrogate_is_written_as_a_visible_escape(tmp_path: Path) -> None:
    """A JSON "\\ud800" escape decodes to a lone surrogate, which UTF-8 cannot encode: every file is still written,
    the report showing it as the escape `\\ud800` (wording.printable_data)."""
    log = _event_log(tmp_path, "dev", "fn", "unbounded \ud800 here")
    assert main(["report", "--input", str(log), "--out", str(tmp_path / "out"), "--fail-on", "never"]) == 0
    written = {p.name: p.read_bytes().decode("utf-8") for p in (tmp_path / "out" / "dev").iterdir()}
    assert set(written) == {"report.html", "report.json", "junit.xml", "report.sarif", "summary.md"}
    [finding] = json.loads(written["report.json"])["findings"]
    assert finding["message"] == "unbounded \\ud800 here"
    assert all("\ud800" not in text for text in written.values())


def test_bidirectional_overrides_and_escapes_never_reach_a_report(tmp_path: Path) -> None:
    """Trojan-Source style names (U+202E, ESC) are shown as escapes in every format (found by a fresh user)."""
    log = _event_log(tmp_path, "dev", "u\u202e\x1b[31mevil", "message \u202e\x1b[2J")
    assert main(["report", "--input", str(log), "--out", str(tmp_path / "out"), "--fail-on", "never"]) == 0
    for path in (tmp_path / "out" / "dev").iterdir():
        text = path.read_text(encoding="utf-8")
        assert "\u202e" not in text and "\x1b" not in text, path.name
        assert "\\u202e" in text, path.name


WRITERS = {
    "write_atomically": lambda path, text: write_atomically({path: text}),
    "replace_directory": lambda path, text: replace_directory(path.parent, {path.name: text}),
}


@pytest.mark.parametrize("write", WRITERS.values(), ids=list(WRITERS))
def test_writers_replace_lone_surrogates(tmp_path: Path, write: object) -> None:
    path = tmp_path / "out" / "file.txt"
    write(path, "a\ud800b")  # type: ignore[operator]
    assert path.read_text(encoding="utf-8") == "a\ufffdb"


def test_preview_summary_prints_no_control_character() -> None:
    run = sample_run()
    hostile = ResourceInfo(f"urn:pulumi:dev::shop::{LAMBDA}::x", LAMBDA, f"fn{TERMINAL_ATTACK}", {})
    failing = Finding("lambda-reserved-concurrency", hostile.urn, LAMBDA, hostile.name, Outcome.FAIL, "a\nFAKE b")
    text = summary(replace(run, source=f"offline preview of {TERMINAL_ATTACK}", findings=(*run.findings, failing)))
    assert UNSAFE.findall(text.replace("\n", "")) == []
    assert "fn\\x1b[2J\\x1b]0;title\\x07: a\\nFAKE b" in text


MENTIONS = {
    "user": ("ping @octocat now", "@&#8203;octocat"),
    "team": ("ping @acme/security", "@&#8203;acme/security"),
    "email": ("mail ops@example.com", "ops@&#8203;example.com"),
    "https_link": ("see https://evil.example/x", "https&#8203;://evil.example/x"),
    "other_scheme": ("ftp://files.example", "ftp&#8203;://files.example"),
    "www_link": ("visit www.evil.example", "www&#8203;.evil.example"),
    "www_in_capitals": ("visit WWW.evil.example", "WWW&#8203;.evil.example"),
    "control_characters": (f"fn{TERMINAL_ATTACK}", "fn\\\\x1b\\[2J\\\\x1b\\]0;title\\\\x07"),
    "bidi_override": ("abc\u202edcba", "abc\\\\u202edcba"),
}


@pytest.mark.parametrize(("text", "escaped"), MENTIONS.values(), ids=list(MENTIONS))
def test_markdown_values_notify_nobody_and_link_nothing(text: str, escaped: str) -> None:
    assert escaped in markdown.escape(text)


def test_summary_md_of_a_hostile_run(tmp_path: Path) -> None:
    hostile = ResourceInfo(f"urn:pulumi:dev::shop::{LAMBDA}::x", LAMBDA, f"@octocat{TERMINAL_ATTACK}", {})
    run = replace(
        sample_run(),
        stack="dev@acme/team",
        policies=(PolicyInfo("lambda-reserved-concurrency", enforcement="mandatory"),),
        resources=(hostile,),
        findings=(
            Finding(
                "lambda-reserved-concurrency", hostile.urn, LAMBDA, hostile.name, Outcome.FAIL, "see www.x.example"
            ),
        ),
    )
    text = markdown.render(Report(run))
    assert UNSAFE.findall(text.replace("\n", "")) == []
    assert re.findall(r"@(?!&#8203;)", text) == []
    assert re.findall(r"(?i)www\.|://", text) == []
