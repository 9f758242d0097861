"""Headless Chromium driven over the DevTools protocol on a pipe: no websocket client, no extra package.

`--remote-debugging-pipe` makes Chromium read commands from fd 3 and write replies and events to
fd 4, each a JSON message ended by NUL. The shell wrapper moves our stdin/stdout pipes to 3 and 4.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-extensions",
    "--remote-debugging-pipe",
)


def executable() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """One page in a headless Chromium: navigate, evaluate, click, screenshot; errors are collected."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._next_id = 0
        self._replies: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=True)

    def _read(self) -> None:
        assert self._process.stdout is not None
        buffer = b""
        while chunk := os.read(self._process.stdout.fileno(), 1 << 16):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                self._dispatch(json.loads(raw))

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message:
            with self._lock:
                self._replies.pop(message["id"]).put(message)
            return
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.exceptionThrown":
            self.errors.append(json.dumps(params["exceptionDetails"]))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            self.errors.append(json.dumps(params["args"]))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            self.errors.append(params["entry"].get("text", ""))
        elif method == "Page.javascriptDialogOpening":
            self.dialogs.append(params.get("message", ""))
            self.call("Page.handleJavaScriptDialog", {"accept": True}, session=True, wait=False)
        self.events.put(message)

    def call(
        self, method: str, params: dict[str, Any] | None = None, session: bool = False, wait: bool = True
    ) -> dict[str, Any]:
        assert self._process.stdin is not None
        with self._lock:
            self._next_id += 1
            message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
            if session:
                message["sessionId"] = self._session
            reply: queue.Queue[dict[str, Any]] = queue.Queue()
            self._replies[self._next_id] = reply
            self._process.stdin.write(json.dumps(message).encode() + b"\0")
            self._process.stdin.flush()
        if not wait:
            return {}
        answer = reply.get(timeout=30)
        if "error" in answer:
            raise RuntimeError(f"{method}: {answer['error']}")
        return dict(answer.get("result", {}))

    def open(self, path: Path, width: int = 1280, height: int = 900) -> float:
        """Load a file and wait for its load event (the page script has run by then); seconds taken."""
        self.errors.clear()
        self.dialogs.clear()
        while not self.events.empty():  # a load event still queued from an earlier page is not this one's
            self.events.get_nowait()
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )
        started = time.perf_counter()
        self.call("Page.navigate", {"url": path.resolve().as_uri()}, session=True)
        while True:
            event = self.events.get(timeout=30)
            if event.get("method") == "Page.loadEventFired":
                return time.perf_counter() - started

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """A real mouse click at the centre of the element, as a person would make it."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        for kind in ("mousePressed", "mouseReleased"):
            self.call(
                "Input.dispatchMouseEvent",
                {"type": kind, "x": box[0], "y": box[1], "button": "left", "clickCount": 1},
                session=True,
            )

    def type(self, text: str) -> None:
        """Text typed into the focused element, as from a keyboard."""
        self.call("Input.insertText", {"text": text}, session=True)

    def screenshot(self, destination: Path, height: int) -> None:
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )
        self.evaluate("window.scrollTo(0, 0)")
        data = self.call("Page.captureScreenshot", {"format": "png"}, session=True)["data"]
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(base64.b64decode(data))


@contextmanager
def browser() -> Iterator[Browser]:
    binary = executable()
    assert binary is not None, "chromium is not installed"
    with tempfile.TemporaryDirectory(prefix="abuse-guard-chromium-") as profile:
        pipes = 'exec "$@" 3<&0 4>&1 0</dev/null 1>&2'  # our stdin/stdout become Chromium's fd 3/4
        command = ["sh", "-c", pipes, "sh", binary, *FLAGS, f"--user-data-dir={profile}"]
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=os.environ.copy()
        )
        try:
            yield Browser(process)
        finally:
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
