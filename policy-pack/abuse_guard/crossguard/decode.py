"""Engine data -> Resource: what pulumi-policy hands a policy, and the protobuf requests it decodes, read as the
rules read resources (plain data, UNKNOWN and SECRET markers).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from google.protobuf import json_format, struct_pb2  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy import PolicyProviderResource, PolicyResource, ResourceValidationArgs
from pulumi_policy.deserialize import SPECIAL_ARCHIVE_SIG as ARCHIVE_SIG
from pulumi_policy.deserialize import SPECIAL_ASSET_SIG as ASSET_SIG
from pulumi_policy.deserialize import deserialize_properties, serialize_properties

from ..resources import SECRET_SIG, SIG_KEY, UNKNOWN, UNKNOWN_SENTINELS, ProviderRef, Resource, from_wire
from .release import private_proxies

_PROXIES = private_proxies()
"""pulumi-policy's private proxy classes (dict, list) on the release they were checked with; None on any other."""


def plain_props(props: Any) -> Any:
    """pulumi-policy's unknown-raising proxy back to plain data with UNKNOWN markers.

    The same as from_wire(serialize_properties(props)) in one pass. On the release release.py checked, its
    containers are unwrapped through the same `"__target"` key serialize_properties uses; assets and archives,
    and every value on another release, go through serialize_properties itself.
    """
    if isinstance(props, str):
        return from_wire(props)
    if props is None or isinstance(props, (bool, int, float)):
        return props
    if _PROXIES is not None:
        dict_proxy, list_proxy = _PROXIES
        if isinstance(props, dict_proxy):
            return {str(key): plain_props(value) for key, value in props["__target"].items()}
        if isinstance(props, list_proxy):
            return [plain_props(value) for value in props["__target"]]
    return from_wire(serialize_properties(props))


def props_from_struct(struct: struct_pb2.Struct) -> dict[str, Any]:
    """A request's properties as `plain_props` gives them from pulumi-policy's args, read from the protobuf.

    pulumi-policy reaches them through json_format.MessageToDict, deserialize_properties and its
    proxy; this reads the Struct directly. Strings, numbers, booleans, nulls, lists and objects are
    converted here, and so are the envelopes the engine sends (`_envelope`: a secret, an asset, an archive)
    in the shapes pulumi-policy reads without fail; any other value pulumi-policy treats specially (an
    object with the signature key in another shape, or a non-finite number, which json_format refuses)
    goes through pulumi-policy's own functions, with their results and their errors.
    """
    fields = struct.fields  # a protobuf map: its keys then [key] beat .items(), which Python's Mapping mixin serves
    return {key: _value(fields[key]) for key in fields}  # the top level is never an envelope, as in pulumi-policy


def _value(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        text = value.string_value
        return UNKNOWN if text in UNKNOWN_SENTINELS else text
    if kind == "struct_value":
        fields = value.struct_value.fields
        if SIG_KEY in fields:
            decoded = _envelope(fields)
            return _as_pulumi_policy_does(value) if decoded is _OTHER else decoded
        return {key: _value(fields[key]) for key in fields}
    if kind == "number_value":
        number = value.number_value
        return number if math.isfinite(number) else _as_pulumi_policy_does(value)
    if kind == "bool_value":
        return value.bool_value
    if kind == "list_value":
        return [_value(item) for item in value.list_value.values]
    return None  # null_value, or no kind set: json_format reads both as None


_OTHER: Any = object()
"""`_envelope`'s answer for a shape it leaves to pulumi-policy."""
_CONTENTS = {ASSET_SIG: ("path", "text", "uri"), ARCHIVE_SIG: ("assets", "path", "uri")}
"""The fields pulumi-policy reads an asset's or archive's contents from, the first present one (deserialize.py)."""


def _envelope(fields: Any) -> Any:
    """An envelope (an object with the signature key) as pulumi-policy decodes it and `plain_props` reads it back,
    for the shapes the engine sends: a secret `{sig, value}` (its value, decoded), an asset `{sig, path | text |
    uri}` with a string, an archive `{sig, path | uri}` with a string or `{sig, assets}` of such assets and
    archives, each asset or archive with or without its string `hash` (which pulumi-policy drops). `_OTHER` for
    any other shape, which pulumi-policy decodes, or refuses, itself."""
    sig = fields[SIG_KEY]
    if sig.WhichOneof("kind") != "string_value":
        return _OTHER
    signature = sig.string_value
    if signature == SECRET_SIG:
        if len(fields) != 2 or "value" not in fields:
            return _OTHER
        decoded = _value(fields["value"])
        seen = getattr(_SECRETS, "seen", None)
        if seen is not None:
            seen.update(_strings(decoded))
        return decoded
    contents = _CONTENTS.get(signature)
    if contents is None:
        return _OTHER
    key = next((k for k in contents if k in fields), None)
    if key is None or len(fields) != 2 + ("hash" in fields):
        return _OTHER
    if "hash" in fields and fields["hash"].WhichOneof("kind") != "string_value":
        return _OTHER
    value = fields[key]
    if key == "assets":
        if value.WhichOneof("kind") != "struct_value":
            return _OTHER
        assets = {}
        listed = value.struct_value.fields
        for name in listed:
            item = listed[name]
            if item.WhichOneof("kind") != "struct_value" or SIG_KEY not in item.struct_value.fields:
                return _OTHER
            inner = item.struct_value.fields
            if inner[SIG_KEY].string_value not in _CONTENTS:
                return _OTHER
            decoded = _envelope(inner)
            if decoded is _OTHER:
                return _OTHER
            assets[name] = decoded
        return {SIG_KEY: signature, "assets": assets}
    if value.WhichOneof("kind") != "string_value":
        return _OTHER
    text = value.string_value
    return {SIG_KEY: signature, key: UNKNOWN if text in UNKNOWN_SENTINELS else text}


def _as_pulumi_policy_does(value: struct_pb2.Value) -> Any:
    decoded = deserialize_properties({"value": json_format.MessageToDict(value)})["value"]
    seen = getattr(_SECRETS, "seen", None)
    if seen is not None and value.WhichOneof("kind") == "struct_value":
        signature = value.struct_value.fields.get(SIG_KEY)
        if signature is not None and signature.string_value == SECRET_SIG:
            seen.update(_strings(decoded))
    return plain_props(decoded)


_SECRETS = threading.local()
MIN_REDACTED_LENGTH = 3
"""Shortest secret string redacted from messages: a shorter one ("*", "1") would also blank ordinary text."""


@contextmanager
def secrets_seen() -> Iterator[set[str]]:
    """The strings inside secret envelopes this thread decodes while the context lasts (pulumi-policy hands
    policies their values unwrapped; the server redacts them from what it answers)."""
    seen: set[str] = set()
    previous = getattr(_SECRETS, "seen", None)
    _SECRETS.seen = seen
    try:
        yield seen
    finally:
        _SECRETS.seen = previous


def _strings(value: Any) -> Iterator[str]:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str) and len(item) >= MIN_REDACTED_LENGTH:
            yield item
        elif isinstance(item, Mapping):
            pending.extend(item.values())
        elif isinstance(item, (list, tuple)):
            pending.extend(item)


