"""How the program is answered: the outputs models, data sources, and multi-language components."""

from __future__ import annotations

import json
import logging
from collections import Counter
from pathlib import Path

import pytest

from abuse_guard.cli import main
from abuse_guard.errors import UserError
from abuse_guard.findings import Outcome
from abuse_guard.offline import COMPONENTS_POLICY, DEPLOYED, FIRST_PREVIEW, Options, ProgramError, answers, recorded
from abuse_guard.pipeline import preview
from abuse_guard.report import html, json_report, junit, markdown, sarif
from abuse_guard.report.model import Report
from abuse_guard.resources import UNKNOWN
from abuse_guard.run import Run
from tests.offline.projects import write_project

REGION = "config:\n  aws:region: eu-west-1\n"

# A webhook behind a REST API whose routes are an OpenAPI body built from the function's invoke ARN, with
# an API key, a usage plan and a stage throttle, and permissions scoped to the API and to a bucket by account.
COMPLIANT = """
import json

lambda_service = [{"type": "Service", "identifiers": ["lambda.amazonaws.com"]}]
assume = aws.iam.get_policy_document(statements=[{"actions": ["sts:AssumeRole"], "principals": lambda_service}])
role = aws.iam.Role("role", assume_role_policy=assume.json)
webhook = aws.lambda_.Function(
    "webhook",
    role=role.arn,
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(event, context): return {}")}),
    reserved_concurrent_executions=1,
    timeout=10,
)


def openapi(invoke_arn):
    return json.dumps({
        "swagger": "2.0",
        "info": {"title": "hooks", "version": "1"},
        "securityDefinitions": {"api_key": {"type": "apiKey", "name": "x-api-key", "in": "header"}},
        "paths": {"/hook": {"post": {
            "security": [{"api_key": []}],
            "x-amazon-apigateway-integration": {"type": "aws_proxy", "httpMethod": "POST", "uri": invoke_arn},
        }}},
    })


api = aws.apigateway.RestApi("hooks", body=webhook.invoke_arn.apply(openapi))
deployment = aws.apigateway.Deployment("hooks", rest_api=api.id, triggers={"body": api.body})
stage = aws.apigateway.Stage("prod", rest_api=api.id, deployment=deployment.id, stage_name="prod")
aws.apigateway.MethodSettings(
    "prod-all", rest_api=api.id, stage_name=stage.stage_name, method_path="*/*",
    settings={"throttling_rate_limit": 5, "throttling_burst_limit": 10},
)
plan = aws.apigateway.UsagePlan(
    "partner", api_stages=[{"api_id": api.id, "stage": stage.stage_name}],
    throttle_settings={"rate_limit": 2, "burst_limit": 5}, quota_settings={"limit": 5000, "period": "DAY"},
)
key = aws.apigateway.ApiKey("partner")
aws.apigateway.UsagePlanKey("partner", key_id=key.id, key_type="API_KEY", usage_plan_id=plan.id)
aws.lambda_.Permission(
    "from-api", action="lambda:InvokeFunction", function=webhook.name, principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/POST/hook"),
)
uploads = aws.s3.Bucket("uploads")
aws.lambda_.Permission(
    "from-uploads", action="lambda:InvokeFunction", function=webhook.name, principal="s3.amazonaws.com",
    source_arn=uploads.arn, source_account=aws.get_caller_identity().account_id,
)
"""


@pytest.fixture(scope="module")
def compliant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("compliant"), COMPLIANT, stacks={"dev": REGION})


def outcomes(run: Run, outcome: Outcome) -> set[tuple[str, str]]:
    return {(f.policy, f.name) for f in run.findings if f.outcome is outcome}


# outputs model -> (the unknowns of the correctly linked program, its outcome counts); it fails nothing in either.
# At a first preview the body built from the invoke ARN is unknown: its operation cannot be read, so neither its
# authorization nor its cost, and the stage's timeout check has no integration to compare (not-applicable).
MODELS = {
    DEPLOYED: (set(), {Outcome.PASS: 10}),
    FIRST_PREVIEW: (
        {("rest-method-authorization", "hooks"), ("entrypoint-cost-budget", "hooks")},
        {Outcome.PASS: 7, Outcome.UNKNOWN: 2, Outcome.NOT_APPLICABLE: 1},
    ),
}


