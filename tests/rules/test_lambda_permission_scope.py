from typing import Any

import pytest

from abuse_guard.aws.types import LAMBDA_PERMISSION
from abuse_guard.findings import Outcome
from abuse_guard.policies.lambda_permission_scope import POLICY
from abuse_guard.resources import SECRET, UNKNOWN
from tests.support import check

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
        Outcome.FAIL,
    ),
    "public_url_grant_within_organization": (
        {"principal": "*", "principalOrgId": "o-a1b2c3d4e5", "functionUrlAuthType": "NONE"},
        None,
        Outcome.FAIL,
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
    "exempt_by_config": (
        {"principal": "*"},
        {"exemptions": [{"resource": "res", "reason": "public demo, function only echoes"}]},
        Outcome.EXEMPT,
    ),
}


@pytest.mark.parametrize(("props", "config", "expected"), CASES.values(), ids=list(CASES))
def test_permission_scope(props: dict[str, Any], config: dict[str, Any] | None, expected: Outcome) -> None:
    assert check(POLICY, LAMBDA_PERMISSION, {**BASE, **props}, config).outcome is expected


def test_message_names_the_permission_and_the_fix() -> None:
    message = check(POLICY, LAMBDA_PERMISSION, {**BASE, "principal": "s3.amazonaws.com"}).message
    assert message.startswith("Lambda permission 'res': lets any s3.amazonaws.com resource, in any AWS account")
    assert "set source_arn or source_account" in message
