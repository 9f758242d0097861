import base64
import binascii
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from abuse_guard import pack_config
from abuse_guard.errors import UserError
from abuse_guard.findings import Outcome
from abuse_guard.pipeline import read_state
from abuse_guard.policies import POLICIES
from abuse_guard.resources import SECRET, SECRET_SIG, SIG_KEY
from abuse_guard.sources.state import merged_props, read_deployment
from tests.sources import FIXTURES

CHECKPOINTS = ["checkpoint-v3.json", "checkpoint-secrets.json"]
OURS = "lambda-reserved-concurrency"
ONLY_OURS = pack_config.parse({"all": "disabled", OURS: "mandatory"}, POLICIES)
LAMBDAS = {"countDown_watcher", "pulumi-foo-log-collector", "heartbeat"}


def outcomes(path: Path, config: pack_config.PackConfig = ONLY_OURS) -> dict[tuple[str, str], Outcome]:
    return {(f.name, f.policy): f.outcome for f in read_state(path, config).findings}


@pytest.mark.parametrize("fixture", CHECKPOINTS)
def test_deployed_lambdas_without_reserved_concurrency_fail(fixture: str) -> None:
    # The 2017 countdown stack deployed three functions and reserved concurrency for none of them.
    assert outcomes(FIXTURES / fixture) == {(name, OURS): Outcome.FAIL for name in LAMBDAS}


@pytest.mark.parametrize("fixture", CHECKPOINTS)
def test_stack_project_and_resources(fixture: str) -> None:
    run = read_state(FIXTURES / fixture)
    assert (run.project, run.stack) == ("countdown", "foo")
    assert len(run.resources) == 30
    assert [p.id for p in run.policies] == [p.id for p in pack_config.load(None, POLICIES).enabled(POLICIES)]


def test_state_keeps_parents_and_property_dependencies() -> None:
    resources = {r.urn: r for r in read_deployment(FIXTURES / "checkpoint-v3.json").resources}
    role = resources["urn:pulumi:foo::countdown::aws:iam/role:Role::countDown_watcher-iamrole"]
    assert role.parent == "urn:pulumi:foo::countdown::aws:serverless:Function::countDown_watcher"
    assert role.property_dependencies == {"assumeRolePolicy": ()}


def test_stack_export_reads_like_the_checkpoint(tmp_path: Path) -> None:
    latest = json.loads((FIXTURES / "checkpoint-v3.json").read_text())["checkpoint"]["latest"]
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"version": 3, "deployment": latest}, indent=4))
    assert read_deployment(export).kind == "pulumi stack export"
    assert outcomes(export) == outcomes(FIXTURES / "checkpoint-v3.json")


def test_pack_config_is_applied() -> None:
    config = pack_config.parse(
        {
            "all": "disabled",
            OURS: {
                "enforcementLevel": "mandatory",
                "exemptions": [{"resource": "heartbeat", "reason": "cron, one run at a time"}],
            },
        },
        POLICIES,
    )
    assert outcomes(FIXTURES / "checkpoint-v3.json", config)[("heartbeat", OURS)] is Outcome.EXEMPT


def test_stack_without_resources_takes_its_name_from_the_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "dev.json"
    path.write_text(json.dumps({"version": 4, "checkpoint": {"stack": "acme/shop/dev", "latest": None}}))
    deployment = read_deployment(path)
    assert (deployment.stack, deployment.resources) == ("dev", ())


def test_resources_pending_deletion_are_left_out(tmp_path: Path) -> None:
    document = json.loads((FIXTURES / "checkpoint-v3.json").read_text())
    resources = document["checkpoint"]["latest"]["resources"]
    resources.append({**resources[6], "delete": True, "outputs": {"reservedConcurrentExecutions": 1}})
    path = tmp_path / "replacing.json"
    path.write_text(json.dumps(document))
    assert len(read_deployment(path).resources) == 30


SEALED = {SIG_KEY: SECRET_SIG, "ciphertext": "ImFybjphd3M6c25zOi4uLiI="}
SHOWN = {SIG_KEY: SECRET_SIG, "plaintext": '"arn:aws:sns:..."'}  # `pulumi stack export --show-secrets`