def provider_from_policy(provider: PolicyProviderResource | None) -> ProviderRef | None:
    """The provider pulumi-policy hands a policy with a resource: its URN and its inputs (region, assumeRoles...)."""
    return None if provider is None else ProviderRef(provider.urn, plain_props(provider.props))


def provider_from_request(request: analyzer_pb2.AnalyzeRequest | analyzer_pb2.AnalyzerResource) -> ProviderRef | None:
    """`provider_from_policy` of the provider pulumi-policy builds from a request's AnalyzerProviderResource.

    Decoding it raises what pulumi-policy raises, which decodes the provider for every policy it calls."""
    if not request.HasField("provider"):
        return None
    return ProviderRef(request.provider.urn, props_from_struct(request.provider.properties))


def resource_from_args(args: ResourceValidationArgs) -> Resource:
    return Resource(
        args.urn,
        args.resource_type,
        args.name,
        plain_props(args.props),
        args.opts.parent,
        provider=provider_from_policy(args.provider),
    )


def resource_from_request(request: analyzer_pb2.AnalyzeRequest) -> Resource:
    """`resource_from_args` of the args pulumi-policy builds from an Analyze request."""
    return Resource(
        request.urn,
        request.type,
        request.name,
        props_from_struct(request.properties),
        request.options.parent or None,
        provider=provider_from_request(request),
    )


def resource_from_policy_resource(r: PolicyResource) -> Resource:
    return Resource(
        urn=r.urn,
        type=r.resource_type,
        name=r.name,
        props=plain_props(r.props),
        parent=r.parent.urn if r.parent is not None else r.opts.parent,
        dependencies=tuple(d.urn for d in r.dependencies),
        property_dependencies={k: tuple(d.urn for d in deps) for k, deps in r.property_dependencies.items()},
        provider=provider_from_policy(r.provider),
    )


def resources_from_request(request: analyzer_pb2.AnalyzeStackRequest) -> list[Resource]:
    """`resource_from_policy_resource` of each resource pulumi-policy builds from an AnalyzeStack request.

    As pulumi-policy links them: a parent, dependency or property dependency counts only if the
    request holds a resource of that URN (a parent that is not falls back to the options' parent).
    """
    urns = {r.urn for r in request.resources}
    held = urns.__contains__
    resources = []
    for r in request.resources:
        linked = r.propertyDependencies
        resources.append(
            Resource(
                r.urn,
                r.type,
                r.name,
                props_from_struct(r.properties),
                r.parent if r.parent in urns else (r.options.parent or None),
                tuple(filter(held, r.dependencies)),
                {prop: tuple(filter(held, linked[prop].urns)) for prop in linked},
                provider=provider_from_request(r),
            )
        )
    return resources
