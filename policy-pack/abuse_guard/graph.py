"""The resource graph the engine sends, indexed once so stack rules stay linear.

At preview, IDs and ARNs are unknown, so relations ("this usage plan covers that stage") are read
from dependencies and property dependencies (which input came from which resource), not from values.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from .resources import STACK_TYPE, Resource
from .urns import PROVIDER_TYPE_PREFIX, urn_or_none

T = TypeVar("T")


class Graph:
    def __init__(self, resources: Iterable[Resource]) -> None:
        self.resources = list(resources)
        self._by_urn = {r.urn: r for r in self.resources}
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        # (dependency URN, dependent type) -> [(dependent, input name or None for a plain dependency)]:
        # keyed by type too, so asking for one type costs what it finds, not the target's every edge
        self._referrers: dict[tuple[str, str], list[tuple[Resource, str | None]]] = defaultdict(list)
        self._derived: dict[Callable[[Graph], Any], Any] = {}
        for r in self.resources:
            self._by_type[r.type].append(r)
            for prop, urns in r.property_dependencies.items():
                for urn in urns:
                    self._referrers[urn, r.type].append((r, prop))
            for urn in r.dependencies:
                self._referrers[urn, r.type].append((r, None))

    def derived(self, build: Callable[[Graph], T]) -> T:
        """`build(self)`, made once per graph: an index every stack policy of one evaluation shares."""
        if build not in self._derived:
            self._derived[build] = build(self)
        found: T = self._derived[build]
        return found

    def release(self) -> None:
        """Forget what `derived` made: each refers back to the graph, a cycle only the garbage collector frees.
        Released, the graph and its resources go as soon as the last reference to them does (the decode-once
        server releases each AnalyzeStack request's graph when it has answered)."""
        self._derived.clear()

    def get(self, urn: str) -> Resource | None:
        return self._by_urn.get(urn)

    def of_type(self, *types: str) -> list[Resource]:
        return [r for t in types for r in self._by_type.get(t, ())]

    def stack(self) -> Resource | None:
        """The root stack resource, which stack-wide findings are attached to."""
        roots = self._by_type.get(STACK_TYPE)
        return roots[0] if roots else None

    def component_of(self, resource: Resource) -> Resource | None:
        """The component `resource` belongs to: its nearest ancestor through `parent` URNs that is neither the root
        stack (pulumi:pulumi:Stack) nor a provider resource (pulumi:providers:<package>); None for a resource whose
        parent is the stack, or that has none.

        A parent the graph does not hold is still named by its URN (urn:pulumi:<stack>::<project>::<parent
        types$type>::<name>): it is returned as a Resource with that type and name and no props, and nothing above
        it is known. A cycle of parents (which the engine never records) ends the walk with None.
        """
        seen = {resource.urn}
        urn = resource.parent
        while urn and urn not in seen:
            seen.add(urn)
            ancestor = self._by_urn.get(urn)
            if ancestor is None:
                named = urn_or_none(urn)
                if named is None:
                    return None
                ancestor = Resource(urn, named.type, named.name)
            if ancestor.type == STACK_TYPE:
                return None
            if not ancestor.type.startswith(PROVIDER_TYPE_PREFIX):
                return ancestor
            urn = ancestor.parent
        return None

    def referrers(self, target: Resource, type_: str, prop: str | None = None) -> list[Resource]:
        """Resources of `type_` with an input (`prop`, or any input and dependency) from `target`."""
        seen: dict[str, Resource] = {}
        for r, via in self._referrers.get((target.urn, type_), ()):
            if prop is None or via == prop:
                seen.setdefault(r.urn, r)
        return list(seen.values())

    def referenced(self, source: Resource, prop: str, type_: str) -> list[Resource]:
        """Resources of `type_` that `source`'s input `prop` comes from."""
        found = (self._by_urn.get(urn) for urn in source.property_dependencies.get(prop, ()))
        return [r for r in found if r is not None and r.type == type_]
