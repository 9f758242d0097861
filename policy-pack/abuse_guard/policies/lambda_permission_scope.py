"""Lambda invoke permissions name who may call: never everyone, never every resource of a service."""

from __future__ import annotations

import re
from functools import partial

from ..aws.types import LAMBDA_PERMISSION
from ..findings import Verdict, all_of, failed, passed
from ..policy import Policy, Settings
from ..resources import Resource
from ..values import Undetermined, choice, filled

URL_AUTH_TYPES = ("AWS_IAM", "NONE")
ACCOUNT_ID = re.compile(r"\d{12}")
SERVICE_PRINCIPAL = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)*\.amazon(aws)?\.com(\.cn)?")


def scoped_by(resource: Resource, inputs: list[str]) -> str | None:
    """The first of `inputs` that narrows the grant, as 'input value'; unknown only if none known does.

    A wildcard scopes nothing, so `*` counts as absent.
    """
    pending: Undetermined | None = None
    for name in inputs:
        try:
            value = filled(resource.props, name)
        except Undetermined as error:
            pending = pending or error
            continue
        if value is not None and value != "*":
            return f"{name} {value}"
    if pending is not None:
        raise pending
    return None


def check(resource: Resource, settings: Settings) -> Verdict:
    """The function URL grant and the principal are judged apart: one not known at preview hides nothing."""
    return all_of(
        f"Lambda permission '{resource.name}'",
        partial(url_grant, resource),
        partial(principal_scope, resource, settings),
    )


def url_grant(resource: Resource) -> Verdict:
    if choice(resource.props, "functionUrlAuthType", URL_AUTH_TYPES) == "NONE":
        return failed(
            "grants unauthenticated function URL access (functionUrlAuthType NONE); use "
            "function_url_auth_type='AWS_IAM', or exempt it in the policy config with the reason it must be public"
        )
    return passed("")


def principal_scope(resource: Resource, settings: Settings) -> Verdict:
    principal = filled(resource.props, "principal")
    if principal is None:
        return failed("names no principal; set principal to the account, role or service that invokes it")
    if principal == "*":
        org = scoped_by(resource, ["principalOrgId"])
        if org is not None:
            return passed(f"lets principals of one AWS Organization invoke the function ({org})")
        return failed(
            "lets anyone (principal '*') invoke the function; set principal to the account, role or "
            "service principal that calls it (with source_arn for a service)"
        )
    if ACCOUNT_ID.fullmatch(principal) or principal.startswith("arn:"):
        return passed(f"grants invoke to the account or IAM principal {principal}")
    if not SERVICE_PRINCIPAL.fullmatch(principal):
        return failed(
            "has a principal that is not an account ID, an IAM ARN or an AWS service principal; name one of these"
        )
    account_scoped = principal in settings["accountScopedServices"]
    inputs = ["sourceArn", "sourceAccount", "eventSourceToken"] if account_scoped else ["sourceArn", "eventSourceToken"]
    scope = scoped_by(resource, inputs)
    if scope is not None:
        return passed(f"grants invoke to {principal}, limited by {scope}")
    accepted = "source_arn or source_account" if account_scoped else "source_arn"
    return failed(
        f"lets any {principal} resource, in any AWS account, invoke the function; set {accepted} "
        "to the resource that should call it"
    )


POLICY = Policy(
    id="lambda-permission-scope",
    title="Lambda permissions are scoped to their caller",
    description=(
        "Lambda permissions must not grant invoke to '*', and a service principal must be limited by "
        "sourceArn (or sourceAccount for account-scoped services)."
    ),
    severity="high",
    enforcement="mandatory",
    resource_types=(LAMBDA_PERMISSION,),
    rationale=(
        "A resource policy is the other way into a function besides API Gateway. Principal '*' lets anyone "
        "with the function's ARN invoke it, bypassing every throttle and usage plan; it fails even with a "
        "sourceArn (name the service principal instead). A service principal without sourceArn (e.g. "
        "sns.amazonaws.com alone) lets any topic, bucket or API of that service in any account trigger the "
        "function: the confused-deputy path to someone else's traffic on your bill. A sourceArn of plain '*' "
        "scopes nothing; an unknown sourceArn (an ARN computed from another resource) is unknown at preview "
        "and checked again at deployment. For the services in accountScopedServices sourceAccount also "
        "suffices, because that is how AWS scopes them: an S3 bucket ARN carries no account ID (a deleted "
        "bucket's name can be claimed by another account), and the Lambda API documents SourceAccount as the "
        "owner check for S3 and SES sources. eventSourceToken (the Alexa skill ID) also "
        "scopes a service grant. Account IDs and IAM ARNs pass: they name the caller. functionUrlAuthType "
        "NONE fails (a public function URL grant; see lambda-function-url-auth). Principal '*' with "
        "principalOrgId passes: it is an organization-wide grant, not a public one, and this rule does not "
        "judge how large the organization is. Permissions have no tags: exempt them in the policy config."
    ),
    remediation=(
        "Name the caller and, for a service, the resource that calls:\n"
        "    aws.lambda_.Permission('api-invoke', action='lambda:InvokeFunction', function=fn.name,\n"
        "        principal='apigateway.amazonaws.com',\n"
        "        source_arn=api.execution_arn.apply(lambda arn: f'{arn}/*/*'))\n"
        "For S3 or SES, source_account also works:\n"
        "    aws.lambda_.Permission('s3-invoke', action='lambda:InvokeFunction', function=fn.name,\n"
        "        principal='s3.amazonaws.com', source_arn=bucket.arn,\n"
        "        source_account=aws.get_caller_identity().account_id)"
    ),
    config={
        "accountScopedServices": {
            "type": "array",
            "items": {"type": "string", "minLength": 1},
            "default": ["s3.amazonaws.com", "ses.amazonaws.com"],
            "description": "Service principals for which sourceAccount is enough scoping (sourceArn also works).",
        },
    },
    check=check,
    references=(
        "Checkov CKV_AWS_301",
        "AWS Security Hub Lambda.1",
        "AWS Config lambda-function-public-access-prohibited",
        "Prowler awslambda_function_not_publicly_accessible",
    ),
    tags=("lambda", "authorization", "public-access"),
)
