"""Test doubles and hooks see pydynox's calls as they see boto3's: moto's ``mock_aws``,
botocore's ``Stubber`` and handlers on botocore's events, for the sync and the async API,
for client and model calls.

Every test runs behind a guard that refuses and records each name lookup
(``socket.getaddrinfo``) and connection (``socket.create_connection``) to a host other than
127.0.0.1 / localhost / ::1, and asserts at the end that it recorded nothing. Before the wire
transport took its configuration and its hooks from botocore, it ignored ``mock_aws``: the
first call looked up ``dynamodb.us-east-1.amazonaws.com``, the guard recorded it, and the call
failed with ``ConnectionException: could not connect to DynamoDB at
dynamodb.us-east-1.amazonaws.com:443: gaierror(...)`` (without the guard: a real request to
AWS, signed with moto's fake keys).

The async scenarios run in ``asyncio.run`` (twice in a row: consecutive loops), so they run on
the loop whose name lookups go through ``socket.getaddrinfo``.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from botocore.awsrequest import AWSResponse

from pydynox import (
    DynamoConfig,
    DynamoDBClient,
    Model,
    PartitionKey,
    Put,
    SortKey,
    set_default_client,
)
from pydynox.exceptions import ConnectionException

moto = pytest.importorskip("moto")

LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class Note(Model):
    model_config = DynamoConfig(table="notes")
    owner: Annotated[str, PartitionKey()]
    id: Annotated[str, SortKey()]
    text: str
    stars: int = 0


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """A user's shell with a region and nothing else: no profile, no keys, no proxy."""
    import os

    for name in list(os.environ):
        if name.startswith("AWS_") or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    (tmp_path / "empty").write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "empty"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "empty"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def outside(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The hosts something tried to reach beyond this machine (each attempt refused)."""
    tried: list[str] = []
    real_getaddrinfo = socket.getaddrinfo
    real_create_connection = socket.create_connection

    def name(host: object) -> str:
        return host.decode() if isinstance(host, bytes) else str(host)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if name(host) not in LOOPBACK:
            tried.append(name(host))
            raise socket.gaierror(socket.EAI_NONAME, f"refused by the test: {name(host)}")
        return real_getaddrinfo(host, *args, **kwargs)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> Any:
        if name(address[0]) not in LOOPBACK:
            tried.append(name(address[0]))
            raise ConnectionRefusedError(f"refused by the test: {address[0]}")
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    yield tried


@pytest.fixture
def mocked(aws_env: None, outside: list[str]) -> Iterator[DynamoDBClient]:
    """A client made and used under ``mock_aws``, the default client of the models."""
    with moto.mock_aws():
        client = DynamoDBClient(max_attempts=2)
        set_default_client(client)
        try:
            yield client
        finally:
            set_default_client(None)
            client.sync_close()
    assert outside == []


def test_sync_client_and_model_calls_reach_moto(mocked: DynamoDBClient) -> None:
    client = mocked
    client.sync_create_table("events", partition_key=("id", "S"))
    client.sync_put_item("events", {"id": "1", "kind": "signup", "n": 3})
    client.sync_transact_write([Put("events", {"id": "2", "kind": "login"})])
    assert client.sync_get_item("events", {"id": "1"}) == {"id": "1", "kind": "signup", "n": 3}
    assert client.sync_batch_get("events", [{"id": "1"}, {"id": "2"}]) == [
        {"id": "1", "kind": "signup", "n": 3},
        {"id": "2", "kind": "login"},
    ]

    Note.sync_create_table()
    Note(owner="ada", id="1", text="first").sync_save()
    Note(owner="ada", id="2", text="second", stars=5).sync_save()
    assert Note.sync_get(owner="ada", id="2") == Note(owner="ada", id="2", text="second", stars=5)
    assert [n.id for n in Note.sync_query(partition_key="ada")] == ["1", "2"]
    Note(owner="ada", id="1", text="first").sync_delete()
    assert Note.sync_get(owner="ada", id="1") is None


async def _async_scenario(client: DynamoDBClient, run: int) -> None:
    if run == 0:
        await client.create_table("events", partition_key=("id", "S"))
        await Note.create_table()
    await client.put_item("events", {"id": str(run), "run": run})
    assert await client.get_item("events", {"id": str(run)}) == {"id": str(run), "run": run}
    await Note(owner="bob", id=str(run), text=f"run {run}").save()
    notes = await Note.query(partition_key="bob").all()
    assert [n.text for n in notes] == [f"run {i}" for i in range(run + 1)]
    await client.close()


def test_async_client_and_model_calls_reach_moto(mocked: DynamoDBClient) -> None:
    for run in range(2):  # two loops in a row, as consecutive asyncio.run calls make
        asyncio.run(_async_scenario(mocked, run))
    # What the async calls stored is there for the sync API too: one moto, one account.
    assert mocked.sync_get_item("events", {"id": "1"}) == {"id": "1", "run": 1}


def test_the_wire_transport_is_back_when_the_mock_ends(
    aws_env: None,
    outside: list[str],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDOUTSIDE")  # mock_aws puts these back at exit
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "outside-secret")
    client = DynamoDBClient(max_attempts=1)
    with caplog.at_level(logging.INFO, logger="pydynox"), moto.mock_aws():
        client.sync_create_table("events", partition_key=("id", "S"))
        assert client.sync_get_item("events", {"id": "1"}) is None
    assert [r.getMessage() for r in caplog.records if r.name == "pydynox"] == [
        "DynamoDB calls go through botocore while moto's mock_aws is active"  # once
    ]
    # Outside the mock the same client sends over its wire transport to AWS, as boto3
    # would: the guard refuses it (this also shows the guard sees the wire transport).
    with pytest.raises(ConnectionException):
        client.sync_get_item("events", {"id": "1"})
    assert outside == ["dynamodb.us-east-1.amazonaws.com"]
    client.sync_close()


def test_a_stubber_on_the_botocore_client_answers_sync_and_async_calls(
    aws_env: None, outside: list[str]
) -> None:
    from botocore.stub import Stubber

    from pydynox._transport._aws import config_for

    client = DynamoDBClient(access_key="AKIDSTUB", secret_key="stub-secret-key")
    botocore_client = config_for(client.settings).resolve().client
    expected = {"TableName": "events", "Key": {"id": {"S": "1"}}, "ConsistentRead": False}
    with Stubber(botocore_client) as stubber:
        stubber.add_response("get_item", {"Item": {"id": {"S": "1"}, "n": {"N": "5"}}}, expected)
        stubber.add_response("get_item", {}, expected)
        assert client.sync_get_item("events", {"id": "1"}) == {"id": "1", "n": 5}
        assert asyncio.run(client.get_item("events", {"id": "1"})) is None
        stubber.assert_no_pending_responses()
    assert outside == []
    client.sync_close()


class _Body:
    """The raw body of a canned answer, as botocore reads it."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield self.data


def test_a_handler_on_the_default_session_answers_sync_and_async_calls(
    aws_env: None, outside: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    boto3.setup_default_session(aws_access_key_id="AKIDHOOK", aws_secret_access_key="hook-key")
    assert boto3.DEFAULT_SESSION is not None
    seen: list[tuple[str, str]] = []

    def answer(request: Any, **kwargs: Any) -> AWSResponse:
        seen.append((request.headers["X-Amz-Target"].decode(), request.url))
        return AWSResponse(request.url, 200, {}, _Body(b'{"Item": {"id": {"S": "7"}}}'))

    boto3.DEFAULT_SESSION.events.register("before-send.dynamodb", answer)
    client = DynamoDBClient()
    assert client.sync_get_item("events", {"id": "7"}) == {"id": "7"}
    assert asyncio.run(client.get_item("events", {"id": "7"})) == {"id": "7"}
    url = "https://dynamodb.us-east-1.amazonaws.com/"
    assert seen == [("DynamoDB_20120810.GetItem", url)] * 2
    assert outside == []
    client.sync_close()


def test_an_observing_handler_sees_calls_that_reach_a_real_server(
    aws_env: None, outside: list[str], endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3

    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    boto3.setup_default_session(aws_access_key_id="testing", aws_secret_access_key="testing")
    assert boto3.DEFAULT_SESSION is not None
    ops: list[str] = []
    boto3.DEFAULT_SESSION.events.register(
        "after-call.dynamodb", lambda model, **kwargs: ops.append(model.name)
    )
    client = DynamoDBClient(endpoint_url=endpoint)
    assert client.sync_table_exists("no-such-table") is False
    assert asyncio.run(client.table_exists("no-such-table")) is False
    assert ops == ["DescribeTable", "DescribeTable"]
    assert outside == []
    client.sync_close()
