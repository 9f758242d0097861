"""Start-up as the engine sees it: a port line, a live server, the pack's metadata, clean shutdown."""

from __future__ import annotations

import re
import select
import socket
from pathlib import Path

import pytest
from google.protobuf import json_format  # type: ignore[import-untyped]
from pulumi.runtime.proto import analyzer_pb2
from pulumi_policy.version import VERSION

from abuse_guard import __version__
from abuse_guard.cli import main
from abuse_guard.pack import version_mismatch
from abuse_guard.policies import POLICIES
from abuse_guard.policy import Policy
from tests.harness.analyzer import LEVELS, PackStartError, RunningPack, start_pack
from tests.protocol.conftest import EMPTY_PACK_DIR, PACK_DIR
from tests.protocol.examples import RESOURCE_EXAMPLES, STACK_EXAMPLES

SEVERITIES = {
    "low": analyzer_pb2.POLICY_SEVERITY_LOW,
    "medium": analyzer_pb2.POLICY_SEVERITY_MEDIUM,
    "high": analyzer_pb2.POLICY_SEVERITY_HIGH,
    "critical": analyzer_pb2.POLICY_SEVERITY_CRITICAL,
}


def test_port_is_printed_and_the_pack_keeps_serving(pack: RunningPack) -> None:
    assert pack.port > 0
    assert pack.process.poll() is None
    assert pack.info().name == "abuse-guard"
    assert pack.process.poll() is None


def test_analyzer_info_lists_every_policy_in_report_order(pack: RunningPack) -> None:
    info = pack.info()
    assert info.supportsConfig
    assert [p.name for p in info.policies] == [p.id for p in POLICIES]


@pytest.mark.parametrize("policy", POLICIES, ids=[p.id for p in POLICIES])
def test_policy_info_carries_the_declared_metadata(pack: RunningPack, policy: Policy) -> None:
    info = next(p for p in pack.info().policies if p.name == policy.id)
    assert info.description == policy.description
    assert info.displayName == policy.title
    assert info.enforcementLevel == LEVELS[policy.enforcement]
    assert info.severity == SEVERITIES[policy.severity]
    assert info.remediation_steps == policy.remediation
    assert list(info.tags) == list(policy.tags)
    kind = analyzer_pb2.POLICY_TYPE_STACK if policy.is_stack_policy else analyzer_pb2.POLICY_TYPE_RESOURCE
    assert info.policy_type == kind
    schema = json_format.MessageToDict(info.configSchema.properties)
    assert schema == policy.config_schema()["properties"]
    assert {key: prop["default"] for key, prop in schema.items()} == policy.defaults()


def test_plugin_info_answers_with_the_pulumi_policy_version(pack: RunningPack) -> None:
    assert pack.plugin_info().version == VERSION


def test_the_engine_address_is_never_dialled() -> None:
    """The dummy engine address is safe: the pack never connects to the engine it is given."""
    with socket.socket() as engine:
        engine.bind(("127.0.0.1", 0))
        engine.listen()
        host, port = engine.getsockname()
        with start_pack(PACK_DIR, engine_address=f"{host}:{port}") as running:
            running.configure({})
            for passing, failing in RESOURCE_EXAMPLES.values():
                running.analyze(passing)
                running.analyze(failing)
            for graph, _ in STACK_EXAMPLES.values():
                running.analyze_stack(graph)
        readable, _, _ = select.select([engine], [], [], 0)
        assert readable == []


def test_close_reaps_the_process() -> None:
    running = start_pack(PACK_DIR)
    running.close()
    assert running.process.returncode is not None
    assert running.process.stdout is not None and running.process.stdout.closed


def test_the_pack_imports_only_what_it_uses() -> None:
    """The pack reads type tokens only: the 100 MB AWS SDK must not slow its start or its checks. Of files/ it
    reads OpenAPI bodies (the bounded YAML reader), never an input file, nor writes one."""
    with start_pack(PACK_DIR, env={"PYTHONPROFILEIMPORTTIME": "1"}) as running:
        for passing, failing in RESOURCE_EXAMPLES.values():
            running.analyze(passing)
            running.analyze(failing)
        for graph, _ in STACK_EXAMPLES.values():
            running.analyze_stack(graph)
        imports = running.stderr()
    modules = set(re.findall(r"^import time:[^|]*\|[^|]*\|\s*(\S+)$", imports, re.MULTILINE))
    assert {"abuse_guard.crossguard", "abuse_guard.crossguard.server", "yaml"} <= modules
    assert not any(m.startswith("pulumi_aws") for m in modules)
    assert {m for m in modules if m.startswith("abuse_guard.files")} == {
        "abuse_guard.files",
        "abuse_guard.files.bounded_yaml",
    }


