"""The offline preview on programs written the way third parties write them."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

from abuse_guard.findings import Outcome
from abuse_guard.offline import DEPLOYED, FIRST_PREVIEW, Options, ProgramError, program, record
from abuse_guard.offline.project import load_project, load_stack
from abuse_guard.pipeline import preview
from abuse_guard.resources import SECRET, STACK_TYPE, UNKNOWN, Resource
from abuse_guard.run import Run
from tests.offline.projects import write_project

FUNCTION = """
def function(name, **extra):
    return aws.lambda_.Function(
        name,
        role="arn:aws:iam::111122223333:role/worker",
        runtime="python3.12",
        handler="index.handler",
        code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(event, context): pass")}),
        **extra,
    )
"""

COMPUTED_INPUTS = (
    FUNCTION
    + """
limit = aws.ssm.Parameter("concurrency", type="String", value="5")
# `version` is assigned by AWS: unknown at preview, like any output of a resource being created.
function("worker", reserved_concurrent_executions=limit.version)
api = aws.apigatewayv2.Api("api", protocol_type="HTTP")
aws.apigatewayv2.Route(
    "route", api_id=api.id, route_key="GET /items", authorization_type=api.api_endpoint.apply(lambda _: "JWT")
)
"""
)


def recorded(
    root: Path, stack: str = "dev", overrides: dict[str, str] | None = None, outputs: str = DEPLOYED
) -> dict[str, Resource]:
    project = load_project(root)
    config = load_stack(project, stack).overridden(project, overrides or {})
    return {r.resource.name: r.resource for r in record(program(project, config), Options(outputs=outputs))}


def outcome(run: Run, policy: str, name: str) -> Outcome:
    [found] = [f.outcome for f in run.findings if f.policy == policy and f.name == name]
    return found


@pytest.fixture(scope="module")
def computed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("computed"), COMPUTED_INPUTS)


# (outputs model, policy, resource) -> outcome, for a program whose deciding inputs come from other resources'
# outputs: a number AWS assigns (the parameter's version) is unknown in both models, never guessed; a value
# computed from an endpoint is known on a deployed stack (JWT without an authorizer: a fail), unknown at a first one
COMPUTED_CASES = {
    "reservation_from_an_output": (DEPLOYED, "lambda-reserved-concurrency", "worker", Outcome.UNKNOWN),
    "headroom_waits_for_it": (DEPLOYED, "account-concurrency-headroom", "thirdparty-dev", Outcome.UNKNOWN),
    "authorization_type_from_an_endpoint": (DEPLOYED, "api-route-authorization", "route", Outcome.FAIL),
    "first_preview_reservation": (FIRST_PREVIEW, "lambda-reserved-concurrency", "worker", Outcome.UNKNOWN),
    "first_preview_headroom": (FIRST_PREVIEW, "account-concurrency-headroom", "thirdparty-dev", Outcome.UNKNOWN),
    "first_preview_authorization_type": (FIRST_PREVIEW, "api-route-authorization", "route", Outcome.UNKNOWN),
}


@pytest.mark.parametrize(("outputs", "policy", "name", "expected"), COMPUTED_CASES.values(), ids=list(COMPUTED_CASES))
def test_computed_inputs_are_unknown_not_guessed(
    computed: Path, outputs: str, policy: str, name: str, expected: Outcome
) -> None:
    assert outcome(preview(computed, "dev", options=Options(outputs=outputs)), policy, name) is expected


def test_recorded_like_the_engine_sends_it(computed: Path) -> None:
    resources = recorded(computed, outputs=FIRST_PREVIEW)
    worker, route, stack = resources["worker"], resources["route"], resources["thirdparty-dev"]
    assert worker.props["reservedConcurrentExecutions"] is UNKNOWN
    assert worker.props["runtime"] == "python3.12"
    assert route.props["authorizationType"] is UNKNOWN
    assert route.props["routeKey"] == "GET /items"
    assert worker.urn == "urn:pulumi:dev::thirdparty::aws:lambda/function:Function::worker"
    assert stack.type == STACK_TYPE and stack.parent is None
    assert worker.parent == stack.urn
    limit_urn = resources["concurrency"].urn
    assert worker.property_dependencies["reservedConcurrentExecutions"] == (limit_urn,)
    assert limit_urn in worker.dependencies
    assert resources["api"].urn in route.property_dependencies["apiId"]


COMPONENT = """
class Endpoint(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("acme:web:Endpoint", name, None, opts)
        self.topic = aws.sns.Topic(f"{name}-topic", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})

Endpoint("orders")
"""


def test_component_children_carry_the_component_in_their_urn(tmp_path: Path) -> None:
    resources = recorded(write_project(tmp_path, COMPONENT))
    component, topic = resources["orders"], resources["orders-topic"]
    assert topic.urn == "urn:pulumi:dev::thirdparty::acme:web:Endpoint$aws:sns/topic:Topic::orders-topic"
    assert topic.parent == component.urn


def test_secure_config_reaches_the_rules_as_a_secret(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        FUNCTION
        + """
