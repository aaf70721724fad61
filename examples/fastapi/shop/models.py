"""The shop's tables, declared once and used as FastAPI request and response types."""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, EmailStr, Field

from pydynox import DynamoConfig, GlobalSecondaryIndex, Model, PartitionKey, SortKey

# Table names per environment: SHOP_USERS_TABLE=prod-users, SHOP_ORDERS_TABLE=prod-orders.
USERS_TABLE = os.environ.get("SHOP_USERS_TABLE", "shop-users")
ORDERS_TABLE = os.environ.get("SHOP_ORDERS_TABLE", "shop-orders")


class User(Model):
    model_config = DynamoConfig(table=USERS_TABLE)

    user_id: Annotated[str, PartitionKey(), Field(min_length=1, max_length=64, pattern=r"^[\w-]+$")]
    name: Annotated[str, Field(min_length=1, max_length=100)]
    email: EmailStr
    nickname: str | None = None
    orders: int = 0  # how many orders the user placed; changed only by placing one

    by_email = GlobalSecondaryIndex("by-email", partition_key="email")


def new_order_id() -> str:
    """Order ids sort by time: UTC timestamp first, then a random suffix."""
    return f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%fZ}-{uuid.uuid4().hex[:8]}"


class Order(Model):
    model_config = DynamoConfig(table=ORDERS_TABLE)

    user_id: Annotated[str, PartitionKey()]
    order_id: Annotated[str, SortKey()] = Field(default_factory=new_order_id)
    items: Annotated[list[str], Field(min_length=1)]
    total: Annotated[Decimal, Field(ge=0, decimal_places=2)]
    placed_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))


class NewOrder(BaseModel):
    """The body of POST /users/{user_id}/orders: the server picks id and time."""

    items: Annotated[list[str], Field(min_length=1)]
    total: Annotated[Decimal, Field(ge=0, decimal_places=2)]


if TYPE_CHECKING:  # type checkers cannot follow a class made at run time
    UserPatch = BaseModel
else:
    UserPatch = User.patch_model(exclude={"orders"})  # the rest, each optional
