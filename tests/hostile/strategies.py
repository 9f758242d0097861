"""Hypothesis strategies for hostile props and graphs: unknowns, secrets, nulls, wrong types, huge and non-finite
numbers, deep nesting, and the names of the inputs the rules read (so random values land where they matter)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from abuse_guard.aws import types
from abuse_guard.policies import POLICIES
from abuse_guard.resources import SECRET, STACK_TYPE, UNKNOWN, ProviderRef, Resource
from tests.protocol.examples import RESOURCE_EXAMPLES, STACK_EXAMPLES

BOUNDED = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
"""Few enough examples for CI to stay fast; no example database written into the checkout."""
PER_POLICY = settings(BOUNDED, max_examples=10)
"""For tests run once per policy."""

AWS_TYPES = sorted({v for k, v in vars(types).items() if k.isupper() and isinstance(v, str) and v.startswith("aws")})
POLICY_TYPES = sorted({t for p in POLICIES for t in p.resource_types})
EXAMPLE_RESOURCES = [r for pair in RESOURCE_EXAMPLES.values() for r in pair] + [
    r for graphs in STACK_EXAMPLES.values() for graph in graphs for r in graph
]


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


INPUT_NAMES = sorted(
    {k for r in EXAMPLE_RESOURCES for k in _keys(dict(r.props))}
    | {
        "reservedConcurrentExecutions",
        "timeout",
        "name",
        "tags",
        "principal",
        "action",
        "function",
        "sourceArn",
        "sourceAccount",
        "eventSourceToken",
        "principalOrgId",
        "functionUrlAuthType",
        "authorizationType",
        "authorizerId",
        "authorization",
        "apiKeyRequired",
        "routeKey",
        "apiId",
        "target",
        "protocolType",
        "body",
        "defaultRouteSettings",
        "routeSettings",
        "stageName",
        "deployment",
        "rateLimit",
        "burstLimit",
        "limit",
        "period",
        "offset",
        "apiStages",
        "stage",
        "throttle",
        "throttleSettings",
        "quotaSettings",
        "path",
        "type",
        "uri",
        "integrationUri",
        "integrationType",
        "timeoutMilliseconds",
        "timeoutInMillis",
        "httpMethod",
        "methodPath",
        "settings",
        "throttlingRateLimit",
        "throttlingBurstLimit",
        "restApi",
        "resourceId",
        "functionName",
        "qualifier",
        "region",
        "allowedAccountIds",
        "forbiddenAccountIds",
        "assumeRoles",
        "assumeRole",
        "roleArn",
        "openapi",
        "paths",
        "x-amazon-apigateway-integration",
        "security",
        "securitySchemes",
        "components",
        "requestParameters",
        "usagePlanId",
        "key",
        "value",
        "variables",
    }
)
"""Input names the rules and the AWS model read, at any depth."""

MEANINGFUL = [
    "NONE",
    "AWS_IAM",
    "CUSTOM",
    "JWT",
    "COGNITO_USER_POOLS",
    "*",
    "GET",
    "POST",
    "ANY",
    "OPTIONS",
    "$default",
    "$connect",
    "GET /items",
    "ANY /{proxy+}",
    "*/*",
    "DAY",
    "WEEK",
    "MONTH",
    "REGIONAL",
    "AWS_PROXY",
    "HTTP_PROXY",
    "lambda:InvokeFunction",
    "lambda:*",
    "apigateway.amazonaws.com",
    "s3.amazonaws.com",
    "sns.amazonaws.com",
    "123456789012",
    "arn:aws:execute-api:eu-west-1:123456789012:abc123/*/*",
    "arn:aws:iam::123456789012:root",
    "arn:aws:lambda:eu-west-1:123456789012:function:fn",
    "arn:aws:s3:::bucket",
    "o-abc123",
    "HTTP",
    "WEBSOCKET",
    '{"openapi": "3.0.1", "paths": {"/": {"get": {}}}}',
    "urn:pulumi:dev::proj::aws:lambda/function:Function::fn",
    "",
    "-1",
    "1e999",
    "NaN",
    "[" * 3000 + "]" * 3000,
    '{"openapi": "3.0.1", "paths": ' + '{"a":' * 3000 + "1" + "}" * 3001,
]
"""Strings the rules compare with, and JSON text nested past every recursion limit (inputs that hold JSON)."""

HUGE_NUMBERS = [10**400, -(10**400), 2**63, 2**64, 1e308, -1e308, 5e-324, -0.0, -1, 0, 1]


def scalars(*, finite: bool) -> st.SearchStrategy[Any]:
    """Scalar props: nulls, booleans, numbers of every size (non-finite unless `finite`), strings."""
    numbers = st.one_of(
        st.floats(allow_nan=not finite, allow_infinity=not finite),
        st.integers(-(2**53), 2**53) if finite else st.integers(),
        st.sampled_from([n for n in HUGE_NUMBERS if not finite or abs(n) < 2**53 or isinstance(n, float)]),
    )
    return st.one_of(st.none(), st.booleans(), numbers, st.sampled_from(MEANINGFUL), st.text(max_size=20))


def values(*, finite: bool = False, markers: st.SearchStrategy[Any] | None = None) -> st.SearchStrategy[Any]:
    """Any prop value: scalars, the unknown and secret markers, lists and objects keyed by input names, deep nests."""
    leaves = st.one_of(scalars(finite=finite), markers if markers is not None else st.sampled_from([UNKNOWN, SECRET]))
    keys = st.one_of(st.sampled_from(INPUT_NAMES), st.text(max_size=8))
    tree = st.recursive(
        leaves,
        lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)),
        max_leaves=8,
    )
    return st.one_of(tree, st.builds(nested, tree, st.integers(0, 40 if finite else 200), st.booleans()))


def nested(value: Any, depth: int, as_lists: bool) -> Any:
    """`value` inside `depth` lists (or single-key objects)."""
    for _ in range(depth):
        value = [value] if as_lists else {"value": value}
    return value


def props(*, finite: bool = False, markers: st.SearchStrategy[Any] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(
        st.one_of(st.sampled_from(INPUT_NAMES), st.text(max_size=8)), values(finite=finite, markers=markers), max_size=8
    )


def junk_props(
    *, finite: bool = False, markers: st.SearchStrategy[Any] | None = None
) -> st.SearchStrategy[dict[str, Any]]:
    """Props under names no AWS input has: they may never change what a rule decides."""
    return st.dictionaries(
        st.text("abcxyz0123", min_size=1, max_size=6).map(lambda k: f"junk{k}"),
        values(finite=finite, markers=markers),
        max_size=6,
    )


NAMES = st.text("abcdef-_", min_size=1, max_size=6)
PROVIDER = "urn:pulumi:dev::proj::pulumi:providers:aws::default"
"""The provider a random resource may name, with random inputs (its region, accounts, roles)."""
JUNK_TYPES = ["acme:index:Widget", "random:index/randomId:RandomId", "kubernetes:core/v1:Pod", "junk"]
"""Types no policy and no part of the AWS model reads."""


def provider_props(finite: bool, markers: st.SearchStrategy[Any] | None) -> st.SearchStrategy[dict[str, Any]]:
    """A pulumi-aws provider's inputs: where it deploys (region), to which accounts, through which roles."""
    value = values(finite=finite, markers=markers)
    return st.fixed_dictionaries(
        {},
        optional={"region": value, "allowedAccountIds": value, "forbiddenAccountIds": value, "assumeRoles": value},
    )


