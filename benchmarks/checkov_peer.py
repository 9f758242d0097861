"""The offline preview against Checkov on the equivalent Terraform: time, scaling and peak memory, side by side.

Both check the same generated stack: synthetic.stack(size) is written once as a Pulumi program
(program.py, what `python -m abuse_guard preview` runs) and once as Terraform (`terraform()` here:
one resource block per custom resource, links as references, the same inputs), and each tool runs
as a user runs it, in a fresh process, writing its JSON results to a file:

- `python -m abuse_guard preview . --stack bench --json FILE --policy-config pack-config.json`;
- `checkov -d DIR --framework terraform --check <the equivalent checks> -o json --output-file-path DIR
  --skip-download`, Checkov CHECKOV_VERSION in a venv of its own (benchmarks/checkov/venv, created by
  a full `make bench` from PyPI; a smoke run never installs it). The equivalent checks are the Checkov
  IDs our policies name as equivalents (CKV_AWS_115, CKV_AWS_258, CKV_AWS_59, CKV_AWS_309, CKV_AWS_301).

Peak memory is the largest sum of the resident set sizes of the process and all its descendants
(read from /proc every POLL seconds): the offline preview runs the program in a child process.
"""

from __future__ import annotations

import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from abuse_guard.resources import STACK_TYPE, UNKNOWN_SENTINELS, Resource
from benchmarks import program, synthetic
from benchmarks.results import Figure, Section, Target

CHECKOV_VERSION = "3.3.30"
CHECKS = ("CKV_AWS_115", "CKV_AWS_258", "CKV_AWS_59", "CKV_AWS_309", "CKV_AWS_301")
"""The Checkov checks our policies name as their equivalents (policies/*.py, `references`)."""
HERE = Path(__file__).resolve().parent
VENV = HERE / "checkov" / "venv"
CHECKOV = VENV / "bin" / "checkov"
INSTALL_TIMEOUT = 1800.0
"""Seconds `pip install checkov` may take (it pulls about 100 packages)."""
RUN_TIMEOUT = 1800.0
POLL = 0.02
FULL_SIZES, SMOKE_SIZES = (1_000, 10_000), (20, 200)
FULL_RUNS, SMOKE_RUNS = 3, 1
SPEEDUP = 2.0
"""The offline preview must be at least this many times faster than Checkov at each size."""
MAX_EXPONENT = 1.1
SMOKE = "smoke run: Checkov runs only in a full `make bench`, which installs it into benchmarks/checkov/venv"

TF_TYPES = {
    "aws:iam/role:Role": "aws_iam_role",
    "aws:lambda/function:Function": "aws_lambda_function",
    "aws:lambda/permission:Permission": "aws_lambda_permission",
    "aws:lambda/functionUrl:FunctionUrl": "aws_lambda_function_url",
    "aws:apigateway/restApi:RestApi": "aws_api_gateway_rest_api",
    "aws:apigateway/resource:Resource": "aws_api_gateway_resource",
    "aws:apigateway/method:Method": "aws_api_gateway_method",
    "aws:apigateway/integration:Integration": "aws_api_gateway_integration",
    "aws:apigateway/deployment:Deployment": "aws_api_gateway_deployment",
    "aws:apigateway/stage:Stage": "aws_api_gateway_stage",
    "aws:apigateway/methodSettings:MethodSettings": "aws_api_gateway_method_settings",
    "aws:apigateway/usagePlan:UsagePlan": "aws_api_gateway_usage_plan",
    "aws:apigateway/apiKey:ApiKey": "aws_api_gateway_api_key",
    "aws:apigateway/usagePlanKey:UsagePlanKey": "aws_api_gateway_usage_plan_key",
    "aws:apigatewayv2/api:Api": "aws_apigatewayv2_api",
    "aws:apigatewayv2/authorizer:Authorizer": "aws_apigatewayv2_authorizer",
    "aws:apigatewayv2/integration:Integration": "aws_apigatewayv2_integration",
    "aws:apigatewayv2/route:Route": "aws_apigatewayv2_route",
    "aws:apigatewayv2/stage:Stage": "aws_apigatewayv2_stage",
}
"""Pulumi type token -> the Terraform resource type pulumi-aws wraps."""
RENAMED = {"restApi": "rest_api_id", "deployment": "deployment_id", "function": "function_name"}
"""Pulumi input names whose Terraform argument is not just the snake_case name."""
MAPS = {"tags", "variables", "triggers"}
"""Arguments that are maps in Terraform; every other object is a nested block."""
REFERENCED = {
    "uri": "invoke_arn",
    "integrationUri": "invoke_arn",
    "sourceArn": "execution_arn",
    "role": "arn",
    "function": "function_name",
    "functionName": "function_name",
    "stageName": "stage_name",
    "httpMethod": "http_method",
    "stage": "stage_name",
}
"""The attribute of the linked resource an input refers to (default: id)."""


