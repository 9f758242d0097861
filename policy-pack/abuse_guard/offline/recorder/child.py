"""The recording process: a Pulumi program run as the Python language host runs it, under the Recorder.

Started by abuse-guard (offline/runtime.py) with the interpreter `pulumi preview` would use, so the
program imports its own packages; it needs the pulumi SDK there and nothing of abuse-guard's.
The program runs with `main`'s directory as working directory and first import path, through
`run_in_stack` over `runpy.run_path`, in preview mode (`pulumi.runtime.is_dry_run()` is True).

What the program cannot do to the recording: its output goes where `pulumi preview` shows it (our
standard error), never into the records, and so do its `pulumi.log` diagnostics, written as the CLI shows them
and not through the logging module (its logging configuration sees only its own log lines); what it raises is
reported as a failure with its traceback, and `sys.exit` (even with 0) as a failure; the modules it removes
from or replaces in `sys.modules` are put back once its top-level code has run, so the SDK finishes the run with
the modules it started with; the process ends with `os._exit` once everything is sent, so threads it left
running end with it (after Python would have waited for them: WAITING names them, and the time limit ends a
wait that never ends); signals, `os._exit` and a hang end the process without DONE, which abuse-guard reports as an
error. While the program runs the cyclic garbage collector collects only its youngest generation (what
exists at start is frozen out of it), and the SDK's runtime is made linear (speed.py).
"""

from __future__ import annotations

import asyncio
import concurrent.futures.thread
import contextlib
import gc
import json
import logging
import os
import runpy
import sys
import threading
import traceback
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, NoReturn

from . import protocol, speed

WRITE_CHUNK = 1 << 16
YOUNG_THRESHOLD = 50_000
"""Allocations between two collections of the youngest generation while the program runs."""
NEVER = 1_000_000
"""Thresholds of the older generations while the program runs: they are never collected (see _run)."""


class Channel:
    """Records to abuse-guard, one JSON object per line, on an inherited file descriptor."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._lock = threading.Lock()
        self._dumps = json.dumps  # bound now: the program may replace modules later
        self._write = os.write

    def send(self, kind: str, body: dict[str, Any]) -> None:
        line = (self._dumps({"kind": kind, **body}, separators=(",", ":"), default=repr) + "\n").encode("utf-8")
        with self._lock:
            view = memoryview(line)
            while view:
                written = self._write(self.fd, view[:WRITE_CHUNK])
                view = view[written:]


class Diagnostics:
    """The engine's Log service as `pulumi preview` shows it: what the program and the SDK log with `pulumi.log`
    (`info`, `warn`, `error`) on standard error, `warning: `/`error: ` before the message as the CLI prints
    them; debug messages (the SDK's own "registering resource ...") only with `--debug`, so never here.

    Not through the logging module, which is the program's: a program that turns on debug logging
    (`logging.basicConfig(level=logging.DEBUG)`) sees only its own log lines, never the SDK's debug messages
    under a name of ours, and a program that reconfigures logging cannot silence its own diagnostics."""

    PREFIXES: ClassVar[dict[int, str]] = {1: "", 2: "warning: ", 3: "error: "}
    """engine.proto LogSeverity (DEBUG 0, INFO 1, WARNING 2, ERROR 3) -> the CLI's prefix; DEBUG not shown."""

    def __init__(self) -> None:
        self._fd = os.dup(2)  # where the program's output goes, whatever it does later to sys.stderr or to fd 2
        self._write = os.write

    def Log(self, request: Any) -> None:  # the engine service's method name
        prefix = self.PREFIXES.get(request.severity)
        if prefix is not None:
            with contextlib.suppress(OSError):
                self._write(self._fd, f"{prefix}{request.message}\n".encode("utf-8", "backslashreplace"))


def main(argv: list[str]) -> None:
    channel = Channel(int(argv[0]))
    os.set_inheritable(channel.fd, False)  # the program's own subprocesses do not get it
    spec = json.loads(sys.stdin.buffer.read().decode("utf-8"))
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)  # the program reads an empty standard input, as under the language host
    try:
        import pulumi
        from pulumi.runtime import settings
    except BaseException as error:
        channel.send(protocol.NO_SDK, {"error": f"{type(error).__name__}: {error}"})
        _exit()
    version = _sdk_version()
    if version is not None and _version(version) < protocol.MINIMUM_PULUMI:
        channel.send(protocol.UNSUPPORTED, {"pulumi": version})
        _exit()
    from .mocks import Recorder

    speed.install()
    pump = speed.Pump()
    pump.install()
    classes: dict[str, type] = {}
    result_types: dict[str, Any] = {}
    _capture_types(classes, result_types)
    recorder = Recorder(channel.send, spec["model"], spec["config"], spec["dataSources"], classes, result_types)
    # As the language host does (pulumi-language-python-exec): asyncio's own log lines are not the program's.
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)
    _configure(settings, recorder, Diagnostics(), spec)
    channel.send(protocol.STARTED, {"pulumi": version, "python": sys.version.split()[0], "path": pulumi.__file__})
    failure = _run(spec, pump)
    if failure is not None:
        channel.send(protocol.FAILED, failure)
        _exit()
    threads = _left_running()
    if threads:
        channel.send(protocol.WAITING, {"threads": [t.name for t in threads]})
        for thread in threads:
            thread.join()
    channel.send(protocol.DONE, {"resources": recorder.count})
    _exit()


