"""Pulumi URNs, parsed and built in one place: urn:pulumi:<stack>::<project>::<qualified type>::<name>.

The qualified type is the types of the resource's parents joined by `$`, ending with its own
(`aws-apigateway:index:RestAPI$aws:apigateway/restApi:RestApi`); the engine leaves the root stack out of
it. The name is everything after the third `::`, so it may itself contain `::`. Stack and project
names and type tokens contain neither `::` nor `$`.

Sources: Pulumi docs, "Resource names" (URNs); the Pulumi Go SDK, sdk/go/common/resource/urn (Prefix
`urn:pulumi:`, NameDelimiter `::`, TypeDelimiter `$`; Name() is what follows the third NameDelimiter) and
resource.DefaultRootStackURN (the root stack is named <project>-<stack>). A provider reference, as states
and RegisterResource requests write it, is `<provider URN>::<ID>` (sdk/go/common/resource/providers
ParseReference: the ID follows the last `::`).
"""

from __future__ import annotations

from typing import NamedTuple

PREFIX = "urn:pulumi:"
NAME_DELIMITER = "::"
TYPE_DELIMITER = "$"
STACK_TYPE = "pulumi:pulumi:Stack"
"""The root stack resource's type."""
PROVIDER_TYPE_PREFIX = "pulumi:providers:"
"""How a provider resource's type starts: `pulumi:providers:<package>`."""


class Urn(NamedTuple):
    """The parts of a URN."""

    stack: str
    project: str
    qualified_type: str
    """The parents' types and the resource's own, joined by `$`."""
    name: str
    """The logical name (it may contain `::`)."""

    @property
    def type(self) -> str:
        """The resource's own type token: the last `$` part of the qualified type."""
        return self.qualified_type.rsplit(TYPE_DELIMITER, 1)[-1]

    @property
    def parent_types(self) -> tuple[str, ...]:
        """The types of its parents, outermost first (the root stack is left out)."""
        return tuple(self.qualified_type.split(TYPE_DELIMITER)[:-1])

    @property
    def is_provider(self) -> bool:
        return self.type.startswith(PROVIDER_TYPE_PREFIX)

    def __str__(self) -> str:
        return NAME_DELIMITER.join((f"{PREFIX}{self.stack}", self.project, self.qualified_type, self.name))


def urn_or_none(urn: str) -> Urn | None:
    """The parts of a URN; None when it is not a Pulumi URN (no `urn:pulumi:` prefix, fewer than four
    `::`-separated parts, or an empty stack, project or type)."""
    if not urn.startswith(PREFIX):
        return None
    parts = urn[len(PREFIX) :].split(NAME_DELIMITER, 3)
    if len(parts) != 4 or not (parts[0] and parts[1] and parts[2]):
        return None
    return Urn._make(parts)


def parse_urn(urn: str) -> Urn:
    """`urn_or_none(urn)`, raising ValueError for a string that is not a Pulumi URN."""
    parsed = urn_or_none(urn)
    if parsed is None:
        raise ValueError(f"not a Pulumi URN: {urn!r}")
    return parsed


def name_of(urn: str) -> str:
    """A URN's logical name; a string that is not a Pulumi URN is its own name."""
    parsed = urn_or_none(urn)
    return parsed.name if parsed is not None else urn


def root_stack(stack: str, project: str) -> Urn:
    """The root stack resource's URN, whose name Pulumi makes <project>-<stack>."""
    return Urn(stack, project, STACK_TYPE, f"{project}-{stack}")


def stack_urn(stack: str, project: str) -> str:
    """`root_stack` as text."""
    return str(root_stack(stack, project))


def provider_urn(reference: str) -> str | None:
    """The provider URN a provider reference (`<provider URN>::<ID>`) names, or a bare provider URN as it is; None
    for any other string."""
    urn, _, _ = reference.rpartition(NAME_DELIMITER)
    referenced = urn_or_none(urn)
    if referenced is not None and referenced.is_provider:
        return urn
    bare = urn_or_none(reference)
    return reference if bare is not None and bare.is_provider else None
