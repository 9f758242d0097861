"""A Lambda function behind a REST API gives up no later than the API does.

API Gateway stops waiting for a REST integration after its timeout (29 s unless raised) and answers
504; Lambda does not stop the function, which keeps running, and billing, to its own timeout. The
caller, seeing the 504, often retries: each retry starts another full-length run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from functools import partial

from ..aws.frontdoors import FrontDoors, invokes_asynchronously
from ..aws.functions import positive
from ..aws.limits import DEFAULT_TIMEOUT, INTEGRATION_TIMEOUT_MS
from ..aws.types import LAMBDA_FUNCTION
from ..findings import Verdict, failed, not_applicable, passed, verdict_of
from ..graph import Graph
from ..policy import Policy, Settings
from ..resources import Resource
from ..values import Malformed, Undetermined, figure, number


def integration_timeout(integration: Resource) -> float:
    """Seconds API Gateway waits for the integration."""
    value = number(integration.props, "timeoutMilliseconds", integer=True, at=integration.label)
    if value is not None and value <= 0:
        raise Malformed(f"{integration.label}.timeoutMilliseconds", "above 0", value)
    return (INTEGRATION_TIMEOUT_MS if value is None else value) / 1000


def timeout_verdict(function: Resource, integrations: list[Resource]) -> Verdict:
    """Against the integration that gives up first: one whose timeout is not known at preview leaves the
    function unknown only when it is within every timeout that is known."""
    known: list[tuple[float, Resource]] = []
    pending: Undetermined | None = None
    for integration in integrations:
        try:
            known.append((integration_timeout(integration), integration))
        except Undetermined as error:
            pending = pending or error
    timeout, _ = positive(function, "timeout", DEFAULT_TIMEOUT, "s")
    if pending is not None and not (known and timeout > min(seconds for seconds, _ in known)):
        raise pending
    shortest, integration = min(known, key=lambda pair: pair[0])
    label = f"Lambda function '{function.name}'"
    if timeout <= shortest:
        return passed(
            f"{label} times out after {figure(timeout)} s, within the {figure(shortest)} s of {integration.label}"
        )
    return failed(
        f"{label} runs for up to {figure(timeout)} s, but {integration.label} gives up after {figure(shortest)} s: the "
        f"caller gets a 504 while the function keeps running, and billing, for up to {figure(timeout - shortest)} s "
        f"more per call; set timeout to at most {figure(shortest)}"
    )


def check_stack(graph: Graph, settings: Settings) -> Iterator[tuple[Resource, Verdict]]:
    behind: dict[str, list[Resource]] = defaultdict(list)
    for integration, function in graph.derived(FrontDoors).rest_lambda_integrations():
        behind[function.urn].append(integration)
    for function in graph.of_type(LAMBDA_FUNCTION):
        integrations = behind.get(function.urn)
        if integrations is None:
            yield function, not_applicable(f"Lambda function '{function.name}' is behind no REST API integration")
        else:
            yield function, verdict_of(partial(synchronous_verdict, function, integrations), function.label)


def synchronous_verdict(function: Resource, integrations: list[Resource]) -> Verdict:
    """Only integrations that wait for the function count: an asynchronous one answers at once."""
    waiting = [i for i in integrations if not invokes_asynchronously(i)]
    if not waiting:
        return not_applicable(
            f"Lambda function '{function.name}' is invoked asynchronously (X-Amz-Invocation-Type 'Event') by "
            f"{', '.join(i.label for i in integrations)}: API Gateway answers at once, so the function's timeout "
            "cannot cause a 504"
        )
    return timeout_verdict(function, waiting)


POLICY = Policy(
    id="lambda-timeout-behind-rest-api",
    title="Lambda functions behind a REST API time out when the API does",
    description="A Lambda function behind a REST API must time out no later than its integration (29 s by default).",
    severity="medium",
    enforcement="advisory",
    resource_types=(LAMBDA_FUNCTION,),
    rationale=(
        "API Gateway answers 504 when a REST integration takes longer than its timeout, but the Lambda "
        "function keeps running to its own timeout, billed for every second, and the caller that got the 504 "
        "usually retries, starting another run: a concurrent execution stays busy, and billed, for an answer "
        "nobody receives, and with reserved concurrency it is one the retry cannot use. The function's timeout "
        "counts as AWS's default 3 s when not "
        "set; the integration's as 29 s. A function behind several integrations is compared with the shortest. "
        "The function is found through the integration's uri (a property dependency at preview); a uri that "
        "cannot be traced to a function of the stack is left to entrypoint-cost-budget, which reports it on "
        "the method. An integration of type AWS that sets the request parameter "
        "integration.request.header.X-Amz-Invocation-Type to 'Event' invokes the function asynchronously and "
        "answers at once, so it does not count. Advisory: a long timeout can be deliberate for a function also "
        "invoked another way."
    ),
    remediation=(
        "Keep the function's timeout within the integration's:\n"
        "    aws.lambda_.Function('webhook', ..., timeout=25)\n"
        "or move long work behind an asynchronous invocation (a queue) and answer the API at once."
    ),
    check_stack=check_stack,
    references=(
        "AWS API Gateway quotas: integration timeout 50 ms - 29 s (REST APIs)",
        "AWS Lambda: Configuring function timeout",
    ),
    tags=("lambda", "api-gateway", "cost", "availability"),
)
