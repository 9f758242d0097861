"""How a caller that presents no credentials reaches an API operation: the API's endpoint, its resource policy and
its custom domains, read from the stack's graph (`graph.derived(Reach)`).

A REST API's resource policy comes from (pulumi-aws RestApi `policy` docs): an
`aws:apigateway/restApiPolicy:RestApiPolicy` whose restApiId comes from the API (a property dependency) or names its
ID; else the RestApi's own `policy` (aws-native: an object); else the `x-amazon-apigateway-policy` of its OpenAPI
body, which the `policy` argument overrides. A RestApiPolicy and a `policy` argument on one API write the same
setting, so either may be in effect: an operation is as open as the most open of them. A RestApiPolicy whose
restApiId is not known until deployment and comes from no RestApi of the stack may be any API's. A PRIVATE API
(endpointConfiguration types; none set is EDGE, `endpoint_types`) is reached only through interface VPC endpoints
("Private REST APIs in API Gateway"), and "For a private API, you can't deploy your API without a resource
policy" ("Create and attach an API Gateway resource policy to an API"). resource_policies.py reads a policy.

An API's default endpoint (`https://{api-id}.execute-api.{region}.amazonaws.com`) answers unless
`disableExecuteApiEndpoint` is true (RestApi: also the body's `x-amazon-apigateway-endpoint-configuration`
disableExecuteApiEndpoint, which the argument overrides only when true); clients then reach it only through custom
domain names ("Disable the default endpoint for REST APIs", "... for HTTP APIs"). A custom domain
(`aws:apigateway/domainName:DomainName` or `aws:apigatewayv2/domainName:DomainName`, one AWS resource either way)
with `mutualTlsAuthentication.truststoreUri` admits only clients that present a certificate its truststore trusts
("Configuring mutual TLS authentication for a REST API", "... for an HTTP API"). A domain is mapped to an API by an
`aws:apigateway/basePathMapping:BasePathMapping` (restApi) or an `aws:apigatewayv2/apiMapping:ApiMapping` (apiId),
linked by property dependencies or the API's known ID, and to its domain by domainName (or domainNameId) the same way
or by the domain's name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from ..graph import Graph
from ..resources import SECRET, UNKNOWN, Resource
from ..values import Malformed, Undetermined, filled, flag, get, literal, path_label
from . import openapi
from .arns import partition_of
from .frontdoors import RESOURCE, FrontDoors, Operation
from .regions import location, provider_of
from .request_arns import Api, Request
from .resource_policies import Admission, Admits, Statement, admission, document, statements
from .types import API_MAPPING, BASE_PATH_MAPPING, DOMAIN_NAMES, HTTP_API, REST_API, REST_API_POLICY

EDGE, REGIONAL, PRIVATE = "EDGE", "REGIONAL", "PRIVATE"
"""A REST API's endpoint types: edge-optimized (the default), Regional, private (API Gateway EndpointConfiguration)."""
BODY_POLICY = "x-amazon-apigateway-policy"
BODY_ENDPOINT = "x-amazon-apigateway-endpoint-configuration"
T = TypeVar("T")
DOMAIN_MAPPINGS_KEYS = {BASE_PATH_MAPPING: "restApi", API_MAPPING: "apiId"}
"""What maps an API stage to a custom domain name, and the input of it that names the API."""


@dataclass(frozen=True)
class Callers:
    """Which anonymous callers a REST API's resource policy lets invoke one operation: `widest` where what is not
    known yet lets the most in, `narrowest` where it lets the fewest (see resource_policies.py), the most open of the
    policies that may be in effect either way. The verdict is settled where they agree."""

    api: Resource
    private: bool | None
    """Whether the API is PRIVATE (None: its endpoint type is not known until deployment)."""
    widest: Admission
    narrowest: Admission
    has_policy: bool = True

    def why(self, reading: Admission) -> str:
        """What lets callers in or keeps them out, as a sentence."""
        if self.has_policy:
            return reading.why
        if reading.admits is Admits.NO_ONE:
            return (
                f"{self.api.label} is PRIVATE and has no resource policy in this stack: API Gateway does not deploy a "
                "private API without one, so no one invokes it (a policy attached outside this stack is not seen)"
            )
        return f"{self.api.label} has no resource policy"


