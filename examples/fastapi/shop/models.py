"""The shop's table: users and their orders, two entities of one table (single-table design).

Each user's partition holds the user and their orders, so one Query reads a user with their
orders (``user_with_orders``)::

    pk            sk                               entity   attributes
    USER#ada      ORDER#20250101T101500000000Z-... Order    items, total, placed_at
    USER#ada      PROFILE                          User     name, email, nickname, orders

The key attributes ``pk`` and ``sk`` are computed from the fields by each entity's templates
(never sent by API clients: read-only in the OpenAPI document); ``entity`` is the
discriminator that pydynox writes on every put and checks on every read. The models are also
the FastAPI request and response types.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, EmailStr, Field

from pydynox import (
    Collection,
    DynamoConfig,
    GlobalSecondaryIndex,
    Model,
    PartitionKey,
    SortKey,
)

# The table name per environment: SHOP_TABLE=prod-shop (or PYDYNOX_TABLE_PREFIX=prod-, which
# the client puts before every table name).
TABLE = os.environ.get("SHOP_TABLE", "shop")


class ShopTable(Model):
    """The table: its keys and the attribute naming each item's entity."""

    model_config = DynamoConfig(table=TABLE, discriminator="entity")

    pk: Annotated[str, PartitionKey()] = ""  # computed by each entity's key templates
    sk: Annotated[str, SortKey()] = ""


class User(ShopTable):
    model_config = DynamoConfig(entity="User", keys={"pk": "USER#{user_id}", "sk": "PROFILE"})

    # No "#" in an id: it could not make another user's key.
    user_id: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w-]+$")]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    email: EmailStr
    nickname: str | None = None
    orders: int = 0  # how many orders the user placed; changed only by placing one

    # A sparse index: only users have an ``email`` attribute, so only users are in it. The
    # table is created from User (``User.create_table()``), which declares it.
    by_email = GlobalSecondaryIndex("by-email", partition_key="email")


def new_order_id() -> str:
    """Order ids sort by time: UTC timestamp first, then a random suffix."""
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"


class Order(ShopTable):
    model_config = DynamoConfig(
        entity="Order", keys={"pk": "USER#{user_id}", "sk": "ORDER#{order_id}"}
    )

    user_id: str
    order_id: str = Field(default_factory=new_order_id)
    items: Annotated[list[str], Field(min_length=1)]
    total: Annotated[Decimal, Field(ge=0, decimal_places=2)]
    placed_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))


# A user's partition read by one Query, each item as its own model (typed ``User | Order``).
user_with_orders = Collection(User, Order)


class UserWithOrders(BaseModel):
    """The body of GET /users/{user_id}/with-orders: one page of the user's partition, newest
    first. The user comes on the first page (``null`` on the pages a ``cursor`` asks for)."""

    user: User | None
    orders: list[Order]
    next_cursor: str | None = None


class NewOrder(BaseModel):
    """The body of POST /users/{user_id}/orders: the server picks id and time."""

    items: Annotated[list[str], Field(min_length=1)]
    total: Annotated[Decimal, Field(ge=0, decimal_places=2)]


if TYPE_CHECKING:  # type checkers cannot follow a class made at run time
    UserPatch = BaseModel
else:  # the rest, each optional (the id is in the key, the count changes with orders only)
    UserPatch = User.patch_model(exclude={"orders"})
