"""Which component made it: every finding names the nearest non-stack, non-provider ancestor of its resource,
and every report format shows it (the pulumi_aws_apigateway state, the reference stacks, an event log)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from abuse_guard.cli import main
from abuse_guard.errors import UserError
from abuse_guard.evaluate import evaluation
from abuse_guard.findings import Component
from abuse_guard.graph import Graph
from abuse_guard.pipeline import read_event_log
from abuse_guard.policies import POLICIES
from abuse_guard.report import json_report, markdown
from abuse_guard.resources import STACK_TYPE, Resource
from tests.report.test_escaping import _cells
from tests.report.test_formats import page_data
from tests.report.test_sarif_schema import violations
from tests.sources import FIXTURES

REPO = Path(__file__).parents[2]

# --- Graph.component_of: one walk up the parents, for every source ---

STACK = Resource("urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev", STACK_TYPE, "shop-dev")
PROVIDER = Resource("urn:pulumi:dev::shop::pulumi:providers:aws::eu", "pulumi:providers:aws", "eu", parent=STACK.urn)
KIT = Resource("urn:pulumi:dev::shop::shop:index:Kit::kit", "shop:index:Kit", "kit", parent=STACK.urn)
INNER = Resource(
    "urn:pulumi:dev::shop::shop:index:Kit$shop:index:Api::orders", "shop:index:Api", "orders", parent=KIT.urn
)
# A provider made inside a component: a resource under it belongs to the component.
KIT_PROVIDER = Resource(
    "urn:pulumi:dev::shop::shop:index:Kit$pulumi:providers:aws::kit-eu",
    "pulumi:providers:aws",
    "kit-eu",
    parent=KIT.urn,
)
# Parents the engine never records: two providers that are each other's parent, and two resources.
LOOP_A = Resource("urn:pulumi:dev::shop::pulumi:providers:aws::a", "pulumi:providers:aws", "a", parent="urn:b")
LOOP_B = Resource("urn:b", "pulumi:providers:aws", "b", parent=LOOP_A.urn)
PING = Resource("urn:pulumi:dev::shop::shop:index:Ping::ping", "shop:index:Ping", "ping", parent="urn:pong")
PONG = Resource("urn:pong", "shop:index:Pong", "pong", parent=PING.urn)
GRAPH = Graph([STACK, PROVIDER, KIT, INNER, KIT_PROVIDER, LOOP_A, LOOP_B, PING, PONG])

FUNCTION = "aws:lambda/function:Function"


def function(parent: str | None) -> Resource:
    return Resource("urn:pulumi:dev::shop::aws:lambda/function:Function::fn", FUNCTION, "fn", parent=parent)


COMPONENT_OF: dict[str, tuple[Resource, tuple[str, str, str] | None]] = {
    # resource: (urn, type, name) of its component, or None
    "directly_under_the_stack": (function(STACK.urn), None),
    "no_parent": (function(None), None),
    "in_a_component": (function(KIT.urn), (KIT.urn, "shop:index:Kit", "kit")),
    "nested_components_the_nearest": (function(INNER.urn), (INNER.urn, "shop:index:Api", "orders")),
    "under_a_provider_in_a_component": (function(KIT_PROVIDER.urn), (KIT.urn, "shop:index:Kit", "kit")),
    "under_a_provider_under_the_stack": (function(PROVIDER.urn), None),
    "missing_parent_named_by_its_urn": (
        function("urn:pulumi:dev::shop::shop:index:Kit$shop:index:Gone::gone"),
        ("urn:pulumi:dev::shop::shop:index:Kit$shop:index:Gone::gone", "shop:index:Gone", "gone"),
    ),
    "missing_stack_parent": (function("urn:pulumi:dev::shop::pulumi:pulumi:Stack::other"), None),
    "missing_provider_parent": (function("urn:pulumi:dev::shop::pulumi:providers:aws::gone"), None),
    "missing_parent_that_is_no_urn": (function("not-a-urn"), None),
    "cycle_of_providers": (function(LOOP_A.urn), None),
    "own_parent": (Resource("urn:self", FUNCTION, "self", parent="urn:self"), None),
    "in_a_cycle_of_components_the_parent": (PING, ("urn:pong", "shop:index:Pong", "pong")),
}


@pytest.mark.parametrize(("resource", "expected"), COMPONENT_OF.values(), ids=list(COMPONENT_OF))
def test_component_of(resource: Resource, expected: tuple[str, str, str] | None) -> None:
    found = GRAPH.component_of(resource)
    assert (None if found is None else (found.urn, found.type, found.name)) == expected


def test_a_component_is_named_as_declared() -> None:
    """A parent seen through its pulumi-aws view (aws/native.py) is named by its aws-native type."""
    native = Resource(
        "urn:pulumi:dev::shop::aws-native:apigateway:RestApi::api", "aws-native:apigateway:RestApi", "api"
    )
    view = replace(native, type="aws:apigateway/restApi:RestApi", declared=native)
    assert Component.of(view) == Component(native.urn, "aws-native:apigateway:RestApi", "api")


def test_an_evaluation_finishes_on_a_cycle_of_parents() -> None:
    fn = Resource(
        "urn:pulumi:dev::shop::aws:lambda/function:Function::fn",
        FUNCTION,
        "fn",
        {"reservedConcurrentExecutions": 1},
        parent=LOOP_A.urn,
    )
    findings = evaluation(POLICIES, [STACK, LOOP_A, LOOP_B, fn]).findings
    assert {(f.name, f.component) for f in findings if f.urn == fn.urn} == {("fn", None)}


# --- The pulumi_aws_apigateway component's state, through `abuse_guard report` ---

COMPONENT_STATE = FIXTURES / "state-aws-apigateway-component.json"
API = "urn:pulumi:test::api::aws-apigateway:index:RestAPI::api"
API_COMPONENT = {"urn": API, "type": "aws-apigateway:index:RestAPI", "name": "api"}
API_LABEL = "aws-apigateway:index:RestAPI 'api'"
REST_API = "urn:pulumi:test::api::aws-apigateway:index:RestAPI$aws:apigateway/restApi:RestApi::api"
STAGE = "urn:pulumi:test::api::aws-apigateway:index:RestAPI$aws:apigateway/stage:Stage::api"
LAMBDA = "urn:pulumi:test::api::aws:lambda/function:Function::lambda"
STATE_STACK = "urn:pulumi:test::api::pulumi:pulumi:Stack::api-test"


@pytest.fixture(scope="module")
def component_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The directory of the component state's reports, every format."""
    out = tmp_path_factory.mktemp("component-state")
    assert main(["report", "--input", str(COMPONENT_STATE), "--out", str(out), "--fail-on", "never"]) == 0
    return out / "test"


