"""One decoding per request, shared by the pack's policies: the answers stay pulumi-policy's own.

`crossguard.serve` runs pulumi-policy's servicer behind `SharedRequests`, which decodes each Analyze
and AnalyzeStack request once and hands pulumi-policy a stand-in naming it. That leans on private
details of pulumi-policy 1.21.0 (its servicer class, how it builds resources from a request, what
its PolicyPack starts), so the tests here pin them: the release itself; the served pack answers
everything as the same policies under a plain `PolicyPack` do, valid requests or not, under every
config, except that it puts each unknown of an AnalyzeStack on its resource's URN where PolicyPack can
only give one advisory per policy that lists them, and it reads another policy's exemptions where they
cover a finding; two requests in flight together keep their own resources; the shared decoding reads
what pulumi-policy's servicer builds, edge cases included.
"""

from __future__ import annotations

import gc
import inspect
import math
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import Any

import grpc  # type: ignore[import-untyped]
import pulumi
import pytest
from google.protobuf import struct_pb2  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import SPECIAL_ARCHIVE_SIG as ARCHIVE_SIG
from pulumi_policy.deserialize import SPECIAL_ASSET_SIG as ASSET_SIG
from pulumi_policy.policy import _PolicyAnalyzerServicer
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
)

from abuse_guard import crossguard
from abuse_guard.aws.types import LAMBDA_FUNCTION, REST_METHOD
from abuse_guard.crossguard import decode, in_flight, release
from abuse_guard.findings import Outcome
from abuse_guard.policies import BY_ID, POLICIES
from abuse_guard.resources import SECRET_SIG, SIG_KEY, UNKNOWN, Resource
from tests.harness.analyzer import (
    CALL_TIMEOUT,
    PolicyConfig,
    RunningPack,
    analyze_request,
    analyzer_resource,
    previewed,
)
from tests.protocol.conftest import PACK_DIR, started
from tests.protocol.examples import RESOURCE_EXAMPLES, STACK, STACK_EXAMPLES, function, rest_api_graph
from tests.support import resource

ROLE = "aws:iam/role:Role"
"""A type no policy of the pack checks."""

PLAIN_PACK = f'''\
"""The abuse-guard pack served by pulumi-policy's own PolicyPack: what crossguard.serve must equal."""

import runpy

from abuse_guard import crossguard

crossguard.release.SERVER_CHECKED_WITH = "no release"  # serve falls back to PolicyPack
runpy.run_path({str(PACK_DIR / "__main__.py")!r}, run_name="__main__")
'''


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPack]:
    yield from started(tmp_path_factory, PLAIN_PACK)


HIDDEN_PACK = f'''\
"""The abuse-guard pack on a pulumi-policy whose private names cannot be imported, as after an upstream rename."""

import runpy
import types

import pulumi_policy.policy
import pulumi_policy.proxy

HIDDEN = {{
    pulumi_policy.policy: {{"_PolicyAnalyzerServicer", "_GRPC_CHANNEL_OPTIONS"}},
    pulumi_policy.proxy: {{"_DictProxy", "_ListProxy"}},
}}


def hiding(names):
    """A module class whose attributes `names` an import cannot reach; the module's own functions, which read its
    globals directly, still do."""

    class Hiding(types.ModuleType):
        def __getattribute__(self, name):
            if name in names:
                raise AttributeError(name)
            return super().__getattribute__(name)

    return Hiding


for module, names in HIDDEN.items():
    module.__class__ = hiding(frozenset(names))
try:
    from pulumi_policy.proxy import _DictProxy
except ImportError:
    pass
else:
    raise SystemExit("the private names are still importable")
runpy.run_path({str(PACK_DIR / "__main__.py")!r}, run_name="__main__")
'''


@pytest.fixture(scope="module")
def hidden(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPack]:
    yield from started(tmp_path_factory, HIDDEN_PACK)


@pytest.fixture(autouse=True)
def declared_config(pack: RunningPack) -> Iterator[None]:
    pack.configure({})
    yield
    pack.configure({})


# --- the pin ------------------------------------------------------------------------------------


