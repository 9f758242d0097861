"""Which REST integration belongs to which method, and which REST API an integration is on.

API Gateway keeps one integration per method and names it by the method's three values: PutIntegration takes
restApiId, resourceId and httpMethod (Amazon API Gateway REST API Reference, PutIntegration). So an
`aws:apigateway/integration:Integration` belongs to the `aws:apigateway/method:Method` whose restApi, resourceId and
httpMethod are its own, whatever resource its inputs were taken from: `http_method=proxy_method.http_method` with
`resource_id=api.root_resource_id` is the root's integration, not the proxy method's.

A value known at preview is compared as written (an HTTP method in upper case). A value not known until deployment
(or one absent where a property dependency still says where it comes from, as on the integration an aws-native
Method embeds) is resolved through the resource its input comes from, as what that resource stands for: a RestApi
in restApi for its ID, in resourceId for its root resource (`root_resource_id`); a Resource in resourceId for its ID
(each as known, where the source knows it); a Method, Integration or Resource for its own value of the same input
(`http_method=method.http_method`, `rest_api=method.rest_api`), resolved the same way. A value that resolves to
nothing (not known and from no such resource, or from several that disagree) is open: the integration may belong to
any method it agrees with on the other values, and a method whose own value is open may have any integration that
agrees with it on the others.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal

from ..graph import Graph
from ..resources import UNKNOWN, Resource
from ..values import literal
from .types import REST_API, REST_INTEGRATION, REST_METHOD, REST_RESOURCE

KEYS = ("restApi", "resourceId", "httpMethod")
"""The inputs a Method and its Integration share: the REST API, the API resource (path) and the HTTP method."""
CARRIERS = (REST_METHOD, REST_INTEGRATION, REST_RESOURCE)
"""Resources whose input of one of KEYS another resource may take as its own (`rest_api=method.rest_api`)."""


@dataclass(frozen=True)
class SameAs:
    """The value of input `key` of method `urn`, which is not known until deployment: equal to that method's own."""

    urn: str
    key: str


Value = Hashable | None
"""What one of KEYS resolves to: the text as known, ("RestApi"|"root"|"Resource", URN) for the resource it comes
from, SameAs for an open value of a method it was taken from, or None when open."""


def _settled(value: Value) -> bool:
    return value is not None and not isinstance(value, SameAs)


@dataclass(frozen=True)
class Candidates:
    """The integrations of one method: those that belong to it, and those that may (an open value)."""

    belong: tuple[Resource, ...]
    may: tuple[tuple[Resource, str], ...]
    """(integration, the input of it or of the method that is open, labelled), for a message."""


