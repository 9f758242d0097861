"""Where a resource runs (the AWS account and Region its provider deploys it to) and the list prices there.

Lambda's concurrency quota, and the 100 executions AWS keeps unreserved, are per account and per Region (AWS
Lambda Developer Guide, "Lambda quotas": concurrent executions, per Region; "Configuring reserved concurrency"),
and AWS's prices differ by Region (AWS Lambda pricing, Amazon API Gateway pricing, Elastic Load Balancing
pricing: one table per Region). account-concurrency-headroom adds reservations up per account and Region, and
the cost model prices each part of a door's bill in the Region of the resource that bills it.

The Region of a resource, the first of:
1. its own `region` input (pulumi-aws v7 resources take one: "Region where this resource will be managed.
   Defaults to the Region set in the provider configuration", pulumi-aws registry, any resource's `region`);
2. its provider's `region` input: an explicit `aws.Provider`, or the engine's default provider, whose inputs are
   the stack's `aws:*` config (so `aws:region`); the offline preview builds the same default provider
   (`default_provider`), since it registers no provider resource;
3. else DEFAULT_REGION, us-east-1: what the default prices are for. A resource whose source names no provider at
   all (a state written before Pulumi had providers, a hand-built resource) is taken to be there without a note;
   a provider that sets no region (the provider then takes AWS_REGION or the profile's Region at deployment,
   which nothing in the stack shows) makes it an assumption, said as such (`Location.assumed`).

The account, only as far as the provider says it (pulumi-aws provider configuration):
- the account field of the role the provider ends up in: the last of `assumeRoles` (pulumi-aws v7, a chain),
  else `assumeRole` (pulumi-aws v6, aws-native), else `assumeRoleWithWebIdentity`, else `roleArn` (aws-native);
- else the one account of `allowedAccountIds`, when it lists exactly one (the provider refuses any other);
- else none is named: the account whose credentials the stack runs with. A `profile` (or access keys) names
  credentials, not an account, so providers that differ only there are taken to share one account, and that
  account may be any account named in the same Region (account-concurrency-headroom counts it in those pools
  too): the sums err high. `allowed_account_ids=["<id>"]` on each provider (`aws:allowedAccountIds` for the
  default one) tells the accounts apart, and guards the deployment too.
The engine sends a provider's non-string inputs as JSON text (`allowedAccountIds: "[\\"123456789012\\"]"`, as
the pulumi-aws SDK serialises them); both that and plain lists and objects are read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..graph import Graph
from ..resources import SECRET, UNKNOWN, ProviderRef, Resource
from ..urns import PROVIDER_TYPE_PREFIX, Urn, urn_or_none
from ..values import Malformed, Undetermined, filled, get, path_label
from .arns import ACCOUNT_ID, parse

DEFAULT_REGION = "us-east-1"
"""The Region of a resource nothing places elsewhere, and the one the default prices are for."""

REGION_CODE = re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}")
"""An AWS Region code (us-east-1, eu-central-2, us-gov-west-1, cn-north-1): a strict form, so messages may repeat it.
Source: AWS General Reference, "AWS Regions" (Region codes)."""
REGION_CODE_PATTERN = f"^{REGION_CODE.pattern}$"
"""REGION_CODE as a JSON Schema pattern, for config keyed by Region."""


@dataclass(frozen=True)
class Location:
    """The account and Region a resource runs in: its pool of concurrency, and the prices it is billed at."""

    region: str
    """An AWS Region code."""
    account: str | None = None
    """The 12-digit account ID its provider names; None when the provider names none (the stack's credentials')."""
    assumed: str = ""
    """Why the Region is an assumption (a provider that sets none); "" when something names it."""

    @property
    def pool(self) -> tuple[str, str]:
        """(account, Region): resources with the same pool share one account's regional concurrency."""
        return (self.account or "", self.region)


def pool_label(pool: tuple[str, str]) -> str:
    """How messages name a pool: "eu-west-1", or "account 123456789012 in eu-west-1"."""
    account, region = pool
    return f"account {account} in {region}" if account else region


def provider_label(provider: ProviderRef) -> str:
    """How messages name a provider: "Provider 'eu'", or "the default aws provider" for the engine's own."""
    urn = urn_or_none(provider.urn)
    name = urn.name if urn is not None else provider.urn
    if urn is not None and (name == "default" or name.startswith("default_")):
        return f"the default {urn.type.removeprefix(PROVIDER_TYPE_PREFIX)} provider"
    return f"Provider '{name}'"


