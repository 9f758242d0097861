"""Requests in flight, each decoded once for all the policies it is for.

The server (server.py) registers a decoded request under a stand-in URN for as long as its call lasts and hands
pulumi-policy a request naming only that URN; the adapter's policies (adapter.py) find the decoded request by it.
A stand-in URN is unique per request, so concurrent requests (pulumi-policy serves 4 at once) never see each
other's resources.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from itertools import count
from threading import Lock
from typing import Any, Generic, TypeVar

from pulumi.runtime.proto import analyzer_pb2

from ..evaluate import stack_graph
from ..graph import Graph
from ..resources import Resource
from .decode import resources_from_request

# Prefixes of the stand-in URNs that name a request in flight; a real URN starts with "urn:pulumi:".
STACK_STAND_IN = "abuse-guard:shared-stack-request:"
RESOURCE_STAND_IN = "abuse-guard:shared-resource-request:"


class Undecodable(Exception):
    """A request holds a value pulumi-policy's decoding refuses; pulumi-policy then answers it itself."""


PolicyConfig = Callable[[str], Mapping[str, Any] | None]
"""A policy's config as the engine gave it, by policy name (None: the defaults)."""


class StackRequest:
    """An AnalyzeStack request in flight: its resources and their graph, built at the first policy's call.

    `config_of` reads any policy's config and `enabled` whether the pack runs it (a finding may be covered by
    another policy's exemption, which counts only while that policy runs, as in `evaluate.evaluation`); `unknown`
    collects (policy, URN, message) of each resource the policies cannot judge yet, which the server answers."""

    def __init__(
        self,
        request: analyzer_pb2.AnalyzeStackRequest,
        config_of: PolicyConfig,
        enabled: Callable[[str], bool] = lambda name: True,
    ) -> None:
        self._request = request
        self._graph: Graph | None = None
        self.config_of = config_of
        self.enabled = enabled
        self.unknown: list[tuple[str, str, str]] = []

    @property
    def graph(self) -> Graph:
        # pulumi-policy calls a request's policies one after another, on the thread that took the request
        if self._graph is None:
            try:
                resources = resources_from_request(self._request)  # providers included
            except Exception as error:
                raise Undecodable from error
            self._graph = stack_graph(resources)
        return self._graph

    def release(self) -> None:
        """The request is answered: its graph is freed with it (`Graph.release`), not left to the garbage collector."""
        if self._graph is not None:
            self._graph.release()


R = TypeVar("R")


class InFlight(Generic[R]):
    """Requests being answered, each under its own stand-in URN for as long as its call lasts."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self._lock = Lock()
        self._numbers = count()
        self._requests: dict[str, R] = {}

    @contextmanager
    def holding(self, request: R) -> Iterator[str]:
        with self._lock:
            urn = f"{self.prefix}{next(self._numbers)}"
            self._requests[urn] = request
        try:
            yield urn
        finally:
            with self._lock:
                del self._requests[urn]

    def named(self, urn: str) -> R | None:
        """The request a stand-in URN names; None for any other URN (a call the decode-once server did not register)."""
        if not urn.startswith(self.prefix):
            return None
        with self._lock:
            request = self._requests.get(urn)
        if request is None:
            raise RuntimeError(f"abuse-guard: {urn} names no request in flight")
        return request

    def __len__(self) -> int:
        with self._lock:
            return len(self._requests)


STACK_REQUESTS: InFlight[StackRequest] = InFlight(STACK_STAND_IN)
"""Each AnalyzeStack request in flight, read once for all stack policies."""
RESOURCES: InFlight[Resource] = InFlight(RESOURCE_STAND_IN)
"""The resource of each Analyze request in flight, decoded once for all resource policies."""
