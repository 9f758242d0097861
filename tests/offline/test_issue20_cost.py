"""Issue 20's cost and concurrency kinds through the offline preview: programs as a user writes them, run under both
outputs models (the engine reads a `Resource.get` at every preview, a first one too, so its outputs are known in
both). The same programs join the parity corpus (tests/protocol/test_parity.py), so the pack over gRPC gives the
same verdicts. Sources are named in tests/protocol/test_issue20_cost.py, which has the rule's table.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from abuse_guard.commands.preview import summary
from abuse_guard.findings import Finding, Outcome
from abuse_guard.offline import DEPLOYED, FIRST_PREVIEW, Options
from abuse_guard.pipeline import preview
from tests.offline.projects import write_project
from tests.offline.test_preview import FUNCTION

# 20.2: a function read with .get behind a REST API's proxy method, on an unthrottled stage (the shape)
GET_FUNCTION_BEHIND_REST = """
existing = aws.lambda_.Function.get("existing", "orders-handler")
api = aws.apigateway.RestApi("api")
proxy = aws.apigateway.Resource("proxy", rest_api=api.id, parent_id=api.root_resource_id, path_part="{proxy+}")
method = aws.apigateway.Method(
    "proxy-any", rest_api=api.id, resource_id=proxy.id, http_method="ANY", authorization="AWS_IAM"
)
integration = aws.apigateway.Integration(
    "proxy-integration",
    rest_api=api.id,
    resource_id=proxy.id,
    http_method=method.http_method,
    type="AWS_PROXY",
    integration_http_method="POST",
    uri=existing.invoke_arn,
)
deployment = aws.apigateway.Deployment(
    "deployment", rest_api=api.id, opts=pulumi.ResourceOptions(depends_on=[integration])
)
aws.apigateway.Stage("prod", rest_api=api.id, deployment=deployment.id, stage_name="prod")
"""

# 20.2: an HTTP API route to a function ARN from config, on a stage throttled at 5 requests/s
ARN_FROM_CONFIG_BEHIND_HTTP = """
config = pulumi.Config()
api = aws.apigatewayv2.Api("api", protocol_type="HTTP")
integration = aws.apigatewayv2.Integration(
    "integration",
    api_id=api.id,
    integration_type="AWS_PROXY",
    integration_uri=config.get("handlerArn") or "arn:aws:lambda:us-east-1:490876619407:function:catalogue",
)
aws.apigatewayv2.Route(
    "route", api_id=api.id, route_key="GET /items", authorization_type="AWS_IAM",
    target=integration.id.apply(lambda i: f"integrations/{i}"),
)
aws.apigatewayv2.Stage(
    "stage", api_id=api.id, name="$default", auto_deploy=True,
    default_route_settings={"throttling_rate_limit": 5, "throttling_burst_limit": 10},
)
"""
HANDLER_ARN = "arn:aws:lambda:eu-west-1:490876619407:function:orders-handler"

# 20.3 and the compliant shape: a throttled function URL with IAM auth, a reservation
COMPLIANT = (
    FUNCTION
    + """
worker = function("worker", reserved_concurrent_executions=5, timeout=10)
aws.lambda_.FunctionUrl("url", function_name=worker.name, authorization_type="AWS_IAM")
"""
)
NUMBERS = "config:\n  aws:region: us-east-1\n  aws:allowedAccountIds: [490876619407, 474008963679]\n"
LOST_ZERO = "config:\n  aws:region: us-east-1\n  aws:allowedAccountIds: [12345678901]\n"

# 20.6: anomalyco/sst#5829's shape: 850 reserved, 100 provisioned on an alias of an unreserved function
PROVISIONED = (
    FUNCTION
    + """
