"""Every way a request reaches a Lambda function: the front-door inventory.

A front door is an API operation (a REST method, an HTTP or WebSocket route) or a Lambda function
URL. For an operation the inventory says where it is defined, its API and protocol, how it
authorizes (authorization type, authorizer, API key) and its integration; for every door, the
Lambda function behind it. The authorization rules, the timeout and stage rules and the cost model
read doors here, never the resources that define them, so a new way to define operations is one
new source in this module and no rule changes.

Sources:
- `aws:apigateway/method:Method`: one REST operation; its integration is the
  `aws:apigateway/integration:Integration` with the method's restApi, resourceId and httpMethod, known or
  resolved through the resources they come from (integrations.py); its path is joined from the API's Resources.
- `aws:apigatewayv2/route:Route`: one HTTP or WebSocket operation (the protocol is its API's
  protocolType); its integration is the `aws:apigatewayv2/integration:Integration` its target comes from.
- the `body` of an `aws:apigateway/restApi:RestApi` or `aws:apigatewayv2/api:Api`: one operation per
  OpenAPI operation, with its integration (openapi.py); Method resources of the same API add to them.
- `aws:apigatewayv2/api:Api` with `target` (quick create): AWS creates a route (`routeKey`, default
  `$default`) with no authorization and an auto-deployed `$default` stage with no throttling, neither
  of which is a resource of the program (Amazon API Gateway v2 API Reference, CreateApi: Target).
- `aws:lambda/functionUrl:FunctionUrl`: a door with no API in front.
- a listener or listener rule of a load balancer that forwards to a target group of type lambda
  (load_balancers.py): a door with no throttle of its own.
The function behind an integration is the one its `uri` / `integrationUri` comes from, and behind a
function URL the one its `functionName` comes from (or names); an `aws:lambda/alias:Alias` in between
leads to its function, because reservations are per function. At preview IDs and ARNs are unknown,
so links follow property dependencies, with literal values as the fallback.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..graph import Graph
from ..resources import Resource
from ..values import Malformed, Undetermined, choice, filled, flag, literal, path_label, text
from . import load_balancers, openapi
from .functions import FunctionElsewhere
from .integrations import MethodIntegrations
from .names import safe_route_key
from .types import (
    API_ROUTE,
    HTTP_API,
    HTTP_INTEGRATION,
    LAMBDA_ALIAS,
    LAMBDA_FUNCTION,
    LAMBDA_FUNCTION_URL,
    LISTENER_RULES,
    LISTENERS,
    REST_API,
    REST_INTEGRATION,
    REST_METHOD,
    REST_RESOURCE,
)


class DoorKind(StrEnum):
    """The kinds of front door; each value is how messages and reports name it."""

    REST_METHOD = "REST method"
    HTTP_ROUTE = "HTTP route"
    WEBSOCKET_ROUTE = "WebSocket route"
    FUNCTION_URL = "function URL"
    LOAD_BALANCER = "load balancer listener"


REST_AUTHORIZATIONS = ("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS")
"""A REST method's `authorization` (API Gateway PutMethod authorizationType)."""
ROUTE_AUTHORIZATIONS = ("NONE", "AWS_IAM", "JWT", "CUSTOM")
"""A v2 route's `authorizationType` (API Gateway v2 CreateRoute AuthorizationType)."""
WEBSOCKET_ONLY_INPUTS = ("routeResponseSelectionExpression", "modelSelectionExpression")
"""Route inputs that only WebSocket APIs use (API Gateway v2 CreateRoute)."""

INTEGRATION_TYPES = ("AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK")
LAMBDA_INTEGRATIONS = ("AWS", "AWS_PROXY")
PROTOCOL_TYPES = {"HTTP": DoorKind.HTTP_ROUTE, "WEBSOCKET": DoorKind.WEBSOCKET_ROUTE}
"""A v2 API's `protocolType` (API Gateway v2 CreateApi ProtocolType) -> the kind of door its routes are."""
FUNCTION_IN_ARN = re.compile(r":function:([^:/]+)")
LAMBDA_INVOCATION = ":lambda:path/2015-03-31/functions/"
"""What an API Gateway integration URI that invokes Lambda contains (API Gateway: Lambda integrations)."""
AUTONAME = re.compile(r"(.+)-[0-9a-f]{7}")