# -- the equivalent Terraform ------------------------------------------------------------------------


def terraform(resources: Sequence[Resource]) -> str:
    """The stack as Terraform: a provider block, then one resource block per custom resource, in order."""
    addresses = {r.urn: f"{TF_TYPES[r.type]}.{r.name}" for r in resources if r.type in TF_TYPES}
    blocks = ['provider "aws" {\n  region = "us-east-1"\n}\n']
    for resource in resources:
        if resource.type in TF_TYPES:
            blocks.append(_block(resource, addresses))
    return "\n".join(blocks)


def _block(resource: Resource, addresses: Mapping[str, str]) -> str:
    lines = [f'resource "{TF_TYPES[resource.type]}" "{resource.name}" {{']
    for key, value in resource.props.items():
        if key == "code":
            lines.append('  filename = "handler.zip"')
            continue
        links = [addresses[urn] for urn in resource.property_dependencies.get(key, ()) if urn in addresses]
        lines += _argument(_snake(key), value, links, REFERENCED.get(key, "id"), "  ")
    lines.append("}\n")
    return "\n".join(lines)


def _argument(name: str, value: Any, links: list[str], attribute: str, indent: str) -> list[str]:
    if isinstance(value, Mapping) and synthetic.SIG_KEY in value:
        value = value.get("value")  # a secret: Terraform has the plain value (marked sensitive elsewhere)
    if isinstance(value, Mapping) and name not in MAPS:
        inner = [
            line
            for key, item in value.items()
            for line in _argument(_snake(key), item, _nested(key, links), REFERENCED.get(key, "id"), indent + "  ")
        ]
        return [f"{indent}{name} {{", *inner, f"{indent}}}"]
    if isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
        return [line for item in value for line in _argument(name, item, links, attribute, indent)]
    return [f"{indent}{name} = {_expression(value, links, attribute)}"]


def _nested(key: str, links: list[str]) -> list[str]:
    """The link a nested input comes from: a usage plan's apiStages come from an API (apiId) and a stage (stage)."""
    if key == "apiId":
        return [link for link in links if "_api." in link][:1]
    if key == "stage":
        return [link for link in links if "_stage." in link][:1]
    return []


def _expression(value: Any, links: list[str], attribute: str) -> str:
    if isinstance(value, Mapping) and synthetic.SIG_KEY in value:
        value = value.get("value")
    if isinstance(value, str) and value in UNKNOWN_SENTINELS:
        return f"{links[0]}.{attribute}" if links else "timestamp()"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{json.dumps(str(k))} = {_expression(v, [], 'id')}" for k, v in value.items())
        return f"{{ {items} }}"
    if isinstance(value, list):
        return "[" + ", ".join(_expression(v, links, attribute) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value)).replace("${", "$${")


def _snake(name: str) -> str:
    return RENAMED.get(name) or re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def write_terraform(directory: Path, size: int) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    resources = [r for r in synthetic.stack(size) if r.type != STACK_TYPE]
    (directory / "main.tf").write_text(terraform(resources), encoding="utf-8")


# -- installing and running Checkov -----------------------------------------------------------------


class InstallError(Exception):
    """pip could not install Checkov; the message is one line for the person running the benchmark."""


def installed() -> bool:
    return CHECKOV.is_file() and _installed_version() == CHECKOV_VERSION


