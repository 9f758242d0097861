"""Plays the Pulumi engine against a policy pack over the real Analyzer gRPC protocol.

The Pulumi CLI cannot be installed everywhere the pack is developed, so the engine side is proven by
doing what the engine does: start `python -u -m pulumi.policy <engine-address> .` in the pack
directory (the engine's `pulumi-analyzer-policy-python` shim), read the port it prints, then send
the protobuf messages the engine sends. The protocol tests, the benchmark and the parity test (through
engine.py, which plays a whole `pulumi preview` or `pulumi policy analyze`) all drive a pack through this one client.

A pack whose PulumiPolicy.yaml says `runtime: nodejs` (the benchmark's AWSGuard peer) is started as
the engine starts a Node pack: `node ./node_modules/@pulumi/pulumi/cmd/run-policy-pack
<engine-address> .` in the pack directory (what the `pulumi-analyzer-policy` shim and the Node
language host's RunPlugin run), with the stack's identity also under the PULUMI_NODEJS_* names.
"""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any, NamedTuple

import grpc  # type: ignore[import-untyped]
import yaml
from google.protobuf import empty_pb2, struct_pb2  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc, plugin_pb2
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE
from pulumi_policy.secret import Secret

from abuse_guard.errors import UserError
from abuse_guard.evaluate import DECIDED_WITH_THE_STACK
from abuse_guard.findings import Outcome
from abuse_guard.resources import SECRET, SECRET_SIG, SIG_KEY, UNKNOWN, Resource

NO_ENGINE = "127.0.0.1:0"
"""The engine address handed to the pack: a Python pack never dials it (tests/protocol proves it)."""

NODE_RUN_POLICY_PACK = Path("node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack")
"""The module the engine runs with node for a Node pack, resolved from the pack directory."""

CALL_TIMEOUT = 60.0
"""Seconds one RPC may take before the client gives up, so a hung pack fails a run instead of stalling it."""

MAX_MESSAGE_BYTES = 400 * 1024 * 1024
"""Both ways, the limit pulumi-policy's server sets: an AnalyzeStack request for 10,000 resources is
several MB, and a response listing thousands of violations can pass gRPC's default 4 MB receive limit."""

LEVELS: Mapping[str, analyzer_pb2.EnforcementLevel.ValueType] = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}

PolicyConfig = tuple[str, Mapping[str, Any]]
"""One policy's config as the engine sends it: (enforcement level, config properties)."""


class PackStartError(UserError):
    """The pack process died or stayed silent before printing its port; carries its stderr."""


class Reported(NamedTuple):
    """One thing the pack told the engine about a policy and a resource.

    `kind` uses the findings vocabulary: FAIL is a violation, UNKNOWN the engine's "can't run policy
    ... during preview" advisory, NOT_APPLICABLE and EXEMPT are not-applicable replies (EXEMPT when
    the reason starts with "exempt: "). A pass is reported by saying nothing.
    """

    policy: str
    urn: str
    kind: Outcome
    message: str


