"""Which pulumi-policy release is installed, and its private names, imported only on the release they were checked on.

The decode-once server (server.py) extends pulumi-policy's private servicer class, and `decode.plain_props` unwraps
its private proxies; both are internals a release may rename. They are imported only here and in server.py, never
at the import of the pack, and only when the installed release is SERVER_CHECKED_WITH: on any other release (the
pack's requirements.txt allows a range), or should a name be missing, the pack is a plain `PolicyPack` and reads
pulumi-policy's values through its public functions: slower, never wrong.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy.version import VERSION as PULUMI_POLICY_VERSION

from .. import PULUMI_POLICY_RELEASE

SERVER_CHECKED_WITH = PULUMI_POLICY_RELEASE
"""The pulumi-policy release whose PolicyPack `crossguard.PolicyPack` repeats (calling it for its checks with its
private servicer class stood in for, server.servicer_arguments), whose private servicer class server.SharedRequests
extends and whose private proxies `decode.plain_props` unwraps (tests/protocol/test_shared_request.py and
test_compose.py pin them)."""

__all__ = ["PULUMI_POLICY_VERSION", "SERVER_CHECKED_WITH", "checked", "private_proxies"]


def checked() -> bool:
    """The installed pulumi-policy is the release the private names were checked with."""
    return PULUMI_POLICY_VERSION == SERVER_CHECKED_WITH


def private_proxies() -> tuple[type[Any], type[Any]] | None:
    """pulumi-policy's proxy classes of a dict and a list (`_DictProxy`, `_ListProxy`), on the checked release and
    while it has them; else None."""
    if not checked():
        return None
    try:
        from pulumi_policy.proxy import _DictProxy, _ListProxy
    except ImportError:
        return None
    return _DictProxy, _ListProxy
