"""Integration fixtures: a real DynamoDB-compatible server over HTTP on 127.0.0.1.

Every scenario runs twice, through the async API and through the ``sync_`` API, via the
``api`` fixture: tests are written once as ``await api.get_item(...)`` and the sync run
calls ``client.sync_get_item(...)`` underneath.

Every test here that uses the ``endpoint`` fixture (directly or through ``client``, ``api``,
``boto``, the table fixtures...) also runs once per local server: moto, and dynalite when it
is installed (see tests/conftest.py for the ``needs`` and ``deviates`` markers).

Every async test here also runs on uvloop (where it is installed: not on Windows), the loop
uvicorn and many servers use: pytest-asyncio's ``pytest_asyncio_loop_factories`` hook gives
each test an ``[asyncio]`` and an ``[uvloop]`` run. A scenario run through the sync API
(the ``api`` fixture or a ``mode`` param is ``"sync"``, as ``Api``'s mode) makes no use of
the loop it runs on, so its uvloop run is deselected.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping

import pytest

from pydynox import DynamoDBClient
from pydynox.testing import local_client

from ..local_servers import server_params
from .api import Api

# The scenarios of these modules also run through the botocore transport (boto3 / aioboto3
# clients), so it stays as correct as the default wire transport.
BOTH_TRANSPORTS = {
    "test_items",
    "test_query_scan",
    "test_batch",
    "test_transactions",
    "test_tables",
    "test_pages",
    "test_model_operations",
}


LOOPS: dict[str, Callable[[], asyncio.AbstractEventLoop]] = {"asyncio": asyncio.new_event_loop}
try:
    import uvloop

    LOOPS["uvloop"] = uvloop.new_event_loop
except ImportError:  # Windows: uvloop does not exist there
    pass


def pytest_asyncio_loop_factories(
    config: pytest.Config, item: pytest.Item
) -> Mapping[str, Callable[[], asyncio.AbstractEventLoop]]:
    return LOOPS


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_uvloop = LOOPS.get("uvloop")
    if on_uvloop is None:
        return
    # pytest-asyncio hands the factory to the test as the param of its loop fixture.
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        sync = "sync" in (params.get("api"), params.get("mode"))
        sync_on_uvloop = sync and any(v is on_uvloop for v in params.values())
        (dropped if sync_on_uvloop else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "endpoint" in metafunc.fixturenames:
        metafunc.parametrize("endpoint", server_params(), indirect=True, scope="session")
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "client_transport" in metafunc.fixturenames and module in BOTH_TRANSPORTS:
        metafunc.parametrize(
            "client_transport", ["wire", "botocore"], indirect=True, scope="session"
        )


@pytest.fixture(scope="session")
def client_transport(request: pytest.FixtureRequest) -> str:
    """The transport of the session client: "wire" unless the module runs on both."""
    return str(getattr(request, "param", "wire"))


@pytest.fixture(scope="session")
def client(endpoint: str, client_transport: str) -> Iterator[DynamoDBClient]:
    """One client for the whole session: its async side meets a new event loop per test."""
    client = local_client(
        endpoint,
        cursor_secret="integration-tests",
        transport=client_transport,  # type: ignore[arg-type]
    )
    yield client
    client.sync_close()


@pytest.fixture
def dead_client() -> DynamoDBClient:
    """A client whose endpoint does not listen: any request that is sent fails to connect,
    so an error other than ConnectionException proves nothing was sent."""
    return local_client(
        "http://127.0.0.1:9", max_attempts=1, connect_timeout=0.5, cursor_secret="integration-tests"
    )


@pytest.fixture(params=["async", "sync"])
def api(request: pytest.FixtureRequest, client: DynamoDBClient) -> Api:
    return Api(client, request.param)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def table(client: DynamoDBClient) -> AsyncIterator[str]:
    """A fresh table with a string partition key ``pk`` and sort key ``sk``."""
    name = unique("t")
    await client.create_table(name, partition_key=("pk", "S"), sort_key=("sk", "S"))
    yield name
    await client.delete_table(name, wait=False)


@pytest.fixture
async def hash_table(client: DynamoDBClient) -> AsyncIterator[str]:
    """A fresh table with only a string partition key ``id``."""
    name = unique("h")
    await client.create_table(name, partition_key=("id", "S"))
    yield name
    await client.delete_table(name, wait=False)


@pytest.fixture
def default_client(client: DynamoDBClient) -> Iterator[DynamoDBClient]:
    """The session client set as the default client (what models use when their config names
    no client), reset afterwards."""
    from pydynox import set_default_client

    set_default_client(client)
    yield client
    set_default_client(None)
