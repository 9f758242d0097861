from typing import Any

import pytest

from abuse_guard.aws.types import LAMBDA_FUNCTION_URL
from abuse_guard.findings import Outcome
from abuse_guard.policies.lambda_function_url_auth import POLICY
from abuse_guard.resources import SECRET, UNKNOWN
from tests.support import check

# What the engine sends for a FunctionUrl: the provider fills invokeMode; FunctionUrl has no tags.
BASE = {"functionName": "webhook", "invokeMode": "BUFFERED"}

CASES: dict[str, tuple[dict[str, Any], dict[str, Any] | None, Outcome]] = {
    "iam_auth": ({"authorizationType": "AWS_IAM"}, None, Outcome.PASS),
    "public_url": ({"authorizationType": "NONE"}, None, Outcome.FAIL),
    "absent": ({}, None, Outcome.FAIL),
    "lowercase_is_malformed": ({"authorizationType": "aws_iam"}, None, Outcome.FAIL),
    "list_is_malformed": ({"authorizationType": ["AWS_IAM"]}, None, Outcome.FAIL),
    "object_is_malformed": ({"authorizationType": {"type": "AWS_IAM"}}, None, Outcome.FAIL),
    "unknown_at_preview": ({"authorizationType": UNKNOWN}, None, Outcome.UNKNOWN),
    "secret": ({"authorizationType": SECRET}, None, Outcome.UNKNOWN),
    "public_url_exempt_by_config": (
        {"authorizationType": "NONE"},
        {"exemptions": [{"resource": "res", "reason": "GitHub webhook, handler verifies signatures"}]},
        Outcome.EXEMPT,
    ),
    "exemption_for_another_url": (
        {"authorizationType": "NONE"},
        {"exemptions": [{"resource": "other-url", "reason": "public status page"}]},
        Outcome.FAIL,
    ),
}


@pytest.mark.parametrize(("props", "config", "expected"), CASES.values(), ids=list(CASES))
def test_function_url_auth(props: dict[str, Any], config: dict[str, Any] | None, expected: Outcome) -> None:
    assert check(POLICY, LAMBDA_FUNCTION_URL, {**BASE, **props}, config).outcome is expected


def test_message_names_the_url_and_the_fix() -> None:
    message = check(POLICY, LAMBDA_FUNCTION_URL, {**BASE, "authorizationType": "NONE"}).message
    assert message.startswith("Lambda function URL 'res' is public")
    assert "authorization_type='AWS_IAM'" in message
