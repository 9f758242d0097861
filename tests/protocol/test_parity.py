"""Parity as a tested contract: whichever tool runs the pack, one verdict per (policy, resource).

The pack process is driven as the engine drives it (tests/harness/engine.py): `pulumi preview` (Remediate, Analyze
per resource, AnalyzeStack once) and `pulumi policy analyze --file <stack export>` (Analyze per resource with its
inputs, AnalyzeStack with its outputs). Across all its replies, the (policy, URN) pairs the pack reports as
violations must be the offline fails, and those it reports as "can't run policy ... during preview" the offline
unknowns, for the same resources and the same pack config. Offline is `evaluate.evaluation` for what a program
registers (the offline preview's path) and `pipeline.read_state` for a state file (the state report's path).

Corpora: the four reference stacks; every program the tests write into a project (tests/offline/programs.py) that
records; the benchmark's generated stacks (pulumi-aws, and mixed with aws-native) at a small size; the real
Pulumi states in tests/fixtures/pulumi, in both modes; and non-default pack configs on the insecure reference
stack (exemptions, remediate levels, apiKeyAloneIsEnough false). A difference is shown per (policy, URN): what
offline found and what the pack said in which call.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from abuse_guard.errors import UserError
from abuse_guard.evaluate import evaluate_resource, evaluation
from abuse_guard.findings import Finding, Outcome
from abuse_guard.offline import DEPLOYED, FIRST_PREVIEW, Options, recorded
from abuse_guard.pack_config import PackConfig, parse
from abuse_guard.pipeline import read_state
from abuse_guard.policies import POLICIES
from abuse_guard.policy import Policy
from abuse_guard.resources import Resource, from_wire
from abuse_guard.sources.state import read_deployment
from benchmarks import native_mix, program, synthetic
from tests.harness.analyzer import RunningPack
from tests.harness.engine import ANALYZE, PREVIEW, VERDICTS, EngineRun, engine_config, engine_run, state_resources
from tests.offline.programs import written_programs
from tests.offline.projects import write_project

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "pulumi"
REFERENCE_STACKS = ("compliant", "insecure", "native", "native-insecure")
STATES = ("state-aws-apigateway-component.json", "checkpoint-v3.json", "checkpoint-secrets.json")
BENCHMARK_SIZE = 300
"""Resources in each generated benchmark stack: every unit kind and knob combination, in a fraction of a second."""
PROGRAMS = written_programs()
MODELS = (DEPLOYED, FIRST_PREVIEW)
"""The offline preview's outputs models: the tests run programs under both."""

# name -> a pack config document (`--policy-pack-config`) for the insecure reference stack
CONFIGS: dict[str, dict[str, Any]] = {
    "exemptions": {
        "lambda-function-url-auth": {"exemptions": [{"resource": "items-public-url", "reason": "signed webhook"}]},
        "lambda-permission-scope": {"exemptions": [{"resource": "refresh-*", "reason": "cache refresh, reviewed"}]},
        "rest-method-authorization": {"exemptions": [{"resource": "open-orders-api", "reason": "public catalogue"}]},
        "api-route-authorization": {"exemptions": [{"resource": "*quick*", "reason": "internal preview"}]},
        "stage-throttling": {"exemptions": [{"resource": "items-beta", "reason": "beta stage, no traffic"}]},
    },
    "remediate": {p.id: "remediate" for p in POLICIES if p.remediate is not None},
    "api_key_alone_is_not_enough": {
        "rest-method-authorization": {"apiKeyAloneIsEnough": False},
        "api-route-authorization": {"apiKeyAloneIsEnough": False},
    },
}