REST_OPERATION_TYPES = (REST_METHOD, REST_API)
"""Resource types that define REST operations: what the REST authorization rule checks."""
ROUTE_OPERATION_TYPES = (API_ROUTE, HTTP_API)
"""Resource types that define HTTP or WebSocket operations: what the route authorization rule checks."""
LOAD_BALANCER_DOOR_TYPES = (*LISTENERS, *LISTENER_RULES)
"""Resource types that can forward requests to a Lambda function from a load balancer."""
DOOR_TYPES = (*REST_OPERATION_TYPES, *ROUTE_OPERATION_TYPES, LAMBDA_FUNCTION_URL, *LOAD_BALANCER_DOOR_TYPES)
"""Resource types that define a front door: what the cost budget reports on."""


@dataclass(frozen=True)
class Operation:
    """One API operation, read from the inputs that define it when a rule asks (a read raises Undetermined
    or Malformed, which the rule's evaluation turns into an outcome).

    `props` are keyed as on an `aws:apigateway/method:Method` (REST) or `aws:apigatewayv2/route:Route`
    (routes), whatever defines the operation; `at` says where they sit in `resource`'s inputs ("" for the
    resource's own top level), so messages name the input a user changes.
    """

    resource: Resource
    rest: bool
    """A REST method; else an HTTP or WebSocket route (which one: `protocol`)."""
    props: Mapping[str, Any]
    at: str = ""
    origin: str = "resource"
    """How it is defined: RESOURCE (a Method or Route), BODY (an OpenAPI operation) or QUICK_CREATE."""
    title: str | None = None
    """How messages name an operation that is one of several on its resource: `GET /items`."""
    integration: Resource | None = None
    """The integration defined with the operation (a body's), shaped as an Integration resource."""
    problem: Malformed | None = None
    """Why the operation's definition cannot be read; every read raises it."""
    path: str | None = None
    """A body operation's path as written (`/items/{id}`); a Method's comes from its API resources (`resource_path`)."""
    overrides: str | None = None
    """A body operation's own `security` that replaces the document's requirement (openapi.BodyOperation.overrides)."""

    def _at(self, at: str | None) -> str:
        if self.problem is not None:
            raise self.problem
        return self.at if at is None else at

    @property
    def label(self) -> str | None:
        """`GET /items in RestApi 'api'` for an operation that is one of several on its resource, else None."""
        return None if self.title is None else f"{self.title} in {self.resource.label}"

    def http_method(self, at: str | None = None) -> str | None:
        """A REST operation's HTTP verb as written (`GET`, `ANY`, ...)."""
        return text(self.props, "httpMethod", at=self._at(at))

    def route_key(self, at: str | None = None) -> str | None:
        """A route's key: `GET /items`, `$default`, `$connect`, `sendMessage`."""
        return text(self.props, "routeKey", at=self._at(at))

    def authorization(self, at: str | None = None) -> str | None:
        """The authorization type: one of REST_AUTHORIZATIONS or ROUTE_AUTHORIZATIONS; None when absent (NONE)."""
        if self.rest:
            return choice(self.props, "authorization", REST_AUTHORIZATIONS, at=self._at(at))
        return choice(self.props, "authorizationType", ROUTE_AUTHORIZATIONS, at=self._at(at))

    def authorizer(self, at: str | None = None) -> str | None:
        """The authorizer the operation names (blank counts as none)."""
        return filled(self.props, "authorizerId", at=self._at(at))

    def api_key_required(self, at: str | None = None) -> bool | None:
        return flag(self.props, "apiKeyRequired", at=self._at(at))

    def sets_websocket_only_input(self) -> bool:
        """Whether a route sets an input only WebSocket routes have (what tells a WebSocket `$default` alone)."""
        return any(filled(self.props, name, at=self._at(None)) is not None for name in WEBSOCKET_ONLY_INPUTS)


RESOURCE, BODY, QUICK_CREATE = "resource", "body", "quick create"


def quick_created(resource: Resource) -> bool:
    """Whether a v2 API is made by quick create (`target` set): AWS then also creates its route and an
    auto-deployed `$default` stage with no throttling (API Gateway v2 API Reference, CreateApi: Target)."""
    return resource.type == HTTP_API and filled(resource.props, "target") is not None