def test_pulumi_policy_is_the_release_serve_was_checked_with() -> None:
    assert release.PULUMI_POLICY_VERSION == release.SERVER_CHECKED_WITH, (
        f"pulumi-policy {release.PULUMI_POLICY_VERSION} is installed, but crossguard.serve and SharedRequests "
        f"were checked against {release.SERVER_CHECKED_WITH}'s PolicyPack and servicer (on any other release "
        "the pack runs as a plain PolicyPack, slower). Re-check them against the new release, then update "
        "SERVER_CHECKED_WITH: this module's tests prove the served pack still answers as PolicyPack does."
    )
    assert list(inspect.signature(_PolicyAnalyzerServicer.__init__).parameters) == [
        "self",
        "name",
        "version",
        "policies",
        "enforcement_level",
        "initial_config",
        "description",
        "display_name",
        "readme",
        "provider",
        "tags",
        "repository",
    ]


def test_on_another_release_serve_is_a_plain_policy_pack(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[tuple[Any, ...]] = []
    monkeypatch.setattr(release, "SERVER_CHECKED_WITH", "no release")
    monkeypatch.setattr(crossguard, "PulumiPolicyPack", lambda *args, **options: built.append((*args, options)))
    crossguard.serve(POLICIES, name="abuse-guard", provider="aws")
    [(name, policies, level, initial_config, options)] = built
    assert (name, level, initial_config, options) == ("abuse-guard", None, None, {"provider": "aws"})
    assert [p.name for p in policies] == [p.id for p in POLICIES]


ANOTHER_RELEASE = """\
import sys

import pulumi_policy.version

pulumi_policy.version.VERSION = "0.0.0-another"
from abuse_guard import crossguard
from abuse_guard.crossguard import decode

assert crossguard.shared_server() is None
assert decode._PROXIES is None
assert "abuse_guard.crossguard.server" not in sys.modules
print("plain")
"""


def test_on_another_release_no_private_name_is_imported() -> None:
    done = subprocess.run(
        [sys.executable, "-c", ANOTHER_RELEASE], capture_output=True, text=True, timeout=120, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "plain\n", "")


# --- the served pack answers as PolicyPack does -------------------------------------------------


def test_the_pack_describes_itself_as_under_policy_pack(pack: RunningPack, plain: RunningPack) -> None:
    assert pack.info() == plain.info()
    assert pack.plugin_info() == plain.plugin_info()


def every_policy_at(level: str) -> dict[str, PolicyConfig]:
    return {p.id: (level, p.defaults()) for p in POLICIES}


CONFIGS: dict[str, dict[str, PolicyConfig]] = {
    "none": {},
    "declared levels and defaults": {p.id: (p.enforcement, p.defaults()) for p in POLICIES},
    "all advisory": every_policy_at("advisory"),
    "all remediate": every_policy_at("remediate"),
    "all disabled": every_policy_at("disabled"),
}


def resources_to_analyze() -> list[Resource]:
    """Every example, resources of types no policy checks, and one exempt by tag."""
    examples = [r for pair in RESOURCE_EXAMPLES.values() for r in pair]
    graphs = [r for pair in STACK_EXAMPLES.values() for graph in pair for r in graph]
    exempt = function("legacy", None, tags={"abuse-guard:exempt:lambda-reserved-concurrency": "retired next week"})
    return [*examples, *graphs, exempt, resource(ROLE, {"name": "role"}, "role")]


def stacks_to_analyze() -> list[Sequence[Resource]]:
    """Every example graph, all of them at once, edge cases of the graph itself."""
    graphs: list[Sequence[Resource]] = [graph for pair in STACK_EXAMPLES.values() for graph in pair]
    everything = {r.urn: r for graph in graphs for r in graph}
    orphaned = [r for r in rest_api_graph(throttled=False) if r.type != "aws:apigateway/restApi:RestApi"]
    pending = [  # unknowns of a stack policy and of a resource policy that decides with the stack
        *(replace(r, props={**r.props, "apiKeyRequired": UNKNOWN}) if r.type == REST_METHOD else r for r in orphaned),
        function("pending", UNKNOWN),
    ]
    return [*graphs, list(everything.values()), orphaned, pending, [function("alone", None)], []]


def assert_same_answers(ours: RunningPack, plain: RunningPack, config: dict[str, PolicyConfig]) -> None:
    """`ours` answers every resource and stack to analyze as `plain` does under `config`."""
    try:
        for running in (ours, plain):
            running.configure(config)
        for r in resources_to_analyze():
            assert ours.analyze(r) == plain.analyze(r), r.urn
            assert ours.remediate(r) == plain.remediate(r), r.urn
        for graph in stacks_to_analyze():
            assert per_policy(ours.analyze_stack(graph)) == per_policy(plain.analyze_stack(graph)), [
                r.urn for r in graph
            ]
    finally:
        for running in (ours, plain):
            running.configure({})


def per_policy(response: analyzer_pb2.AnalyzeResponse) -> analyzer_pb2.AnalyzeResponse:
    """An AnalyzeStack response with its unknowns as a plain PolicyPack gives them: for each policy, one advisory
    without a URN listing "  - <urn>: <message>" for each resource (the server answers each on its URN)."""
    unknown: dict[str, list[Any]] = {}
    kept = analyzer_pb2.AnalyzeResponse()
    kept.not_applicable.extend(response.not_applicable)
    for d in response.diagnostics:
        if d.urn and d.message.startswith(f"can't run policy '{d.policyName}' from policy pack "):
            unknown.setdefault(d.policyName, []).append(d)
        else:
            kept.diagnostics.append(d)
    for said in unknown.values():
        head, _, _ = said[0].message.partition(" during preview: ")
        listed = "".join(f"\n  - {d.urn}: {d.message.partition(' during preview: ')[2]}" for d in said)
        summary = analyzer_pb2.AnalyzeDiagnostic()
        summary.CopyFrom(said[0])
        summary.urn = ""
        summary.message = f"{head} during preview: {len(said)} resource(s) cannot be checked until deployment:{listed}"
        kept.diagnostics.append(summary)
    ordered = sorted(kept.diagnostics, key=lambda d: (d.policyName, d.urn, d.message))
    del kept.diagnostics[:]
    kept.diagnostics.extend(ordered)
    return kept


def test_a_public_urls_exemption_covers_its_grant_where_the_pack_can_read_it(
    pack: RunningPack, plain: RunningPack
) -> None:
    """lambda-function-url-auth's exemption of a public URL covers its companion grant (lambda-permission-scope). The
    server reads that policy's config; a plain PolicyPack gives each policy only its own, so there the grant is
    unknown: never a violation of what the user has exempted."""
    fn = function("public", 1.0)
    url = resource(
        "aws:lambda/functionUrl:FunctionUrl",
        {"functionName": "public", "authorizationType": "NONE"},
        "public-url",
        property_dependencies={"functionName": (fn.urn,)},
    )
    grant = resource(
        "aws:lambda/permission:Permission",
        {"function": "public", "action": "lambda:InvokeFunctionUrl", "principal": "*", "functionUrlAuthType": "NONE"},
        "public-url-grant",
        property_dependencies={"function": (fn.urn,)},
    )
    exempt = {"exemptions": [{"resource": "public-url", "reason": "a public status page"}]}
    config = {"lambda-function-url-auth": ("mandatory", {**BY_ID["lambda-function-url-auth"].defaults(), **exempt})}
    try:
        for running in (pack, plain):
            running.configure(config)
        ours = [e for e in previewed(pack, [fn, url, grant]) if e.policy == "lambda-permission-scope"]
        theirs = [e for e in previewed(plain, [fn, url, grant]) if e.policy == "lambda-permission-scope"]
    finally:
        for running in (pack, plain):
            running.configure({})
    assert ours == []
    [(kind, message)] = [(e.kind, e.message) for e in theirs]
    assert kind is Outcome.UNKNOWN and "lambda-function-url-auth's exemptions cover it cannot be read" in message


@pytest.mark.parametrize("config", CONFIGS.values(), ids=list(CONFIGS))
def test_every_answer_is_policy_packs(pack: RunningPack, plain: RunningPack, config: dict[str, PolicyConfig]) -> None:
    assert_same_answers(pack, plain, config)


def test_without_pulumi_policys_private_names_the_pack_starts_and_answers_as_policy_pack(
    hidden: RunningPack, plain: RunningPack
) -> None:
    """Only the release check decides whether they are imported: should the names be gone, the pack is a plain
    PolicyPack (its props read through serialize_properties), never a pack that fails to start."""
    assert hidden.info() == plain.info()
    assert_same_answers(hidden, plain, CONFIGS["declared levels and defaults"])


def answer(call: Callable[[RunningPack], Any], running: RunningPack) -> Any:
    """The response of `running` to `call`, or the status and details of the error it answered with."""
    try:
        return call(running)
    except grpc.RpcError as error:
        return (error.code(), error.details())


def undecodable_values() -> dict[str, Any]:
    """Wire values pulumi-policy's decoding refuses (json_format, deserialize_properties)."""
    return {
        "nan": math.nan,
        "infinity": -math.inf,
        "nested nan": {"a": [1.0, {"b": math.nan}]},
        "unknown signature": {SIG_KEY: "not-a-signature"},
        "secret without value": {SIG_KEY: SECRET_SIG},
        "asset without contents": {SIG_KEY: ASSET_SIG, "hash": "abc"},
        "archive of a non-asset": {SIG_KEY: ARCHIVE_SIG, "assets": {"a.txt": "text"}},
        # what the server's own reading of an envelope must leave to pulumi-policy, which refuses them
        "asset of a number": {SIG_KEY: ASSET_SIG, "path": 1.0},
        "archive of a secret": {SIG_KEY: ARCHIVE_SIG, "assets": {"a.txt": {SIG_KEY: SECRET_SIG, "value": "x"}}},
        "nan beside an asset's path": {SIG_KEY: ASSET_SIG, "path": "./a", "size": math.nan},
        "nan beside a secret's value": {SIG_KEY: SECRET_SIG, "value": "x", "note": math.nan},
        "nan as an archive's hash": {SIG_KEY: ARCHIVE_SIG, "path": "./dist", "hash": math.nan},
    }


def wire_struct(props: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(props)
    return struct


def with_provider(request: Any, props: dict[str, Any]) -> Any:
    request.provider.CopyFrom(
        analyzer_pb2.AnalyzerProviderResource(
            type="pulumi:providers:aws", urn="urn:pulumi:dev::proj::pulumi:providers:aws::default", name="default"
        )
    )
    request.provider.properties.CopyFrom(wire_struct(props))
    return request


def undecodable_requests() -> list[tuple[str, Callable[[RunningPack], Any]]]:
    checked, unchecked = function("worker", None), resource(ROLE, {"name": "role"}, "role")
    calls: list[tuple[str, Callable[[RunningPack], Any]]] = []
    for label, value in undecodable_values().items():
        for target in (checked, unchecked):
            request = analyze_request(target)
            request.properties.MergeFrom(wire_struct({"extra": value}))
            provided = with_provider(analyze_request(target), {"region": "eu-west-1", "extra": value})
            stack = analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_resource(STACK), analyzer_resource(target)])
            stack.resources[1].properties.MergeFrom(wire_struct({"extra": value}))
            provided_stack = analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_resource(target)])
            with_provider(provided_stack.resources[0], {"extra": value})
            for kind, call in (
                ("props", lambda p, q=request: p.stub.Analyze(q, timeout=CALL_TIMEOUT)),
                ("provider", lambda p, q=provided: p.stub.Analyze(q, timeout=CALL_TIMEOUT)),
                ("stack props", lambda p, q=stack: p.stub.AnalyzeStack(q, timeout=CALL_TIMEOUT)),
                ("stack provider", lambda p, q=provided_stack: p.stub.AnalyzeStack(q, timeout=CALL_TIMEOUT)),
            ):
                calls.append((f"{label} in {target.name} {kind}", call))
    return calls