@dataclass(frozen=True)
class Domains:
    """The custom domains an API is mapped to in the stack, and whether its default endpoint answers."""

    api: Resource
    default_endpoint: bool
    mutual_tls: tuple[str, ...]
    """Labels of the mapped domains that require mutual TLS."""
    plain: tuple[str, ...]
    """Labels of the mapped domains that do not (or are not in this stack, so nothing shows they do)."""

    @property
    def only_mutual_tls(self) -> bool:
        """Whether every caller must present a client certificate: the default endpoint is off and every domain
        that reaches the API requires mutual TLS."""
        return not self.default_endpoint and bool(self.mutual_tls) and not self.plain

    @property
    def why(self) -> str:
        """Why every caller presents a client certificate (when `only_mutual_tls`)."""
        return (
            f"{self.api.label} turns off its default execute-api endpoint and answers only through custom domains "
            f"that require mutual TLS ({', '.join(self.mutual_tls)}): every caller presents a client certificate "
            "the domain's truststore trusts"
        )

    def notes(self) -> list[str]:
        """What a fail adds about the API's custom domains: a mutual TLS the default endpoint bypasses, a domain
        without it, or no domain of the stack where the default endpoint is off."""
        found = []
        if self.default_endpoint and self.mutual_tls:
            found.append(
                f"the mutual TLS of {', '.join(self.mutual_tls)} does not protect it: the default execute-api "
                f"endpoint of {self.api.label} is on, and callers bypass the client certificate through it (set "
                "disable_execute_api_endpoint=True)"
            )
        if not self.default_endpoint and self.plain:
            found.append(f"{self.api.label} answers through {', '.join(self.plain)}, which requires no mutual TLS")
        if not self.default_endpoint and not self.plain and not self.mutual_tls:
            found.append(
                f"{self.api.label} turns off its default execute-api endpoint, but no custom domain of this stack "
                "maps it: how the domains that reach it authenticate callers is not seen"
            )
        return found


@dataclass(frozen=True)
class _Source:
    """One resource policy that may be in effect: input `key` of `holder` (a resource's props, a body), which sits at
    `at` (how messages name it)."""

    owner: str
    """The URN of the resource that holds it."""
    holder: Mapping[str, Any]
    key: str
    at: str
    unknown: str | None = None
    """Why it is read as not known until deployment although its value may be known (an unlinked RestApiPolicy)."""

    @property
    def label(self) -> str:
        return path_label(self.at, self.key)


