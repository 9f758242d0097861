"""Run a Pulumi Python program as `pulumi preview` does, with a recorder standing in for the engine.

The program runs in-process under Pulumi's own mock runtime, started the way the Python language
host starts a program (`run_in_stack` over `runpy.run_path` of `main`, in `main`'s directory).
The recorder (a `MockMonitor`) answers like a preview: a resource being created has an unknown ID
and unknown computed outputs, while its inputs are known. It keeps every RegisterResource request
as the engine receives it, which is also what the engine forwards to a policy pack: camelCase
names, unknowns as the engine's sentinels, secrets in their envelope (`from_wire` turns those into
UNKNOWN and SECRET).

Where the offline preview differs from `pulumi preview` (said once here, shown as warnings):
- Data sources (`aws.get_caller_identity()`, ...) cannot ask AWS: they answer with an empty result,
  so every field of it is None.
- The provider does not run: inputs it would fill in (defaults, autonamed `name`s) stay absent,
  and the engine's default provider resources (`pulumi:providers:aws::default_...`) do not appear.
- Transforms (`ResourceOptions(transforms=...)`, `register_resource_transform`) run in the engine,
  so they are not applied offline; the older `transformations` run in the program and are.
- Reads (`Resource.get`, `StackReference`) are not recorded: they are not resources the program
  manages, and their state is unknown offline.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import os
import runpy
import sys
import threading
import traceback
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi.runtime import settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.mocks import MockCallArgs, MockEngine, MockMonitor, MockResourceArgs, Mocks
from pulumi.runtime.stack import run_in_stack

from ..errors import UserError
from ..resources import STACK_TYPE, Resource, from_wire

ORGANIZATION = "organization"
"""What `pulumi.get_organization()` returns offline (the diy backends' answer)."""

PYTHON_INSTALLATION = tuple({Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()})
"""Where Python's standard library and installed packages live (the venv may sit in the project)."""

log = logging.getLogger("abuse_guard.offline")


class ProgramError(UserError):
    """The program raised: the message is one line, `details` the program's traceback."""

    def __init__(self, message: str, details: str) -> None:
        super().__init__(message)
        self.details = details


@dataclass(frozen=True)
class Program:
    """What the language host is given: the program, its project and stack, and the stack's config."""

    entry: Path
    """`main`: a directory with __main__.py, or a file."""
    directory: Path
    """Working directory and first import path."""
    root: Path
    """The project directory (where Pulumi.yaml is): `pulumi.get_root_directory()`."""
    project: str
    stack: str
    config: Mapping[str, str]
    secret_keys: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Registration:
    """One RegisterResource request: the resource as the rules see it, plus what only the engine uses."""

    resource: Resource
    custom: bool
    provider: str
    """The provider reference (`<urn>::<id>`), empty for the engine's default provider."""


class PreviewMocks(Mocks):
    """Answers a preview gives: IDs and computed outputs unknown, data sources empty."""

    def __init__(self) -> None:
        self.data_sources: list[str] = []

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[Any, Any]]:
        # An empty ID is an unknown ID at preview; outputs not in the returned state resolve as unknown.
        return "", dict(args.inputs)

    def call(self, args: MockCallArgs) -> tuple[dict[Any, Any], list[tuple[str, str]]]:
        self.data_sources.append(args.token)
        return {}, []  # no fields, no failures


class Recorder(MockMonitor):
    """The engine's resource monitor as far as a preview goes, keeping every registration."""

    mocks: PreviewMocks

    def __init__(self) -> None:
        super().__init__(PreviewMocks())
        self._lock = threading.Lock()
        self._registrations: dict[str, Registration] = {}
        self._thread_loops: list[asyncio.AbstractEventLoop] = []
        self.transforms_requested = False

    def _thread_loop(self) -> None:
        """Give this worker thread the event loop MockMonitor wants, and remember it to close it.

        MockMonitor creates one per worker thread and never closes it; collected unclosed, each
        would complain long after the run.
        """
        policy = asyncio.get_event_loop_policy()
        try:
            policy.get_event_loop()
        except RuntimeError:
            loop = policy.new_event_loop()
            policy.set_event_loop(loop)
            with self._lock:
                self._thread_loops.append(loop)

    def close_thread_loops(self) -> None:
        with self._lock:
            loops, self._thread_loops = self._thread_loops, []
        for loop in loops:
            loop.close()

    @property
    def registrations(self) -> list[Registration]:
        """Every registration, the root stack first, then by URN (registration order is not stable)."""
        return sorted(self._registrations.values(), key=lambda r: (r.resource.type != STACK_TYPE, r.resource.urn))

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        # The engine leaves the root stack out of its children's type chain (MockMonitor does not).
        if parent and parent.split("::")[2].rsplit("$", 1)[-1] == STACK_TYPE:
            parent = ""
        return str(super().make_urn(parent, type_, name))

    def RegisterResource(self, request: Any) -> Any:
        urn = self.make_urn(request.parent, request.type, request.name)
        registration = Registration(
            resource=Resource(
                urn=urn,
                type=request.type,
                name=request.name,
                props=from_wire(_plain(request.object)),
                parent=request.parent or None,
                dependencies=tuple(request.dependencies),
                property_dependencies={key: tuple(deps.urns) for key, deps in request.propertyDependencies.items()},
            ),
            custom=request.custom,
            provider=request.provider,
        )
        with self._lock:
            if urn in self._registrations:
                # The engine refuses a second resource with the same URN, and so do we.
                raise ValueError(f"Duplicate resource URN '{urn}'; try giving it a unique name")
            self._registrations[urn] = registration
            self.transforms_requested = self.transforms_requested or bool(request.transforms)
        self._thread_loop()
        return super().RegisterResource(request)

    def Invoke(self, request: Any) -> Any:
        self._thread_loop()
        return super().Invoke(request)

    def ReadResource(self, request: Any) -> Any:
        self._thread_loop()
        return super().ReadResource(request)

    def RegisterStackTransform(self, request: Any) -> Any:
        self.transforms_requested = True
        return super().RegisterStackTransform(request)


