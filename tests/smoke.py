"""A smoke test of an installed pydynox, run as a script: ``python tests/smoke.py``.

One model and one client call, async and sync, on each transport, against a local moto
server; the async side of ``transport="botocore"`` only where aioboto3 is installed (where it
is not, that it says how to install it). It prints the versions it ran with. CI runs it with
the runtime dependencies at their floors and at their newest releases (.ci/run).
"""

from __future__ import annotations

import asyncio
import platform
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

from pydantic import BaseModel

from pydynox import DynamoConfig, DynamoDBClient, Model, PartitionKey, set_default_client
from pydynox.exceptions import ConnectionException
from pydynox.testing import local_client, local_dynamodb

PACKAGES = ("pydantic", "pydantic-core", "boto3", "botocore", "aioboto3", "aiobotocore", "moto")


class Note(Model):
    model_config = DynamoConfig(table="smoke-notes")
    pk: Annotated[str, PartitionKey()]
    text: str
    meta: Meta | None = None  # a forward reference, completed below


class Meta(BaseModel):
    words: int


Note.model_rebuild()


def installed(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "-"


async def async_calls(client: DynamoDBClient, key: str) -> None:
    await client.put_item("smoke-items", {"pk": key, "n": 1})
    assert await client.get_item("smoke-items", {"pk": key}) == {"pk": key, "n": 1}
    await Note(pk=key, text="async", meta=Meta(words=1)).save()
    assert await Note.get(pk=key) == Note(pk=key, text="async", meta=Meta(words=1))


def sync_calls(client: DynamoDBClient, key: str) -> None:
    client.sync_put_item("smoke-items", {"pk": key, "n": 2})
    assert client.sync_get_item("smoke-items", {"pk": key}) == {"pk": key, "n": 2}
    Note(pk=key, text="sync").sync_save()
    assert Note.sync_get(pk=key) == Note(pk=key, text="sync")


def main() -> None:
    print(f"python {platform.python_version()}")
    print(" ".join(f"{package} {installed(package)}" for package in PACKAGES))
    with_aioboto3 = installed("aioboto3") != "-"
    with local_dynamodb() as url:
        for transport in ("wire", "botocore"):
            client = local_client(url, transport=transport)
            set_default_client(client)
            if transport == "wire":
                client.sync_create_table("smoke-items", partition_key=("pk", "S"))
                Note.sync_create_table()
            sync_calls(client, f"{transport}-sync")
            if transport == "wire" or with_aioboto3:
                asyncio.run(async_calls(client, f"{transport}-async"))
                print(f"{transport}: sync and async calls passed")
            else:
                try:
                    asyncio.run(async_calls(client, f"{transport}-async"))
                except ConnectionException as error:
                    assert 'pip install "aioboto3>=' in str(error), error
                    print(f"{transport}: sync calls passed; async says: {error}")
                else:
                    raise AssertionError("the async botocore transport ran without aioboto3")
            client.sync_close()
            set_default_client(None)
    print("smoke test passed")


if __name__ == "__main__":
    main()
