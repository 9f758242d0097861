"""The one place a Run is built, from any source: a program run offline, deployed state, an engine event log.

What each source does with the pack config, and why:

- offline preview (`preview`): models `pulumi preview --policy-pack`; evaluates the enabled policies
  after applying remediations, as the engine's Remediate does before Analyze, and adds an unknown
  finding on each multi-language component, whose resources it cannot see (offline/components.py).
- deployed state (`read_state`): models what `pulumi up` left in AWS; evaluates the enabled policies,
  remediates nothing.
- event log (`read_event_log`): what the engine decided, remediations as it logged them; runs no rule.

- Disabled policies are never evaluated, as the engine never runs them; every Run of our pack lists
  every policy with its enforcement level, so a report says which were off.
- A state audit judges the deployed outputs as they are: whatever the engine remediated at `pulumi up`
  is already in them, and a remediation applied now would show a fix that AWS does not have.

Every public function here returns a Run through `_run`; no other module builds one.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

from .cost import priced
from .cost.model import EntrypointCost
from .cost.settings import COST_POLICY
from .evaluate import evaluation
from .files.inputs import FilePath
from .findings import Finding
from .offline import COMPONENTS_POLICY, Options, recording
from .pack_config import PackConfig, parse
from .policies import BY_ID, POLICIES
from .resources import Resource
from .run import EngineRecord, PolicyInfo, Run, policy_infos, resource_infos
from .sources import kind_of
from .sources.event_log import read_event_log as read_engine_record
from .sources.state import read_deployment

__all__ = ["judged", "preview", "read_any", "read_event_log", "read_state"]


def _run(
    *,
    project: str,
    stack: str,
    source: str,
    policies: tuple[PolicyInfo, ...],
    resources: Iterable[Resource],
    findings: Iterable[Finding],
    entrypoints: tuple[EntrypointCost, ...] = (),
    pack_version: str | None = None,
) -> Run:
    extra = {} if pack_version is None else {"pack_version": pack_version}
    return Run(
        project=project,
        stack=stack,
        source=source,
        policies=policies,
        resources=resource_infos(resources),
        findings=tuple(findings),
        entrypoints=entrypoints,
        **extra,
    )


def judged(
    project: str,
    stack: str,
    source: str,
    resources: Iterable[Resource],
    config: PackConfig,
    *,
    remediate: bool,
    also: Iterable[Finding] = (),
    also_policies: tuple[PolicyInfo, ...] = (),
) -> Run:
    """The pack's enabled policies over `resources`; at preview (`remediate`) after the engine's remediations.

    `also`: findings the source itself makes (of `also_policies`), listed after the policies' own. The Run's
    entrypoints are the cost model's pricing of the judged graph under the pack config, whether or not
    entrypoint-cost-budget is enabled: the one the policy read when it ran (`cost.priced`, once per graph)."""
    remediating: Collection[str] = (
        {policy_id for policy_id, level in config.levels.items() if level == "remediate"} if remediate else ()
    )
    evaluated = evaluation(config.enabled(POLICIES), resources, config.properties, remediating)
    return _run(
        project=project,
        stack=stack,
        source=source,
        policies=policy_infos(POLICIES, config) + also_policies,
        resources=evaluated.resources,
        findings=(*evaluated.findings, *also),
        entrypoints=priced(
            evaluated.graph, BY_ID[COST_POLICY].settings(config.properties.get(COST_POLICY))
        ).entrypoints,
    )


def preview(
    project_dir: str | Path,
    stack: str,
    config_overrides: Mapping[str, str] | None = None,
    pack_config: PackConfig | None = None,
    options: Options | None = None,
) -> Run:
    """The offline preview: the project's program for `stack` run under mocks, checked as `pulumi preview` would.

    `options`: the outputs model, data source answers and time limit (offline.Options; its defaults when None)."""
    recorded = recording(project_dir, stack, config_overrides, options)
    unchecked = recorded.unchecked
    return judged(
        recorded.project.name,
        recorded.config.name,
        recorded.source,
        recorded.resources,
        pack_config or parse({}, POLICIES),
        remediate=True,
        also=unchecked,
        also_policies=(COMPONENTS_POLICY,) if unchecked else (),
    )


def read_state(path: FilePath, pack_config: PackConfig | None = None) -> Run:
    """Our policies (as `pack_config` enables and configures them; defaults when None) over deployed state."""
    deployment = read_deployment(path)
    return judged(
        deployment.project,
        deployment.stack,
        f"deployed state {path} ({deployment.kind})",
        deployment.resources,
        pack_config or parse({}, POLICIES),
        remediate=False,
    )


def read_event_log(path: FilePath) -> Run:
    """The findings an engine event log records; one UserError naming file and line if it is not one."""
    record: EngineRecord = read_engine_record(path)
    return _run(
        project=record.project,
        stack=record.stack,
        source=record.source,
        policies=record.policies,
        resources=record.resources,
        findings=record.findings,
        pack_version=record.pack_version,
    )


def read_any(path: FilePath, pack_config: PackConfig | None = None) -> Run:
    """An event log or a state file, told apart by `sources.kind_of`; `pack_config` applies to state files:
    an event log records the config the engine ran with."""
    if kind_of(path) == "state":
        return read_state(path, pack_config)
    return read_event_log(path)
