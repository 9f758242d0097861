"""Every REST API method authorizes its callers: IAM, an authorizer, or (by default) an API key."""

from __future__ import annotations

from functools import partial

from ..aws.frontdoors import BODY, REST_OPERATION_TYPES, Operation
from ..aws.names import safe_verb
from ..aws.reach import Callers, Reach
from ..aws.resource_policies import Admission, Admits
from ..findings import Outcome, Verdict, failed, not_applicable, passed, undetermined
from ..graph import Graph
from ..policy import Policy, Settings
from ..resources import Resource
from ..values import Undetermined
from .authorization import authorizer_verdict, body_fix, each_operation, noted, through_domains

AUTHORIZER_BACKED = ("CUSTOM", "COGNITO_USER_POOLS")


def check(resource: Resource, settings: Settings) -> Verdict | None:
    return each_operation(resource, partial(judge, settings=settings, graph=None))


def in_graph(resource: Resource, settings: Settings, graph: Graph) -> Verdict | None:
    return each_operation(resource, partial(judge, settings=settings, graph=graph))


def judge(op: Operation, settings: Settings, graph: Graph | None) -> Verdict:
    http_method = op.http_method()
    verb = safe_verb(http_method) if http_method else None
    label = op.label or f"API Gateway method '{op.resource.name}'" + (f" ({verb})" if verb else "")
    if http_method is not None and http_method.upper() == "OPTIONS":
        return not_applicable(
            f"{label} answers CORS preflight: browsers send it without credentials, so it cannot require them"
        )
    authorization = op.authorization()
    if authorization == "AWS_IAM":
        return passed(f"{label} requires IAM-signed requests")
    if authorization in AUTHORIZER_BACKED:
        return authorizer_verdict(label, authorization, op, graph)
    if op.origin == BODY:
        fix = body_fix(
            op,
            "a scheme with x-amazon-apigateway-authorizer, x-amazon-apigateway-authtype awsSigv4"
            + (", or an apiKey scheme with a usage plan" if settings["apiKeyAloneIsEnough"] else ""),
        )
    else:
        fix = "set authorization to AWS_IAM, CUSTOM or COGNITO_USER_POOLS (with authorizer_id)" + (
            ", or api_key_required=True with a usage plan" if settings["apiKeyAloneIsEnough"] else ""
        )
    if op.api_key_required():
        if settings["apiKeyAloneIsEnough"]:
            return passed(f"{label} requires an API key, which a usage plan can throttle and meter")
        return failed(
            f"{label} relies on an API key alone, which this pack is configured not to accept "
            f"(apiKeyAloneIsEnough is false); {fix}"
        )
    notes: list[str] = []
    if graph is not None:
        settled, notes = reached(label, op, graph.derived(Reach), fix)
        if settled is not None:
            return settled
    return failed(
        f"{label} is open to anyone (authorization {authorization or 'absent, so NONE'}, no API key required)"
        f"{noted(notes)}; {fix}"
    )


def counts(reading: Admission) -> bool:
    """Whether a resource policy keeps the anonymous callers of an operation to the account's own: no one, named
    principals (an anonymous caller is none of them) or the VPC endpoints and VPCs it names. Source IP ranges do
    not count: they restrict the network, not the caller (see the rationale)."""
    return reading.admits <= Admits.NAMED_ENDPOINTS


def reached(label: str, op: Operation, reach: Reach, fix: str) -> tuple[Verdict | None, list[str]]:
    """An operation that authorizes no one, judged by who reaches it (aws/reach.py): its API's resource policy,
    then its custom domains. A verdict when they settle it, else None and what the open-to-anyone fail adds."""
    try:
        callers, pending = reach.callers(op), None
    except Undetermined as error:
        callers, pending = None, error
    if callers is not None and counts(callers.widest):
        return passed(f"{label} authorizes no one, but {kept_out(callers, callers.widest)}"), []
    by_domains, notes = through_domains(label, op, reach)
    if by_domains is not None:
        return by_domains, []
    if pending is not None:
        raise pending
    if callers is None:
        return None, notes
    if counts(callers.narrowest):
        widest, narrowest = callers.why(callers.widest), callers.why(callers.narrowest)
        readings = widest if widest == narrowest else f"read the widest way, {widest}; the narrowest way, {narrowest}"
        return undetermined(
            f"{label} authorizes no one, and whether the resource policy of {callers.api.label} keeps anonymous "
            f"callers out rests on values not known until deployment: {readings}"
        ), []
    reading = callers.narrowest
    why = callers.why(reading)
    private_fix = (
        "name your VPC endpoints (StringEquals aws:SourceVpce) or VPCs (StringEquals aws:SourceVpc) in the "
        f"policy, or {fix}"
    )
    if callers.private and reading.admits is Admits.ANYONE:
        return failed(
            f"{label} authorizes no one, and although {callers.api.label} is PRIVATE, {why}: that admits every "
            "execute-api VPC endpoint in every AWS account, not only yours (aquasecurity/tfsec#1314)"
            f"{noted(notes)}; {private_fix}"
        ), []
    if callers.private:
        return failed(
            f"{label} authorizes no one, and although {callers.api.label} is PRIVATE, {why}: addresses, not your "
            "VPC endpoints, and the same private ranges exist in VPCs of every account, whose execute-api "
            f"endpoints all reach a private API{noted(notes)}; {private_fix}"
        ), []
    if reading.admits is Admits.SOURCE_IPS:
        return failed(
            f"{label} is open to anyone on the networks its resource policy admits ({why}): a source IP range "
            "restricts the network, not the caller, and every request from there is anonymous"
            f"{noted(notes)}; {fix}, or exempt it with the reason if those ranges are the control you intend"
        ), []
    return None, [why, *notes] if callers.has_policy else notes