def provider_of(resource: Resource) -> ProviderRef | None:
    """The provider a resource (or, for a view of an aws-native resource, the declared one) is managed by."""
    if resource.provider is not None or resource.declared is None:
        return resource.provider
    return resource.declared.provider


def provider_props(provider: ProviderRef, graph: Graph | None) -> Mapping[str, Any] | None:
    """The provider's inputs: as the source sent them with the resource, else the provider resource's in the
    graph; None when neither is at hand."""
    if provider.props is not None:
        return provider.props
    found = graph.get(provider.urn) if graph is not None else None
    return found.props if found is not None else None


def location(resource: Resource, graph: Graph | None = None) -> Location:
    """The account and Region `resource` runs in (see the module docstring for the rules).

    Raises Undetermined when a Region or account input is not known at preview (or is a secret), Malformed
    for a Region that is not a Region code or a provider input of the wrong shape.
    """
    region = _region(resource.props, resource.label)
    provider = provider_of(resource)
    if provider is None:
        return Location(region or DEFAULT_REGION)
    shown = provider_label(provider)
    props = provider_props(provider, graph)
    if props is None:
        why = f"{shown} is not among the resources, so its Region is not known: {DEFAULT_REGION} assumed"
        return Location(region or DEFAULT_REGION, None, "" if region else why)
    account = account_of(props, shown)
    if region is None:
        region = _region(props, shown)
    if region is None:
        why = f"{shown} sets no region, so it takes AWS_REGION or the profile's at deployment: {DEFAULT_REGION} assumed"
        return Location(DEFAULT_REGION, account, why)
    return Location(region, account)


def _region(props: Mapping[str, Any], at: str) -> str | None:
    region = filled(props, "region", at=at)
    if region is not None and REGION_CODE.fullmatch(region) is None:
        raise Malformed(path_label(at, "region"), "an AWS Region code such as us-east-1", region)
    return region


def account_of(props: Mapping[str, Any], at: str) -> str | None:
    """The account ID a provider's inputs name (its role's account, else its only allowed account), or None.

    Raises Undetermined for an input not known at preview (or a secret), Malformed for one of the wrong shape.
    """
    role = _final_role(props, at)
    arn = parse(role) if role is not None else None
    if arn is not None and arn.names_one_account:
        return arn.account
    allowed = _decoded(props, "allowedAccountIds", at)
    if allowed is None:
        return None
    label = path_label(at, "allowedAccountIds")
    if not isinstance(allowed, list):
        raise Malformed(label, "a list of account IDs", allowed)
    accounts = {account_id(account, f"{label}[{index}]") for index, account in enumerate(allowed)}
    only = next(iter(accounts)) if len(accounts) == 1 else ""
    return only if ACCOUNT_ID.fullmatch(only) else None


def account_id(value: Any, at: str) -> str:
    """An entry of `allowedAccountIds` as the provider reads it: a string as it is; a number as its decimal digits
    (Pulumi stores `aws:allowedAccountIds: [123456789012]` from a stack file as JSON numbers, the pulumi-aws
    provider's config is a list of strings, and its bridge converts a number to its digits as Terraform converts a
    primitive), so a 12-digit whole number is that account ID.

    Raises Undetermined for an entry not known at preview (or a secret), Malformed for a whole number that is not
    12 digits (an account ID that begins with 0 loses it as a YAML number: it must be quoted) and anything else."""
    _known(value, at)
    if isinstance(value, str):
        return value
    whole = isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer()
    digits = str(int(value)) if whole else ""
    if not ACCOUNT_ID.fullmatch(digits):
        expected = 'an account ID: 12 digits, quoted if it begins with 0 ("012345678901")'
        raise Malformed(at, expected, value)
    return digits


def _final_role(props: Mapping[str, Any], at: str) -> str | None:
    """The ARN of the role the provider ends in: the last of its chain, else its one role; None if it assumes none."""
    chain = _decoded(props, "assumeRoles", at)
    if chain is not None:
        label = path_label(at, "assumeRoles")
        if not isinstance(chain, list):
            raise Malformed(label, "a list of roles", chain)
        if chain:
            return _role_arn(chain[-1], f"{label}[{len(chain) - 1}]")
    for key in ("assumeRole", "assumeRoleWithWebIdentity"):
        role = _decoded(props, key, at)
        if role is not None:
            return _role_arn(role, path_label(at, key))
    return filled(props, "roleArn", at=at)


def _role_arn(role: Any, at: str) -> str | None:
    _known(role, at)
    if not isinstance(role, Mapping):
        raise Malformed(at, "an object", role)
    return filled(role, "roleArn", at=at)


