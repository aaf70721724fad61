# mypy: ignore-errors
# (Runs only in the peers' virtual environment, .bench/peers: its packages are not installed
# where mypy runs, and there ``pydynox`` is the PyPI library, not this project.)
"""The worker for the peers: ``.bench/peers/bin/python -I benchmarks/worker_peers.py --list``.

Run isolated (``-I``: no PYTHONPATH, no script directory, no user site) from a directory
outside the repository, so ``import pydynox`` is the PyPI library with the Rust core.
``_common.py`` is loaded by its path. Every library import happens inside the ``make_*``
functions, so a cold start counts it.
"""

from __future__ import annotations

import time

_STARTED = time.perf_counter()

import importlib.util  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402
from typing import Any  # noqa: E402


def _load_common() -> Any:
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_common.py")
    spec = importlib.util.spec_from_file_location("bench_common", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_common"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


common = _load_common()
TABLE, PK, SK, KEY, ITEM = common.TABLE, common.PK, common.SK, common.KEY, common.ITEM
BATCH_KEYS, UPDATED_AGE = common.BATCH_KEYS, common.UPDATED_AGE
KEY_AV = common.item_av(KEY)
ITEM_AV = common.item_av(ITEM)
BATCH_KEYS_AV = [common.item_av(key) for key in BATCH_KEYS]
BATCH_TUPLES = [(key["pk"], key["sk"]) for key in BATCH_KEYS]
SETTINGS = {"region": "us-east-1", "access_key": "testing", "secret_key": "testing"}
RUST = "pydynox 1.8 (PyPI, Rust core)"


# -- boto3 and aioboto3: the low-level clients, raw typed attribute values -----------------


def _boto_kwargs(endpoint: str) -> dict[str, Any]:
    return {
        "region_name": "us-east-1",
        "endpoint_url": endpoint,
        "aws_access_key_id": "testing",
        "aws_secret_access_key": "testing",
    }


UPDATE_AV = {
    "UpdateExpression": "SET #age = :age",
    "ExpressionAttributeNames": {"#age": "age"},
    "ExpressionAttributeValues": {":age": {"N": str(UPDATED_AGE)}},
    "ReturnValues": "ALL_NEW",
}
QUERY_AV = {
    "KeyConditionExpression": "#pk = :pk",
    "ExpressionAttributeNames": {"#pk": "pk"},
    "ExpressionAttributeValues": {":pk": {"S": PK}},
}


def make_boto3(endpoint: str):
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "dynamodb", config=Config(max_pool_connections=64), **_boto_kwargs(endpoint)
    )
    return common.SyncClient(
        {
            "get": lambda: client.get_item(TableName=TABLE, Key=KEY_AV).get("Item"),
            "put": lambda: client.put_item(TableName=TABLE, Item=ITEM_AV),
            "update": lambda: client.update_item(TableName=TABLE, Key=KEY_AV, **UPDATE_AV)[
                "Attributes"
            ],
            "query": lambda: client.query(TableName=TABLE, **QUERY_AV)["Items"],
            "batch_get": lambda: client.batch_get_item(
                RequestItems={TABLE: {"Keys": BATCH_KEYS_AV}}
            )["Responses"][TABLE],
        }
    )


async def make_aioboto3(endpoint: str):
    import aioboto3
    from aiobotocore.config import AioConfig

    opened = aioboto3.Session().client(
        "dynamodb", config=AioConfig(max_pool_connections=64), **_boto_kwargs(endpoint)
    )
    client = await opened.__aenter__()

    async def get():
        return (await client.get_item(TableName=TABLE, Key=KEY_AV)).get("Item")

    async def put():
        return await client.put_item(TableName=TABLE, Item=ITEM_AV)

    async def update():
        return (await client.update_item(TableName=TABLE, Key=KEY_AV, **UPDATE_AV))["Attributes"]

    async def query():
        return (await client.query(TableName=TABLE, **QUERY_AV))["Items"]

    async def batch_get():
        response = await client.batch_get_item(RequestItems={TABLE: {"Keys": BATCH_KEYS_AV}})
        return response["Responses"][TABLE]

    async def close():
        await opened.__aexit__(None, None, None)

    return common.AsyncClient(
        {"get": get, "put": put, "update": update, "query": query, "batch_get": batch_get},
        close=close,
    )


