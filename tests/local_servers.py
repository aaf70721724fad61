"""The local DynamoDB servers the suite runs on: moto (always, in this process) and dynalite
(an npm package run by Node, when it is installed).

dynalite is installed project-locally by ``npm ci --prefix tests/servers --ignore-scripts``
(what ``.ci/run`` does; the in-memory store needs no native build); a ``dynalite`` on PATH is
used too. ``run_dynalite()`` starts it as a subprocess on a
free 127.0.0.1 port with an in-memory store and yields its endpoint URL.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest

from pydynox.testing import local_dynamodb

SERVERS_DIR = Path(__file__).resolve().parent / "servers"
INSTALL_DYNALITE = "npm ci --prefix tests/servers --ignore-scripts"
# How long dynalite keeps a table in CREATING / DELETING / UPDATING (its default is 500 ms):
# short, so tests don't wait, yet not zero, so waiting for a table still sees those states.
TABLE_STATE_MS = 20
SERVERS = ("moto", "dynalite")

# The first moto release with multi-attribute GSI keys (getmoto/moto#9710); older ones
# create such an index but answer its queries wrongly.
MOTO_MULTI_ATTRIBUTE_KEYS = (5, 1, 21)


def _moto_version() -> tuple[int, ...]:
    from importlib.metadata import version

    return tuple(int(part) for part in version("moto").split(".")[:3] if part.isdigit())


def _moto_missing() -> dict[str, str]:
    if _moto_version() >= MOTO_MULTI_ATTRIBUTE_KEYS:
        return {}
    first = ".".join(map(str, MOTO_MULTI_ATTRIBUTE_KEYS))
    return {"multi_attribute_keys": f"moto before {first} has no multi-attribute GSI keys"}


# What each local server does not implement at all, by the feature names that the
# ``needs`` marker takes (see tests/conftest.py).
MISSING: dict[str, dict[str, str]] = {
    "moto": _moto_missing(),
    "dynalite": {
        "transactions": "dynalite does not implement TransactWriteItems / TransactGetItems",
        "ttl": "dynalite does not implement UpdateTimeToLive",
        "partiql": "dynalite does not implement ExecuteStatement (PartiQL)",
        "multi_attribute_keys": "dynalite has no multi-attribute GSI keys (it refuses a "
        "KeySchema of more than two elements)",
    },
}


# A deviation that several tests meet, named once: the tests that check the stored item a
# ConditionalCheckFailedException carries are a strict xfail on dynalite.
NO_ITEM_ON_FAILED_CONDITION = pytest.mark.deviates(
    "dynalite",
    reason="it ignores ReturnValuesOnConditionCheckFailure=ALL_OLD, so "
    "ConditionalCheckFailedException carries no item",
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def dynalite_binary() -> str | None:
    """The project-local dynalite (tests/servers/node_modules), else one on PATH, else None."""
    local = SERVERS_DIR / "node_modules" / ".bin" / "dynalite"
    if local.is_file() and os.access(local, os.X_OK):
        return str(local)
    return shutil.which("dynalite")


def dynalite_version(binary: str) -> str:
    """The version in the package.json beside the binary's script (``?`` if not found)."""
    script = Path(binary).resolve()
    for folder in script.parents:
        manifest = folder / "package.json"
        if manifest.is_file():
            try:
                return str(json.loads(manifest.read_text())["version"])
            except (OSError, ValueError, KeyError):
                return "?"
    return "?"


def server_params() -> list[Any]:
    """The ``endpoint`` params of a test that runs on every server: dynalite is skipped when
    it is not installed, except in CI, where the missing server is an error."""
    dynalite: Any = "dynalite"
    if dynalite_binary() is None and not in_ci():
        reason = f"dynalite not installed: run `{INSTALL_DYNALITE}` to test on it"
        dynalite = pytest.param("dynalite", marks=pytest.mark.skip(reason=reason))
    return ["moto", dynalite]


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    """Whether an HTTP server answers at ``url`` (any HTTP status counts)."""
    try:
        with urllib.request.urlopen(urllib.request.Request(url, data=b"{}"), timeout=1):
            return True
    except urllib.error.HTTPError as error:  # dynalite: 400 MissingAuthenticationToken
        error.close()
        return True
    except OSError:
        return False


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def run_dynalite(
    binary: str, host: str = "127.0.0.1", table_state_ms: int = TABLE_STATE_MS, timeout: float = 30
) -> Iterator[str]:
    """Run dynalite (in memory) on a free port of ``host``; yield its endpoint URL; stop it
    (and wait for it) when the block ends."""
    attempts = 3  # another process may take the free port before dynalite binds it
    for attempt in range(attempts):
        port = _free_port(host)
        url = f"http://{host}:{port}"
        command = [binary, "--host", host, "--port", str(port)]
        for option in ("--createTableMs", "--deleteTableMs", "--updateTableMs"):
            command += [option, str(table_state_ms)]
        with ExitStack() as stack:
            log = stack.enter_context(tempfile.TemporaryFile())
            process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log
            )
            stack.callback(_stop, process)
            deadline = time.monotonic() + timeout
            while process.poll() is None and not _answers(url):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"dynalite did not answer on {url} within {timeout} s")
                time.sleep(0.05)
            if process.poll() is None:
                yield url
                return
            log.seek(0)
            error = log.read().decode(errors="replace").strip()
            if "EADDRINUSE" in error and attempt + 1 < attempts:
                continue
            raise RuntimeError(f"dynalite exited with code {process.returncode}:\n{error}")


class Servers:
    """Starts each server the first time a test asks for it; stops them all at ``close()``."""

    def __init__(self) -> None:
        self._stack = ExitStack()
        self._urls: dict[str, str] = {}

    def endpoint(self, server: str) -> str:
        if server not in self._urls:
            if server == "moto":
                self._urls[server] = self._stack.enter_context(local_dynamodb())
            elif server == "dynalite":
                binary = dynalite_binary()
                if binary is None:
                    raise RuntimeError(
                        f"dynalite is not installed (run `{INSTALL_DYNALITE}`): "
                        "CI must run the integration suite on it"
                    )
                self._urls[server] = self._stack.enter_context(run_dynalite(binary))
            else:
                raise ValueError(f"unknown local server {server!r}")
        return self._urls[server]

    def close(self) -> None:
        self._stack.close()


def boto_client(endpoint: str) -> Any:
    """A plain boto3 DynamoDB client for a local server (dummy keys, us-east-1)."""
    import boto3

    return boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