@pytest.mark.parametrize(("outputs", "unknowns", "counts"), [(m, *v) for m, v in MODELS.items()], ids=list(MODELS))
def test_a_correctly_linked_program_is_clean_on_a_deployed_stack(
    compliant: Path, outputs: str, unknowns: set[tuple[str, str]], counts: dict[Outcome, int]
) -> None:
    run = preview(compliant, "dev", options=Options(outputs=outputs))
    assert (outcomes(run, Outcome.FAIL), outcomes(run, Outcome.UNKNOWN)) == (set(), unknowns)
    assert Counter(f.outcome for f in run.findings) == counts


def test_deployed_outputs_are_well_formed_and_in_the_configured_region(compliant: Path) -> None:
    resources = {r.name: r for r in recorded(compliant, "dev")}
    webhook = resources["webhook"].props
    function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:webhook-"
    body = json.loads(resources["hooks"].props["body"])
    uri = body["paths"]["/hook"]["post"]["x-amazon-apigateway-integration"]["uri"]
    assert uri.startswith(f"arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{function_arn}")
    assert uri.endswith("/invocations")
    api_arn = resources["from-api"].props["sourceArn"]
    assert api_arn.startswith("arn:aws:execute-api:eu-west-1:123456789012:") and api_arn.endswith("/*/POST/hook")
    uploads = resources["from-uploads"].props
    assert uploads["sourceArn"].startswith("arn:aws:s3:::uploads-")
    assert (uploads["sourceAccount"], uploads["function"]) == ("123456789012", resources["from-api"].props["function"])
    assert "reservedConcurrentExecutions" in webhook and webhook["role"].startswith("arn:aws:iam::123456789012:role/")


def test_first_preview_outputs_are_unknown(compliant: Path) -> None:
    resources = {r.name: r for r in recorded(compliant, "dev", options=Options(outputs=FIRST_PREVIEW))}
    assert resources["hooks"].props["body"] is UNKNOWN
    assert resources["from-api"].props["sourceArn"] is UNKNOWN
    assert resources["from-uploads"].props["sourceAccount"] == "123456789012"  # data sources answer in both


@pytest.mark.parametrize("outputs", [DEPLOYED, FIRST_PREVIEW])
def test_every_output_says_which_model_was_used(
    compliant: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], outputs: str
) -> None:
    said = {
        DEPLOYED: "outputs modelled as on a deployed stack (synthetic IDs, ARNs and names)",
        FIRST_PREVIEW: "outputs modelled as at a first preview (computed outputs unknown)",
    }[outputs]
    out = tmp_path / "run.json"
    assert main(["preview", str(compliant), "--stack", "dev", "--outputs", outputs, "--json", str(out)]) == 0
    assert said in capsys.readouterr().out.splitlines()[0]
    assert said in json.loads(out.read_text(encoding="utf-8"))["source"]
    report = Report(preview(compliant, "dev", options=Options(outputs=outputs)))
    for render in (html.render, json_report.render, junit.render, sarif.render, markdown.render):
        assert said in render(report), render.__module__


# -- data sources ------------------------------------------------------------------------------------------

