"""The Pulumi engine's way in: `serve` runs the pack's policies as a CrossGuard policy pack.

adapter.py turns each policy into a pulumi-policy policy (outcomes on the engine's channels); server.py serves them
with each request decoded once for all policies (in_flight.py holds the decoded requests, decode.py reads engine
data into Resources). The server leans on pulumi-policy's private names, so it is imported only on the release they
were checked with (release.py); on any other release, or should the import fail, `serve` is a plain `PolicyPack`:
slower, never wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

from pulumi_policy import PolicyPack

from ..policy import Policy
from . import release
from .adapter import pulumi_policy

__all__ = ["pulumi_policy", "serve", "shared_server"]


def serve(policies: Sequence[Policy], *, name: str, **options: Any) -> None:
    """Serve the policies to the engine as `PolicyPack(name, [pulumi_policy(p) ...], **options)` does: with the
    decode-once server when `shared_server` has it, else with `PolicyPack` itself. Runs until the engine ends the
    process."""
    converted = [pulumi_policy(p, policies) for p in policies]
    server = shared_server()
    if server is None:
        PolicyPack(name, converted, **options)
        return
    server.serve(policies, converted, name=name, **options)


def shared_server() -> ModuleType | None:
    """The decode-once server module (server.py), on the pulumi-policy release it was checked with and while its
    private names import; None otherwise."""
    if not release.checked():
        return None
    try:
        from . import server
    except ImportError:
        return None
    return server