config = pulumi.Config()
function(
    "worker",
    reserved_concurrent_executions=config.require_int("reserved"),
    environment={"variables": {"TOKEN": config.require_secret("token")}},
)
""",
        stacks={"dev": "config:\n  thirdparty:token:\n    secure: v1:AAAA\n"},
    )
    worker = recorded(root, overrides={"reserved": "3"})["worker"]
    assert worker.props["environment"] == {"variables": {"TOKEN": SECRET}}
    assert worker.props["reservedConcurrentExecutions"] == 3.0


# program -> what the warning about a difference from `pulumi preview` names
DIFFERENCES = {
    "data_source_answered_with_a_placeholder": (
        'aws.sns.Topic("topic", display_name=aws.lambda_.get_function(function_name="legacy").arn)\n',
        "aws:lambda/getFunction:getFunction",
    ),
    "stack_transform": (
        "pulumi.runtime.register_resource_transform(lambda args: None)\naws.sns.Topic('topic')\n",
        "transforms",
    ),
    "resource_transform": (
        "aws.sns.Topic('topic', opts=pulumi.ResourceOptions(transforms=[lambda args: None]))\n",
        "transforms",
    ),
}


@pytest.mark.parametrize(("source", "named"), DIFFERENCES.values(), ids=list(DIFFERENCES))
def test_differences_from_a_real_preview_are_warned_about(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, source: str, named: str
) -> None:
    with caplog.at_level(logging.WARNING, logger="abuse_guard.offline"):
        recorded(write_project(tmp_path, source))
    assert named in caplog.text


def test_async_entry_point_and_working_directory(tmp_path: Path) -> None:
    root = write_project(
        tmp_path,
        """
async def main():
    aws.sns.Topic("topic", display_name=open("name.txt").read().strip(), tags={"root": pulumi.get_root_directory()})
    return {"ok": True}

pulumi.run(main)
""",
        files={"name.txt": "orders\n"},
    )
    topic = recorded(root)["topic"]
    assert topic.props["displayName"] == "orders"
    assert topic.props["tags"] == {"root": str(root.resolve())}


def test_each_run_imports_its_own_modules(tmp_path: Path) -> None:
    """Two projects with a `components` module each, run in turn in one process."""
    program = "import components\naws.sns.Topic(components.NAME)\n"
    first = write_project(tmp_path / "first", program, files={"components.py": "NAME = 'first'\n"})
    second = write_project(tmp_path / "second", program, files={"components.py": "NAME = 'second'\n"})
    names = [sorted(recorded(root)) for root in (first, second, first)]
    assert names == [["first", "thirdparty-dev"], ["second", "thirdparty-dev"], ["first", "thirdparty-dev"]]
    assert "components" not in sys.modules


# program -> what the one-line error says after "failed: "
FAILING_PROGRAMS = {
    "raises": ("raise RuntimeError('boom')\n", "RuntimeError: boom"),
    "raises_in_apply": (
        "aws.sns.Topic('t', display_name=pulumi.Output.from_input('x').apply(lambda _: 1 / 0))\n",
        "ZeroDivisionError: division by zero",
    ),
    "missing_config": ("pulumi.Config().require('token')\n", "ConfigMissingError: Missing required configuration"),
    "duplicate_urn": (
        "aws.sns.Topic('t')\naws.sns.Topic('t')\n",
        "ValueError: Duplicate resource URN 'urn:pulumi:dev::thirdparty::aws:sns/topic:Topic::t'",
    ),
}


@pytest.mark.parametrize(("source", "error"), FAILING_PROGRAMS.values(), ids=list(FAILING_PROGRAMS))
def test_a_failing_program_is_a_program_error(tmp_path: Path, source: str, error: str) -> None:
    with pytest.raises(ProgramError) as raised:
        preview(write_project(tmp_path, source), "dev")
    assert f"(stack dev) failed: {error}" in str(raised.value)
    assert raised.value.details.startswith("Traceback")


def test_the_runtime_is_clean_after_a_failure(tmp_path: Path) -> None:
    with pytest.raises(ProgramError):
        preview(write_project(tmp_path / "broken", "raise RuntimeError('boom')\n"), "dev")
    run = preview(write_project(tmp_path / "fine", "aws.sns.Topic('topic')\n"), "dev")
    assert [r.name for r in run.resources] == ["thirdparty-dev", "topic"]


def test_a_program_that_exits_is_a_program_error_without_a_traceback(tmp_path: Path) -> None:
    with pytest.raises(ProgramError) as raised:
        preview(write_project(tmp_path, "import sys\nsys.exit(3)\n"), "dev")
    assert str(raised.value).endswith("(stack dev) failed: it called sys.exit(3)")
    assert raised.value.details == ""
