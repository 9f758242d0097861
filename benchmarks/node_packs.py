"""The Node packs of the engine benchmark: Pulumi's AWSGuard as the peer, and an empty Node pack as its floor.

Each is a directory under benchmarks/node/ with a package.json pinning exact versions, the
package-lock.json npm wrote from it, a PulumiPolicy.yaml (`runtime: nodejs`) and an index.js; the
engine (and tests.harness.analyzer) runs `node ./node_modules/@pulumi/pulumi/cmd/run-policy-pack
ADDRESS .` in it. A full run installs them with `npm ci` (node_modules is git-ignored); a smoke run
never calls npm and does not run them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

NODE_DIR = Path(__file__).resolve().parent / "node"
AWSGUARD_DIR = NODE_DIR / "awsguard"
EMPTY_DIR = NODE_DIR / "empty"
PACK_DIRS = (AWSGUARD_DIR, EMPTY_DIR)
NPM_TIMEOUT = 900.0
"""Seconds one `npm ci` may take (the AWSGuard pack pulls about 250 MB: @pulumi/aws 4 and aws-sdk 2)."""

SMOKE = "smoke run: the Node packs run only in a full `make bench`, which installs them with npm ci"


class InstallError(Exception):
    """npm could not install a Node pack; the message is one line for the person running the benchmark."""


def pinned(directory: Path, package: str) -> str:
    """The exact version of `package` the pack's package.json pins."""
    manifest = json.loads((directory / "package.json").read_text(encoding="utf-8"))
    return str(manifest["dependencies"][package])


def installed(directory: Path) -> bool:
    """True when node_modules holds what package-lock.json names: npm's own record of the install is not older."""
    record = directory / "node_modules" / ".package-lock.json"
    lock = directory / "package-lock.json"
    if not record.is_file() or not lock.is_file():
        return False
    newest_input = max(lock.stat().st_mtime, (directory / "package.json").stat().st_mtime)
    return record.stat().st_mtime >= newest_input


def install(directory: Path) -> None:
    """`npm ci` from the lockfile (`npm install`, which writes one, when there is none), unless already installed.

    Install scripts are not run: none of them is needed to serve a pack (@pulumi/aws's asks the Pulumi CLI
    to install the AWS provider plugin, aws-sdk's and protobufjs's print notices).
    """
    if installed(directory):
        return
    verb = "ci" if (directory / "package-lock.json").is_file() else "install"
    command = ["npm", verb, "--ignore-scripts", "--no-audit", "--no-fund"]
    where = directory.relative_to(NODE_DIR.parents[1])
    print(f"bench: npm {verb} in {where}...", file=sys.stderr, flush=True)
    try:
        done = subprocess.run(command, cwd=directory, capture_output=True, text=True, check=False, timeout=NPM_TIMEOUT)
    except FileNotFoundError:
        raise InstallError(f"`npm {verb}` in {where}: npm is not on PATH (Node.js 20 and npm are needed)") from None
    except subprocess.TimeoutExpired:
        raise InstallError(f"`npm {verb}` in {where} did not finish within {NPM_TIMEOUT:.0f} s") from None
    if done.returncode != 0:
        raise InstallError(f"`npm {verb}` in {where} exited with {done.returncode}: {_npm_error(done.stderr)}")


def _npm_error(stderr: str) -> str:
    """npm's error in one line: its code, then the first two lines of what it says (no usage text, no log path)."""
    lines = [line.removeprefix("npm error").strip() for line in stderr.splitlines() if line.startswith("npm error")]
    code = next((line.removeprefix("code ") for line in lines if line.startswith("code ")), "")
    said = [
        line
        for line in lines
        if line and not line.startswith(("code ", "syscall ", "errno ", "A complete log of this run"))
    ][:2]
    if not said:
        said = (stderr.strip().splitlines() or ["no output"])[-1:]
    prefix = f"{code}: " if code else ""
    return prefix + "; ".join(said)


def prepare(smoke: bool) -> str:
    """Why the Node packs are not run in this run, or "" when they are installed and will run.

    A full run installs them (raising InstallError when npm fails); a smoke run leaves npm alone.
    """
    if smoke:
        missing = [d.name for d in PACK_DIRS if not installed(d)]
        if missing:
            return (
                f"not installed ({', '.join(missing)}: node_modules does not match package-lock.json), and a smoke "
                "run does not call npm; a full `make bench` installs them with npm ci"
            )
        return SMOKE
    for directory in PACK_DIRS:
        install(directory)
    return ""
