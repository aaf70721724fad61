"""return_values= on put_item, update_item and delete_item: what a write hands back."""

import asyncio

from pydynox import Attr, DynamoDBClient, ValidationException


async def main() -> None:
    async with DynamoDBClient() as client:
        await client.create_table(
            "client-return-users", partition_key=("pk", "S"), sort_key=("sk", "S")
        )
        key = {"pk": "USER#1", "sk": "PROFILE"}

        # put_item and delete_item return None unless asked for the item they replace.
        await client.put_item("client-return-users", {**key, "name": "Jane", "logins": 1})
        old = await client.put_item(
            "client-return-users", {**key, "name": "Joan", "logins": 1}, return_values="ALL_OLD"
        )
        print("replaced:", old)
        assert old == {**key, "name": "Jane", "logins": 1}

        # update_item returns the new item by default (ALL_NEW) ...
        new = await client.update_item("client-return-users", key, atomic=[Attr("logins").add(1)])
        assert new == {**key, "name": "Joan", "logins": 2}
        # ... or only the attributes it changed, as they were (UPDATED_OLD) or are now
        # (UPDATED_NEW); {} when there are none.
        before = await client.update_item(
            "client-return-users", key, {"name": "Ann", "city": "Oslo"}, return_values="UPDATED_OLD"
        )
        print("changed from:", before)
        assert before == {"name": "Joan"}  # "city" did not exist
        # "NONE" hands back nothing (None), as put_item and delete_item do by default.
        await client.update_item("client-return-users", key, {"n": 1}, return_values="NONE")

        deleted = client.sync_delete_item("client-return-users", key, return_values="ALL_OLD")
        print("deleted:", deleted)
        assert deleted == {**key, "name": "Ann", "city": "Oslo", "logins": 2, "n": 1}
        assert (
            await client.delete_item("client-return-users", key, return_values="ALL_OLD") is None
        )  # gone

        # PutItem and DeleteItem take only NONE and ALL_OLD: anything else is refused
        # before sending.
        try:
            await client.put_item("client-return-users", key, return_values="ALL_NEW")  # type: ignore[call-overload]
        except ValidationException as error:
            print(error)
            assert "it takes one of 'NONE', 'ALL_OLD'" in str(error)


if __name__ == "__main__":
    asyncio.run(main())
