"""abuse-guard's policies added to a platform team's own pack: `PolicyPack("ours", [*ours, *policies(...)])`.

Each pack here is a pack directory written to a temporary directory and started as the engine starts one, its
`__main__.py` composing policies of the team's own (FOREIGN below: a resource policy, a stack policy and two
remediations) with a selection of abuse-guard's. With `abuse_guard.crossguard.PolicyPack` the pack answers as one
pack of all of them in the order given, the team's policies see the real requests, and abuse-guard's selected
policies give exactly the verdicts of abuse-guard's own pack (the `pack` fixture), the shared decoding, per-resource
unknowns at AnalyzeStack and covering exemptions included. With pulumi_policy.PolicyPack the fails are the same
except where another policy's exemption might cover one (unknown there), and AnalyzeStack's unknowns are one
advisory per policy.
"""

from __future__ import annotations

import re
import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pulumi_policy.policy
import pytest
from google.protobuf import json_format  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy
from pulumi_policy import PolicyPack as PulumiPolicyPack

from abuse_guard import crossguard
from abuse_guard.aws.types import LAMBDA_FUNCTION_URL, LAMBDA_PERMISSION, REST_METHOD
from abuse_guard.crossguard import PolicyPack, policies, release
from abuse_guard.findings import Outcome
from abuse_guard.offline import recorded
from abuse_guard.policies import BY_ID, POLICIES
from abuse_guard.policy import SEVERITIES
from abuse_guard.resources import UNKNOWN, Resource
from tests.harness.analyzer import Reported, RunningPack, previewed, reported
from tests.protocol.conftest import started
from tests.protocol.examples import function, rest_api_graph
from tests.support import resource

REPO = Path(__file__).resolve().parents[2]
STACKS = ["compliant", "insecure", "native", "native-insecure"]

HIGH = [p.id for p in POLICIES if SEVERITIES.index(p.severity) >= SEVERITIES.index("high")]
"""What `policies(severity="high")` selects: high and critical, in the registry's order."""

FOREIGN = '''\
"""A platform team's own policies (the pack's __main__.py defines them, as a team's pack does)."""

from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy


def owner_tag(args, report_violation):
    tag = args.get_config().get("tag", "owner")
    if args.resource_type == "aws:lambda/function:Function" and tag not in (args.props.get("tags") or {}):
        size = args.props.get("memorySize")
        report_violation(f"{args.urn} ({args.props.get('runtime')}, {size} MB) has no {tag} tag")


def census(args, report_violation):
    for r in args.resources:
        report_violation(f"saw {r.resource_type} {r.name} with {len(r.dependencies)} dependencies", r.urn)


def tag_team(args):
    if args.resource_type == "aws:lambda/function:Function":
        return {**args.props, "tags": {**(args.props.get("tags") or {}), "team": "platform"}}
    return None


def echo_concurrency(args):
    if args.resource_type == "aws:lambda/function:Function":
        seen = str(args.props.get("reservedConcurrentExecutions"))
        return {**args.props, "tags": {**(args.props.get("tags") or {}), "seen-concurrency": seen}}
    return None


def description(name):
    return f"the platform team's {name}"


TAG_TEAM = ResourceValidationPolicy(name="tag-team", description=description("team tag"), remediate=tag_team)
OWNER_TAG = ResourceValidationPolicy(
    name="owner-tag",
    description=description("owner tag"),
    validate=owner_tag,
    enforcement_level=EnforcementLevel.MANDATORY,
)
CENSUS = StackValidationPolicy(name="census", description=description("census"), validate=census)
ECHO = ResourceValidationPolicy(
    name="echo-concurrency", description=description("echo"), remediate=echo_concurrency
)
'''

COMPOSED = f"""{FOREIGN}
from abuse_guard.crossguard import PolicyPack, policies

PolicyPack("ours", [TAG_TEAM, OWNER_TAG, *policies(severity="high"), CENSUS, ECHO])
"""

PLAIN = f"""{FOREIGN}
from pulumi_policy import PolicyPack

from abuse_guard.crossguard import policies

PolicyPack("ours", [TAG_TEAM, OWNER_TAG, *policies(severity="high"), CENSUS, ECHO])
"""

