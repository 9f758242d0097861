from typing import Any

import pytest

from abuse_guard.aws.types import REST_METHOD
from abuse_guard.findings import Outcome
from abuse_guard.policies.rest_method_authorization import POLICY
from abuse_guard.resources import SECRET, UNKNOWN
from tests.support import check

# What the engine sends for a GET method: the provider fills apiKeyRequired false. Methods have no tags.
BASE = {"restApi": "abc123", "resourceId": "res1", "httpMethod": "GET", "apiKeyRequired": False}
KEY_ALONE_NOT_ENOUGH = {"apiKeyAloneIsEnough": False}

CASES: dict[str, tuple[dict[str, Any], dict[str, Any] | None, Outcome]] = {
    "iam": ({"authorization": "AWS_IAM"}, None, Outcome.PASS),
    "lambda_authorizer": ({"authorization": "CUSTOM", "authorizerId": "auth1"}, None, Outcome.PASS),
    "cognito_authorizer": ({"authorization": "COGNITO_USER_POOLS", "authorizerId": "auth1"}, None, Outcome.PASS),
    "custom_without_authorizer": ({"authorization": "CUSTOM"}, None, Outcome.FAIL),
    "cognito_with_blank_authorizer": ({"authorization": "COGNITO_USER_POOLS", "authorizerId": ""}, None, Outcome.FAIL),
    "open": ({"authorization": "NONE"}, None, Outcome.FAIL),
    "authorization_absent_reads_as_none": ({}, None, Outcome.FAIL),
    "api_key_alone": ({"authorization": "NONE", "apiKeyRequired": True}, None, Outcome.PASS),
    "api_key_alone_not_accepted": (
        {"authorization": "NONE", "apiKeyRequired": True},
        KEY_ALONE_NOT_ENOUGH,
        Outcome.FAIL,
    ),
    "iam_needs_no_api_key": ({"authorization": "AWS_IAM"}, KEY_ALONE_NOT_ENOUGH, Outcome.PASS),
    "cors_preflight": ({"httpMethod": "OPTIONS", "authorization": "NONE"}, None, Outcome.NOT_APPLICABLE),
    "cors_preflight_lowercase": ({"httpMethod": "options", "authorization": "NONE"}, None, Outcome.NOT_APPLICABLE),
    "any_method_open": ({"httpMethod": "ANY", "authorization": "NONE"}, None, Outcome.FAIL),
    "unrecognised_authorization": ({"authorization": "JWT"}, None, Outcome.FAIL),
    "authorization_list_is_malformed": ({"authorization": ["AWS_IAM"]}, None, Outcome.FAIL),
    "api_key_flag_string_is_malformed": ({"authorization": "NONE", "apiKeyRequired": "true"}, None, Outcome.FAIL),
    "authorization_unknown": ({"authorization": UNKNOWN}, None, Outcome.UNKNOWN),
    "authorizer_unknown": ({"authorization": "CUSTOM", "authorizerId": UNKNOWN}, None, Outcome.UNKNOWN),
    "http_method_unknown": ({"httpMethod": UNKNOWN, "authorization": "AWS_IAM"}, None, Outcome.UNKNOWN),
    "api_key_flag_secret": ({"authorization": "NONE", "apiKeyRequired": SECRET}, None, Outcome.UNKNOWN),
    "exempt_by_config": (
        {"authorization": "NONE"},
        {"exemptions": [{"resource": "res", "reason": "public health check"}]},
        Outcome.EXEMPT,
    ),
}


@pytest.mark.parametrize(("props", "config", "expected"), CASES.values(), ids=list(CASES))
def test_rest_method_authorization(props: dict[str, Any], config: dict[str, Any] | None, expected: Outcome) -> None:
    assert check(POLICY, REST_METHOD, {**BASE, **props}, config).outcome is expected


def test_message_names_the_method_and_the_fix() -> None:
    message = check(POLICY, REST_METHOD, {**BASE, "authorization": "NONE"}).message
    assert message.startswith("API Gateway method 'res' (GET) is open to anyone")
    assert "or api_key_required=True with a usage plan" in message


def test_an_open_method_of_a_private_api_without_a_resource_policy_passes_in_the_stack_evaluation() -> None:
    """Private REST APIs are reachable only through interface VPC endpoints, and API Gateway does not deploy one
    without a resource policy (API Gateway Developer Guide, "Private REST APIs in API Gateway", "Create and attach an
    API Gateway resource policy to an API"); found by a fresh user. Alone, the method's API is not in sight. What a
    policy admits: tests/rules/test_rest_resource_policies.py."""
    from abuse_guard.aws.types import REST_API
    from abuse_guard.evaluate import evaluate
    from tests.support import resource

    for types in ("PRIVATE", ["PRIVATE"]):
        api = resource(REST_API, {"endpointConfiguration": {"types": types}}, "api")
        method = resource(
            REST_METHOD,
            {"httpMethod": "GET", "authorization": "NONE"},
            "get",
            property_dependencies={"restApi": (api.urn,)},
        )
        [finding] = evaluate([POLICY], [api, method])
        assert finding.outcome is Outcome.PASS
        assert "RestApi 'api' is PRIVATE and has no resource policy in this stack" in finding.message
    assert check(POLICY, REST_METHOD, method.props).outcome is Outcome.FAIL
