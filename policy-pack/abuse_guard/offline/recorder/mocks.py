"""The engine as far as a preview goes: Pulumi's MockMonitor, recording every registration and answering it.

Registrations are sent to abuse-guard as the engine receives them. Answers, by outputs model:
- first preview (FIRST_PREVIEW): a resource being created has an unknown ID and unknown computed
  outputs; its inputs come back as they were given (what the engine answers at preview);
- deployed stack (DEPLOYED): inputs as given, and a synthetic ID and synthetic values for the computed
  outputs that identify or address the resource (ARNs, auto-name, URLs: synthetic.py), found from the
  SDK's own type metadata of the resource's class; its other computed outputs stay unknown.
Multi-language components (`remote=True`: their provider plugin builds them, out of sight offline)
answer with no outputs in both models, so every output is unknown: never the inputs echoed, whose
types can differ from the outputs' of the same name. Stack references answer unknown outputs too.
Data sources are answered by data_sources.py in both models (a real preview calls them too).

This module runs inside the recording process, with the program's pulumi SDK.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Mapping
from typing import Any

from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.proto import resource_pb2

from . import protocol
from .data_sources import answer
from .synthetic import DEFAULT_REGION, Place, Subject, resource_state, token

STACK_TYPE = "pulumi:pulumi:Stack"
STACK_REFERENCE = "pulumi:pulumi:StackReference"
PROVIDER_PREFIX = "pulumi:providers:"


class Recorder(MockMonitor, Mocks):
    """Pulumi's MockMonitor with itself as the mocks: it sees each request, then answers it."""

    def __init__(
        self,
        send: Callable[[str, dict[str, Any]], None],
        model: str,
        config: Mapping[str, str],
        given: Mapping[str, Mapping[str, Any]],
        classes: Mapping[str, type],
        result_types: Mapping[str, Any],
    ) -> None:
        super().__init__(self)
        self.send = send
        self.model = model
        self.given = given
        self.classes = classes
        """Resource class by type token, as the program constructed them."""
        self.result_types = result_types
        """Data source result type by token, as the program called them."""
        self.region = config.get("aws:region")
        """The default provider's region: the stack's aws:region (aws/regions.py reads a resource's Region the same
        way: its own region input, its provider's, else DEFAULT_REGION; the environment is not read)."""
        self.count = 0
        self._urns: set[str] = set()
        self._lock = threading.Lock()
        self._answers: dict[str, Any] = {}
        """URN -> the Struct a registration was answered with (its state, when `getResource` asks)."""
        self._provider_regions: dict[str, str] = {}
        self._metadata: dict[type, tuple[dict[str, Any], frozenset[str]]] = {}

    # -- the monitor ----------------------------------------------------------------------------------

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine leaves the root stack out of its children's type chain (MockMonitor does not). The parent's
        # qualified type is its URN's third `::` part (abuse_guard/urns.py, which this process cannot import).
        if parent and parent.split("::")[2].rsplit("$", 1)[-1] == STACK_TYPE:
            parent = ""
        return str(super().make_urn(parent, type_, name))

    def RegisterResource(self, request: Any) -> Any:
        """Record the request, then answer it from its own Struct: no round trip through Python objects."""
        urn = self.make_urn(request.parent, request.type, request.name)
        with self._lock:
            if urn in self._urns:
                # The engine refuses a second resource with the same URN, and so do we.
                raise ValueError(f"Duplicate resource URN '{urn}'; try giving it a unique name")
            self._urns.add(urn)
            self.count += 1
        inputs = _plain(request.object)
        remote = bool(getattr(request, "remote", False))
        self.send(
            protocol.RESOURCE,
            {
                "urn": urn,
                "type": request.type,
                "name": request.name,
                "parent": request.parent or None,
                "custom": bool(request.custom),
                "remote": remote,
                "provider": request.provider,
                "props": inputs,
                "dependencies": list(request.dependencies),
                "propertyDependencies": {key: list(deps.urns) for key, deps in request.propertyDependencies.items()},
            },
        )
        if getattr(request, "transforms", None):
            self.send(protocol.TRANSFORMS, {})
        if request.type == STACK_TYPE:
            return resource_pb2.RegisterResourceResponse(urn=urn)
        answer = type(request.object)()  # a protobuf Struct
        identity = ""
        if not remote:  # a multi-language component: no outputs, so all of them are unknown
            answer.CopyFrom(request.object)
            identity, computed = self._registered(request, urn, inputs)
            if computed:
                answer.update(computed)
        with self._lock:
            self._answers[urn] = answer
            self.resources[urn] = MockMonitor.ResourceRegistration(urn, identity, {})
        return resource_pb2.RegisterResourceResponse(urn=urn, id=identity, object=answer)

    def Invoke(self, request: Any) -> Any:
        if request.tok == "pulumi:pulumi:getResource":
            args = rpc.deserialize_properties(request.args)
            with self._lock:
                known = self.resources.get(args.get("urn"))
                if known is not None:  # its state, deserialized only now that something asks for it
                    state = rpc.deserialize_properties(self._answers[known.urn])
                    self.resources[known.urn] = MockMonitor.ResourceRegistration(known.urn, known.id, state)
        return super().Invoke(request)

    def RegisterStackTransform(self, request: Any) -> Any:
        self.send(protocol.TRANSFORMS, {})
        return super().RegisterStackTransform(request)

    def _registered(self, request: Any, urn: str, inputs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """(ID, outputs to add to the inputs) of a registered resource, in this recording's outputs model."""
        if request.type.startswith(PROVIDER_PREFIX):
            identity = _uuid(urn)
            region = inputs.get("region")
            if isinstance(region, str):
                self._provider_regions[f"{urn}::{identity}"] = region
            return identity, {}
        if self.model == protocol.FIRST_PREVIEW or not request.custom:
            return "", {}  # an unknown ID, computed outputs unknown; a component's outputs are the program's
        place = self._place(inputs, request.provider)
        properties, given = self._properties(self.classes.get(request.type))
        known = {key: value for key, value in inputs.items() if value != rpc.UNKNOWN}
        subject = Subject(request.type, request.name, urn, known, place)
        identity, state = resource_state(subject, properties, given)
        return identity, {key: value for key, value in state.items() if key not in inputs}

    # -- the mocks: reads (Resource.get, StackReference) and data sources ---------------------------------

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[Any, Any]]:
        """A read (`Resource.get`): the engine reads it at every preview, a first one too (a read step runs during
        previews), so in both models its outputs are known: synthetic, named by the ID the program gives."""
        identity = args.resource_id or args.name
        if args.typ == STACK_REFERENCE:
            return identity, {"name": args.inputs.get("name", args.name)}  # its outputs stay unknown
        named = {key: value for key, value in read_name(args.typ, identity).items() if key not in args.inputs}
        inputs = {**args.inputs, **named}
        place = self._place(inputs, args.provider)
        properties, _ = self._properties(self.classes.get(args.typ))
        subject = Subject(args.typ, args.name, f"read::{args.typ}::{identity}", inputs, place)
        _, state = resource_state(subject, properties, ())
        return identity, {**named, **state}

    def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]]]:
        place = self._place(args.args, args.provider)
        result, how = answer(args.token, args.args, place, self.result_types.get(args.token), self.given)
        self.send(protocol.INVOKE, {"token": args.token, "answer": how})
        return result, []

    # -- helpers --------------------------------------------------------------------------------------

    def _place(self, inputs: Mapping[str, Any], provider: str | None) -> Place:
        """Where a resource or data source lives: its own `region` input, its provider's, else the stack's."""
        region = inputs.get("region")
        if not isinstance(region, str) or not region:
            region = self._provider_regions.get(provider or "") or self.region or DEFAULT_REGION
        return Place(region)

    def _properties(self, cls: type | None) -> tuple[dict[str, Any], frozenset[str]]:
        """A resource class's output properties (Pulumi name -> type) and the names of its inputs."""
        if cls is None:
            return {}, frozenset()
        if cls not in self._metadata:
            self._metadata[cls] = _metadata(cls)
        return self._metadata[cls]