ADVISORY = f"""{FOREIGN}
from abuse_guard.crossguard import PolicyPack, policies

PolicyPack(
    "ours",
    [OWNER_TAG, *policies(ids=["lambda-reserved-concurrency", "lambda-function-url-auth"], enforcement="advisory")],
)
"""

ORDER = ["tag-team", "owner-tag", *HIGH, "census", "echo-concurrency"]
ROLE_ARN = "arn:aws:iam::123456789012:role/worker"
"""A known role: the team's remediations read every property, and pulumi-policy refuses to read an unknown one."""


@pytest.fixture(scope="module")
def composed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPack]:
    yield from started(tmp_path_factory, COMPOSED)


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPack]:
    yield from started(tmp_path_factory, PLAIN)


@pytest.fixture(scope="module")
def advisory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPack]:
    yield from started(tmp_path_factory, ADVISORY)


@pytest.fixture(autouse=True)
def declared_config(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every pack a test uses starts and ends it with the declared levels and defaults."""
    running = [request.getfixturevalue(name) for name in ("pack", "composed", "plain") if name in request.fixturenames]
    for pack in running:
        pack.configure({})
    yield
    for pack in running:
        pack.configure({})


def ours(entries: Iterable[Reported]) -> Counter[Reported]:
    """What abuse-guard's selected policies said, as a multiset."""
    return Counter(e for e in entries if e.policy in HIGH)


def theirs(entries: Iterable[Reported], policy: str) -> list[Reported]:
    return [e for e in entries if e.policy == policy]


def pending_graph() -> list[Resource]:
    """REST methods whose API key requirement and a function whose concurrency are unknown at preview."""
    orphaned = [r for r in rest_api_graph(throttled=False) if r.type != "aws:apigateway/restApi:RestApi"]
    return [
        *(replace(r, props={**r.props, "apiKeyRequired": UNKNOWN}) if r.type == REST_METHOD else r for r in orphaned),
        function("pending", UNKNOWN),
    ]


def public_url() -> tuple[list[Resource], dict[str, Any]]:
    """A public function URL, its companion grant, and the config that exempts the URL."""
    fn = function("public", 1.0)
    url = resource(
        LAMBDA_FUNCTION_URL,
        {"functionName": "public", "authorizationType": "NONE"},
        "public-url",
        property_dependencies={"functionName": (fn.urn,)},
    )
    grant = resource(
        LAMBDA_PERMISSION,
        {"function": "public", "action": "lambda:InvokeFunctionUrl", "principal": "*", "functionUrlAuthType": "NONE"},
        "public-url-grant",
        property_dependencies={"function": (fn.urn,)},
    )
    exempt = {"exemptions": [{"resource": "public-url", "reason": "a public status page"}]}
    return [fn, url, grant], {**BY_ID["lambda-function-url-auth"].defaults(), **exempt}


CASES = [*STACKS, "pending", "public url"]
"""The reference stacks, and graphs with unknowns at AnalyzeStack and with a grant an exemption may cover."""


def resources_of(case: str) -> list[Resource]:
    if case == "pending":
        return pending_graph()
    if case == "public url":
        return public_url()[0]
    return recorded(REPO, case)


# --- one pack, in the order given -------------------------------------------------------------------


def test_the_pack_lists_every_policy_in_the_order_given(composed: RunningPack, pack: RunningPack) -> None:
    info = composed.info()
    assert info.name == "ours"
    assert [p.name for p in info.policies] == ORDER
    described = {p.name: p for p in pack.info().policies}
    assert [p for p in info.policies if p.name in HIGH] == [described[i] for i in HIGH]
    assert composed.plugin_info() == pack.plugin_info()


def test_answers_are_in_pack_order(composed: RunningPack) -> None:
    """A function without an owner tag or reserved concurrency: the team's policy before abuse-guard's; at
    AnalyzeStack, abuse-guard's stack policies before the team's census."""
    fn = function("unowned", None)
    assert [d.policyName for d in composed.analyze(fn).diagnostics] == ["owner-tag", "lambda-reserved-concurrency"]
    stack = composed.analyze_stack([*rest_api_graph(throttled=False), fn])
    names = [d.policyName for d in stack.diagnostics]
    assert {"rest-stage-protected", "census"} <= set(names)
    assert names == sorted(names, key=ORDER.index)


# --- the team's policies see the real requests --------------------------------------------------------


def test_the_teams_policy_sees_the_real_resource(composed: RunningPack) -> None:
    fn = function("unowned", 1.0)
    [said] = theirs(reported(composed.analyze(fn), fn.urn), "owner-tag")
    assert said == Reported("owner-tag", fn.urn, Outcome.FAIL, f"{fn.urn} (python3.12, 128.0 MB) has no owner tag")
    [violation] = [d for d in composed.analyze(fn).diagnostics if d.policyName == "owner-tag"]
    assert violation.enforcementLevel == analyzer_pb2.MANDATORY
    owned = function("owned", 1.0, tags={"owner": "payments"})
    assert theirs(reported(composed.analyze(owned), owned.urn), "owner-tag") == []


def test_config_reaches_the_teams_policies_and_abuse_guards(composed: RunningPack) -> None:
    fn = function("unowned", None, tags={"owner": "payments"})
    assert [e.policy for e in reported(composed.analyze(fn), fn.urn) if e.kind is Outcome.FAIL] == [
        "lambda-reserved-concurrency"
    ]
    composed.configure(
        {
            "owner-tag": ("mandatory", {"tag": "cost-centre"}),
            "lambda-reserved-concurrency": ("disabled", BY_ID["lambda-reserved-concurrency"].defaults()),
        }
    )
    [said] = [e for e in reported(composed.analyze(fn), fn.urn) if e.kind is Outcome.FAIL]
    assert said.policy == "owner-tag" and said.message.endswith("has no cost-centre tag")


def test_at_analyze_stack_the_teams_policy_sees_every_resource(composed: RunningPack) -> None:
    graph = rest_api_graph(throttled=True)
    census = theirs(reported(composed.analyze_stack(graph)), "census")
    assert {e.urn for e in census} == {r.urn for r in graph}
    for r in graph:
        [said] = [e for e in census if e.urn == r.urn]
        assert said.message == f"saw {r.type} {r.name} with {len(r.dependencies)} dependencies"


# --- abuse-guard's policies: the verdicts of abuse-guard's own pack -------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_the_selected_policies_give_the_full_packs_verdicts(
    composed: RunningPack, pack: RunningPack, case: str
) -> None:
    resources = resources_of(case)
    together, alone = previewed(composed, resources), previewed(pack, resources)
    assert ours(together) == ours(alone)
    if case.endswith("insecure") or case == "public url":
        assert any(e.kind is Outcome.FAIL for e in ours(together))
    if case == "pending":
        assert any(e.kind is Outcome.UNKNOWN for e in ours(together))
    assert theirs(together, "census")  # the team's policies ran too


