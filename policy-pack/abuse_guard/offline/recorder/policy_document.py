"""`aws.iam.get_policy_document` computed as the provider computes it, locally and without asking AWS.

Source: terraform-provider-aws, internal/service/iam/policy_document_data_source.go and
iam_policy_model.go (the `aws_iam_policy_document` data source pulumi-aws wraps):

- source_policy_documents are merged first (a Sid twice among them is an error), then the document's
  own statements, then override_policy_documents; a merged statement replaces the one with its Sid;
- a set of strings (actions, resources, principal identifiers) with one member is that string, with
  more it is a list sorted in reverse; `&{` becomes `${` (IAM policy variables); condition values keep
  their order, and one value is that string;
- principals and conditions are maps by type and by test then variable; principals `*` / `["*"]` of
  type `*` become `"*"`;
- `json` is Go's `json.MarshalIndent(doc, "", "  ")` (fields in order Version, Id, Statement; Sid,
  Effect, Action, NotAction, Resource, NotResource, Principal, NotPrincipal, Condition; map keys
  sorted; `<`, `>` and `&` escaped), `minifiedJson` the same unindented, `id` the CRC-32 of `json`.

Arguments arrive as the engine sends them (camelCase: statements, notActions, conditions...). Raises
PolicyDocumentError with the provider's message for a duplicate Sid or an unreadable source document.
This module runs inside the recording process: it imports the standard library only.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Mapping, Sequence
from typing import Any

VERSIONS = ("2008-10-17", "2012-10-17")
STATEMENT_FIELDS = (
    ("Sid", "sid"),
    ("Effect", "effect"),
    ("Action", "actions"),
    ("NotAction", "notActions"),
    ("Resource", "resources"),
    ("NotResource", "notResources"),
    ("Principal", "principals"),
    ("NotPrincipal", "notPrincipals"),
    ("Condition", "conditions"),
)
"""Policy document statement keys, in the provider's output order, and the argument each comes from."""
GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


class PolicyDocumentError(ValueError):
    """The provider would refuse these arguments; the message is the provider's."""


def policy_document(args: Mapping[str, Any]) -> dict[str, Any]:
    """The data source's result: `json`, `minifiedJson`, `id` and the arguments as given."""
    merged: dict[str, Any] = {"Version": "", "Id": "", "Statement": []}
    seen_sids: set[str] = set()
    for index, source in enumerate(_strings(args.get("sourcePolicyDocuments"))):
        if not source:
            continue
        document = _parsed(source, f"merging source document {index}")
        for number, statement in enumerate(document["Statement"]):
            sid = statement.get("Sid", "")
            if sid:
                if sid in seen_sids:
                    raise PolicyDocumentError(
                        f"writing IAM Policy Document: merging source document {index}: duplicate Sid ({sid}) in "
                        f"source_policy_documents (statement {number}). Remove the Sid or ensure Sids are unique."
                    )
                seen_sids.add(sid)
        _merge(merged, document)
    version = args.get("version") or "2012-10-17"
    own: dict[str, Any] = {"Version": version, "Id": args.get("policyId") or "", "Statement": []}
    sids: set[str] = set()
    for statement in args.get("statements") or []:
        sid = statement.get("sid") or ""
        if sid and sid in sids:
            raise PolicyDocumentError(
                f"writing IAM Policy Document: duplicate Sid ({sid}). Remove the Sid or ensure the Sid is unique."
            )
        sids.add(sid)
        own["Statement"].append(_statement(statement, version))
    _merge(merged, own)
    for index, override in enumerate(_strings(args.get("overridePolicyDocuments"))):
        if override:
            _merge(merged, _parsed(override, f"merging override document {index}"))
    document = {key: merged[key] for key in ("Version", "Id", "Statement") if merged[key]}
    indented = _go_json(document, indent=2)
    return {
        **{key: value for key, value in args.items() if value is not None},
        "json": indented,
        "minifiedJson": _go_json(document, indent=None),
        "id": str(zlib.crc32(indented.encode("utf-8"))),
    }


def _statement(given: Mapping[str, Any], version: str) -> dict[str, Any]:
    statement: dict[str, Any] = {"Effect": given.get("effect") or "Allow"}
    if given.get("sid"):
        statement["Sid"] = given["sid"]
    for key, arg in (("Action", "actions"), ("NotAction", "notActions")):
        values = _set(given.get(arg))
        if values:
            statement[key] = _decoded(values)
    for key, arg in (("Resource", "resources"), ("NotResource", "notResources")):
        values = _set(given.get(arg))
        if values:
            statement[key] = _variables(_decoded(values), version)
    for key, arg in (("Principal", "principals"), ("NotPrincipal", "notPrincipals")):
        principals = [
            (p.get("type") or "", _variables(_decoded(_set(p.get("identifiers"))), version))
            for p in given.get(arg) or []
            if isinstance(p, Mapping)
        ]
        if principals:
            statement[key] = principals
    conditions = []
    for condition in given.get("conditions") or []:
        listed = _variables([str(v) for v in condition.get("values") or []], version)
        one = listed[0] if isinstance(listed, list) and len(listed) == 1 else listed
        conditions.append((condition.get("test") or "", condition.get("variable") or "", one))
    if conditions:
        statement["Condition"] = conditions
    return statement


def _set(values: Any) -> list[str]:
    """A Terraform set of strings: duplicates dropped."""
    return list(dict.fromkeys(str(v) for v in values or []))


def _decoded(values: list[str]) -> str | list[str]:
    """policyDecodeConfigStringList: one member is the string, more a list sorted in reverse."""
    return values[0] if len(values) == 1 else sorted(values, reverse=True)


