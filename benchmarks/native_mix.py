"""What the aws-native provider costs the pack: the same generated stack with half its convertible resources
declared through aws-native, against the pulumi-aws-only stack, over gRPC in one run.

The mixed stack is made from the synthetic one by renaming each second resource of a type aws-native
declares one to one (functions, URLs, permissions, REST APIs and resources, usage plans and keys, v2
APIs, routes, integrations and stages) to its aws-native token and property names, the inverse of
abuse_guard/aws/native.py's table; methods, integrations and method settings stay pulumi-aws, so the
graph mixes both providers as real stacks do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import Any

from pulumi.runtime.proto import analyzer_pb2

from abuse_guard.aws.native import RENAMES
from abuse_guard.resources import Resource
from benchmarks import synthetic
from benchmarks.engine import OURS
from benchmarks.results import Figure, Section, Target, median_time
from tests.harness.analyzer import CALL_TIMEOUT, analyze_request, analyzer_resource

ONE_TO_ONE = {
    classic: (native, {new: old for old, new in renames.items()})
    for native, (classic, renames) in RENAMES.items()
    if native not in ("aws-native:apigateway:Method", "aws-native:apigateway:Stage")
}
"""pulumi-aws token -> (aws-native token, pulumi-aws name -> aws-native name) for the one-to-one twins."""


def mixed(resources: list[Resource]) -> list[Resource]:
    """Every second resource of a one-to-one type, declared through aws-native instead."""
    seen: dict[str, int] = {}
    result = []
    for r in resources:
        twin = ONE_TO_ONE.get(r.type)
        seen[r.type] = seen.get(r.type, 0) + 1
        result.append(_native(r, *twin) if twin is not None and seen[r.type] % 2 == 0 else r)
    return result


def _native(r: Resource, token: str, names: Mapping[str, str]) -> Resource:
    props: dict[str, Any] = {names.get(key, key): value for key, value in r.props.items()}
    if isinstance(props.get("tags"), Mapping):
        props["tags"] = [{"key": key, "value": value} for key, value in props["tags"].items()]
    if token == "aws-native:apigatewayv2:Stage" and isinstance(props.get("routeSettings"), list):
        props["routeSettings"] = {
            entry.get("routeKey", ""): {k: v for k, v in entry.items() if k != "routeKey"}
            for entry in props["routeSettings"]
            if isinstance(entry, Mapping)
        }
    deps = {names.get(key, key): urns for key, urns in r.property_dependencies.items()}
    return replace(r, type=token, props=props, property_dependencies=deps)


def compare(section: Section, analyze_size: int, stack_size: int, rounds: int) -> None:
    """Analyze throughput and AnalyzeStack time of the mixed stack against the pulumi-aws-only one."""
    plain = synthetic.stack(analyze_size)
    stacks = {"pulumi-aws only": plain, "mixed with aws-native": mixed(plain)}
    requests = {label: [analyze_request(r) for r in resources] for label, resources in stacks.items()}
    big = synthetic.stack(stack_size)
    stack_requests = {
        "pulumi-aws only": analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_resource(r) for r in big]),
        "mixed with aws-native": analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_resource(r) for r in mixed(big)]),
    }
    analyze: dict[str, list[float]] = {label: [] for label in stacks}
    stack: dict[str, list[float]] = {label: [] for label in stacks}
    with OURS.started() as pack:
        for label in stacks:  # warm-up
            for request in requests[label]:
                pack.stub.Analyze(request, timeout=CALL_TIMEOUT)
            pack.stub.AnalyzeStack(stack_requests[label], timeout=CALL_TIMEOUT)
        for _ in range(rounds):  # the two take turns, so load on the machine falls on both alike
            for label in stacks:
                analyze[label].append(median_time(partial(_all, pack, requests[label]), 1))
                call = partial(pack.stub.AnalyzeStack, stack_requests[label], timeout=CALL_TIMEOUT)
                stack[label].append(median_time(call, 1))
    native_share = sum(r.type.startswith("aws-native:") for r in stacks["mixed with aws-native"]) / len(plain)
    section.add(
        Figure("aws-native share of the mixed stack", native_share * 100, "%"),
        Figure(
            f"Analyze, {analyze_size:,} resources: throughput ratio mixed / pulumi-aws only",
            _ratio(analyze["pulumi-aws only"], analyze["mixed with aws-native"]),
            "",
            Target(">=", 0.95),
            note="median over rounds of the pulumi-aws-only time over the mixed time: 1 is no slower",
        ),
        Figure(
            f"AnalyzeStack, {stack_size:,} resources: time ratio mixed / pulumi-aws only",
            _ratio(stack["mixed with aws-native"], stack["pulumi-aws only"]),
            "",
            Target("<=", 1.05),
            note="median over rounds of the mixed time over the pulumi-aws-only time: 1 is no slower",
        ),
    )


def _all(pack: Any, requests: list[analyzer_pb2.AnalyzeRequest]) -> None:
    for request in requests:
        pack.stub.Analyze(request, timeout=CALL_TIMEOUT)


def _ratio(numerators: list[float], denominators: list[float]) -> float | None:
    ratios = sorted(n / d for n, d in zip(numerators, denominators, strict=True) if d > 0)
    return ratios[len(ratios) // 2] if ratios else None
