"""A headless Chromium driven over the DevTools protocol, for the docs site test.

The protocol runs over a pipe (``--remote-debugging-pipe``: Chromium reads commands on its
file descriptor 3 and writes answers and events on 4, each a JSON message ended by a NUL
byte), so no WebSocket client or driver binary is needed: the standard library talks to
Debian's ``chromium`` directly. One page (target) is used for every navigation.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

__all__ = ["Chromium", "ChromiumError", "chromium_binary"]

# As the machine's own probe starts it: no sandbox (root in a container), no GPU, and none of
# the background connections a closed network refuses.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--window-size=1280,900",
)


class ChromiumError(Exception):
    """The browser answered a command with an error, or did not answer in time."""


def chromium_binary() -> str | None:
    """Debian's ``chromium`` (or another Chromium-based browser on PATH), else None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Chromium:
    """One headless browser with one page: ``navigate(url)``, then ``evaluate(js)``.

    ``exceptions`` collects the uncaught JavaScript exceptions of the current page (cleared
    by each navigation).
    """

    def __init__(self, binary: str, profile: Path, timeout: float = 30.0) -> None:
        self.timeout = timeout
        self.exceptions: list[str] = []
        self._ids = 0
        self._buffer = b""
        self._events: list[dict[str, Any]] = []
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # The browser's ends above 9, then moved onto 3 and 4 by the shell that execs it.
        theirs = [
            fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (to_browser_r, from_browser_w)
        ]
        for fd in (to_browser_r, from_browser_w):
            os.close(fd)
        script = f'exec "$@" 3<&{theirs[0]} 4>&{theirs[1]} {theirs[0]}<&- {theirs[1]}>&-'
        self._process = subprocess.Popen(
            [
                "bash",
                "-c",
                script,
                "chromium",
                binary,
                *FLAGS,
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            pass_fds=theirs,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for fd in theirs:
            os.close(fd)
        self._write = to_browser_w
        self._read = from_browser_r
        try:
            target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
            attached = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
            self._session: str | None = attached["sessionId"]
            self.send("Page.enable", session=True)
            self.send("Runtime.enable", session=True)
        except BaseException:
            self.close()
            raise

    def send(
        self, method: str, params: dict[str, Any] | None = None, *, session: bool = False
    ) -> dict[str, Any]:
        """Send one command and wait for its answer (events meanwhile are kept)."""
        self._ids += 1
        message: dict[str, Any] = {"id": self._ids, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self._session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._next(deadline, f"{method} was not answered")
            if answer.get("id") == self._ids:
                if "error" in answer:
                    raise ChromiumError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            self._keep(answer)

    def navigate(self, url: str) -> None:
        """Open ``url`` in the page and wait for its load event."""
        self.exceptions.clear()
        self._events.clear()
        answer = self.send("Page.navigate", {"url": url}, session=True)
        if answer.get("errorText"):
            raise ChromiumError(f"cannot open {url}: {answer['errorText']}")
        deadline = time.monotonic() + self.timeout
        while not any(event["method"] == "Page.loadEventFired" for event in self._events):
            self._keep(self._next(deadline, f"{url} did not finish loading"))

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (a promise is awaited)."""
        answer = self.send(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
            session=True,
        )
        if "exceptionDetails" in answer:
            raise ChromiumError(f"the script failed: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._write, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for fd in (self._write, self._read):
            with contextlib.suppress(OSError):
                os.close(fd)

    def __enter__(self) -> Chromium:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _keep(self, message: dict[str, Any]) -> None:
        if message.get("method") == "Runtime.exceptionThrown":
            details = message["params"]["exceptionDetails"]
            thrown = details.get("exception", {}).get("description") or details.get("text")
            self.exceptions.append(str(thrown))
        if "method" in message:
            self._events.append(message)

    def _next(self, deadline: float, failure: str) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._read], [], [], left)[0]:
                raise ChromiumError(f"{failure} within {self.timeout} s")
            chunk = os.read(self._read, 1 << 16)
            if not chunk:
                raise ChromiumError(f"{failure}: the browser exited ({self._process.poll()})")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        parsed: dict[str, Any] = json.loads(message)
        return parsed