class Reach:
    """Resource policies, endpoints and custom domains of one graph, indexed once."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.doors = graph.derived(FrontDoors)
        self._policies_by_id: dict[str, list[Resource]] = defaultdict(list)
        self._unlinked: list[Resource] = []
        for policy in graph.of_type(REST_API_POLICY):
            if graph.referenced(policy, "restApiId", REST_API):
                continue
            api_id = literal(policy.props, "restApiId")
            if isinstance(api_id, str):
                self._policies_by_id[api_id].append(policy)
            elif api_id is UNKNOWN:
                self._unlinked.append(policy)
        self._mappings_by_id: dict[str, list[Resource]] = defaultdict(list)
        for mapping in graph.of_type(*DOMAIN_MAPPINGS_KEYS):
            key = DOMAIN_MAPPINGS_KEYS[mapping.type]
            api_id = literal(mapping.props, key)
            if isinstance(api_id, str) and not graph.referenced(mapping, key, REST_API) + graph.referenced(
                mapping, key, HTTP_API
            ):
                self._mappings_by_id[api_id].append(mapping)
        self._domains_by_name: dict[str, list[Resource]] = defaultdict(list)
        for domain in graph.of_type(*DOMAIN_NAMES):
            name = literal(domain.props, "domainName")
            if isinstance(name, str):
                self._domains_by_name[name].append(domain)
        self._statements: dict[tuple[str, str], list[Statement | None]] = {}
        self._per_api: dict[tuple[str, str], Any] = {}

    def _once(self, what: str, api: Resource, build: Callable[[Resource], T]) -> T:
        """`build(api)`, made once per API (what it raises too): an API's many operations share it."""
        key = (what, api.urn)
        if key not in self._per_api:
            try:
                self._per_api[key] = build(api)
            except (Undetermined, Malformed) as error:
                self._per_api[key] = error
        found = self._per_api[key]
        if isinstance(found, (Undetermined, Malformed)):
            raise found
        built: T = found
        return built

    # -- resource policies --

    def callers(self, op: Operation) -> Callers | None:
        """Which anonymous callers the resource policy of a REST operation's API admits; None when the API is not
        in this stack. Raises Undetermined (a path or verb not known yet, a private API's endpoint type not known
        and no policy) or Malformed (a policy that is not one)."""
        api = self.doors.operation_api(op) if op.rest else None
        if api is None:
            return None
        private = self.private(api)
        sources = self._once("policies", api, self.policy_sources)
        if not sources:
            if private is None:
                raise Undetermined(
                    f"{api.label}.endpointConfiguration.types",
                    "is not known until deployment, and the API has no resource policy in this stack",
                )
            nobody = Admission(Admits.NO_ONE if private else Admits.ANYONE, f"{api.label}.policy")
            return Callers(api, private, nobody, nobody, has_policy=False)
        request = Request.of(op.http_method() or "", self.path(op), self._once("arn", api, self.arn_fields))
        readings = [self._read(source, request) for source in sources]
        widest = max((w for w, _ in readings), key=lambda a: a.admits)
        narrowest = max((n for _, n in readings), key=lambda a: a.admits)  # any of them may be in effect
        return Callers(api, private, widest, narrowest)

    def _read(self, source: _Source, request: Request) -> tuple[Admission, Admission]:
        """(widest, narrowest) reading of one policy that may be in effect."""
        label = source.label
        try:
            if source.unknown is not None:
                raise Undetermined(label, source.unknown)
            found = self._statements_of(source)
        except Undetermined as error:
            return Admission(Admits.ANYONE, label, unknown=str(error)), Admission(
                Admits.NO_ONE, label, unknown=str(error)
            )
        return admission(found, request, label, widest=True), admission(found, request, label, widest=False)

    def _statements_of(self, source: _Source) -> list[Statement | None]:
        """The statements of a policy, read once per graph. Raises Undetermined or Malformed."""
        key = (source.owner, source.label)
        if key not in self._statements:
            doc = document(source.holder, source.key, source.at)
            self._statements[key] = statements(doc, source.label) if doc is not None else []
        return self._statements[key]

    def policy_sources(self, api: Resource) -> list[_Source]:
        """The resource policies that may be in effect on a REST API (see the module's docstring)."""
        linked = self.graph.referrers(api, REST_API_POLICY, "restApiId")
        api_id = _known_id(api)
        if api_id is not None:
            linked += self._policies_by_id.get(api_id, [])
        found = [_Source(p.urn, p.props, "policy", p.label) for p in linked if not _blank(p.props, "policy")]
        unlinked = (
            f"may be the policy of {api.label}: its restApiId is not known until deployment and comes from no "
            "RestApi in this stack"
        )
        found += [_Source(p.urn, p.props, "policy", p.label, unlinked) for p in self._unlinked]
        if not _blank(api.props, "policy"):
            return [*found, _Source(api.urn, api.props, "policy", api.label)]
        try:
            body = openapi.document(api)
        except Undetermined:
            body_unknown = f"is not known until deployment and may hold {BODY_POLICY}"
            return [*found, _Source(api.urn, api.props, "body", api.label, body_unknown)]
        if body is not None and not _blank(body, BODY_POLICY):
            found.append(_Source(api.urn, body, BODY_POLICY, f"{api.label} body"))
        return found

    def arn_fields(self, api: Resource) -> Api:
        """The fields of the API's ARN as far as the stack knows them: its ID once it exists (a state's outputs),
        its Region where its own `region` or its provider sets it (and the partition that Region is in), its account
        where its provider names it (aws/regions.py: an assumed role's account, the one allowedAccountIds)."""
        try:
            where = location(api, self.graph)
        except (Undetermined, Malformed):  # a provider input not known yet, or one its own policies judge
            return Api(_known_id(api))
        named = isinstance(literal(api.props, "region"), str) or (provider_of(api) is not None and not where.assumed)
        region = where.region if named else None
        return Api(_known_id(api), partition_of(region) if region else None, region, where.account)

    @staticmethod
    def private(api: Resource) -> bool | None:
        """Whether a REST API is PRIVATE; None when its endpoint types are not known until deployment."""
        types = endpoint_types(api)
        return None if types is None else PRIVATE in types

    def path(self, op: Operation) -> str | None:
        """The operation's resource path (`/items/{id}`), None when it is not known."""
        if op.origin != RESOURCE:
            return op.path
        try:
            return "/" + self.doors.resource_path(op.resource, "resourceId")
        except Undetermined:
            return None

    # -- the default endpoint and custom domains --

    def domains(self, op: Operation) -> Domains | None:
        """The custom domains of the operation's API; None when the API is not in this stack or no domain of the
        stack maps it. Raises Undetermined when disableExecuteApiEndpoint or a domain's truststore is not known."""
        try:
            api = self.doors.operation_api(op)
        except Undetermined:
            return None
        if api is None:
            return None
        return self._once("domains", api, self.domains_of)

    def domains_of(self, api: Resource) -> Domains | None:
        """`domains` of one API."""
        mappings = self.mappings(api)
        if not mappings:
            try:
                disabled = self.default_endpoint_disabled(api)
            except Undetermined:
                return None
            return Domains(api, False, (), ()) if disabled else None
        mutual: list[str] = []
        plain: list[str] = []
        for mapping in mappings:
            domains = self.mapped_domains(mapping)
            if not domains:
                plain.append(f"the domain of {mapping.label}, which is not in this stack")
            for domain in domains:
                requires = filled(domain.props, "mutualTlsAuthentication.truststoreUri", at=domain.label) is not None
                (mutual if requires else plain).append(domain.label)
        return Domains(api, not self.default_endpoint_disabled(api), _unique(mutual), _unique(plain))

    def mappings(self, api: Resource) -> list[Resource]:
        """The BasePathMappings and ApiMappings of the stack that map the API to a custom domain."""
        found = [m for t, key in DOMAIN_MAPPINGS_KEYS.items() for m in self.graph.referrers(api, t, key)]
        api_id = _known_id(api)
        if api_id is not None:
            found += self._mappings_by_id.get(api_id, [])
        return list({m.urn: m for m in found}.values())

    def mapped_domains(self, mapping: Resource) -> list[Resource]:
        """The custom domain a mapping maps to, as far as the stack holds it."""
        found = [
            domain
            for key in ("domainName", "domainNameId")
            for kind in DOMAIN_NAMES
            for domain in self.graph.referenced(mapping, key, kind)
        ]
        name = literal(mapping.props, "domainName")
        if not found and isinstance(name, str):
            found = self._domains_by_name.get(name, [])
        return list({d.urn: d for d in found}.values())

    @staticmethod
    def default_endpoint_disabled(api: Resource) -> bool:
        """Whether the API's execute-api endpoint is off. Raises Undetermined when it is not known until deployment."""
        if flag(api.props, "disableExecuteApiEndpoint", at=api.label):
            return True
        try:
            body = openapi.document(api)
        except Undetermined:
            raise Undetermined(
                f"{api.label}.body", f"may hold {BODY_ENDPOINT} and is not known until deployment"
            ) from None
        config = body.get(BODY_ENDPOINT) if body is not None else None
        return isinstance(config, Mapping) and config.get("disableExecuteApiEndpoint") is True