def test_unknowns_at_analyze_stack_are_on_each_resources_urn(composed: RunningPack, pack: RunningPack) -> None:
    graph = pending_graph()
    together = reported(composed.analyze_stack(graph))
    unknown = [e for e in together if e.kind is Outcome.UNKNOWN]
    assert unknown and all(e.urn for e in unknown)
    assert ours(together) == ours(reported(pack.analyze_stack(graph)))
    assert ours(previewed(composed, graph)) == ours(previewed(pack, graph))


def test_a_public_urls_exemption_covers_its_grant(composed: RunningPack) -> None:
    graph, exempt = public_url()
    grant = graph[-1]
    before = theirs(previewed(composed, graph), "lambda-permission-scope")
    assert [(e.urn, e.kind) for e in before] == [(grant.urn, Outcome.FAIL)]
    composed.configure({"lambda-function-url-auth": ("mandatory", exempt)})
    assert theirs(previewed(composed, graph), "lambda-permission-scope") == []


# --- Remediate: one chain, in pack order -----------------------------------------------------------------


def props_of(remediation: Any) -> dict[str, Any]:
    return dict(json_format.MessageToDict(remediation.properties))


def test_remediations_chain_in_pack_order(composed: RunningPack) -> None:
    """Each remediation is given what the one before it returned: the team's tag, then abuse-guard's reserved
    concurrency (keeping the tag), then the team's echo of that concurrency."""
    composed.configure(
        {
            "tag-team": ("remediate", {}),
            "lambda-reserved-concurrency": ("remediate", BY_ID["lambda-reserved-concurrency"].defaults()),
            "echo-concurrency": ("remediate", {}),
        }
    )
    response = composed.remediate(function("webhook", None, role=ROLE_ARN))
    assert [r.policyName for r in response.remediations] == [
        "tag-team",
        "lambda-reserved-concurrency",
        "echo-concurrency",
    ]
    first, ours_, last = (props_of(r) for r in response.remediations)
    assert first["tags"] == {"team": "platform"}
    assert (ours_["reservedConcurrentExecutions"], ours_["tags"]) == (1, {"team": "platform"})
    assert last["tags"].keys() == {"team", "seen-concurrency"} and float(last["tags"]["seen-concurrency"]) == 1
    assert {r.policyPackName for r in response.remediations} == {"ours"}


