from typing import Any

import pytest

from abuse_guard.aws.types import LAMBDA_FUNCTION, LAMBDA_FUNCTION_URL, LAMBDA_PERMISSION, REST_API
from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Outcome
from abuse_guard.policies import BY_ID
from abuse_guard.policies.lambda_permission_scope import POLICY
from abuse_guard.resources import SECRET, UNKNOWN
from tests.support import check, resource

# The statement id Pulumi generates is unknown at preview; the rule never needs it. Permissions have no tags.
BASE = {"action": "lambda:InvokeFunction", "function": "webhook", "statementId": UNKNOWN}
API = "apigateway.amazonaws.com"
API_ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/*"

CASES: dict[str, tuple[dict[str, Any], dict[str, Any] | None, Outcome]] = {
    "account_principal": ({"principal": "123456789012"}, None, Outcome.PASS),
    "role_principal": ({"principal": "arn:aws:iam::123456789012:role/caller"}, None, Outcome.PASS),
    "service_with_source_arn": ({"principal": API, "sourceArn": API_ARN}, None, Outcome.PASS),
    "service_without_source_arn": ({"principal": "sns.amazonaws.com"}, None, Outcome.FAIL),
    "source_arn_wildcard_scopes_nothing": ({"principal": API, "sourceArn": "*"}, None, Outcome.FAIL),
    "blank_source_arn_scopes_nothing": ({"principal": API, "sourceArn": " "}, None, Outcome.FAIL),
    "source_account_is_not_enough_for_sns": (
        {"principal": "sns.amazonaws.com", "sourceAccount": "123456789012"},
        None,
        Outcome.FAIL,
    ),
    "s3_with_source_account": ({"principal": "s3.amazonaws.com", "sourceAccount": "123456789012"}, None, Outcome.PASS),
    "ses_with_source_account": (
        {"principal": "ses.amazonaws.com", "sourceAccount": "123456789012"},
        None,
        Outcome.PASS,
    ),
    "s3_unscoped": ({"principal": "s3.amazonaws.com"}, None, Outcome.FAIL),
    "s3_wildcard_arn_but_source_account": (
        {"principal": "s3.amazonaws.com", "sourceArn": "*", "sourceAccount": "123456789012"},
        None,
        Outcome.PASS,
    ),
    "configured_account_scoped_service": (
        {"principal": "events.amazonaws.com", "sourceAccount": "123456789012"},
        {"accountScopedServices": ["events.amazonaws.com"]},
        Outcome.PASS,
    ),
    "configured_list_replaces_default": (
        {"principal": "s3.amazonaws.com", "sourceAccount": "123456789012"},
        {"accountScopedServices": ["ses.amazonaws.com"]},
        Outcome.FAIL,
    ),
    "alexa_skill_token": (
        {"principal": "alexa-appkit.amazon.com", "eventSourceToken": "amzn1.ask.skill.1234"},
        None,
        Outcome.PASS,
    ),
    "public": ({"principal": "*"}, None, Outcome.FAIL),
    "public_with_source_arn": ({"principal": "*", "sourceArn": API_ARN}, None, Outcome.FAIL),
    "public_within_organization": ({"principal": "*", "principalOrgId": "o-a1b2c3d4e5"}, None, Outcome.PASS),
    "public_url_grant": (
        {"action": "lambda:InvokeFunctionUrl", "principal": "*", "functionUrlAuthType": "NONE"},
        None,
        Outcome.NOT_APPLICABLE,
    ),
    "public_url_grant_within_organization": (
        {"principal": "*", "principalOrgId": "o-a1b2c3d4e5", "functionUrlAuthType": "NONE"},
        None,
        Outcome.NOT_APPLICABLE,
    ),
    "iam_url_grant": (
        {"action": "lambda:InvokeFunctionUrl", "principal": "123456789012", "functionUrlAuthType": "AWS_IAM"},
        None,
        Outcome.PASS,
    ),
    "principal_absent": ({}, None, Outcome.FAIL),
    "unrecognised_principal": ({"principal": "everyone"}, None, Outcome.FAIL),
    "principal_unknown": ({"principal": UNKNOWN}, None, Outcome.UNKNOWN),
    "principal_secret": ({"principal": SECRET}, None, Outcome.UNKNOWN),
    "source_arn_unknown": ({"principal": API, "sourceArn": UNKNOWN}, None, Outcome.UNKNOWN),
    "organization_unknown": ({"principal": "*", "principalOrgId": UNKNOWN}, None, Outcome.UNKNOWN),
    "public_despite_unknown_url_auth": ({"principal": "*", "functionUrlAuthType": UNKNOWN}, None, Outcome.FAIL),
    "unscoped_service_despite_unknown_url_auth": (
        {"principal": "sns.amazonaws.com", "functionUrlAuthType": UNKNOWN},
        None,
        Outcome.FAIL,
    ),
    "public_url_grant_despite_unknown_principal": (
        {"principal": UNKNOWN, "functionUrlAuthType": "NONE"},
        None,
        Outcome.FAIL,
    ),
    "url_auth_unknown_with_account_principal": (
        {"principal": "123456789012", "functionUrlAuthType": UNKNOWN},
        None,
        Outcome.UNKNOWN,
    ),
    "s3_arn_unknown_but_account_known": (
        {"principal": "s3.amazonaws.com", "sourceArn": UNKNOWN, "sourceAccount": "123456789012"},
        None,
        Outcome.PASS,
    ),
    "s3_account_unknown_and_no_arn": (
        {"principal": "s3.amazonaws.com", "sourceAccount": UNKNOWN},
        None,
        Outcome.UNKNOWN,
    ),
    "known_public_despite_unknown_arn": ({"principal": "*", "sourceArn": UNKNOWN}, None, Outcome.FAIL),
    "principal_list_is_malformed": ({"principal": ["123456789012"]}, None, Outcome.FAIL),
    "source_arn_number_is_malformed": ({"principal": API, "sourceArn": 5.0}, None, Outcome.FAIL),
    "url_auth_lowercase_is_malformed": (
        {"principal": "123456789012", "functionUrlAuthType": "none"},
        None,
        Outcome.FAIL,
    ),
    # Issue 11, item 1: a bucket ARN names no account (AWS Config lambda-function-public-access-prohibited,
    # Security Hub Lambda.1 require the account condition; Lambda Developer Guide, resource-based policies)
    "s3_bucket_arn_without_account": (
        {"principal": "s3.amazonaws.com", "sourceArn": "arn:aws:s3:::uploads-bucket"},
        None,
        Outcome.FAIL,
    ),
    "s3_bucket_arn_with_account": (
        {"principal": "s3.amazonaws.com", "sourceArn": "arn:aws:s3:::uploads-bucket", "sourceAccount": "123456789012"},
        None,
        Outcome.PASS,
    ),
    # Issue 11, item 2: wildcards are not scope (Checkov and Prowler reports of arn:aws:sns:*:*:* passing)
    "sns_every_account_wildcard": (
        {"principal": "sns.amazonaws.com", "sourceArn": "arn:aws:sns:*:*:*"},
        None,
        Outcome.FAIL,
    ),
    "sns_account_pattern": (
        {"principal": "sns.amazonaws.com", "sourceArn": "arn:aws:sns:us-east-1:12345678901?:alerts"},
        None,
        Outcome.FAIL,
    ),
    "sns_empty_account": (
        {"principal": "sns.amazonaws.com", "sourceArn": "arn:aws:sns:us-east-1::alerts"},
        None,
        Outcome.FAIL,
    ),
    "sns_wildcard_after_the_account": (
        {"principal": "sns.amazonaws.com", "sourceArn": "arn:aws:sns:us-east-1:123456789012:*"},
        None,
        Outcome.PASS,
    ),
    "wildcard_arn_limited_by_account": (
        {"principal": "sns.amazonaws.com", "sourceArn": "arn:aws:sns:*:*:*", "sourceAccount": "123456789012"},
        None,
        Outcome.PASS,
    ),
    "source_arn_that_is_not_an_arn": ({"principal": "sns.amazonaws.com", "sourceArn": "alerts"}, None, Outcome.FAIL),
    "source_account_that_is_not_an_account": (
        {"principal": "s3.amazonaws.com", "sourceAccount": "any"},
        None,
        Outcome.FAIL,
    ),
    # Issue 10, item 4: the companion grants of a public function URL. Alone (the engine's per-resource check)
    # they are left to the URL, whose exemption covers them; with the graph they fail with the URL (below).
    "public_url_companion_invoke_function_url": (
        {"action": "lambda:InvokeFunctionUrl", "principal": "*", "functionUrlAuthType": "NONE"},
        None,
        Outcome.NOT_APPLICABLE,
    ),
    "public_url_companion_invoked_via_function_url": (
        {"action": "lambda:InvokeFunction", "principal": "*", "invokedViaFunctionUrl": True},
        None,
        Outcome.NOT_APPLICABLE,
    ),
    # IAM User Guide, Principal element: a wildcard cannot match part of a principal ARN (found by a fresh user)
    "wildcard_account_in_principal_arn": ({"principal": "arn:aws:iam::*:root"}, None, Outcome.FAIL),
    "wildcard_role_in_principal_arn": ({"principal": "arn:aws:iam::123456789012:role/*"}, None, Outcome.FAIL),
    "exempt_by_config": (
        {"principal": "*"},
        {"exemptions": [{"resource": "res", "reason": "public demo, function only echoes"}]},
        Outcome.EXEMPT,
    ),
}


@pytest.mark.parametrize(("props", "config", "expected"), CASES.values(), ids=list(CASES))
def test_permission_scope(props: dict[str, Any], config: dict[str, Any] | None, expected: Outcome) -> None:
    assert check(POLICY, LAMBDA_PERMISSION, {**BASE, **props}, config).outcome is expected


@pytest.mark.parametrize(
    ("props", "message"),
    [
        (
            {"principal": "*", "sourceAccount": "123456789012"},
            "Lambda permission 'res': lets any principal of account 123456789012 invoke the function (principal '*' "
            "limited by source_account); set principal to the role or service that calls it",
        ),
        (
            {"action": "lambda:GetFunction", "principal": "*"},
            "Lambda permission 'res': lets anyone (principal '*') call lambda:GetFunction on the function; set "
            "principal to the account, role or service principal that calls it (with source_arn for a service)",
        ),
        (
            {"principal": "sns.amazonaws.com", "sourceAccount": "123456789012"},
            "Lambda permission 'res': lets any sns.amazonaws.com resource of account 123456789012 invoke the function "
            "(source_account alone is not enough for this service); set source_arn to the resource that should call it",
        ),
    ],
    ids=["account_is_not_any_account", "non_invoke_action", "account_scoped_but_not_enough"],
)
def test_messages_say_what_the_grant_allows(props: dict[str, Any], message: str) -> None:
    """Issue 11, messages: source_account set is not 'any AWS account'; an action that is not an invoke is named."""
    assert check(POLICY, LAMBDA_PERMISSION, {**BASE, **props}).message == message


def test_a_public_url_companion_grant_points_to_the_url_not_to_the_principal() -> None:
    props = {**BASE, "action": "lambda:InvokeFunction", "principal": "*", "invokedViaFunctionUrl": True}
    message = check(POLICY, LAMBDA_PERMISSION, props).message
    assert "set principal" not in message
    assert message == (
        "Lambda permission 'res' is the companion grant of a public function URL (principal '*' with "
        "functionUrlAuthType NONE or invokedViaFunctionUrl): lambda-function-url-auth judges the URL, and the URL's "
        "exemption covers this grant"
    )


FUNCTION = resource(LAMBDA_FUNCTION, {"reservedConcurrentExecutions": 1.0}, "fn")
URL = resource(
    LAMBDA_FUNCTION_URL,
    {"authorizationType": "NONE"},
    "fn-url",
    property_dependencies={"functionName": (FUNCTION.urn,)},
)
COMPANION = resource(
    LAMBDA_PERMISSION,
    {**BASE, "principal": "*", "functionUrlAuthType": "NONE", "action": "lambda:InvokeFunctionUrl"},
    "fn-url-public",
    property_dependencies={"function": (FUNCTION.urn,)},
)


def test_the_url_exemption_covers_its_companion_grants() -> None:
    config = {"lambda-function-url-auth": {"exemptions": [{"resource": "fn-url", "reason": "public status page"}]}}
    findings = evaluate([BY_ID["lambda-function-url-auth"], POLICY], [FUNCTION, URL, COMPANION], config)
    outcomes = {(f.policy, f.name): f.outcome for f in findings}
    assert outcomes == {
        ("lambda-function-url-auth", "fn-url"): Outcome.EXEMPT,
        ("lambda-permission-scope", "fn-url-public"): Outcome.EXEMPT,
    }
    [grant] = [f for f in findings if f.name == "fn-url-public"]
    assert grant.message.startswith(
        "exempt: public status page (policy config exemption 'fn-url'), the exemption of FunctionUrl 'fn-url' from "
        "lambda-function-url-auth, which covers this; without it: fail: Lambda permission 'fn-url-public' is the "
        "companion grant of public FunctionUrl 'fn-url'"
    )


def test_without_the_url_exemption_the_companion_grant_fails() -> None:
    findings = evaluate([BY_ID["lambda-function-url-auth"], POLICY], [FUNCTION, URL, COMPANION])
    assert {f.name: f.outcome for f in findings} == {"fn-url": Outcome.FAIL, "fn-url-public": Outcome.FAIL}


# Issue 11, item 7: a link to the right resource in the same stack is a pass in the stack-level evaluation
API_URN = f"urn:pulumi:dev::proj::{REST_API}::api"


def test_a_source_arn_from_an_api_of_this_stack_passes_in_the_stack_evaluation() -> None:
    api = resource(REST_API, {"name": "api"}, "api")
    grant = resource(
        LAMBDA_PERMISSION,
        {**BASE, "principal": API, "sourceArn": UNKNOWN},
        "grant",
        property_dependencies={"sourceArn": (API_URN,)},
    )
    [finding] = evaluate([POLICY], [api, grant])
    assert (finding.outcome, finding.message) == (
        Outcome.PASS,
        "Lambda permission 'grant': lets apigateway.amazonaws.com invoke the function for sourceArn from RestApi "
        "'api' in this stack",
    )
    assert check(POLICY, LAMBDA_PERMISSION, grant.props).outcome is Outcome.UNKNOWN


def test_a_bucket_of_this_stack_still_needs_the_account() -> None:
    bucket = resource("aws:s3/bucketV2:BucketV2", {}, "uploads")
    grant = resource(
        LAMBDA_PERMISSION,
        {**BASE, "principal": "s3.amazonaws.com", "sourceArn": UNKNOWN},
        "grant",
        property_dependencies={"sourceArn": (bucket.urn,)},
    )
    [finding] = evaluate([POLICY], [bucket, grant])
    assert finding.outcome is Outcome.FAIL


def test_message_names_the_permission_and_the_fix() -> None:
    message = check(POLICY, LAMBDA_PERMISSION, {**BASE, "principal": "s3.amazonaws.com"}).message
    assert message.startswith("Lambda permission 'res': lets any s3.amazonaws.com resource, in any AWS account")
    assert message.endswith("invoke the function; set source_account (with source_arn to name one resource)")
