"""pytest plugin (registered as ``pydynox`` under ``pytest11``): a local DynamoDB for tests.

Fixtures:

- ``dynamodb_endpoint`` (session): the URL of a moto DynamoDB server on 127.0.0.1, started
  on first use and stopped at the end of the session.
- ``dynamodb_client``: a ``DynamoDBClient`` on that server, set as the default client (the
  one models use) for the test and closed afterwards. It is a plain fixture, so it works in
  sync tests and in async tests under pytest-asyncio or anyio, whatever their loop scope.
  Its ``cursor_secret`` is ``dynamodb_cursor_secret``, so ``page()`` works under test.
- ``dynamodb_cursor_secret`` (session): the secret that signs page cursors, random for each
  session. Override it (a fixture of the same name in a ``conftest.py`` or test module) to
  share a fixed secret with clients your application makes itself.

Tables live as long as the server (the session): create them in a fixture and delete them
at its teardown, or give them unique names. moto is imported only when a fixture is used,
so having pydynox installed does not slow down test suites that do not use it.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator

import pytest

from pydynox.client._client import DynamoDBClient, default_client_set_to
from pydynox.local import local_client, local_dynamodb

__all__ = ["dynamodb_client", "dynamodb_cursor_secret", "dynamodb_endpoint"]


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    """The endpoint URL of a local DynamoDB (moto) shared by the whole test session."""
    with local_dynamodb() as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def dynamodb_cursor_secret() -> str | bytes:
    """The secret ``dynamodb_client`` signs page cursors with: random, one per session (a
    cursor from one test's client is valid in another's). Override this fixture to fix it."""
    return secrets.token_urlsafe(32)


@pytest.fixture
def dynamodb_client(
    dynamodb_endpoint: str, dynamodb_cursor_secret: str | bytes
) -> Iterator[DynamoDBClient]:
    """A client on the local DynamoDB, set as the default client during the test; its cursor
    secret is ``dynamodb_cursor_secret``, so ``page()`` works."""
    client = local_client(dynamodb_endpoint, cursor_secret=dynamodb_cursor_secret)
    try:
        with default_client_set_to(client):
            yield client
    finally:
        _close_async_connections(client)
        client.sync_close()


def _close_async_connections(client: DynamoDBClient) -> None:
    """Close the aioboto3 clients the test opened on loops that outlive it (a session or
    module scoped loop). A loop that has shut down closed its own already; a loop running
    now (in another thread) closes its own at shutdown."""
    for loop in list(client._async._loops):
        if loop.is_closed() or loop.is_running():
            continue
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            loop.run_until_complete(client._async.close())
        else:  # pragma: no cover - a teardown inside a running loop: leave it to shutdown
            return
