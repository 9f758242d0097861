"""The decode-once server: pulumi-policy's servicer with each Analyze and AnalyzeStack request decoded once.

pulumi-policy's servicer decodes a request for every policy it calls, before the policy runs: an Analyze request
once per resource policy, and every resource of an AnalyzeStack request once per stack policy, each time into new
PolicyResource objects that the adapter then converted into a new Graph. `SharedRequests` decodes the request
itself, registers it under a stand-in URN (in_flight.py) and hands pulumi-policy's own Analyze or AnalyzeStack a
request holding only that URN. pulumi-policy still decides which policies run, with which config and enforcement
level, and builds every response; the policies read the registered request: one Resource for all resource
policies, and for all stack policies one Graph, built at the first one's call. pulumi-policy's Analyze calls only
the resource policies that check the request's type (`Policies`): each other one would return at once with nothing
to say, so the answer is the same; Analyze of a type no resource policy checks is answered without calling the
policies, with the same empty response. A request pulumi-policy cannot decode goes to it as received, to fail as it
always has. Remediate is pulumi-policy's own: it decodes once for all policies.

This module extends pulumi-policy's private servicer class and reads its private channel options at import:
`crossguard.serve` imports it only on the release release.py names, and serves a plain PolicyPack when the
import fails.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from concurrent import futures
from contextlib import contextmanager
from typing import Any

import grpc  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import EnforcementLevel
from pulumi_policy import Policy as PulumiPolicy
from pulumi_policy.policy import _GRPC_CHANNEL_OPTIONS, _PolicyAnalyzerServicer

from ..evaluate import declared_types
from ..policy import Policy
from .decode import resource_from_request
from .in_flight import RESOURCES, STACK_REQUESTS, StackRequest, Undecodable

WORKERS = 4
"""Worker threads of the gRPC server, as PolicyPack sets them."""


class Policies(list[PulumiPolicy]):
    """The policy list pulumi-policy's servicer loops over: all of them, except on a thread answering an Analyze
    request, which `narrowed` to the policies that check the request's type. pulumi-policy only iterates it."""

    def __init__(self, policies: Sequence[PulumiPolicy]) -> None:
        super().__init__(policies)
        self._calls = threading.local()

    def __iter__(self) -> Iterator[PulumiPolicy]:
        narrowed: list[PulumiPolicy] | None = getattr(self._calls, "narrowed", None)
        return iter(narrowed) if narrowed is not None else super().__iter__()

    @contextmanager
    def narrowed(self, policies: list[PulumiPolicy]) -> Iterator[None]:
        """Iteration on this thread yields only `policies` (in their order in the pack) while the block runs."""
        self._calls.narrowed = policies
        try:
            yield
        finally:
            self._calls.narrowed = None


