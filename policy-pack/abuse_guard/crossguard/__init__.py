"""The Pulumi engine's way in: abuse-guard's policies as a CrossGuard policy pack, alone or in a pack of one's own.

adapter.py turns each policy into a pulumi-policy policy (outcomes on the engine's channels); selection.py picks
abuse-guard's policies for a pack of one's own (`policies`); `PolicyPack` serves a pack as
pulumi_policy.PolicyPack does, with each request decoded once for abuse-guard's policies (server.py; in_flight.py
holds the decoded requests, decode.py reads engine data into Resources); `serve` is abuse-guard's own pack. The
server leans on pulumi-policy's private names, so it is imported only on the release they were checked with
(release.py); on any other release, or should the import fail, `PolicyPack` is pulumi_policy.PolicyPack: slower,
never wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import ModuleType
from typing import Any

from pulumi_policy import EnforcementLevel
from pulumi_policy import Policy as PulumiPolicy
from pulumi_policy import PolicyPack as PulumiPolicyPack

from ..policy import Policy
from . import release
from .adapter import pulumi_policy, source
from .selection import policies

__all__ = ["PolicyPack", "policies", "pulumi_policy", "serve", "shared_server"]


class PolicyPack:
    """pulumi_policy.PolicyPack, serving abuse-guard's policies among the given ones with each request decoded once.

    The same arguments, checks (pulumi-policy's own: a bad one raises its TypeError) and defaults; like it, the
    constructor serves the pack to the engine and runs until the engine ends the process. The policies built by
    `policies()` or `pulumi_policy()` are served by the decode-once server, the others as pulumi-policy serves them,
    and every call is answered as one pack of all of them, in the order given (server.ComposedPack). On a
    pulumi-policy release the server was not checked with, it is pulumi_policy.PolicyPack itself.
    """

    def __init__(
        self,
        name: str,
        policies: list[PulumiPolicy],
        enforcement_level: EnforcementLevel | None = None,
        initial_config: dict[str, EnforcementLevel | dict[str, Any]] | None = None,
        **options: Any,
    ) -> None:
        server = shared_server()
        if server is None:
            PulumiPolicyPack(name, policies, enforcement_level, initial_config, **options)
            return
        arguments = server.servicer_arguments(name, policies, enforcement_level, initial_config, **options)
        server.serve(server.analyzer(arguments, source))


def serve(policies: Sequence[Policy], *, name: str, **options: Any) -> None:
    """Serve the policies to the engine as `PolicyPack(name, [pulumi_policy(p, policies) ...], **options)`: each
    converted with the others (whose exemptions may cover its findings). Runs until the engine ends the process."""
    PolicyPack(name, [pulumi_policy(p, policies) for p in policies], **options)


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
