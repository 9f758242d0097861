"""Changes to the pulumi SDK's runtime inside the recording process, so a large program records in linear time.

1. `wait_for_rpcs`: since pulumi 3.229 the SDK waits for the program's outstanding outputs with
   `asyncio.wait(every pending task, FIRST_COMPLETED)` in a loop, which registers a callback on
   every pending task each time one finishes (quadratic in the outputs of a program: the larger part
   of a 10,000-resource recording); pulumi 3.112 to 3.228 polled its queue one task per event-loop
   turn. The replacement waits for all pending outputs at once (FIRST_EXCEPTION, so a failure is
   raised as soon as it happens), with the SDK's semantics otherwise: RPCs first, then outputs, again
   until nothing new was scheduled, the first failure re-raised with its original traceback. It is
   installed only where the SDK keeps its outputs in `SETTINGS.outputs` (3.112 and later); older
   SDKs already waited with FIRST_EXCEPTION over `asyncio.all_tasks()`.
2. `_get_stack_trace`: the SDK walks and formats the Python stack for every registration, to send
   the engine the source position of the resource; the recording does not use it, so it sends none.
3. `contains_unknowns`: the SDK defines its recursive helper inside the function, so every call (one
   per output value) leaves a function referring to itself, garbage only the cyclic collector frees;
   the same walk, defined once.
4. The event loop's default executor runs each RPC at once on the loop's thread (InlineExecutor), and
   the loop works through pending registrations while the program creates resources (Pump).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import sys
from collections.abc import Callable
from typing import Any, cast

PUMP_EVERY = 25
"""Resources a program creates between two pumps of the event loop (Pump)."""
PUMP_TURNS = 50
"""Most turns of the event loop per pump (it stops when nothing is ready): a registration takes about ten."""


def install() -> list[str]:
    """Install changes 1 to 3 where the SDK has what they replace; returns the names of those installed."""
    installed = []
    from pulumi.runtime import settings, stack

    if hasattr(settings, "_get_rpc_manager") and hasattr(settings.SETTINGS, "outputs"):
        stack.wait_for_rpcs = _waiter(settings)
        installed.append("wait_for_rpcs")
    try:
        from pulumi.runtime import resource
        from pulumi.runtime.proto import source_pb2
    except ImportError:  # an SDK from before source positions
        return installed
    if hasattr(resource, "_get_stack_trace"):
        resource._get_stack_trace = source_pb2.StackTrace
        installed.append("_get_stack_trace")
    from pulumi.runtime import rpc

    if hasattr(rpc, "contains_unknowns") and hasattr(getattr(rpc, "known_types", None), "is_unknown"):
        rpc.contains_unknowns = _unknowns_finder(rpc.known_types.is_unknown)  # type: ignore[assignment]
        installed.append("contains_unknowns")
    return installed


def _unknowns_finder(is_unknown: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """The SDK's contains_unknowns: an unknown anywhere in nested dicts and lists (each container once)."""

    def walk(value: Any, seen: set[int]) -> bool:
        if is_unknown(value):
            return True
        if id(value) in seen:
            return False
        seen.add(id(value))
        if isinstance(value, dict):
            return any(walk(value[key], seen) for key in value)
        if isinstance(value, list):
            return any(walk(item, seen) for item in value)
        return False

    def contains_unknowns(value: Any) -> bool:
        return walk(value, set())

    return contains_unknowns


