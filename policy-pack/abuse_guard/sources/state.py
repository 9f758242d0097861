"""Deployed state -> the resources `pulumi up` left, for the pack's rules to audit (pipeline.read_state).

Reads `pulumi stack export` ({"version": 3, "deployment": {...}}) and local-backend checkpoints
({"version": 3|4, "checkpoint": {"stack": ..., "latest": {...}}}), for the same `evaluate`
the pack uses, with the parents, dependencies and property dependencies the state records.

Props are the inputs overlaid with the outputs, key by key. Inputs are what the program declared;
outputs are what AWS has, provider-filled defaults included (reservedConcurrentExecutions -1 for
"unreserved") and, after `pulumi refresh`, any drift from the program. An audit of a deployed stack
asks about what is deployed, so outputs win; inputs fill keys outputs lack (component resources
have inputs only). A value declared secret stays secret where an older state stored the matching
output in the clear. Secret envelopes become SECRET (`from_wire`): their ciphertext or plaintext
is never read, decoded or copied. Resources marked `delete` (old copies of replaced resources,
awaiting deletion) are left out: the live copy under the same URN is the one that counts.

The file is streamed, never held whole. ijson's C parser (yajl2_c) turns it into basic parse events
(no prefixes: a prefix holds every key above its value, so a deep value would cost the square of its
depth) in one pass; the fields that say what the file is (version, deployment or checkpoint,
checkpoint.stack) are picked from those events in any key order, and the events of the resources
list go to ijson's C object builder, which hands over one entry at a time, converted to a Resource at
once. Objects and arrays nested deeper than files.bounded_json.MAX_DEPTH are refused as the pass reaches them.
Everything is checked at the end of the pass, so a bad file never yields part of a Run. yajl says what
is wrong but not where: on that path only, the input is parsed again (a stream from what was kept of
it) to name the line and column. Numbers come out as json.loads gave them (int or float, never
Decimal), but yajl takes whole numbers as 64-bit integers: a larger one is refused ("integer
overflow"), where json.loads took it.

Streaming costs some time (every parse event crosses into Python once to be routed) and keeps peak
memory to the Resources the rules need; the README's performance table has the figures.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import ijson  # type: ignore[import-untyped]

from ..errors import UserError
from ..files.bounded_json import MAX_DEPTH
from ..files.inputs import FilePath, Input, chunks, is_blank, opened
from ..resources import SECRET, Resource, from_wire, provider_ref
from ..urns import parse_urn
from . import CLOSING, OPENING
from .kinds import EVENT_KEYS

JSON = ijson.get_backend("yajl2_c")
"""ijson's C parser: the fast one, and the one whose messages `_unparsable` reads."""
ITEM = "item"
"""The prefix every event of the resources list is given for the object builder, which only compares it at
the start of an entry."""
SUPPORTED_VERSIONS = (3, 4)

DEPLOYMENT_RESOURCES = ("deployment", "resources")
CHECKPOINT_RESOURCES = ("checkpoint", "latest", "resources")
RESOURCE_LISTS = (DEPLOYMENT_RESOURCES, CHECKPOINT_RESOURCES)
WATCHED = frozenset(
    {("version",), ("deployment",), ("checkpoint",), ("checkpoint", "stack"), ("checkpoint", "latest"), *RESOURCE_LISTS}
)
"""Where the values are that say what the file is; the rest is read past, or streamed (the resources)."""
DEEPEST = max(len(at) for at in WATCHED)

Props = Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]
"""How a resource's props are made from its `inputs` and `outputs` as the file stores them (wire form): by default
`merged_props`, what an audit reads; `pulumi policy analyze` sends the inputs and the outputs apart (the tests)."""


@dataclass(frozen=True)
class Deployment:
    """The resources of a state file, as the rules see them."""

    kind: str
    """"pulumi stack export" or "checkpoint"."""
    stack: str
    """The stack's name: from the URNs, else the checkpoint's `stack` field (for a stack with no resources)."""
    project: str
    resources: tuple[Resource, ...]


def read_deployment(source: FilePath, props: Props | None = None) -> Deployment:
    """The resources of a `pulumi stack export` or checkpoint; UserError naming the file if it is not one.

    `props`: how each resource's props are made from its inputs and outputs (None: `merged_props`)."""
    with opened(source) as handle:
        scan = _Scan(str(handle), props or merged_props)
        try:
            scan.read(JSON.basic_parse(handle.reader(), use_float=True))
        except ijson.JSONError as error:
            raise _unparsable(handle, error, scan.event_keys) from None
    return scan.deployment()