def to_wire(value: Any) -> Any:
    """Plain data with markers -> the JSON-like values the engine puts into a protobuf Struct.

    UNKNOWN becomes the string sentinel: that is what the engine forwards for a program's unknown
    output, whose type it does not know. A caller who knows the type puts the typed sentinel
    (pulumi_policy.proxy.UNKNOWN_NUMBER_VALUE, ...) into the props itself; strings pass unchanged.
    `Secret(value)` becomes the engine's secret envelope around the value. The bare SECRET marker has
    lost its value, so it travels as a secret whose value is not known: the pack cannot read it,
    just as the rules may not.
    """
    if value is UNKNOWN:
        return UNKNOWN_STRING_VALUE
    if value is SECRET:
        return {SIG_KEY: SECRET_SIG, "value": UNKNOWN_STRING_VALUE}
    if isinstance(value, Secret):
        return {SIG_KEY: SECRET_SIG, "value": to_wire(value.value)}
    if isinstance(value, Mapping):
        return {str(k): to_wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    return value


def to_struct(props: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(to_wire(props))
    return struct


def _options(resource: Resource) -> analyzer_pb2.AnalyzerResourceOptions:
    # The engine always sends custom timeouts (zero when unset) and the parent in the options.
    return analyzer_pb2.AnalyzerResourceOptions(
        parent=resource.parent or "",
        customTimeouts=analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(),
    )


def _provider(resource: Resource) -> dict[str, Any]:
    """The resource's provider as the engine sends it with the resource: type, URN, name and its inputs."""
    provider = resource.provider
    if provider is None:
        return {}
    return {
        "provider": analyzer_pb2.AnalyzerProviderResource(
            type=provider.urn.split("::")[2].rsplit("$", 1)[-1],
            urn=provider.urn,
            name=provider.urn.rsplit("::", 1)[-1],
            properties=to_struct(provider.props or {}),
        )
    }


def _described(resource: Resource) -> dict[str, Any]:
    """The fields both Analyze and AnalyzeStack describe a resource with (and its provider, when it names one)."""
    return {
        "type": resource.type,
        "urn": resource.urn,
        "name": resource.name,
        "properties": to_struct(resource.props),
        "options": _options(resource),
        **_provider(resource),
    }


def analyze_request(resource: Resource) -> analyzer_pb2.AnalyzeRequest:
    """The request the engine sends for one resource's inputs (no graph edges: Analyze has none)."""
    return analyzer_pb2.AnalyzeRequest(**_described(resource))


def analyzer_resource(resource: Resource) -> analyzer_pb2.AnalyzerResource:
    """One resource of an AnalyzeStack request, with parent, dependencies and property dependencies."""
    return analyzer_pb2.AnalyzerResource(
        **_described(resource),
        parent=resource.parent or "",
        dependencies=list(resource.dependencies),
        propertyDependencies={
            prop: analyzer_pb2.AnalyzerPropertyDependencies(urns=list(urns))
            for prop, urns in resource.property_dependencies.items()
            if urns  # the engine skips inputs without dependencies
        },
    )


def reported(response: analyzer_pb2.AnalyzeResponse, urn: str = "") -> list[Reported]:
    """What an AnalyzeResponse says, policy by policy; `urn` stands in where the pack gives none."""
    result: list[Reported] = []
    for d in response.diagnostics:
        if d.message.startswith(f"can't run policy '{d.policyName}' from policy pack "):
            kind, message = Outcome.UNKNOWN, d.message.partition(" during preview: ")[2]
        else:
            kind, message = Outcome.FAIL, d.message.removeprefix(d.description + "\n")
        result.append(Reported(d.policyName, d.urn or urn, kind, message))
    for n in response.not_applicable:
        kind = Outcome.EXEMPT if n.reason.startswith("exempt: ") else Outcome.NOT_APPLICABLE
        result.append(Reported(n.policy_name, urn, kind, n.reason))
    return result


def previewed(pack: RunningPack, resources: Iterable[Resource]) -> list[Reported]:
    """The verdicts the pack gives the engine in a preview of `resources`: Analyze of each (its answers on its URN),
    then AnalyzeStack of them all, where a policy that decides with the stack reports on each resource's URN. The
    Analyze replies that only say so (not-applicable, "decided with the stack: ...") are left out."""
    resources = list(resources)
    said = [
        entry
        for r in resources
        for entry in reported(pack.analyze(r), r.urn)
        if not (entry.kind is Outcome.NOT_APPLICABLE and entry.message.startswith(DECIDED_WITH_THE_STACK))
    ]
    return said + reported(pack.analyze_stack(resources))


class RunningPack:
    """A policy pack process and a gRPC channel to it; close it (or use `with`) to end the process."""

    def __init__(self, process: subprocess.Popen[bytes], stderr: IO[bytes]) -> None:
        self.process = process
        self.port = 0
        self.startup_seconds = 0.0
        """Seconds from process start to the port line: what a user waits for before the first check."""
        self.output: list[bytes] = []
        """What the pack printed after its port (the engine logs it)."""
        self._stderr = stderr
        self._drain: threading.Thread | None = None
        self.channel: Any = None
        self.stub: Any = None
        self.config: dict[str, PolicyConfig] = {}
        """The policy config last sent with `configure` (what the engine knows of the levels)."""

    def connect(self, timeout: float) -> None:
        """Open the channel to the printed port and keep reading stdout, as the engine does."""
        self._drain = threading.Thread(target=self._collect_output, daemon=True)
        self._drain.start()
        self.channel = grpc.insecure_channel(
            f"127.0.0.1:{self.port}",
            options=[
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ],
        )
        self.stub = analyzer_pb2_grpc.AnalyzerStub(self.channel)
        grpc.channel_ready_future(self.channel).result(timeout=timeout)

    def _collect_output(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def info(self) -> analyzer_pb2.AnalyzerInfo:
        return self.stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=CALL_TIMEOUT)

    def plugin_info(self) -> plugin_pb2.PluginInfo:
        return self.stub.GetPluginInfo(empty_pb2.Empty(), timeout=CALL_TIMEOUT)

    def configure(self, config: Mapping[str, PolicyConfig]) -> None:
        """Replace the pack's policy config; `{}` returns every policy to its declared level and defaults."""
        request = analyzer_pb2.ConfigureAnalyzerRequest(
            policyConfig={
                name: analyzer_pb2.PolicyConfig(enforcementLevel=LEVELS[level], properties=to_struct(props))
                for name, (level, props) in config.items()
            }
        )
        self.stub.Configure(request, timeout=CALL_TIMEOUT)
        self.config = dict(config)

    def analyze(self, resource: Resource) -> analyzer_pb2.AnalyzeResponse:
        return self.stub.Analyze(analyze_request(resource), timeout=CALL_TIMEOUT)

    def analyze_stack(self, resources: Iterable[Resource]) -> analyzer_pb2.AnalyzeResponse:
        request = analyzer_pb2.AnalyzeStackRequest(resources=[analyzer_resource(r) for r in resources])
        return self.stub.AnalyzeStack(request, timeout=CALL_TIMEOUT)

    def remediate(self, resource: Resource) -> analyzer_pb2.RemediateResponse:
        return self.stub.Remediate(analyze_request(resource), timeout=CALL_TIMEOUT)

    def stderr(self) -> str:
        """Everything the pack wrote to stderr so far."""
        self._stderr.seek(0)
        return bytes(self._stderr.read()).decode("utf-8", "replace")

    def close(self) -> None:
        """Close the channel, end the process and reap it: no zombie, no open pipe."""
        if self.channel is not None:
            self.channel.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._drain is not None:
            self._drain.join(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._stderr.close()

    def __enter__(self) -> RunningPack:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def start_pack(
    pack_dir: str | Path,
    *,
    engine_address: str = NO_ENGINE,
    project: str = "project",
    stack: str = "dev",
    env: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    python: str | Path | None = None,
) -> RunningPack:
    """Start a Python or Node policy pack the way `pulumi preview --policy-pack DIR` does, and connect to it.

    Like the engine: run in the pack directory with program ".", the stack's identity in the
    environment, then Handshake (which neither pulumi-policy nor @pulumi/policy implements; the engine
    carries on) and ConfigureStack. `env` adds variables (e.g. PYTHONPROFILEIMPORTTIME=1 to see what
    the pack imports). `python` is the interpreter of a Python pack (the engine's is the pack's virtualenv's;
    by default this process's).
    """
    pack = Path(pack_dir).resolve()
    if not (pack / "PulumiPolicy.yaml").is_file():
        raise PackStartError(f"{pack}: not a policy pack (no PulumiPolicy.yaml)")
    runtime = pack_runtime(pack)
    command = pack_command(pack, runtime, engine_address, python)
    engine_env = {"PULUMI_PROJECT": project, "PULUMI_STACK": stack, "PULUMI_DRY_RUN": "true"}
    if runtime == "nodejs":  # the engine sets both names for Node; @pulumi/pulumi reads the PULUMI_NODEJS_ ones
        engine_env |= {"PULUMI_NODEJS_PROJECT": project, "PULUMI_NODEJS_STACK": stack, "PULUMI_NODEJS_DRY_RUN": "true"}
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 - owned by the RunningPack, closed by close()
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=pack,
        env={**os.environ, **engine_env, **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=stderr,
    )
    running = RunningPack(process, stderr)
    try:
        running.port = _port(process, started + timeout)
        running.startup_seconds = time.perf_counter() - started
    except PackStartError as error:
        log = running.stderr().strip()
        running.close()
        raise PackStartError(f"policy pack {pack}: {error}" + (f"; stderr:\n{log}" if log else "")) from None
    try:
        running.connect(timeout)
        try:
            running.stub.Handshake(
                analyzer_pb2.AnalyzerHandshakeRequest(
                    engine_address=engine_address, root_directory=str(pack), program_directory=str(pack)
                ),
                timeout=CALL_TIMEOUT,
            )
        except grpc.RpcError as error:
            if error.code() is not grpc.StatusCode.UNIMPLEMENTED:
                raise
        running.stub.ConfigureStack(
            analyzer_pb2.AnalyzerStackConfigureRequest(project=project, stack=stack, dry_run=True),
            timeout=CALL_TIMEOUT,
        )
    except BaseException:
        running.close()
        raise
    return running


def pack_runtime(pack: Path) -> str:
    """The runtime PulumiPolicy.yaml names (`runtime: python`, or `runtime: {name: nodejs, options: ...}`)."""
    try:
        project = yaml.safe_load((pack / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PackStartError(f"{pack}: PulumiPolicy.yaml cannot be read: {error}") from None
    runtime = project.get("runtime") if isinstance(project, dict) else None
    if isinstance(runtime, dict):
        runtime = runtime.get("name")
    if runtime not in ("python", "nodejs"):
        raise PackStartError(f"{pack}: PulumiPolicy.yaml names runtime {runtime!r}; python or nodejs expected")
    return str(runtime)


def pack_command(pack: Path, runtime: str, engine_address: str, python: str | Path | None = None) -> list[str]:
    """The command the engine runs in the pack directory for a pack of `runtime` (a Python one with `python`)."""
    if runtime == "python":
        return [str(python or sys.executable), "-u", "-m", "pulumi.policy", engine_address, "."]
    node = shutil.which("node")
    if node is None:
        raise PackStartError(f"{pack}: a Node.js policy pack needs node, which is not on PATH")
    if not (pack / NODE_RUN_POLICY_PACK).is_dir():
        raise PackStartError(
            f"{pack}: the pack's dependencies are not installed (no {NODE_RUN_POLICY_PACK}); run npm ci there"
        )
    return [node, f"./{NODE_RUN_POLICY_PACK.as_posix()}", engine_address, "."]


def _port(process: subprocess.Popen[bytes], deadline: float) -> int:
    """The port from the pack's first stdout line, read byte by byte so nothing after it is consumed."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    line = b""
    while not line.endswith(b"\n"):
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise PackStartError("no port printed before the start-up timeout")
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            continue
        byte = os.read(fd, 1)
        if not byte:
            raise PackStartError(f"exited with code {process.wait()} before printing its port")
        line += byte
    text = line.decode("utf-8", "replace").strip()
    if not text.isdigit():
        raise PackStartError(f"printed {text!r} where its port belongs")
    return int(text)