def _run(spec: Mapping[str, Any], pump: speed.Pump) -> dict[str, str] | None:
    """Run the program; the failure (one-line summary, the program's traceback) or None."""
    from pulumi.runtime.stack import run_in_stack

    directory, entry = spec["directory"], spec["entry"]
    sys.path.insert(0, directory)
    modules = pump.modules
    modules.update(sys.modules)

    def program() -> None:
        pump.start()
        try:
            runpy.run_path(entry, run_name="__main__")
        finally:
            _restore(modules)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    loop.set_default_executor(speed.InlineExecutor())
    # A failed program leaves futures nobody awaits; the language host silences asyncio for the same reason.
    loop.set_exception_handler(lambda loop, context: None)
    # The cyclic collector's full passes are paused while the program runs: they would walk every output of
    # every resource again and again. Only the youngest generation is collected, which frees the cycles
    # the SDK leaves behind (a resource nobody holds, with its outputs) before they pile up.
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, NEVER, NEVER)
    try:
        loop.run_until_complete(run_in_stack(program))
        loop.run_until_complete(loop.shutdown_default_executor())
    except BaseException as error:  # SystemExit and KeyboardInterrupt are the program's failures too
        _restore(modules)
        details = "" if isinstance(error, SystemExit) else _traceback(error, directory)
        return {"summary": _summary(error), "traceback": details}
    return None


def _configure(settings: Any, monitor: Any, engine: Any, spec: Mapping[str, Any]) -> None:
    """The runtime's settings as the language host gives them, for the SDK's version of Settings."""
    from pulumi.runtime.config import set_all_config

    wanted = {
        "project": spec["project"],
        "stack": spec["stack"],
        "monitor": monitor,
        "engine": engine,
        "dry_run": True,
        "organization": spec["organization"],
        "root_directory": spec["root"],
    }
    accepted = settings.Settings.__init__.__code__.co_varnames
    settings.configure(settings.Settings(**{k: v for k, v in wanted.items() if k in accepted}))
    try:
        set_all_config(dict(spec["config"]), sorted(spec["secretKeys"]))
    except TypeError:  # an SDK from before secret config keys
        set_all_config(dict(spec["config"]))


def _capture_types(classes: dict[str, type], result_types: dict[str, Any]) -> None:
    """Remember the class of each resource type and the result type of each data source the program uses:
    the SDK's type metadata of both is what deployed outputs and data source placeholders are built from."""
    import pulumi.resource
    import pulumi.runtime

    def registering(original: Callable[..., Any]) -> Callable[..., Any]:
        def register(res: Any, ty: str, *args: Any, **kwargs: Any) -> Any:
            classes.setdefault(ty, type(res))
            return original(res, ty, *args, **kwargs)

        return register

    for name in ("register_resource", "read_resource"):
        if hasattr(pulumi.resource, name):
            setattr(pulumi.resource, name, registering(getattr(pulumi.resource, name)))

    def invoking(original: Callable[..., Any]) -> Callable[..., Any]:
        def invoke(tok: str, *args: Any, **kwargs: Any) -> Any:
            typ = kwargs.get("typ", args[2] if len(args) > 2 else None)
            if typ is not None:
                result_types.setdefault(tok, typ)
            return original(tok, *args, **kwargs)

        return invoke

    for name in ("invoke", "invoke_async", "invoke_output", "invoke_single", "invoke_output_single"):
        if hasattr(pulumi.runtime, name):
            setattr(pulumi.runtime, name, invoking(getattr(pulumi.runtime, name)))


def _restore(modules: Mapping[str, Any]) -> None:
    """Put back every module the program removed from or replaced in sys.modules (those there when it started,
    and those it had imported by its last registration: Pump keeps them); keep what it added."""
    current = sys.modules
    for name, module in modules.items():
        if current.get(name) is not module:
            current[name] = module


def _left_running() -> list[threading.Thread]:
    """Threads Python would wait for before the program ends: not daemons, not idle executor workers."""
    worker = getattr(concurrent.futures.thread, "_worker", None)
    return [
        t
        for t in threading.enumerate()
        if t is not threading.main_thread()
        and t.is_alive()
        and not t.daemon
        and getattr(t, "_target", None) is not worker
    ]


def _summary(error: BaseException) -> str:
    if isinstance(error, SystemExit):
        return f"it called sys.exit({error.code!r})"
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _traceback(error: BaseException, directory: str) -> str:
    """The traceback from the program's own first frame on: the runner's frames before it say nothing."""
    start = error.__traceback__
    prefix = os.path.join(os.path.realpath(directory), "")

    def the_programs(filename: str) -> bool:
        return not filename.startswith("<") and os.path.realpath(filename).startswith(prefix)

    while start is not None and not the_programs(start.tb_frame.f_code.co_filename):
        start = start.tb_next
    return "".join(traceback.format_exception(type(error), error, start or error.__traceback__))


def _sdk_version() -> str | None:
    """The installed pulumi SDK's version (its distribution metadata), None when it has none."""
    try:
        from importlib.metadata import version

        return version("pulumi")
    except Exception:
        return None


def _version(text: str) -> tuple[int, ...]:
    parts = []
    for part in text.split(".")[:3]:
        digits = "".join(c for c in part if c.isdigit()) or "0"
        parts.append(int(digits))
    return tuple(parts)


def _exit() -> NoReturn:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a stream the program closed or replaced
            stream.flush()
    os._exit(0)
