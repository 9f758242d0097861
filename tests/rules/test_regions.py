"""Which account and Region a resource runs in, read from its provider (aws/regions.py), and the price table.

Provider inputs are written as the engine sends them: the pulumi-aws SDK turns a provider's lists and objects
into JSON text (pulumi_aws/provider.py: `pulumi.Output.from_input(assume_roles).apply(pulumi.runtime.to_json)`),
and the default provider's inputs are the stack's `aws:*` config (the state fixture's `pulumi:providers:aws`
resources hold `region` and `"skipCredentialsValidation": "false"`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from abuse_guard.aws.regions import (
    US_EAST_1,
    Location,
    Prices,
    default_provider,
    location,
    price_table,
    provider_label,
)
from abuse_guard.aws.types import LAMBDA_FUNCTION
from abuse_guard.graph import Graph
from abuse_guard.resources import SECRET, UNKNOWN, ProviderRef, Resource, provider_ref
from abuse_guard.values import Malformed, Undetermined
from tests.support import resource

PROVIDER = "pulumi:providers:aws"
DEFAULT_URN = f"urn:pulumi:dev::proj::{PROVIDER}::default_7_0_0"


def provider(name: str, **props: Any) -> Resource:
    """An explicit aws.Provider, as the state or the program registers it."""
    return resource(PROVIDER, props, name)


def function(ref: ProviderRef | None = None, **props: Any) -> Resource:
    return replace(resource(LAMBDA_FUNCTION, {"reservedConcurrentExecutions": 5.0, **props}, "fn"), provider=ref)


def sent(**props: Any) -> ProviderRef:
    """The default provider as the engine sends it with a resource: its URN and its inputs."""
    return ProviderRef(DEFAULT_URN, props)


def in_graph(name: str) -> ProviderRef:
    """A reference only (a state file): the provider resource is in the graph."""
    return ProviderRef(f"urn:pulumi:dev::proj::{PROVIDER}::{name}")


CHAIN = '[{"roleArn": "arn:aws:iam::111111111111:role/hop"}, {"roleArn": "arn:aws:iam::222222222222:role/deploy"}]'

# name -> (the resource, the other resources of the graph, its Location or the error reading it raises)
LOCATIONS: dict[str, tuple[Resource, list[Resource], Location | type[Exception]]] = {
    "no_provider_is_in_the_default_region": (function(), [], Location("us-east-1")),
    "default_provider_takes_aws_region_from_config": (function(sent(region="eu-west-1")), [], Location("eu-west-1")),
    "explicit_provider_in_the_graph": (
        function(in_graph("sydney")),
        [provider("sydney", region="ap-southeast-2")],
        Location("ap-southeast-2"),
    ),
    "own_region_input_wins_over_the_provider": (
        function(sent(region="us-east-1"), region="eu-central-1"),
        [],
        Location("eu-central-1"),
    ),
    "empty_region_is_no_region": (function(sent(region="eu-west-1"), region=""), [], Location("eu-west-1")),
    # pulumi-aws v7: assume_roles is a chain, the provider ends in the last role
    "assume_roles_chain_ends_in_its_last_account": (
        function(sent(region="eu-west-1", assumeRoles=CHAIN)),
        [],
        Location("eu-west-1", "222222222222"),
    ),
    "assume_roles_as_a_plain_list": (
        function(sent(region="eu-west-1", assumeRoles=[{"roleArn": "arn:aws:iam::333333333333:role/x"}])),
        [],
        Location("eu-west-1", "333333333333"),
    ),
    # pulumi-aws v6 and aws-native: one assumeRole object
    "assume_role_object": (
        function(sent(region="us-west-2", assumeRole='{"roleArn": "arn:aws:iam::444444444444:role/deploy"}')),
        [],
        Location("us-west-2", "444444444444"),
    ),
    "one_allowed_account": (
        function(sent(region="us-west-2", allowedAccountIds='["555555555555"]')),
        [],
        Location("us-west-2", "555555555555"),
    ),
    "role_account_before_allowed_accounts": (
        function(sent(region="us-west-2", assumeRoles=CHAIN, allowedAccountIds='["555555555555"]')),
        [],
        Location("us-west-2", "222222222222"),
    ),
    "two_allowed_accounts_name_none": (
        function(sent(region="us-west-2", allowedAccountIds='["555555555555", "666666666666"]')),
        [],
        Location("us-west-2"),
    ),
    "a_profile_names_credentials_not_an_account": (
        function(sent(region="us-west-2", profile="prod")),
        [],
        Location("us-west-2"),
    ),
    "provider_without_region_is_an_assumption": (
        function(in_graph("env")),
        [provider("env", skipCredentialsValidation="false")],
        Location(
            "us-east-1",
            None,
            "Provider 'env' sets no region, so it takes AWS_REGION or the profile's at deployment: us-east-1 assumed",
        ),
    ),
    "provider_not_among_the_resources": (
        function(in_graph("elsewhere")),
        [],
        Location(
            "us-east-1",
            None,
            "Provider 'elsewhere' is not among the resources, so its Region is not known: us-east-1 assumed",
        ),
    ),
    "region_unknown_at_preview": (function(sent(region=UNKNOWN)), [], Undetermined),
    "own_region_unknown_at_preview": (function(sent(region="eu-west-1"), region=UNKNOWN), [], Undetermined),
    "role_chain_a_secret": (function(sent(region="eu-west-1", assumeRoles=SECRET)), [], Undetermined),
    "allowed_account_unknown": (function(sent(region="eu-west-1", allowedAccountIds=[UNKNOWN])), [], Undetermined),
    "region_a_number": (function(sent(region=5.0)), [], Malformed),
    "region_not_a_region_code": (function(sent(region="Ireland")), [], Malformed),
    "allowed_accounts_not_json": (function(sent(region="eu-west-1", allowedAccountIds="[oops")), [], Malformed),
    # a string that is not JSON text is not the object assumeRole takes
    "role_not_an_object": (function(sent(region="eu-west-1", assumeRole="arn:aws:iam::1:role/x")), [], Malformed),
}


@pytest.mark.parametrize(("subject", "others", "expected"), LOCATIONS.values(), ids=list(LOCATIONS))
def test_location(subject: Resource, others: list[Resource], expected: Location | type[Exception]) -> None:
    graph = Graph([*others, subject])
    if isinstance(expected, Location):
        assert location(subject, graph) == expected
    else:
        with pytest.raises(expected):
            location(subject, graph)


def test_a_view_of_an_aws_native_resource_is_where_the_declared_resource_is() -> None:
    declared = replace(resource("aws-native:lambda:Function", {}, "fn"), provider=sent(region="eu-north-1"))
    view = replace(function(), declared=declared)
    assert location(view) == Location("eu-north-1")


def test_a_malformed_region_is_named_but_never_repeated() -> None:
    with pytest.raises(Malformed) as raised:
        location(function(sent(region="s3cr3t-looking value")))
    assert (
        str(raised.value)
        == "the default aws provider.region must be an AWS Region code such as us-east-1, got a string"
    )


REFERENCES: dict[str, tuple[Any, ProviderRef | type[Exception] | None]] = {
    "urn_and_id": (
        f"{DEFAULT_URN}::04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        ProviderRef(DEFAULT_URN),
    ),
    "bare_urn": (DEFAULT_URN, ProviderRef(DEFAULT_URN)),
    "provider_under_a_component": (
        "urn:pulumi:dev::proj::my:index:Comp$pulumi:providers:aws::eu::1234",
        ProviderRef("urn:pulumi:dev::proj::my:index:Comp$pulumi:providers:aws::eu"),
    ),
    "absent": (None, None),
    "empty": ("", None),
    "not_a_string": (5, ValueError),
    "not_a_provider": ("urn:pulumi:dev::proj::aws:s3/bucket:Bucket::b::id", ValueError),
    "not_a_urn": ("default", ValueError),
}


@pytest.mark.parametrize(("reference", "expected"), REFERENCES.values(), ids=list(REFERENCES))
def test_provider_reference(reference: Any, expected: ProviderRef | type[Exception] | None) -> None:
    if isinstance(expected, type):
        with pytest.raises(expected):
            provider_ref(reference)
    else:
        assert provider_ref(reference) == expected


@pytest.mark.parametrize(
    ("urn", "label"),
    [
        (DEFAULT_URN, "the default aws provider"),
        (f"urn:pulumi:dev::proj::{PROVIDER}::default", "the default aws provider"),
        ("urn:pulumi:dev::proj::pulumi:providers:aws-native::default_1_0_0", "the default aws-native provider"),
        (f"urn:pulumi:dev::proj::{PROVIDER}::eu", "Provider 'eu'"),
    ],
    ids=["versioned_default", "default", "aws_native_default", "explicit"],
)
def test_provider_label(urn: str, label: str) -> None:
    assert provider_label(ProviderRef(urn)) == label


def test_the_default_provider_takes_the_stacks_aws_config() -> None:
    config = {"aws:region": "eu-west-1", "aws:profile": "prod", "aws:accessKey": "[secret]", "proj:size": "3"}
    ref = default_provider("aws", "dev", "proj", config, frozenset({"aws:accessKey"}))
    assert ref == ProviderRef(
        "urn:pulumi:dev::proj::pulumi:providers:aws::default",
        {"region": "eu-west-1", "profile": "prod", "accessKey": SECRET},
    )


def test_a_region_entry_overrides_only_the_prices_it_names() -> None:
    top = {
        "lambdaRequestPricePerMillion": 0.2,
        "lambdaGbSecondPrice": 0.0000166667,
        "restApiRequestPricePerMillion": 3.5,
        "httpApiRequestPricePerMillion": 1.0,
        "webSocketMessagePricePerMillion": 1.0,
        "loadBalancerLcuPricePerHour": 0.008,
    }
    table = price_table(top, {"eu-central-1": {"restApiRequestPricePerMillion": 3.7}})
    assert table.default == US_EAST_1
    assert table.prices("eu-central-1") == replace(US_EAST_1, rest_requests=3.7)
    assert table.prices("ap-south-1") == US_EAST_1
    assert [table.unlisted(region) for region in ("eu-central-1", "us-east-1", "ap-south-1")] == [False, False, True]
    assert isinstance(table.prices("eu-central-1"), Prices)