def test_the_benchmark_baseline_pack_checks_nothing() -> None:
    """benchmarks/empty_pack is what the pack's throughput is measured against: one policy, no work."""
    _, failing = RESOURCE_EXAMPLES["lambda-reserved-concurrency"]
    with start_pack(EMPTY_PACK_DIR) as empty:
        assert [p.name for p in empty.info().policies] == ["no-op"]
        assert empty.analyze(failing) == analyzer_pb2.AnalyzeResponse()


BROKEN_PACKS = {
    "dies": ('raise RuntimeError("boom in the pack")\n', 30.0, "exited with code 1 before printing its port"),
    "prints_garbage": ('print("hello")\n', 30.0, "printed 'hello' where its port belongs"),
    "stays_silent": ("import time\ntime.sleep(60)\n", 1.0, "no port printed before the start-up timeout"),
}


@pytest.mark.parametrize(("main", "timeout", "expected"), BROKEN_PACKS.values(), ids=list(BROKEN_PACKS))
def test_a_pack_that_does_not_start_is_a_clear_error(tmp_path: Path, main: str, timeout: float, expected: str) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text(main)
    with pytest.raises(PackStartError) as error:
        start_pack(tmp_path, timeout=timeout)
    assert str(error.value).startswith(f"policy pack {tmp_path}: {expected}")


def test_a_dead_pack_hands_over_its_stderr(tmp_path: Path) -> None:
    (tmp_path / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (tmp_path / "__main__.py").write_text('raise RuntimeError("boom in the pack")\n')
    with pytest.raises(PackStartError, match="RuntimeError: boom in the pack"):
        start_pack(tmp_path)


def test_a_directory_without_pulumipolicy_yaml_is_not_a_pack(tmp_path: Path) -> None:
    with pytest.raises(PackStartError, match="not a policy pack"):
        start_pack(tmp_path)


def _thin_pack(directory: Path) -> Path:
    """A pack written by `abuse-guard init-pack`, served by this process's abuse-guard (as its venv's would be)."""
    assert main(["init-pack", str(directory), "--requirement", f"abuse-guard=={__version__}"]) == 0
    return directory


def test_a_thin_pack_starts_when_its_version_is_the_installed_one(tmp_path: Path) -> None:
    with start_pack(_thin_pack(tmp_path / "policy")) as running:
        assert running.info().name == "abuse-guard"


def test_a_thin_pack_of_another_version_than_the_installed_one_does_not_start(tmp_path: Path) -> None:
    """The Pulumi CLI installs requirements.txt only into a missing or empty venv/: an upgraded pack directory with
    the old venv serves the old package, under the new version's name. It says so and stops instead."""
    pack = _thin_pack(tmp_path / "policy")
    policy_yaml = pack / "PulumiPolicy.yaml"
    policy_yaml.write_text(policy_yaml.read_text().replace(f"version: {__version__}\n", "version: 9.9.9\n"))
    with pytest.raises(PackStartError) as error:
        start_pack(pack)
    assert str(error.value).startswith(f"policy pack {pack}: exited with code 1 before printing its port; stderr:\n")
    [line] = str(error.value).partition("; stderr:\n")[2].splitlines()
    assert line == (
        f"abuse-guard: {pack}/PulumiPolicy.yaml says version 9.9.9 but abuse-guard {__version__} is installed in the "
        f"pack's virtualenv: run `abuse-guard init-pack {pack} --force` with the abuse-guard you mean to use, then "
        f"delete {pack}/venv so the Pulumi CLI installs requirements.txt again"
    )


@pytest.mark.parametrize("policy_yaml", ["runtime: python\n", "[unclosed\n", "version: 9.9.9\n" + "#" * 70_000])
def test_without_a_readable_version_the_pack_starts_unchecked(tmp_path: Path, policy_yaml: str) -> None:
    pack = _thin_pack(tmp_path / "policy")
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n" + policy_yaml)
    assert version_mismatch(pack) is None