@pytest.mark.parametrize("config", ["none", "all disabled"])
def test_what_pulumi_policy_cannot_decode_is_answered_as_under_policy_pack(
    pack: RunningPack, plain: RunningPack, config: str
) -> None:
    try:
        for running in (pack, plain):
            running.configure(CONFIGS[config])
        calls, failures = undecodable_requests(), 0
        for label, call in calls:
            ours, theirs = answer(call, pack), answer(call, plain)
            assert ours == theirs, label
            failures += isinstance(theirs, tuple)
        # pulumi-policy decodes for each policy it calls: with every policy disabled, it decodes nothing
        assert failures == (len(calls) if config == "none" else 0)
    finally:
        plain.configure({})


# --- concurrent requests ------------------------------------------------------------------------


def padded(graph: Sequence[Resource], tag: str, size: int = 1500) -> analyzer_pb2.AnalyzeStackRequest:
    """A graph among `size` resources no policy checks: a request long enough for two to overlap."""
    filler = [
        resource(ROLE, {"name": f"{tag}-{i}", "path": "/"}, f"{tag}-role-{i}", parent=STACK.urn) for i in range(size)
    ]
    return analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_resource(r) for r in [*graph, *filler]])


def test_two_concurrent_stack_requests_get_their_own_answers(pack: RunningPack) -> None:
    requests = [
        padded(STACK_EXAMPLES["rest-stage-protected"][1], "a"),
        padded(STACK_EXAMPLES["entrypoint-cost-budget"][1], "b"),
    ]
    expected = [pack.stub.AnalyzeStack(r, timeout=CALL_TIMEOUT) for r in requests]
    assert expected[0] != expected[1]
    assert all(response.diagnostics for response in expected)

    rounds, overlapped = 12, 0
    start = threading.Barrier(2)
    for _ in range(rounds):
        said: list[Any] = [None, None]
        spans: list[tuple[float, float]] = [(0.0, 0.0), (0.0, 0.0)]

        def call(i: int, said: list[Any] = said, spans: list[tuple[float, float]] = spans) -> None:
            start.wait()
            began = time.perf_counter()
            said[i] = pack.stub.AnalyzeStack(requests[i], timeout=CALL_TIMEOUT)
            spans[i] = (began, time.perf_counter())

        threads = [threading.Thread(target=call, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert said == expected
        (a0, a1), (b0, b1) = spans
        overlapped += a0 < b1 and b0 < a1
    assert overlapped > rounds // 2, "the two requests were rarely in flight together"


# --- the shared decoding reads what pulumi-policy builds ------------------------------------------


WIRE_PROPS: dict[str, Any] = {
    "text": "hello",
    "number": 3.0,
    "fraction": 0.25,
    "negative": -1.0,
    "yes": True,
    "no": False,
    "nothing": None,
    "empty object": {},
    "empty list": [],
    "list": ["a", 1.0, None, True, [UNKNOWN_STRING_VALUE], {"k": UNKNOWN_NUMBER_VALUE}],
    "unknowns": {
        "boolean": UNKNOWN_BOOLEAN_VALUE,
        "number": UNKNOWN_NUMBER_VALUE,
        "string": UNKNOWN_STRING_VALUE,
        "array": UNKNOWN_ARRAY_VALUE,
        "asset": UNKNOWN_ASSET_VALUE,
        "archive": UNKNOWN_ARCHIVE_VALUE,
        "object": UNKNOWN_OBJECT_VALUE,
    },
    "secret": {SIG_KEY: SECRET_SIG, "value": "s3cr3t"},
    "secret object": {SIG_KEY: SECRET_SIG, "value": {"token": UNKNOWN_STRING_VALUE, "n": 1.0}},
    "secrets inside": {"env": {"variables": {"TOKEN": {SIG_KEY: SECRET_SIG, "value": ["x", 2.0]}}}},
    "file asset": {SIG_KEY: ASSET_SIG, "path": "./handler.py", "hash": "abc"},
    "string asset": {SIG_KEY: ASSET_SIG, "text": UNKNOWN_STRING_VALUE},
    "remote asset": {SIG_KEY: ASSET_SIG, "uri": "https://example.com/a"},
    "archive": {
        SIG_KEY: ARCHIVE_SIG,
        "assets": {
            "index.py": {SIG_KEY: ASSET_SIG, "text": "def handler(e, c): pass"},
            "lib": {SIG_KEY: ARCHIVE_SIG, "path": "./lib"},
        },
    },
    "remote archive": {SIG_KEY: ARCHIVE_SIG, "uri": "https://example.com/a.zip"},
    # shapes pulumi-policy reads that the engine does not send: the server leaves them to it
    "secret with a note": {SIG_KEY: SECRET_SIG, "value": "s3cr3t", "note": "kept out"},
    "asset with a path and a text": {SIG_KEY: ASSET_SIG, "path": "./a.py", "text": "ignored"},
    "archive with a hash": {SIG_KEY: ARCHIVE_SIG, "path": "./dist", "hash": "abc"},
    "archive of an asset with a number hash": {
        SIG_KEY: ARCHIVE_SIG,
        "assets": {"a": {SIG_KEY: ASSET_SIG, "uri": "s3://b/k", "hash": 1.0}},
    },
    "secret archive": {SIG_KEY: SECRET_SIG, "value": {SIG_KEY: ARCHIVE_SIG, "path": UNKNOWN_STRING_VALUE}},
    SIG_KEY: "at the top level a signature key is a plain property",
}


def wire_resource(name: str, **fields: Any) -> analyzer_pb2.AnalyzerResource:
    urn = f"urn:pulumi:dev::proj::{LAMBDA_FUNCTION}::{name}"
    props = fields.pop("props", WIRE_PROPS)
    options = analyzer_pb2.AnalyzerResourceOptions(
        parent=fields.pop("options_parent", ""), customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts()
    )
    return analyzer_pb2.AnalyzerResource(
        type=LAMBDA_FUNCTION, urn=urn, name=name, properties=wire_struct(props), options=options, **fields
    )


def urn_of(name: str) -> str:
    return f"urn:pulumi:dev::proj::{LAMBDA_FUNCTION}::{name}"


def tricky_stack() -> analyzer_pb2.AnalyzeStackRequest:
    """Links to resources in and out of the request, as pulumi-policy resolves them."""
    missing = urn_of("not-in-the-request")
    return analyzer_pb2.AnalyzeStackRequest(
        resources=[
            wire_resource("root", props={}),
            wire_resource("child", parent=urn_of("root"), options_parent=urn_of("root")),
            wire_resource("stray", parent=missing, options_parent=missing),
            wire_resource("options only", options_parent=urn_of("root")),
            wire_resource(
                "linked",
                dependencies=[urn_of("root"), missing, urn_of("child"), urn_of("root")],
                propertyDependencies={
                    "role": analyzer_pb2.AnalyzerPropertyDependencies(urns=[urn_of("root"), missing]),
                    "gone": analyzer_pb2.AnalyzerPropertyDependencies(urns=[missing]),
                    "none": analyzer_pb2.AnalyzerPropertyDependencies(urns=[]),
                },
            ),
            wire_resource("twice", props={"first": 1.0}),
            wire_resource("twice", props={"second": 2.0}),
        ]
    )


def pulumi_policy_servicer(policy: Any) -> _PolicyAnalyzerServicer:
    return _PolicyAnalyzerServicer("capture", "0.0.1", [policy], EnforcementLevel.ADVISORY)


def test_stack_resources_are_read_as_pulumi_policy_builds_them() -> None:
    built: list[list[PolicyResource]] = []

    def capture(args: StackValidationArgs, report_violation: Any) -> None:
        built.append(args.resources)

    request = tricky_stack()
    pulumi_policy_servicer(StackValidationPolicy(name="capture", description="d", validate=capture)).AnalyzeStack(
        request, None
    )
    [theirs] = built
    ours = decode.resources_from_request(request)
    expected = [decode.resource_from_policy_resource(r) for r in theirs]
    assert ours == expected
    assert repr(ours) == repr(expected)  # floats stay floats, keys keep their order
    assert ours[4].dependencies == (urn_of("root"), urn_of("child"), urn_of("root"))
    assert ours[2].parent == urn_of("not-in-the-request")


def test_an_analyze_resource_is_read_as_pulumi_policy_builds_it() -> None:
    built: list[ResourceValidationArgs] = []

    def capture(args: ResourceValidationArgs, report_violation: Any) -> None:
        built.append(args)

    servicer = pulumi_policy_servicer(ResourceValidationPolicy(name="capture", description="d", validate=capture))
    for options_parent in ("", urn_of("root")):
        wire = wire_resource("fn", options_parent=options_parent)
        request = analyzer_pb2.AnalyzeRequest(
            type=wire.type, urn=wire.urn, name=wire.name, properties=wire.properties, options=wire.options
        )
        servicer.Analyze(request, None)
        ours, expected = decode.resource_from_request(request), decode.resource_from_args(built.pop())
        assert ours == expected
        assert repr(ours) == repr(expected)


def test_a_stand_in_is_known_only_while_its_call_lasts() -> None:
    with in_flight.RESOURCES.holding(decode.resource_from_request(analyze_request(STACK))) as urn:
        assert urn.startswith(in_flight.RESOURCE_STAND_IN)
        assert in_flight.RESOURCES.named(urn) is not None
        assert in_flight.RESOURCES.named(STACK.urn) is None
    assert len(in_flight.RESOURCES) == 0
    with pytest.raises(RuntimeError, match="names no request in flight"):
        in_flight.RESOURCES.named(urn)


def test_each_stand_in_is_new() -> None:
    seen: set[str] = set()
    for _ in range(3):
        with in_flight.STACK_REQUESTS.holding(in_flight.StackRequest(tricky_stack(), lambda name: None)) as urn:
            seen.add(urn)
    assert len(seen) == 3


# --- what the server spares pulumi-policy ---------------------------------------------------------


def in_process_servicer() -> Any:
    """The servicer `crossguard.serve` runs, with every policy of the pack, answering in this process."""
    server = crossguard.shared_server()
    assert server is not None
    converted = [crossguard.pulumi_policy(p, POLICIES) for p in POLICIES]
    return server.SharedRequests(
        server.checking(zip(POLICIES, converted, strict=True)),
        "abuse-guard",
        "0.0.1",
        converted,
        EnforcementLevel.ADVISORY,
    )


def test_analyze_calls_only_the_policies_that_check_the_resource_type(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any other resource policy would return at once, saying nothing (the answers are PolicyPack's, above)."""
    servicer = in_process_servicer()
    called: list[str] = []

    def calling(policy: Any) -> Callable[[Any, Any], Any]:
        validate = policy.validate

        def recorded(args: Any, report_violation: Any) -> Any:
            called.append(policy.name)
            return validate(args, report_violation)

        return recorded

    for policy in servicer.policies:
        monkeypatch.setattr(policy, "validate", calling(policy))
    servicer.Analyze(analyze_request(function("worker", 1.0)), None)
    assert called == ["lambda-reserved-concurrency"]
    called.clear()
    servicer.Analyze(analyze_request(resource(REST_METHOD, {"authorization": "NONE"}, "open")), None)
    assert called == ["rest-method-authorization"]
    called.clear()
    servicer.Analyze(analyze_request(resource(ROLE, {"name": "role"}, "role")), None)
    assert called == []
    everything: list[str] = []
    with servicer.policies.narrowed([servicer.policies[0]]):  # one thread's narrowing is its own
        seen = threading.Thread(target=lambda: everything.extend(p.name for p in servicer.policies))
        seen.start()
        seen.join()
        assert [p.name for p in servicer.policies] == [servicer.policies[0].name]
    assert everything == [p.id for p in POLICIES]
    assert [p.name for p in servicer.policies] == everything


def test_pulumis_runtime_settings_are_read_once_per_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """pulumi-policy reads them from the environment at every call; they stay set in the thread's context."""
    for name, value in {"PULUMI_PROJECT": "shop", "PULUMI_STACK": "prod", "PULUMI_DRY_RUN": "true"}.items():
        monkeypatch.setenv(name, value)
    read: list[str] = []
    real = _PolicyAnalyzerServicer._configure_runtime_settings

    def reading(self: Any) -> None:
        read.append(threading.current_thread().name)
        real(self)

    monkeypatch.setattr(_PolicyAnalyzerServicer, "_configure_runtime_settings", reading)
    servicer = in_process_servicer()
    settings: list[tuple[str, str]] = []

    def answer_twice() -> None:
        for _ in range(2):
            servicer.Analyze(analyze_request(function("worker", 1.0)), None)
            servicer.AnalyzeStack(analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_resource(STACK)]), None)
        settings.append((pulumi.get_project(), pulumi.get_stack()))

    for name in ("first worker", "second worker"):
        worker = threading.Thread(target=answer_twice, name=name)
        worker.start()
        worker.join()
    assert read == ["first worker", "second worker"]
    assert settings == [("shop", "prod")] * 2


def test_an_answered_stack_leaves_nothing_for_the_garbage_collector() -> None:
    """The server releases each request's graph (which what was derived from it refers back to) and the rules keep
    no error with its traceback (whose frames would hold it): the whole request is freed when the call returns,
    not at the collector's next pass over everything."""
    servicer = in_process_servicer()
    api = next(r for r in rest_api_graph(throttled=True) if r.type == "aws:apigateway/restApi:RestApi")
    invoke = resource(  # judged with its sourceArn's API: the rule keeps the error reading it alone
        "aws:lambda/permission:Permission",
        {
            "action": "lambda:InvokeFunction",
            "function": "fn",
            "principal": "apigateway.amazonaws.com",
            "sourceArn": UNKNOWN,
        },
        "api-invoke",
        property_dependencies={"sourceArn": (api.urn,)},
    )
    stacks = [r for graph in stacks_to_analyze() for r in graph] + [api, invoke]
    request = analyzer_pb2.AnalyzeStackRequest(
        resources=[analyzer_resource(r) for r in {r.urn: r for r in stacks}.values()]
    )
    servicer.AnalyzeStack(request, None)  # the first call imports and fills caches
    gc.collect()
    gc.disable()
    try:
        servicer.AnalyzeStack(request, None)
        assert gc.collect() == 0
    finally:
        gc.enable()
