"""Configure as the engine sends it: levels, properties, the schema's defaults, and invalid values."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import grpc  # type: ignore[import-untyped]
import pytest
from pulumi.runtime.proto import analyzer_pb2

from abuse_guard.findings import Outcome
from abuse_guard.policies import BY_ID, POLICIES
from tests.harness.analyzer import PolicyConfig, RunningPack, reported
from tests.protocol.examples import RESOURCE_EXAMPLES, STACK_EXAMPLES, answers, function


@pytest.fixture(autouse=True)
def declared_config(pack: RunningPack) -> Iterator[None]:
    """Every test starts and ends with the pack as the engine finds it without a config file."""
    pack.configure({})
    yield
    pack.configure({})


def engine_config(**overrides: PolicyConfig) -> dict[str, PolicyConfig]:
    """What the CLI sends: every policy with its level and the schema's defaults filled in."""
    return {p.id: (p.enforcement, p.defaults()) for p in POLICIES} | overrides


def test_the_schema_defaults_give_the_same_answers_as_no_config(pack: RunningPack) -> None:
    without = answers(pack)
    pack.configure(engine_config())
    assert answers(pack) == without
    assert Outcome.FAIL in {entry.kind for entry in without}


def test_config_properties_and_level_reach_the_policy(pack: RunningPack) -> None:
    defaults = BY_ID["lambda-reserved-concurrency"].defaults()
    pack.configure(engine_config(**{"lambda-reserved-concurrency": ("advisory", {**defaults, "minimum": 2})}))
    one = pack.analyze(function("worker", 1.0))
    two = pack.analyze(function("worker", 2.0))
    assert [(d.policyName, d.enforcementLevel) for d in one.diagnostics] == [
        ("lambda-reserved-concurrency", analyzer_pb2.ADVISORY)
    ]
    assert list(two.diagnostics) == []


def test_a_config_without_defaults_is_completed_from_the_schema(pack: RunningPack) -> None:
    pack.configure({"lambda-reserved-concurrency": ("mandatory", {"minimum": 2})})
    assert [d.enforcementLevel for d in pack.analyze(function("worker", 1.0)).diagnostics] == [analyzer_pb2.MANDATORY]
    assert list(pack.analyze(function("worker", 900.0)).diagnostics) == []


@pytest.mark.parametrize("policy", POLICIES, ids=[p.id for p in POLICIES])
def test_a_disabled_policy_says_nothing(pack: RunningPack, policy: Any) -> None:
    pack.configure(engine_config(**{policy.id: ("disabled", policy.defaults())}))
    said = answers(pack)
    assert [entry for entry in said if entry.policy == policy.id] == []
    assert {entry.policy for entry in said} == {p.id for p in POLICIES} - {policy.id}


INVALID: dict[str, tuple[str, dict[str, Any], str]] = {
    "wrong_type": ("lambda-reserved-concurrency", {"minimum": "two"}, "minimum"),
    "negative_limit": ("lambda-reserved-concurrency", {"accountConcurrencyLimit": -5}, "accountConcurrencyLimit"),
    "unknown_key": ("lambda-reserved-concurrency", {"minimun": 2}, "minimun"),
    "exemption_without_reason": ("lambda-reserved-concurrency", {"exemptions": [{"resource": "x"}]}, "exemptions"),
    "stack_policy_wrong_type": (
        "account-concurrency-headroom",
        {"accountConcurrencyLimit": "lots"},
        "accountConcurrencyLimit",
    ),
}


@pytest.mark.parametrize(("policy_id", "properties", "field"), INVALID.values(), ids=list(INVALID))
def test_invalid_config_fails_the_rpc_naming_policy_and_field(
    pack: RunningPack, policy_id: str, properties: dict[str, Any], field: str
) -> None:
    policy = BY_ID[policy_id]
    pack.configure({policy_id: (policy.enforcement, properties)})
    with pytest.raises(grpc.RpcError) as error:
        if policy.is_stack_policy:
            pack.analyze_stack(STACK_EXAMPLES[policy_id][0])
        else:
            pack.analyze(RESOURCE_EXAMPLES[policy_id][0])
    assert error.value.code() is grpc.StatusCode.UNKNOWN
    assert f"policy '{policy_id}'" in error.value.details()
    assert field in error.value.details()


def test_invalid_config_error_reads_as_one_sentence(pack: RunningPack) -> None:
    pack.configure({"lambda-reserved-concurrency": ("mandatory", {"minimum": -1})})
    with pytest.raises(grpc.RpcError) as error:
        pack.analyze(function("worker", 5.0))
    assert error.value.details() == (
        "Exception calling application: policy 'lambda-reserved-concurrency': config field 'minimum': "
        "-1.0 is less than the minimum of 1 (Smallest reservation allowed.)"
    )


def test_a_config_limit_says_why() -> None:
    """Issue 11: accountConcurrencyLimit must exceed 100 because AWS keeps 100 unreserved, and the error says so."""
    from abuse_guard.policy import ConfigError

    with pytest.raises(ConfigError) as error:
        BY_ID["account-concurrency-headroom"].settings({"accountConcurrencyLimit": 50})
    assert str(error.value) == (
        "policy 'account-concurrency-headroom': config field 'accountConcurrencyLimit': 50 is less than the minimum "
        "of 101 (The account's regional concurrency quota (AWS default 1000); at least 101, because AWS keeps 100 "
        "executions unreserved.)"
    )


def test_reconfiguring_recovers_from_an_invalid_config(pack: RunningPack) -> None:
    pack.configure({"lambda-reserved-concurrency": ("mandatory", {"minimum": -1})})
    with pytest.raises(grpc.RpcError):
        pack.analyze(function("worker", 5.0))
    pack.configure(engine_config())
    said = reported(pack.analyze(function("worker", 5.0)))
    assert [entry for entry in said if entry.policy == "lambda-reserved-concurrency"] == []


def test_out_of_scope_resources_do_not_read_the_config(pack: RunningPack) -> None:
    """An invalid config surfaces on the policy's own resources, not on every resource of the stack."""
    pack.configure({"lambda-reserved-concurrency": ("mandatory", {"minimum": -1})})
    passing, _ = RESOURCE_EXAMPLES["rest-method-authorization"]
    assert reported(pack.analyze(passing)) == []
