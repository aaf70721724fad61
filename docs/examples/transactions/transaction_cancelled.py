"""A cancelled transaction changes nothing; reasons says which action failed and why."""

import asyncio

from pydynox import (
    Attr,
    DynamoDBClient,
    Transaction,
    TransactionCanceledException,
    ValidationException,
)


async def main() -> None:
    client = DynamoDBClient()
    await client.create_table("transactions-stock", partition_key=("sku", "S"))
    await client.put_item("transactions-stock", {"sku": "pen", "qty": 5})
    await client.put_item("transactions-stock", {"sku": "ink", "qty": 0})

    try:
        async with Transaction(client) as tx:
            tx.update(
                "transactions-stock",
                {"sku": "pen"},
                atomic=[Attr("qty").add(-1)],
                condition=Attr("qty") > 0,
            )
            tx.update(
                "transactions-stock",
                {"sku": "ink"},
                atomic=[Attr("qty").add(-1)],
                condition=Attr("qty") > 0,
            )
    except TransactionCanceledException as error:
        for action, reason in enumerate(error.reasons):
            print(f"action {action}: {reason.code} {reason.item}")
        assert [r.code for r in error.reasons] == [None, "ConditionalCheckFailed"]
        assert error.reasons[1].item == {"sku": "ink", "qty": 0}  # the stored item
    else:
        raise AssertionError("ink is out of stock")

    pen = await client.get_item("transactions-stock", {"sku": "pen"})
    assert pen is not None and pen["qty"] == 5  # the first action was not applied either

    # Two actions on one item are refused when added, before anything is sent.
    try:
        async with Transaction(client) as tx:
            tx.put("transactions-stock", {"sku": "pen", "qty": 1})
            tx.delete("transactions-stock", {"sku": "pen"})
    except ValidationException as error:
        print("refused:", error)
    else:
        raise AssertionError("one action per item")

    # An exception inside the block: nothing is sent.
    try:
        async with Transaction(client) as tx:
            tx.delete("transactions-stock", {"sku": "pen"})
            raise RuntimeError("changed my mind")
    except RuntimeError:
        pass
    else:
        raise AssertionError("expected RuntimeError")
    assert await client.get_item("transactions-stock", {"sku": "pen"}) is not None


if __name__ == "__main__":
    asyncio.run(main())
