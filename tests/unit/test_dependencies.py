"""What pydynox needs installed and where it runs: aioboto3 only for ``transport="botocore"``
on the async side, asyncio (not trio) for the async API, a missing profile reported as a
pydynox error, and model declarations that hold on every supported pydantic.

A local listening socket that never answers stands in for DynamoDB: it records whether a
connection was attempted, so "refused before sending" is checked, not assumed.
"""

from __future__ import annotations

import asyncio
import functools
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import pytest
from botocore.exceptions import ProfileNotFound
from pydantic import BaseModel

from pydynox import DynamoConfig, DynamoDBClient, Model, PartitionKey, before_save
from pydynox.exceptions import ConnectionException, CredentialsException
from pydynox.testing import local_client


class Listener:
    """A TCP socket on 127.0.0.1 that accepts nothing by itself and never answers."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.setblocking(False)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def connections(self) -> int:
        """How many connections were made since the last look."""
        count = 0
        while True:
            try:
                connection, _ = self.socket.accept()
            except BlockingIOError:
                return count
            connection.close()
            count += 1


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.socket.close()


def quick_client(url: str, **settings: object) -> DynamoDBClient:
    # A request that is sent gets no answer: it fails after read_timeout, not retried.
    return local_client(url, max_attempts=1, read_timeout=0.3, connect_timeout=1, **settings)


@pytest.fixture
def without_aioboto3(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the aioboto3 extra were not installed (a None entry makes an import fail)."""
    for name in ("aioboto3", "aiobotocore", "aiobotocore.session", "aiobotocore.config"):
        monkeypatch.setitem(sys.modules, name, None)


# --------------------------------------------------------------------------- aioboto3 extra


def test_the_async_botocore_transport_without_aioboto3_says_how_to_install_it(
    listener: Listener, without_aioboto3: None
) -> None:
    client = quick_client(listener.url, transport="botocore")
    with pytest.raises(
        ConnectionException, match=r'"aioboto3" extra\): pip install "aioboto3>='
    ) as caught:
        asyncio.run(client.get_item("things", {"pk": "a"}))
    assert not caught.value.sent and caught.value.permanent  # never retried
    assert isinstance(caught.value.__cause__, ImportError)
    assert listener.connections() == 0  # refused before anything was sent
    client.sync_close()


def test_only_the_async_botocore_transport_needs_aioboto3(
    listener: Listener, without_aioboto3: None
) -> None:
    botocore = quick_client(listener.url, transport="botocore")
    wire = quick_client(listener.url)
    # Each of these is sent (and times out: nobody answers), so none needs aioboto3.
    with pytest.raises(ConnectionException, match="Read timeout"):
        botocore.sync_get_item("things", {"pk": "a"})
    assert listener.connections() == 1
    with pytest.raises(ConnectionException, match="did not answer in time"):
        asyncio.run(wire.get_item("things", {"pk": "a"}))
    assert listener.connections() == 1
    botocore.sync_close()
    wire.sync_close()


# --------------------------------------------------------------------------- missing profile


@pytest.mark.parametrize("transport", ["wire", "botocore"])
@pytest.mark.parametrize("mode", ["async", "sync"])
def test_a_missing_profile_is_a_credentials_error_with_its_cause(
    transport: str,
    mode: str,
    listener: Listener,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    empty = tmp_path / "config"
    empty.write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(empty))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    client = DynamoDBClient(
        profile="nowhere",
        region="us-east-1",
        endpoint_url=listener.url,
        transport=transport,  # type: ignore[arg-type]
        max_attempts=1,
    )
    with pytest.raises(CredentialsException, match="nowhere") as caught:
        if mode == "async":
            asyncio.run(client.get_item("things", {"pk": "a"}))
        else:
            client.sync_get_item("things", {"pk": "a"})
    assert isinstance(caught.value.__cause__, ProfileNotFound)
    assert listener.connections() == 0


# --------------------------------------------------------------------------- trio


def test_the_async_api_under_trio_says_that_trio_is_not_supported(listener: Listener) -> None:
    trio = pytest.importorskip("trio")
    client = quick_client(listener.url)

    class Note(Model):
        model_config = DynamoConfig(table="notes", client=client)
        pk: Annotated[str, PartitionKey()]

    for call in (
        functools.partial(client.get_item, "notes", {"pk": "a"}),
        functools.partial(Note.get, pk="a"),
        Note(pk="a").save,
    ):
        with pytest.raises(ConnectionException, match="trio is not supported") as caught:
            trio.run(call)
        assert not caught.value.sent and caught.value.permanent
        assert isinstance(caught.value.__cause__, RuntimeError)
    assert listener.connections() == 0


def test_a_coroutine_driven_outside_any_event_loop_gets_the_same_error(
    listener: Listener,
) -> None:
    client = quick_client(listener.url)
    call = client.get_item("notes", {"pk": "a"})
    with pytest.raises(ConnectionException, match="asyncio event loop"):
        call.send(None)
    call.close()
    assert listener.connections() == 0


# --------------------------------------------------------------------------- pydantic


def test_a_model_with_a_forward_reference_and_a_hook_is_declared() -> None:
    # pydantic 2.11 to 2.13 set attributes on such a class while pydynox read them.
    class Shelf(Model):
        model_config = DynamoConfig(table="shelves")
        pk: Annotated[str, PartitionKey()]
        book: Book | None = None

        @before_save
        def tidy(self) -> None:
            pass

    class Book(BaseModel):
        title: str

    Shelf.model_rebuild()
    assert Shelf.__dynamo__.hooks["before_save"] == [Shelf.tidy]
    assert Shelf(pk="a", book={"title": "Ulysses"}).book == Book(title="Ulysses")  # type: ignore[arg-type]
