"""The CrossGuard adapter: each abuse-guard policy as a pulumi-policy policy, and the server the engine calls.

Outcomes travel on the engine's own channels: fail -> a violation; unknown at preview -> the
engine's "can't run policy during preview" advisory; not-applicable and exempt -> not-applicable
with the reason ("exempt: ..."); pass -> nothing. A resource of a type a policy does not check
returns at once with no verdict, as awsguard's policies do (the engine counts that as passed); the
per-policy cost matters because every policy runs on every resource of every preview.

A policy with a remediate function also gets pulumi-policy's remediate callback: at enforcement
level `remediate` the engine calls it before Analyze, and the props it returns replace the
resource's inputs (the engine logs before and after as a policyRemediationEvent).

Each Analyze and AnalyzeStack request is decoded once, not once per policy. pulumi-policy's servicer
decodes a request for every policy it calls, before the policy runs: an Analyze request once per
resource policy, and every resource of an AnalyzeStack request once per stack policy, each time into
new PolicyResource objects that the adapter then converted into a new Graph. `serve` runs that
servicer as `SharedRequests`, which decodes the request itself, registers it under a stand-in URN
and hands pulumi-policy's own Analyze or AnalyzeStack a request holding only that URN. pulumi-policy
still decides which policies run, with which config and enforcement level, and builds every
response; the policies read the registered request: one Resource for all resource policies, and
for all stack policies one Graph, built at the first one's call. A stand-in URN is unique per
request and its entry lives as long as the call, so concurrent requests (pulumi-policy serves 4 at
once) never see each other's resources. Analyze of a type no resource policy checks is answered
without calling the policies, with the same empty response; a request pulumi-policy cannot decode
goes to it as received, to fail as it always has. Remediate is pulumi-policy's own: it decodes once
for all policies.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent import futures
from contextlib import contextmanager
from itertools import count
from threading import Lock
from typing import Any, Generic, TypeVar

import grpc  # type: ignore[import-untyped]
from google.protobuf import json_format, struct_pb2  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc
from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    PolicyProviderResource,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy import Policy as PulumiPolicy
from pulumi_policy.deserialize import deserialize_properties, serialize_properties
from pulumi_policy.policy import _GRPC_CHANNEL_OPTIONS, _PolicyAnalyzerServicer
from pulumi_policy.proxy import UnknownValueError, _DictProxy, _ListProxy
from pulumi_policy.version import VERSION as PULUMI_POLICY_VERSION

from .evaluate import declared_types, evaluate_resource, evaluate_stack, remedy, stack_graph
from .findings import Finding, Outcome
from .graph import Graph
from .policy import Policy
from .resources import SIG_KEY, UNKNOWN, UNKNOWN_SENTINELS, ProviderRef, Resource, from_wire

SERVER_CHECKED_WITH = "1.21.0"
"""The pulumi-policy release whose PolicyPack `serve` repeats and whose private servicer class
`SharedRequests` extends (tests/protocol/test_shared_request.py pins both). With any other release
installed (the pack's requirements.txt allows a range) `serve` is a plain `PolicyPack`: slower,
never wrong."""

WORKERS = 4
"""Worker threads of the gRPC server, as PolicyPack sets them."""

# Prefixes of the stand-in URNs that name a request in flight; a real URN starts with "urn:pulumi:".
STACK_STAND_IN = "abuse-guard:shared-stack-request:"
RESOURCE_STAND_IN = "abuse-guard:shared-resource-request:"


class NotKnownAtPreview(UnknownValueError):
    """Raised to report "cannot be determined at preview" through the engine's unknown channel."""

    def __init__(self, message: str) -> None:
        Exception.__init__(self, message)
        self.message = message


# --- engine data -> Resource ------------------------------------------------------------------


def plain_props(props: Any) -> Any:
    """pulumi-policy's unknown-raising proxy back to plain data with UNKNOWN markers.

    The same as from_wire(serialize_properties(props)) in one pass. Its containers are unwrapped
    through the same `"__target"` key serialize_properties uses; assets and archives still go
    through it.
    """
    if isinstance(props, str):
        return from_wire(props)
    if props is None or isinstance(props, (bool, int, float)):
        return props
    if isinstance(props, _DictProxy):
        return {str(key): plain_props(value) for key, value in props["__target"].items()}
    if isinstance(props, _ListProxy):
        return [plain_props(value) for value in props["__target"]]
    return from_wire(serialize_properties(props))


def props_from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A request's properties as `plain_props` gives them from pulumi-policy's args, read from the protobuf.

    pulumi-policy reaches them through json_format.MessageToDict, deserialize_properties and its
    proxy; this reads the Struct directly. Strings, numbers, booleans, nulls, lists and objects are
    converted here; a value pulumi-policy treats specially (an object with the signature key: asset,
    archive or secret envelope, or a non-finite number, which json_format refuses) goes through
    pulumi-policy's own functions, with their results and their errors.
    """
    fields = struct.fields
    return {key: _value(fields[key]) for key in fields}  # the top level is never an envelope, as in pulumi-policy


def _value(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        text = value.string_value
        return UNKNOWN if text in UNKNOWN_SENTINELS else text
    if kind == "struct_value":
        fields = value.struct_value.fields
        if SIG_KEY in fields:
            return _as_pulumi_policy_does(value)
        return {key: _value(fields[key]) for key in fields}
    if kind == "number_value":
        number = value.number_value
        return number if math.isfinite(number) else _as_pulumi_policy_does(value)
    if kind == "bool_value":
        return value.bool_value
    if kind == "list_value":
        return [_value(item) for item in value.list_value.values]
    return None  # null_value, or no kind set: json_format reads both as None


def _as_pulumi_policy_does(value: struct_pb2.Value) -> Any:
    decoded = deserialize_properties({"value": json_format.MessageToDict(value)})["value"]
    return plain_props(decoded)


def provider_from_policy(provider: PolicyProviderResource | None) -> ProviderRef | None:
    """The provider pulumi-policy hands a policy with a resource: its URN and its inputs (region, assumeRoles...)."""
    return None if provider is None else ProviderRef(provider.urn, plain_props(provider.props))


def provider_from_request(request: analyzer_pb2.AnalyzeRequest | analyzer_pb2.AnalyzerResource) -> ProviderRef | None:
    """`provider_from_policy` of the provider pulumi-policy builds from a request's AnalyzerProviderResource.

    Decoding it raises what pulumi-policy raises, which decodes the provider for every policy it calls."""
    if not request.HasField("provider"):
        return None
    return ProviderRef(request.provider.urn, props_from_struct(request.provider.properties))


def resource_from_args(args: ResourceValidationArgs) -> Resource:
    return Resource(
        args.urn,
        args.resource_type,
        args.name,
        plain_props(args.props),
        args.opts.parent,
        provider=provider_from_policy(args.provider),
    )


def resource_from_request(request: analyzer_pb2.AnalyzeRequest) -> Resource:
    """`resource_from_args` of the args pulumi-policy builds from an Analyze request."""
    return Resource(
        request.urn,
        request.type,
        request.name,
        props_from_struct(request.properties),
        request.options.parent or None,
        provider=provider_from_request(request),
    )


def resource_from_policy_resource(r: PolicyResource) -> Resource:
    return Resource(
        urn=r.urn,
        type=r.resource_type,
        name=r.name,
        props=plain_props(r.props),
        parent=r.parent.urn if r.parent is not None else r.opts.parent,
        dependencies=tuple(d.urn for d in r.dependencies),
        property_dependencies={k: tuple(d.urn for d in deps) for k, deps in r.property_dependencies.items()},
        provider=provider_from_policy(r.provider),
    )


def resources_from_request(request: analyzer_pb2.AnalyzeStackRequest) -> list[Resource]:
    """`resource_from_policy_resource` of each resource pulumi-policy builds from an AnalyzeStack request.

    As pulumi-policy links them: a parent, dependency or property dependency counts only if the
    request holds a resource of that URN (a parent that is not falls back to the options' parent).
    """
    urns = {r.urn for r in request.resources}
    return [
        Resource(
            urn=r.urn,
            type=r.type,
            name=r.name,
            props=props_from_struct(r.properties),
            parent=r.parent if r.parent in urns else (r.options.parent or None),
            dependencies=tuple(urn for urn in r.dependencies if urn in urns),
            property_dependencies={
                prop: tuple(urn for urn in deps.urns if urn in urns) for prop, deps in r.propertyDependencies.items()
            },
            provider=provider_from_request(r),
        )
        for r in request.resources
    ]


# --- one decoding per request -----------------------------------------------------------------


class Undecodable(Exception):
    """A request holds a value pulumi-policy's decoding refuses; pulumi-policy then answers it itself."""


class StackRequest:
    """An AnalyzeStack request in flight: its resources and their graph, built at the first policy's call."""

    def __init__(self, request: analyzer_pb2.AnalyzeStackRequest) -> None:
        self._request = request
        self._graph: Graph | None = None

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
        """The request a stand-in URN names; None for any other URN (a call that did not go through `serve`)."""
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


class SharedRequests(_PolicyAnalyzerServicer):
    """pulumi-policy's servicer, with each Analyze and AnalyzeStack request decoded once for all policies.

    `checked_types`: every type any resource policy of the pack checks. Analyze of a resource of any
    other type is answered here with pulumi-policy's answer, an empty response: each resource policy
    would return at once. A request holding a value pulumi-policy's decoding refuses (a non-finite
    number, a malformed asset, archive or secret envelope) goes to pulumi-policy as received, so it
    answers, or fails, as it always has. Every other call (GetAnalyzerInfo, Configure, Remediate,
    ...) is pulumi-policy's own.
    """

    def __init__(self, checked_types: Collection[str], *servicer: Any, **options: Any) -> None:
        super().__init__(*servicer, **options)
        self.checked_types = frozenset(checked_types)

    def Analyze(self, request: analyzer_pb2.AnalyzeRequest, context: Any) -> analyzer_pb2.AnalyzeResponse:
        try:
            resource = resource_from_request(request)  # its provider included
        except Exception:
            return super().Analyze(request, context)
        if request.type not in self.checked_types:
            return analyzer_pb2.AnalyzeResponse()
        with RESOURCES.holding(resource) as urn:
            return super().Analyze(analyzer_pb2.AnalyzeRequest(type=request.type, urn=urn), context)

    def AnalyzeStack(self, request: analyzer_pb2.AnalyzeStackRequest, context: Any) -> analyzer_pb2.AnalyzeResponse:
        with STACK_REQUESTS.holding(StackRequest(request)) as urn:
            stand_in = analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_pb2.AnalyzerResource(urn=urn)])
            try:
                return super().AnalyzeStack(stand_in, context)
            except Undecodable:
                pass  # raised at the first stack policy's call, before any answer: none is lost
        return super().AnalyzeStack(request, context)