# --- selection and levels -----------------------------------------------------------------------------


def test_an_enforcement_override_is_each_selected_policys_level(advisory: RunningPack) -> None:
    levels = {p.name: p.enforcementLevel for p in advisory.info().policies}
    assert levels == {
        "owner-tag": analyzer_pb2.MANDATORY,
        "lambda-reserved-concurrency": analyzer_pb2.ADVISORY,
        "lambda-function-url-auth": analyzer_pb2.ADVISORY,
    }
    fn = function("unreserved", None)
    [violation] = [d for d in advisory.analyze(fn).diagnostics if d.policyName == "lambda-reserved-concurrency"]
    assert violation.enforcementLevel == analyzer_pb2.ADVISORY
    try:  # the pack's config still sets a policy's level
        advisory.configure({"lambda-reserved-concurrency": ("mandatory", {})})
        [violation] = [d for d in advisory.analyze(fn).diagnostics if d.policyName == "lambda-reserved-concurrency"]
        assert violation.enforcementLevel == analyzer_pb2.MANDATORY
    finally:
        advisory.configure({})


def test_a_selection_is_in_the_registrys_order() -> None:
    assert [p.name for p in policies(severity="high")] == HIGH
    assert [p.name for p in policies(severity="critical")] == ["lambda-function-url-auth", "load-balancer-lambda-auth"]
    assert [p.name for p in policies()] == [p.id for p in POLICIES]
    assert [p.name for p in policies(ids=["stage-throttling", "lambda-function-url-auth"])] == [
        "lambda-function-url-auth",
        "stage-throttling",
    ]
    assert [p.name for p in policies(ids="stage-throttling")] == ["stage-throttling"]
    assert [p.name for p in policies(tags=["load-balancer", "usage-plan"])] == [
        "load-balancer-lambda-auth",
        "usage-plan-limits",
        "rest-stage-protected",
    ]
    assert [p.name for p in policies(tags="lambda", severity="critical")] == [
        "lambda-function-url-auth",
        "load-balancer-lambda-auth",
    ]