class _Shape:
    """What a watched value was when it is not a plain value: it is not built, only noted."""

    def __init__(self, shown: str) -> None:
        self._shown = shown

    def __repr__(self) -> str:
        return self._shown


OBJECT, LIST = _Shape("{...}"), _Shape("[...]")


@dataclass
class _ResourceList:
    """One resources list of the file: ijson's object builder hands it each entry once complete.

    A malformed entry is kept, not raised, until the whole file is read: its JSON, its kind and
    its version are what to fix first (and what reading the document whole reported first).
    """

    path: str
    props: Props
    found: list[Resource] = field(default_factory=list)
    problem: UserError | None = None
    entries: int = 0

    def send(self, entry: Any) -> None:
        """The builder's call with each complete entry: it becomes a Resource at once, or the problem."""
        index, self.entries = self.entries, self.entries + 1
        if self.problem is not None or (isinstance(entry, Mapping) and entry.get("delete") is True):
            return
        try:
            self.found.append(_resource(self.path, index, entry, self.props))
        except UserError as error:
            self.problem = error


class _Scan:
    """One pass over a state file's parse events: the fields that say what it is, and its resources.

    Only the values at WATCHED places are noted (scalars as they are, objects and lists as a shape);
    a key given twice replaces what it held, as with json.loads. Everything is checked at the end,
    in `deployment`, since `version` may come after the resources.
    """

    def __init__(self, path: str, props: Props) -> None:
        self.path = path
        self.props = props
        self.where: list[str | None] = []
        """Keys from the top to the value being read (None inside a list or before an object's first key)."""
        self.values: dict[tuple[str | None, ...], Any] = {}
        self.event_keys = False
        """A top-level key is an engine event type: the document is an event log's first line."""

    def read(self, events: Iterator[tuple[str, Any]]) -> None:
        for event, value in events:
            resources = self.see(event, value)
            if resources is not None:
                self._stream(events, resources)

    def _stream(self, events: Iterator[tuple[str, Any]], resources: _ResourceList) -> None:
        """The events of the list just opened go to ijson's C object builder, up to the list's end.

        The builder is the one `ijson.items` uses; fed here, it leaves the events after the list to `read`.
        """
        build = JSON.items_basecoro(resources, ITEM).send
        depth, deepest = 0, MAX_DEPTH - len(self.where)
        for event, value in events:
            if event in OPENING:
                depth += 1
                if depth > deepest:
                    raise _too_deep(self.path)
            elif event in CLOSING:
                if not depth:
                    break
                depth -= 1
            build((ITEM, event, value))
        self.where.pop()

    def see(self, event: str, value: Any) -> _ResourceList | None:
        """Follow one event; the resources list it opens, whose entries the caller streams."""
        where = self.where
        if event == "map_key":
            where[-1] = value
            self.event_keys |= len(where) == 1 and value in EVENT_KEYS
            return None
        if event in CLOSING:
            where.pop()
            return None
        at = tuple(where) if len(where) <= DEEPEST else None
        resources = self._note(at, event, value) if at in WATCHED else None
        if event in OPENING:
            if len(where) == MAX_DEPTH:
                raise _too_deep(self.path)
            where.append(None)
        return resources

    def _note(self, at: tuple[str | None, ...], event: str, value: Any) -> _ResourceList | None:
        for held in [key for key in self.values if key[: len(at)] == at]:
            del self.values[held]
        if event == "start_array" and at in RESOURCE_LISTS:
            self.values[at] = resources = _ResourceList(self.path, self.props)
            return resources
        self.values[at] = OBJECT if event == "start_map" else LIST if event == "start_array" else value
        return None

    def deployment(self) -> Deployment:
        """The checks whole-document reading made, in its order: kind, version, shapes, resources."""
        path, values = self.path, self.values
        exported = values.get(("deployment",)) is OBJECT
        if not exported and values.get(("checkpoint",)) is not OBJECT:
            raise UserError(f"{path}: not a Pulumi state file: expected a 'deployment' or 'checkpoint' object")
        version = values.get(("version",))
        if version not in SUPPORTED_VERSIONS:
            raise UserError(f"{path}: unsupported state version {version!r} (expected 3 or 4)")
        kind, stack_field, listed = "pulumi stack export", "", values.get(DEPLOYMENT_RESOURCES)
        if not exported:
            latest = values.get(("checkpoint", "latest"))  # null until the stack's first deployment
            if latest is not None and latest is not OBJECT:
                raise UserError(f"{path}: checkpoint.latest: expected an object")
            stack = values.get(("checkpoint", "stack"))
            kind, stack_field = "checkpoint", stack if isinstance(stack, str) else ""
            listed = values.get(CHECKPOINT_RESOURCES)
        if listed is not None and not isinstance(listed, _ResourceList):
            raise UserError(f"{path}: resources: expected a list")
        if listed is not None and listed.problem is not None:
            raise listed.problem
        resources = listed.found if listed is not None else []
        if resources:
            named = parse_urn(resources[0].urn)
            stack, project = named.stack, named.project
        else:
            stack, project = stack_field.rsplit("/", 1)[-1], ""
        return Deployment(kind, stack, project, tuple(resources))


