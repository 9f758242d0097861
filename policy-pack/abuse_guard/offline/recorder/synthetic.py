"""Synthetic values for what AWS assigns: IDs, ARNs, auto-names, URLs, and placeholders of any SDK type.

Used by the deployed-stack outputs model (the computed outputs that identify or address a resource) and
by data sources that cannot ask AWS (a placeholder of every field of the result). Every value is derived
from the resource's URN (or the data source's token and arguments) by a hash, so two runs of one program
give the same values, and two resources never share one.

The placeholder account is 123456789012, the example account ID of AWS's own documentation
(AWS General Reference, "AWS account identifiers"). Regions and partitions: a region starting `cn-`
is in partition aws-cn, `us-gov-` in aws-us-gov, `us-iso-` in aws-iso, `us-isob-` in aws-iso-b,
`eu-isoe-` in aws-iso-e, `us-isof-` in aws-iso-f, any other in aws (AWS General Reference, "Amazon
Resource Names (ARNs)"). ARN formats per resource type: the Service Authorization Reference
("Resource types defined by <service>"); the Lambda invoke ARN API Gateway integrations use:
API Gateway Developer Guide, "Set up Lambda proxy integrations" (`arn:aws:apigateway:{region}:lambda:
path/2015-03-31/functions/{function ARN}/invocations`). Auto-names are Pulumi's: the logical name, a
dash and seven random hex digits (Pulumi docs, "Resource names: autonaming").

This module runs inside the recording process: it imports the standard library, and reads the pulumi SDK's
type metadata of the output types it is given.
"""

from __future__ import annotations

import enum
import hashlib
import re
import typing
from collections import abc
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

PLACEHOLDER_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"
"""The region when neither the resource, its provider, the `aws:region` config nor AWS_REGION names one."""
MAX_DEPTH = 4
"""How deep placeholders of nested object types go (a type may contain itself)."""

PARTITIONS = (
    ("us-isob-", "aws-iso-b", "sc2s.sgov.gov"),
    ("us-isof-", "aws-iso-f", "csp.hci.ic.gov"),
    ("eu-isoe-", "aws-iso-e", "cloud.adc-e.uk"),
    ("us-iso-", "aws-iso", "c2s.ic.gov"),
    ("us-gov-", "aws-us-gov", "amazonaws.com"),
    ("cn-", "aws-cn", "amazonaws.com.cn"),
)
"""(region prefix, partition, DNS suffix); any other region is in partition aws, DNS suffix amazonaws.com."""
DIRECTIONS = {"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}
"""How a zone ID abbreviates a region's compound directions (us-east-1 -> use1, ap-southeast-2 -> apse2)."""

ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789"
HEX = "0123456789abcdef"


def digest(seed: str) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode("utf-8")).digest(), "big")


def token(seed: str, length: int = 10, alphabet: str = ALPHANUMERIC) -> str:
    """A random-looking identifier of `length` characters of `alphabet`, always the same for `seed`."""
    number, chars = digest(seed), []
    for _ in range(length):
        number, index = divmod(number, len(alphabet))
        chars.append(alphabet[index])
    return "".join(chars)


def autoname(name: str, seed: str) -> str:
    """Pulumi's auto-name for logical name `name`: `name-` and seven hex digits."""
    return f"{name}-{token(seed, 7, HEX)}"


@dataclass(frozen=True)
class Place:
    """Where a resource lives: its region, account and (from the region) partition."""

    region: str
    account: str = PLACEHOLDER_ACCOUNT

    @property
    def partition(self) -> str:
        return next((p for prefix, p, _ in PARTITIONS if self.region.startswith(prefix)), "aws")

    @property
    def dns_suffix(self) -> str:
        return next((s for prefix, _, s in PARTITIONS if self.region.startswith(prefix)), "amazonaws.com")

    def arn(self, service: str, resource: str, *, region: bool = True, account: bool = True) -> str:
        where = self.region if region else ""
        owner = self.account if account else ""
        return f"arn:{self.partition}:{service}:{where}:{owner}:{resource}"

    def zone_id_prefix(self) -> str:
        """us-east-1 -> use1, ap-southeast-2 -> apse2, us-gov-west-1 -> usgw1."""
        area, *words = self.region.split("-")
        number = words.pop() if words and words[-1].isdigit() else ""
        return area + "".join(DIRECTIONS.get(word, word[:1]) for word in words) + number

    def zones(self, count: int = 3) -> tuple[list[str], list[str]]:
        """(names, zone IDs) of `count` availability zones: {region}a, b, c and {prefix}-az1, 2, 3."""
        letters = "abcdefghijklmnopqrstuvwxyz"[:count]
        return [self.region + letter for letter in letters], [
            f"{self.zone_id_prefix()}-az{i}" for i in range(1, count + 1)
        ]