class MethodIntegrations:
    """The REST integrations of one graph indexed by their three values, made once per graph (by FrontDoors)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._values: dict[tuple[str, str], Value] = {}
        self._settled: dict[tuple[Value, ...], list[Resource]] = defaultdict(list)
        self._by_value: list[dict[Value, list[Resource]]] = [defaultdict(list) for _ in KEYS]
        self._open: list[tuple[Resource, tuple[Value, ...]]] = []
        self._ids: dict[str, list[Resource]] | None = None
        self.integrations = graph.of_type(REST_INTEGRATION)
        for integration in self.integrations:
            values = self.values(integration)
            if all(_settled(v) for v in values):
                self._settled[values].append(integration)
                for index, value in enumerate(values):
                    self._by_value[index][value].append(integration)
            else:
                self._open.append((integration, values))

    # -- values --

    def values(self, resource: Resource) -> tuple[Value, ...]:
        """(restApi, resourceId, httpMethod) of a Method or Integration, each resolved (see the module's docstring)."""
        return tuple(self.value(resource, key) for key in KEYS)

    def value(self, resource: Resource, key: str, seen: frozenset[str] = frozenset()) -> Value:
        """One of KEYS of `resource`, resolved; `seen` guards against a cycle of inputs."""
        cache = (resource.urn, key)
        if cache in self._values:
            return self._values[cache]
        written = literal(resource.props, key)
        found: Value = None
        if isinstance(written, str):
            found = written.upper() if key == "httpMethod" else written
        elif written is UNKNOWN or (written is None and key not in resource.props):
            sources = {
                self._through(urn, key, seen | {resource.urn}) for urn in resource.property_dependencies.get(key, ())
            }
            sources.discard(None)
            found = sources.pop() if len(sources) == 1 else None
        if not seen:  # a value resolved inside a cycle's walk is not cached: it may lack the rest of the walk
            self._values[cache] = found
        return found

    def _through(self, urn: str, key: str, seen: frozenset[str]) -> Value:
        """What input `key` stands for when it comes from resource `urn`."""
        source = self.graph.get(urn)
        if source is None or urn in seen:
            return None
        if source.type == REST_API and key == "restApi":
            return _known(source, "id", "restApiId") or ("RestApi", urn)
        if source.type == REST_API and key == "resourceId":
            return _known(source, "rootResourceId") or ("root", urn)
        if source.type == REST_RESOURCE and key == "resourceId":
            return _known(source, "id", "resourceId") or ("Resource", urn)
        if source.type == REST_API:
            return None
        if source.type not in CARRIERS:
            return None
        found = self.value(source, key, seen)
        return SameAs(urn, key) if found is None and source.type == REST_METHOD else found

    # -- matching --

    def of(self, method: Resource) -> Candidates:
        """The integrations that belong to `method`, and those that may."""
        mine = self.values(method)
        if all(_settled(v) for v in mine):
            pool = [*self._settled.get(mine, ()), *(i for i, _ in self._open)]
        else:
            buckets = [self._by_value[i].get(v, []) for i, v in enumerate(mine) if _settled(v)]
            pool = [*min(buckets, key=len), *(i for i, _ in self._open)] if buckets else list(self.integrations)
        belong: list[Resource] = []
        may: list[tuple[Resource, str]] = []
        for integration in {i.urn: i for i in pool}.values():  # each once
            verdict = self._agrees(method, mine, integration, self.values(integration))
            if verdict is True:
                belong.append(integration)
            elif verdict is not None:
                may.append((integration, verdict))
        return Candidates(tuple(belong), tuple(may))

    @staticmethod
    def _agrees(
        method: Resource, mine: tuple[Value, ...], integration: Resource, theirs: tuple[Value, ...]
    ) -> Literal[True] | str | None:
        """True when the integration's three values are the method's; the label of an open input when they may be;
        None when a value differs."""
        open_input: str | None = None
        for key, own, other in zip(KEYS, mine, theirs, strict=True):
            if isinstance(other, SameAs) and other.urn == method.urn and other.key == key:
                continue
            if _settled(own) and _settled(other):
                if own != other:
                    return None
                continue
            if open_input is None:
                open_input = f"{integration.label}.{key}" if not _settled(other) else f"{method.label}.{key}"
        return True if open_input is None else open_input

    # -- the API --

    def api_of(self, resource: Resource, seen: frozenset[str] = frozenset()) -> Resource | None:
        """The RestApi of this graph a Method, Integration or Resource is on: the one its restApi input comes from,
        directly or through another such resource's restApi, else the one whose known ID it names; None when there is
        none (or several)."""
        found: dict[str, Resource] = {}
        for urn in resource.property_dependencies.get("restApi", ()):
            source = self.graph.get(urn)
            if source is None or urn in seen:
                continue
            if source.type == REST_API:
                found[urn] = source
            elif source.type in CARRIERS:
                api = self.api_of(source, seen | {resource.urn})
                if api is not None:
                    found[api.urn] = api
        if not found and not seen:
            written = literal(resource.props, "restApi")
            found = {a.urn: a for a in self._apis_by_id().get(written, [])} if isinstance(written, str) else {}
        return next(iter(found.values())) if len(found) == 1 else None

    def _apis_by_id(self) -> dict[str, list[Resource]]:
        """The RestApis of the graph by the ID their source knows (a state's `id`, aws-native's `restApiId`)."""
        if self._ids is None:
            self._ids = defaultdict(list)
            for api in self.graph.of_type(REST_API):
                known = _known(api, "id", "restApiId")
                if known is not None:
                    self._ids[known].append(api)
        return self._ids


def _known(resource: Resource, *keys: str) -> str | None:
    """The first of `keys` that holds a known ID (a state's `id`, aws-native's `restApiId` ...), so a value taken from
    the resource matches the same ID written elsewhere."""
    for key in keys:
        value = literal(resource.props, key)
        if isinstance(value, str) and value:
            return value
    return None
