"""Issue 20 item 7 through the pack as the engine runs it: what the offline preview reads from the stack's config
(its ESC environment definition's own values, Pulumi.yaml's defaults) decides the same verdicts over gRPC.

Each case records tests/offline/test_stack_config.py's program with one stack config, then plays the engine over the
pack with the recorded resources: the pack's fails and unknowns are the offline preview's (test_parity's contract;
not imported from there, whose corpus imports this module), and the function's reservation verdict is the one its
config calls for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from abuse_guard.evaluate import evaluation
from abuse_guard.findings import Outcome
from abuse_guard.offline import recording
from abuse_guard.pack_config import parse
from abuse_guard.policies import POLICIES
from tests.harness.analyzer import RunningPack
from tests.harness.engine import VERDICTS, engine_config, engine_run
from tests.offline.projects import write_project
from tests.offline.test_stack_config import PROJECT, SEEN

# name -> (Pulumi.yaml's config section, stack file, lambda-reserved-concurrency on the function)
CASES = {
    # pkg/workspace/config.go mergeConfig: the environment definition's own pulumiConfig is stack config
    "esc_own_value_reserves": ("", "environment:\n  values:\n    pulumiConfig:\n      reserved: 5\n", Outcome.PASS),
    # an imported environment is not opened offline: no reservation is seen (and a warning says why)
    "esc_import_unseen": ("", "environment: [myorg/dev]\n", Outcome.FAIL),
    # a project default fills the key the stack leaves unset
    "project_default_reserves": ("  reserved:\n    type: integer\n    default: 2\n", "", Outcome.PASS),
}


@pytest.mark.parametrize(("section", "stack_yaml", "expected"), CASES.values(), ids=list(CASES))
def test_stack_config_decides_the_same_verdict_over_grpc(
    pack: RunningPack, tmp_path: Path, section: str, stack_yaml: str, expected: Outcome
) -> None:
    root = write_project(tmp_path, SEEN, stacks={"dev": stack_yaml}, project_yaml=PROJECT + section)
    resources = recording(root, "dev", {}).resources
    findings = evaluation(POLICIES, resources).findings
    pack.configure(engine_config(parse({}, POLICIES), POLICIES))
    run = engine_run(pack, resources)
    assert run.verdicts == {(f.policy, f.urn, f.outcome) for f in findings if f.outcome in VERDICTS}
    [worker] = [f for f in findings if f.policy == "lambda-reserved-concurrency" and f.name == "worker"]
    assert worker.outcome is expected
    said = {kind for policy, urn, kind in run.verdicts if policy == worker.policy and urn == worker.urn}
    assert said == ({Outcome.FAIL} if expected is Outcome.FAIL else set())
