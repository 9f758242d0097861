"""Config that cannot turn into a wrong answer or a stall: non-finite numbers, patterns, errors naming the file."""

from __future__ import annotations

import fnmatch
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from abuse_guard import pack_config
from abuse_guard.cli import main
from abuse_guard.policies import BY_ID, POLICIES
from abuse_guard.policy import (
    MAX_EXEMPTIONS,
    MAX_PATTERN_LENGTH,
    MAX_PATTERN_STARS,
    MAX_REASON_LENGTH,
    ConfigError,
    wildcard_match,
)
from tests.sources import FIXTURES

NON_FINITE = {"nan": math.nan, "infinity": math.inf, "minus_infinity": -math.inf}


def _filled(schema: dict[str, Any]) -> Any:
    """A valid value for `schema` (its default where it has one)."""
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object":
        return {
            key: _filled(sub) for key, sub in schema.get("properties", {}).items() if key in schema.get("required", [])
        }
    return {"string": "x", "integer": 1, "number": 1, "boolean": True, "array": []}.get(str(kind))


def numeric_places(schema: dict[str, Any], where: str = "") -> Iterator[tuple[str, Any]]:
    """(config field, a config value putting a number at that field) for every number the schema allows."""
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "number" in kinds or "integer" in kinds:
        yield where, None  # the number itself goes here
    if "object" in kinds:
        for key, sub in schema.get("properties", {}).items():
            for field, value in numeric_places(sub, f"{where}.{key}" if where else key):
                yield field, {**_filled(schema), key: value}
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for field, value in numeric_places(extra, f"{where}.name" if where else "name"):
                yield field, {**_filled(schema), "name": value}
    if "array" in kinds and isinstance(schema.get("items"), dict):
        for field, value in numeric_places(schema["items"], f"{where}[0]"):
            yield field, [value]


def _with_number(value: Any, number: float) -> Any:
    if value is None:
        return number
    if isinstance(value, dict):
        return {
            k: _with_number(v, number) if k not in ("reason", "resource", "function") else v for k, v in value.items()
        }
    return [_with_number(v, number) for v in value]


CASES = {
    f"{policy.id}:{field}:{name}": (policy.id, field, _with_number(config, number))
    for policy in POLICIES
    for field, config in numeric_places(policy.config_schema())
    for name, number in NON_FINITE.items()
}


def test_every_policy_with_numbers_is_covered() -> None:
    covered = {policy_id for policy_id, _, _ in CASES.values()}
    assert covered == {p.id for p in POLICIES if any(numeric_places(p.config_schema()))}
    assert {"monthlyBudget", "stackBudgets.name", "overrides[0].minimum"} <= {f for _, f, _ in CASES.values()}


@pytest.mark.parametrize(("policy_id", "field", "config"), CASES.values(), ids=list(CASES))
def test_non_finite_numbers_are_invalid_in_every_field(policy_id: str, field: str, config: dict[str, Any]) -> None:
    """Through the engine's Configure (policy.settings) and from a file (pack_config.parse): never a silent pass."""
    with pytest.raises(ConfigError) as from_engine:
        BY_ID[policy_id].settings(config)
    with pytest.raises(ConfigError) as from_file:
        pack_config.parse({policy_id: config}, POLICIES, "cfg.json")
    assert f"policy '{policy_id}': config field '{field}': " in str(from_engine.value)
    assert str(from_file.value).startswith(f"cfg.json: policy '{policy_id}': config field '{field}': ")


def test_nan_budget_no_longer_turns_failures_into_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "cfg.json"
    config.write_text('{"entrypoint-cost-budget": {"monthlyBudget": NaN}}')
    arguments = ["report", "--input", str(FIXTURES / "checkpoint-v3.json"), "--out", str(tmp_path / "out")]
    assert main([*arguments, "--policy-config", str(config)]) == 2
    assert capsys.readouterr().err == (
        f"abuse-guard: error: {config}: policy 'entrypoint-cost-budget': config field 'monthlyBudget': nan is not a "
        "finite number (NaN and infinities are not allowed)\n"
    )