@pytest.fixture(scope="session")
def reference_stacks() -> dict[str, list[Resource]]:
    """The reference stacks as the offline preview records them, recorded once (two at a time)."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(REFERENCE_STACKS, pool.map(lambda stack: recorded(REPO, stack), REFERENCE_STACKS), strict=True))


@pytest.fixture(scope="session")
def programs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], list[Resource] | str]:
    """(program id, outputs model) -> what it registers on stack dev, or why it does not record; each recorded once
    (two at a time)."""
    root = tmp_path_factory.mktemp("programs")
    projects = {name: write_project(root / str(index), source) for index, (name, source) in enumerate(PROGRAMS.items())}
    runs = [(name, model) for name in PROGRAMS for model in MODELS]

    def record(run: tuple[str, str]) -> list[Resource] | str:
        name, model = run
        try:
            return recorded(projects[name], "dev", options=Options(outputs=model))
        except UserError as error:
            return str(error)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(runs, pool.map(record, runs), strict=True))


@pytest.fixture(autouse=True)
def defaults(pack: RunningPack) -> Iterator[None]:
    yield
    pack.configure({})


def offline(resources: Sequence[Resource], config: PackConfig) -> list[Finding]:
    """What the offline preview finds: the enabled policies, after remediation at level remediate."""
    remediating = {policy for policy, level in config.levels.items() if level == "remediate"}
    return evaluation(config.enabled(POLICIES), resources, config.properties, remediating).findings


def differences(run: EngineRun, findings: Sequence[Finding]) -> list[str]:
    """One paragraph per (policy, URN) the pack and offline disagree on: a fail or unknown on one side only."""
    by_pair = {(f.policy, f.urn): f for f in findings}
    lines = []
    for outcome in VERDICTS:
        ours = {(policy, urn) for policy, urn, kind in run.verdicts if kind is outcome}
        theirs = {(f.policy, f.urn) for f in findings if f.outcome is outcome}
        for pair in sorted(ours ^ theirs):
            policy, urn = pair
            side = "the pack only" if pair in ours else "offline only"
            found = by_pair.get(pair)
            lines.append(f"{outcome.value} from {side}: {policy} on {urn}")
            lines.append(f"    offline: {_said(found.outcome, found.message)}" if found else "    offline: -")
            said = run.said(policy, urn)
            lines.extend(f"    pack at {call}: {_said(r.kind, r.message)}" for call, r in said)
            if not said:
                lines.append("    pack: -")
    return lines


def _said(outcome: Outcome, message: str) -> str:
    return f"{outcome.value}: " + message.replace("\n", "\n        ")


def assert_parity(
    pack: RunningPack,
    resources: Sequence[Resource],
    findings: Sequence[Finding],
    config: PackConfig,
    mode: str = PREVIEW,
    outputs: Sequence[Resource] | None = None,
) -> EngineRun:
    """The pack, configured with `config` and driven in `mode`, reports the fails and unknowns of `findings`."""
    pack.configure(engine_config(config, POLICIES))
    run = engine_run(pack, resources, mode, outputs)
    found = differences(run, findings)
    if found:
        pytest.fail(f"the pack and offline differ in {mode} mode:\n" + "\n".join(found), pytrace=False)
    return run


def fails(run: EngineRun) -> set[tuple[str, str]]:
    return {(policy, urn) for policy, urn, kind in run.verdicts if kind is Outcome.FAIL}


DEFAULTS = parse({}, POLICIES)


@pytest.mark.parametrize("stack", REFERENCE_STACKS)
def test_reference_stack(pack: RunningPack, reference_stacks: Mapping[str, list[Resource]], stack: str) -> None:
    resources = reference_stacks[stack]
    run = assert_parity(pack, resources, offline(resources, DEFAULTS), DEFAULTS)
    if stack.endswith("insecure"):  # the comparison has something to compare: fails from both calls
        assert {r.policy for r in run.per_resource if r.kind is Outcome.FAIL}
        assert {r.policy for r in run.stack if r.kind is Outcome.FAIL}


@pytest.mark.parametrize("model", MODELS)
@pytest.mark.parametrize("name", list(PROGRAMS))
def test_program(
    pack: RunningPack, programs: Mapping[tuple[str, str], list[Resource] | str], name: str, model: str
) -> None:
    resources = programs[name, model]
    if isinstance(resources, str):
        pytest.skip(f"does not record on its own: {resources.splitlines()[-1]}")
    assert_parity(pack, resources, offline(resources, DEFAULTS), DEFAULTS)


RECORDING = (
    "offline/test_outputs.COMPLIANT",
    "offline/test_preview.COMPUTED_INPUTS",
    "offline/test_regions.TWO_PROVIDERS",
)


@pytest.mark.parametrize("name", RECORDING)
def test_the_tests_programs_are_found_and_recorded(
    programs: Mapping[tuple[str, str], list[Resource] | str], name: str
) -> None:
    """The program corpus is the tests' own programs, and those that should record do, with their functions."""
    for model in MODELS:
        resources = programs[name, model]
        assert not isinstance(resources, str), resources
        assert any(r.type == "aws:lambda/function:Function" for r in resources)


def generated(resources: list[Resource]) -> tuple[list[Resource], list[Resource]]:
    """A generated stack as the benchmark sends it to the pack (wire values: typed unknown sentinels, secret
    envelopes), and as every source hands it to the rules (`synthetic.plain`)."""
    return resources, synthetic.plain(resources)