QUICK_CREATE_ROUTE = "$default"
"""The route key quick create uses when `routeKey` is not set (CreateApi: RouteKey)."""


def operations(resource: Resource) -> tuple[Operation, ...]:
    """The operations `resource` defines, from its own inputs (no graph: what the engine's Analyze sees).

    Raises Undetermined when a body is not known until deployment, Malformed when it is not a document.
    """
    if resource.type == REST_METHOD:
        return (Operation(resource, rest=True, props=resource.props),)
    if resource.type == API_ROUTE:
        return (Operation(resource, rest=False, props=resource.props),)
    if resource.type not in (REST_API, HTTP_API):
        return ()
    rest = resource.type == REST_API
    found = [
        Operation(resource, rest, op.props, op.at, BODY, op.shown, op.integration, op.problem, op.path, op.overrides)
        for op in openapi.operations(resource, rest)
    ]
    if quick_created(resource):
        key = text(resource.props, "routeKey") or QUICK_CREATE_ROUTE
        shown = safe_route_key(key) or "its routeKey"
        props = {"routeKey": key, "authorizationType": "NONE"}
        found.append(Operation(resource, False, props, "", QUICK_CREATE, f"{shown} (quick create)"))
    return tuple(found)


def protocol(op: Operation, graph: Graph | None = None) -> DoorKind | None:
    """HTTP_ROUTE or WEBSOCKET_ROUTE: the kind of route a v2 operation is; None when nothing tells.

    Bodies and quick create exist for HTTP APIs only (API Gateway v2 CreateApi: Body, Target). A route is of
    its API's protocolType, where `graph` holds the API and the value is known (a value other than HTTP or
    WEBSOCKET is Malformed); else of what the route alone shows: HTTP route keys have a space (`GET /items`),
    `$connect`, `$disconnect` and action keys (`sendMessage`) are WebSocket ones, and so is a `$default` route
    that sets a WebSocket-only input. A `$default` route that shows neither, or a route with no routeKey, is
    None. Raises Undetermined when the routeKey it needs is not known until deployment.
    """
    if op.origin != RESOURCE:
        return DoorKind.HTTP_ROUTE
    if graph is not None:
        for api in graph.referenced(op.resource, "apiId", HTTP_API):
            try:
                declared = choice(api.props, "protocolType", tuple(PROTOCOL_TYPES), at=api.label)
            except Undetermined:
                continue
            if declared is not None:
                return PROTOCOL_TYPES[declared]
    key = op.route_key(at=op.resource.label)
    if key is None:
        return None
    if " " in key:
        return DoorKind.HTTP_ROUTE
    if key != "$default" or op.sets_websocket_only_input():
        return DoorKind.WEBSOCKET_ROUTE
    return None


@dataclass(frozen=True)
class Door:
    """One front door: the resource findings attach to, its kind, and its operation (None for a function URL)."""

    resource: Resource
    kind: DoorKind
    """REST_METHOD, FUNCTION_URL, LOAD_BALANCER, or HTTP_ROUTE for any v2 route (whether it is a WebSocket route,
    `protocol` tells)."""
    operation: Operation | None
    unreadable: Undetermined | Malformed | None = None
    """Why the operations of the resource cannot be told (a body not known until deployment, ...)."""

    @property
    def name(self) -> str:
        """The resource's logical name, followed by the operation's title when it is one of several."""
        title = self.operation.title if self.operation is not None else None
        return self.resource.name if title is None else f"{self.resource.name} {title}"


