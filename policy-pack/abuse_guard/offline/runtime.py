"""Run a Pulumi Python program as `pulumi preview` does, in a process of its own, and record what it registers.

The program runs in a child process of the interpreter `pulumi preview` would use (environment.py),
under a recorder that stands in for the engine (recorder/: Pulumi's own mock runtime, in preview mode);
only the records come back here, where the rules run. So the program imports its own packages, and
whatever it does to its process (exits, signals, threads, `sys.modules`) cannot reach abuse-guard's.
Each record is the RegisterResource request as the engine receives it, which is also what the engine
forwards to a policy pack: camelCase names, unknowns as the engine's sentinels, secrets in their
envelope (`from_wire` turns those into UNKNOWN and SECRET).

A run ends in one of these ways: every registration recorded (the process says DONE); the program
raised or called sys.exit (ProgramError with its traceback); the process ended without DONE
(`os._exit`, a signal) or did not finish within the time limit (hung, or waiting for threads it left
running): ProgramError naming how, never a run that looks complete. The process and everything it
started are killed when the run ends.

Where the offline preview differs from `pulumi preview` (said once here, shown as warnings):
- Outputs: by default every output is known, as on a stack that is already deployed (the DEPLOYED
  model: computed outputs get synthetic IDs, ARNs and auto-names, recorder/synthetic.py); the
  FIRST_PREVIEW model leaves computed outputs unknown, as a first preview of a new stack does.
- Data sources cannot ask AWS: get_policy_document is computed as the provider does it; caller
  identity, region, partition and availability zones come from the config and placeholders; any
  other answers a placeholder of its result type (a warning names it) or what `--data-sources` gives.
- Multi-language components (`remote=True`) are built by their provider plugin, which does not run
  offline: they answer unknown outputs, and what they would create is not recorded.
- The provider does not run: inputs it would fill in (defaults, autonamed `name`s) stay absent,
  and the engine's default provider resources (`pulumi:providers:aws::default_...`) do not appear; a
  resource that names no provider still carries the default provider, with the stack's `aws:*` config as
  its inputs (`aws:region` -> `region`), as the engine sends it to a policy pack.
- Transforms (`ResourceOptions(transforms=...)`, `register_resource_transform`) run in the engine,
  so they are not applied offline; the older `transformations` run in the program and are.
- Reads (`Resource.get`, `StackReference`) are not recorded: they are not resources the program
  manages.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..aws.regions import default_provider
from ..errors import UserError
from ..resources import STACK_TYPE, ProviderRef, Resource, from_wire, provider_ref
from .environment import Interpreter, own_interpreter
from .recorder import protocol
from .recorder.data_sources import PLACEHOLDER

ORGANIZATION = "organization"
"""What `pulumi.get_organization()` returns offline (the diy backends' answer)."""
DEFAULT_TIMEOUT = 300.0
"""Seconds a program may run before the offline preview stops it (`--timeout`)."""
RECORDER = Path(__file__).resolve().parent / "recorder" / "__main__.py"
READ_SIZE = 1 << 20
ENDING = 10.0
"""Seconds given to a process whose records ended without DONE to end, so its exit code can be told."""

log = logging.getLogger("abuse_guard.offline")


class ProgramError(UserError):
    """The program failed: the message is one line, `details` the program's traceback ("" when it has none)."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details


@dataclass(frozen=True)
class Program:
    """What the language host is given: the program, its project and stack, the stack's config, its interpreter."""

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
    interpreter: Interpreter = field(default_factory=own_interpreter)


@dataclass(frozen=True)
class Options:
    """How a recording answers the program: the outputs model, data source answers, and the time limit."""

    outputs: str = protocol.DEPLOYED
    """protocol.DEPLOYED (a stack already deployed) or protocol.FIRST_PREVIEW (unknown computed outputs)."""
    data_sources: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Data source token -> the result to answer it with (`--data-sources FILE`)."""
    timeout: float = DEFAULT_TIMEOUT
    """Seconds, from the start of the program's process to its last registration."""


@dataclass(frozen=True)
class Registration:
    """One RegisterResource request: the resource as the rules see it, plus what only the engine uses."""

    resource: Resource
    custom: bool
    provider: str
    """The provider reference (`<urn>::<id>`), empty for the engine's default provider."""
    remote: bool = False
    """A multi-language component: its provider plugin builds its children, which the recording does not see."""


@dataclass
class _Records:
    """What the recording process has said so far."""

    program: Program
    registrations: dict[str, Registration] = field(default_factory=dict)
    data_sources: dict[str, str] = field(default_factory=dict)
    """Token -> how it was answered (recorder/data_sources.py)."""
    transforms: bool = False
    started: bool = False
    failure: Mapping[str, str] | None = None
    waiting: list[str] = field(default_factory=list)
    done: bool = False

    def take(self, record: Mapping[str, Any]) -> None:
        kind = record.get("kind")
        if kind == protocol.RESOURCE:
            self._resource(record)
        elif kind == protocol.INVOKE:
            self.data_sources[str(record["token"])] = str(record["answer"])
        elif kind == protocol.TRANSFORMS:
            self.transforms = True
        elif kind == protocol.STARTED:
            self.started = True
        elif kind == protocol.FAILED:
            self.failure = record
        elif kind == protocol.WAITING:
            self.waiting = [str(name) for name in record.get("threads", [])]
        elif kind == protocol.DONE:
            self.done = len(self.registrations) == record.get("resources")
        elif kind == protocol.NO_SDK:
            interpreter = self.program.interpreter
            error = (str(record.get("error")).strip().splitlines() or ["no reason given"])[0]
            raise UserError(
                f"{interpreter.executable} ({interpreter.chosen_by}) cannot import the pulumi SDK "
                f"({error}): install the program's dependencies there"
            )
        elif kind == protocol.UNSUPPORTED:
            interpreter = self.program.interpreter
            oldest = ".".join(map(str, protocol.MINIMUM_PULUMI))
            raise UserError(
                f"{interpreter.executable} ({interpreter.chosen_by}) has pulumi {record.get('pulumi')}; "
                f"the offline preview needs pulumi {oldest} or later"
            )

    def _resource(self, record: Mapping[str, Any]) -> None:
        urn = str(record["urn"])
        self.registrations[urn] = Registration(
            resource=Resource(
                urn=urn,
                type=str(record["type"]),
                name=str(record["name"]),
                props=from_wire(record["props"]),
                parent=record.get("parent") or None,
                dependencies=tuple(record["dependencies"]),
                property_dependencies={key: tuple(urns) for key, urns in record["propertyDependencies"].items()},
                provider=_provider(record, self.program),
            ),
            custom=bool(record["custom"]),
            provider=str(record["provider"]),
            remote=bool(record["remote"]),
        )

    @property
    def in_order(self) -> list[Registration]:
        """Every registration, the root stack first, then by URN (registration order is not stable)."""
        return sorted(self.registrations.values(), key=lambda r: (r.resource.type != STACK_TYPE, r.resource.urn))


def _provider(record: Mapping[str, Any], program: Program) -> ProviderRef | None:
    """The provider a registration names; for a custom resource that names none, the engine's default provider
    of its package, with the inputs the engine gives it from the stack's config (`aws:region` -> `region`)."""
    if record["provider"]:
        return provider_ref(str(record["provider"]))
    type_ = str(record["type"])
    if not record["custom"] or type_.startswith("pulumi:"):  # components, the stack, providers themselves
        return None
    return default_provider(type_.split(":", 1)[0], program.stack, program.project, program.config, program.secret_keys)


def record(program: Program, options: Options | None = None) -> list[Registration]:
    """Run the program in its own process and return what it registered, root stack first, then by URN.

    Raises ProgramError when the program fails, ends early or runs past `options.timeout`, and
    UserError when its interpreter cannot run it (no pulumi SDK, one older than MINIMUM_PULUMI).
    """
    options = options or Options()
    records = _Records(program)
    try:
        _run(program, options, records)
    finally:
        _warn_about_differences(records)
    return records.in_order


def _run(program: Program, options: Options, records: _Records) -> None:
    where = f"the program {program.entry} (stack {program.stack})"
    spec = json.dumps(
        {
            "entry": str(program.entry),
            "directory": str(program.directory),
            "root": str(program.root),
            "project": program.project,
            "stack": program.stack,
            "config": dict(program.config),
            "secretKeys": sorted(program.secret_keys),
            "model": options.outputs,
            "dataSources": {token: dict(result) for token, result in options.data_sources.items()},
            "organization": ORGANIZATION,
        }
    ).encode("utf-8")
    interpreter = program.interpreter
    read_fd, write_fd = os.pipe()
    try:
        process = subprocess.Popen(
            [str(interpreter.executable), "-u", str(RECORDER), str(write_fd)],
            cwd=program.directory,
            env=interpreter.environment(os.environ),
            stdin=subprocess.PIPE,
            stdout=2,  # the program's output is shown as `pulumi preview` shows it: as diagnostics, not results
            pass_fds=(write_fd,),
            start_new_session=True,  # its own process group: what it starts is stopped with it
        )
    except OSError as error:
        os.close(read_fd)
        raise UserError(f"cannot run {interpreter.executable} ({interpreter.chosen_by}): {error.strerror}") from None
    finally:
        os.close(write_fd)
    deadline = time.monotonic() + options.timeout
    try:
        _send(process, spec)
        try:
            _read(read_fd, process, records, deadline)
        except _Garbled as error:
            raise ProgramError(
                f"{where} broke the recording: its process sent a record abuse-guard cannot read ({error}); did the "
                "program write to file descriptors it did not open?"
            ) from None
        if records.done:
            return
        if records.failure is not None:
            raise ProgramError(f"{where} failed: {records.failure['summary']}", records.failure["traceback"])
        if time.monotonic() >= deadline:
            raise ProgramError(f"{where} did not finish within {options.timeout:g} s (--timeout){_waiting(records)}")
        with contextlib.suppress(subprocess.TimeoutExpired):  # its records ended: it is ending, or ended
            process.wait(timeout=max(0.0, min(ENDING, deadline - time.monotonic())))
        if process.poll() is None and time.monotonic() >= deadline:
            raise ProgramError(f"{where} did not finish within {options.timeout:g} s (--timeout){_waiting(records)}")
        raise ProgramError(f"{where} {_ended(process, records, interpreter)}")
    finally:
        os.close(read_fd)
        _stop(process)


class _Garbled(Exception):
    """A record that is not what the recording process sends (the program wrote into the stream)."""


def _send(process: subprocess.Popen[bytes], spec: bytes) -> None:
    stdin = process.stdin
    assert stdin is not None
    try:
        stdin.write(spec)
        stdin.close()
    except BrokenPipeError:  # the process is gone already; how it ended is read from its records
        pass


def _read(fd: int, process: subprocess.Popen[bytes], records: _Records, deadline: float) -> None:
    """Take records until DONE, the end of the stream, the process's end, or the deadline."""
    pending = bytearray()
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while not records.done:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            if not selector.select(min(remaining, 0.25)):
                if process.poll() is not None and not selector.select(0):
                    return  # ended; a process it started may still hold the stream open
                continue
            chunk = os.read(fd, READ_SIZE)
            if not chunk:
                return
            pending += chunk
            end = pending.rfind(b"\n")
            if end < 0:
                continue
            for line in bytes(pending[:end]).split(b"\n"):
                try:
                    records.take(json.loads(line))
                except (ValueError, KeyError, TypeError, AttributeError) as error:
                    raise _Garbled(f"{type(error).__name__}: {error}") from None
            del pending[: end + 1]


def _ended(process: subprocess.Popen[bytes], records: _Records, interpreter: Interpreter) -> str:
    """How a process that never said DONE ended, as the error says it."""
    code = process.poll()
    if not records.started:
        return (
            f"could not be started: {interpreter.executable} ({interpreter.chosen_by}) exited with {code} before "
            "running it (the recording needs Python 3.9 or later)"
        )
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"was ended by {name} before its registrations finished ({len(records.registrations)} recorded)"
    return (
        f"ended before its registrations finished: its process exited with code {code}, as os._exit does "
        f"({len(records.registrations)} recorded)"
    )


def _waiting(records: _Records) -> str:
    if not records.waiting:
        return f" ({len(records.registrations)} resources registered so far)"
    names = ", ".join(repr(name) for name in records.waiting)
    return f": it left threads running ({names}), and Python waits for them before a program ends"


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Kill the process and its process group (what the program started), and reap it."""
    for kill in (lambda: os.killpg(process.pid, signal.SIGKILL), process.kill):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            kill()
    process.wait()


def _warn_about_differences(records: _Records) -> None:
    placeholders = sorted(token for token, how in records.data_sources.items() if how == PLACEHOLDER)
    if placeholders:
        log.warning(
            "offline preview: data sources answered with placeholders (every field of its type; give real answers "
            "with --data-sources FILE): %s",
            ", ".join(placeholders),
        )
    if records.transforms:
        log.warning("offline preview: resource transforms run in the engine and were not applied")
