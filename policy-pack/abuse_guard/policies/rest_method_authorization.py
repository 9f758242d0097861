"""Every REST API method authorizes its callers: IAM, an authorizer, or (by default) an API key."""

from __future__ import annotations

from functools import partial

from ..aws.frontdoors import BODY, REST_OPERATION_TYPES, FrontDoors, Operation
from ..aws.names import safe_verb
from ..findings import Outcome, Verdict, failed, not_applicable, passed
from ..graph import Graph
from ..policy import Policy, Settings
from ..resources import Resource
from .authorization import authorizer_verdict, each_operation

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
    private = graph.derived(FrontDoors).private_api(op) if graph is not None else None
    if private is not None and authorization in (None, "NONE") and not op.api_key_required():
        return passed(
            f"{label} authorizes no one, but {private.label} is PRIVATE: only callers through its interface VPC "
            "endpoints reach it"
        )
    if authorization == "AWS_IAM":
        return passed(f"{label} requires IAM-signed requests")
    if authorization in AUTHORIZER_BACKED:
        return authorizer_verdict(label, authorization, op, graph)
    if op.origin == BODY:
        fix = (
            "add a security requirement naming a scheme with x-amazon-apigateway-authorizer, "
            "x-amazon-apigateway-authtype awsSigv4"
            + (", or an apiKey scheme with a usage plan" if settings["apiKeyAloneIsEnough"] else "")
            + " to the operation or the document"
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
    return failed(
        f"{label} is open to anyone (authorization {authorization or 'absent, so NONE'}, no API key required); {fix}"
    )


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
        "malformed. Methods have no tags: exempt them in the policy config."
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
    references=("Checkov CKV_AWS_59", "tfsec aws-api-gateway-no-public-access"),
    tags=("api-gateway", "authorization", "public-access"),
)