def serve(policies: Sequence[Policy], *, name: str, **options: Any) -> None:
    """Serve the policies to the engine as `PolicyPack(name, [pulumi_policy(p) ...], **options)` does.

    The same servicer, server options, worker count and port line, with `SharedRequests` in front
    of the servicer. Runs until the engine ends the process.
    """
    converted = [pulumi_policy(p) for p in policies]
    if PULUMI_POLICY_VERSION != SERVER_CHECKED_WITH:
        PolicyPack(name, converted, **options)
        return
    level = options.pop("enforcement_level", None) or EnforcementLevel.ADVISORY
    # "0.0.1" is PolicyPack's version too: PulumiPolicy.yaml's takes precedence
    checked_types = {t for p in policies if not p.is_stack_policy for t in declared_types(p)}
    servicer = SharedRequests(checked_types, name, "0.0.1", converted, level, **options)
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


# --- policies ---------------------------------------------------------------------------------


def _report(finding: Finding, report_violation: ReportViolation, urn: str | None = None) -> None:
    if finding.outcome is Outcome.FAIL:
        report_violation(finding.message, urn)


def _resource(args: ResourceValidationArgs) -> Resource:
    shared = RESOURCES.named(args.urn)
    return shared if shared is not None else resource_from_args(args)


def _graph(args: StackValidationArgs) -> Graph:
    if len(args.resources) == 1 and (shared := STACK_REQUESTS.named(args.resources[0].urn)) is not None:
        return shared.graph
    return stack_graph(resource_from_policy_resource(r) for r in args.resources)