def _plain(value: Any) -> Any:
    """A protobuf Struct or ListValue as plain data, as the engine reads it: numbers are floats."""
    if hasattr(value, "fields"):  # Struct
        return {key: _plain(item) for key, item in value.items()}
    if hasattr(value, "values") and not isinstance(value, Mapping):  # ListValue
        return [_plain(item) for item in value]
    return value


def record(program: Program) -> list[Registration]:
    """Run the program under the recorder and return what it registered; ProgramError if it raises.

    The runtime's state lives in context variables: the run gets its own copy of the context, so
    nothing (settings, config, root stack) leaks into the caller or the next run.
    """
    recorder = Recorder()
    with _isolated_imports(program.directory), _working_directory(program.directory):
        try:
            contextvars.copy_context().run(_run, program, recorder)
        except (Exception, SystemExit) as error:
            raise ProgramError(
                f"the program {program.entry} (stack {program.stack}) failed: {_summary(error)}",
                _traceback(error, program.directory),
            ) from error
    _warn_about_differences(recorder)
    return recorder.registrations


def _run(program: Program, recorder: Recorder) -> None:
    settings.reset_options()  # no root stack yet, fresh RPC and output bookkeeping
    settings.configure(
        settings.Settings(
            project=program.project,
            stack=program.stack,
            monitor=recorder,
            engine=MockEngine(logging.getLogger("abuse_guard.offline.program")),
            dry_run=True,
            root_directory=str(program.root),
            organization=ORGANIZATION,
        )
    )
    set_all_config(dict(program.config), sorted(program.secret_keys))

    def main() -> None:
        runpy.run_path(str(program.entry), run_name="__main__")

    loop = asyncio.new_event_loop()
    # A failed program leaves futures nobody awaits; asyncio would log each one when it is collected,
    # long after the failure was reported. The language host silences asyncio for the same reason.
    loop.set_exception_handler(lambda loop, context: None)
    try:
        loop.run_until_complete(run_in_stack(main))
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        loop.close()
        recorder.close_thread_loops()


def _summary(error: BaseException) -> str:
    if isinstance(error, SystemExit):
        return f"it called sys.exit({error.code!r})"
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _traceback(error: BaseException, directory: Path) -> str:
    """The traceback from the program's own first frame on: the runner's frames before it say nothing."""
    start = error.__traceback__
    while start is not None and not Path(start.tb_frame.f_code.co_filename).is_relative_to(directory):
        start = start.tb_next
    return "".join(traceback.format_exception(type(error), error, start or error.__traceback__))


def _warn_about_differences(recorder: Recorder) -> None:
    if recorder.mocks.data_sources:
        tokens = ", ".join(sorted(set(recorder.mocks.data_sources)))
        log.warning("offline preview: data sources cannot ask AWS and returned empty results: %s", tokens)
    if recorder.transforms_requested:
        log.warning("offline preview: resource transforms run in the engine and were not applied")


@contextlib.contextmanager
def _isolated_imports(directory: Path) -> Iterator[None]:
    """The program's directory first on sys.path; its modules neither shadow nor outlive the run.

    A module named like one of the program's (its `components`) is set aside for the run and put
    back afterwards, unless it is part of Python or its environment (the program cannot shadow
    those under the language host either). Whatever the program imported from its own directory,
    or from paths it added, is forgotten, so the next run (another project, or this one changed)
    imports its own; installed packages it imported (pulumi_aws modules) stay, even when the
    virtualenv lives in the project directory.
    """
    directory = directory.resolve()
    local = {
        name
        for name in (p.stem if p.suffix == ".py" else p.name for p in directory.iterdir())
        if name.isidentifier() and not name.startswith("__")  # __main__ is runpy's, __pycache__ no module
    }
    saved_path = list(sys.path)
    set_aside = {
        name: sys.modules.pop(name)
        for name in list(sys.modules)
        if name.partition(".")[0] in local and not _installed(sys.modules[name])
    }
    before = set(sys.modules)
    sys.path.insert(0, str(directory))
    try:
        yield
    finally:
        added = [Path(p).resolve() for p in sys.path if p not in saved_path]
        sys.path[:] = saved_path
        for name in set(sys.modules) - before:
            module = sys.modules[name]
            if not _installed(module) and (name.partition(".")[0] in local or _loaded_from(module, added)):
                del sys.modules[name]
        sys.modules.update(set_aside)


def _installed(module: Any) -> bool:
    return getattr(module, "__file__", None) is None or _loaded_from(module, PYTHON_INSTALLATION)


def _loaded_from(module: Any, directories: Iterable[Path]) -> bool:
    file = getattr(module, "__file__", None)
    return isinstance(file, str) and any(Path(file).resolve().is_relative_to(d) for d in directories)


@contextlib.contextmanager
def _working_directory(directory: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(previous)
