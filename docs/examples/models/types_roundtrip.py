"""How Python values are stored: read the same item back as a model, and as boto3 sees it."""

import asyncio
import os
import uuid
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any

import boto3
from pydantic import BaseModel

from pydynox import DynamoConfig, Model, PartitionKey


class Status(str, Enum):
    ACTIVE = "active"
    CLOSED = "closed"


class Address(BaseModel):
    city: str
    zip: str | None = None  # None: left out of the map too, as at the top level


class Thing(Model):
    model_config = DynamoConfig(table="models-things")

    id: Annotated[uuid.UUID, PartitionKey()]
    price: Decimal
    ratio: float
    quantity: int
    active: bool
    blob: bytes
    nick: str | None = None  # None: the attribute is left out
    labels: set[str] = set()
    sizes: set[int] = set()
    scores: list[int | None] = []
    extra: dict[str, Any] = {}
    address: Address | None = None
    created: datetime
    day: date
    status: Status = Status.ACTIVE


async def main() -> None:
    await Thing.create_table()
    thing_id = uuid.UUID("12345678-1234-5678-1234-567812345678")
    thing = Thing(
        id=thing_id,
        price=Decimal("19.90"),
        ratio=0.1,
        quantity=3,
        active=True,
        blob=b"\x00\x01",
        labels={"a", "b"},
        sizes={1, 2},
        scores=[1, None],
        extra={"nested": {"deep": [1, "x"]}, "gone": None},
        address=Address(city="Oslo"),
        created=datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=timezone.utc),
        day=date(2025, 1, 2),
    )
    await thing.save()

    loaded = await Thing.get(id=thing_id)
    assert loaded == thing  # every field round-trips exactly, 0.1 and Decimal included
    print("round trip ok:", loaded.price, loaded.ratio, loaded.created)


def show_stored() -> None:
    """What DynamoDB holds, in its own notation, read with plain boto3."""
    dynamodb = boto3.client("dynamodb", region_name=os.environ.get("AWS_REGION"))
    key = {"id": {"S": "12345678-1234-5678-1234-567812345678"}}
    raw = dynamodb.get_item(TableName="models-things", Key=key)["Item"]
    for name in sorted(raw):
        print(f"{name:8} {raw[name]}")
    assert raw["price"] == {"N": "19.9"}  # normalised
    assert raw["active"] == {"BOOL": True}
    assert raw["created"] == {"S": "2025-01-02T03:04:05.000006+00:00"}
    assert raw["status"] == {"S": "active"}
    assert sorted(raw["labels"]["SS"]) == ["a", "b"]
    assert raw["scores"] == {"L": [{"N": "1"}, {"NULL": True}]}
    assert "nick" not in raw  # None at the top level is omitted
    assert raw["address"] == {"M": {"city": {"S": "Oslo"}}}  # and in a nested model
    assert raw["extra"]["M"]["gone"] == {"NULL": True}  # a plain dict keeps None as NULL


if __name__ == "__main__":
    asyncio.run(main())
    show_stored()