def _waiter(settings: Any) -> Any:
    async def wait_for_rpcs(await_all_outstanding_tasks: bool = True) -> None:
        rpc_manager = settings._get_rpc_manager()
        outputs = settings.SETTINGS
        while True:
            while len(rpc_manager.rpcs) > 0:
                await asyncio.sleep(0)
                try:
                    await rpc_manager.rpcs.pop()
                except Exception as exn:
                    if rpc_manager.unhandled_exception is not None:
                        cause = rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
                        raise exn from cause
                    raise
            if rpc_manager.unhandled_exception is not None:
                raise rpc_manager.unhandled_exception.with_traceback(rpc_manager.exception_traceback)
            if await_all_outstanding_tasks:
                while True:
                    with outputs.lock:
                        pending = list(outputs.outputs)
                        outputs.outputs.clear()
                    if not pending:
                        break
                    done, not_done = await asyncio.wait(pending, return_when=asyncio.FIRST_EXCEPTION)
                    for task in done:
                        if task.cancelled() or task.exception() is not None:
                            await task  # re-raises, as the SDK's own loop does
                    if not_done:
                        with outputs.lock:
                            for task in not_done:
                                _keep(outputs.outputs, task)
            if len(rpc_manager.rpcs) == 0:
                break

    return wait_for_rpcs


def _keep(outputs: Any, task: Any) -> None:
    """Put a task back in the SDK's collection of outputs (a set since 3.2xx, a deque before)."""
    if hasattr(outputs, "add"):
        outputs.add(task)
    else:
        outputs.append(task)


class InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """The event loop's default executor, running each call at once on the loop's own thread.

    The SDK sends every RPC through `run_in_executor` so a real gRPC call does not block the loop; the
    recorder answers at once, so a thread per call only adds hand-offs between threads."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to the awaiting task, as a worker thread would
            future.set_exception(error)
        return future


class Pump:
    """Lets the event loop work through pending registrations every `every` resources the program creates.

    A program's top-level code runs without yielding to the event loop, so every registration it starts
    waits, with all its intermediate state, until that code returns: the memory of the whole program at
    once. Giving the loop up to `turns` turns now and then, from inside the program's task, the way the
    SDK runs a synchronous invoke (`_sync_await`), finishes most of them early. Unlike `_sync_await`, the
    ready queue is topped up afterwards only to what the loop's current turn still expects (`baseline`,
    taken when the program starts), not to its length before the pump: that would queue a dummy handle
    for every callback the pump ran. Never done from inside another turn (an apply creating a resource).
    """

    def __init__(self, every: int = PUMP_EVERY, turns: int = PUMP_TURNS) -> None:
        self.every, self.turns = every, turns
        self.count = 0
        self.loop: Any = None
        self.task: Any = None
        self.baseline = 0
        self.modules: dict[str, Any] = {}
        """Every module in sys.modules at some registration: what the program may not take away (child.py)."""
        self._seen = 0

    def start(self) -> None:
        """Called by the program's task as the program starts: the loop, the task and the turn's remainder."""
        self.loop = asyncio.get_event_loop()
        self.task = asyncio.current_task(self.loop)
        self.baseline = len(getattr(self.loop, "_ready", ()))

    def install(self) -> bool:
        import pulumi.resource

        original = getattr(pulumi.resource, "register_resource", None)
        if original is None or not hasattr(asyncio.BaseEventLoop, "_run_once"):
            return False

        def register_resource(*args: Any, **kwargs: Any) -> Any:
            if len(sys.modules) > self._seen:  # the program imported something: remember it
                self.modules.update(sys.modules)
                self._seen = len(sys.modules)
            result = original(*args, **kwargs)
            self.count += 1
            if self.count % self.every == 0:
                self.pump()
            return result

        pulumi.resource.register_resource = register_resource
        return True

    def pump(self) -> None:
        loop, task = self.loop, cast(asyncio.Task[Any], self.task)
        if loop is None or task is None or asyncio.current_task(loop) is not task:
            return
        ready = loop._ready
        asyncio.tasks._leave_task(loop, task)
        try:
            for _ in range(self.turns):
                if not ready:
                    break
                loop._run_once()
        finally:
            while len(ready) < self.baseline:
                handle = asyncio.Handle(lambda: None, (), loop)
                handle.cancel()
                ready.append(handle)
            asyncio.tasks._enter_task(loop, task)
