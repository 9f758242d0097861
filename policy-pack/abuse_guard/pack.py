"""The policy pack's entry point and identity, shared by every way the pack is brought into a repository.

`serve_pack()` is the whole of a pack directory's `__main__.py`: the repository's `policy-pack/` (vendored or
a git submodule, with the package beside it) and a thin pack written by `abuse-guard init-pack` (the package
installed from its requirements.txt) both call it, so both serve the same policies under the same name.
The constants are the pack's identity, which both directories' PulumiPolicy.yaml carry (commands/init_pack.py).
"""

from __future__ import annotations

from pathlib import Path

from . import PULUMI_POLICY_RELEASE, __version__, gc_settings
from .files.bounded_yaml import load_yaml
from .wording import printable

PACK_NAME = "abuse-guard"
"""The pack's name in the engine's output and in the Pulumi Cloud."""

DESCRIPTION = "Stop AWS Lambda and API Gateway abuse before it is deployed."

LICENSE = "Apache-2.0"
AUTHOR = "abuse-guard contributors"

VIRTUALENV = "venv"
"""The pack's own virtualenv, relative to the pack directory: the engine creates it and installs requirements.txt
into it on first use (PulumiPolicy.yaml `runtime.options.virtualenv`)."""

__all__ = ["AUTHOR", "DESCRIPTION", "LICENSE", "PACK_NAME", "PULUMI_POLICY_RELEASE", "VIRTUALENV", "serve_pack"]

MAX_POLICY_YAML_CHARS = 64 * 1024
"""PulumiPolicy.yaml is a few lines; past this it is not read (and the version not checked)."""


def serve_pack() -> None:
    """Serve abuse-guard's policies to the Pulumi engine; runs until the engine ends the process.

    The engine starts the pack in its directory: when that directory's PulumiPolicy.yaml names another version
    than the installed package's, the pack exits at once with one line on stderr (`version_mismatch`).
    """
    # the server and the policies load here, not at import: init-pack and every CLI command read this module's
    # constants without paying for pulumi-policy
    from .crossguard import serve
    from .policies import POLICIES

    gc_settings.apply()
    mismatch = version_mismatch(Path("."))
    if mismatch is not None:
        raise SystemExit(f"abuse-guard: {printable(mismatch)}")
    serve(
        POLICIES,
        name=PACK_NAME,
        description=f"{PACK_NAME} {__version__}: {DESCRIPTION[0].lower()}{DESCRIPTION[1:]}",
        display_name=PACK_NAME,
        provider="aws",
        tags=["aws", "lambda", "apigateway", "cost", "abuse"],
    )


def version_mismatch(pack: Path) -> str | None:
    """What to do when `pack`'s PulumiPolicy.yaml names another version than this package's; None when they agree
    or the file cannot be read (nothing to check against).

    The Pulumi CLI installs a pack's requirements.txt only when the pack's venv/ is missing or empty, so a pack
    whose files were upgraded keeps serving the old package; and `pulumi policy publish` publishes under the
    version PulumiPolicy.yaml names, which must be what the pack serves.
    """
    import yaml

    try:
        with open(pack / "PulumiPolicy.yaml", encoding="utf-8") as stream:
            text = stream.read(MAX_POLICY_YAML_CHARS + 1)
        document = load_yaml(text) if len(text) <= MAX_POLICY_YAML_CHARS else None
        pack = pack.absolute()
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    declared = document.get("version") if isinstance(document, dict) else None
    if declared is None or str(declared) == __version__:
        return None
    return (
        f"{pack / 'PulumiPolicy.yaml'} says version {declared} but abuse-guard {__version__} is installed in the "
        f"pack's virtualenv: run `abuse-guard init-pack {pack} --force` with the abuse-guard you mean to use, then "
        f"delete {pack / VIRTUALENV} so the Pulumi CLI installs requirements.txt again"
    )