READ_BY_NAME = {"aws:lambda/function:Function": "name"}
"""Resource types whose ID is their name (the input that holds it): what `Resource.get(name, id)` reads is named by
the ID. Source: the pulumi-aws registry, aws.lambda_.Function ("Import: ... using the `function_name`"; a Lambda
function is also found by its ARN, AWS Lambda API Reference, GetFunction FunctionName)."""


def read_name(typ: str, identity: str) -> dict[str, str]:
    """The name input a read resource has from its ID (a function's name, also out of its ARN), or nothing."""
    key = READ_BY_NAME.get(typ)
    if key is None or not identity:
        return {}
    name = identity.split(":function:", 1)[1].split(":", 1)[0] if ":function:" in identity else identity
    return {key: name}


def _uuid(seed: str) -> str:
    """A provider's ID: a UUID in the engine, here one derived from its URN."""
    digits = token(seed, 32, "0123456789abcdef")
    return "-".join((digits[:8], digits[8:12], digits[12:16], digits[16:20], digits[20:]))


def _metadata(cls: type) -> tuple[dict[str, Any], frozenset[str]]:
    try:
        from pulumi import _types

        types = dict(_types.resource_types(cls))
        to_pulumi = _types.resource_py_to_pulumi_names(cls)
        init = getattr(cls, "_internal_init", None)
        parameters = inspect.signature(init).parameters if init is not None else {}
        inputs = frozenset(
            to_pulumi.get(name, name) for name in parameters if name not in ("self", "resource_name", "opts")
        )
        return types, inputs
    except Exception:
        return {}, frozenset()


def _plain(value: Any) -> Any:
    """A protobuf Struct or ListValue as plain data, as the engine reads it: numbers are floats."""
    if hasattr(value, "fields"):  # Struct
        return {key: _plain(item) for key, item in value.items()}
    if hasattr(value, "values") and not isinstance(value, Mapping):  # ListValue
        return [_plain(item) for item in value]
    return value
