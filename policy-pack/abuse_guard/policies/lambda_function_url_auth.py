"""Lambda function URLs require IAM auth: a public URL is a front door with no lock and no meter."""

from __future__ import annotations

from ..aws.types import LAMBDA_FUNCTION_URL
from ..findings import Verdict, failed, passed
from ..policy import Policy, Settings
from ..resources import Resource
from ..values import choice

AUTH_TYPES = ("AWS_IAM", "NONE")


def check(resource: Resource, settings: Settings) -> Verdict:
    auth = choice(resource.props, "authorizationType", AUTH_TYPES)
    if auth == "AWS_IAM":
        return passed(f"Lambda function URL '{resource.name}' requires IAM-signed requests")
    what = "is public (authorizationType NONE)" if auth == "NONE" else "sets no authorizationType"
    return failed(
        f"Lambda function URL '{resource.name}' {what}: anyone on the internet can invoke the function, "
        "bypassing API Gateway throttling and usage plans; set authorization_type='AWS_IAM', or exempt "
        "it in the policy config with the reason it must be public"
    )


POLICY = Policy(
    id="lambda-function-url-auth",
    title="Lambda function URLs require IAM auth",
    description="Lambda function URLs must use authorizationType AWS_IAM; a public URL needs an exemption.",
    severity="critical",
    enforcement="mandatory",
    resource_types=(LAMBDA_FUNCTION_URL,),
    rationale=(
        "A function URL with authorizationType NONE is an HTTPS endpoint that invokes the function for "
        "anyone who finds it. It goes straight to Lambda: no API Gateway throttling, no usage plan, no API "
        "key, so every request a scraper or a runaway client sends becomes a billed invocation (capped only "
        "by reserved concurrency). AWS_IAM requires SigV4-signed requests from principals you allow. A URL "
        "that must be public (a webhook receiver that verifies its own signatures) is allowed only through "
        "an exemption in the policy config, with the reason: FunctionUrl has no tags, so there is no tag "
        "exemption. A missing authorizationType fails (the input is required; nothing can be assumed) and "
        "an unrecognised value fails as malformed."
    ),
    remediation=(
        "Require IAM-signed requests and grant invoke rights to the callers that need them:\n"
        "    aws.lambda_.FunctionUrl('hook-url', function_name=fn.name, authorization_type='AWS_IAM')\n"
        "If the URL must stay public, exempt it with the reason in the policy pack config:\n"
        '    {"lambda-function-url-auth": {"exemptions": [{"resource": "hook-url",\n'
        '        "reason": "GitHub webhook; handler verifies X-Hub-Signature-256"}]}}'
    ),
    check=check,
    references=(
        "Checkov CKV_AWS_258",
        "Prowler awslambda_function_url_public",
        "AWS Lambda: Security and auth model for Lambda function URLs",
    ),
    tags=("lambda", "authorization", "public-access"),
)