DATA_SOURCES = """
document = aws.iam.get_policy_document(statements=[{
    "sid": "Invoke",
    "actions": ["lambda:InvokeFunction", "lambda:GetFunction"],
    "resources": ["*"],
    "principals": [{"type": "Service", "identifiers": ["events.amazonaws.com"]}],
    "conditions": [{"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["111122223333"]}],
}])
caller = aws.get_caller_identity()
zones = aws.get_availability_zones(state="available")
aws.sns.Topic(
    "answers",
    policy=document.json,
    tags={
        "account": caller.account_id[-6:],
        "caller": caller.arn,
        "region": aws.get_region().region,
        "partition": aws.get_partition().partition,
        "dns": aws.get_partition().dns_suffix,
        "zones": ",".join(zones.names[:3]),
        "zoneIds": ",".join(zones.zone_ids),
        "legacy": aws.lambda_.get_function(function_name="legacy").arn,
        "legacyTimeout": str(aws.lambda_.get_function(function_name="legacy").timeout),
    },
)
"""
POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Invoke",
      "Effect": "Allow",
      "Action": [
        "lambda:InvokeFunction",
        "lambda:GetFunction"
      ],
      "Resource": "*",
      "Principal": {
        "Service": "events.amazonaws.com"
      },
      "Condition": {
        "StringEquals": {
          "aws:SourceAccount": "111122223333"
        }
      }
    }
  ]
}"""

# region in the stack config -> what each data source answers (the policy document is the same in every case)
ANSWERS = {
    "eu_west_1": (
        "eu-west-1",
        {
            "account": "789012",
            "caller": "arn:aws:iam::123456789012:user/offline-preview",
            "region": "eu-west-1",
            "partition": "aws",
            "dns": "amazonaws.com",
            "zones": "eu-west-1a,eu-west-1b,eu-west-1c",
            "zoneIds": "euw1-az1,euw1-az2,euw1-az3",
        },
    ),
    "cn_north_1": (
        "cn-north-1",
        {
            "account": "789012",
            "caller": "arn:aws-cn:iam::123456789012:user/offline-preview",
            "region": "cn-north-1",
            "partition": "aws-cn",
            "dns": "amazonaws.com.cn",
            "zones": "cn-north-1a,cn-north-1b,cn-north-1c",
            "zoneIds": "cnn1-az1,cnn1-az2,cnn1-az3",
        },
    ),
}


@pytest.mark.parametrize(("region", "expected"), ANSWERS.values(), ids=list(ANSWERS))
def test_data_sources_answer_from_the_config_and_the_provider_s_own_rules(
    tmp_path: Path, region: str, expected: dict[str, str]
) -> None:
    root = write_project(tmp_path, DATA_SOURCES, stacks={"dev": f"config:\n  aws:region: {region}\n"})
    [topic] = [r for r in recorded(root, "dev") if r.name == "answers"]
    tags = dict(topic.props["tags"])
    legacy, timeout = tags.pop("legacy"), tags.pop("legacyTimeout")
    assert (tags, topic.props["policy"]) == (expected, POLICY)
    assert legacy.startswith(f"arn:{expected['partition']}:lambda:{region}:123456789012:")
    assert timeout == "1"


def test_a_placeholder_data_source_is_named_in_a_warning_also_when_the_program_fails(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = 'aws.lambda_.get_function(function_name="legacy")\nraise RuntimeError("after the call")\n'
    with caplog.at_level(logging.WARNING, logger="abuse_guard.offline"), pytest.raises(ProgramError):
        recorded(write_project(tmp_path, source), "dev")
    assert [r.getMessage() for r in caplog.records] == [
        "offline preview: data sources answered with placeholders (every field of its type; give real answers with "
        "--data-sources FILE): aws:lambda/getFunction:getFunction"
    ]


def test_data_sources_file_gives_real_answers(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    given = tmp_path / "answers.json"
    given.write_text(
        json.dumps(
            {
                "aws:index/getCallerIdentity:getCallerIdentity": {"accountId": "444455556666"},
                "aws:lambda/getFunction:getFunction": {"arn": "arn:aws:lambda:eu-west-1:444455556666:function:legacy"},
            }
        ),
        encoding="utf-8",
    )
    root = write_project(tmp_path / "project", DATA_SOURCES, stacks={"dev": REGION})
    options = Options(data_sources=answers.load(given))
    with caplog.at_level(logging.WARNING, logger="abuse_guard.offline"):
        [topic] = [r for r in recorded(root, "dev", options=options) if r.name == "answers"]
    assert (topic.props["tags"]["account"], topic.props["tags"]["legacy"]) == (
        "556666",
        "arn:aws:lambda:eu-west-1:444455556666:function:legacy",
    )
    assert caplog.records == []


# file content -> what the one error line says after "<file>: "
BAD_ANSWERS = {
    "invalid_json": ("{", "line 1: invalid JSON: Expecting property name enclosed in double quotes"),
    "not_an_object": ("[]", "expected an object mapping data source tokens to results, e.g. " + answers.EXAMPLE),
    "not_a_token": (
        '{"getCallerIdentity": {}}',
        f"'getCallerIdentity' is not a data source token (package:module:function, {answers.EXAMPLE})",
    ),
    "result_not_an_object": (
        '{"aws:index/getRegion:getRegion": "eu-west-1"}',
        "the result for aws:index/getRegion:getRegion must be an object of the result's fields",
    ),
}


@pytest.mark.parametrize(("content", "error"), BAD_ANSWERS.values(), ids=list(BAD_ANSWERS))
def test_a_bad_data_sources_file_is_one_error_naming_it(tmp_path: Path, content: str, error: str) -> None:
    path = tmp_path / "answers.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UserError) as raised:
        answers.load(path)
    assert str(raised.value) == f"{path}: {error}"


def test_a_policy_document_the_provider_refuses_fails_the_program(tmp_path: Path) -> None:
    twice = '{"sid": "A", "actions": ["s3:*"]}'
    source = f"aws.iam.get_policy_document(statements=[{twice}, {twice}])\n"
    with pytest.raises(ProgramError) as raised:
        recorded(write_project(tmp_path, source), "dev")
    assert str(raised.value).endswith(
        "failed: PolicyDocumentError: writing IAM Policy Document: duplicate Sid (A). Remove the Sid or ensure the "
        "Sid is unique."
    )


# -- multi-language components -----------------------------------------------------------------------------

REST_API_COMPONENT = """
import pulumi_aws_apigateway as apigateway

