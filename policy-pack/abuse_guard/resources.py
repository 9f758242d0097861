"""Resources as the rules see them: type token, names, engine props and graph edges.

Every source (the CrossGuard engine, the offline preview, a state file) turns what it has into
`Resource` objects through `from_wire`, so the rules never see a transport's quirks: unknown
sentinels become `UNKNOWN` and secrets become `SECRET` (a value the rules may not read).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .urns import STACK_TYPE as STACK_TYPE
from .urns import provider_urn

# The engine's sentinels for values that are not known during preview (pulumi/sdk/go/common/resource/plugin).
UNKNOWN_SENTINELS = frozenset(
    {
        "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
        "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
        "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
        "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
        "e48ece36-62e2-4504-bad9-02848725956a",  # archive
        "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
    }
)
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_REFERENCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
"""A resource reference envelope (`{SIG_KEY: RESOURCE_REFERENCE_SIG, "urn": ..., "id": ...}`), which an SDK sends when
a program passes a resource object as an input (`function=fn`) and a state stores (pulumi/sdk/go/common/resource
`ResourceReferenceSig`)."""


class _Marker:
    __slots__ = ("_label",)

    def __init__(self, label: str) -> None:
        self._label = label

    def __repr__(self) -> str:
        return self._label


UNKNOWN: Any = _Marker("<unknown at preview>")
"""A value the engine will only know after deployment."""

SECRET: Any = _Marker("[secret]")
"""A value Pulumi marks secret: never read, never printed."""


def from_wire(value: Any) -> Any:
    """Plain Python data from engine data: sentinels -> UNKNOWN, secret envelopes -> SECRET, and a resource reference
    -> its ID (its URN when it has none: a component), as the engine marshals references for a policy pack, which
    does not ask to keep them (pkg/resource/plugin/rpc.go, `MarshalPropertyValue` with KeepResources false); so a
    program's `function=fn` reaches the rules as the function's ID from every source, as it does under the engine."""
    if isinstance(value, str):
        return UNKNOWN if value in UNKNOWN_SENTINELS else value
    if isinstance(value, Mapping):
        signature = value.get(SIG_KEY)
        if signature == SECRET_SIG:
            return SECRET
        if signature == RESOURCE_REFERENCE_SIG:
            return from_wire(value["id"] if value.get("id") is not None else value.get("urn"))
        return {str(k): from_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [from_wire(v) for v in value]
    return value


@dataclass(frozen=True)
class ProviderRef:
    """The provider resource (`pulumi:providers:<package>`) a resource is managed by."""

    urn: str
    """The provider resource's URN: Pulumi's provider reference (`<urn>::<id>`) without the ID."""
    props: Mapping[str, Any] | None = None
    """Its inputs, as the source sent them with the resource (the engine does, as AnalyzerProviderResource); None
    when the source gives only the reference, the provider resource itself being among the resources (a state file)."""


def provider_ref(reference: Any) -> ProviderRef | None:
    """The provider a Pulumi provider reference (`<provider URN>::<ID>`, as states and RegisterResource requests
    write it) names; a bare provider URN is taken as it is. None for no reference (absent or empty).

    Raises ValueError for a value that is not a reference to a provider resource.
    """
    if reference is None or reference == "":
        return None
    urn = provider_urn(reference) if isinstance(reference, str) else None
    if urn is None:
        raise ValueError("'provider' is not a provider reference")
    return ProviderRef(urn)


@dataclass(frozen=True)
class Resource:
    """One resource: `props` keyed by camelCase engine names, edges by URN."""

    urn: str
    type: str
    name: str
    props: Mapping[str, Any] = field(default_factory=dict)
    parent: str | None = None
    dependencies: tuple[str, ...] = ()
    property_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    declared: Resource | None = field(default=None, repr=False, compare=False)
    """The resource as the program declared it, when this is a view of it (aws/native.py: an aws-native
    resource seen as its pulumi-aws twin, or a part of one such as a method's embedded integration)."""
    provider: ProviderRef | None = None
    """The provider resource it is managed by, as far as its source says (None: the source names none)."""

    @property
    def as_declared(self) -> Resource:
        """The resource as the program declared it: itself, or the resource it is a view of."""
        return self.declared if self.declared is not None else self

    @property
    def label(self) -> str:
        """How messages name it: "Function 'webhook'"."""
        return f"{self.type.rsplit(':', 1)[-1]} '{self.name}'"
