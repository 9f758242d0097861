"""Lambda invoke permissions name who may call: never everyone, never every resource of a service."""

from __future__ import annotations

import re
from functools import partial

from ..aws.arns import ACCOUNT_ID, ACCOUNTLESS_ARN_SERVICES, ORGANIZATION_ID, SERVICE_PRINCIPAL, parse
from ..aws.frontdoors import FrontDoors
from ..aws.types import LAMBDA_PERMISSION
from ..findings import Outcome, Verdict, all_of, failed, not_applicable, passed
from ..graph import Graph
from ..policy import Covered, Policy, Settings
from ..resources import Resource
from ..values import Malformed, Undetermined, choice, filled, flag, text

URL_AUTH_TYPES = ("AWS_IAM", "NONE")
ARN_SOURCE_MODULES = {
    "apigateway.amazonaws.com": ("apigateway", "apigatewayv2"),
    "events.amazonaws.com": ("cloudwatch", "events", "scheduler"),
    "logs.amazonaws.com": ("cloudwatch", "logs"),
    "cognito-idp.amazonaws.com": ("cognito",),
    "elasticloadbalancing.amazonaws.com": ("lb", "alb", "elasticloadbalancingv2"),
}
"""Provider modules whose resources a service principal's source ARNs name, where they differ from its name."""
INVOKE_ACTIONS = ("lambda:invokefunction", "lambda:invokefunctionurl", "lambda:*")
"""Actions that invoke, lower-cased: IAM action names are case-insensitive (IAM User Guide, "Action")."""
ACTION = re.compile(r"lambda:[A-Za-z*]{1,64}")


def check(resource: Resource, settings: Settings) -> Verdict:
    return judge(resource, settings, None)


def in_graph(resource: Resource, settings: Settings, graph: Graph) -> Verdict:
    return judge(resource, settings, graph)


def judge(resource: Resource, settings: Settings, graph: Graph | None) -> Verdict:
    """The function URL grant and the principal are judged apart: one not known at preview hides nothing."""
    companion = companion_of_public_url(resource)
    if companion:
        return url_companion(resource, graph)
    return all_of(
        f"Lambda permission '{resource.name}'",
        partial(url_grant, resource),
        partial(principal_scope, resource, settings, graph),
    )


def companion_of_public_url(resource: Resource) -> bool:
    """A grant with functionUrlAuthType NONE or invokedViaFunctionUrl true: what a public function URL needs
    (AWS requires both lambda:InvokeFunctionUrl and, since October 2025, a lambda:InvokeFunction grant with
    invokedViaFunctionUrl for public URLs; Lambda Developer Guide, "Control access to function URLs")."""
    try:
        auth = choice(resource.props, "functionUrlAuthType", URL_AUTH_TYPES)
        via_url = flag(resource.props, "invokedViaFunctionUrl")
    except (Undetermined, Malformed):
        return False
    return principal_is_everyone(resource) and (auth == "NONE" or via_url is True)


def principal_is_everyone(resource: Resource) -> bool:
    try:
        return filled(resource.props, "principal") == "*"
    except (Undetermined, Malformed):
        return False


def url_companion(resource: Resource, graph: Graph | None) -> Verdict:
    """A public URL's companion grant is as public as the URL: its fix is the URL's, never the principal's.

    Alone (the engine's per-resource check) the URL is not in sight, so the grant is left to the URL:
    lambda-function-url-auth fails a public URL, and its exemption covers the grant. Where the graph is at
    hand the grant fails with the URL unless that exemption covers it (evaluate.covered)."""
    if graph is None:
        return not_applicable(
            f"Lambda permission '{resource.name}' is the companion grant of a public function URL (principal '*' "
            "with functionUrlAuthType NONE or invokedViaFunctionUrl): lambda-function-url-auth judges the URL, "
            "and the URL's exemption covers this grant"
        )
    urls = graph.derived(FrontDoors).function_urls_granted(resource)
    url = "public " + " and ".join(u.label for u in urls) if urls else "a public function URL"
    return failed(
        f"Lambda permission '{resource.name}' is the companion grant of {url} (principal '*' with "
        "functionUrlAuthType NONE or invokedViaFunctionUrl): it makes the URL public, and changing its principal "
        "would break the URL, not close it; set the URL's authorization_type='AWS_IAM' and remove this grant, or "
        "exempt the URL in lambda-function-url-auth's config, which covers its companion grants"
    )


def companion_urls(resource: Resource, graph: Graph) -> list[Resource]:
    """The function URLs whose exemption covers this grant: those it is the public companion grant of."""
    return graph.derived(FrontDoors).function_urls_granted(resource) if companion_of_public_url(resource) else []