handler = aws.lambda_.Function(
    "handler", role="arn:aws:iam::111122223333:role/r", runtime="python3.12", handler="index.handler",
    reserved_concurrent_executions=1,
)
route = apigateway.RouteArgs(path="/", method=apigateway.Method.GET, event_handler=handler)
api = apigateway.RestAPI("api", routes=[route])
aws.sns.Topic("after", display_name=api.url)
"""
AWSX_VPC = """
import pulumi_awsx as awsx

vpc = awsx.ec2.Vpc("vpc", nat_gateways={"strategy": "None"})
aws.lambda_.Function(
    "inside", role="arn:aws:iam::111122223333:role/r", runtime="python3.12", handler="index.handler",
    reserved_concurrent_executions=1, vpc_config={"subnet_ids": vpc.private_subnet_ids, "security_group_ids": []},
)
"""
# program -> (component, its type)
COMPONENTS = {
    "pulumi_aws_apigateway": (REST_API_COMPONENT, "api", "aws-apigateway:index:RestAPI"),
    "awsx_vpc": (AWSX_VPC, "vpc", "awsx:ec2:Vpc"),
}


@pytest.mark.parametrize(("source", "name", "type_"), COMPONENTS.values(), ids=list(COMPONENTS))
@pytest.mark.parametrize("outputs", [DEPLOYED, FIRST_PREVIEW])
def test_a_multi_language_component_is_reported_as_not_checked_offline(
    tmp_path: Path, source: str, name: str, type_: str, outputs: str
) -> None:
    run = preview(write_project(tmp_path, source), "dev", options=Options(outputs=outputs))
    [finding] = [f for f in run.findings if f.policy == COMPONENTS_POLICY.id]
    assert (finding.name, finding.type, finding.outcome) == (name, type_, Outcome.UNKNOWN)
    assert COMPONENTS_POLICY in run.policies
    assert outcomes(run, Outcome.FAIL) == set()


def test_a_component_s_outputs_are_unknown_never_its_inputs(tmp_path: Path) -> None:
    resources = {r.name: r for r in recorded(write_project(tmp_path, AWSX_VPC), "dev")}
    assert resources["vpc"].props == {"natGateways": {"strategy": "None"}}
    assert resources["inside"].props["vpcConfig"]["subnetIds"] is UNKNOWN


def test_the_component_finding_says_what_it_creates_and_how_to_check_it(tmp_path: Path) -> None:
    run = preview(write_project(tmp_path, REST_API_COMPONENT), "dev")
    [finding] = [f for f in run.findings if f.policy == COMPONENTS_POLICY.id]
    assert finding.message == (
        "RestAPI 'api' is a multi-language component (aws-apigateway:index:RestAPI): it creates an API Gateway REST "
        "API whose routes are an OpenAPI body, its deployment and stage, and a Lambda permission per route handler "
        "(pulumi-aws-apigateway), which lambda-permission-scope, rest-method-authorization, rest-stage-protected, "
        "entrypoint-cost-budget check; its provider plugin builds them under the engine, so "
        "the offline preview cannot see or check them. Check them with `pulumi preview --policy-pack <your pack dir>`, "
        "or with `abuse-guard report --input` on that preview's --event-log file or on `pulumi stack export` "
        "after `pulumi up`"
    )


def test_the_report_command_takes_the_same_options(compliant: Path, tmp_path: Path) -> None:
    given = tmp_path / "answers.json"
    given.write_text('{"aws:index/getCallerIdentity:getCallerIdentity": {"accountId": "444455556666"}}', "utf-8")
    out = tmp_path / "reports"
    argv = ["report", "--project", str(compliant), "--stack", "dev", "--out", str(out), "--format", "json"]
    assert main([*argv, "--outputs", "first-preview", "--data-sources", str(given), "--timeout", "60"]) == 0
    report = json.loads((out / "dev" / "report.json").read_text(encoding="utf-8"))
    assert report["source"].endswith("(stack dev; outputs modelled as at a first preview (computed outputs unknown))")
    assert report["totals"]["byOutcome"]["unknown"] == 2