def _resource_validation(policy: Policy) -> Callable[[ResourceValidationArgs, ReportViolation], None]:
    scope = frozenset(declared_types(policy))

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in scope:
            return
        settings = policy.settings(args.get_config())
        result = evaluate_resource(policy, _resource(args), settings)
        if result is None:  # the resource defines nothing the policy checks (a RestApi without a body)
            return
        if result.outcome is Outcome.UNKNOWN:
            raise NotKnownAtPreview(result.message)
        if result.outcome in (Outcome.NOT_APPLICABLE, Outcome.EXEMPT):
            args.not_applicable(result.message)
        _report(result, report_violation)

    return validate


def _stack_validation(policy: Policy) -> Callable[[StackValidationArgs, ReportViolation], None]:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        graph = _graph(args)  # first, as pulumi-policy decodes before calling a policy
        settings = policy.settings(args.get_config())
        findings = evaluate_stack(policy, graph, settings)
        for f in findings:
            _report(f, report_violation, f.urn)
        unknown = [f for f in findings if f.outcome is Outcome.UNKNOWN]
        if unknown:
            raise NotKnownAtPreview(
                f"{len(unknown)} resource(s) cannot be checked until deployment:"
                + "".join(f"\n  - {f.urn}: {f.message}" for f in unknown)
            )

    return validate