def _variables(value: str | list[str], version: str) -> str | list[str]:
    """`&{` -> `${`, an error in version 2008-10-17 (which has no policy variables)."""
    items = [value] if isinstance(value, str) else value
    for item in items:
        if version == "2008-10-17" and "&{" in item:
            raise PolicyDocumentError(
                f"found &{{ sequence in ({item}), which is not supported in document version 2008-10-17"
            )
    replaced = [item.replace("&{", "${") for item in items]
    return replaced[0] if isinstance(value, str) else replaced


def _strings(value: Any) -> list[str]:
    """The documents of a list argument; an empty one is skipped, as the provider's acceptance tests show."""
    return [v if isinstance(v, str) else "" for v in value or []]


def _parsed(text: str, what: str) -> dict[str, Any]:
    """A policy JSON document read as the provider's IAMPolicyDoc (keys matched case-insensitively)."""
    try:
        raw = json.loads(text)
        if not isinstance(raw, Mapping):
            raise TypeError("not an object")
        fields = {str(k).lower(): v for k, v in raw.items()}
        statements = fields.get("statement") or []
        if isinstance(statements, Mapping):
            statements = [statements]
        return {
            "Version": str(fields.get("version") or ""),
            "Id": str(fields.get("id") or ""),
            "Statement": [_parsed_statement(s) for s in statements],
        }
    except (ValueError, TypeError, AttributeError) as error:
        raise PolicyDocumentError(f"writing IAM Policy Document: {what}: {error}") from None


def _parsed_statement(raw: Mapping[str, Any]) -> dict[str, Any]:
    fields = {str(k).lower(): v for k, v in raw.items()}
    statement: dict[str, Any] = {}
    for key, _ in STATEMENT_FIELDS:
        value = fields.get(key.lower())
        if value in (None, "", [], {}):
            continue
        if key in ("Principal", "NotPrincipal"):
            value = _parsed_principals(value)
        elif key == "Condition":
            value = _parsed_conditions(value)
        statement[key] = value
    return statement


def _parsed_principals(value: Any) -> list[tuple[str, str | list[str]]]:
    if isinstance(value, str):
        return [("*", ["*"])]
    return [(str(k), v if isinstance(v, str) else sorted(str(i) for i in v)) for k, v in value.items()]


def _parsed_conditions(value: Mapping[str, Any]) -> list[tuple[str, str, str | list[str]]]:
    found: list[tuple[str, str, str | list[str]]] = []
    for test, variables in value.items():
        for variable, values in variables.items():
            if isinstance(values, bool):
                found.append((test, variable, "true" if values else "false"))
            elif isinstance(values, str):
                found.append((test, variable, [values]))
            elif isinstance(values, list):
                found.append((test, variable, [str(v) for v in values]))
    return found


def _merge(into: dict[str, Any], document: Mapping[str, Any]) -> None:
    """IAMPolicyDoc.Merge: adopt the Id, upgrade the Version, replace statements by Sid, append the rest."""
    if document["Id"]:
        into["Id"] = document["Id"]
    if document["Version"] > into["Version"]:
        into["Version"] = document["Version"]
    for statement in document["Statement"]:
        sid = statement.get("Sid", "")
        existing = next((i for i, s in enumerate(into["Statement"]) if sid and s.get("Sid") == sid), None)
        if existing is None:
            into["Statement"].append(statement)
        else:
            into["Statement"][existing] = statement


def _rendered(statement: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, _ in STATEMENT_FIELDS:
        value = statement.get(key)
        if value in (None, "", [], {}):
            continue
        if key in ("Principal", "NotPrincipal"):
            value = _principals(value)
        elif key == "Condition":
            value = _conditions(value)
        out[key] = value
    return out


def _principals(principals: Sequence[tuple[str, str | list[str]]]) -> Any:
    """IAMPolicyStatementPrincipalSet.MarshalJSON."""
    if len(principals) == 1 and principals[0][0] == "*" and principals[0][1] in ("*", ["*"]):
        return "*"
    raw: dict[str, Any] = {}
    for kind, identifiers in principals:
        before = raw.get(kind)
        if isinstance(identifiers, list):
            listed = [] if before is None else ([before] if isinstance(before, str) else before)
            raw[kind] = listed + sorted(identifiers, reverse=True)
        elif before is None:
            raw[kind] = identifiers
        else:
            raw[kind] = ([before] if isinstance(before, str) else before) + [identifiers]
    return raw


def _conditions(conditions: Sequence[tuple[str, str, str | list[str]]]) -> dict[str, Any]:
    """IAMPolicyStatementConditionSet.MarshalJSON: values appended in order, one value flattened."""
    raw: dict[str, dict[str, list[str]]] = {}
    for test, variable, values in conditions:
        raw.setdefault(test, {}).setdefault(variable, []).extend([values] if isinstance(values, str) else values)
    return {t: {v: items[0] if len(items) == 1 else items for v, items in by.items()} for t, by in raw.items()}


def _go_json(document: Mapping[str, Any], indent: int | None) -> str:
    """Go's encoding/json: struct fields (the document, a statement) in declared order, map keys sorted."""
    ordered = {key: document[key] for key in ("Version", "Id") if document.get(key)}
    statements = [{key: _sorted(value) for key, value in _rendered(s).items()} for s in document.get("Statement", [])]
    if statements:
        ordered["Statement"] = statements
    separators = (",", ": ") if indent else (",", ":")
    text = json.dumps(ordered, indent=indent, ensure_ascii=False, separators=separators)
    for char, escape in GO_ESCAPES.items():
        text = text.replace(char, escape)
    return text


def _sorted(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value