# -- PynamoDB --------------------------------------------------------------------------------


def make_pynamodb(endpoint: str):
    from pynamodb.attributes import (
        BooleanAttribute,
        ListAttribute,
        MapAttribute,
        NumberAttribute,
        UnicodeAttribute,
    )
    from pynamodb.models import Model

    class BenchUser(Model):
        class Meta:
            table_name = TABLE
            region = "us-east-1"
            host = endpoint
            aws_access_key_id = "testing"
            aws_secret_access_key = "testing"
            max_pool_connections = 64

        pk = UnicodeAttribute(hash_key=True)
        sk = UnicodeAttribute(range_key=True)
        name = UnicodeAttribute()
        email = UnicodeAttribute()
        age = NumberAttribute()
        score = NumberAttribute()
        active = BooleanAttribute()
        tags = ListAttribute(of=UnicodeAttribute)
        address = MapAttribute()
        created_at = UnicodeAttribute()

    user = BenchUser(**ITEM)
    return common.SyncClient(
        {
            "get": lambda: BenchUser.get(PK, SK),
            "put": user.save,
            "update": lambda: user.update(actions=[BenchUser.age.set(UPDATED_AGE)]),
            "query": lambda: list(BenchUser.query(PK)),
            "batch_get": lambda: list(BenchUser.batch_get(BATCH_TUPLES)),
        }
    )


# -- dyntastic -------------------------------------------------------------------------------


def make_dyntastic(endpoint: str):
    from decimal import Decimal

    from dyntastic import A, Dyntastic

    class BenchUser(Dyntastic):
        __table_name__ = TABLE
        __table_region__ = "us-east-1"
        __table_host__ = endpoint
        __hash_key__ = "pk"
        __range_key__ = "sk"

        pk: str
        sk: str
        name: str
        email: str
        age: int
        score: Decimal  # dyntastic (boto3's resource layer) refuses to save a float
        active: bool
        tags: list[str]
        address: dict[str, str]
        created_at: str

    user = BenchUser(**ITEM)
    return common.SyncClient(
        {
            "get": lambda: BenchUser.get(PK, SK),
            "put": user.save,
            # dyntastic's default refresh=True reads the item back: UpdateItem + GetItem.
            "update": lambda: user.update(A.age.set(UPDATED_AGE)),
            "query": lambda: list(BenchUser.query(PK)),
            "batch_get": lambda: BenchUser.batch_get(BATCH_TUPLES),
        }
    )


# -- pydynox 1.8 from PyPI (Rust core) ---------------------------------------------------------


def _rust_client(endpoint: str):
    from pydynox import DynamoDBClient

    return DynamoDBClient(endpoint_url=endpoint, **SETTINGS)


def _rust_model(client):
    from pydynox.attributes import (
        BooleanAttribute,
        ListAttribute,
        MapAttribute,
        NumberAttribute,
        StringAttribute,
    )

    from pydynox import Model, ModelConfig

    class BenchUser(Model):
        model_config = ModelConfig(table=TABLE, client=client)

        pk = StringAttribute(partition_key=True)
        sk = StringAttribute(sort_key=True)
        name = StringAttribute()
        email = StringAttribute()
        age = NumberAttribute()
        score = NumberAttribute()
        active = BooleanAttribute()
        tags = ListAttribute()
        address = MapAttribute()
        created_at = StringAttribute()

    return BenchUser


def make_rust_model_sync(endpoint: str):
    model = _rust_model(_rust_client(endpoint))
    user = model(**ITEM)
    return common.SyncClient(
        {
            "get": lambda: model.sync_get(pk=PK, sk=SK),
            "put": user.sync_save,
            "update": lambda: user.sync_update(age=UPDATED_AGE),
            "query": lambda: list(model.sync_query(partition_key=PK)),
            "batch_get": lambda: model.sync_batch_get(BATCH_KEYS),
        }
    )


async def make_rust_model_async(endpoint: str):
    model = _rust_model(_rust_client(endpoint))
    user = model(**ITEM)

    async def query():
        return [item async for item in model.query(partition_key=PK)]

    return common.AsyncClient(
        {
            "get": lambda: model.get(pk=PK, sk=SK),
            "put": user.save,
            "update": lambda: user.update(age=UPDATED_AGE),
            "query": query,
            "batch_get": lambda: model.batch_get(BATCH_KEYS),
        }
    )