# -- resources ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """A resource being given deployed outputs: its type token, logical name, URN, inputs and place."""

    type: str
    name: str
    urn: str
    inputs: Mapping[str, Any]
    place: Place
    named_by: str | None = "name"
    """The input Pulumi auto-names when it is not given (`bucket` for S3 buckets), or None."""

    @property
    def module(self) -> str:
        """`lambda` for aws:lambda/function:Function."""
        return self.type.split(":")[1].split("/")[0] if self.type.count(":") == 2 else ""

    @property
    def kind(self) -> str:
        """`Function` for aws:lambda/function:Function."""
        return self.type.rsplit(":", 1)[-1]

    def text(self, key: str) -> str | None:
        value = self.inputs.get(key)
        return value if isinstance(value, str) else None

    @property
    def physical_name(self) -> str:
        """The name given as the auto-named input, else Pulumi's auto-name (lower-case where AWS requires it)."""
        given = self.text(self.named_by) if self.named_by else None
        if given:
            return given
        name = autoname(self.name, self.urn)
        return name.lower() if self.named_by == "bucket" else name

    def token(self, purpose: str, length: int = 10, alphabet: str = ALPHANUMERIC) -> str:
        return token(f"{self.urn}#{purpose}", length, alphabet)


def _function(s: Subject) -> dict[str, Any]:
    name = s.physical_name
    arn = s.place.arn("lambda", f"function:{name}")
    version = "1" if s.inputs.get("publish") is True else "$LATEST"
    return {
        "id": name,
        "name": name,
        "arn": arn,
        "invokeArn": lambda_invoke_arn(s.place, arn),
        "qualifiedArn": f"{arn}:{version}",
        "qualifiedInvokeArn": lambda_invoke_arn(s.place, f"{arn}:{version}"),
        "version": version,
    }


def _native_function(s: Subject) -> dict[str, Any]:
    """aws-native:lambda:Function: the same ARN as its pulumi-aws twin, its name in functionName."""
    name = s.physical_name
    return {"id": name, "functionName": name, "arn": s.place.arn("lambda", f"function:{name}")}


