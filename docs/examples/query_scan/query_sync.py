"""Query one partition without asyncio: the same query, with sync_query and for."""

from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, SortKey, path


class Order(Model):
    model_config = DynamoConfig(table="query-sync-orders")

    customer: Annotated[str, PartitionKey()]
    order_id: Annotated[str, SortKey()]
    status: str = "open"
    total: int = 0


def main() -> None:
    Order.sync_create_table()
    for n in range(1, 11):
        status = "shipped" if n % 2 else "open"
        Order(customer="ada", order_id=f"2025-01-{n:02d}", status=status, total=n * 10).sync_save()

    # Every order of one customer, in sort key order.
    everything = Order.sync_query(partition_key="ada").all()
    assert len(everything) == 10

    # The sort key condition is part of the key condition: DynamoDB reads only those items.
    early = Order.sync_query(
        partition_key="ada",
        sort_key_condition=path(Order.order_id).between("2025-01-01", "2025-01-03"),
    )
    print("first three days:", [o.order_id for o in early])

    # A filter is applied after reading; pages that it empties do not stop the iteration.
    shipped = Order.sync_query(
        partition_key="ada",
        filter_condition=(Order.status == "shipped") & (Order.total > 50),
    )
    print("shipped over 50:", [o.total for o in shipped])

    # Newest first, at most three items in total, two per request.
    newest = Order.sync_query(partition_key="ada", scan_index_forward=False, limit=3, page_size=2)
    ids = [o.order_id for o in newest]
    print("newest three:", ids)
    assert ids == ["2025-01-10", "2025-01-09", "2025-01-08"]

    first = Order.sync_query(partition_key="ada").first()  # asks DynamoDB for one item
    assert first is not None and first.order_id == "2025-01-01"
    assert Order.sync_query(partition_key="nobody").first() is None


if __name__ == "__main__":
    main()