def test_each_selected_policy_remembers_its_abuse_guard_policy() -> None:
    chosen = policies(severity="high", enforcement=EnforcementLevel.ADVISORY)
    sources = [crossguard.adapter.source(p) for p in chosen]
    assert [s.id if s else None for s in sources] == HIGH
    assert all(s is not None and s.enforcement == "advisory" for s in sources)
    assert {p.enforcement_level for p in chosen} == {EnforcementLevel.ADVISORY}
    assert crossguard.adapter.source(ResourceValidationPolicy(name="x", description="d", validate=print)) is None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            {"ids": ["lambda-reserved-concurrency", "lambda-url-auth"]},
            "abuse-guard has no policy 'lambda-url-auth'; its policies are lambda-reserved-concurrency, "
            + ", ".join(p.id for p in POLICIES[1:]),
        ),
        ({"severity": "urgent"}, "severity 'urgent' is not one of low, medium, high, critical"),
        ({"tags": ["lambda", "serverless"]}, "no abuse-guard policy has the tag 'serverless'; their tags are "),
        ({"enforcement": "block"}, "enforcement 'block' is not one of advisory, mandatory, remediate, disabled"),
        ({"ids": []}, "no abuse-guard policy matches ids=[]"),
        (
            {"severity": "critical", "tags": "usage-plan"},
            "no abuse-guard policy matches severity='critical', tags='usage-plan'",
        ),
        ({"ids": [3]}, "ids: 3 is not a string"),
    ],
)
def test_a_bad_selection_is_one_clear_error(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        policies(**arguments)
    assert str(raised.value).startswith(message)


# --- PolicyPack is pulumi_policy.PolicyPack's drop-in ---------------------------------------------------


BAD_PACKS: dict[str, tuple[tuple[Any, ...], dict[str, Any]]] = {
    "no name": (("", policies(ids="stage-throttling")), {}),
    "a bad name": (("our pack", policies(ids="stage-throttling")), {}),
    "no policies": (("ours", []), {}),
    "a tuple of policies": (("ours", tuple(policies(ids="stage-throttling"))), {}),
    "a policy that is not one": (("ours", ["stage-throttling"]), {}),
    "a level that is not one": (("ours", policies(ids="stage-throttling"), "mandatory"), {}),
    "a bad initial config": (("ours", policies(ids="stage-throttling")), {"initial_config": {"all": "mandatory"}}),
    "an unknown option": (("ours", policies(ids="stage-throttling")), {"colour": "blue"}),
}


@pytest.mark.parametrize("case", list(BAD_PACKS))
def test_bad_arguments_fail_as_under_pulumi_policys_policy_pack(case: str) -> None:
    args, kwargs = BAD_PACKS[case]
    with pytest.raises(TypeError) as expected:
        PulumiPolicyPack(*args, **kwargs)
    with pytest.raises(TypeError) as raised:
        PolicyPack(*args, **kwargs)
    assert str(raised.value) == str(expected.value)


def test_the_servicer_gets_policy_packs_arguments() -> None:
    server = crossguard.shared_server()
    assert server is not None
    chosen = policies(ids="stage-throttling")
    arguments = server.servicer_arguments("ours", chosen, description="d", tags=["t"])
    assert arguments == {
        "name": "ours",
        "version": "0.0.1",
        "policies": chosen,
        "enforcement_level": EnforcementLevel.ADVISORY,
        "initial_config": None,
        "description": "d",
        "display_name": None,
        "readme": None,
        "provider": None,
        "tags": ["t"],
        "repository": None,
    }
    assert pulumi_policy.policy._PolicyAnalyzerServicer is server._PolicyAnalyzerServicer  # put back


def test_on_another_release_policy_pack_is_pulumi_policys(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[tuple[Any, ...]] = []
    monkeypatch.setattr(release, "SERVER_CHECKED_WITH", "no release")
    monkeypatch.setattr(crossguard, "PulumiPolicyPack", lambda *args, **options: built.append((*args, options)))
    chosen = policies(severity="critical")
    PolicyPack("ours", chosen, EnforcementLevel.MANDATORY, readme="r")
    assert built == [("ours", chosen, EnforcementLevel.MANDATORY, None, {"readme": "r"})]


# --- pulumi_policy.PolicyPack: the same fails, with the documented differences ----------------------------


def expanded(entries: Iterable[Reported]) -> set[tuple[str, str, Outcome, str]]:
    """(policy, URN, outcome, message) of each entry, a plain PolicyPack's stack-wide advisory ("N resource(s)
    cannot be checked until deployment:" then "  - <urn>: <message>" per resource) as one per resource."""
    result: set[tuple[str, str, Outcome, str]] = set()
    for e in entries:
        if e.kind is Outcome.UNKNOWN and not e.urn and "cannot be checked until deployment:" in e.message:
            for line in e.message.splitlines()[1:]:
                urn, _, message = line.removeprefix("  - ").partition(": ")
                result.add((e.policy, urn, e.kind, message))
        else:
            result.add((e.policy, e.urn, e.kind, e.message))
    return result


COVER_UNREAD = "(whether lambda-function-url-auth's exemptions cover it cannot be read: "


@pytest.mark.parametrize("case", CASES)
def test_under_pulumi_policys_policy_pack_the_fails_are_the_same_but_where_an_exemption_may_cover_them(
    plain: RunningPack, composed: RunningPack, case: str
) -> None:
    resources = resources_of(case)
    ours_said = expanded(e for e in previewed(composed, resources) if e.policy in HIGH)
    plain_said = expanded(e for e in previewed(plain, resources) if e.policy in HIGH)
    covered = {
        (p, u, Outcome.FAIL, m.partition(f" {COVER_UNREAD}")[0]) for p, u, _, m in plain_said if COVER_UNREAD in m
    }
    assert {p for p, *_ in covered} == ({"lambda-permission-scope"} if case == "public url" else set())
    fails = {(p, u, m) for p, u, o, m in ours_said if o is Outcome.FAIL}
    assert fails == {(p, u, m) for p, u, o, m in plain_said | covered if o is Outcome.FAIL}
    unknown = {(p, u, m) for p, u, o, m in ours_said if o is Outcome.UNKNOWN}
    assert unknown == {(p, u, m) for p, u, o, m in plain_said if o is Outcome.UNKNOWN and COVER_UNREAD not in m}
    assert {p for p, *_ in plain_said} == {p for p, *_ in ours_said}


def test_under_pulumi_policys_policy_pack_stack_unknowns_are_one_advisory_per_policy(
    plain: RunningPack, composed: RunningPack
) -> None:
    graph = pending_graph()
    said = [e for e in reported(plain.analyze_stack(graph)) if e.kind is Outcome.UNKNOWN]
    assert said and all(e.urn == "" for e in said)
    assert len({e.policy for e in said}) == len(said)
    assert expanded(said) == {
        (e.policy, e.urn, e.kind, e.message)
        for e in reported(composed.analyze_stack(graph))
        if e.kind is Outcome.UNKNOWN
    }


def test_under_pulumi_policys_policy_pack_a_grant_an_exemption_may_cover_is_unknown(plain: RunningPack) -> None:
    graph, exempt = public_url()
    for config in ({}, {"lambda-function-url-auth": ("mandatory", exempt)}):
        plain.configure(config)
        [said] = theirs(previewed(plain, graph), "lambda-permission-scope")
        assert said.kind is Outcome.UNKNOWN and COVER_UNREAD in said.message


def test_under_pulumi_policys_policy_pack_the_teams_policies_and_remediations_are_the_same(
    plain: RunningPack, composed: RunningPack
) -> None:
    fn, graph = function("unowned", None, role=ROLE_ARN), rest_api_graph(throttled=True)
    assert composed.info() == plain.info()
    assert theirs(reported(plain.analyze(fn), fn.urn), "owner-tag") == theirs(
        reported(composed.analyze(fn), fn.urn), "owner-tag"
    )
    assert theirs(reported(plain.analyze_stack(graph)), "census") == theirs(
        reported(composed.analyze_stack(graph)), "census"
    )
    config = {
        "tag-team": ("remediate", {}),
        "lambda-reserved-concurrency": ("remediate", BY_ID["lambda-reserved-concurrency"].defaults()),
        "echo-concurrency": ("remediate", {}),
    }
    for running in (plain, composed):
        running.configure(config)
    assert plain.remediate(fn) == composed.remediate(fn)


# --- the documented form ----------------------------------------------------------------------------------

COMPOSE_DOC = REPO / "docs" / "compose.md"


def test_the_documented_pack_serves_its_policy_and_the_selection(tmp_path_factory: pytest.TempPathFactory) -> None:
    [main] = re.findall(r"```python\n(.*?)```", COMPOSE_DOC.read_text(encoding="utf-8"), re.DOTALL)
    for documented in started(tmp_path_factory, textwrap.dedent(main)):
        assert [p.name for p in documented.info().policies] == ["owner-tag", *HIGH]
        fn = function("unowned", None)
        said = [(e.policy, e.message) for e in reported(documented.analyze(fn), fn.urn) if e.kind is Outcome.FAIL]
        assert said[0] == ("owner-tag", "tag the function with its owner")
        assert [p for p, _ in said] == ["owner-tag", "lambda-reserved-concurrency"]


def test_the_documented_tags_are_the_registrys() -> None:
    [line] = re.findall(r"^The tags: (.*?)\.$", COMPOSE_DOC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    assert re.findall(r"`([^`]+)`", line) == sorted({t for p in POLICIES for t in p.tags})