function("batch", reserved_concurrent_executions=850)
api = function("api", publish=True)
live = aws.lambda_.Alias("live", function_name=api.name, function_version=api.version)
aws.lambda_.ProvisionedConcurrencyConfig(
    "warm", function_name=live.function_name, qualifier=live.name, provisioned_concurrent_executions=100
)
"""
)

# name -> (program, stack file, config overrides, policy, resource, outcome)
CASES: dict[str, tuple[str, str, dict[str, str], str, str, Outcome]] = {
    "get_function_behind_an_unthrottled_rest_stage": (
        GET_FUNCTION_BEHIND_REST,
        "config: {}\n",
        {},
        "entrypoint-cost-budget",
        "proxy-any",
        Outcome.FAIL,
    ),
    "arn_from_config_behind_a_throttled_http_stage": (
        ARN_FROM_CONFIG_BEHIND_HTTP,
        "config: {}\n",
        {"handlerArn": HANDLER_ARN},
        "entrypoint-cost-budget",
        "route",
        Outcome.UNKNOWN,
    ),
    "account_ids_as_numbers_headroom": (
        COMPLIANT,
        NUMBERS,
        {},
        "account-concurrency-headroom",
        "thirdparty-dev",
        Outcome.PASS,
    ),
    "account_ids_as_numbers_cost": (COMPLIANT, NUMBERS, {}, "entrypoint-cost-budget", "url", Outcome.PASS),
    "account_id_that_lost_its_leading_zero": (
        COMPLIANT,
        LOST_ZERO,
        {},
        "account-concurrency-headroom",
        "thirdparty-dev",
        Outcome.FAIL,
    ),
    "sst_5829_provisioned_concurrency": (
        PROVISIONED,
        "config: {}\n",
        {},
        "account-concurrency-headroom",
        "thirdparty-dev",
        Outcome.FAIL,
    ),
}


def finding(tmp_path: Path, case: str, outputs: str) -> Finding:
    program, stack, overrides, policy, name, _ = CASES[case]
    project = write_project(tmp_path, program, stacks={"dev": stack})
    run = preview(project, "dev", overrides, options=Options(outputs=outputs))
    [found] = [f for f in run.findings if f.policy == policy and f.name == name]
    return found


@pytest.mark.parametrize("outputs", [DEPLOYED, FIRST_PREVIEW])
@pytest.mark.parametrize("case", list(CASES))
def test_the_offline_preview_decides_as_the_rule(tmp_path: Path, case: str, outputs: str) -> None:
    found = finding(tmp_path, case, outputs)
    assert found.outcome is CASES[case][-1], found.message


def test_a_read_function_is_named_by_the_id_given_to_get(tmp_path: Path) -> None:
    message = finding(tmp_path, "get_function_behind_an_unthrottled_rest_stage", FIRST_PREVIEW).message
    assert message.startswith(
        "REST method 'proxy-any' -> Lambda function 'orders-handler' can cost at least $90,720.00/month"
    )
    assert "which is not in this stack" in message and "yet" not in message


def test_a_function_arn_from_config_is_named_and_priced_in_its_region(tmp_path: Path) -> None:
    message = finding(tmp_path, "arn_from_config_behind_a_throttled_http_stage", DEPLOYED).message
    assert message.startswith("HTTP route 'route' -> Lambda function 'orders-handler' costs from $12.96 to ")
    assert "yet" not in message


def test_an_account_id_that_lost_its_zero_says_to_quote_it(tmp_path: Path) -> None:
    message = finding(tmp_path, "account_id_that_lost_its_leading_zero", DEPLOYED).message
    assert (
        'allowedAccountIds[0] must be an account ID: 12 digits, quoted if it begins with 0 ("012345678901")' in message
    )


# the printed summary shows the notes the JSON has (issue 20, Messages): here a Region regionPrices does not list
IN_ANOTHER_REGION = (
    FUNCTION
    + """
worker = function("worker", reserved_concurrent_executions=2, timeout=10, memory_size=128)
aws.lambda_.FunctionUrl("url", function_name=worker.name, authorization_type="AWS_IAM")
"""
)


def test_the_printed_summary_shows_the_region_notes_of_the_json(tmp_path: Path) -> None:
    project = write_project(tmp_path, IN_ANOTHER_REGION, stacks={"dev": "config:\n  aws:region: ap-south-1\n"})
    run = preview(project, "dev")
    [entrypoint] = run.entrypoints
    note = "FunctionUrl 'url' is in ap-south-1, which regionPrices does not list: priced at the default prices"
    assert any(n.startswith(note) for n in entrypoint.notes)
    [line] = [line for line in summary(run).splitlines() if line.startswith("  within budget ")]
    assert note in line and "API Gateway" not in line