MERGE_CASES: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    "outputs_win": ({"timeout": 30}, {"timeout": 180}, {"timeout": 180}),
    "inputs_fill_what_outputs_lack": ({"options": {"memorySize": 128}}, {}, {"options": {"memorySize": 128}}),
    "provider_default_from_outputs": ({}, {"reservedConcurrentExecutions": -1}, {"reservedConcurrentExecutions": -1}),
    "secret_output": ({}, {"sourceArn": SEALED}, {"sourceArn": SECRET}),
    "show_secrets_plaintext": ({}, {"sourceArn": SHOWN}, {"sourceArn": SECRET}),
    "declared_secret_stays_secret": ({"function": SEALED}, {"function": "hook-1a2b"}, {"function": SECRET}),
    "nested_secret_stays_secret": (
        {"deadLetterConfig": [{"targetArn": SEALED}]},
        {"deadLetterConfig": [{"targetArn": "arn:aws:sns:...", "mode": "x"}]},
        {"deadLetterConfig": [{"targetArn": SECRET, "mode": "x"}]},
    ),
    "reshaped_list_with_a_secret_is_hidden": ({"items": [SEALED]}, {"items": ["a", "b"]}, {"items": SECRET}),
    "reshaped_list_without_secrets": ({"items": ["a"]}, {"items": ["a", "b"]}, {"items": ["a", "b"]}),
}


@pytest.mark.parametrize(("inputs", "outputs", "expected"), MERGE_CASES.values(), ids=list(MERGE_CASES))
def test_merged_props(inputs: dict[str, Any], outputs: dict[str, Any], expected: dict[str, Any]) -> None:
    assert merged_props(inputs, outputs) == expected


def envelopes(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get(SIG_KEY) == SECRET_SIG:
            yield value
            return
        for item in value.values():
            yield from envelopes(item)
    elif isinstance(value, list):
        for item in value:
            yield from envelopes(item)


def secret_forms(envelope: dict[str, Any]) -> set[str]:
    """The ciphertext, its base64 decoding, and the value that decodes to (the b64 provider's "encryption")."""
    forms = {str(envelope[key]) for key in ("ciphertext", "plaintext", "value") if key in envelope}
    try:
        decoded = base64.b64decode(envelope["ciphertext"], validate=True).decode()
    except (KeyError, binascii.Error, UnicodeDecodeError):
        return forms
    value = json.loads(decoded)
    return forms | {decoded, value if isinstance(value, str) else json.dumps(value)}


def test_secrets_never_reach_the_run() -> None:
    path = FIXTURES / "checkpoint-secrets.json"
    found = list(envelopes(json.loads(path.read_text())))
    assert len(found) == 10  # every secret in the file, so this test cannot pass by finding none
    secrets = set().union(*(secret_forms(e) for e in found))
    assert {"lambda:invokeFunction", '"lambda:invokeFunction"', "ImxhbWJkYTppbnZva2VGdW5jdGlvbiI="} <= secrets
    run = read_state(path)
    shown = repr(run) + json.dumps(run.to_dict())
    assert sorted(s for s in secrets if s in shown) == []
    # The rules' input holds no ciphertext either (the plaintexts also occur unmarked elsewhere in this
    # old state, e.g. the topic ARN as the topic's own output, so only the ciphertext is unique to them).
    props = repr(read_deployment(path).resources)
    assert [e["ciphertext"] for e in found if e["ciphertext"] in props] == []


def test_secrets_reach_the_rules_as_the_secret_marker() -> None:
    resources = read_deployment(FIXTURES / "checkpoint-secrets.json").resources
    urn = "urn:pulumi:foo::countdown::aws:lambda/permission:Permission::countDown_watcher"
    permission = next(r for r in resources if r.urn == urn)
    assert permission.props["sourceArn"] is SECRET
    assert permission.props["function"] is SECRET  # secret input, plain output in this old state


CHECKPOINT = (FIXTURES / "checkpoint-v3.json").read_text()
EVENTS = (FIXTURES / "events-TestSimpleAnalyzer.ndjson").read_text()

MALFORMED: dict[str, str] = {
    "empty": "",
    "blank": " \n\n",
    "truncated": CHECKPOINT[: len(CHECKPOINT) // 2],
    "truncated_in_a_string": '{"version": 3, "deployment": {"resources": [{"urn": "urn:pulu',
    "bad_json": CHECKPOINT.replace('"custom": true', '"custom": tru', 1),
    "wrong_schema": json.dumps({"version": 3, "resources": []}),
    "json_array": "[]",
    "event_log_given_as_state": EVENTS,
    "unsupported_version": json.dumps({"version": 1, "deployment": {"resources": []}}),
    "resources_not_a_list": json.dumps({"version": 3, "deployment": {"resources": {}}}),
    "resource_without_urn": json.dumps({"version": 3, "deployment": {"resources": [{"type": "aws:sns/topic:Topic"}]}}),
    "resource_with_bad_urn": json.dumps({"version": 3, "deployment": {"resources": [{"urn": "topic", "type": "t"}]}}),
    "inputs_not_an_object": json.dumps(
        {"version": 3, "deployment": {"resources": [{"urn": "urn:pulumi:s::p::t::n", "type": "t", "inputs": []}]}}
    ),
    "dependencies_not_urns": json.dumps(
        {
            "version": 3,
            "deployment": {"resources": [{"urn": "urn:pulumi:s::p::t::n", "type": "t", "dependencies": [1]}]},
        }
    ),
    "resource_not_an_object": json.dumps({"version": 3, "deployment": {"resources": ["topic"]}}),
    "latest_not_an_object": json.dumps({"version": 3, "checkpoint": {"stack": "dev", "latest": []}}),
    "more_data_after_the_document": json.dumps({"version": 3, "deployment": {}}) + "\n{}\n",
    "not_utf8": '{"version": 3, "deployment": {"resources": ["\udcff"]}}',
}


@pytest.mark.parametrize("content", MALFORMED.values(), ids=list(MALFORMED))
def test_malformed_state_is_one_error_naming_the_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(UserError) as error:
        read_state(path)
    assert str(error.value).startswith(f"{path}: ")
    assert "\n" not in str(error.value)


def test_wrong_schema_says_what_a_state_file_is(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"version": 3, "resources": []}))
    with pytest.raises(UserError, match="not a Pulumi state file: expected a 'deployment' or 'checkpoint' object"):
        read_state(path)