def lambda_invoke_arn(place: Place, function_arn: str) -> str:
    """The ARN an API Gateway integration invokes a Lambda function (or a qualified function) with."""
    return (
        f"arn:{place.partition}:apigateway:{place.region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )


def _alias(s: Subject) -> dict[str, Any]:
    function = s.text("functionName") or "function"
    function_arn = function if function.startswith("arn:") else s.place.arn("lambda", f"function:{function}")
    arn = f"{function_arn}:{s.physical_name}"
    return {"id": arn, "arn": arn, "invokeArn": lambda_invoke_arn(s.place, arn)}


def _function_url(s: Subject) -> dict[str, Any]:
    url_id = s.token("url", 32)
    return {
        "id": s.text("functionName") or url_id,
        "urlId": url_id,
        "functionUrl": f"https://{url_id}.lambda-url.{s.place.region}.on.aws/",
        "functionArn": s.place.arn("lambda", f"function:{s.text('functionName') or 'function'}"),
    }


def _permission(s: Subject) -> dict[str, Any]:
    statement = s.text("statementId") or f"terraform-{s.token('statement', 26, HEX)}"
    return {"id": statement, "statementId": statement}


def _rest_api(s: Subject) -> dict[str, Any]:
    api = s.token("id")
    return {
        "id": api,
        "rootResourceId": s.token("root", 10),
        "executionArn": s.place.arn("execute-api", api),
        "arn": s.place.arn("apigateway", f"/restapis/{api}", account=False),
    }


def _rest_stage(s: Subject) -> dict[str, Any]:
    api, stage = s.text("restApi") or s.token("api"), s.text("stageName") or s.name
    return {
        "id": f"ags-{api}-{stage}",
        "executionArn": s.place.arn("execute-api", f"{api}/{stage}"),
        "invokeUrl": f"https://{api}.execute-api.{s.place.region}.{s.place.dns_suffix}/{stage}",
        "arn": s.place.arn("apigateway", f"/restapis/{api}/stages/{stage}", account=False),
    }


def _rest_deployment(s: Subject) -> dict[str, Any]:
    api = s.text("restApi") or s.token("api")
    return {
        "id": s.token("id", 6),
        "executionArn": s.place.arn("execute-api", f"{api}/"),
        "invokeUrl": f"https://{api}.execute-api.{s.place.region}.{s.place.dns_suffix}/",
    }


def _http_api(s: Subject) -> dict[str, Any]:
    api = s.token("id")
    scheme = "wss" if s.inputs.get("protocolType") == "WEBSOCKET" else "https"
    return {
        "id": api,
        "apiEndpoint": f"{scheme}://{api}.execute-api.{s.place.region}.{s.place.dns_suffix}",
        "executionArn": s.place.arn("execute-api", api),
        "arn": s.place.arn("apigateway", f"/apis/{api}", account=False),
    }


def _http_stage(s: Subject) -> dict[str, Any]:
    api, stage = s.text("apiId") or s.token("api"), s.text("name") or s.name
    path = "" if stage == "$default" else stage
    return {
        "id": stage,
        "executionArn": s.place.arn("execute-api", f"{api}/{stage}"),
        "invokeUrl": f"https://{api}.execute-api.{s.place.region}.{s.place.dns_suffix}/{path}",
        "arn": s.place.arn("apigateway", f"/apis/{api}/stages/{stage}", account=False),
    }


def _role(s: Subject) -> dict[str, Any]:
    name, path = s.physical_name, s.text("path") or "/"
    return {
        "id": name,
        "name": name,
        "arn": s.place.arn("iam", f"role{path}{name}", region=False),
        "uniqueId": "AROA" + s.token("unique", 17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
    }


def _iam_policy(s: Subject) -> dict[str, Any]:
    name, path = s.physical_name, s.text("path") or "/"
    arn = s.place.arn("iam", f"policy{path}{name}", region=False)
    return {
        "id": arn,
        "name": name,
        "arn": arn,
        "policyId": "ANPA" + s.token("id", 17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"),
    }


def _bucket(s: Subject) -> dict[str, Any]:
    bucket = s.physical_name
    return {
        "id": bucket,
        "bucket": bucket,
        "arn": s.place.arn("s3", bucket, region=False, account=False),
        "bucketDomainName": f"{bucket}.s3.{s.place.dns_suffix}",
        "bucketRegionalDomainName": f"{bucket}.s3.{s.place.region}.{s.place.dns_suffix}",
        "region": s.place.region,
    }


def _topic(s: Subject) -> dict[str, Any]:
    name = s.physical_name + (".fifo" if s.inputs.get("fifoTopic") is True and not s.text("name") else "")
    arn = s.place.arn("sns", name)
    return {"id": arn, "name": name, "arn": arn}


def _queue(s: Subject) -> dict[str, Any]:
    name = s.physical_name + (".fifo" if s.inputs.get("fifoQueue") is True and not s.text("name") else "")
    url = f"https://sqs.{s.place.region}.{s.place.dns_suffix}/{s.place.account}/{name}"
    return {"id": url, "name": name, "arn": s.place.arn("sqs", name), "url": url}


def _table(s: Subject) -> dict[str, Any]:
    name = s.physical_name
    arn = s.place.arn("dynamodb", f"table/{name}")
    return {"id": name, "name": name, "arn": arn, "streamArn": f"{arn}/stream/2025-01-01T00:00:00.000"}


def _user_pool(s: Subject) -> dict[str, Any]:
    pool = f"{s.place.region}_{s.token('id', 9, ALPHANUMERIC + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}"
    return {
        "id": pool,
        "arn": s.place.arn("cognito-idp", f"userpool/{pool}"),
        "endpoint": f"cognito-idp.{s.place.region}.{s.place.dns_suffix}/{pool}",
    }


def _log_group(s: Subject) -> dict[str, Any]:
    name = s.physical_name
    return {"id": name, "name": name, "arn": s.place.arn("logs", f"log-group:{name}")}


def _event_rule(s: Subject) -> dict[str, Any]:
    name = s.physical_name
    return {"id": name, "name": name, "arn": s.place.arn("events", f"rule/{name}")}


def _parameter(s: Subject) -> dict[str, Any]:
    name = s.physical_name
    return {
        "id": name,
        "name": name,
        "arn": s.place.arn("ssm", "parameter" + ("" if name.startswith("/") else "/") + name),
    }


def _usage_plan(s: Subject) -> dict[str, Any]:
    plan = s.token("id", 6)
    return {"id": plan, "arn": s.place.arn("apigateway", f"/usageplans/{plan}", account=False)}


def _api_key(s: Subject) -> dict[str, Any]:
    key = s.token("id", 10)
    return {
        "id": key,
        "arn": s.place.arn("apigateway", f"/apikeys/{key}", account=False),
    }


KNOWN: dict[str, Callable[[Subject], dict[str, Any]]] = {
    "aws:lambda/function:Function": _function,
    "aws-native:lambda:Function": _native_function,
    "aws:lambda/alias:Alias": _alias,
    "aws:lambda/functionUrl:FunctionUrl": _function_url,
    "aws:lambda/permission:Permission": _permission,
    "aws:apigateway/restApi:RestApi": _rest_api,
    "aws:apigateway/stage:Stage": _rest_stage,
    "aws:apigateway/deployment:Deployment": _rest_deployment,
    "aws:apigateway/usagePlan:UsagePlan": _usage_plan,
    "aws:apigateway/apiKey:ApiKey": _api_key,
    "aws:apigatewayv2/api:Api": _http_api,
    "aws:apigatewayv2/stage:Stage": _http_stage,
    "aws:iam/role:Role": _role,
    "aws:iam/policy:Policy": _iam_policy,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:sns/topic:Topic": _topic,
    "aws:sqs/queue:Queue": _queue,
    "aws:dynamodb/table:Table": _table,
    "aws:cognito/userPool:UserPool": _user_pool,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    "aws:ssm/parameter:Parameter": _parameter,
}
"""Computed outputs whose shape is an AWS fact, per resource type; every other output is a typed placeholder."""
AUTONAMED_BY = {
    "aws:s3/bucket:Bucket": "bucket",
    "aws:s3/bucketV2:BucketV2": "bucket",
    "aws-native:lambda:Function": "functionName",
}
"""Resource types whose auto-named input is not `name`."""
SERVICES = {"apigatewayv2": "apigateway", "cognito": "cognito-idp", "sfn": "states", "lb": "elasticloadbalancing"}
"""ARN service names that differ from the pulumi-aws module name."""


def resource_state(
    subject: Subject, properties: Mapping[str, Any], given: abc.Collection[str]
) -> tuple[str, dict[str, Any]]:
    """(ID, computed outputs) of `subject` on a deployed stack: the outputs to add to its inputs.

    `properties` maps each output property (Pulumi name) to its SDK type (None when not known);
    `given` names those that are inputs of the resource type. What a deployed stack knows and the
    offline preview can model is what identifies and addresses a resource: its ID, ARNs, auto-name,
    URLs and endpoints, region and account, in the shape AWS gives them for the type (KNOWN), else
    in a generic shape named by the output (an ...Arn is an ARN). Every other output stays out, so
    the program sees it unknown, as at a first preview: an input the program left unset (its value is
    the provider's default, not known offline), numbers, flags, lists and objects AWS computes.
    """
    if subject.type in AUTONAMED_BY:
        subject = Subject(
            subject.type, subject.name, subject.urn, subject.inputs, subject.place, AUTONAMED_BY[subject.type]
        )
    elif properties and "name" not in properties:
        subject = Subject(subject.type, subject.name, subject.urn, subject.inputs, subject.place, None)
    known = KNOWN.get(subject.type, _generic)(subject)
    state: dict[str, Any] = {}
    for key, typ in properties.items():
        if key in subject.inputs or key == "id":
            continue
        if key in known:
            state[key] = known[key]
        elif key == subject.named_by:
            state[key] = subject.physical_name
        elif key not in given:
            value = identifier(key, typ, subject)
            if value is not None:
                state[key] = value
    for key, value in known.items():
        if key != "id" and key not in subject.inputs:
            state.setdefault(key, value)
    identity = known.get("id")
    return (identity if isinstance(identity, str) else subject.token("id")), state


def _generic(s: Subject) -> dict[str, Any]:
    service = SERVICES.get(s.module, s.module)
    kind = re.sub(r"(?<!^)(?=[A-Z])", "-", s.kind).lower()
    identity = s.physical_name if s.named_by else f"{kind[:3]}-{s.token('id', 17, HEX)}"
    return {"id": identity, "arn": s.place.arn(service, f"{kind}/{identity}")}


# -- placeholders of any SDK type --------------------------------------------------------------------------


def placeholder(key: str, typ: Any, subject: Subject, *, depth: int = 0) -> Any:
    """A value of SDK type `typ` for field `key` of a data source's result: strings shaped by the key's name
    (ARN, ID, name, URL, region, account, date, JSON document), 1 for numbers, False for booleans, an empty
    map, a list of one placeholder item; an object type gets every field, to MAX_DEPTH levels."""
    typ = _unwrapped(typ)
    origin = typing.get_origin(typ)
    if typ is None or typ is Any or depth > MAX_DEPTH:
        return None
    if isinstance(typ, type) and issubclass(typ, enum.Enum):
        return next(iter(typ)).value
    if typ is str:
        return _text(key, subject)
    if typ is bool:
        return False
    if typ in (int, float):
        return typ(1)
    if origin in (list, abc.Sequence, typing.Sequence) or typ is list:
        [item] = typing.get_args(typ) or (None,)
        return [placeholder(_singular(key), item, subject, depth=depth + 1)]
    if origin in (dict, abc.Mapping, typing.Mapping) or typ is dict:
        return {}
    fields = _fields(typ)
    if fields is not None:
        return {name: placeholder(name, field, subject, depth=depth + 1) for name, field in fields.items()}
    return None


def identifier(key: str, typ: Any, s: Subject) -> str | None:
    """A synthetic value for a string output that identifies or addresses something, by its name: ...Arn an ARN,
    ...Id an ID, ...Name an auto-name, ...Url / ...Endpoint / ...Uri a URL, region, account and zone; else None."""
    if typ is not None and _unwrapped(typ) is not str:
        return None
    lower = key.lower()
    if key == "arn" or key.endswith("Arn"):
        stem = re.sub(r"(?<!^)(?=[A-Z])", "-", key[: -len("arn")] or s.kind).lower().strip("-")
        return s.place.arn(SERVICES.get(s.module, s.module) or "service", f"{stem or 'resource'}/{s.token(key, 12)}")
    if lower in ("accountid", "ownerid", "account"):
        return s.place.account
    if lower == "region":
        return s.place.region
    if lower == "partition":
        return s.place.partition
    if lower in ("availabilityzone", "zone"):
        return s.place.region + "a"
    if key == "id" or key.endswith("Id"):
        return s.token(key)
    if key == "name" or key.endswith("Name"):
        return autoname(s.name, f"{s.urn}#{key}")
    if key in ("url", "endpoint", "uri") or key.endswith(("Url", "Endpoint", "Uri")):
        return f"https://{s.token(key)}.{s.module or 'service'}.{s.place.region}.{s.place.dns_suffix}/"
    return None


def _text(key: str, s: Subject) -> str:
    """Any string field of a placeholder: an identifier when its name says it is one, else a plausible value."""
    found = identifier(key, str, s)
    if found is not None:
        return found
    lower = key.lower()
    if lower.endswith(("json", "policy", "document")):
        return "{}"
    if lower.endswith(("date", "time", "modified")):
        return "2025-01-01T00:00:00Z"
    if lower.endswith("version"):
        return "1"
    return f"placeholder-{s.token(key, 8)}"


def _singular(key: str) -> str:
    return key[:-1] if key.endswith("s") and not key.endswith("ss") else key


def _unwrapped(typ: Any) -> Any:
    """Optional[X] and Union[X, ...] -> X (the first member that is not None)."""
    if typing.get_origin(typ) is typing.Union:
        members = [t for t in typing.get_args(typ) if t is not type(None)]
        return members[0] if members else None
    return typ


def _fields(typ: Any) -> dict[str, Any] | None:
    """An SDK output type's fields (Pulumi name -> type), or None for any other type."""
    try:
        from pulumi import _types  # the recording process has pulumi; this module's callers pass its types

        if isinstance(typ, type) and _types.is_output_type(typ):
            return dict(_types.output_type_types(typ))
    except Exception:
        return None
    return None