def kept_out(callers: Callers, reading: Admission) -> str:
    """Why a resource policy keeps anonymous callers out, as a message says it after "authorizes no one, but"."""
    why = callers.why(reading)
    if reading.admits is Admits.NAMED_PRINCIPALS:
        return (
            f"{why}: an anonymous caller is none of them (API Gateway knows a caller only by an IAM signature, "
            "which authorization NONE does not ask for)"
        )
    if reading.admits is Admits.NAMED_ENDPOINTS and callers.private:
        return f"{callers.api.label} is PRIVATE and {why}"
    if reading.admits is Admits.NAMED_ENDPOINTS:
        return f"{why}, and a call from the internet comes through none"
    return why


POLICY = Policy(
    id="rest-method-authorization",
    title="REST API methods authorize callers",
    description="REST API methods must authorize callers: IAM, an authorizer or an API key.",
    severity="high",
    enforcement="mandatory",
    resource_types=REST_OPERATION_TYPES,
    rationale=(
        "A method with authorization NONE and no API key lets anyone who finds the URL drive the backend: "
        "every request is a billed Lambda invocation, and no usage plan can single out the caller. API Gateway "
        "offers three ways to know who calls: IAM, an authorizer (Lambda or Cognito) and API keys. API keys "
        "alone pass by default (apiKeyAloneIsEnough): they are one of those three and the only thing usage "
        "plans meter, though a key identifies a client rather than proving who it is; set "
        "apiKeyAloneIsEnough to false to demand IAM or an authorizer. CUSTOM and COGNITO_USER_POOLS without "
        "authorizerId fail: no authorizer means nothing is checked. Each operation of a RestApi's OpenAPI body "
        "is judged like its Method twin and named by its verb and path. OPTIONS methods are not-applicable by "
        "design, not by exemption: CORS preflight requests carry no credentials, so requiring them breaks "
        "every browser client. An absent authorization is read as NONE; an unrecognised value fails as "
        "malformed. Methods have no tags: exempt them in the policy config. Who reaches a method that authorizes no "
        "one is read from the stack's graph: its API's resource policy (RestApi policy, a RestApiPolicy, the body's "
        "x-amazon-apigateway-policy; aws-native RestApi policy), as API Gateway evaluates it for a caller that signs "
        "nothing, and its custom domains. It passes when the policy keeps such callers out (an explicit Deny of "
        "execute-api:Invoke to everyone that covers every stage, its verb and its path; no Allow that matches it, an "
        "implicit deny; only principals it names, which an anonymous caller is not), when the API is PRIVATE and its "
        "policy admits only the VPC endpoints or VPCs it names (aws:SourceVpce, aws:SourceVpc) or it has none (API "
        "Gateway deploys no private API without one), or when the API's default execute-api endpoint is off and every "
        "custom domain mapped to it requires mutual TLS. It fails when a PRIVATE API's policy allows '*' without "
        "naming endpoints or VPCs (every execute-api VPC endpoint of every AWS account gets in), and when a public "
        "API's policy admits only source IP ranges: a range restricts the network, not the caller (every request "
        "from it is anonymous, and the pack cannot tell a corporate range from a shared one), so it is not "
        "authorization; exempt the method if those ranges are the control you intend. A default endpoint left on "
        "beside a mutual TLS domain is named in the fail: callers bypass the certificate through it. A policy not "
        "known until deployment is unknown; one that is not a policy document fails as malformed. The engine's "
        "per-resource check sees a method without its API: alone an open method fails, so its verdict is decided "
        "with the stack (AnalyzeStack), as the offline preview and the reports decide it."
    ),
    remediation=(
        "Require IAM, an authorizer, or an API key metered by a usage plan:\n"
        "    aws.apigateway.Method('get-items', rest_api=api.id, resource_id=items.id, http_method='GET',\n"
        "        authorization='CUSTOM', authorizer_id=authorizer.id)\n"
        "    aws.apigateway.Method('get-report', rest_api=api.id, resource_id=report.id, http_method='GET',\n"
        "        authorization='NONE', api_key_required=True)"
    ),
    config={
        "apiKeyAloneIsEnough": {
            "type": "boolean",
            "default": True,
            "description": "Whether authorization NONE with apiKeyRequired true passes.",
        },
    },
    check=check,
    in_graph=in_graph,
    decided_alone=frozenset({Outcome.PASS, Outcome.NOT_APPLICABLE}),
    references=("Checkov CKV_AWS_59", "tfsec aws-api-gateway-no-public-access", "aquasecurity/tfsec#1314"),
    tags=("api-gateway", "authorization", "public-access"),
)