class SharedRequests(_PolicyAnalyzerServicer):
    """pulumi-policy's servicer, with each Analyze and AnalyzeStack request decoded once for all policies.

    `checking`: each type a program may declare that a resource policy of the pack checks
    (`evaluate.declared_types`) -> those policies (pulumi-policy's objects, in pack order); `policies`: all of
    them, as PolicyPack takes them. pulumi-policy's Analyze of a resource runs only the policies that check its
    type: any other would return at once, saying nothing. Analyze of a resource of a type none checks is answered
    here with pulumi-policy's answer, an empty response. A request holding a value pulumi-policy's decoding
    refuses (a non-finite number, a malformed asset, archive or secret envelope) goes to pulumi-policy as
    received, with every policy, so it answers, or fails, as it always has. Every other call (GetAnalyzerInfo,
    Configure, Remediate, ...) is pulumi-policy's own.
    """

    def __init__(
        self,
        checking: Mapping[str, list[PulumiPolicy]],
        name: str,
        version: str,
        policies: Sequence[PulumiPolicy],
        *servicer: Any,
        **options: Any,
    ) -> None:
        self.policies = Policies(policies)
        super().__init__(name, version, self.policies, *servicer, **options)
        self.checking = dict(checking)
        self._configured = threading.local()

    def _configure_runtime_settings(self) -> None:
        """pulumi-policy's own, once per worker thread: it reads the pulumi runtime's settings and config from the
        process environment, which the engine set at start, into context variables, which last as long as the
        thread; pulumi-policy repeats it at every call (~40 µs, most of it `inspect.signature`)."""
        if not getattr(self._configured, "done", False):
            super()._configure_runtime_settings()
            self._configured.done = True

    def Analyze(self, request: analyzer_pb2.AnalyzeRequest, context: Any) -> analyzer_pb2.AnalyzeResponse:
        try:
            resource = resource_from_request(request)  # its provider included
        except Exception:
            return super().Analyze(request, context)
        checking = self.checking.get(request.type)
        if checking is None:
            return analyzer_pb2.AnalyzeResponse()
        with RESOURCES.holding(resource) as urn, self.policies.narrowed(checking):
            return super().Analyze(analyzer_pb2.AnalyzeRequest(type=request.type, urn=urn), context)

    def AnalyzeStack(self, request: analyzer_pb2.AnalyzeStackRequest, context: Any) -> analyzer_pb2.AnalyzeResponse:
        shared = StackRequest(request, self._get_policy_config)
        with STACK_REQUESTS.holding(shared) as urn:
            stand_in = analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_pb2.AnalyzerResource(urn=urn)])
            try:
                response = super().AnalyzeStack(stand_in, context)
            except Undecodable:
                pass  # raised at the first stack policy's call, before any answer: none is lost
            else:
                self._unknown_per_resource(response, shared.unknown)
                return response
            finally:
                shared.release()
        return super().AnalyzeStack(request, context)

    def _unknown_per_resource(
        self, response: analyzer_pb2.AnalyzeResponse, unknown: list[tuple[str, str, str]]
    ) -> None:
        """Each resource a policy could not judge at AnalyzeStack, as Analyze reports an unknown (pulumi-policy's
        "can't run policy ... during preview" advisory), but on the resource's URN."""
        if not unknown:
            return
        info = self.GetAnalyzerInfo(None, None)
        described = {p.name: p.description for p in info.policies}
        for policy, urn, message in unknown:
            response.diagnostics.append(
                analyzer_pb2.AnalyzeDiagnostic(
                    policyName=policy,
                    policyPackName=info.name,
                    policyPackVersion=info.version,
                    message=(
                        f"can't run policy '{policy}' from policy pack '{info.name}@v{info.version}' during "
                        f"preview: {message}"
                    ),
                    urn=urn,
                    description=described.get(policy, ""),
                    enforcementLevel=analyzer_pb2.ADVISORY,
                )
            )


def checking(policies: Sequence[Policy], converted: Sequence[PulumiPolicy]) -> dict[str, list[PulumiPolicy]]:
    """Each type a program may declare that a resource policy checks -> those policies' pulumi-policy objects
    (`converted`, one per policy of `policies`), in pack order: `SharedRequests`'s `checking`."""
    found: dict[str, list[PulumiPolicy]] = {}
    for policy, pulumi_policy in zip(policies, converted, strict=True):
        for declared in () if policy.is_stack_policy else declared_types(policy):
            found.setdefault(declared, []).append(pulumi_policy)
    return found


def serve(policies: Sequence[Policy], converted: Sequence[PulumiPolicy], *, name: str, **options: Any) -> None:
    """Serve `converted` (the pulumi-policy objects of `policies`) as `PolicyPack(name, converted, **options)` does.

    The same servicer, server options, worker count and port line, with `SharedRequests` in front
    of the servicer. Runs until the engine ends the process.
    """
    level = options.pop("enforcement_level", None) or EnforcementLevel.ADVISORY
    # "0.0.1" is PolicyPack's version too: PulumiPolicy.yaml's takes precedence
    servicer = SharedRequests(checking(policies, converted), name, "0.0.1", converted, level, **options)
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=WORKERS), options=_GRPC_CHANNEL_OPTIONS)
    analyzer_pb2_grpc.add_AnalyzerServicer_to_server(servicer, server)
    port = server.add_insecure_port(address="127.0.0.1:0")
    server.start()
    sys.stdout.buffer.write(f"{port}\n".encode())
    sys.stdout.flush()
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:
        server.stop(0)
