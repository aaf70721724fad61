"""Entities of one table (issue 14), declared once for the unit and integration tests.

``AppTable`` is the shared base: it names the table and the discriminator attribute
(``entity``) and declares the table keys and an overloaded, sparse index (``gsi1``). ``User``
and ``Order`` are entities: their key attributes are computed from their own fields by the
templates in ``keys``. The table named here is a placeholder: the integration tests bind the
entities to a table of their own (tests/integration/model_tables.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydynox import DynamoConfig, GlobalSecondaryIndex, Model, PartitionKey, SortKey

__all__ = ["AppTable", "Order", "User"]


class AppTable(Model):
    model_config = DynamoConfig(table="app", discriminator="entity")
    pk: Annotated[str, PartitionKey()] = ""
    sk: Annotated[str, SortKey()] = ""
    gsi1pk: str | None = None  # an overloaded index key (sparse)
    gsi1sk: str | None = None
    by_gsi1 = GlobalSecondaryIndex("gsi1", partition_key="gsi1pk", sort_key="gsi1sk")


class User(AppTable):
    model_config = DynamoConfig(
        entity="User",
        keys={"pk": "USER#{user_id}", "sk": "PROFILE", "gsi1pk": "EMAIL#{email}", "gsi1sk": "USER"},
    )
    user_id: str
    name: str
    email: str


class Order(AppTable):
    model_config = DynamoConfig(
        entity="Order", keys={"pk": "USER#{user_id}", "sk": "ORDER#{order_id:>08}"}
    )
    user_id: str
    order_id: int
    total: Decimal
