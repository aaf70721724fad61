"""The embedded local DynamoDB for development and tests: moto's server on 127.0.0.1.

``local_dynamodb()`` starts moto's DynamoDB server in a background thread on a free port
(or the one given) and yields its endpoint URL; nothing leaves the machine. moto is imported
only when a server is started (``pip install "pydynox[local]"``; without it, ``ImportError``).
``pydynox local``, the example app and the pytest plugin (``pydynox.testing``) build on it.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydynox.client._client import DynamoDBClient

__all__ = ["check_port", "local_client", "local_dynamodb"]

MISSING_MOTO = 'the local DynamoDB needs moto: pip install "pydynox[local]"'


def local_client(endpoint_url: str, **settings: Any) -> DynamoDBClient:
    """A client for a local server: a fixed region and dummy keys, never your AWS ones."""
    settings.setdefault("region", "us-east-1")
    settings.setdefault("access_key", "testing")
    settings.setdefault("secret_key", "testing")
    return DynamoDBClient(endpoint_url=endpoint_url, **settings)


@contextmanager
def local_dynamodb(port: int = 0, host: str = "127.0.0.1") -> Iterator[str]:
    """Run an in-memory DynamoDB (moto) on ``host:port`` and yield its endpoint URL.

    ``port=0`` picks a free port. The server stops when the block ends. moto keeps its data
    per process: servers started in one process share their tables, and the data lasts as
    long as the process (``POST <endpoint>/moto-api/reset`` empties it).

    Raises ``ImportError`` naming the extra when moto is not installed, and ``OSError`` (see
    ``check_port``) when the port cannot be used.
    """
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as error:
        raise ImportError(MISSING_MOTO, name="moto") from error
    # werkzeug logs every request at INFO unless its logger has a level of its own.
    werkzeug_log = logging.getLogger("werkzeug")
    if werkzeug_log.level == logging.NOTSET:
        werkzeug_log.setLevel(logging.WARNING)
    if port:  # moto's start() waits forever when its thread cannot bind: check first
        check_port(host, port)
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    try:
        bound_host, bound_port = server.get_host_and_port()
        yield f"http://{bound_host}:{bound_port}"
    finally:
        server.stop()


def check_port(host: str, port: int) -> None:
    """Raise ``OSError`` (with the bind's ``errno``, ``EADDRINUSE`` for a port in use) unless
    the server can listen on ``host:port``. The probe binds as the server does (same address
    family, ``SO_REUSEADDR``), so a port that only has connections of a previous run left in
    TIME_WAIT counts as free, as it is for the server."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as werkzeug's server
        try:
            probe.bind((host, port))
        except OSError as error:
            raise OSError(
                error.errno,
                f"cannot serve the local DynamoDB on {host}:{port}: {error.strerror or error}",
            ) from None