def _installed_version() -> str:
    python = VENV / "bin" / "python"
    if not python.is_file():
        return ""
    done = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m; print(m.version('checkov'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


def install() -> None:
    """Checkov CHECKOV_VERSION from PyPI into its own venv (benchmarks/checkov/venv), unless it is there."""
    if installed():
        return
    steps = [
        [sys.executable, "-m", "venv", "--clear", str(VENV)],
        [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", f"checkov=={CHECKOV_VERSION}"],
    ]
    for command in steps:
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=INSTALL_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise InstallError(f"`{' '.join(command[-3:])}` did not finish within {INSTALL_TIMEOUT:.0f} s") from None
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise InstallError(f"`{' '.join(command[-3:])}` exited with {done.returncode}: {last}")


def prepare(smoke: bool) -> str:
    """Why Checkov is not run in this run, or "" when it is installed and will run (a full run installs it)."""
    if smoke:
        return SMOKE if installed() else f"not installed, and a smoke run does not install it; {SMOKE}"
    install()
    return ""


def measured(command: Sequence[str], cwd: Path, env: Mapping[str, str] | None = None) -> tuple[float, float, int]:
    """(seconds from start to exit, peak MiB of the process tree's resident memory, exit code)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, env=dict(env) if env is not None else None, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_rss(process.pid))
        if time.perf_counter() - started > RUN_TIMEOUT:
            process.kill()
        time.sleep(POLL)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} (in {cwd}) exited {process.returncode}:\n{stderr[-2000:]}")
    return seconds, peak / 2**20, process.returncode


def _tree_rss(pid: int) -> int:
    """Bytes resident in `pid` and every process below it (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text(encoding="utf-8")
            children = Path(f"/proc/{current}/task/{current}/children").read_text(encoding="utf-8").split()
        except OSError:
            continue
        rss = next((line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")), "0")
        total += int(rss) * 1024
        todo += [int(child) for child in children]
    return total


def checkov(directory: Path) -> tuple[float, float]:
    out = directory / "checkov-out"
    command = [
        str(CHECKOV),
        "-d",
        str(directory),
        "--framework",
        "terraform",
        "--check",
        ",".join(CHECKS),
        "--quiet",
        "--compact",
        "--skip-download",
        "-o",
        "json",
        "--output-file-path",
        str(out),
    ]
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_EXPERIMENTAL_IMAGE_REFERENCING": "False"}
    seconds, peak, _ = measured(command, directory, env)
    return seconds, peak


def preview(project: Path, config: Path) -> tuple[float, float]:
    command = [sys.executable, "-m", "abuse_guard", "preview", ".", "--stack", program.STACK]
    command += ["--json", str(project / "run.json"), "--policy-config", str(config)]
    seconds, peak, _ = measured(command, project)
    return seconds, peak


# -- the figures --------------------------------------------------------------------------------------


def section() -> Section:
    return Section(
        "checkov",
        f"Offline preview against Checkov {CHECKOV_VERSION}",
        "The generated stack at each size as a Pulumi program (`python -m abuse_guard preview`) and as the "
        "equivalent Terraform (`checkov -d DIR --framework terraform` restricted to the equivalent checks "
        f"{', '.join(CHECKS)}), each in a fresh process writing its JSON results; the two take turns, median of "
        "several runs; peak memory: the largest sum of the resident memory of the process and its children.",
    )


def compare(into: Section, smoke: bool, not_run: str) -> None:
    """Both tools at each size; Checkov's rows say why they were not run when `not_run` is set."""
    sizes, runs = (SMOKE_SIZES, SMOKE_RUNS) if smoke else (FULL_SIZES, FULL_RUNS)
    ours: dict[int, tuple[float, float]] = {}
    theirs: dict[int, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="abuse-guard-bench-checkov-") as directory:
        for size in sizes:
            project, tf = Path(directory, f"pulumi-{size}"), Path(directory, f"terraform-{size}")
            config = program.write_project(project, size)
            write_terraform(tf, size)
            samples: list[tuple[float, float]] = []
            peer: list[tuple[float, float]] = []
            for _ in range(runs):
                samples.append(preview(project, config))
                if not not_run:
                    peer.append(checkov(tf))
            ours[size] = (statistics.median(s for s, _ in samples), max(m for _, m in samples))
            if peer:
                theirs[size] = (statistics.median(s for s, _ in peer), max(m for _, m in peer))
    note = f"not run: {not_run}" if not_run else ""
    for size in sizes:
        seconds = ours[size][0]
        peer_seconds, peer_peak = theirs.get(size, (None, None))
        ratio = None if peer_seconds is None else peer_seconds / seconds
        into.add(
            Figure(f"offline preview, {size:,} resources", seconds, "s"),
            Figure(f"Checkov {CHECKOV_VERSION}, {size:,} resources", peer_seconds, "s", note=note),
            Figure(f"Checkov time / offline preview time, {size:,}", ratio, "x", Target(">=", SPEEDUP), note=note),
        )
    small, large = sizes[0], sizes[-1]
    exponent = math.log(ours[large][0] / ours[small][0]) / math.log(large / small)
    into.add(
        Figure(f"offline preview scaling exponent {small:,} -> {large:,}", exponent, "", Target("<=", MAX_EXPONENT))
    )
    if large in theirs:
        peer_exponent = math.log(theirs[large][0] / theirs[small][0]) / math.log(large / small)
        into.add(Figure(f"Checkov scaling exponent {small:,} -> {large:,}", peer_exponent, ""))
    peer_peak = theirs[large][1] if large in theirs else None
    into.add(
        Figure(
            f"offline preview peak memory, {large:,} resources",
            ours[large][1],
            "MiB",
            None if peer_peak is None else Target("<=", round(peer_peak, 1)),
            note="" if peer_peak is not None else f"target: Checkov's peak memory, {note}",
        ),
        Figure(f"Checkov peak memory, {large:,} resources", peer_peak, "MiB", note=note),
    )