def _resource_remediation(policy: Policy) -> Callable[[ResourceValidationArgs], Mapping[str, Any] | None]:
    # pulumi-policy types the callback's result as awaitable, but its servicer takes plain props too.
    scope = frozenset(declared_types(policy))

    def remediate(args: ResourceValidationArgs) -> Mapping[str, Any] | None:
        if args.resource_type not in scope:
            return None
        resource = resource_from_args(args)
        changes = remedy(policy, resource, policy.settings(args.get_config()))
        if changes is None:
            return None
        # The returned props replace all of them: the rest go back exactly as received.
        received = dict(serialize_properties(args.props))
        for key, value in changes.items():
            received[key] = _on_wire(received.get(key), resource.props.get(key), value)
        return received

    return remediate


def _on_wire(received: Any, before: Any, after: Any) -> Any:
    """`after` as the engine gets it: wherever it kept a value it read (`before`), the received one.

    The props a check reads have secrets and unknowns replaced by markers; a value kept inside a
    changed object (another setting of the block) must go back as its secret envelope or sentinel.
    """
    if after == before:
        return received
    if isinstance(after, Mapping) and isinstance(before, Mapping) and isinstance(received, Mapping):
        return {key: _on_wire(received.get(key), before.get(key), value) for key, value in after.items()}
    return after


def pulumi_policy(policy: Policy) -> PulumiPolicy:
    """The pulumi-policy object for one of our policies: same name, metadata and config schema."""
    schema = policy.config_schema()
    common: dict[str, Any] = {
        "name": policy.id,
        "description": policy.description,
        "enforcement_level": EnforcementLevel(policy.enforcement),
        "config_schema": PolicyConfigSchema(properties=schema["properties"]),
        "display_name": policy.title,
        "severity": Severity(policy.severity),
        "tags": list(policy.tags),
        "remediation_steps": policy.remediation,
    }
    if policy.is_stack_policy:
        return StackValidationPolicy(validate=_stack_validation(policy), **common)
    if policy.remediate is not None:
        common["remediate"] = _resource_remediation(policy)
    return ResourceValidationPolicy(validate=_resource_validation(policy), **common)
