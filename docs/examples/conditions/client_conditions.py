"""Conditions and atomic updates with the client: paths built with Attr."""

import asyncio

from pydynox import Attr, ConditionalCheckFailedException, DynamoDBClient


async def main() -> None:
    async with DynamoDBClient() as client:
        await client.create_table("conditions-stock", partition_key=("sku", "S"))
        key = {"sku": "BOOK-1"}

        await client.put_item(
            "conditions-stock",
            {**key, "qty": 2, "meta": {"shelf": "A1"}},
            condition=Attr("sku").not_exists(),
        )

        # Decrement only while there is stock left; the new item comes back.
        new = await client.update_item(
            "conditions-stock",
            key,
            atomic=[Attr("qty").add(-1), Attr("meta.shelf").set("B2"), Attr("sold").add(1)],
            condition=Attr("qty") > 0,
        )
        print("after one sale:", new)
        assert new == {"sku": "BOOK-1", "qty": 1, "meta": {"shelf": "B2"}, "sold": 1}

        await client.update_item(
            "conditions-stock", key, atomic=[Attr("qty").add(-1)], condition=Attr("qty") > 0
        )
        try:
            await client.update_item(
                "conditions-stock", key, atomic=[Attr("qty").add(-1)], condition=Attr("qty") > 0
            )
        except ConditionalCheckFailedException as error:
            print("sold out; stored item:", error.item)
            assert error.item is not None and error.item["qty"] == 0
        else:
            raise AssertionError("expected ConditionalCheckFailedException")

        # updates= sets top-level attributes; None removes one.
        item = await client.update_item(
            "conditions-stock", key, updates={"sold": None, "note": "restock"}
        )
        assert item == {"sku": "BOOK-1", "qty": 0, "meta": {"shelf": "B2"}, "note": "restock"}

        # Names with dots or brackets: Attr.of takes literal segments.
        await client.update_item("conditions-stock", key, atomic=[Attr.of("odd.name").set(1)])
        stored = await client.get_item("conditions-stock", key)
        assert stored is not None and stored["odd.name"] == 1


if __name__ == "__main__":
    asyncio.run(main())
