"""The embedded local DynamoDB for development and tests: moto's server on 127.0.0.1.

``local_dynamodb()`` starts moto's DynamoDB server in a background thread on a free port
(or the one given) and yields its endpoint URL; nothing leaves the machine. moto is imported
only when a server is started (``pip install "pydynox[local]"``). ``pydynox local``, the example app
and the pytest plugin (``pydynox.testing``) build on it.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydynox.client._client import DynamoDBClient

__all__ = ["local_client", "local_dynamodb"]


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
    """
    try:
        from moto.server import ThreadedMotoServer
    except ImportError as error:  # pragma: no cover - depends on the install
        raise RuntimeError('the local DynamoDB needs moto: pip install "pydynox[local]"') from error
    # werkzeug logs every request at INFO unless its logger has a level of its own.
    werkzeug_log = logging.getLogger("werkzeug")
    if werkzeug_log.level == logging.NOTSET:
        werkzeug_log.setLevel(logging.WARNING)
    if port:  # moto's start() waits forever when its thread cannot bind: check first
        with socket.socket() as probe:
            try:
                probe.bind((host, port))
            except OSError as error:
                raise OSError(
                    f"cannot serve the local DynamoDB on {host}:{port}: {error}"
                ) from None
    server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
    server.start()
    try:
        bound_host, bound_port = server.get_host_and_port()
        yield f"http://{bound_host}:{bound_port}"
    finally:
        server.stop()