QUERY_PLAIN = {
    "expression_attribute_names": {"#pk": "pk"},
    "expression_attribute_values": {":pk": PK},
}


def make_rust_client_sync(endpoint: str):
    client = _rust_client(endpoint)
    return common.SyncClient(
        {
            "get": lambda: client.sync_get_item(TABLE, KEY),
            "put": lambda: client.sync_put_item(TABLE, ITEM),
            "update": lambda: client.sync_update_item(
                TABLE, KEY, updates={"age": UPDATED_AGE}, return_values="ALL_NEW"
            ),
            "query": lambda: list(client.sync_query(TABLE, "#pk = :pk", **QUERY_PLAIN)),
            "batch_get": lambda: client.sync_batch_get(TABLE, BATCH_KEYS),
        }
    )


async def make_rust_client_async(endpoint: str):
    client = _rust_client(endpoint)
    return common.AsyncClient(
        {
            "get": lambda: client.get_item(TABLE, KEY),
            "put": lambda: client.put_item(TABLE, ITEM),
            "update": lambda: client.update_item(
                TABLE, KEY, updates={"age": UPDATED_AGE}, return_values="ALL_NEW"
            ),
            "query": lambda: client.query(TABLE, "#pk = :pk", **QUERY_PLAIN).to_list(),
            "batch_get": lambda: client.batch_get(TABLE, BATCH_KEYS),
        }
    )


# -- availability and versions ---------------------------------------------------------------


def _importable(*names: str):
    def probe():
        import importlib

        for name in names:
            importlib.import_module(name)
        return None

    return probe


def _rust_pydynox():
    import pydynox

    version = getattr(pydynox, "__version__", "?")
    if not hasattr(pydynox, "pydynox_core") or not str(version).startswith("1.8"):
        where = os.path.dirname(pydynox.__file__)
        return f"import pydynox found version {version} at {where}, not the PyPI 1.8 library"
    return None


SPECS = [
    common.Spec(
        "boto3",
        "boto3 low-level client (raw)",
        "sync",
        make_sync=make_boto3,
        probe=_importable("boto3"),
        note="raw: returns DynamoDB's typed attribute values, no conversion",
    ),
    common.Spec(
        "aioboto3",
        "aioboto3 low-level client (raw)",
        "async",
        make_async=make_aioboto3,
        probe=_importable("aioboto3"),
        note="raw: returns DynamoDB's typed attribute values, no conversion",
    ),
    common.Spec(
        "pynamodb", "PynamoDB model", "sync", make_sync=make_pynamodb, probe=_importable("pynamodb")
    ),
    common.Spec(
        "dyntastic",
        "dyntastic model",
        "sync",
        make_sync=make_dyntastic,
        probe=_importable("dyntastic"),
        note="update = UpdateItem + GetItem (dyntastic reads the item back); "
        "score is a Decimal field (dyntastic cannot save floats)",
    ),
    common.Spec(
        "rust-model-async",
        f"{RUST} model",
        "async",
        make_async=make_rust_model_async,
        probe=_rust_pydynox,
    ),
    common.Spec(
        "rust-model-sync",
        f"{RUST} model",
        "sync",
        make_sync=make_rust_model_sync,
        probe=_rust_pydynox,
    ),
    common.Spec(
        "rust-client-async",
        f"{RUST} client",
        "async",
        make_async=make_rust_client_async,
        probe=_rust_pydynox,
    ),
    common.Spec(
        "rust-client-sync",
        f"{RUST} client",
        "sync",
        make_sync=make_rust_client_sync,
        probe=_rust_pydynox,
    ),
]


def versions():
    from importlib import metadata

    found = {}
    for name in (
        "boto3",
        "botocore",
        "aioboto3",
        "aiobotocore",
        "aiohttp",
        "pynamodb",
        "dyntastic",
        "pydynox",
        "pydantic",
    ):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


if __name__ == "__main__":
    raise SystemExit(common.worker_main(SPECS, versions, _STARTED))