@st.composite
def graphs(
    draw: Callable[..., Any],
    *,
    finite: bool = False,
    markers: st.SearchStrategy[Any] | None = None,
    types: list[str] | None = None,
    size: int = 8,
) -> list[Resource]:
    """A stack: its root and random resources of the given types (default: every type a policy or the AWS model
    knows, and one nobody knows), with random parents, dependencies and property dependencies among them."""
    root = Resource(urn=f"urn:pulumi:dev::proj::{STACK_TYPE}::proj-dev", type=STACK_TYPE, name="proj-dev")
    every_type = [*AWS_TYPES, "pulumi:providers:aws", "pulumi:providers:aws-native", "acme:x:Thing"]
    chosen = draw(st.lists(st.tuples(st.sampled_from(types or every_type), NAMES), max_size=size))
    resources = [root]
    for index, (type_, name) in enumerate(chosen):
        urn = f"urn:pulumi:dev::proj::{type_}::{name}-{index}"
        earlier = [r.urn for r in resources]
        edges = st.lists(st.sampled_from(earlier), max_size=3).map(tuple)
        resources.append(
            Resource(
                urn=urn,
                type=type_,
                name=f"{name}-{index}",
                props=draw(props(finite=finite, markers=markers)),
                parent=draw(st.sampled_from([None, *earlier])),
                dependencies=draw(edges),
                property_dependencies=draw(st.dictionaries(st.sampled_from(INPUT_NAMES), edges, max_size=3)),
                provider=draw(st.none() | st.builds(ProviderRef, st.just(PROVIDER), provider_props(finite, markers))),
            )
        )
    return resources


@st.composite
def junk_resources(
    draw: Callable[..., Any], *, finite: bool = False, markers: st.SearchStrategy[Any] | None = None
) -> list[Resource]:
    """Resources of types no policy and no part of the AWS model reads, with random props: junk around a failure."""
    found = []
    for index, name in enumerate(draw(st.lists(NAMES, max_size=5))):
        type_ = draw(st.sampled_from(JUNK_TYPES))
        urn = f"urn:pulumi:dev::proj::{type_}::junk-{name}-{index}"
        found.append(
            Resource(
                urn=urn, type=type_, name=f"junk-{name}-{index}", props=draw(props(finite=finite, markers=markers))
            )
        )
    return found


def with_junk(resource: Resource, junk: dict[str, Any]) -> Resource:
    """`resource` with `junk` inputs added over its own."""
    return replace(resource, props={**resource.props, **junk})