def endpoint_types(api: Resource) -> tuple[str, ...] | None:
    """A REST API's endpoint types as written (`endpointConfiguration.types`: one string in pulumi-aws 7, a list in
    pulumi-aws 6 and aws-native), or (EDGE,) when it sets none: "If unspecified, defaults to EDGE" (pulumi-aws RestApi
    endpoint_configuration; API Gateway CreateRestApi endpointConfiguration). None when they are not known until
    deployment; Malformed when endpointConfiguration is not an object."""
    try:
        types = get(api.props, "endpointConfiguration.types", at=api.label)
    except Undetermined:
        return None
    listed = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    if any(t is UNKNOWN or t is SECRET for t in listed):
        return None
    return tuple(t for t in listed if isinstance(t, str)) or (EDGE,)


def _known_id(api: Resource) -> str | None:
    """The API's ID where the source knows it (a state's outputs: `id`; aws-native: restApiId or apiId)."""
    for key in ("id", "restApiId", "apiId"):
        value = literal(api.props, key)
        if isinstance(value, str) and value:
            return value
    return None


def _blank(holder: Mapping[str, Any], key: str) -> bool:
    """Whether a policy input is absent or blank text: no policy."""
    value = holder.get(key)
    return value is None or (isinstance(value, str) and not value.strip())


def _unique(labels: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(labels))
