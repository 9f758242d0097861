"""Deployed-stack outputs: what AWS would assign, in AWS's shapes, always the same for one resource."""

from __future__ import annotations

from typing import Any

import pytest

from abuse_guard.aws import regions
from abuse_guard.aws.frontdoors import AUTONAME, FUNCTION_IN_ARN
from abuse_guard.offline.recorder.synthetic import (
    DEFAULT_REGION,
    PLACEHOLDER_ACCOUNT,
    Place,
    Subject,
    autoname,
    resource_state,
)

EU = Place("eu-west-1")


def state(type_: str, name: str, inputs: dict[str, Any], place: Place = EU) -> tuple[str, dict[str, Any]]:
    return resource_state(Subject(type_, name, f"urn:pulumi:dev::shop::{type_}::{name}", inputs, place), {}, ())


def test_an_auto_name_is_pulumi_s_and_the_front_door_inventory_reads_it_back() -> None:
    name = autoname("webhook", "urn:pulumi:dev::shop::aws:lambda/function:Function::webhook")
    assert name == autoname("webhook", "urn:pulumi:dev::shop::aws:lambda/function:Function::webhook")
    match = AUTONAME.fullmatch(name)
    assert match is not None and match.group(1) == "webhook"


def test_the_default_region_is_the_one_regions_assumes() -> None:
    assert DEFAULT_REGION == regions.DEFAULT_REGION


def test_a_function_s_invoke_arn_names_its_function() -> None:
    identity, outputs = state("aws:lambda/function:Function", "webhook", {"name": "hook"})
    assert (identity, outputs["arn"]) == ("hook", "arn:aws:lambda:eu-west-1:123456789012:function:hook")
    assert outputs["invokeArn"] == (
        "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/"
        "arn:aws:lambda:eu-west-1:123456789012:function:hook/invocations"
    )
    in_arn = FUNCTION_IN_ARN.search(outputs["invokeArn"])
    assert in_arn is not None and in_arn.group(1) == "hook"


def test_an_aws_native_function_s_arn_has_lambda_s_shape() -> None:
    """A fresh user found aws-native functions given `function/...` ARNs, which no integration URI resolves."""
    identity, outputs = state("aws-native:lambda:Function", "nfn", {})
    match = AUTONAME.fullmatch(identity)
    assert match is not None and match.group(1) == "nfn"
    assert outputs["arn"] == f"arn:aws:lambda:eu-west-1:123456789012:function:{identity}"
    assert outputs["functionName"] == identity


# resource type -> (inputs, place, output, its value with the resource's token or name in {})
SHAPES = {
    "role_arn_has_no_region": (
        "aws:iam/role:Role",
        {"name": "worker"},
        EU,
        "arn",
        "arn:aws:iam::123456789012:role/worker",
    ),
    "role_path": (
        "aws:iam/role:Role",
        {"name": "worker", "path": "/service/"},
        EU,
        "arn",
        "arn:aws:iam::123456789012:role/service/worker",
    ),
    "bucket_arn_has_neither": ("aws:s3/bucket:Bucket", {"bucket": "uploads"}, EU, "arn", "arn:aws:s3:::uploads"),
    "queue_url": (
        "aws:sqs/queue:Queue",
        {"name": "jobs"},
        EU,
        "url",
        "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs",
    ),
    "topic_in_china": (
        "aws:sns/topic:Topic",
        {"name": "alerts"},
        Place("cn-north-1"),
        "arn",
        "arn:aws-cn:sns:cn-north-1:123456789012:alerts",
    ),
    "table": (
        "aws:dynamodb/table:Table",
        {"name": "orders"},
        EU,
        "arn",
        "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
    ),
    "rest_stage_execution_arn": (
        "aws:apigateway/stage:Stage",
        {"restApi": "a1b2c3d4e5", "stageName": "prod"},
        EU,
        "executionArn",
        "arn:aws:execute-api:eu-west-1:123456789012:a1b2c3d4e5/prod",
    ),
    "http_stage_invoke_url": (
        "aws:apigatewayv2/stage:Stage",
        {"apiId": "a1b2c3d4e5", "name": "$default"},
        EU,
        "invokeUrl",
        "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/",
    ),
    "log_group": (
        "aws:cloudwatch/logGroup:LogGroup",
        {"name": "/aws/lambda/x"},
        EU,
        "arn",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/x",
    ),
    "gov_cloud_parameter": (
        "aws:ssm/parameter:Parameter",
        {"name": "/app/limit"},
        Place("us-gov-west-1"),
        "arn",
        "arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/app/limit",
    ),
}


@pytest.mark.parametrize(("type_", "inputs", "place", "key", "expected"), SHAPES.values(), ids=list(SHAPES))
def test_identifiers_have_aws_s_shapes(
    type_: str, inputs: dict[str, Any], place: Place, key: str, expected: str
) -> None:
    assert state(type_, "r", inputs, place)[1][key] == expected


def test_an_api_s_execution_arn_is_built_on_its_id() -> None:
    identity, outputs = state("aws:apigateway/restApi:RestApi", "api", {})
    assert len(identity) == 10 and identity.isalnum() and identity.islower()
    assert outputs["executionArn"] == f"arn:aws:execute-api:eu-west-1:{PLACEHOLDER_ACCOUNT}:{identity}"


# output of a resource type the table does not list (an SQS-like resource read from its class metadata)
# -> what a deployed stack shows: identifiers in a generic shape; numbers, flags, objects and unset inputs unknown
GENERIC = {
    "arn": str,
    "ownerId": str,
    "endpoint": str,
    "retentionDays": int,
    "enabled": bool,
    "settings": dict,
    "size": str,
}


def test_an_unlisted_type_gets_only_its_identifiers() -> None:
    subject = Subject(
        "aws:kafka/cluster:Cluster", "events", "urn:pulumi:dev::shop::aws:kafka/cluster:Cluster::events", {}, EU
    )
    identity, outputs = resource_state(subject, {**GENERIC, "name": str}, {"name", "size"})
    assert sorted(outputs) == ["arn", "endpoint", "name", "ownerId"]
    assert outputs["arn"] == f"arn:aws:kafka:eu-west-1:123456789012:cluster/{identity}"
    assert (outputs["ownerId"], AUTONAME.fullmatch(outputs["name"]) is not None) == (PLACEHOLDER_ACCOUNT, True)
    assert outputs["endpoint"].startswith("https://") and outputs["endpoint"].endswith(
        ".kafka.eu-west-1.amazonaws.com/"
    )


# region -> (partition, availability zone IDs)
PLACES = {
    "us-east-1": ("aws", ["use1-az1", "use1-az2", "use1-az3"]),
    "ap-southeast-2": ("aws", ["apse2-az1", "apse2-az2", "apse2-az3"]),
    "us-gov-west-1": ("aws-us-gov", ["usgw1-az1", "usgw1-az2", "usgw1-az3"]),
    "cn-northwest-1": ("aws-cn", ["cnnw1-az1", "cnnw1-az2", "cnnw1-az3"]),
    "eu-central-1": ("aws", ["euc1-az1", "euc1-az2", "euc1-az3"]),
}


@pytest.mark.parametrize(("region", "expected"), PLACES.items(), ids=list(PLACES))
def test_partition_and_zones_follow_the_region(region: str, expected: tuple[str, list[str]]) -> None:
    place = Place(region)
    assert (place.partition, place.zones()[1]) == expected
    assert place.zones()[0] == [f"{region}a", f"{region}b", f"{region}c"]
