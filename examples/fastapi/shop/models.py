"""The shop's table: users and their orders, two entities of one table (single-table design).

Each user's partition holds the user and their orders, so one Query reads a user with their
orders (``user_with_orders``)::

    pk            sk                               entity   attributes
    USER#ada      ORDER#20250101T101500000000Z-... Order    items, total, placed_at
    USER#ada      PROFILE                          User     name, email, nickname, orders

The key attributes ``pk`` and ``sk`` are computed from the fields by each entity's templates
(never sent by API clients, and left out of answers); ``entity`` is the
discriminator that pydynox writes on every put and checks on every read. The models are the
FastAPI response types; request bodies (``NewUser``, ``UserPatch``, ``NewOrder``) hold only
what a client may set, and refuse unknown fields.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, PlainSerializer

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


# The field types a body and the stored model share, so their rules are written once.
# No "#" in an id: it could not make another user's key.
UserId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=100)]
# Money: at most two decimals in, always two decimals out ("3.10", "3.00"), whatever form
# DynamoDB gives the number back in (it keeps 3.1, not 3.10). Stored as a number.
Money = Annotated[
    Decimal,
    Field(ge=0, decimal_places=2, examples=["12.50"]),
    PlainSerializer(lambda total: f"{total:.2f}", return_type=str, when_used="json"),
]


class User(ShopTable):
    """A user as the API answers (and as stored): the server owns ``orders`` and the keys."""

    model_config = DynamoConfig(entity="User", keys={"pk": "USER#{user_id}", "sk": "PROFILE"})

    user_id: UserId
    name: Name
    email: EmailStr
    nickname: str | None = None
    # How many orders the user placed: changed only by placing one, never sent by clients.
    orders: Annotated[int, Field(json_schema_extra={"readOnly": True})] = 0

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
    total: Money
    placed_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))


# A user's partition read by one Query, each item as its own model (typed ``User | Order``).
user_with_orders = Collection(User, Order)


class UserWithOrders(BaseModel):
    """The body of GET /users/{user_id}/with-orders: one page of the user's partition, newest
    first. The user comes on the first page (``null`` on the pages a ``cursor`` asks for)."""

    user: User | None
    orders: list[Order]
    next_cursor: str | None = None


class NewUser(BaseModel):
    """The body of POST /users: what a client may set. The order count and the keys are the
    server's, so they are no inputs; like the patch model, unknown fields are a 422."""

    model_config = ConfigDict(extra="forbid")

    user_id: UserId
    name: Name
    email: EmailStr
    nickname: str | None = None


class NewOrder(BaseModel):
    """The body of POST /users/{user_id}/orders: the server picks id and time."""

    model_config = ConfigDict(extra="forbid")

    items: Annotated[list[str], Field(min_length=1)]
    total: Money


if TYPE_CHECKING:  # type checkers cannot follow a class made at run time
    UserPatch = BaseModel
else:  # the rest, each optional (the id is in the key, the count changes with orders only)
    UserPatch = User.patch_model(exclude={"orders"})
