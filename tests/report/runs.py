"""Hand-built runs for the report tests: every outcome, and names and messages that try to inject markup."""

from __future__ import annotations

from abuse_guard.findings import Component, Finding, Outcome
from abuse_guard.run import PolicyInfo, ResourceInfo, Run

LAMBDA = "aws:lambda/function:Function"
ROUTE = "aws:apigatewayv2/route:Route"
STAGE = "aws:apigateway/stage:Stage"
BUCKET = "aws:s3/bucket:Bucket"

SCRIPT_NAME = "<script>alert(1)</script>"
IMG_NAME = '<img src=x onerror="window.__xss=1">'
PIPE_NAME = "pipe|name`with`ticks*and*[link](x)"
QUOTED_MESSAGE = "Route \"GET /\" & 'POST /' have no authorizer & anyone can call them"
HTML_TAG_VALUE = "<b onmouseover=alert(1)>ops</b>"
LINE_SEPARATOR_NAME = "sep\u2028arator\u2029</script><!--"
HOSTILE_COMPONENT_NAME = "<u onclick=alert(2)>kit</u>|`x`"

POLICIES = (
    PolicyInfo(
        "lambda-reserved-concurrency",
        "Lambda functions reserve concurrency",
        "Lambda functions must set reserved concurrency within the configured bounds.",
        "high",
        "mandatory",
        "Set `reserved_concurrent_executions`:\n    aws.lambda_.Function('f', ..., reserved_concurrent_executions=1)",
    ),
    PolicyInfo(
        "api-route-authorization",
        "API routes require authorization",
        "Every HTTP API route has an authorizer.",
        "critical",
        "mandatory",
        "Set `authorization_type` to JWT, AWS_IAM or CUSTOM on every route.",
    ),
    PolicyInfo(
        "stage-throttling",
        "Stages throttle requests",
        "API stages set rate and burst limits.",
        "medium",
        "advisory",
        "Set `default_route_settings` with throttling_rate_limit and throttling_burst_limit.",
    ),
)


def urn(type_: str, name: str, stack: str = "dev") -> str:
    return f"urn:pulumi:{stack}::shop::{type_}::{name}"


def resource(type_: str, name: str, tags: dict[str, str] | None = None) -> ResourceInfo:
    return ResourceInfo(urn(type_, name), type_, name, tags or {})


def finding(
    policy: str, res: ResourceInfo, outcome: Outcome, message: str, component: Component | None = None
) -> Finding:
    return Finding(policy, res.urn, res.type, res.name, outcome, message, component)


ORDERS_API = Component(urn("shop:index:PublicApi", "orders"), "shop:index:PublicApi", "orders")
"""The component the sample run's route and stage belong to."""
HOSTILE_COMPONENT = Component(urn("shop:index:Kit", HOSTILE_COMPONENT_NAME), "shop:index:Kit", HOSTILE_COMPONENT_NAME)
"""The component of the sample run's <script>-named function: its name tries to inject markup too."""


def sample_run() -> Run:
    """Every outcome at least once; hostile names, messages, tags and component names; a resource no policy checks;
    findings in two components and outside any."""
    webhook = resource(LAMBDA, "webhook")
    worker = resource(LAMBDA, "worker")
    scripted = resource(LAMBDA, SCRIPT_NAME)
    image = resource(LAMBDA, IMG_NAME)
    piped = resource(LAMBDA, PIPE_NAME)
    separator = resource(LAMBDA, LINE_SEPARATOR_NAME)
    legacy = resource(LAMBDA, "legacy", {"abuse-guard:exempt:lambda-reserved-concurrency": "retired in Q3"})
    route = resource(ROUTE, "public-route", {"owner": HTML_TAG_VALUE})
    stage = resource(STAGE, "prod")
    bucket = resource(BUCKET, "assets")
    findings = (
        finding("lambda-reserved-concurrency", webhook, Outcome.PASS, "Lambda function 'webhook' reserves 1"),
        finding("lambda-reserved-concurrency", worker, Outcome.FAIL, "Lambda function 'worker' has no reservation"),
        finding(
            "lambda-reserved-concurrency",
            scripted,
            Outcome.FAIL,
            f"Lambda function '{SCRIPT_NAME}' is unbounded",
            HOSTILE_COMPONENT,
        ),
        finding("lambda-reserved-concurrency", image, Outcome.UNKNOWN, f"cannot be determined at preview: {IMG_NAME}"),
        finding("lambda-reserved-concurrency", piped, Outcome.FAIL, f"Lambda function '{PIPE_NAME}' is unbounded"),
        finding("lambda-reserved-concurrency", separator, Outcome.PASS, f"Lambda function '{LINE_SEPARATOR_NAME}' ok"),
        finding("lambda-reserved-concurrency", legacy, Outcome.EXEMPT, "exempt: retired in Q3; without it: fail"),
        finding("api-route-authorization", route, Outcome.FAIL, QUOTED_MESSAGE, ORDERS_API),
        finding("stage-throttling", stage, Outcome.FAIL, "Stage 'prod' sets no rate limit", ORDERS_API),
        finding(
            "stage-throttling",
            route,
            Outcome.NOT_APPLICABLE,
            "the route's API has no stage with throttling",
            ORDERS_API,
        ),
    )
    return Run(
        project="shop",
        stack="dev",
        source="hand-built run for tests",
        policies=POLICIES,
        resources=(webhook, worker, scripted, image, piped, separator, legacy, route, stage, bucket),
        findings=findings,
        generated_at="2025-01-02T03:04:05+00:00",
    )


LARGE_TYPES = (LAMBDA, ROUTE, STAGE, "aws:apigateway/method:Method", "aws:lambda/permission:Permission")


def large_run(resource_count: int = 10_000, policy_count: int = 10) -> Run:
    """A dense worst case: every policy checks every resource, outcomes spread evenly, realistic messages."""
    policies = tuple(
        PolicyInfo(
            f"synthetic-policy-{p:02d}-with-a-realistic-length",
            f"Synthetic policy {p}",
            "A policy of realistic size for the size budget.",
            ("low", "medium", "high", "critical")[p % 4],
            ("mandatory", "advisory")[p % 2],
            "Set a bounded value:\n    aws.lambda_.Function('fn', ..., reserved_concurrent_executions=5)",
        )
        for p in range(policy_count)
    )
    outcomes = tuple(Outcome)
    resources: list[ResourceInfo] = []
    findings: list[Finding] = []
    for r in range(resource_count):
        type_ = LARGE_TYPES[r % len(LARGE_TYPES)]
        name = f"service-{r % 40:02d}-function-{r:05d}"
        res = ResourceInfo(
            f"urn:pulumi:production::shop::shop:index:Service${type_}::{name}",
            type_,
            name,
            {"team": f"team-{r % 12}", "cost-center": f"cc-{r % 7:04d}"},
        )
        resources.append(res)
        for p, policy in enumerate(policies):
            outcome = outcomes[(r + p) % len(outcomes)]
            message = (
                f"Lambda function '{name}' reserves {r % 50} concurrent executions, outside the allowed 1-900; "
                f"policy {policy.id} found it {outcome.value}"
            )
            findings.append(Finding(policy.id, res.urn, type_, name, outcome, message))
    return Run(
        project="shop",
        stack="production",
        source="synthetic run: 10,000 resources x 10 policies",
        policies=policies,
        resources=tuple(resources),
        findings=tuple(findings),
        generated_at="2025-01-02T03:04:05+00:00",
    )
