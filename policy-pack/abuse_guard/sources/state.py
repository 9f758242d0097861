"""Deployed state -> Run: the pack's rules over what `pulumi up` left, to audit a deployed stack.

Reads `pulumi stack export` ({"version": 3, "deployment": {...}}) and local-backend checkpoints
({"version": 3|4, "checkpoint": {"stack": ..., "latest": {...}}}), and runs the same `evaluate`
the pack uses, with the parents, dependencies and property dependencies the state records.

Props are the inputs overlaid with the outputs, key by key. Inputs are what the program declared;
outputs are what AWS has, provider-filled defaults included (reservedConcurrentExecutions -1 for
"unreserved") and, after `pulumi refresh`, any drift from the program. An audit of a deployed stack
asks about what is deployed, so outputs win; inputs fill keys outputs lack (component resources
have inputs only). A value declared secret stays secret where an older state stored the matching
output in the clear. Secret envelopes become SECRET (`from_wire`): their ciphertext or plaintext
is never read, decoded or copied. Resources marked `delete` (old copies of replaced resources,
awaiting deletion) are left out: the live copy under the same URN is the one that counts.

The file is parsed whole with the stdlib json module. Measured on a generated 50,000-resource
export (93 MB, checkpoint-secrets.json's resources repeated), CPU time: json parse and convert
1.6 s at 323 MiB peak RSS, ijson (yajl2_c, streaming the resources) 1.9 s at 120 MiB; the whole
read_state, with the nine policies registered then, 2.6 s at 235 MiB. The Resource objects the
rules need are held either way and real stacks are far smaller, so streaming did not earn a
dependency.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .. import pack_config as pack_config_file
from ..errors import UserError
from ..evaluate import evaluate
from ..pack_config import PackConfig
from ..policies import POLICIES
from ..policies.entrypoint_cost_budget import entrypoint_bounds
from ..resources import SECRET, Resource, from_wire, name_from_urn
from ..run import Run, policy_infos, resource_infos
from .files import FilePath, read_text
from .kinds import is_engine_event, is_state_document
from .urns import urn_parts

SUPPORTED_VERSIONS = (3, 4)


@dataclass(frozen=True)
class Deployment:
    """The resources of a state file, as the rules see them."""

    kind: str
    """"pulumi stack export" or "checkpoint"."""
    stack: str
    """The stack's name: from the URNs, else the checkpoint's `stack` field (for a stack with no resources)."""
    project: str
    resources: tuple[Resource, ...]


def read_state(path: FilePath, pack_config: PackConfig | None = None) -> Run:
    """Our policies (as `pack_config` enables and configures them; defaults when None) over deployed state."""
    config = pack_config if pack_config is not None else pack_config_file.load(None, POLICIES)
    deployment = read_deployment(path)
    policies = config.enabled(POLICIES)
    return Run(
        project=deployment.project,
        stack=deployment.stack,
        source=f"deployed state {path} ({deployment.kind})",
        policies=policy_infos(policies, config),
        resources=resource_infos(deployment.resources),
        findings=tuple(evaluate(policies, deployment.resources, config.properties)),
        entrypoints=entrypoint_bounds(deployment.resources, config.properties),
    )


def read_deployment(path: FilePath) -> Deployment:
    """The resources of a `pulumi stack export` or checkpoint; UserError naming the file if it is not one."""
    kind, deployment, stack_field = _deployment(path, _document(path))
    resources = _resources(path, deployment)
    if resources:
        stack, project = urn_parts(resources[0].urn)[:2]
    else:
        stack, project = stack_field.rsplit("/", 1)[-1], ""
    return Deployment(kind, stack, project, tuple(resources))


def _document(path: FilePath) -> Any:
    text = read_text(path)
    start = len(text) - len(text.lstrip())
    if start == len(text):
        raise UserError(f"{path}: empty file: expected a Pulumi state file (`pulumi stack export` or a checkpoint)")
    try:
        document, end = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as error:
        # An unterminated string runs to the end of the file; other errors at the end are cut-off documents.
        if error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated string"):
            raise UserError(f"{path}: truncated: the JSON document ends before it is complete") from None
        raise UserError(f"{path}: line {error.lineno}: invalid JSON: {error.msg} (column {error.colno})") from None
    if text[end:].strip():
        if is_engine_event(document):
            raise UserError(f"{path}: is an engine event log (one JSON event per line), not a Pulumi state file")
        line = text.count("\n", 0, end) + 1
        raise UserError(f"{path}: line {line}: more data after the JSON document: a state file is one document")
    return document


def _deployment(path: FilePath, document: Any) -> tuple[str, Mapping[str, Any], str]:
    """(what kind of file, the deployment with the resources, the checkpoint's stack name or "")."""
    if not is_state_document(document):
        raise UserError(f"{path}: not a Pulumi state file: expected a 'deployment' or 'checkpoint' object")
    version = document.get("version")
    if version not in SUPPORTED_VERSIONS:
        raise UserError(f"{path}: unsupported state version {version!r} (expected 3 or 4)")
    deployment = document.get("deployment")
    if isinstance(deployment, Mapping):
        return "pulumi stack export", deployment, ""
    checkpoint = document["checkpoint"]
    stack = checkpoint.get("stack")
    latest = checkpoint.get("latest")  # null until the stack's first deployment
    if latest is not None and not isinstance(latest, Mapping):
        raise UserError(f"{path}: checkpoint.latest: expected an object")
    return "checkpoint", latest or {}, stack if isinstance(stack, str) else ""


def _resources(path: FilePath, deployment: Mapping[str, Any]) -> list[Resource]:
    raw = deployment.get("resources")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise UserError(f"{path}: resources: expected a list")
    return [
        _resource(path, index, entry)
        for index, entry in enumerate(raw)
        if not (isinstance(entry, Mapping) and entry.get("delete") is True)
    ]


def _resource(path: FilePath, index: int, raw: Any) -> Resource:
    try:
        if not isinstance(raw, Mapping):
            raise ValueError("expected an object")
        urn, type_ = raw.get("urn"), raw.get("type")
        if not isinstance(urn, str) or not isinstance(type_, str):
            raise ValueError("expected 'urn' and 'type' strings")
        urn_parts(urn)
        parent = raw.get("parent") or None
        if parent is not None and not isinstance(parent, str):
            raise ValueError("'parent' is not a URN")
        return Resource(
            urn=urn,
            type=type_,
            name=name_from_urn(urn),
            props=merged_props(_mapping(raw, "inputs"), _mapping(raw, "outputs")),
            parent=parent,
            dependencies=_urns(raw.get("dependencies"), "dependencies"),
            property_dependencies={
                str(k): _urns(v, f"propertyDependencies.{k}") for k, v in _mapping(raw, "propertyDependencies").items()
            },
        )
    except ValueError as error:
        where = raw["urn"] if isinstance(raw, Mapping) and isinstance(raw.get("urn"), str) else f"#{index}"
        raise UserError(f"{path}: resource {where}: {error}") from None


def _mapping(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(f"'{key}' is not an object")
    return value


def _urns(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(urn, str) for urn in value):
        raise ValueError(f"'{what}' is not a list of URNs")
    return tuple(value)


def merged_props(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> dict[str, Any]:
    """Outputs over inputs, key by key; whatever the inputs declare secret stays secret."""
    declared, actual = from_wire(inputs), from_wire(outputs)
    merged = dict(declared)
    for key, value in actual.items():
        merged[key] = _keep_secret(declared[key], value) if key in declared else value
    return merged


def _keep_secret(declared: Any, actual: Any) -> Any:
    """`actual`, with SECRET wherever `declared` has it at the same place."""
    if declared is SECRET:
        return SECRET
    if isinstance(declared, Mapping) and isinstance(actual, Mapping):
        return {k: _keep_secret(declared[k], v) if k in declared else v for k, v in actual.items()}
    if isinstance(declared, list) and isinstance(actual, list):
        if len(declared) == len(actual):
            return [_keep_secret(d, a) for d, a in zip(declared, actual, strict=True)]
        return SECRET if _has_secret(declared) else actual  # items no longer line up: hide rather than guess
    return actual


def _has_secret(value: Any) -> bool:
    if value is SECRET:
        return True
    if isinstance(value, Mapping):
        return any(_has_secret(v) for v in value.values())
    return isinstance(value, list) and any(_has_secret(v) for v in value)
