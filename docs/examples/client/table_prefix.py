"""Table names per environment: one code base, tables "dev-users" and "prod-users"."""

import asyncio
import os
from typing import Annotated

from pydynox import (
    Attr,
    DynamoConfig,
    DynamoDBClient,
    InvalidCursorException,
    Model,
    PartitionKey,
    SortKey,
    set_default_client,
)


class User(Model):
    model_config = DynamoConfig(table="users")  # the logical name: no prefix here
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str


async def main() -> None:
    dev = DynamoDBClient(table_prefix="dev-", cursor_secret="a long random secret, 32 bytes")
    prod = DynamoDBClient(table_prefix="prod-", cursor_secret="a long random secret, 32 bytes")

    # Every table a call names gets the prefix: these make "dev-users" and "prod-users".
    for client in (dev, prod):
        await client.create_table("users", partition_key=("pk", "S"), sort_key=("sk", "S"))
    plain = DynamoDBClient()  # no prefix: it sees the names DynamoDB holds
    assert await plain.table_exists("dev-users") and await plain.table_exists("prod-users")
    assert not await plain.table_exists("users")

    # Items, reads, batches and transactions name "users"; dev's land in "dev-users" only.
    await dev.put_item("users", {"pk": "USER#1", "sk": "PROFILE", "name": "Ada (dev)"})
    await dev.batch_write(
        "users", put_items=[{"pk": "USER#1", "sk": f"ORDER#{n}"} for n in range(3)]
    )
    print("dev:", await dev.get_item("users", {"pk": "USER#1", "sk": "PROFILE"}))
    assert await prod.get_item("users", {"pk": "USER#1", "sk": "PROFILE"}) is None

    # A model names its declared table; its client (here the default one) adds the prefix.
    set_default_client(prod)
    await User(pk="USER#1", sk="PROFILE", name="Ada (prod)").save()
    assert (await plain.get_item("prod-users", {"pk": "USER#1", "sk": "PROFILE"})) is not None

    # A page cursor is bound to the full table name: dev's cursor is refused by prod.
    page = await dev.query("users", Attr("pk") == "USER#1").page(2)
    assert page.next_cursor is not None
    try:
        await prod.query("users", Attr("pk") == "USER#1").page(2, page.next_cursor)
    except InvalidCursorException as error:
        print("refused:", error.message)
    else:
        raise AssertionError("expected InvalidCursorException")

    # PartiQL statements are sent as written: the statement names the real table.
    rows = await dev.execute_statement('SELECT * FROM "dev-users" WHERE pk = ?', ["USER#1"])
    assert len(rows) == 4

    # With no table_prefix= argument, PYDYNOX_TABLE_PREFIX is read when the client is made;
    # the argument wins over it (table_prefix="" turns it off).
    os.environ["PYDYNOX_TABLE_PREFIX"] = "staging-"
    assert DynamoDBClient().table_prefix == "staging-"
    assert DynamoDBClient(table_prefix="").table_prefix == ""
    del os.environ["PYDYNOX_TABLE_PREFIX"]


if __name__ == "__main__":
    asyncio.run(main())
