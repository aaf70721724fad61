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
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Any

import pytest

from pydynox import DynamoDBClient
from pydynox.testing import local_client

from ..local_servers import server_params
from .api import Api
from .model_tables import Tables, record_requests
from .tables import TablePool, create_table

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
    # A module marked ``both_transports`` also runs through the botocore transport (boto3 /
    # aioboto3 clients), so it stays as correct as the default wire transport.
    both = metafunc.definition.get_closest_marker("both_transports") is not None
    if "client_transport" in metafunc.fixturenames and both:
        metafunc.parametrize(
            "client_transport", ["wire", "botocore"], indirect=True, scope="session"
        )


@pytest.fixture(scope="session")
def client_transport(request: pytest.FixtureRequest) -> str:
    """The transport of the session client: "wire" unless the test is marked
    ``both_transports``."""
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


@pytest.fixture(scope="session")
def table_pool(boto: Any) -> Iterator[TablePool]:
    """The empty tables of this server, lent to one test at a time (see tables.py)."""
    pool = TablePool(boto)
    yield pool
    pool.close()


@pytest.fixture
def table(table_pool: TablePool) -> Iterator[str]:
    """An empty table of its own with a string partition key ``pk`` and sort key ``sk``."""
    keys = (("pk", "S"), ("sk", "S"))
    with table_pool.lend(keys, lambda name: create_table(table_pool.boto, name, *keys)) as name:
        yield name


@pytest.fixture
def hash_table(table_pool: TablePool) -> Iterator[str]:
    """An empty table of its own with only a string partition key ``id``."""
    keys = (("id", "S"),)
    with table_pool.lend(keys, lambda name: create_table(table_pool.boto, name, *keys)) as name:
        yield name


@pytest.fixture
async def tables(
    default_client: DynamoDBClient, server: str, table_pool: TablePool
) -> AsyncIterator[Tables]:
    """Binds models to empty tables of their own (model_tables.py), on the default client."""
    made = Tables(default_client, server, table_pool)
    yield made
    await made.drop()


@pytest.fixture
def sent(client: DynamoDBClient, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The operation names sent on the session client, in order."""
    return record_requests(client, monkeypatch)


@pytest.fixture
def default_client(client: DynamoDBClient) -> Iterator[DynamoDBClient]:
    """The session client set as the default client (what models use when their config names
    no client), reset afterwards."""
    from pydynox import set_default_client

    set_default_client(client)
    yield client
    set_default_client(None)
