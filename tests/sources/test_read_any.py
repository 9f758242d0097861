import json
from collections.abc import Callable
from pathlib import Path

import pytest

from abuse_guard import pack_config
from abuse_guard.errors import UserError
from abuse_guard.pipeline import read_any, read_event_log, read_state
from abuse_guard.policies import POLICIES
from abuse_guard.run import Run
from tests.sources import FIXTURES

READERS: dict[str, Callable[[Path], Run]] = {
    "checkpoint-secrets.json": read_state,
    "checkpoint-v3.json": read_state,
    "state-aws-apigateway-component.json": read_state,
    "events-TestResourceRemediation.ndjson": read_event_log,
    "events-TestSimpleAnalyzeResourceFailure.ndjson": read_event_log,
    "events-TestSimpleAnalyzeResourceMultipleViolations.ndjson": read_event_log,
    "events-TestSimpleAnalyzer.ndjson": read_event_log,
}


def test_every_fixture_is_read() -> None:
    assert sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".json", ".ndjson")) == sorted(READERS)


@pytest.mark.parametrize("fixture", READERS)
def test_read_any_picks_the_reader(fixture: str) -> None:
    run, expected = read_any(FIXTURES / fixture), READERS[fixture](FIXTURES / fixture)
    assert (run.source, run.resources, run.findings) == (expected.source, expected.resources, expected.findings)


def test_compact_state_on_one_line(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps(json.loads((FIXTURES / "checkpoint-v3.json").read_text())))
    assert read_any(path).findings == read_state(FIXTURES / "checkpoint-v3.json").findings


def test_pack_config_reaches_the_state_reader() -> None:
    config = pack_config.parse({"all": "disabled"}, POLICIES)
    assert read_any(FIXTURES / "checkpoint-v3.json", config).findings == ()


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "input.json"
    path.write_text("\n\n")
    with pytest.raises(UserError, match="empty file"):
        read_any(path)