def _too_deep(path: str) -> UserError:
    return UserError(f"{path}: objects and arrays nested deeper than the limit of {MAX_DEPTH} levels")


def _unparsable(path: Input, error: Exception, event_log: bool) -> UserError:
    reason = _reason(error)
    if reason == "premature EOF":
        if is_blank(path):
            return UserError(
                f"{path}: empty file: expected a Pulumi state file (`pulumi stack export` or a checkpoint)"
            )
        return UserError(f"{path}: truncated: the JSON document ends before it is complete")
    if reason == "trailing garbage":
        if event_log:
            return UserError(f"{path}: is an engine event log (one JSON event per line), not a Pulumi state file")
        line, _ = _where_parsing_stops(path)
        return UserError(f"{path}: line {line}: more data after the JSON document: a state file is one document")
    line, column = _where_parsing_stops(path)
    return UserError(f"{path}: line {line}: invalid JSON: {reason} (column {column})")


def _reason(error: Exception) -> str:
    """yajl's message without its context lines: "parse error: premature EOF\n..." -> "premature EOF"."""
    message = error.args[0] if error.args else ""
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return text.partition("\n")[0].split(": ", 1)[-1].rstrip(".")


def _where_parsing_stops(path: Input) -> tuple[int, int]:
    """(line, column) of the byte at which the parser rejects the file; the end if it only fails there.

    yajl says what is wrong but not where. Only on this error path, the file is parsed again (in C,
    no events kept) to find the chunk it rejects, then up to that chunk once more, and the chunk fed
    one byte at a time.
    """
    rejected = _rejected_chunk(path)
    parser, events = _parser()
    position = _Position()
    for index, chunk in enumerate(chunks(path)):
        pieces = [chunk] if index != rejected else [chunk[i : i + 1] for i in range(len(chunk))]
        for piece in pieces:
            try:
                parser.send(piece)
            except ijson.JSONError:
                return position.line, position.column + 1
            del events[:]
            position.advance(piece)
    return position.line, position.column + 1


def _rejected_chunk(path: Input) -> int | None:
    parser, events = _parser()
    for index, chunk in enumerate(chunks(path)):
        try:
            parser.send(chunk)
        except ijson.JSONError:
            return index
        del events[:]
    return None


def _parser() -> tuple[Any, list[Any]]:
    """A parser to push bytes into (as the reading pass parses them), and the list its events go to."""
    events = ijson.sendable_list()
    return JSON.basic_parse_coro(events, use_float=True), events


class _Position:
    """Line and column (in characters) after the bytes seen so far."""

    def __init__(self) -> None:
        self.line, self.column = 1, 0
        self._decode = codecs.getincrementaldecoder("utf-8")("replace").decode

    def advance(self, data: bytes) -> None:
        text = self._decode(data)
        newlines = text.count("\n")
        if newlines:
            self.line += newlines
            self.column = len(text) - text.rindex("\n") - 1
        else:
            self.column += len(text)


def _resource(path: str, index: int, raw: Any, props: Props) -> Resource:
    try:
        if not isinstance(raw, Mapping):
            raise ValueError("expected an object")
        urn, type_ = raw.get("urn"), raw.get("type")
        if not isinstance(urn, str) or not isinstance(type_, str):
            raise ValueError("expected 'urn' and 'type' strings")
        named = parse_urn(urn)
        parent = raw.get("parent") or None
        if parent is not None and not isinstance(parent, str):
            raise ValueError("'parent' is not a URN")
        return Resource(
            urn=urn,
            type=type_,
            name=named.name,
            props=props(_mapping(raw, "inputs"), _mapping(raw, "outputs")),
            parent=parent,
            dependencies=_urns(raw.get("dependencies"), "dependencies"),
            property_dependencies={
                str(k): _urns(v, f"propertyDependencies.{k}") for k, v in _mapping(raw, "propertyDependencies").items()
            },
            provider=provider_ref(raw.get("provider")),  # its inputs: the provider resource's, in this state
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
