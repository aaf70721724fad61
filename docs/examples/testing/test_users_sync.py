"""Sync tests against a local DynamoDB: the same fixture, the ``sync_`` API."""

from collections.abc import Iterator
from typing import Annotated

import pytest

from pydynox import DynamoConfig, DynamoDBClient, Model, PartitionKey, SortKey


class Order(Model):
    model_config = DynamoConfig(table="orders")
    customer: Annotated[str, PartitionKey()]
    order_id: Annotated[str, SortKey()]
    total: int = 0


@pytest.fixture
def orders(dynamodb_client: DynamoDBClient) -> Iterator[type[Order]]:
    Order.sync_create_table()
    yield Order
    Order.sync_delete_table()


def test_query_orders_of_a_customer(orders: type[Order]) -> None:
    for n in range(3):
        Order(customer="ada", order_id=f"ORDER#{n}", total=10 * n).sync_save()
    Order(customer="bob", order_id="ORDER#9").sync_save()

    ids = [o.order_id for o in Order.sync_query(partition_key="ada")]

    assert ids == ["ORDER#0", "ORDER#1", "ORDER#2"]
    assert Order.sync_count(partition_key="ada") == 3


def test_each_test_starts_with_an_empty_table(orders: type[Order]) -> None:
    assert Order.sync_scan().all() == []
