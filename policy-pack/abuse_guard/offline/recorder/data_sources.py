"""What the offline preview answers a data source (an invoke: `aws.get_caller_identity()`, ...) with.

In order: the answer the user gave for the token (`--data-sources FILE`); for the data sources that
need no AWS call or only say where the program runs, the answer computed here (COMPUTED, from the
stack's config and the placeholders of synthetic.py); for any other, a placeholder built from the
SDK's result type (every field present, of its type; arguments echoed), which the warning names.

This module runs inside the recording process: it imports the standard library (and synthetic.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .policy_document import policy_document
from .synthetic import Place, Subject, placeholder

GIVEN = "given"
COMPUTED = "computed"
PLACEHOLDER = "placeholder"
"""How a data source was answered, as the recording reports it."""

OFFLINE_CALLER = "offline-preview"
"""The IAM user the caller identity names (in the placeholder account)."""


def caller_identity(args: Mapping[str, Any], place: Place) -> dict[str, Any]:
    return {
        "accountId": place.account,
        "arn": place.arn("iam", f"user/{OFFLINE_CALLER}", region=False),
        "id": place.account,
        "userId": "AIDAOFFLINEPREVIEW000",
    }


def region(args: Mapping[str, Any], place: Place) -> dict[str, Any]:
    asked = args.get("region") or args.get("name")
    here = Place(asked if isinstance(asked, str) and asked else place.region, place.account)
    return {
        "id": here.region,
        "name": here.region,
        "region": here.region,
        "endpoint": f"ec2.{here.region}.{here.dns_suffix}",
        "description": here.region,
    }


def partition(args: Mapping[str, Any], place: Place) -> dict[str, Any]:
    reverse = ".".join(reversed(place.dns_suffix.split(".")))
    return {
        "id": place.partition,
        "partition": place.partition,
        "dnsSuffix": place.dns_suffix,
        "reverseDnsPrefix": reverse,
    }


def availability_zones(args: Mapping[str, Any], place: Place) -> dict[str, Any]:
    names, zone_ids = place.zones()
    excluded_names = set(args.get("excludeNames") or [])
    excluded_ids = set(args.get("excludeZoneIds") or [])
    pairs = [(names[i], zone_ids[i]) for i in range(len(names))]  # no zip(strict=): this runs on Python 3.9
    kept = [(n, z) for n, z in pairs if n not in excluded_names and z not in excluded_ids]
    return {
        **{key: value for key, value in args.items() if value is not None},
        "id": place.region,
        "region": place.region,
        "names": [n for n, _ in kept],
        "zoneIds": [z for _, z in kept],
        "groupNames": [place.region for _ in kept],
    }


COMPUTED_ANSWERS: dict[str, Callable[[Mapping[str, Any], Place], dict[str, Any]]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": caller_identity,
    "aws:index/getRegion:getRegion": region,
    "aws:index/getPartition:getPartition": partition,
    "aws:index/getAvailabilityZones:getAvailabilityZones": availability_zones,
    "aws:iam/getPolicyDocument:getPolicyDocument": lambda args, place: policy_document(args),
}
"""Data sources answered without AWS: the policy document as the provider builds it, the rest from config."""


def answer(
    token: str,
    args: Mapping[str, Any],
    place: Place,
    result_type: Any,
    given: Mapping[str, Mapping[str, Any]],
) -> tuple[dict[str, Any], str]:
    """(result, how it was answered: GIVEN, COMPUTED or PLACEHOLDER) for a call of data source `token`.

    Raises PolicyDocumentError when the provider would refuse a policy document's arguments."""
    fields = _result_fields(result_type)
    subject = Subject(
        token, token.rsplit(":", 1)[-1], f"{token}#{sorted(args.items(), key=lambda kv: kv[0])!r}", args, place
    )
    base = {key: args[key] if key in args else placeholder(key, typ, subject) for key, typ in fields.items()}
    if token in given:
        return {**base, **given[token]}, GIVEN
    compute = COMPUTED_ANSWERS.get(token)
    if compute is not None:
        return {**base, **compute(args, place)}, COMPUTED
    return base, PLACEHOLDER


def _result_fields(result_type: Any) -> dict[str, Any]:
    if result_type is None:
        return {}
    try:
        from pulumi import _types

        return dict(_types.output_type_types(result_type)) if _types.is_output_type(result_type) else {}
    except Exception:
        return {}