def _known(value: Any, at: str) -> None:
    """Raise Undetermined for a value inside a list or object that is not known at preview, or is a secret."""
    if value is UNKNOWN:
        raise Undetermined(at)
    if value is SECRET:
        raise Undetermined(at, "is a secret")


def _decoded(props: Mapping[str, Any], key: str, at: str) -> Any:
    """A provider input that may come as JSON text (how the engine sends a provider's lists and objects)."""
    value = get(props, key, at)
    if isinstance(value, str) and value.lstrip()[:1] in ("[", "{"):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):  # RecursionError: nested past the interpreter's limit
            raise Malformed(path_label(at, key), "valid JSON", value) from None
    return value


# -- the stack's default provider, where no provider resource is registered (the offline preview) --------------


def default_provider(
    package: str, stack: str, project: str, config: Mapping[str, str], secret_keys: frozenset[str] = frozenset()
) -> ProviderRef:
    """The engine's default provider of `package` ("aws") for a stack: its inputs are the stack's `<package>:*`
    config with the prefix dropped (`aws:region` -> `region`), as the engine fills them in; a secret value stays
    secret. Source: Pulumi docs, "Providers" (default provider configuration comes from the stack's config)."""
    prefix = f"{package}:"
    props = {
        key.removeprefix(prefix): SECRET if key in secret_keys else value
        for key, value in config.items()
        if key.startswith(prefix)
    }
    return ProviderRef(str(Urn(stack, project, f"{PROVIDER_TYPE_PREFIX}{package}", "default")), props)


# -- prices by Region ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prices:
    """On-demand list prices in one Region, USD, first volume tier, no free tier."""

    lambda_requests: float
    """Per million Lambda requests."""
    lambda_gb_second: float
    """Per GB-second of Lambda duration (x86)."""
    rest_requests: float
    """Per million REST API requests."""
    http_requests: float
    """Per million HTTP API requests."""
    websocket_messages: float
    """Per million WebSocket API messages."""
    load_balancer_lcu_hour: float
    """Per Application Load Balancer capacity unit (LCU) hour."""


US_EAST_1 = Prices(
    lambda_requests=0.20,
    lambda_gb_second=0.0000166667,
    rest_requests=3.50,
    http_requests=1.00,
    websocket_messages=1.00,
    load_balancer_lcu_hour=0.008,
)
"""US East (N. Virginia), the default prices. Sources: AWS Lambda pricing (x86: $0.20 per 1M requests,
$0.0000166667 per GB-second); Amazon API Gateway pricing (REST $3.50 per million for the first 333 million, HTTP
$1.00 per million for the first 300 million, WebSocket $1.00 per million messages for the first billion); Elastic
Load Balancing pricing (Application Load Balancer $0.008 per LCU-hour)."""

PRICE_KEYS: Mapping[str, str] = {
    "lambdaRequestPricePerMillion": "lambda_requests",
    "lambdaGbSecondPrice": "lambda_gb_second",
    "restApiRequestPricePerMillion": "rest_requests",
    "httpApiRequestPricePerMillion": "http_requests",
    "webSocketMessagePricePerMillion": "websocket_messages",
    "loadBalancerLcuPricePerHour": "load_balancer_lcu_hour",
}
"""Each price's config key (entrypoint-cost-budget's top-level keys and the keys of a regionPrices entry) and its
Prices field."""


@dataclass(frozen=True)
class PriceTable:
    """Prices by Region: a Region's own entry, else the default prices."""

    default: Prices
    """The prices of every Region `regions` does not list (US_EAST_1 unless configured)."""
    regions: Mapping[str, Prices]

    def prices(self, region: str) -> Prices:
        return self.regions.get(region, self.default)

    def unlisted(self, region: str) -> bool:
        """Whether `region` is priced at the default prices although they are not for it."""
        return region not in self.regions and region != DEFAULT_REGION


def price_table(top_level: Mapping[str, Any], by_region: Mapping[str, Mapping[str, Any]]) -> PriceTable:
    """The table a config gives: `top_level` holds every PRICE_KEYS key (the default prices); each Region's entry
    in `by_region` any of them, the rest taken from the top level."""
    default = Prices(**{field: float(top_level[key]) for key, field in PRICE_KEYS.items()})
    regions = {
        region: Prices(**{field: float(entry.get(key, top_level[key])) for key, field in PRICE_KEYS.items()})
        for region, entry in by_region.items()
    }
    return PriceTable(default, regions)
