"""The offline preview: a Pulumi Python program checked by the pack with no Pulumi CLI and no cloud.

project files -> program under the recorder (runtime.py) -> resources -> the same `evaluate` the
CrossGuard adapter calls -> a Run.

Why in-process rather than through the pack's gRPC Analyzer service: the Analyzer protocol carries
violations only, so a stack policy cannot report per-resource pass, exempt or unknown through it.
Calling the evaluation functions directly gives every outcome; the resources are recorded as the
engine would send them to the pack, so the pack over gRPC reports the same violations for them.
How the recording differs from a real `pulumi preview` is listed in runtime.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..evaluate import assess
from ..pack_config import PackConfig, parse
from ..policies import POLICIES
from ..policies.entrypoint_cost_budget import entrypoint_bounds
from ..resources import Resource
from ..run import Run, policy_infos, resource_infos
from .project import Project, StackConfig, load_project, load_stack
from .runtime import Program, ProgramError, Registration, record

__all__ = ["ProgramError", "Registration", "preview", "program", "record"]


def program(project: Project, config: StackConfig) -> Program:
    """What the language host is given to run the project's program for one stack."""
    return Program(
        entry=project.program.resolve(),
        directory=project.program_dir.resolve(),
        root=project.root.resolve(),
        project=project.name,
        stack=config.name,
        config=config.values,
        secret_keys=config.secret_keys,
    )


def _recording(
    project_dir: str | Path, stack: str, config_overrides: Mapping[str, str] | None
) -> tuple[Project, StackConfig, list[Resource]]:
    project = load_project(project_dir)
    config = load_stack(project, stack).overridden(project, config_overrides or {})
    return project, config, [r.resource for r in record(program(project, config))]


def recorded(project_dir: str | Path, stack: str, config_overrides: Mapping[str, str] | None = None) -> list[Resource]:
    """Every resource the project's program registers for `stack`, as the engine would send it."""
    return _recording(project_dir, stack, config_overrides)[2]


def preview(
    project_dir: str | Path,
    stack: str,
    config_overrides: Mapping[str, str] | None = None,
    pack_config: PackConfig | None = None,
) -> Run:
    """Check the project's program for `stack` with the pack: every resource, every outcome."""
    project, config, resources = _recording(project_dir, stack, config_overrides)
    pack_config = pack_config or parse({}, POLICIES)
    remediating = {policy_id for policy_id, level in pack_config.levels.items() if level == "remediate"}
    judged = assess(pack_config.enabled(POLICIES), resources, pack_config.properties, remediating)
    return Run(
        project=project.name,
        stack=config.name,
        source=f"offline preview of {shown(project.program)} (stack {config.name})",
        policies=policy_infos(POLICIES, pack_config),
        resources=resource_infos(judged.resources),
        findings=tuple(judged.findings),
        entrypoints=entrypoint_bounds(judged.resources, pack_config.properties),
    )


def shown(path: Path) -> str:
    """A path as a report shows it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path)
