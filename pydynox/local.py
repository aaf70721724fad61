"""The embedded local DynamoDB for development and tests: moto's server on 127.0.0.1.

``local_dynamodb()`` starts moto's DynamoDB server in a background thread on a free port
(or the one given) and yields its endpoint URL; nothing leaves the machine. moto is imported
only when a server is started (the ``local`` extra; without it, ``ImportError``).
``pydynox local``, the example app and the pytest plugin (``pydynox.testing``) build on it.

``endpoint_client()`` is the client scripts and the CLI make from an ``--endpoint-url``: a
local server's endpoint works in a fresh shell, with no AWS region or keys configured.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from pydynox._transport._aws import configured_region
from pydynox.client._client import DynamoDBClient
from pydynox.exceptions import CredentialsException

__all__ = [
    "LOCAL_KEYS",
    "LOCAL_REGION",
    "check_port",
    "endpoint_client",
    "environment_endpoint",
    "is_loopback",
    "is_loopback_url",
    "local_client",
    "local_dynamodb",
]

# The "local" extra's requirement (pyproject.toml; a test keeps them equal). The command names
# the requirement, not `pip install "pydynox[local]"`: PyPI's "pydynox" is another library.
MOTO_REQUIREMENT = "moto[server]>=5.1.21"
MISSING_MOTO = (
    f'the local DynamoDB needs moto (pydynox\'s "local" extra): pip install "{MOTO_REQUIREMENT}"'
)
LOCAL_REGION = "us-east-1"
"""The region local clients use (moto keeps tables per region)."""
LOCAL_KEYS = ("testing", "testing")
"""The access key id and secret local clients sign with: a local server takes any."""


def local_client(endpoint_url: str, **settings: Any) -> DynamoDBClient:
    """A client for a local server: a fixed region and dummy keys, never your AWS ones."""
    settings.setdefault("region", LOCAL_REGION)
    settings.setdefault("access_key", LOCAL_KEYS[0])
    settings.setdefault("secret_key", LOCAL_KEYS[1])
    return DynamoDBClient(endpoint_url=endpoint_url, **settings)


def endpoint_client(endpoint_url: str | None = None, **settings: Any) -> DynamoDBClient:
    """A client for ``endpoint_url`` (``None``: the endpoint the AWS environment names, else
    AWS's), with ``settings`` as ``DynamoDBClient`` takes them.

    When the endpoint is a loopback address (a local server), what the environment does not
    configure is filled in, so a fresh shell works: the region (``LOCAL_REGION``) unless one
    is given, in ``AWS_REGION``/``AWS_DEFAULT_REGION`` or in the AWS config file, and dummy
    keys (``LOCAL_KEYS``) unless keys are given, in the environment (``AWS_ACCESS_KEY_ID``,
    ``AWS_PROFILE``) or in the AWS credentials or config file. Any other endpoint takes the
    AWS configuration as boto3 does: nothing is invented for it.
    """
    endpoint = endpoint_url or environment_endpoint()
    if is_loopback_url(endpoint):
        if not settings.get("region") and not _region_configured():
            settings["region"] = LOCAL_REGION
        if not settings.get("access_key") and not _credentials_configured():
            settings["access_key"], settings["secret_key"] = LOCAL_KEYS
    return DynamoDBClient(endpoint_url=endpoint_url, **settings)


def environment_endpoint() -> str | None:
    """The endpoint the environment names for DynamoDB (``AWS_ENDPOINT_URL_DYNAMODB``, else
    ``AWS_ENDPOINT_URL``), if any."""
    return os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL")


def is_loopback_url(url: str | None) -> bool:
    """Whether ``url``'s host is ``localhost`` or a loopback address."""
    if not url:
        return False
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return host == "localhost" or is_loopback(host)


def is_loopback(address: str) -> bool:
    """Whether ``address`` is a loopback IP address (``127.0.0.0/8``, ``::1``)."""
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _region_configured() -> bool:
    """Whether the environment or the AWS config file names a region (no network)."""
    try:
        return configured_region() is not None
    except CredentialsException:  # e.g. AWS_PROFILE names no profile: the client says so
        return True


def _credentials_configured() -> bool:
    """Whether keys come from the environment or an AWS file (no network)."""
    if os.environ.get("AWS_ACCESS_KEY_ID") or os.environ.get("AWS_PROFILE"):
        return True
    home = os.path.join(os.path.expanduser("~"), ".aws")
    files = [
        os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(home, "credentials"),
        os.environ.get("AWS_CONFIG_FILE") or os.path.join(home, "config"),
    ]
    return any(os.path.isfile(file) for file in files)


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