def recorded_program(directory: Path) -> tuple[list[Resource], list[Resource]]:
    """The benchmark's program (benchmarks/program.py) at BENCHMARK_SIZE, recorded as the offline preview runs it."""
    program.write_project(directory, BENCHMARK_SIZE)
    resources = recorded(directory, program.STACK)
    return resources, resources


# benchmark stack -> (its resources for the pack, for offline), given a temporary directory
BENCHMARK_STACKS: dict[str, Callable[[Path], tuple[list[Resource], list[Resource]]]] = {
    "generated": lambda _: generated(synthetic.stack(BENCHMARK_SIZE)),
    "generated, mixed with aws-native": lambda _: generated(native_mix.mixed(synthetic.stack(BENCHMARK_SIZE))),
    "program, recorded": recorded_program,
}


@pytest.mark.parametrize("kind", list(BENCHMARK_STACKS))
def test_benchmark_stack(pack: RunningPack, tmp_path: Path, kind: str) -> None:
    """At a small size, with the benchmark's pack config (config exemptions)."""
    sent, judged = BENCHMARK_STACKS[kind](tmp_path)
    config = parse(dict(synthetic.PACK_CONFIG), POLICIES)
    run = assert_parity(pack, sent, offline(judged, config), config)
    assert fails(run)


@pytest.mark.parametrize("mode", [PREVIEW, ANALYZE])
@pytest.mark.parametrize("state", STATES)
def test_recorded_state(pack: RunningPack, state: str, mode: str) -> None:
    """A real state: its resources as the state report reads them (preview), or as `pulumi policy analyze` sends
    them (analyze); either way the pack's verdicts are the state report's."""
    path = FIXTURES / state
    findings = read_state(path).findings
    assert any(f.outcome is Outcome.FAIL for f in findings)  # each state has something to compare
    if mode == PREVIEW:
        assert_parity(pack, read_deployment(path).resources, findings, DEFAULTS)
    else:
        inputs, outputs = state_resources(path)
        assert_parity(pack, inputs, findings, DEFAULTS, ANALYZE, outputs)


def test_analyze_mode_sends_the_inputs_to_analyze_and_the_outputs_to_analyze_stack(pack: RunningPack) -> None:
    path = FIXTURES / "checkpoint-v3.json"
    raw = json.loads(path.read_text(encoding="utf-8"))["checkpoint"]["latest"]["resources"]
    inputs, outputs = state_resources(path)
    run = engine_run(pack, inputs, ANALYZE, outputs)
    assert [r.props for r in run.analyzed] == [from_wire(r.get("inputs", {})) for r in raw]
    assert [r.props for r in outputs] == [from_wire(r.get("outputs", {})) for r in raw]
    assert [r.urn for r in outputs] == [r.urn for r in read_deployment(path).resources]


@pytest.mark.parametrize("name", list(CONFIGS))
def test_insecure_stack_under_config(
    pack: RunningPack, reference_stacks: Mapping[str, list[Resource]], name: str
) -> None:
    resources = reference_stacks["insecure"]
    config = parse(CONFIGS[name], POLICIES)
    findings = offline(resources, config)
    assert_parity(pack, resources, findings, config)
    default = {(f.policy, f.urn, f.outcome) for f in offline(resources, DEFAULTS)}
    assert {(f.policy, f.urn, f.outcome) for f in findings} != default  # the config changes what is found


GRAPH_POLICIES = [p for p in POLICIES if p.in_graph is not None]


@pytest.mark.parametrize("policy", GRAPH_POLICIES, ids=[p.id for p in GRAPH_POLICIES])
def test_what_a_resource_decides_alone_no_graph_changes(
    reference_stacks: Mapping[str, list[Resource]], policy: Policy
) -> None:
    """`Policy.decided_alone`: wherever the check of a resource alone gives one of those outcomes, the check with
    the stack's graph gives the same (else the engine would report at Analyze what the reports judge otherwise)."""
    corpora = [
        *reference_stacks.values(),
        synthetic.plain(synthetic.stack(BENCHMARK_SIZE)),
        synthetic.plain(native_mix.mixed(synthetic.stack(BENCHMARK_SIZE))),
    ]
    settings = policy.settings(None)
    checked = 0
    for resources in corpora:
        with_graph = {f.urn: f.outcome for f in evaluation([policy], resources).findings}
        for resource in resources:
            alone = evaluate_resource(policy, resource, settings)
            if alone is not None and policy.decides_alone(alone.outcome):
                checked += 1
                assert with_graph.get(resource.urn) is alone.outcome, (resource.urn, alone.message)
    assert checked