def url_grant(resource: Resource) -> Verdict:
    if choice(resource.props, "functionUrlAuthType", URL_AUTH_TYPES) == "NONE":
        return failed(
            "grants unauthenticated function URL access (functionUrlAuthType NONE) to a named principal; use "
            "function_url_auth_type='AWS_IAM', or exempt it in the policy config with the reason it must be public"
        )
    return passed("")


def what_it_allows(resource: Resource) -> str:
    """'invoke the function' for an invoke action, else 'call lambda:GetFunction on it' (an action of safe form)."""
    action = text(resource.props, "action")
    if action is None or action.lower() in INVOKE_ACTIONS:
        return "invoke the function"
    return f"call {action} on the function" if ACTION.fullmatch(action) else "use the function as its action allows"


def principal_scope(resource: Resource, settings: Settings, graph: Graph | None) -> Verdict:
    principal = filled(resource.props, "principal")
    allows = what_it_allows(resource)
    if principal is None:
        return failed("names no principal; set principal to the account, role or service that calls it")
    if principal == "*":
        org = filled(resource.props, "principalOrgId")
        if org is not None:
            shown = org if ORGANIZATION_ID.fullmatch(org) else "principal_org_id"
            return passed(f"lets principals of one AWS Organization {allows} ({shown})")
        account = account_scope(resource)
        if account is not None:
            return failed(
                f"lets any principal of account {account} {allows} (principal '*' limited by source_account); "
                "set principal to the role or service that calls it"
            )
        return failed(
            f"lets anyone (principal '*') {allows}; set principal to the account, role or service principal "
            "that calls it (with source_arn for a service)"
        )
    if ACCOUNT_ID.fullmatch(principal):
        return passed(f"lets account {principal} {allows}")
    if principal.startswith("arn:"):
        arn = parse(principal)
        if arn is None or not arn.names_one_account or "*" in principal or "?" in principal:
            return failed(
                "has a principal ARN with a wildcard or without one account, which IAM does not match as a pattern "
                "(IAM User Guide, Principal element); set principal to the account ID or the role's ARN"
            )
        return passed(f"lets an IAM principal of account {arn.account} {allows}")
    if not SERVICE_PRINCIPAL.fullmatch(principal):
        return failed(
            "has a principal that is not an account ID, an IAM ARN or an AWS service principal; name one of these"
        )
    return service_scope(resource, principal, settings, graph, allows)


def account_scope(resource: Resource) -> str | None:
    """The one account `sourceAccount` names; None when it names none (absent, blank or `*`).

    Raises Undetermined when it is not known until deployment, Malformed when it is not an account ID."""
    account = filled(resource.props, "sourceAccount")
    if account is None or account == "*":
        return None
    if not ACCOUNT_ID.fullmatch(account):
        raise Malformed("sourceAccount", "a 12-digit AWS account ID", account)
    return account


def service_scope(resource: Resource, principal: str, settings: Settings, graph: Graph | None, allows: str) -> Verdict:
    """A service principal must be tied to one resource (sourceArn) in one account: per service, see the README.

    The ARN is read by field: an account field that is a pattern or empty scopes no owner, so sourceAccount
    must name it; services in accountScopedServices may be scoped by sourceAccount alone.
    """
    accountless = principal in ACCOUNTLESS_ARN_SERVICES
    account_pending: Undetermined | None = None
    try:
        account = account_scope(resource)
    except Undetermined as error:  # kept without its traceback, whose frame (this one) would hold it: a cycle
        account, account_pending = None, error.with_traceback(None)
    arn_pending: Undetermined | None = None
    try:
        arn_text = filled(resource.props, "sourceArn")
    except Undetermined as error:
        arn_text, arn_pending = None, error.with_traceback(None)
        linked = _linked(resource, graph)
        if linked is not None and (account is not None or not accountless):
            owner = f", limited by source_account {account}" if account is not None else ""
            return passed(f"lets {principal} {allows} for sourceArn from {linked} in this stack{owner}")
    pending = account_pending or arn_pending
    token = filled(resource.props, "eventSourceToken")
    names_a_source = arn_pending is not None or (arn_text is not None and arn_text != "*")
    if accountless and names_a_source and account is None and account_pending is None and token is None:
        return failed(
            f"lets {principal} {allows} for a source whose ARN names no account (an S3 bucket ARN carries none), so "
            "a bucket of that name in any AWS account can; set source_account to the account that owns it"
        )
    if arn_text is not None and arn_text != "*":
        arn = parse(arn_text)
        if arn is None:
            return failed(f"has a sourceArn that is not an ARN; set source_arn to the ARN of the {principal} resource")
        if arn.names_one_account and not accountless:
            return passed(f"lets {principal} {allows} for one resource of account {arn.account} (source_arn)")
        if account is not None:
            return passed(f"lets {principal} {allows} for source_arn resources of account {account} (source_account)")
        if pending is not None:
            raise pending
        why = "names no account" if arn.names_no_account else "matches every account"
        return failed(
            f"lets {principal} {allows} for a sourceArn that {why}, so a resource of that name in any AWS account "
            "can; set source_account to the account that owns it"
        )
    if token is not None:
        return passed(f"lets {principal} {allows} for one Alexa skill (event_source_token)")
    if account is not None and principal in settings["accountScopedServices"]:
        return passed(f"lets {principal} {allows} for resources of account {account} (source_account)")
    if pending is not None:
        raise pending
    if account is not None:
        return failed(
            f"lets any {principal} resource of account {account} {allows} (source_account alone is not enough for "
            "this service); set source_arn to the resource that should call it"
        )
    by_account = principal in settings["accountScopedServices"]
    if accountless:
        accepted = (
            "source_account (with source_arn to name one resource)" if by_account else "source_arn and source_account"
        )
    else:
        accepted = "source_arn or source_account" if by_account else "source_arn"
    return failed(f"lets any {principal} resource, in any AWS account, {allows}; set {accepted}")


