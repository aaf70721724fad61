"""The worker for this project's clients: ``python -m benchmarks.worker_ours --list``.

Runs with the current interpreter from the repository root, so ``import pydynox`` is this
project. Each client is configured explicitly (endpoint, region, dummy keys); every import of
pydynox happens inside the ``make_*`` functions, so a cold start counts it.
"""

# No ``from __future__ import annotations``: the model below is declared inside a function,
# where string annotations could not be resolved to PartitionKey() and SortKey().
import time

_STARTED = time.perf_counter()

from collections.abc import Awaitable, Callable  # noqa: E402
from typing import TYPE_CHECKING, Annotated, Any  # noqa: E402

from benchmarks._common import (  # noqa: E402
    BATCH_KEYS,
    ITEM,
    KEY,
    PK,
    SK,
    TABLE,
    UPDATED_AGE,
    AsyncClient,
    Spec,
    SyncClient,
    worker_main,
)

if TYPE_CHECKING:
    from pydynox import DynamoDBClient, Model


def _client(endpoint: str, transport: str | None = None) -> "DynamoDBClient":
    from pydynox import DynamoDBClient

    extra: dict[str, Any] = {} if transport is None else {"transport": transport}
    return DynamoDBClient(
        region="us-east-1",
        endpoint_url=endpoint,
        access_key="testing",
        secret_key="testing",
        **extra,
    )


def _model(client: "DynamoDBClient") -> "type[Model]":
    from pydynox import DynamoConfig, Model, PartitionKey, SortKey

    class BenchUser(Model):
        model_config = DynamoConfig(table=TABLE, client=client)

        pk: Annotated[str, PartitionKey()]
        sk: Annotated[str, SortKey()]
        name: str
        email: str
        age: int
        score: float
        active: bool
        tags: list[str]
        address: dict[str, str]
        created_at: str

    return BenchUser


def make_model_sync(endpoint: str) -> SyncClient:
    user_model = _model(_client(endpoint))
    user = user_model(**ITEM)
    return SyncClient(
        {
            "get": lambda: user_model.sync_get(pk=PK, sk=SK),
            "put": user.sync_save,
            "update": lambda: user.sync_update(age=UPDATED_AGE),
            "query": lambda: user_model.sync_query(partition_key=PK).all(),
            "batch_get": lambda: user_model.sync_batch_get(BATCH_KEYS),
        }
    )


async def make_model_async(endpoint: str) -> AsyncClient:
    client = _client(endpoint)
    user_model = _model(client)
    user = user_model(**ITEM)
    return AsyncClient(
        {
            "get": lambda: user_model.get(pk=PK, sk=SK),
            "put": user.save,
            "update": lambda: user.update(age=UPDATED_AGE),
            "query": lambda: user_model.query(partition_key=PK).all(),
            "batch_get": lambda: user_model.batch_get(BATCH_KEYS),
        },
        close=client.close,
    )


def _make_client_sync(transport: str | None) -> Callable[[str], SyncClient]:
    def make(endpoint: str) -> SyncClient:
        from pydynox import Attr

        client = _client(endpoint, transport)
        return SyncClient(
            {
                "get": lambda: client.sync_get_item(TABLE, KEY),
                "put": lambda: client.sync_put_item(TABLE, ITEM),
                "update": lambda: client.sync_update_item(TABLE, KEY, updates={"age": UPDATED_AGE}),
                "query": lambda: client.sync_query(TABLE, Attr("pk") == PK).all(),
                "batch_get": lambda: client.sync_batch_get(TABLE, BATCH_KEYS),
            }
        )

    return make


def _make_client_async(transport: str | None) -> Callable[[str], Awaitable[AsyncClient]]:
    async def make(endpoint: str) -> AsyncClient:
        from pydynox import Attr

        client = _client(endpoint, transport)
        return AsyncClient(
            {
                "get": lambda: client.get_item(TABLE, KEY),
                "put": lambda: client.put_item(TABLE, ITEM),
                "update": lambda: client.update_item(TABLE, KEY, updates={"age": UPDATED_AGE}),
                "query": lambda: client.query(TABLE, Attr("pk") == PK).all(),
                "batch_get": lambda: client.batch_get(TABLE, BATCH_KEYS),
            },
            close=client.close,
        )

    return make


def _transport_keyword() -> str | None:
    """None when DynamoDBClient takes ``transport=``; otherwise why the rows are left out."""
    import inspect

    from pydynox import DynamoDBClient

    if "transport" in inspect.signature(DynamoDBClient).parameters:
        return None
    return "DynamoDBClient has no transport= keyword"


def default_transport() -> str:
    import inspect

    from pydynox import DynamoDBClient

    parameter = inspect.signature(DynamoDBClient).parameters.get("transport")
    return "botocore (no transport= keyword)" if parameter is None else str(parameter.default)


LABEL = "pydynox (this repo)"
SPECS: list[Spec] = [
    Spec("ours-model-async", f"{LABEL} model", "async", make_async=make_model_async),
    Spec("ours-model-sync", f"{LABEL} model", "sync", make_sync=make_model_sync),
    Spec(
        "ours-client-async",
        f"{LABEL} client",
        "async",
        make_async=_make_client_async(None),
    ),
    Spec("ours-client-sync", f"{LABEL} client", "sync", make_sync=_make_client_sync(None)),
    Spec(
        "ours-client-async-botocore",
        f"{LABEL} client, transport=botocore",
        "async",
        make_async=_make_client_async("botocore"),
        probe=_transport_keyword,
        optional=True,
    ),
    Spec(
        "ours-client-sync-botocore",
        f"{LABEL} client, transport=botocore",
        "sync",
        make_sync=_make_client_sync("botocore"),
        probe=_transport_keyword,
        optional=True,
    ),
]


def versions() -> dict[str, str]:
    from importlib import metadata

    import pydynox

    found = {"pydynox (this repo)": pydynox.__version__, "default transport": default_transport()}
    for name in ("boto3", "botocore", "aioboto3", "aiobotocore", "aiohttp", "pydantic"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


if __name__ == "__main__":
    raise SystemExit(worker_main(SPECS, versions, _STARTED))
