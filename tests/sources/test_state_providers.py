"""A state file names the provider of each resource (`"provider": "<provider URN>::<ID>"`), and the provider
resources themselves are in it with their inputs, `region` among them (issue 11, item 6)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from abuse_guard.aws.regions import Location, location
from abuse_guard.errors import UserError
from abuse_guard.findings import Outcome
from abuse_guard.graph import Graph
from abuse_guard.pipeline import read_state
from abuse_guard.resources import ProviderRef
from abuse_guard.sources.state import read_deployment
from tests.sources import FIXTURES

COMPONENT_STATE = FIXTURES / "state-aws-apigateway-component.json"
"""pulumi-aws-apigateway's recorded stack: its default aws providers hold `"region": "us-west-2"`."""


def test_each_resource_names_its_provider_and_the_provider_its_region() -> None:
    resources = read_deployment(COMPONENT_STATE).resources
    graph = Graph(resources)
    [function] = [r for r in resources if r.type == "aws:lambda/function:Function"]
    assert function.provider == ProviderRef("urn:pulumi:test::api::pulumi:providers:aws::default")
    assert location(function, graph) == Location("us-west-2")
    [api] = [r for r in resources if r.type == "aws:apigateway/restApi:RestApi"]
    assert api.provider == ProviderRef("urn:pulumi:test::api::pulumi:providers:aws::default_5_16_2")
    assert location(api, graph) == Location("us-west-2")


def test_a_state_written_before_providers_names_none() -> None:
    resources = read_deployment(FIXTURES / "checkpoint-v3.json").resources
    assert {r.provider for r in resources} == {None}


def state(tmp_path: Path, resources: list[dict[str, Any]]) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": resources}}))
    return path


STACK = {"urn": "urn:pulumi:prod::shop::pulumi:pulumi:Stack::shop-prod", "type": "pulumi:pulumi:Stack"}


def aws_provider(name: str, region: str) -> dict[str, Any]:
    inputs = {"region": region, "skipCredentialsValidation": "false"}
    urn = f"urn:pulumi:prod::shop::pulumi:providers:aws::{name}"
    return {"urn": urn, "type": "pulumi:providers:aws", "id": f"{name}-id", "inputs": inputs, "outputs": inputs}


def reserving(name: str, amount: int, provider: dict[str, Any]) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:prod::shop::aws:lambda/function:Function::{name}",
        "type": "aws:lambda/function:Function",
        "inputs": {"reservedConcurrentExecutions": amount},
        "outputs": {"reservedConcurrentExecutions": amount},
        "provider": f"{provider['urn']}::{provider['id']}",
    }


@pytest.mark.parametrize(
    ("regions", "expected"),
    [(("us-east-1", "eu-west-1"), Outcome.PASS), (("eu-west-1", "eu-west-1"), Outcome.FAIL)],
    ids=["two_regions_two_pools", "one_region_one_pool"],
)
def test_a_deployed_stack_is_audited_per_region(tmp_path: Path, regions: tuple[str, str], expected: Outcome) -> None:
    first, second = aws_provider("default_7_0_0", regions[0]), aws_provider("eu", regions[1])
    path = state(tmp_path, [STACK, first, second, reserving("a", 600, first), reserving("b", 600, second)])
    [finding] = [f for f in read_state(path).findings if f.policy == "account-concurrency-headroom"]
    assert finding.outcome is expected


def test_a_provider_that_is_no_reference_is_one_error_naming_the_resource(tmp_path: Path) -> None:
    broken = {**reserving("a", 1, aws_provider("eu", "eu-west-1")), "provider": 42}
    with pytest.raises(UserError) as raised:
        read_deployment(state(tmp_path, [STACK, broken]))
    assert str(raised.value) == (
        f"{tmp_path / 'export.json'}: resource urn:pulumi:prod::shop::aws:lambda/function:Function::a: "
        "'provider' is not a provider reference"
    )