def test_unreadable_paths(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.json", tmp_path):
        with pytest.raises(UserError, match=re.escape(f"{path}: ")):
            read_state(path)


LOCATED: dict[str, tuple[str, int]] = {
    "invalid_json": (CHECKPOINT.replace('"custom": true', '"custom": tru', 1), 18),
    "more_data_starts_on_the_line_named": (json.dumps({"version": 3, "deployment": {}}) + "\n\n{}\n", 3),
    "not_utf8_in_a_string": ('{\n"version": 3,\n"deployment": {"resources": ["\udcff"]}}', 3),
    "compact_file_on_one_line": (json.dumps(json.loads(CHECKPOINT)).replace("true", "tru", 1), 1),
}


@pytest.mark.parametrize(("content", "line"), LOCATED.values(), ids=list(LOCATED))
def test_json_errors_name_the_line(tmp_path: Path, content: str, line: int) -> None:
    path = tmp_path / "state.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    with pytest.raises(UserError, match=f"^{re.escape(str(path))}: line {line}: "):
        read_state(path)


def test_invalid_json_names_line_and_column_in_characters(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text('{\n  "version": 3,\n  "déploiement": {"resources": [tru]}\n}\n')
    with pytest.raises(UserError) as error:
        read_state(path)
    # yajl names the place where it gives up: the "]" after the bad literal, column 36 counting "é" once
    assert str(error.value) == f"{path}: line 3: invalid JSON: invalid string in json text (column 36)"


LATEST = json.loads(CHECKPOINT)["checkpoint"]["latest"]

KEY_ORDERS: dict[str, str] = {
    "version_after_the_resources": json.dumps({"deployment": LATEST, "version": 3}),
    "stack_after_the_resources": json.dumps(
        {"checkpoint": {"latest": LATEST, "stack": "acme/countdown/foo"}, "version": 4}
    ),
}


@pytest.mark.parametrize("content", KEY_ORDERS.values(), ids=list(KEY_ORDERS))
def test_any_key_order_reads_alike(tmp_path: Path, content: str) -> None:
    path = tmp_path / "state.json"
    path.write_text(content)
    assert outcomes(path) == outcomes(FIXTURES / "checkpoint-v3.json")


def test_a_repeated_key_replaces_what_it_held(tmp_path: Path) -> None:
    # json.loads keeps the last value of a repeated key; so does the stream, malformed resources and all
    path = tmp_path / "state.json"
    path.write_text('{"version": 3, "deployment": {"resources": [{"type": 1}]}, "deployment": {}}')
    assert read_deployment(path).resources == ()


def test_the_version_is_checked_before_the_resources_it_follows(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"deployment": {"resources": [{"type": 1}]}, "version": 1}))
    with pytest.raises(UserError, match="unsupported state version 1"):
        read_state(path)


def test_a_whole_number_beyond_64_bits_is_refused_where_it_is(tmp_path: Path) -> None:
    # yajl reads whole numbers as 64-bit integers (json.loads took any size); Pulumi writes numbers as float64
    path = tmp_path / "state.json"
    path.write_text('{\n"version": 3,\n"deployment": {"resources": [{"count": 18446744073709551616}]}}')
    with pytest.raises(UserError, match=f"^{re.escape(str(path))}: line 3: invalid JSON: integer overflow"):
        read_state(path)


def test_numbers_arrive_as_python_numbers(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    resource = {
        "urn": "urn:pulumi:dev::shop::aws:lambda/function:Function::hook",
        "type": "aws:lambda/function:Function",
    }
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": [{**resource, "inputs": {"timeout": 2.5}}]}}))
    [function] = read_deployment(path).resources
    assert (function.props["timeout"], type(function.props["timeout"])) == (2.5, float)
