"""Event loops, threads, closing, settings from the environment, and credential errors."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest

from pydynox import ConnectionException, CredentialsException, DynamoDBClient
from pydynox.testing import local_client

from .api import Api
from .tables import unique

KEY = {"pk": "USER#1", "sk": "PROFILE"}


def connections(endpoint: str) -> set[str]:
    """Open TCP connections from this process to the endpoint's port (Linux /proc), whatever
    the transport: the client's side of each keep-alive connection it holds, by socket inode.
    Tests compare sets, not counts: a server may close an idle connection of another client
    meanwhile (dynalite, like any Node server, closes them after 5 s)."""
    gc.collect()
    port = int(endpoint.rsplit(":", 1)[1])
    ours = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            ours.add(link[8:-1])
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as lines:
            for line in list(lines)[1:]:
                fields = line.split()
                remote_port = int(fields[2].rsplit(":", 1)[1], 16)
                if remote_port == port and fields[3] == "01" and fields[9] in ours:
                    found.add(fields[9])
    return found


def open_senders(client: DynamoDBClient) -> int:
    """Event loops for which the client holds an open sender (connection pool or client)."""
    return sum(1 for state in client._async._loops.values() if state.sender is not None)


@pytest.fixture
def fresh(endpoint: str, client: DynamoDBClient) -> Any:
    """A table made with the sync API, so no event loop is involved in the set-up."""
    name = unique("life")
    client.sync_create_table(name, partition_key=("pk", "S"), sort_key=("sk", "S"))
    client.sync_put_item(name, {**KEY, "n": 1})
    yield name
    client.sync_delete_table(name, wait=False)


def test_asyncio_run_twice_with_one_client_leaves_nothing_open(endpoint: str, fresh: str) -> None:
    client = local_client(endpoint)
    before = connections(endpoint)
    for _ in range(3):
        assert asyncio.run(client.get_item(fresh, KEY)) == {**KEY, "n": 1}
        assert connections(endpoint) <= before  # the loop's shutdown closed its connections
    client.sync_close()


def test_a_manually_run_loop_closes_its_client_at_shutdown(endpoint: str, fresh: str) -> None:
    client = local_client(endpoint)
    before = connections(endpoint)
    loop = asyncio.new_event_loop()
    try:
        assert loop.run_until_complete(client.get_item(fresh, KEY)) is not None
        assert open_senders(client) == 1
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()
    assert open_senders(client) == 0
    assert connections(endpoint) <= before


async def test_one_client_per_loop_is_reused_across_calls(endpoint: str, fresh: str) -> None:
    client = local_client(endpoint)
    before = connections(endpoint)
    for _ in range(3):
        results = await asyncio.gather(*(client.get_item(fresh, KEY) for _ in range(50)))
        assert all(r == {**KEY, "n": 1} for r in results)
        assert open_senders(client) == 1  # one per loop, none made per call
        # at most one connection per request in flight (moto closes each after its answer)
        assert len(connections(endpoint) - before) <= 50
    await client.close()
    await client.close()  # closing twice is fine
    assert await client.get_item(fresh, KEY) is not None  # and the client reopens on demand
    await client.close()


def test_the_sync_client_is_shared_safely_between_threads(endpoint: str, fresh: str) -> None:
    client = local_client(endpoint)
    errors: list[BaseException] = []
    seen: list[Any] = []

    def work(n: int) -> None:
        try:
            client.sync_update_item(fresh, KEY, atomic=[__import__("pydynox").Attr("n").add(1)])
            seen.append(client._sync._sender)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len({id(c) for c in seen}) == 1  # one botocore client for every thread
    assert client.sync_get_item(fresh, KEY) == {**KEY, "n": 17}
    client.sync_close()
    client.sync_close()


def test_fastapi_lifespan_and_handlers_share_the_client(endpoint: str, fresh: str) -> None:
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    client = local_client(endpoint)
    before = connections(endpoint)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        await client.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/item")
    async def read() -> Any:
        return await client.get_item(fresh, KEY)

    for _ in range(2):  # two app runs: two event loops, one client
        with TestClient(app) as http:
            assert http.get("/item").json() == {**KEY, "n": 1}
            assert http.get("/item").json() == {**KEY, "n": 1}
    assert connections(endpoint) <= before


@pytest.mark.deviates(
    "dynalite", reason="it keeps one set of tables for every region; DynamoDB's are per region"
)
async def test_settings_come_from_the_aws_environment(
    api: Api, fresh: str, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    env_api = Api(DynamoDBClient(), api.mode)
    try:
        # DynamoDB keeps tables per region: the us-east-1 table is not in eu-west-1
        assert await env_api.table_exists(fresh) is False
    finally:
        await env_api.close()


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", raising=False)
    monkeypatch.delenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", raising=False)
    monkeypatch.delenv("AWS_WEB_IDENTITY_TOKEN_FILE", raising=False)
    # pydynox takes its configuration from the session boto3 would use: boto3's default
    # session, once something made it (tests/conftest.py's boto3.client does), keeps the
    # credentials it found then, for pydynox as for boto3. A process without one:
    import boto3

    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


async def test_missing_credentials_raise_credentials_exception(
    api: Api, endpoint: str, no_credentials: None
) -> None:
    nobody = Api(DynamoDBClient(region="us-east-1", endpoint_url=endpoint), api.mode)
    with pytest.raises(CredentialsException) as caught:
        await nobody.get_item("users", KEY)
    assert "credentials" in caught.value.message
    await nobody.close()


async def test_missing_region_raises_a_clear_error(
    api: Api, endpoint: str, monkeypatch: pytest.MonkeyPatch, no_credentials: None
) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    nowhere = Api(DynamoDBClient(endpoint_url=endpoint, access_key="a", secret_key="b"), api.mode)
    with pytest.raises(CredentialsException, match="region"):
        await nowhere.get_item("users", KEY)
    await nowhere.close()


async def test_unreachable_endpoint_raises_connection_exception(
    api: Api, dead_client: DynamoDBClient
) -> None:
    with pytest.raises(ConnectionException) as caught:
        await Api(dead_client, api.mode).get_item("users", KEY)
    assert caught.value.sent is False  # nothing reached a server: safe to retry
    await dead_client.close()
