"""The policy pack's entry point and identity, shared by every way the pack is brought into a repository.

`serve_pack()` is the whole of a pack directory's `__main__.py`: the repository's `policy-pack/` (vendored or
a git submodule, with the package beside it) and a thin pack written by `abuse-guard init-pack` (the package
installed from its requirements.txt) both call it, so both serve the same policies under the same name.
The constants are the pack's identity, which both directories' PulumiPolicy.yaml carry (commands/init_pack.py).
"""

from __future__ import annotations

from . import __version__, gc_settings
from .crossguard import serve
from .crossguard.release import SERVER_CHECKED_WITH
from .policies import POLICIES

PACK_NAME = "abuse-guard"
"""The pack's name in the engine's output and in the Pulumi Cloud."""

DESCRIPTION = "Stop AWS Lambda and API Gateway abuse before it is deployed."

LICENSE = "Apache-2.0"
AUTHOR = "abuse-guard contributors"

VIRTUALENV = "venv"
"""The pack's own virtualenv, relative to the pack directory: the engine creates it and installs requirements.txt
into it on first use (PulumiPolicy.yaml `runtime.options.virtualenv`)."""

PULUMI_POLICY_RELEASE = SERVER_CHECKED_WITH
"""The pulumi-policy release the pack's shared-request server is checked with: a pack's requirements.txt pins it
(with any other release the pack runs as a plain PolicyPack, slower, never wrong)."""


def serve_pack() -> None:
    """Serve abuse-guard's policies to the Pulumi engine; runs until the engine ends the process."""
    gc_settings.apply()
    serve(
        POLICIES,
        name=PACK_NAME,
        description=f"{PACK_NAME} {__version__}: {DESCRIPTION[0].lower()}{DESCRIPTION[1:]}",
        display_name=PACK_NAME,
        provider="aws",
        tags=["aws", "lambda", "apigateway", "cost", "abuse"],
    )
