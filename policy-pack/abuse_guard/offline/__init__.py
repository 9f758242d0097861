"""The offline preview's source: a Pulumi Python program run with no Pulumi CLI and no cloud.

project files -> the interpreter `pulumi preview` would use (environment.py) -> the program in a
process of its own, under the recorder (runtime.py, recorder/) -> resources, as the engine would send
them; pipeline.preview checks them with the same `evaluate` the CrossGuard adapter calls, plus an
unknown finding on each multi-language component (components.py).

Why the rules run here rather than through the pack's gRPC Analyzer service: the Analyzer protocol
carries violations only, so a stack policy cannot report per-resource pass, exempt or unknown through
it. Calling the evaluation functions directly gives every outcome; the resources are recorded as the
engine would send them to the pack, so the pack over gRPC reports the same violations for them.
How the recording differs from a real `pulumi preview` is listed in runtime.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..findings import Finding
from ..resources import Resource
from .components import COMPONENTS_POLICY, unchecked
from .environment import interpreter
from .project import Project, StackConfig, check_config, load_project, load_stack
from .recorder.protocol import DEPLOYED, FIRST_PREVIEW, MODELS
from .runtime import DEFAULT_TIMEOUT, Options, Program, ProgramError, Registration, record

__all__ = [
    "COMPONENTS_POLICY",
    "DEFAULT_TIMEOUT",
    "DEPLOYED",
    "FIRST_PREVIEW",
    "MODELS",
    "Options",
    "ProgramError",
    "Recording",
    "Registration",
    "program",
    "record",
    "recorded",
    "recording",
    "shown",
]

MODEL_LABELS = {
    DEPLOYED: "outputs modelled as on a deployed stack (synthetic IDs, ARNs and names)",
    FIRST_PREVIEW: "outputs modelled as at a first preview (computed outputs unknown)",
}
"""How every output of a run says which outputs model it used (in its source)."""


def program(project: Project, config: StackConfig) -> Program:
    """What the language host is given to run the project's program for one stack.

    Raises UserError when the environment the project names (virtualenv, uv, poetry) does not exist."""
    return Program(
        entry=project.program.resolve(),
        directory=project.program_dir.resolve(),
        root=project.root.resolve(),
        project=project.name,
        stack=config.name,
        config=config.values,
        secret_keys=config.secret_keys,
        interpreter=interpreter(project),
    )


@dataclass(frozen=True)
class Recording:
    """One run of a project's program for one stack: what it registered, and how it was answered."""

    project: Project
    config: StackConfig
    registrations: tuple[Registration, ...]
    outputs: str
    """The outputs model: DEPLOYED or FIRST_PREVIEW."""

    @property
    def resources(self) -> list[Resource]:
        return [r.resource for r in self.registrations]

    @property
    def unchecked(self) -> list[Finding]:
        """An UNKNOWN finding of COMPONENTS_POLICY for each multi-language component."""
        return unchecked(self.registrations)

    @property
    def source(self) -> str:
        """`offline preview of stacks (stack insecure; outputs modelled as ...)`: every output shows it, and says
        when the stack has no config file (`stack dev, which has no config file Pulumi.dev.yaml; ...`)."""
        stack = self.config.name
        if self.config.file is None:
            stack = f"{stack}, which has no config file Pulumi.{stack}.yaml"
        return f"offline preview of {shown(self.project.program)} (stack {stack}; {MODEL_LABELS[self.outputs]})"


def recording(
    project_dir: str | Path, stack: str, config_overrides: Mapping[str, str] | None, options: Options | None = None
) -> Recording:
    """The project, its stack's config (with `config_overrides`, checked as `pulumi preview` checks it; what the
    offline preview cannot see is warned about) and every resource its program registers.

    Raises UserError for a missing or malformed project or stack file, config Pulumi would refuse, or a missing
    environment, ProgramError when the program fails."""
    options = options or Options()
    project = load_project(project_dir)
    config = load_stack(project, stack).overridden(project, config_overrides or {})
    check_config(project, config)
    return Recording(project, config, tuple(record(program(project, config), options)), options.outputs)


def recorded(
    project_dir: str | Path,
    stack: str,
    config_overrides: Mapping[str, str] | None = None,
    options: Options | None = None,
) -> list[Resource]:
    """Every resource the project's program registers for `stack`, as the engine would send it."""
    return recording(project_dir, stack, config_overrides, options).resources


def shown(path: Path) -> str:
    """A path as a report shows it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path)
