"""rest-method-authorization reads a REST API's resource policy as API Gateway evaluates it (issue 19, point 3).

Sources: API Gateway Developer Guide, "How API Gateway resource policies affect authorization workflow" (with no
authorization the policy alone decides: an explicit Allow lets a caller in, an implicit or explicit deny keeps it
out), "API Gateway resource policy examples" (the execute-api:/ shorthand; source IP and source VPC examples),
"Create and attach an API Gateway resource policy to an API" ("For a private API, you can't deploy your API
without a resource policy"; an AWS principal needs AWS_IAM authorization), aquasecurity/tfsec#1314 (a private
API's policy without aws:SourceVpce or aws:SourceVpc admits every VPC endpoint in every account).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from abuse_guard.aws.types import REST_API, REST_API_POLICY, REST_METHOD, REST_RESOURCE
from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Finding, Outcome
from abuse_guard.offline.recorder.policy_document import policy_document
from abuse_guard.policies.rest_method_authorization import POLICY
from abuse_guard.resources import SECRET, UNKNOWN, Resource
from tests.support import check, resource

INVOKE = "execute-api:Invoke"


def allow(resource_: Any = "execute-api:/*", principal: Any = "*", **condition: Any) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Principal": principal, "Action": INVOKE, "Resource": resource_}
    return {**statement, "Condition": condition} if condition else statement


def deny(resource_: Any = "execute-api:/*", principal: Any = "*", **condition: Any) -> dict[str, Any]:
    return {**allow(resource_, principal, **condition), "Effect": "Deny"}


def without(statement: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in statement.items() if k != key}


def doc(*statements: Any) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def text(*statements: Any) -> str:
    return json.dumps(doc(*statements))


VPCE = {"StringEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}}
NOT_VPCE = {"StringNotEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}}
PRIVATE = {"endpointConfiguration": {"types": "PRIVATE"}}  # pulumi-aws v7: one type, a string
REGIONAL = {"endpointConfiguration": {"types": "REGIONAL"}}
PRIVATE_LIST = {"endpointConfiguration": {"types": ["PRIVATE"]}}  # pulumi-aws v6 and aws-native: a list

Stack = tuple[list[Resource], str]


def rest(
    api_props: dict[str, Any],
    verb: str = "GET",
    path: str = "items",
    extra: Callable[[Resource], list[Resource]] = lambda api: [],
    api_type: str = REST_API,
    method_props: dict[str, Any] | None = None,
) -> Stack:
    """An API, its `/items` resource and an open GET method on it (as a program links them: by outputs)."""
    native = api_type.startswith("aws-native:")
    api = resource(api_type, {"name": "api", **api_props}, "api")
    api_key = "restApiId" if native else "restApi"
    items = resource(
        "aws-native:apigateway:Resource" if native else REST_RESOURCE,
        {api_key: UNKNOWN, "parentId": UNKNOWN, "pathPart": path},
        "items",
        property_dependencies={api_key: (api.urn,), "parentId": (api.urn,)},
    )
    auth_key = "authorizationType" if native else "authorization"
    method = resource(
        "aws-native:apigateway:Method" if native else REST_METHOD,
        {api_key: UNKNOWN, "resourceId": UNKNOWN, "httpMethod": verb, auth_key: "NONE", **(method_props or {})},
        "get",
        property_dependencies={api_key: (api.urn,), "resourceId": (items.urn,)},
    )
    return [api, items, method, *extra(api)], method.urn


def api_policy(policy: Any, rest_api_id: Any = UNKNOWN, linked: bool = True) -> Callable[[Resource], list[Resource]]:
    """An aws.apigateway.RestApiPolicy for the API: restApiId=api.id (linked), or a literal ID."""

    def made(api: Resource) -> list[Resource]:
        deps = {"restApiId": (api.urn,)} if linked else {}
        return [
            resource(
                REST_API_POLICY, {"restApiId": rest_api_id, "policy": policy}, "policy", property_dependencies=deps
            )
        ]

    return made


def body(*, policy: Any = None, disable: bool | None = None) -> str:
    """An OpenAPI body with one open operation, GET /items, and the extensions asked for."""
    document: dict[str, Any] = {
        "openapi": "3.0.1",
        "info": {"title": "api", "version": "1"},
        "paths": {"/items": {"get": {}}},
    }
    if policy is not None:
        document["x-amazon-apigateway-policy"] = policy
    if disable is not None:
        document["x-amazon-apigateway-endpoint-configuration"] = {"disableExecuteApiEndpoint": disable}
    return json.dumps(document)


def body_api(api_props: dict[str, Any]) -> Stack:
    api = resource(REST_API, {"name": "api", **api_props}, "api")
    return [api], api.urn


def provider_json(**statement: Any) -> str:
    """What aws.iam.get_policy_document(statements=[...]).json gives (offline/recorder/policy_document.py computes it
    as the provider does)."""
    return str(policy_document({"statements": [statement]})["json"])


EVERYONE = [{"type": "*", "identifiers": ["*"]}]

CASES: dict[str, tuple[Stack, Outcome, str]] = {
    # -- PRIVATE APIs: reachable only through execute-api VPC endpoints, of any account unless the policy names them
    "private_without_policy_cannot_be_deployed": (rest(PRIVATE), Outcome.PASS, "has no resource policy in this stack"),
    "private_policy_allows_everyone": (
        rest({**PRIVATE, "policy": text(allow())}),
        Outcome.FAIL,
        "admits every execute-api VPC endpoint in every AWS account",
    ),
    "private_policy_names_its_endpoint": (
        rest({**PRIVATE, "policy": text(allow(**VPCE))}),
        Outcome.PASS,
        "PRIVATE and",
    ),
    "private_policy_names_its_vpc_for_any_value": (
        rest({**PRIVATE, "policy": text(allow(**{"ForAnyValue:StringEquals": {"aws:SourceVpc": ["vpc-1", "vpc-2"]}}))}),
        Outcome.PASS,
        "VPC endpoints or VPCs it names",
    ),
    # AWS's example "Allow private API traffic based on source VPC or VPC endpoint": Allow *, Deny all others
    "private_deny_all_but_its_endpoint": (
        rest({**PRIVATE_LIST, "policy": text(allow(), deny(**NOT_VPCE))}),
        Outcome.PASS,
        "denies every call but those through the VPC endpoints",
    ),
    "private_endpoint_pattern_admits_all": (
        rest({**PRIVATE, "policy": text(allow(**{"StringLike": {"aws:SourceVpce": "vpce-*"}}))}),
        Outcome.FAIL,
        "every execute-api VPC endpoint",
    ),
    # ...IfExists holds where the key is absent: it limits nothing
    "private_if_exists_limits_nothing": (
        rest({**PRIVATE, "policy": text(allow(**{"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}))}),
        Outcome.FAIL,
        "every execute-api VPC endpoint",
    ),
    "private_aws_star_principal": (
        rest({**PRIVATE, "policy": text(allow(principal={"AWS": "*"}))}),
        Outcome.FAIL,
        "every execute-api VPC endpoint",
    ),
    "private_source_ip_is_not_an_endpoint": (
        rest({**PRIVATE, "policy": text(allow(**{"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}}))}),
        Outcome.FAIL,
        "addresses, not your VPC endpoints",
    ),
    "private_provider_rendered_policy_document": (
        rest({**PRIVATE, "policy": provider_json(principals=EVERYONE, actions=[INVOKE], resources=["execute-api:/*"])}),
        Outcome.FAIL,
        "every execute-api VPC endpoint",
    ),
    "private_provider_rendered_policy_document_with_endpoint": (
        rest(
            {
                **PRIVATE,
                "policy": provider_json(
                    principals=EVERYONE,
                    actions=[INVOKE],
                    resources=["execute-api:/*"],
                    conditions=[{"test": "StringEquals", "variable": "aws:SourceVpce", "values": ["vpce-1"]}],
                ),
            }
        ),
        Outcome.PASS,
        "VPC endpoints or VPCs it names",
    ),
    # -- where the policy comes from
    "rest_api_policy_by_dependency_allows_everyone": (
        rest(PRIVATE, extra=api_policy(text(allow()))),
        Outcome.FAIL,
        "RestApiPolicy 'policy'.policy Statement[0] allows execute-api:Invoke to everyone",
    ),
    "rest_api_policy_by_dependency_names_endpoint": (
        rest(PRIVATE, extra=api_policy(text(allow(**VPCE)))),
        Outcome.PASS,
        "RestApiPolicy 'policy'.policy",
    ),
    "rest_api_policy_by_known_id": (
        rest({**PRIVATE, "id": "a1b2c3"}, extra=api_policy(text(allow()), "a1b2c3", linked=False)),
        Outcome.FAIL,
        "every execute-api VPC endpoint",
    ),
    "rest_api_policy_of_another_api_id_is_not_this_one": (
        rest({**PRIVATE, "id": "a1b2c3"}, extra=api_policy(text(allow()), "zzz999", linked=False)),
        Outcome.PASS,
        "has no resource policy in this stack",
    ),
    "rest_api_policy_unlinked_and_unknown_may_be_this_one": (
        rest(PRIVATE, extra=api_policy(text(allow()), linked=False)),
        Outcome.UNKNOWN,
        "may be the policy of RestApi 'api'",
    ),
    "policy_argument_and_rest_api_policy_disagree": (
        rest({**PRIVATE, "policy": text(allow(**VPCE))}, extra=api_policy(text(allow()))),
        Outcome.FAIL,
        "RestApiPolicy 'policy'.policy",
    ),
    # the policy argument overrides the body's x-amazon-apigateway-policy (pulumi-aws RestApi `policy`)
    "body_policy_names_endpoint": (
        body_api({**PRIVATE, "body": body(policy=doc(allow(**VPCE)))}),
        Outcome.PASS,
        "x-amazon-apigateway-policy",
    ),
    "body_policy_allows_everyone": (
        body_api({**PRIVATE, "body": body(policy=doc(allow()))}),
        Outcome.FAIL,
        "every execute-api",
    ),
    "policy_argument_overrides_body": (
        body_api({**PRIVATE, "body": body(policy=doc(allow())), "policy": text(allow(**VPCE))}),
        Outcome.PASS,
        "RestApi 'api'.policy",
    ),
    # -- aws-native: the policy is an object (CloudFormation AWS::ApiGateway::RestApi Policy, Json)
    "native_private_policy_object_names_endpoint": (
        rest({**PRIVATE_LIST, "policy": doc(allow(**VPCE))}, api_type="aws-native:apigateway:RestApi"),
        Outcome.PASS,
        "VPC endpoints or VPCs it names",
    ),
    "native_private_policy_object_allows_everyone": (
        rest({**PRIVATE_LIST, "policy": doc(allow())}, api_type="aws-native:apigateway:RestApi"),
        Outcome.FAIL,
        "every execute-api VPC endpoint",
    ),
    # an endpoint ID not known until deployment is still an ID: StringEquals compares it literally
    "native_endpoint_id_not_known_yet": (
        rest(
            {**PRIVATE_LIST, "policy": doc(allow(**{"StringEquals": {"aws:SourceVpce": UNKNOWN}}))},
            api_type="aws-native:apigateway:RestApi",
        ),
        Outcome.PASS,
        "VPC endpoints or VPCs it names",
    ),
    "native_resource_not_known_yet": (
        rest({**PRIVATE_LIST, "policy": doc(allow(UNKNOWN))}, api_type="aws-native:apigateway:RestApi"),
        Outcome.UNKNOWN,
        "the widest way, RestApi 'api'.policy Statement[0] allows execute-api:Invoke to everyone",
    ),
    # -- unknown values
    "private_policy_not_known_yet": (
        rest({**PRIVATE, "policy": UNKNOWN}),
        Outcome.UNKNOWN,
        "RestApi 'api'.policy is not known",
    ),
    "private_policy_secret": (rest({**PRIVATE, "policy": SECRET}), Outcome.UNKNOWN, "is a secret"),
    "endpoint_types_not_known_without_policy": (
        rest({"endpointConfiguration": {"types": UNKNOWN}}),
        Outcome.UNKNOWN,
        "endpointConfiguration.types is not known",
    ),
    "endpoint_types_not_known_with_endpoint_policy": (
        rest({"endpointConfiguration": {"types": UNKNOWN}, "policy": text(allow(**VPCE))}),
        Outcome.PASS,
        "VPC endpoints or VPCs it names",
    ),
    "body_not_known_may_hold_the_policy": (
        rest({**PRIVATE, "body": UNKNOWN}),
        Outcome.UNKNOWN,
        "may hold x-amazon-apigateway-policy",
    ),
    # -- malformed: one clear fail
    "policy_not_json": (
        rest({**PRIVATE, "policy": "{not json"}),
        Outcome.FAIL,
        "malformed input: RestApi 'api'.policy must be a JSON policy document",
    ),
    "policy_nested_too_deep": (rest({**PRIVATE, "policy": "[" * 100_000}), Outcome.FAIL, "got text nested too deep"),
    "policy_not_an_object": (
        rest({**PRIVATE, "policy": "[1, 2]"}),
        Outcome.FAIL,
        "must be a policy document (an object)",
    ),
    "effect_in_lower_case": (
        rest({**PRIVATE, "policy": text({**allow(), "Effect": "allow"})}),
        Outcome.FAIL,
        'Statement[0].Effect must be "Allow" or "Deny"',
    ),
    "statement_not_a_list": (
        rest({**PRIVATE, "policy": json.dumps({"Statement": "x"})}),
        Outcome.FAIL,
        "Statement must be",
    ),
    "statement_without_principal": (
        rest({**PRIVATE, "policy": text({"Effect": "Allow", "Action": INVOKE, "Resource": "*"})}),
        Outcome.FAIL,
        "a Principal or NotPrincipal",
    ),
    "resource_of_no_known_form": (
        rest({**PRIVATE, "policy": text(allow("/prod/*"))}),
        Outcome.FAIL,
        "an execute-api ARN",
    ),
    "condition_not_an_object": (
        rest({**PRIVATE, "policy": text({**allow(), "Condition": ["x"]})}),
        Outcome.FAIL,
        "Condition must be an object",
    ),
    # -- public (EDGE, REGIONAL) APIs
    "public_without_policy": (
        rest({}),
        Outcome.FAIL,
        "is open to anyone (authorization NONE, no API key required); set",
    ),
    "public_policy_allows_everyone": (
        rest({**REGIONAL, "policy": text(allow())}),
        Outcome.FAIL,
        "RestApi 'api'.policy Statement[0] allows execute-api:Invoke to everyone",
    ),
    "public_explicit_deny_to_everyone": (
        rest({"policy": text(allow(), deny())}),
        Outcome.PASS,
        "Statement[1] denies execute-api:Invoke to everyone",
    ),
    "public_deny_of_this_verb_and_path": (
        rest({"policy": text(allow(), deny("execute-api:/*/GET/items"))}),
        Outcome.PASS,
        "denies execute-api:Invoke to everyone",
    ),
    "public_deny_of_another_path": (
        rest({"policy": text(allow(), deny("execute-api:/*/GET/health"))}),
        Outcome.FAIL,
        "open to anyone",
    ),
    "public_deny_of_one_stage_only": (
        rest({"policy": text(allow(), deny("execute-api:/prod/*"))}),
        Outcome.FAIL,
        "open to anyone",
    ),
    "public_deny_of_get_leaves_any_open": (
        rest({"policy": text(allow(), deny("execute-api:/*/GET/items"))}, verb="ANY"),
        Outcome.FAIL,
        "open to anyone",
    ),
    "public_deny_of_every_verb_closes_any": (
        rest({"policy": text(allow(), deny("execute-api:/*/*/items"))}, verb="ANY"),
        Outcome.PASS,
        "denies execute-api:Invoke to everyone",
    ),
    "public_deny_of_sub_paths_covers_a_parameter": (
        rest({"policy": text(allow(), deny("execute-api:/*/GET/items/*"))}, path="{id}"),
        Outcome.FAIL,  # the method is GET /{id}: /items/* does not cover it
        "open to anyone",
    ),
    "public_deny_with_a_single_character_wildcard_is_not_read_as_all": (
        rest({"policy": text(allow(), deny("execute-api:/?/GET/items"))}),
        Outcome.FAIL,
        "open to anyone",
    ),
    "public_deny_full_arn_of_this_api": (
        rest({"id": "a1b2c3", "policy": text(allow(), deny("arn:aws:execute-api:us-east-1:123456789012:a1b2c3/*"))}),
        Outcome.PASS,
        "denies execute-api:Invoke to everyone",
    ),
    "public_deny_full_arn_of_another_api": (
        rest({"id": "a1b2c3", "policy": text(allow(), deny("arn:aws:execute-api:us-east-1:123456789012:zzz999/*"))}),
        Outcome.FAIL,
        "open to anyone",
    ),
    "public_deny_not_resource_of_another_path": (
        rest({"policy": text(allow(), {**without(deny(), "Resource"), "NotResource": "execute-api:/*/GET/health"})}),
        Outcome.PASS,
        "denies execute-api:Invoke to everyone",
    ),
    # "API Gateway resource policy only": no Allow that matches is an implicit deny
    "public_policy_without_allow": (
        rest({"policy": text(deny(**{"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}))}),
        Outcome.PASS,
        "implicit deny",
    ),
    "public_allow_only_another_path": (
        rest({"policy": text(allow("execute-api:/*/GET/health"))}),
        Outcome.PASS,
        "implicit deny",
    ),
    # decided: a source IP range restricts the network, not the caller (see the rationale)
    "public_deny_all_but_source_ips": (
        rest(
            {"policy": text(allow(), deny(**{"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}}))}
        ),
        Outcome.FAIL,
        "a source IP range restricts the network, not the caller",
    ),
    "public_allow_only_source_ips": (
        rest({"policy": text(allow(**{"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}}))}),
        Outcome.FAIL,
        "a source IP range restricts the network, not the caller",
    ),
    # an anonymous caller is no named principal: a NONE method admits no one by name
    "public_deny_all_but_named_accounts": (
        rest({"policy": text(allow(), deny(**{"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}))}),
        Outcome.PASS,
        "an anonymous caller is none of them",
    ),
    "public_allow_named_role_only": (
        rest({"policy": text(allow(principal={"AWS": "arn:aws:iam::111122223333:role/developer"}))}),
        Outcome.PASS,
        "implicit deny",
    ),
    "public_deny_all_but_named_principals": (
        rest({"policy": text(allow(), {**without(deny(), "Principal"), "NotPrincipal": {"AWS": "111122223333"}})}),
        Outcome.PASS,
        "denies every caller but the principals it names",
    ),
    "public_deny_only_plain_http": (
        rest({"policy": text(allow(), deny(**{"Bool": {"aws:SecureTransport": "false"}}))}),
        Outcome.FAIL,
        "open to anyone",
    ),
    "public_policy_not_known_yet": (rest({"policy": UNKNOWN}), Outcome.UNKNOWN, "RestApi 'api'.policy is not known"),
    "public_body_operation_denied_by_body_policy": (
        body_api({"body": body(policy=doc(allow(), deny()))}),
        Outcome.PASS,
        "body.x-amazon-apigateway-policy Statement[1] denies execute-api:Invoke to everyone",
    ),
    "public_native_deny_object": (
        rest({"policy": doc(allow(), deny())}, api_type="aws-native:apigateway:RestApi"),
        Outcome.PASS,
        "denies execute-api:Invoke to everyone",
    ),
}


def finding_for(stack: Stack, config: dict[str, Any] | None = None) -> Finding:
    resources, urn = stack
    [found] = [f for f in evaluate([POLICY], resources, {POLICY.id: config}) if f.urn == urn]
    return found


@pytest.mark.parametrize(("stack", "expected", "said"), CASES.values(), ids=list(CASES))
def test_a_resource_policy_decides_who_reaches_an_open_method(stack: Stack, expected: Outcome, said: str) -> None:
    found = finding_for(stack)
    assert (found.outcome, said in found.message) == (expected, True), found.message


def test_alone_an_open_method_fails_whatever_its_api_says() -> None:
    """The engine's per-resource check sees the method without its API: it fails, and the stack decides."""
    resources, urn = rest({**PRIVATE, "policy": text(allow(**VPCE))})
    method = next(r for r in resources if r.urn == urn)
    assert check(POLICY, REST_METHOD, method.props).outcome is Outcome.FAIL
    assert finding_for((resources, urn)).outcome is Outcome.PASS


def test_an_exemption_covers_a_method_its_policy_leaves_open() -> None:
    config = {"exemptions": [{"resource": "get", "reason": "the VPC endpoints of every account may call it"}]}
    found = finding_for(rest({**PRIVATE, "policy": text(allow())}), config)
    assert found.outcome is Outcome.EXEMPT
    assert "without it: fail: " in found.message and "tfsec#1314" in found.message


def test_an_api_key_or_an_authorizer_is_judged_as_before_whatever_the_policy() -> None:
    for props, outcome in (
        ({"apiKeyRequired": True}, Outcome.PASS),
        ({"authorization": "AWS_IAM"}, Outcome.PASS),
        ({"authorization": "CUSTOM"}, Outcome.FAIL),  # no authorizerId: nothing is checked
    ):
        assert finding_for(rest({**PRIVATE, "policy": text(allow())}, method_props=props)).outcome is outcome


def test_a_policy_message_never_repeats_the_policy_s_values() -> None:
    """Messages name statements by position: a policy's text (account IDs, endpoint IDs) is never repeated."""
    found = finding_for(rest({**PRIVATE, "policy": text({**allow(), "Sid": "s3cr3t-vpce-0123"})}))
    assert "s3cr3t" not in found.message and "Statement[0]" in found.message
