"""The offline preview's source: a Pulumi Python program run with no Pulumi CLI and no cloud.

project files -> program under the recorder (runtime.py) -> resources, as the engine would send them;
pipeline.preview checks them with the same `evaluate` the CrossGuard adapter calls.

Why in-process rather than through the pack's gRPC Analyzer service: the Analyzer protocol carries
violations only, so a stack policy cannot report per-resource pass, exempt or unknown through it.
Calling the evaluation functions directly gives every outcome; the resources are recorded as the
engine would send them to the pack, so the pack over gRPC reports the same violations for them.
How the recording differs from a real `pulumi preview` is listed in runtime.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..resources import Resource
from .project import Project, StackConfig, load_project, load_stack
from .runtime import Program, ProgramError, Registration, record

__all__ = ["ProgramError", "Registration", "program", "record", "recorded", "recording", "shown"]


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


def recording(
    project_dir: str | Path, stack: str, config_overrides: Mapping[str, str] | None
) -> tuple[Project, StackConfig, list[Resource]]:
    """The project, its stack's config (with `config_overrides`) and every resource its program registers.

    Raises UserError for a missing project or stack file and ProgramError when the program fails."""
    project = load_project(project_dir)
    config = load_stack(project, stack).overridden(project, config_overrides or {})
    return project, config, [r.resource for r in record(program(project, config))]


def recorded(project_dir: str | Path, stack: str, config_overrides: Mapping[str, str] | None = None) -> list[Resource]:
    """Every resource the project's program registers for `stack`, as the engine would send it."""
    return recording(project_dir, stack, config_overrides)[2]


def shown(path: Path) -> str:
    """A path as a report shows it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path)
