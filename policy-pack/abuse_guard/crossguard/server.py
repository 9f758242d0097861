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
always has. Remediate is pulumi-policy's own: it decodes once for all policies. pulumi's runtime settings, which
pulumi-policy reads from the environment at every call, are read once per worker thread.

A pack that mixes abuse-guard's policies with others is a `ComposedPack`: abuse-guard's behind SharedRequests,
the others behind pulumi-policy's own servicer, answering as one pack. `crossguard.PolicyPack` builds the servicer
(`analyzer`) from the arguments pulumi_policy.PolicyPack would give its own (`servicer_arguments`, after
PolicyPack's checks) and `serve`s it as PolicyPack does.

This module extends pulumi-policy's private servicer class, reads its private channel options at import and
stands in for that class while PolicyPack checks its arguments: `crossguard.PolicyPack` imports it only on the
release release.py names, and is a plain PolicyPack when the import fails.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from concurrent import futures
from contextlib import contextmanager
from threading import Lock, local
from typing import Any

import grpc  # type: ignore[import-untyped]
import pulumi_policy.policy as policy_module
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import EnforcementLevel
from pulumi_policy import Policy as PulumiPolicy
from pulumi_policy import PolicyPack as PulumiPolicyPack
from pulumi_policy.policy import _GRPC_CHANNEL_OPTIONS, _PolicyAnalyzerServicer

from ..evaluate import declared_types
from ..policy import Policy
from .decode import resource_from_request, secrets_seen
from .in_flight import RESOURCES, STACK_REQUESTS, StackRequest, Undecodable

WORKERS = 4
"""Worker threads of the gRPC server, as PolicyPack sets them."""


class Policies(list[PulumiPolicy]):
    """The policy list pulumi-policy's servicer loops over: all of them, except on a thread answering an Analyze
    request, which `narrowed` to the policies that check the request's type. pulumi-policy only iterates it."""

    def __init__(self, policies: Iterable[PulumiPolicy]) -> None:
        super().__init__(policies)
        self._calls = local()

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
    (`evaluate.declared_types`) -> those policies (pulumi-policy's objects, in pack order; see `checking`); the
    rest: pulumi-policy's servicer's arguments. pulumi-policy's Analyze of a resource runs only the policies that
    check its type: any other would return at once, saying nothing. Analyze of a resource of a type none checks is
    answered here with pulumi-policy's answer, an empty response. A request holding a value pulumi-policy's
    decoding refuses (a non-finite number, a malformed asset, archive or secret envelope) goes to pulumi-policy as
    received, with every policy, so it answers, or fails, as it always has. Every other call (GetAnalyzerInfo,
    Configure, Remediate, ...) is pulumi-policy's own.
    """

    def __init__(self, checking: Mapping[str, Sequence[PulumiPolicy]], *servicer: Any, **options: Any) -> None:
        if "policies" in options:
            options["policies"] = Policies(options["policies"])
        else:
            servicer = (*servicer[:2], Policies(servicer[2]), *servicer[3:])
        super().__init__(*servicer, **options)
        self.policies: Policies = options["policies"] if "policies" in options else servicer[2]
        self.checking = {declared: list(policies) for declared, policies in dict(checking).items()}
        self._by_name: dict[str, PulumiPolicy] = {p.name: p for p in self.policies}
        self._configured = local()

    def _configure_runtime_settings(self) -> None:
        """pulumi-policy's own, once per worker thread: it reads the pulumi runtime's settings and config from the
        process environment, which the engine set at start, into context variables, which last as long as the
        thread; pulumi-policy repeats it at every call (~40 µs, most of it `inspect.signature`)."""
        if not getattr(self._configured, "done", False):
            super()._configure_runtime_settings()
            self._configured.done = True

    def _enabled(self, name: str) -> bool:
        """Whether the pack serves policy `name` at a level other than disabled (the engine's config first)."""
        policy = self._by_name.get(name)
        return policy is not None and self._get_enforcement_level(policy) != EnforcementLevel.DISABLED

    def Analyze(self, request: analyzer_pb2.AnalyzeRequest, context: Any) -> analyzer_pb2.AnalyzeResponse:
        try:
            with secrets_seen() as secrets:
                resource = resource_from_request(request)  # its provider included
        except Exception:
            return super().Analyze(request, context)
        checking = self.checking.get(request.type)
        if checking is None:
            return analyzer_pb2.AnalyzeResponse()
        with RESOURCES.holding(resource) as urn, self.policies.narrowed(checking):
            response = super().Analyze(analyzer_pb2.AnalyzeRequest(type=request.type, urn=urn), context)
        return redacted(response, secrets)

    def AnalyzeStack(self, request: analyzer_pb2.AnalyzeStackRequest, context: Any) -> analyzer_pb2.AnalyzeResponse:
        shared = StackRequest(request, self._get_policy_config, self._enabled)
        with STACK_REQUESTS.holding(shared) as urn, secrets_seen() as secrets:
            stand_in = analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_pb2.AnalyzerResource(urn=urn)])
            try:
                response = super().AnalyzeStack(stand_in, context)  # decodes the request at the first policy
            except Undecodable:
                pass  # raised at the first stack policy's call, before any answer: none is lost
            else:
                self._unknown_per_resource(response, shared.unknown)
                return redacted(response, secrets)
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


class ComposedPack(_PolicyAnalyzerServicer):
    """One pack of abuse-guard's policies and others (a platform team's own), answering every call as one
    pulumi-policy pack of all of them in the order given does.

    SharedRequests hands pulumi-policy a stand-in request naming a decoded request in flight, which only
    abuse-guard's policies can read: so abuse-guard's policies are served by `ours` (SharedRequests) and the others
    by `foreign` (pulumi-policy's own servicer), each with its share of the policies and the pack's other arguments.
    Analyze and AnalyzeStack ask both and merge the answers, diagnostics and not-applicable replies in the pack's
    policy order; Configure and ConfigureStack reach both. This servicer itself is pulumi-policy's with every
    policy, for the calls that need the whole pack: GetAnalyzerInfo (every policy, in order), GetPluginInfo,
    Remediate (every remediation in pack order, each given what the one before returned) and whatever else
    pulumi-policy's servicer answers.
    """

    def __init__(self, ours: SharedRequests, foreign: _PolicyAnalyzerServicer, **servicer: Any) -> None:
        super().__init__(**servicer)
        self._parts = (ours, foreign)
        self._rank: dict[str, int] = {}
        for index, policy in enumerate(servicer["policies"]):
            self._rank.setdefault(policy.name, index)

    def Configure(self, request: analyzer_pb2.ConfigureAnalyzerRequest, context: Any) -> Any:
        for part in self._parts:
            part.Configure(request, context)
        return super().Configure(request, context)

    def ConfigureStack(self, request: analyzer_pb2.AnalyzerStackConfigureRequest, context: Any) -> Any:
        for part in self._parts:
            part.ConfigureStack(request, context)
        return super().ConfigureStack(request, context)

    def Analyze(self, request: analyzer_pb2.AnalyzeRequest, context: Any) -> analyzer_pb2.AnalyzeResponse:
        return self._merged([part.Analyze(request, context) for part in self._parts])

    def AnalyzeStack(self, request: analyzer_pb2.AnalyzeStackRequest, context: Any) -> analyzer_pb2.AnalyzeResponse:
        return self._merged([part.AnalyzeStack(request, context) for part in self._parts])

    def _merged(self, responses: Sequence[analyzer_pb2.AnalyzeResponse]) -> analyzer_pb2.AnalyzeResponse:
        """The answers of both parts as one: each policy's in the order its part gave them, the policies in pack
        order (a sort by policy is stable)."""
        last = len(self._rank)
        return analyzer_pb2.AnalyzeResponse(
            diagnostics=sorted(
                (d for r in responses for d in r.diagnostics), key=lambda d: self._rank.get(d.policyName, last)
            ),
            not_applicable=sorted(
                (n for r in responses for n in r.not_applicable), key=lambda n: self._rank.get(n.policy_name, last)
            ),
        )


class _Built(Exception):
    """Raised in place of building pulumi-policy's servicer: the arguments PolicyPack gave it, by name."""

    def __init__(self, arguments: dict[str, Any]) -> None:
        super().__init__()
        self.arguments = arguments


_CAPTURING = Lock()


def servicer_arguments(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """What `pulumi_policy.PolicyPack(*args, **kwargs)` gives its servicer, by parameter name, once its own checks
    of every argument have passed (each failing one raises PolicyPack's TypeError here).

    PolicyPack checks its arguments, then builds `_PolicyAnalyzerServicer` and serves it. It is called here with
    that name standing for a recorder, so it stops at the servicer: the arguments are the ones PolicyPack would
    serve with (its version "0.0.1", its default enforcement level), and nothing is served.
    """

    def record(*given: Any, **named: Any) -> None:
        raise _Built(dict(inspect.signature(_PolicyAnalyzerServicer).bind(*given, **named).arguments))

    with _CAPTURING:
        policy_module._PolicyAnalyzerServicer = record  # type: ignore[assignment,misc]
        try:
            PulumiPolicyPack(*args, **kwargs)
        except _Built as built:
            return built.arguments
        finally:
            policy_module._PolicyAnalyzerServicer = _PolicyAnalyzerServicer  # type: ignore[misc]
    raise RuntimeError("pulumi_policy.PolicyPack returned without building its servicer")


def checking(served: Iterable[tuple[Policy, PulumiPolicy]]) -> dict[str, list[PulumiPolicy]]:
    """Each type a program may declare that a resource policy checks -> the pulumi-policy objects of those policies
    (each abuse-guard policy of `served` with the pulumi-policy object it was built into), in pack order: a stack
    policy reads every resource at AnalyzeStack, never at Analyze."""
    found: dict[str, list[PulumiPolicy]] = {}
    for policy, pulumi_policy in served:
        for declared in () if policy.is_stack_policy else declared_types(policy):
            found.setdefault(declared, []).append(pulumi_policy)
    return found


def analyzer(arguments: Mapping[str, Any], source: Callable[[PulumiPolicy], Policy | None]) -> _PolicyAnalyzerServicer:
    """The servicer of a pack built from `arguments` (`servicer_arguments`): SharedRequests when every policy is
    abuse-guard's (`source` gives the abuse-guard Policy a pulumi-policy one was built from, else None), a
    ComposedPack when some are, pulumi-policy's own servicer when none is."""
    everything = list(arguments["policies"])
    sources = {id(p): found for p in everything if (found := source(p)) is not None}
    ours = [p for p in everything if id(p) in sources]
    if not ours:
        return _PolicyAnalyzerServicer(**arguments)
    shared = SharedRequests(checking((sources[id(p)], p) for p in ours), **{**arguments, "policies": ours})
    if len(ours) == len(everything):
        return shared
    foreign = _PolicyAnalyzerServicer(**{**arguments, "policies": [p for p in everything if id(p) not in sources]})
    return ComposedPack(shared, foreign, **arguments)


SECRET_SHOWN = "[secret]"


def redacted(response: analyzer_pb2.AnalyzeResponse, secrets: Collection[str]) -> analyzer_pb2.AnalyzeResponse:
    """`response` with every string of `secrets` (those the request held in secret envelopes, which pulumi-policy
    hands the policies unwrapped) replaced by "[secret]" in its messages and reasons: a violation travels to the
    CLI, the event log and Pulumi Cloud."""
    if not secrets:
        return response
    longest_first = sorted(secrets, key=len, reverse=True)

    def hidden(text: str) -> str:
        for secret in longest_first:
            text = text.replace(secret, SECRET_SHOWN)
        return text

    for diagnostic in response.diagnostics:
        diagnostic.message = hidden(diagnostic.message)
    for reply in response.not_applicable:
        reply.reason = hidden(reply.reason)
    return response


def serve(servicer: _PolicyAnalyzerServicer) -> None:
    """Serve `servicer` as pulumi_policy.PolicyPack serves its own: the same server options, worker count and port
    line. Runs until the engine ends the process."""
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
