"""Who reaches an open operation (issue 19, points 3 and 4) is decided with the stack, under the engine as offline.

Driven as the engine drives the pack (Analyze per resource, then AnalyzeStack once; tests/harness), the violations
and unknowns of rest-method-authorization and api-route-authorization are, resource by resource, the offline
preview's fails and unknowns, with the same messages (docs/front-doors.md, "Who reaches an operation that
authorizes no one"). The per-resource Analyze cannot see the API, its resource policy or its custom domains, so these
verdicts are reported at AnalyzeStack against the operation's own URN (the interface of issue 19).
"""

from __future__ import annotations

from typing import Any

import pytest

from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Outcome
from abuse_guard.policies import BY_ID
from abuse_guard.resources import UNKNOWN, Resource
from tests.harness.analyzer import RunningPack, reported
from tests.rules.test_custom_domains import domain, http, mapped
from tests.rules.test_rest_resource_policies import (
    PRIVATE,
    PRIVATE_LIST,
    VPCE,
    allow,
    api_policy,
    deny,
    doc,
    rest,
    text,
)

OURS = ("rest-method-authorization", "api-route-authorization")
SOURCE_IPS = {"NotIpAddress": {"aws:SourceIp": "192.0.2.0/24"}}
HTTP_DOMAIN = "aws:apigatewayv2/domainName:DomainName"
API_MAPPING = "aws:apigatewayv2/apiMapping:ApiMapping"
OFF = {"disableExecuteApiEndpoint": True}

# (stack, the operation's offline outcome): each shape in the direction it passes and the one it fails
SHAPES: dict[str, tuple[tuple[list[Resource], str], Outcome]] = {
    # aquasecurity/tfsec#1314: a private API's policy without aws:SourceVpce admits every account's endpoints
    "private_policy_admits_every_endpoint": (rest({**PRIVATE, "policy": text(allow())}), Outcome.FAIL),
    "private_policy_names_its_endpoint": (rest({**PRIVATE, "policy": text(allow(**VPCE))}), Outcome.PASS),
    "private_rest_api_policy_resource_names_its_endpoint": (
        rest(PRIVATE, extra=api_policy(text(allow(**VPCE)))),
        Outcome.PASS,
    ),
    "native_private_policy_object_names_its_endpoint": (
        rest({**PRIVATE_LIST, "policy": doc(allow(**VPCE))}, api_type="aws-native:apigateway:RestApi"),
        Outcome.PASS,
    ),
    "private_policy_not_known_yet": (rest({**PRIVATE, "policy": UNKNOWN}), Outcome.UNKNOWN),
    # "How API Gateway resource policies affect authorization workflow": an explicit deny keeps every caller out
    "public_explicit_deny_to_everyone": (rest({"policy": text(allow(), deny())}), Outcome.PASS),
    "public_source_ip_ranges_only": (rest({"policy": text(allow(), deny(**SOURCE_IPS))}), Outcome.FAIL),
    # "Disable the default endpoint for HTTP APIs" and mutual TLS on every custom domain that maps the API
    "http_route_only_through_mutual_tls": (
        http(OFF, mapped(domain(type_=HTTP_DOMAIN), mapping=API_MAPPING)),
        Outcome.PASS,
    ),
    "http_route_mutual_tls_bypassed": (http({}, mapped(domain(type_=HTTP_DOMAIN), mapping=API_MAPPING)), Outcome.FAIL),
}


def engine_run(pack: RunningPack, resources: list[Resource]) -> dict[tuple[str, str], tuple[Outcome, str]]:
    """What the engine is told of our two policies across Analyze (each resource) and AnalyzeStack (once): the
    violations and the "can't run policy" advisories, by (policy, URN)."""
    said = [e for r in resources for e in reported(pack.analyze(r), r.urn)]
    said += reported(pack.analyze_stack(resources))
    return {
        (e.policy, e.urn): (e.kind, e.message)
        for e in said
        if e.policy in OURS and e.kind in (Outcome.FAIL, Outcome.UNKNOWN)
    }


def offline(
    resources: list[Resource], config: dict[str, Any] | None = None
) -> dict[tuple[str, str], tuple[Outcome, str]]:
    found = evaluate([BY_ID[p] for p in OURS], resources, config or {})
    return {(f.policy, f.urn): (f.outcome, f.message) for f in found if f.outcome in (Outcome.FAIL, Outcome.UNKNOWN)}


@pytest.fixture(autouse=True)
def defaults(pack: RunningPack) -> None:
    pack.configure({})


@pytest.mark.parametrize(("stack", "outcome"), SHAPES.values(), ids=list(SHAPES))
def test_the_engine_reports_what_the_offline_preview_decides(
    pack: RunningPack, stack: tuple[list[Resource], str], outcome: Outcome
) -> None:
    resources, urn = stack
    expected = offline(resources)
    assert {kind for (_, at), (kind, _) in expected.items() if at == urn} == (
        set() if outcome is Outcome.PASS else {outcome}
    )
    assert engine_run(pack, resources) == expected


def test_an_exempt_operation_is_no_violation_under_the_engine(pack: RunningPack) -> None:
    resources, _ = rest({**PRIVATE, "policy": text(allow())})
    exemption = {"exemptions": [{"resource": "get", "reason": "called by partners' VPC endpoints"}]}
    pack.configure({"rest-method-authorization": ("mandatory", exemption)})
    assert offline(resources, {"rest-method-authorization": exemption}) == {}
    assert engine_run(pack, resources) == {}