class FrontDoors:
    """The inventory of one graph: its doors and what links them, indexed once (`graph.derived(FrontDoors)`)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        functions = graph.of_type(LAMBDA_FUNCTION)
        self.functions_by_name = {r.props["name"]: r for r in functions if isinstance(r.props.get("name"), str)}
        # functions whose physical name the provider will choose: Pulumi's auto-name is the logical name,
        # a dash and seven random hex digits (Pulumi docs, "Resource names: autonaming")
        self._autonamed = {r.name: r for r in functions if "name" not in r.props}
        self.integrations = MethodIntegrations(graph)
        self._operations: dict[str, tuple[Operation, ...] | Undetermined | Malformed] = {}
        self._paths: dict[str, str] = {}
        self._walking: set[str] = set()  # API resources whose path is being joined: a cycle is malformed

    # -- the doors --

    def operations_of(self, resource: Resource) -> tuple[Operation, ...]:
        """`operations(resource)`, read once per graph (an OpenAPI body is parsed once for every policy)."""
        if resource.urn not in self._operations:
            try:
                self._operations[resource.urn] = operations(resource)
            except (Undetermined, Malformed) as error:
                self._operations[resource.urn] = error
        found = self._operations[resource.urn]
        if isinstance(found, Exception):
            raise found
        return found

    def doors(self) -> list[Door]:
        """Every front door of the graph: REST operations, then routes, then function URLs."""
        found: list[Door] = []
        for resource in self.graph.of_type(*DOOR_TYPES):
            if resource.type == LAMBDA_FUNCTION_URL:
                found.append(Door(resource, DoorKind.FUNCTION_URL, None))
                continue
            if resource.type in LOAD_BALANCER_DOOR_TYPES:
                try:
                    forwards = load_balancers.forwarding(self.graph, resource)
                except (Undetermined, Malformed) as error:
                    found.append(Door(resource, DoorKind.LOAD_BALANCER, None, error))
                    continue
                if forwards is not None:
                    found.append(Door(resource, DoorKind.LOAD_BALANCER, None))
                continue
            kind = DoorKind.REST_METHOD if resource.type in REST_OPERATION_TYPES else DoorKind.HTTP_ROUTE
            try:
                ops = self.operations_of(resource)
            except (Undetermined, Malformed) as error:
                found.append(Door(resource, kind, None, error))
                continue
            found.extend(Door(resource, kind, op) for op in ops)
        return found

    def rest_operations(self, api: Resource) -> list[Operation]:
        """The operations of one REST API: its body's and its Methods'; raises as `operations` for the body."""
        return [*self.operations_of(api), *self.rest_operations_of_methods(api)]

    def rest_operations_of_methods(self, api: Resource) -> list[Operation]:
        """The operations of one REST API that are Method resources."""
        return [op for m in self.graph.referrers(api, REST_METHOD, "restApi") for op in self.operations_of(m)]

    # -- APIs, protocols and paths --

    def rest_api(self, resource: Resource) -> Resource | None:
        """The RestApi in this stack that `resource`'s restApi input comes from, if exactly one."""
        apis = self.graph.referenced(resource, "restApi", REST_API)
        return apis[0] if len(apis) == 1 else None

    def route_api(self, op: Operation) -> Resource:
        """The v2 API a route belongs to; Undetermined when it comes from no API of the stack."""
        apis = self.graph.referenced(op.resource, "apiId", HTTP_API)
        if not apis:
            raise Undetermined(f"{op.resource.label}.apiId", "comes from no API Gateway v2 API in this stack")
        return apis[0]

    def operation_api(self, op: Operation) -> Resource | None:
        """The REST API (or v2 API) an operation belongs to: its own resource for a body or quick-create one."""
        if op.origin != RESOURCE:
            return op.resource
        return self.rest_api(op.resource) if op.rest else self.route_api(op)

    def method_path(self, op: Operation) -> str:
        """'refresh-cache/POST': how MethodSettings and usage plan throttles name one REST operation."""
        verb = op.http_method(at=op.resource.label)
        if verb is None:
            raise Malformed(f"{op.resource.label}.httpMethod", "an HTTP method", None)
        if op.origin == BODY:
            path = (op.title or "").partition(" ")[2]
            return f"{path.strip('/')}/{verb.upper()}"
        return f"{self.resource_path(op.resource, 'resourceId')}/{verb.upper()}"

    def resource_path(self, resource: Resource, key: str) -> str:
        """The path of the API resource input `key` comes from, joined from pathParts ('' for the root)."""
        parents = self.graph.referenced(resource, key, REST_RESOURCE)
        if not parents:
            if self.graph.referenced(resource, key, REST_API):
                return ""
            raise Undetermined(f"{resource.label}.{key}", "comes from no API resource in this stack")
        parent = parents[0]
        if parent.urn not in self._paths:
            if parent.urn in self._walking:
                raise Malformed(f"{parent.label}.parentId", "a path to the API's root", None, shown="a cycle")
            self._walking.add(parent.urn)
            try:
                part = text(parent.props, "pathPart", at=parent.label) or ""
                above = self.resource_path(parent, "parentId")
            finally:
                self._walking.discard(parent.urn)
            self._paths[parent.urn] = f"{above}/{part}" if above else part
        return self._paths[parent.urn]

    # -- the function behind a door --

    def function_behind(self, door: Door) -> Resource | str:
        """The Lambda function a door invokes, or why it invokes none; raises Undetermined or Malformed."""
        resource = door.resource
        if door.unreadable is not None:
            raise door.unreadable
        op = door.operation
        if door.kind is DoorKind.LOAD_BALANCER:
            return self.function_behind_listener(resource)
        if op is None:
            return self.function_from(resource, "functionName")
        if op.origin == QUICK_CREATE:
            return self.function_from(resource, "target")
        if op.origin == BODY:
            if op.integration is None:
                return f"{op.label} has no x-amazon-apigateway-integration"
            return self.integration_function(op.integration)
        if op.rest:
            return self.method_function(resource)
        integrations = self.graph.referenced(resource, "target", HTTP_INTEGRATION)
        target = None if integrations else self.unlinked(resource, "target", "API Gateway v2 integration")
        if target is not None:
            raise Undetermined(f"{resource.label}.target", f"is {target!r}, an integration not in this stack")
        if not integrations:
            return f"{resource.label} has no target"
        if len(integrations) > 1:
            names = ", ".join(f"'{i.name}'" for i in integrations)
            raise Undetermined(
                resource.label, f"matches several integrations ({names}), so which one it uses is unclear"
            )
        return self.integration_function(integrations[0])

    def method_function(self, method: Resource) -> Resource | str:
        """The Lambda function a REST Method's integration invokes, or why none (integrations.py says which
        integration is the method's); raises Undetermined when which one is not known until deployment."""
        found = self.integrations.of(method)
        if len(found.belong) > 1:
            names = ", ".join(f"'{i.name}'" for i in found.belong)
            raise Undetermined(
                method.label,
                f"has several integrations with its REST API, resource and HTTP method ({names}), so which one it "
                "uses is unclear",
            )
        if found.belong:
            return self.integration_function(found.belong[0])
        if found.may:
            integration, open_input = found.may[0]
            more = f" (and {len(found.may) - 1} more)" if len(found.may) > 1 else ""
            raise Undetermined(
                method.label,
                f"may have {integration.label} as its integration{more}: {open_input} is not known until "
                "deployment and comes from no resource of this stack that tells",
            )
        return f"{method.label} has no integration in this stack"

    def function_behind_listener(self, resource: Resource) -> Resource | str:
        """The Lambda function a listener or rule forwards to, or why none; raises Undetermined for several."""
        forwards = load_balancers.forwarding(self.graph, resource)
        groups = forwards.lambda_groups if forwards is not None else ()
        functions = {f.urn: f for g in groups for f in load_balancers.functions_of(self.graph, g)}
        if not functions:
            return f"{resource.label} forwards to a Lambda target group with no function attached in this stack"
        if len(functions) > 1:
            names = ", ".join(f"'{f.name}'" for f in functions.values())
            raise Undetermined(resource.label, f"forwards to several Lambda functions ({names}); each is bounded alone")
        return next(iter(functions.values()))

    def function_urls_granted(self, permission: Resource) -> list[Resource]:
        """The function URLs of the function a Lambda permission is for (its `function` input's source)."""
        functions = {f.urn: f for f in self.graph.referenced(permission, "function", LAMBDA_FUNCTION)}
        for alias in self.graph.referenced(permission, "function", LAMBDA_ALIAS):
            functions.update((f.urn, f) for f in self.graph.referenced(alias, "functionName", LAMBDA_FUNCTION))
        return [
            url
            for function in functions.values()
            for url in self.graph.referrers(function, LAMBDA_FUNCTION_URL, "functionName")
        ]

    def rest_lambda_integrations(self) -> list[tuple[Resource, Resource, Resource | None]]:
        """(REST integration, function, its RestApi) for every REST integration that invokes a Lambda function of the
        stack, the RestApi None when it is not in the stack (or cannot be told); one whose function cannot be told is
        left out (entrypoint-cost-budget reports it on the operation)."""
        found: list[tuple[Resource, Resource, Resource | None]] = []
        integrations: list[tuple[Resource, Resource | None]] = [
            (i, self.integrations.api_of(i)) for i in self.graph.of_type(REST_INTEGRATION)
        ]
        for rest_api in self.graph.of_type(REST_API):
            try:
                ops = self.operations_of(rest_api)
            except (Undetermined, Malformed):
                continue  # rest-method-authorization reports an unreadable body on the API
            integrations += [(op.integration, rest_api) for op in ops if op.integration is not None]
        for integration, api in integrations:
            try:
                target = self.integration_function(integration)
            except (Undetermined, Malformed):
                continue
            if isinstance(target, Resource):
                found.append((integration, target, api))
        return found

    def integration_function(self, integration: Resource) -> Resource | str:
        """The function a REST or v2 integration invokes, or why it invokes none."""
        rest = integration.type == REST_INTEGRATION
        kind = choice(integration.props, "type" if rest else "integrationType", INTEGRATION_TYPES, at=integration.label)
        if not rest and text(integration.props, "integrationSubtype", at=integration.label):
            return f"{integration.label} calls an AWS service directly, not a Lambda function"
        if kind not in LAMBDA_INTEGRATIONS:
            return f"{integration.label} is a {kind or 'typeless'} integration, not a Lambda function"
        return self.function_from(integration, "uri" if rest else "integrationUri")

    def function_from(self, resource: Resource, key: str) -> Resource | str:
        """The Lambda function input `key` comes from (directly or through an alias), or why it is none."""
        found = {f.urn: f for f in self.graph.referenced(resource, key, LAMBDA_FUNCTION)}
        for alias in self.graph.referenced(resource, key, LAMBDA_ALIAS):
            found.update((f.urn, f) for f in self.graph.referenced(alias, "functionName", LAMBDA_FUNCTION))
        label = path_label(resource.label, key)
        if len(found) > 1:
            names = ", ".join(f"'{f.name}'" for f in found.values())
            raise Undetermined(
                label, f"comes from several Lambda functions ({names}), so which one it invokes is unclear"
            )
        if found:
            return next(iter(found.values()))
        value = self.unlinked(resource, key, "Lambda function")
        if value is None:
            return f"{resource.label} sets no {key}"
        in_arn = FUNCTION_IN_ARN.search(value)
        if in_arn is None and LAMBDA_INVOCATION in value:
            raise Undetermined(label, "invokes a Lambda function whose ARN does not name it in the usual form")
        if in_arn is None and (key != "functionName" or value.startswith("arn:")):
            return f"{resource.label} invokes something other than a Lambda function"
        name = in_arn.group(1) if in_arn else value
        function = self.functions_by_name.get(name) or self._autonamed_function(name)
        if function is None:
            raise FunctionElsewhere(label, name, value)
        return function

    def _autonamed_function(self, name: str) -> Resource | None:
        """The function of the stack Pulumi would auto-name `name` (logical name, dash, seven hex digits)."""
        match = AUTONAME.fullmatch(name)
        return self._autonamed.get(match.group(1)) if match else None

    @staticmethod
    def unlinked(resource: Resource, key: str, what: str) -> str | None:
        """The literal value of an input that comes from no `what` in the stack (None when absent)."""
        try:
            return text(resource.props, key, at=resource.label)
        except Undetermined:
            why = f"is not known until deployment and comes from no {what} in this stack"
            raise Undetermined(f"{resource.label}.{key}", why) from None


INVOCATION_TYPE = "integration.request.header.X-Amz-Invocation-Type"


def invokes_asynchronously(integration: Resource) -> bool:
    """Whether a REST integration of type AWS invokes Lambda asynchronously: its request parameter
    integration.request.header.X-Amz-Invocation-Type is the static value 'Event' (quoted, as API Gateway
    writes static values). Source: API Gateway Developer Guide, "Set up asynchronous invocation of the
    backend Lambda function"; a value not known yet or malformed counts as synchronous (the stricter reading)."""
    if literal(integration.props, "type") != "AWS":
        return False
    parameters = integration.props.get("requestParameters")
    value = parameters.get(INVOCATION_TYPE) if isinstance(parameters, Mapping) else None
    return isinstance(value, str) and value.strip() == "'Event'"
