"""Mutual TLS and the default endpoint (issue 19, point 4): an API whose execute-api endpoint is off and whose every
custom domain requires mutual TLS authenticates each caller by client certificate.

Sources: API Gateway Developer Guide, "Disable the default endpoint for REST APIs" and "... for HTTP APIs" ("To
ensure that clients can access your API only by using a custom domain name, disable the default execute-api
endpoint"), "Configuring mutual TLS authentication for a REST API" and "... for an HTTP API" (a domain with a
truststore admits only clients whose certificate it trusts); pulumi-aws RestApi disableExecuteApiEndpoint (the body's
x-amazon-apigateway-endpoint-configuration, overridden by the argument when true).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from abuse_guard.aws.types import (
    API_MAPPING,
    API_ROUTE,
    BASE_PATH_MAPPING,
    HTTP_API,
    HTTP_DOMAIN_NAME,
    REST_API,
    REST_DOMAIN_NAME,
    REST_METHOD,
    REST_RESOURCE,
)
from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Finding, Outcome
from abuse_guard.policies import api_route_authorization, rest_method_authorization
from abuse_guard.policy import Policy
from abuse_guard.resources import UNKNOWN, Resource
from tests.support import check, resource

TRUSTSTORE = {"truststoreUri": "s3://truststores/clients.pem"}
OFF = {"disableExecuteApiEndpoint": True}

Stack = tuple[list[Resource], str]
Extra = Callable[[Resource], list[Resource]]


def domain(name: str = "api", mtls: Any = TRUSTSTORE, type_: str = REST_DOMAIN_NAME) -> Resource:
    props: dict[str, Any] = {"domainName": f"{name}.example.com", "regionalCertificateArn": "arn:aws:acm:..."}
    if mtls is not None:
        props["mutualTlsAuthentication"] = mtls
    return resource(type_, props, name)


def mapped(*domains: Resource, mapping: str = BASE_PATH_MAPPING, by_name: bool = False) -> Extra:
    """The domains and one mapping of the API to each (linked by outputs, or by the domain's literal name)."""
    api_key = "restApi" if mapping == BASE_PATH_MAPPING else "apiId"
    native = mapping.startswith("aws-native:")
    if native:
        api_key = "restApiId" if "BasePath" in mapping else "apiId"

    def made(api: Resource) -> list[Resource]:
        found: list[Resource] = []
        for d in domains:
            deps = {api_key: (api.urn,)} if by_name else {api_key: (api.urn,), "domainName": (d.urn,)}
            props = {api_key: UNKNOWN, "domainName": d.props["domainName"] if by_name else UNKNOWN}
            found += [d, resource(mapping, props, f"{d.name}-mapping", property_dependencies=deps)]
        return found

    return made


def rest(api_props: dict[str, Any], extra: Extra = lambda api: [], api_type: str = REST_API) -> Stack:
    """An API with an open GET /items method."""
    native = api_type.startswith("aws-native:")
    api_key = "restApiId" if native else "restApi"
    api = resource(api_type, {"name": "api", **api_props}, "api")
    items = resource(
        "aws-native:apigateway:Resource" if native else REST_RESOURCE,
        {api_key: UNKNOWN, "parentId": UNKNOWN, "pathPart": "items"},
        "items",
        property_dependencies={api_key: (api.urn,), "parentId": (api.urn,)},
    )
    method = resource(
        "aws-native:apigateway:Method" if native else REST_METHOD,
        {
            api_key: UNKNOWN,
            "resourceId": UNKNOWN,
            "httpMethod": "GET",
            ("authorizationType" if native else "authorization"): "NONE",
        },
        "get",
        property_dependencies={api_key: (api.urn,), "resourceId": (items.urn,)},
    )
    return [api, items, method, *extra(api)], method.urn


def http(
    api_props: dict[str, Any], extra: Extra = lambda api: [], route_key: str = "GET /items", native: bool = False
) -> Stack:
    """An HTTP API with an open route."""
    api = resource("aws-native:apigatewayv2:Api" if native else HTTP_API, {"protocolType": "HTTP", **api_props}, "api")
    route = resource(
        "aws-native:apigatewayv2:Route" if native else API_ROUTE,
        {"apiId": UNKNOWN, "routeKey": route_key, "authorizationType": "NONE"},
        "route",
        property_dependencies={"apiId": (api.urn,)},
    )
    return [api, route, *extra(api)], route.urn


def quick_create(api_props: dict[str, Any], extra: Extra = lambda api: []) -> Stack:
    api = resource(
        HTTP_API, {"protocolType": "HTTP", "target": "arn:aws:lambda:us-east-1:1:function:hook", **api_props}, "api"
    )
    return [api, *extra(api)], api.urn


def body(disable: bool | None = None) -> str:
    document: dict[str, Any] = {
        "openapi": "3.0.1",
        "info": {"title": "api", "version": "1"},
        "paths": {"/items": {"get": {}}},
    }
    if disable is not None:
        document["x-amazon-apigateway-endpoint-configuration"] = {"disableExecuteApiEndpoint": disable}
    return json.dumps(document)


def body_api(api_type: str, api_props: dict[str, Any], extra: Extra = lambda api: []) -> Stack:
    api = resource(api_type, {"name": "api", **api_props}, "api")
    return [api, *extra(api)], api.urn


def native_rest(api_props: dict[str, Any]) -> Stack:
    """An aws-native RestApi, mapped to an aws-native DomainName with mutual TLS."""
    native_domain = domain(type_="aws-native:apigateway:DomainName")
    extra = mapped(native_domain, mapping="aws-native:apigateway:BasePathMapping")
    return rest(api_props, extra, api_type="aws-native:apigateway:RestApi")


REST = rest_method_authorization.POLICY
ROUTES = api_route_authorization.POLICY

CASES: dict[str, tuple[Policy, Stack, Outcome, str]] = {
    # -- REST APIs
    "rest_only_through_mtls_domain": (
        REST,
        rest(OFF, mapped(domain())),
        Outcome.PASS,
        "every caller presents a client certificate",
    ),
    "rest_mtls_bypassed_through_default_endpoint": (
        REST,
        rest({}, mapped(domain())),
        Outcome.FAIL,
        "the default execute-api endpoint of RestApi 'api' is on, and callers bypass the client certificate",
    ),
    "rest_one_domain_without_mtls": (
        REST,
        rest(OFF, mapped(domain(), domain("plain", mtls=None))),
        Outcome.FAIL,
        "answers through DomainName 'plain', which requires no mutual TLS",
    ),
    "rest_mapped_domain_not_in_stack": (
        REST,
        rest(
            OFF,
            lambda api: [
                resource(
                    BASE_PATH_MAPPING,
                    {"restApi": UNKNOWN, "domainName": "elsewhere.example.com"},
                    "m",
                    property_dependencies={"restApi": (api.urn,)},
                )
            ],
        ),
        Outcome.FAIL,
        "the domain of BasePathMapping 'm', which is not in this stack",
    ),
    "rest_endpoint_off_no_domain_in_stack": (
        REST,
        rest(OFF),
        Outcome.FAIL,
        "no custom domain of this stack maps it",
    ),
    "rest_domain_linked_by_name": (REST, rest(OFF, mapped(domain(), by_name=True)), Outcome.PASS, "require mutual TLS"),
    "rest_mapped_through_api_mapping_to_v2_domain": (
        REST,
        rest(OFF, mapped(domain(type_=HTTP_DOMAIN_NAME), mapping=API_MAPPING)),
        Outcome.PASS,
        "require mutual TLS",
    ),
    "rest_body_disables_endpoint": (
        REST,
        body_api(REST_API, {"body": body(disable=True)}, mapped(domain())),
        Outcome.PASS,
        "GET /items in RestApi 'api' authorizes no one, but RestApi 'api' turns off its default execute-api endpoint",
    ),
    "rest_body_endpoint_on": (
        REST,
        body_api(REST_API, {"body": body(disable=False)}, mapped(domain())),
        Outcome.FAIL,
        "bypass",
    ),
    "rest_truststore_not_known_yet": (
        REST,
        rest(OFF, mapped(domain(mtls={"truststoreUri": UNKNOWN}))),
        Outcome.UNKNOWN,
        "truststoreUri",
    ),
    "rest_endpoint_switch_not_known_yet": (
        REST,
        rest({"disableExecuteApiEndpoint": UNKNOWN}, mapped(domain())),
        Outcome.UNKNOWN,
        "disableExecuteApiEndpoint",
    ),
    "rest_endpoint_switch_malformed": (
        REST,
        rest({"disableExecuteApiEndpoint": "yes"}, mapped(domain())),
        Outcome.FAIL,
        "disableExecuteApiEndpoint must be true or false",
    ),
    "rest_native": (REST, native_rest(OFF), Outcome.PASS, "require mutual TLS"),
    "rest_native_endpoint_on": (REST, native_rest({}), Outcome.FAIL, "bypass"),
    # -- HTTP APIs
    "http_only_through_mtls_domain": (
        ROUTES,
        http(OFF, mapped(domain(type_=HTTP_DOMAIN_NAME), mapping=API_MAPPING)),
        Outcome.PASS,
        "API route 'route' (GET /items) authorizes no one, but Api 'api' turns off its default execute-api endpoint",
    ),
    "http_default_route_only_through_mtls": (
        ROUTES,
        http(OFF, mapped(domain(type_=HTTP_DOMAIN_NAME), mapping=API_MAPPING), route_key="$default"),
        Outcome.PASS,
        "require mutual TLS",
    ),
    "http_mtls_bypassed": (
        ROUTES,
        http({}, mapped(domain(type_=HTTP_DOMAIN_NAME), mapping=API_MAPPING)),
        Outcome.FAIL,
        "bypass the client certificate",
    ),
    "http_domain_without_mtls": (
        ROUTES,
        http(OFF, mapped(domain(type_=HTTP_DOMAIN_NAME, mtls=None), mapping=API_MAPPING)),
        Outcome.FAIL,
        "requires no mutual TLS",
    ),
    "http_quick_create_only_through_mtls": (
        ROUTES,
        quick_create(OFF, mapped(domain(type_=HTTP_DOMAIN_NAME), mapping=API_MAPPING)),
        Outcome.PASS,
        "(quick create) in Api 'api' authorizes no one",
    ),
    "http_quick_create_bypassed": (
        ROUTES,
        quick_create({}, mapped(domain(type_=HTTP_DOMAIN_NAME), mapping=API_MAPPING)),
        Outcome.FAIL,
        "quick create makes it with no authorization; the mutual TLS of DomainName 'api' does not protect it",
    ),
    "http_body_only_through_mtls": (
        ROUTES,
        body_api(
            HTTP_API,
            {"protocolType": "HTTP", "body": body(), **OFF},
            mapped(domain(type_=HTTP_DOMAIN_NAME), mapping=API_MAPPING),
        ),
        Outcome.PASS,
        "require mutual TLS",
    ),
    "http_native": (
        ROUTES,
        http(
            OFF,
            mapped(domain(type_="aws-native:apigatewayv2:DomainName"), mapping="aws-native:apigatewayv2:ApiMapping"),
            native=True,
        ),
        Outcome.PASS,
        "require mutual TLS",
    ),
    # WebSocket APIs take no mutual TLS (API Gateway Developer Guide, "Mutual TLS authentication": REST and HTTP APIs)
    "websocket_connect_is_not_judged_by_domains": (
        ROUTES,
        http(
            {"protocolType": "WEBSOCKET", **OFF},
            mapped(domain(type_=HTTP_DOMAIN_NAME), mapping=API_MAPPING),
            route_key="$connect",
        ),
        Outcome.FAIL,
        "is open to anyone (authorizationType NONE); set authorization_type to AWS_IAM or CUSTOM",
    ),
}


def finding_for(policy: Policy, stack: Stack, config: dict[str, Any] | None = None) -> Finding:
    resources, urn = stack
    [found] = [f for f in evaluate([policy], resources, {policy.id: config}) if f.urn == urn]
    return found


@pytest.mark.parametrize(("policy", "stack", "expected", "said"), CASES.values(), ids=list(CASES))
def test_custom_domains_decide_an_open_operation(policy: Policy, stack: Stack, expected: Outcome, said: str) -> None:
    found = finding_for(policy, stack)
    assert (found.outcome, said in found.message) == (expected, True), found.message


def test_alone_an_open_route_fails_whatever_its_domains() -> None:
    """The engine's per-resource check sees the route without its API and domains: it fails, and the stack decides."""
    resources, urn = http(OFF, mapped(domain(type_=HTTP_DOMAIN_NAME), mapping=API_MAPPING))
    route = next(r for r in resources if r.urn == urn)
    assert check(ROUTES, API_ROUTE, route.props).outcome is Outcome.FAIL
    assert finding_for(ROUTES, (resources, urn)).outcome is Outcome.PASS


def test_an_exemption_covers_a_route_whose_mutual_tls_is_bypassed() -> None:
    config = {"exemptions": [{"resource": "route", "reason": "the default endpoint is blocked by a WAF"}]}
    found = finding_for(ROUTES, http({}, mapped(domain(type_=HTTP_DOMAIN_NAME), mapping=API_MAPPING)), config)
    assert found.outcome is Outcome.EXEMPT and "bypass the client certificate" in found.message


def test_a_resource_policy_that_closes_a_method_passes_it_whatever_its_domains() -> None:
    policy = json.dumps(
        {"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"}]}
    )
    found = finding_for(REST, rest({"policy": policy}, mapped(domain("plain", mtls=None))))
    assert found.outcome is Outcome.PASS and "denies execute-api:Invoke to everyone" in found.message