def test_an_error_found_while_checking_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "cfg.json"
    config.write_text('{"lambda-reserved-concurrency": {"minimum": 50, "maximum": 3}}')
    arguments = ["report", "--input", str(FIXTURES / "checkpoint-v3.json"), "--out", str(tmp_path / "out")]
    assert main([*arguments, "--policy-config", str(config)]) == 2
    assert capsys.readouterr().err.startswith(
        f"abuse-guard: error: {config}: policy 'lambda-reserved-concurrency': config field 'minimum' (50) is above"
    )


def _exemptions(*entries: dict[str, str]) -> dict[str, Any]:
    return {"exemptions": list(entries)}


BOUNDS: dict[str, tuple[dict[str, Any], str | None]] = {
    "longest_pattern": (_exemptions({"resource": "a" * MAX_PATTERN_LENGTH, "reason": "r"}), None),
    "pattern_too_long": (_exemptions({"resource": "[" * 20_000, "reason": "r"}), "exemptions.0.resource"),
    "most_stars": (_exemptions({"resource": "a*" * MAX_PATTERN_STARS, "reason": "r"}), None),
    "too_many_stars": (
        _exemptions({"resource": "*" * (MAX_PATTERN_STARS + 1), "reason": "r"}),
        "exemptions.0.resource",
    ),
    "most_exemptions": (_exemptions(*[{"resource": "a", "reason": "r"}] * MAX_EXEMPTIONS), None),
    "too_many_exemptions": (_exemptions(*[{"resource": "a", "reason": "r"}] * (MAX_EXEMPTIONS + 1)), "exemptions"),
    "reason_too_long": (_exemptions({"resource": "a", "reason": "r" * (MAX_REASON_LENGTH + 1)}), "exemptions.0.reason"),
    "override_pattern_too_long": (
        {"overrides": [{"function": "f" * (MAX_PATTERN_LENGTH + 1)}]},
        "overrides.0.function",
    ),
}


@pytest.mark.parametrize(("config", "field"), BOUNDS.values(), ids=list(BOUNDS))
def test_pattern_bounds(config: dict[str, Any], field: str | None) -> None:
    policy = BY_ID["lambda-reserved-concurrency"]
    if field is None:
        assert policy.settings(config)["exemptions"] == config.get("exemptions", [])
    else:
        with pytest.raises(ConfigError, match=f"config field '{field}'"):
            policy.settings(config)


MATCHES: dict[str, tuple[str, str, bool]] = {
    "exact": ("webhook", "webhook", True),
    "exact_differs": ("webhook", "webhooks", False),
    "star_suffix": ("batch-1", "batch-*", True),
    "star_matches_nothing": ("batch-", "batch-*", True),
    "star_prefix_and_suffix": ("urn:pulumi:dev::p::t::legacy", "*::legacy", True),
    "question_one_character": ("fn1", "fn?", True),
    "question_not_zero_characters": ("fn", "fn?", False),
    "brackets_are_literal": ("[abc]", "[abc]", True),
    "brackets_are_no_class": ("a", "[abc]", False),
    "parts_in_order": ("a-b-c", "*a*c*", True),
    "parts_out_of_order": ("c-b-a", "*a*c", False),
    "prefix_and_suffix_may_not_overlap": ("aba", "ab*ba", False),
    "case_matters": ("Webhook", "webhook", False),
}


@pytest.mark.parametrize(("name", "pattern", "expected"), MATCHES.values(), ids=list(MATCHES))
def test_wildcard_match(name: str, pattern: str, expected: bool) -> None:
    assert wildcard_match(name, pattern) is expected


@settings(max_examples=300, deadline=None, database=None)
@given(st.text("ab?*-", max_size=8), st.text("ab-", max_size=12))
def test_wildcard_match_agrees_with_fnmatch_on_stars_and_question_marks(pattern: str, name: str) -> None:
    assert wildcard_match(name, pattern) is fnmatch.fnmatchcase(name, pattern)


def test_config_file_is_json_with_limits(tmp_path: Path) -> None:
    path = tmp_path / "cfg.json"
    path.write_text(json.dumps({"all": "advisory"}))
    assert set(pack_config.load(path, POLICIES).levels.values()) == {"advisory"}