def test_state_json_names_the_component(component_state: Path) -> None:
    document = json.loads((component_state / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, json_report.schema(), cls=jsonschema.Draft202012Validator)
    assert document["schemaVersion"] == "1.2"
    placed = {(f["urn"], f["policy"]): f.get("component") for f in document["findings"]}
    assert placed[REST_API, "rest-method-authorization"] == API_COMPONENT
    assert placed[STAGE, "rest-stage-protected"] == API_COMPONENT
    assert placed[LAMBDA, "lambda-reserved-concurrency"] is None  # directly under the stack
    assert placed[STATE_STACK, "account-concurrency-headroom"] is None
    # Everything the component made (its type leads the URN's type chain) is in it; nothing else is.
    assert {urn: component for (urn, _), component in placed.items()} == {
        urn: API_COMPONENT if "::aws-apigateway:index:RestAPI$" in urn else None for urn, _ in placed
    }


def test_state_markdown_names_the_component(component_state: Path) -> None:
    rows = [
        [cell.strip() for cell in _cells(line)]
        for line in (component_state / "summary.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and "mandatory" in line
    ]
    components = {(row[0], row[2], row[3]): row[4] for row in rows}
    assert components["rest-method-authorization", "api", "aws:apigateway/restApi:RestApi"] == API_LABEL
    assert components["rest-stage-protected", "api", "aws:apigateway/stage:Stage"] == API_LABEL
    assert components["lambda-reserved-concurrency", "lambda", FUNCTION] == "—"


def test_state_sarif_nests_the_resource_in_its_component(component_state: Path) -> None:
    document = json.loads((component_state / "report.sarif").read_text(encoding="utf-8"))
    assert violations(document) == []
    (run,) = document["runs"]
    cached = run["logicalLocations"]
    by_urn: dict[str, list[dict[str, Any]]] = {}
    for result in run["results"]:
        by_urn.setdefault(result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], []).append(result)
    for result in by_urn[REST_API]:
        (logical,) = result["locations"][0]["logicalLocations"]
        assert logical == {**cached[logical["index"]], "index": logical["index"]}
        assert cached[logical["parentIndex"]] == {"fullyQualifiedName": API, "name": "api", "kind": "resource"}
        assert result["properties"]["component"] == API_LABEL
    for result in by_urn[LAMBDA]:
        assert result["locations"][0]["logicalLocations"] == [
            {"fullyQualifiedName": LAMBDA, "name": "lambda", "kind": "resource"}
        ]
        assert "component" not in result["properties"]
    assert [entry["fullyQualifiedName"] for entry in cached].count(API) == 1


def test_state_html_names_the_component(component_state: Path) -> None:
    data = page_data((component_state / "report.html").read_text(encoding="utf-8"))
    rows = {
        row[2] if isinstance(row[2], str) else f"{data['heads'][row[2]]}::{row[0]}": row for row in data["resources"]
    }
    assert data["components"] == [[API_LABEL, API]]
    assert data["components"][rows[REST_API][5]] == [API_LABEL, API]
    assert data["components"][rows[STAGE][5]] == [API_LABEL, API]
    assert len(rows[LAMBDA]) <= 5  # no component: no sixth field


# --- The reference stacks' components (stacks/components.py, stacks/native.py), previewed offline ---

DEMO = "abuse-guard-demo:index"
REFERENCE_COMPONENTS = {
    # (policy, resource name): component label
    ("rest-method-authorization", "webhook-method"): f"{DEMO}:ProtectedRestEndpoint 'webhook'",
    ("usage-plan-limits", "webhook-plan"): f"{DEMO}:ProtectedRestEndpoint 'webhook'",
    ("api-route-authorization", "items-get-items"): f"{DEMO}:JwtHttpApi 'items'",
    ("stage-throttling", "items-stage"): f"{DEMO}:JwtHttpApi 'items'",
    ("api-route-authorization", "live-connect"): f"{DEMO}:AuthorizedWebSocketApi 'live'",
    ("lambda-permission-scope", "live-invoke"): f"{DEMO}:AuthorizedWebSocketApi 'live'",
    ("lambda-reserved-concurrency", "refresh-cache"): None,
    ("lambda-function-url-auth", "report-url"): None,
}
NATIVE_COMPONENTS = {
    ("rest-method-authorization", "native-webhook-method"): f"{DEMO}:NativeWebhook 'native-webhook'",
    ("stage-throttling", "native-webhook-stage"): f"{DEMO}:NativeWebhook 'native-webhook'",
    ("api-route-authorization", "native-items-get-items"): f"{DEMO}:NativeJwtHttpApi 'native-items'",
    ("lambda-reserved-concurrency", "native-refresh-cache"): None,
}
SPOT_CHECKS = {
    "compliant": REFERENCE_COMPONENTS,
    "insecure": REFERENCE_COMPONENTS,
    "native": NATIVE_COMPONENTS,
    "native-insecure": NATIVE_COMPONENTS,
}


@pytest.fixture(scope="module", params=list(SPOT_CHECKS))
def reference(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    stack = str(request.param)
    out = tmp_path_factory.mktemp(stack)
    arguments = ["report", "--project", str(REPO), "--stack", stack, "--out", str(out), "--fail-on", "never"]
    assert main([*arguments, "--format", "json,markdown"]) == 0
    return stack, out / stack


def test_reference_stacks_name_their_components(reference: tuple[str, Path]) -> None:
    stack, directory = reference
    document = json.loads((directory / "report.json").read_text(encoding="utf-8"))
    types = {r["urn"]: r["type"] for r in document["resources"]}
    labels = {}
    for f in document["findings"]:
        component = f.get("component")
        label = None if component is None else Component(**component).label
        labels[f["policy"], f["name"]] = label
        chain = f["urn"].split("::")[2].split("$")  # the engine leaves the stack out of the type chain
        if len(chain) == 1:
            assert component is None, f
        else:  # the nearest component is the type before the resource's own, and a resource of the stack
            assert component is not None and component["type"] == chain[-2] == types[component["urn"]], f
    assert {key: labels.get(key, "no finding") for key in SPOT_CHECKS[stack]} == SPOT_CHECKS[stack]


def test_reference_stack_markdown_shows_the_json_components(reference: tuple[str, Path]) -> None:
    _, directory = reference
    document = json.loads((directory / "report.json").read_text(encoding="utf-8"))
    failing = {
        (f["policy"], markdown.escape(f["name"]), markdown.escape(Component(**f["component"]).label))
        if f.get("component")
        else (f["policy"], markdown.escape(f["name"]), "—")
        for f in document["findings"]
        if f["outcome"] == "fail"
    }
    _, heading, table = (directory / "summary.md").read_text(encoding="utf-8").partition("#### Failing findings")
    rows = [[cell.strip() for cell in _cells(line)] for line in table.splitlines() if line.startswith("| ")]
    shown = {(row[0], row[2], row[4]) for row in rows[2:]}  # past the header and its rule
    assert (bool(heading), shown) == (bool(failing), failing)


# --- An engine event log: the parents its step events record ---


def _event(kind: str, **payload: Any) -> str:
    return json.dumps({"sequence": 0, "timestamp": 0, kind: payload}) + "\n"


def _step(urn: str, type_: str, parent: Any) -> str:
    state = {"type": type_, "urn": urn, "parent": parent, "inputs": {}, "outputs": {}}
    return _event("resourcePreEvent", metadata={"op": "create", "urn": urn, "type": type_, "old": None, "new": state})


def _violation(urn: str) -> str:
    return _event(
        "policyEvent",
        resourceUrn=urn,
        message="open\n",
        color="raw",
        policyName="rest-method-authorization",
        policyPackName="abuse-guard",
        policyPackVersion="0.1.0",
        enforcementLevel="mandatory",
    )


LOG_STACK = "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev"
LOG_API = "urn:pulumi:dev::shop::aws-apigateway:index:RestAPI::api"
LOG_REST_API = "urn:pulumi:dev::shop::aws-apigateway:index:RestAPI$aws:apigateway/restApi:RestApi::api"
LOG_METHOD = "urn:pulumi:dev::shop::aws:apigateway/method:Method::top"
LOG_UNSEEN = "urn:pulumi:dev::shop::aws-apigateway:index:RestAPI$aws:apigateway/method:Method::unseen"


def test_event_log_findings_name_the_component(tmp_path: Path) -> None:
    log = tmp_path / "events.ndjson"
    log.write_text(
        _step(LOG_STACK, STACK_TYPE, "")
        + _step(LOG_API, "aws-apigateway:index:RestAPI", LOG_STACK)
        + _step(LOG_REST_API, "aws:apigateway/restApi:RestApi", LOG_API)
        + _step(LOG_METHOD, "aws:apigateway/method:Method", LOG_STACK)
        + "".join(_violation(urn) for urn in (LOG_REST_API, LOG_METHOD, LOG_UNSEEN))
        + _event("summaryEvent", isPreview=True, result="failed"),
        encoding="utf-8",
    )
    run = read_event_log(log)
    assert {f.urn: f.component for f in run.findings} == {
        LOG_REST_API: Component(LOG_API, "aws-apigateway:index:RestAPI", "api"),
        LOG_METHOD: None,  # directly under the stack
        LOG_UNSEEN: None,  # no step event: the log does not say its parent
    }


def test_event_log_parent_that_is_no_text_is_bad_input(tmp_path: Path) -> None:
    log = tmp_path / "events.ndjson"
    log.write_text(_step(LOG_STACK, STACK_TYPE, "") + _step(LOG_METHOD, "aws:apigateway/method:Method", 7))
    with pytest.raises(UserError) as raised:
        read_event_log(log)
    assert str(raised.value) == f"{log}: line 2: resourcePreEvent: 'parent' is not a string"
