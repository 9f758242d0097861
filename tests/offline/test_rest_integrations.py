"""Issue 20 item 1 through the offline preview and the pack: a REST integration belongs to the method with its (REST
API, resource, HTTP method), whichever resource its inputs come from.

The program is the issue's (Pulumi's aws-py-apigateway-lambda-serverless shape): the root integration is written
`aws.apigateway.Integration("integration-root", rest_api=api.id, resource_id=api.root_resource_id,
http_method=proxy_method.http_method, ...)`, so its httpMethod depends on the proxy method, but API Gateway attaches
it to the root method (REST API Reference, PutIntegration: restApiId, resourceId, httpMethod). Each integration here
invokes a function of its own, so which method got which is seen in the priced entrypoint.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from abuse_guard.evaluate import evaluate
from abuse_guard.findings import Outcome
from abuse_guard.offline import DEPLOYED, FIRST_PREVIEW
from abuse_guard.policies import POLICIES
from tests.harness.analyzer import previewed, start_pack
from tests.offline.projects import write_project
from tests.offline.test_preview import FUNCTION, recorded

REPO = Path(__file__).resolve().parents[2]

PROXY_AND_ROOT = (
    FUNCTION
    + """
proxy_handler = function("proxy-handler")
root_handler = function("root-handler")
api = aws.apigateway.RestApi("api")
proxy_resource = aws.apigateway.Resource(
    "proxy-resource", rest_api=api.id, parent_id=api.root_resource_id, path_part="{proxy+}"
)
proxy_method = aws.apigateway.Method(
    "proxy", rest_api=api.id, resource_id=proxy_resource.id, http_method="ANY", authorization="NONE"
)
root_method = aws.apigateway.Method(
    "proxy-root", rest_api=api.id, resource_id=api.root_resource_id, http_method="ANY", authorization="NONE"
)
aws.apigateway.Integration(
    "integration",
    rest_api=api.id,
    resource_id=proxy_method.resource_id,
    http_method=proxy_method.http_method,
    integration_http_method="POST",
    type="AWS_PROXY",
    uri=proxy_handler.invoke_arn,
)
aws.apigateway.Integration(
    "integration-root",
    rest_api=api.id,
    resource_id=api.root_resource_id,
    http_method=proxy_method.http_method,
    integration_http_method="POST",
    type="AWS_PROXY",
    uri=root_handler.invoke_arn,
)
deployment = aws.apigateway.Deployment(
    "deployment", rest_api=api.id, opts=pulumi.ResourceOptions(depends_on=[proxy_method, root_method])
)
aws.apigateway.Stage("prod", rest_api=api.id, deployment=deployment.id, stage_name="prod")
"""
)

# method -> the function its own integration invokes
BEHIND = {"proxy": "proxy-handler", "proxy-root": "root-handler"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("proxy-and-root"), PROXY_AND_ROOT)


@pytest.mark.parametrize("outputs", [DEPLOYED, FIRST_PREVIEW])
def test_each_method_is_priced_with_its_own_integration(project: Path, outputs: str) -> None:
    resources = list(recorded(project, outputs=outputs).values())
    costs = {f.name: f for f in evaluate(POLICIES, resources) if f.policy == "entrypoint-cost-budget"}
    for method, function in BEHIND.items():
        found = costs[method]
        assert found.outcome is Outcome.FAIL, found.message  # an unthrottled public stage breaks a $100 budget
        assert f"REST method '{method}' -> Lambda function '{function}'" in found.message
    with start_pack(REPO / "policy-pack") as pack:
        said = {(e.policy, e.urn, e.kind, e.message) for e in previewed(pack, resources)}
    expected = {(f.policy, f.urn, f.outcome, f.message) for f in evaluate(POLICIES, resources)}
    shown = (Outcome.FAIL, Outcome.UNKNOWN)
    assert {s for s in said if s[2] in shown} == {e for e in expected if e[2] in shown}