def _linked(resource: Resource, graph: Graph | None) -> str | None:
    """The resource of this stack, of the principal's service, that the sourceArn comes from (so the ARN is one
    of this stack's account), if any."""
    if graph is None:
        return None
    principal = filled(resource.props, "principal") or ""
    modules = ARN_SOURCE_MODULES.get(principal, (principal.split(".", 1)[0],))
    for urn in resource.property_dependencies.get("sourceArn", ()):
        source = graph.get(urn)
        if source is not None and module_of(source.type) in modules:
            return source.label
    return None


def module_of(token: str) -> str:
    """`apigateway` from `aws:apigateway/restApi:RestApi`."""
    parts = token.split(":")
    return parts[1].split("/", 1)[0] if len(parts) > 2 else ""


POLICY = Policy(
    id="lambda-permission-scope",
    title="Lambda permissions are scoped to their caller",
    description="Lambda permissions must name their caller: never everyone, never every resource of a service.",
    severity="high",
    enforcement="mandatory",
    resource_types=(LAMBDA_PERMISSION,),
    rationale=(
        "A resource policy is the other way into a function besides API Gateway. Principal '*' lets anyone "
        "with the function's ARN invoke it, bypassing every throttle and usage plan; it fails even with a "
        "sourceArn (name the service principal instead), and with sourceAccount it still lets every principal "
        "of that account in. A service principal must be tied to its source: sourceArn is read by field, and "
        "only an ARN whose account field is one concrete account ID scopes the grant (a wildcard after the "
        "account, as in arn:aws:sns:us-east-1:123456789012:*, still does); an account field that is '*', a "
        "pattern or empty matches every account, so sourceAccount must then name the owner. S3 bucket ARNs "
        "carry no account at all (a deleted bucket's name can be claimed by another account), so an S3 grant "
        "always needs sourceAccount (AWS Config lambda-function-public-access-prohibited and Security Hub "
        "Lambda.1 require it). For the services in accountScopedServices sourceAccount alone suffices (S3 and "
        "SES by default, as the Lambda API documents SourceAccount as their owner check); eventSourceToken "
        "(the Alexa skill ID) also scopes a grant. Account IDs and IAM ARNs pass: they name the caller. A "
        "grant with functionUrlAuthType NONE or invokedViaFunctionUrl is a public function URL's companion "
        "grant (AWS requires it for a public URL): it fails with the URL, its fix is the URL's, and the URL's "
        "exemption in lambda-function-url-auth covers it. An unknown sourceArn (an ARN computed from another "
        "resource) that comes from a resource of the principal's service in the same stack passes. Both are "
        "decided with the stack's graph (under the engine, at AnalyzeStack). Principal '*' with principalOrgId "
        "passes: an organization-wide grant. Permissions have no tags: exempt them in the policy config."
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
    in_graph=in_graph,
    decided_alone=frozenset({Outcome.PASS, Outcome.FAIL}),
    covered_by=Covered("lambda-function-url-auth", lambda r, g: companion_urls(r, g)),
    references=(
        "Checkov CKV_AWS_301",
        "AWS Security Hub Lambda.1",
        "AWS Config lambda-function-public-access-prohibited",
        "Prowler awslambda_function_not_publicly_accessible",
    ),
    tags=("lambda", "authorization", "public-access"),
)
