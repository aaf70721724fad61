"""The sync query and scan: for, all(), first(), last_evaluated_key."""

from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, SortKey


class Order(Model):
    model_config = DynamoConfig(table="query-sync-orders")

    customer: Annotated[str, PartitionKey()]
    order_id: Annotated[str, SortKey()]
    total: int = 0


def main() -> None:
    Order.sync_create_table()
    for n in range(5):
        Order(customer="ada", order_id=f"o{n}", total=n).sync_save()

    for order in Order.sync_query(partition_key="ada", filter_condition=Order.total > 2):
        print("query:", order)

    result = Order.sync_query(partition_key="ada", limit=2)
    first_two = result.all()
    rest = Order.sync_query(partition_key="ada", last_evaluated_key=result.last_evaluated_key).all()
    assert [o.order_id for o in first_two + rest] == ["o0", "o1", "o2", "o3", "o4"]

    assert Order.sync_scan().first() is not None
    print("scan:", len(Order.sync_scan().all()), "items")


if __name__ == "__main__":
    main()
