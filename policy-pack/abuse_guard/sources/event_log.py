"""Engine event log -> what the CrossGuard engine decided on each resource, passes included (pipeline.py
makes it a Run).

`pulumi preview --policy-pack DIR --event-log events.ndjson` writes one JSON engine event
per line. Pulumi's own output lists only violations; the log also says, per resource and pack,
which policies passed and failed (policyAnalyzeSummaryEvent), so the report can show both. Per
(resource, policy):

- fail: a policyEvent (its message without the CLI's colour markers), or a name in `failed`;
- unknown: a policyEvent "can't run policy|remediation '<name>' [from policy pack '<pack>@v<version>']
  during preview: <why>", the advisory pulumi-policy sends for values not known at preview (the
  engine counts it in `failed` too, so it takes precedence over the list);
- pass: a name in `passed`; a remediation (policyRemediationEvent) the engine applied before the
  analysis is noted in the message ("passed after remediation (changed a; added b)");
- not-applicable: a policy the pack ran on other resources (so it is enabled) that is in neither
  list here: a summary leaves out only disabled and not-applicable policies. For abuse-guard the
  reason may also be an exemption (crossguard/adapter.py reports both as not-applicable); the log does not
  say which. For a policy that judges some resources with the stack (`Policy.in_graph`), it may also be a
  pass at AnalyzeStack: the engine lists no per-resource pass there, and the message says so.
- Stack policies: `passed` of policyAnalyzeStackSummaryEvent and policyEvents without a URN attach
  to the root stack resource; their violations carry the URN of the resource they are about.

Policies of any pack are reported; those of abuse-guard get their metadata from the registry. Each
finding names the component its resource belongs to, from the `parent` the step events
(resourcePreEvent, resOutputsEvent) record; none for a resource the log has no step event of.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import __version__
from ..errors import UserError
from ..evaluate import in_scope
from ..files.bounded_json import load_json
from ..files.inputs import MAX_LINE_BYTES, FilePath, Input, numbered_lines, opened
from ..findings import Component, Finding, Outcome
from ..graph import Graph
from ..policies import BY_ID
from ..resources import STACK_TYPE, Resource, from_wire
from ..run import EngineRecord, PolicyInfo
from ..urns import name_of, parse_urn, stack_urn
from .kinds import EVENT_KEYS, is_newer_engine_event, is_state_document

PACK = "abuse-guard"
REGISTRY_ORDER = {policy_id: index for index, policy_id in enumerate(BY_ID)}

COLOUR_MARKER = re.compile(r"<\{%[^%]*%\}>")
CANT_RUN = re.compile(
    r"can't run (?:policy|remediation) '[^']*'(?: from policy pack '[^']*')? during preview: (?P<why>.*)",
    re.DOTALL,
)


def read_event_log(source: FilePath) -> EngineRecord:
    """The findings an engine event log records; one UserError naming file and line if it is not one.

    Lines are read one at a time, each at most files.inputs.MAX_LINE_BYTES long, its JSON nested at most
    files.bounded_json.MAX_DEPTH deep.
    """
    with opened(source) as handle:
        return _read(handle)


def _read(path: Input) -> EngineRecord:
    log = _EventLog(str(path))
    empty, known, policy_events = True, 0, 0
    for number, line in numbered_lines(path, MAX_LINE_BYTES):
        if not line.strip():
            continue
        event = _event(path, number, line, first=empty)
        empty = False
        if event is None:
            continue
        kind, payload = event
        known += 1
        policy_events += kind.startswith("policy")
        try:
            log.add(kind, payload)
        except ValueError as error:
            raise UserError(f"{path}: line {number}: {kind}: {error}") from None
    if empty:
        raise UserError(f"{path}: empty file: no engine events (expected what `pulumi preview --event-log` writes)")
    if not known:
        raise UserError(f"{path}: no event type a Pulumi engine event log has (policyEvent, summaryEvent, ...)")
    if not policy_events:
        raise UserError(
            f"{path}: no policy pack ran in this run (no policyLoadEvent or other policy event), so it says nothing "
            "about abuse-guard's policies: record it with "
            "`pulumi preview --policy-pack <your pack dir> --event-log FILE`"
        )
    return log.record()


def _event(path: Input, number: int, line: str, first: bool) -> tuple[str, Any] | None:
    """(event type, payload) of one line; None for an event type newer than this reader."""
    try:
        event = load_json(line, f"{path}: line {number}")
    except json.JSONDecodeError as error:
        if first and line.strip() == "{":
            raise UserError(
                f"{path}: a JSON document spread over many lines (a Pulumi state file?), not an engine event "
                "log, which has one JSON event per line"
            ) from None
        if not line.endswith("\n"):
            raise UserError(
                f"{path}: line {number}: the last event is cut off ({error.msg}): the log is truncated"
            ) from None
        raise UserError(f"{path}: line {number}: invalid JSON: {error.msg} (column {error.colno})") from None
    if not isinstance(event, dict):
        raise UserError(f"{path}: line {number}: expected a JSON object (an engine event), got {type(event).__name__}")
    for key in event:
        if key in EVENT_KEYS:
            return key, event[key]
    if is_state_document(event):
        raise UserError(f"{path}: is a Pulumi state file (stack export or checkpoint), not an engine event log")
    if is_newer_engine_event(event):
        return None
    raise UserError(
        f"{path}: line {number}: not a Pulumi engine event (no policyEvent, resourcePreEvent, summaryEvent or "
        "other event key): expected the file `pulumi preview --event-log FILE` writes"
    )


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"'{key}' is not a string")
    return value


def _names(payload: Mapping[str, Any], key: str) -> list[str]:
    value = payload.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(name, str) and name for name in value):
        raise ValueError(f"'{key}' is not a list of policy names")
    return value


def _object(payload: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = payload.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"'{key}' is not an object")
    return value


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    """What a remediation changed, by property name only (values may be secret)."""
    groups = (
        ("changed", sorted(k for k in after.keys() & before.keys() if after[k] != before[k])),
        ("added", sorted(after.keys() - before.keys())),
        ("removed", sorted(before.keys() - after.keys())),
    )
    return "; ".join(f"{label} {', '.join(keys)}" for label, keys in groups if keys) or "no property changed"


@dataclass
class _Reports:
    """Everything the log says about one policy on one resource."""

    violations: list[str] = field(default_factory=list)
    undetermined: list[str] = field(default_factory=list)
    remediations: list[str] = field(default_factory=list)
    listed_passed: bool = False
    listed_failed: bool = False

    def absorb(self, other: _Reports) -> None:
        self.violations += other.violations
        self.undetermined += other.undetermined
        self.remediations += other.remediations
        self.listed_passed |= other.listed_passed
        self.listed_failed |= other.listed_failed

    def verdict(self) -> tuple[Outcome, str]:
        """A violation beats "can't run during preview", which beats the summary lists."""
        remediated = "; ".join(_unique(self.remediations))
        if self.violations or (self.listed_failed and not self.undetermined):
            message = "\n".join(_unique(self.violations)) or "failed (the log has no violation message for it)"
            return Outcome.FAIL, f"{message} (remediated first: {remediated})" if remediated else message
        if self.undetermined:
            return Outcome.UNKNOWN, "\n".join(_unique(self.undetermined))
        if remediated:
            return Outcome.PASS, f"passed after remediation ({remediated})"
        return Outcome.PASS, "passed: no violation reported"


@dataclass
class _PolicySeen:
    enforcement: str = ""
    severity: str = ""
    pack_version: str = ""
    per_resource: bool = False
    """Named in a resource summary: a resource policy, whose absence from another one means not-applicable."""


class _EventLog:
    """Collects what the events say; `run()` turns it into findings once the whole log is read."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.types: dict[str, str] = {}  # URN -> type, in the order resources first appear
        self.tags: dict[str, Any] = {}
        self.parents: dict[str, str] = {}  # URN -> parent URN, from step events
        self.stack_root = ""
        self.analyzed: dict[str, set[str]] = {}  # URN -> packs that analyzed it
        self.policies: dict[tuple[str, str], _PolicySeen] = {}  # (pack, policy name)
        self.reports: dict[tuple[str, str, str], _Reports] = {}  # (URN or "" for the stack, pack, policy name)
        self.summary: Mapping[str, Any] | None = None

    def add(self, kind: str, payload: Any) -> None:
        if not isinstance(payload, dict):
            raise ValueError("the event is not an object")
        match kind:
            case "policyEvent":
                self._violation(payload)
            case "policyAnalyzeSummaryEvent":
                self._resource_summary(payload)
            case "policyAnalyzeStackSummaryEvent":
                self._stack_summary(payload)
            case "policyRemediationEvent":
                self._remediation(payload)
            case "resourcePreEvent" | "resOutputsEvent":
                self._step(payload)
            case "summaryEvent":
                self.summary = payload
            # policyRemediateSummaryEvent says whether a remediation changed a resource, not whether
            # a policy holds (the changes come as policyRemediationEvent); the rest carry no outcome.

    def _see(self, urn: str, type_: str = "", tags: Any = None) -> None:
        if urn not in self.types:
            if not urn:
                raise ValueError("'resourceUrn' is empty")
            stated = parse_urn(urn).type  # a URN that is not one is bad input, whether or not a type is given
            self.types[urn] = type_ or stated
        elif type_:
            self.types[urn] = type_
        if tags is not None:
            self.tags[urn] = tags
        if self.types[urn] == STACK_TYPE:
            self.stack_root = urn

    def _policy(self, payload: Mapping[str, Any], name: str) -> _PolicySeen:
        seen = self.policies.setdefault((_text(payload, "policyPackName"), name), _PolicySeen())
        seen.pack_version = _text(payload, "policyPackVersion") or seen.pack_version
        return seen

    def _report(self, urn: str, payload: Mapping[str, Any], name: str) -> _Reports:
        return self.reports.setdefault((urn, _text(payload, "policyPackName"), name), _Reports())

    def _step(self, payload: Mapping[str, Any]) -> None:
        metadata = _object(payload, "metadata")
        state = metadata.get("new") or metadata.get("old") or {}
        if not isinstance(state, dict):
            raise ValueError("'metadata.new' is not an object")
        urn = _text(metadata, "urn")
        self._see(urn, _text(metadata, "type"), from_wire(_object(state, "inputs").get("tags")))
        if parent := _text(state, "parent"):
            self.parents[urn] = parent

    def _violation(self, payload: Mapping[str, Any]) -> None:
        urn, name = _text(payload, "resourceUrn"), _text(payload, "policyName")
        if not name:
            raise ValueError("'policyName' is empty")
        if urn:
            self._see(urn)
        policy = self._policy(payload, name)
        message = COLOUR_MARKER.sub("", _text(payload, "message")).strip()
        cant_run = CANT_RUN.fullmatch(message)
        if cant_run:
            # The engine sends these as advisory whatever the policy's level: they say nothing about it.
            self._report(urn, payload, name).undetermined.append(cant_run["why"].strip() or message)
            return
        self._report(urn, payload, name).violations.append(message)
        policy.enforcement = _text(payload, "enforcementLevel") or policy.enforcement
        policy.severity = _text(payload, "severity") or policy.severity

    def _resource_summary(self, payload: Mapping[str, Any]) -> None:
        urn = _text(payload, "resourceUrn")
        self._see(urn)
        self.analyzed.setdefault(urn, set()).add(_text(payload, "policyPackName"))
        for name in _names(payload, "passed"):
            self._policy(payload, name).per_resource = True
            self._report(urn, payload, name).listed_passed = True
        for name in _names(payload, "failed"):
            self._policy(payload, name).per_resource = True
            self._report(urn, payload, name).listed_failed = True

    def _stack_summary(self, payload: Mapping[str, Any]) -> None:
        for name in _names(payload, "passed"):
            self._policy(payload, name)
            self._report("", payload, name).listed_passed = True
        for name in _names(payload, "failed"):
            self._policy(payload, name)  # the violations are policyEvents on the resources they name

    def _remediation(self, payload: Mapping[str, Any]) -> None:
        urn, name = _text(payload, "resourceUrn"), _text(payload, "policyName")
        if not name:
            raise ValueError("'policyName' is empty")
        self._see(urn)
        self._policy(payload, name)
        change = _changes(_object(payload, "before"), _object(payload, "after"))
        self._report(urn, payload, name).remediations.append(change)

    def _may_apply(self, pack: str, name: str, type_: str) -> bool:
        """Our own policies are silent on types outside their scope, as in `evaluate`; others may apply to any."""
        policy = BY_ID.get(name) if pack == PACK else None
        return policy is None or in_scope(policy, type_)

    def _verdicts(self) -> dict[tuple[str, str, str], tuple[Outcome, str]]:
        stack_level = {(pack, name): r for (urn, pack, name), r in self.reports.items() if not urn}
        if stack_level:
            stack, project = self._stack_and_project()
            root = self.stack_root or (stack_urn(stack, project) if project else "")
            self.types.setdefault(root, STACK_TYPE)
            for (pack, name), reports in stack_level.items():
                del self.reports[("", pack, name)]
                self.reports.setdefault((root, pack, name), _Reports()).absorb(reports)
        verdicts = {key: reports.verdict() for key, reports in self.reports.items()}
        for urn, packs in self.analyzed.items():
            for (pack, name), policy in self.policies.items():
                key = (urn, pack, name)
                if key in verdicts or pack not in packs or not policy.per_resource:
                    continue
                if self._may_apply(pack, name, self.types[urn]):
                    verdicts[key] = (Outcome.NOT_APPLICABLE, _not_applicable(pack, name))
        return verdicts

    def _info(self, pack: str, name: str, policy_id: str) -> PolicyInfo:
        seen = self.policies[(pack, name)]
        ours = BY_ID.get(name) if pack == PACK else None
        if ours is None:
            return PolicyInfo(policy_id, severity=seen.severity, enforcement=seen.enforcement, pack=pack)
        return PolicyInfo(
            policy_id, ours.title, ours.description, ours.severity, seen.enforcement, ours.remediation, pack
        )

    def record(self) -> EngineRecord:
        verdicts = self._verdicts()
        appearance = {key: index for index, key in enumerate(self.policies)}
        order = sorted(
            self.policies,
            key=lambda key: (0, REGISTRY_ORDER[key[1]]) if key[0] == PACK and key[1] in BY_ID else (1, appearance[key]),
        )
        ids = _policy_ids(order)
        resources = tuple(
            Resource(urn, type_, name_of(urn), {"tags": self.tags.get(urn)}, self.parents.get(urn))
            for urn, type_ in self.types.items()
        )
        graph = Graph(resources)
        components = {r.urn: Component.of(graph.component_of(r)) for r in resources}
        findings = tuple(
            Finding(ids[(pack, name)], urn, type_, name_of(urn), *verdicts[(urn, pack, name)], components[urn])
            for pack, name in order
            for urn, type_ in self.types.items()
            if (urn, pack, name) in verdicts
        )
        stack, project = self._stack_and_project()
        versions = (seen.pack_version for (pack, _), seen in self.policies.items() if pack == PACK)
        return EngineRecord(
            project=project,
            stack=stack,
            source=f"engine event log {self.path} ({self._how()})",
            policies=tuple(self._info(pack, name, ids[(pack, name)]) for pack, name in order),
            resources=resources,
            findings=findings,
            pack_version=next(filter(None, versions), __version__),
        )

    def _stack_and_project(self) -> tuple[str, str]:
        """From the first URN in the log; ("", "") for a log that names no resource."""
        first = next((urn for urn in self.types if urn), "")
        if not first:
            return "", ""
        named = parse_urn(first)
        return named.stack, named.project

    def _how(self) -> str:
        if self.summary is None:
            return "incomplete: no summaryEvent, so the run did not finish or the log was cut short"
        command = "pulumi preview" if self.summary.get("isPreview") else "pulumi up"
        result = self.summary.get("result")
        return f"{command}, {result}" if isinstance(result, str) and result else command


def _not_applicable(pack: str, name: str) -> str:
    ours = BY_ID.get(name) if pack == PACK else None
    if ours is not None and ours.in_graph is not None:
        # Analyze answered "decided with the stack"; a pass at AnalyzeStack is not in any summary of a resource
        return "passed with the stack, not applicable or exempt: the engine's log does not say which"
    if ours is not None:
        return "not applicable or exempt: the engine's log does not say which"
    return "not applicable: the pack ran this policy on other resources but reported neither pass nor fail here"


def _policy_ids(keys: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """A policy's name, qualified as <pack>/<name> only when two packs use the same name."""
    count: dict[str, int] = {}
    for _, name in keys:
        count[name] = count.get(name, 0) + 1
    return {(pack, name): name if count[name] == 1 else f"{pack}/{name}" for pack, name in keys}
