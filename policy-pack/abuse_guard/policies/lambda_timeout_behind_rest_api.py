"""A Lambda function behind a REST API gives up no later than the API does.

API Gateway stops waiting for a REST integration after its timeout (29 s unless raised) and answers
504; Lambda does not stop the function, which keeps running, and billing, to its own timeout. The
caller, seeing the 504, often retries: each retry starts another full-length run.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from ..aws.frontdoors import FrontDoors, invokes_asynchronously
from ..aws.functions import positive
from ..aws.limits import DEFAULT_TIMEOUT, INTEGRATION_TIMEOUT_MS
from ..aws.reach import PRIVATE, REGIONAL, endpoint_types
from ..aws.types import LAMBDA_FUNCTION
from ..findings import Verdict, failed, not_applicable, passed, verdict_of
from ..graph import Graph
from ..policy import Policy, Settings
from ..resources import Resource
from ..values import Malformed, Undetermined, figure, number

RAISED_TIMEOUT_TYPES = (REGIONAL, PRIVATE)
"""The endpoint types whose REST integrations may wait longer than 29 s: "You can raise the integration timeout to
greater than 29 seconds for Regional APIs and private APIs" (AWS What's New, 2024-06-04, "Amazon API Gateway
integration timeout limit increase beyond 29 seconds"; API Gateway REST API Reference, Integration timeoutInMillis:
"between 50 and 29,000 milliseconds", raised by quota for Regional and private APIs). An edge-optimized API keeps
the 29 s cap."""


@dataclass(frozen=True)
class Wait:
    """How long API Gateway waits for one integration: `shortest` and `longest` seconds, which differ only while the
    endpoint type of its REST API is not known (edge-optimized caps a raised timeout at 29 s)."""

    integration: Resource
    shortest: float
    longest: float
    why: str = ""
    """Why the timeout as written is not (or may not be) what applies: the cap and its API, for a message."""


def integration_wait(integration: Resource, api: Resource | None) -> Wait:
    """How long API Gateway waits for `integration`, on `api` (None: its REST API is not in this stack)."""
    value = number(integration.props, "timeoutMilliseconds", integer=True, at=integration.label)
    if value is not None and value <= 0:
        raise Malformed(f"{integration.label}.timeoutMilliseconds", "above 0", value)
    written = (INTEGRATION_TIMEOUT_MS if value is None else value) / 1000
    cap = INTEGRATION_TIMEOUT_MS / 1000
    if written <= cap:
        return Wait(integration, written, written)
    types = endpoint_types(api) if api is not None else None
    if types is not None and any(t in RAISED_TIMEOUT_TYPES for t in types):
        return Wait(integration, written, written)
    raised = f"its timeout of {figure(written * 1000)} ms is above the 29,000 an edge-optimized REST API allows"
    if api is not None and types is not None:
        default = "" if "endpointConfiguration" in api.props else " (the default)"
        why = f"{raised}: {api.label} is EDGE{default}, and only Regional and private APIs wait longer"
        return Wait(integration, cap, cap, why)
    unseen = (
        "its REST API is not in this stack, so its endpoint type cannot be seen"
        if api is None
        else f"the endpoint type of {api.label} is not known until deployment"
    )
    why = (
        f"{raised}, and only Regional and private APIs wait longer; {unseen}: it gives up after {figure(cap)} s or "
        f"{figure(written)} s"
    )
    return Wait(integration, cap, written, why)


def timeout_verdict(function: Resource, integrations: list[tuple[Resource, Resource | None]]) -> Verdict:
    """Against the integration that gives up first: one whose timeout is not known at preview (or whose API's endpoint
    type is not) leaves the function unknown only when the verdict depends on it."""
    known: list[Wait] = []
    pending: Undetermined | None = None
    for integration, api in integrations:
        try:
            known.append(integration_wait(integration, api))
        except Undetermined as error:
            pending = pending or error
    timeout, _ = positive(function, "timeout", DEFAULT_TIMEOUT, "s")
    label = f"Lambda function '{function.name}'"
    first = min(known, key=lambda wait: wait.longest, default=None)
    if first is not None and timeout > first.longest:
        capped = first.why if first.shortest == first.longest else ""  # an EDGE API's cap, not an unknown one
        return failed(
            f"{label} runs for up to {figure(timeout)} s, but {first.integration.label} gives up after "
            f"{figure(first.longest)} s{f' ({capped})' if capped else ''}: the caller gets a 504 while the "
            f"function keeps running, and billing, for up to {figure(timeout - first.longest)} s more per call; set "
            f"timeout to at most {figure(first.longest)}" + (REGIONAL_FIX if capped else "")
        )
    if pending is not None:
        raise pending
    shortest = min(known, key=lambda wait: wait.shortest)
    if timeout > shortest.shortest:
        raise Undetermined(
            label,
            f"runs for up to {figure(timeout)} s, and whether {shortest.integration.label} waits that long depends on "
            f"its API: {shortest.why}",
        )
    return passed(
        f"{label} times out after {figure(timeout)} s, within the {figure(shortest.shortest)} s of "
        f"{shortest.integration.label}"
    )


REGIONAL_FIX = ", or make the API Regional: endpoint_configuration={'types': 'REGIONAL'}"


def check_stack(graph: Graph, settings: Settings) -> Iterator[tuple[Resource, Verdict]]:
    behind: dict[str, list[tuple[Resource, Resource | None]]] = defaultdict(list)
    for integration, function, api in graph.derived(FrontDoors).rest_lambda_integrations():
        behind[function.urn].append((integration, api))
    for function in graph.of_type(LAMBDA_FUNCTION):
        integrations = behind.get(function.urn)
        if integrations is None:
            yield function, not_applicable(f"Lambda function '{function.name}' is behind no REST API integration")
        else:
            yield function, verdict_of(partial(synchronous_verdict, function, integrations), function.label)


def synchronous_verdict(function: Resource, integrations: list[tuple[Resource, Resource | None]]) -> Verdict:
    """Only integrations that wait for the function count: an asynchronous one answers at once."""
    waiting = [(i, api) for i, api in integrations if not invokes_asynchronously(i)]
    if not waiting:
        return not_applicable(
            f"Lambda function '{function.name}' is invoked asynchronously (X-Amz-Invocation-Type 'Event') by "
            f"{', '.join(i.label for i, _ in integrations)}: API Gateway answers at once, so the function's timeout "
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
        "set; the integration's as 29 s. A timeout above 29 s counts only on a Regional or private REST API "
        "(endpoint_configuration types REGIONAL or PRIVATE): an edge-optimized API, which is also what a RestApi "
        "without endpoint_configuration is, keeps the 29 s cap, so the function is compared with 29 s there; "
        "while the API's endpoint type is not known (or the API is another stack's), the verdict is unknown only "
        "when the function's timeout lies between 29 s and the integration's. A function behind several "
        "integrations is compared with the shortest. "
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
        "or, for a longer wait, a Regional API whose integration allows it (after the account's quota is raised):\n"
        "    aws.apigateway.RestApi('api', endpoint_configuration={'types': 'REGIONAL'})\n"
        "    aws.apigateway.Integration('export', ..., timeout_milliseconds=60000)\n"
        "or move long work behind an asynchronous invocation (a queue) and answer the API at once."
    ),
    check_stack=check_stack,
    references=(
        "AWS API Gateway quotas: integration timeout 50 ms - 29 s (REST APIs)",
        "AWS What's New 2024-06-04: API Gateway integration timeout limit increase beyond 29 seconds (Regional and "
        "private REST APIs)",
        "API Gateway REST API Reference: Integration timeoutInMillis",
        "AWS Lambda: Configuring function timeout",
    ),
    tags=("lambda", "api-gateway", "cost", "availability"),
)
