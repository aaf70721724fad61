"""The shape a model is stored in: a None field is left out at every depth, not only at the top.

boto3 users store a nested model without its unset optional attributes, and
``attribute_not_exists(address.zip)`` holds for them; pydynox stores the same shape through
every path that writes a model: ``save``, the batch writer, a transaction's put, ``update``
with a nested model value and ``Model.field.set(NestedModel(...))``. A None field is left out
where a missing attribute reads back as that None (its default is None); one that is required
or has another default stays NULL, so reading the item back gives the same model. Plain dicts
and lists keep None as NULL. What is stored is read with plain boto3 (``boto``), async and sync.
"""

from __future__ import annotations

from typing import Annotated, Any

import pytest
from pydantic import BaseModel

from pydynox import (
    ConditionalCheckFailedException,
    DynamoConfig,
    Model,
    PartitionKey,
    path,
)

from .api import Api
from .model_tables import Tables, table_of


class Geo(BaseModel):
    lat: float | None = None
    lon: float | None = None


class Address(BaseModel):
    city: str
    zip: str | None = None
    geo: Geo | None = None
    floor: int | None  # required: None is stored as NULL, or the item could not be read
    note: str | None = "none given"  # another default: None is stored as NULL


class Place(Model):
    model_config = DynamoConfig(table="places")  # rebound per test
    pk: Annotated[str, PartitionKey()]
    address: Address | None = None
    previous: list[Address] = []
    by_name: dict[str, Address] = {}
    meta: dict[str, Any] = {}
    tags: list[str | None] = []
    nick: str | None = None


def oslo() -> Address:
    return Address(city="Oslo", geo=Geo(lat=59.9), floor=None, note=None)


# What oslo() is stored as: zip, geo.lon left out; floor (required) and note (default not
# None) NULL.
OSLO = {
    "M": {
        "city": {"S": "Oslo"},
        "geo": {"M": {"lat": {"N": "59.9"}}},
        "floor": {"NULL": True},
        "note": {"NULL": True},
    }
}


# The other fields at their defaults (empty lists and maps are stored; empty sets are not).
DEFAULTS = {"previous": {"L": []}, "by_name": {"M": {}}, "meta": {"M": {}}, "tags": {"L": []}}


@pytest.fixture
async def places(tables: Tables) -> type[Place]:
    return await tables(Place)


def raw(boto: Any, model: type[Model], pk: str) -> dict[str, Any]:
    """The item as DynamoDB holds it, read with plain boto3."""
    item: dict[str, Any] = boto.get_item(
        TableName=table_of(model), Key={"pk": {"S": pk}}, ConsistentRead=True
    )["Item"]
    return item


async def test_save_leaves_none_fields_of_nested_models_out_at_every_depth(
    api: Api, places: type[Place], boto: Any
) -> None:
    place = places(
        pk="p1",
        address=oslo(),
        previous=[Address(city="Bergen", floor=2), oslo()],
        by_name={"home": Address(city="Tromsø", floor=None)},
        meta={"none": None, "deep": {"also": None}},
        tags=["a", None],
    )
    await api.on(place).save()
    assert raw(boto, places, "p1") == {
        "pk": {"S": "p1"},
        "address": OSLO,
        "previous": {
            "L": [
                {"M": {"city": {"S": "Bergen"}, "floor": {"N": "2"}, "note": {"S": "none given"}}},
                OSLO,
            ]
        },
        "by_name": {
            "M": {
                "home": {
                    "M": {
                        "city": {"S": "Tromsø"},
                        "floor": {"NULL": True},
                        "note": {"S": "none given"},
                    }
                }
            }
        },
        # Plain dicts and lists keep None as NULL, as documented.
        "meta": {"M": {"none": {"NULL": True}, "deep": {"M": {"also": {"NULL": True}}}}},
        "tags": {"L": [{"S": "a"}, {"NULL": True}]},
    }  # and nick (None at the top level) is not stored at all
    assert await api.on(places).get(pk="p1") == place


async def test_an_item_stored_by_boto3_without_the_attributes_reads_back_the_same(
    api: Api, places: type[Place], boto: Any
) -> None:
    boto.put_item(
        TableName=table_of(places),
        Item={"pk": {"S": "b"}, "address": OSLO, "previous": {"L": [OSLO]}},
    )
    loaded = await api.on(places).get(pk="b")
    assert loaded == places(pk="b", address=oslo(), previous=[oslo()])
    await api.on(loaded).save()
    assert raw(boto, places, "b") == {
        **DEFAULTS,
        "pk": {"S": "b"},
        "address": OSLO,
        "previous": {"L": [OSLO]},
    }


async def test_attribute_not_exists_holds_on_a_none_field_of_a_nested_model(
    api: Api, places: type[Place]
) -> None:
    zip_code = path(Place.address)["zip"]
    lon = path(Place.address)["geo"]["lon"]
    floor = path(Place.address)["floor"]
    place = places(pk="c", address=oslo())
    await api.on(place).save()

    # The conditions hold on the stored item: the attributes are missing, not NULL.
    await api.on(place).save(condition=zip_code.not_exists() & lon.not_exists())
    await api.on(place).update(nick="n", condition=zip_code.not_exists())
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(place).update(nick="m", condition=zip_code.exists())
    # floor is required, so its None is stored (NULL): it exists.
    await api.on(place).update(nick="o", condition=floor.exists())


async def test_every_path_that_writes_a_model_stores_the_same_shape(
    api: Api, places: type[Place], boto: Any
) -> None:
    # The batch writer.
    async with api.batch_writer() as batch:
        await batch.put(places(pk="batch", address=oslo()))
    assert raw(boto, places, "batch") == {**DEFAULTS, "pk": {"S": "batch"}, "address": OSLO}

    # update() with a nested model value (and a list of them).
    place = places(pk="upd")
    await api.on(place).save()
    await api.on(place).update(address=oslo(), previous=[oslo()])
    assert raw(boto, places, "upd") == {
        **DEFAULTS,
        "pk": {"S": "upd"},
        "address": OSLO,
        "previous": {"L": [OSLO]},
    }
    assert place == places(pk="upd", address=oslo(), previous=[oslo()])

    # update_by_key() with a nested model value, validated by the field's type from a dict.
    await api.on(places).update_by_key(
        pk="upd", address={"city": "Oslo", "geo": {"lat": 59.9}, "floor": None, "note": None}
    )
    assert raw(boto, places, "upd")["address"] == OSLO

    # Model.field.set(NestedModel(...)), and into a map key.
    await api.on(places(pk="set")).save()
    await api.on(places).update_by_key(pk="set", atomic=[path(Place.address).set(oslo())])
    assert raw(boto, places, "set") == {**DEFAULTS, "pk": {"S": "set"}, "address": OSLO}
    await api.on(places).update_by_key(
        pk="set",
        atomic=[path(Place.previous).set([oslo()]), path(Place.by_name).set({"x": oslo()})],
    )
    stored = raw(boto, places, "set")
    assert stored["previous"] == {"L": [OSLO]} and stored["by_name"] == {"M": {"x": OSLO}}
    loaded = await api.on(places).get(pk="set")
    assert loaded == places(pk="set", address=oslo(), previous=[oslo()], by_name={"x": oslo()})


@pytest.mark.needs("transactions")
async def test_a_transaction_put_stores_the_same_shape(
    api: Api, places: type[Place], boto: Any
) -> None:
    async with api.transaction() as tx:
        tx.put(places(pk="tx", address=oslo(), previous=[oslo()]))
    assert raw(boto, places, "tx") == {
        **DEFAULTS,
        "pk": {"S": "tx"},
        "address": OSLO,
        "previous": {"L": [OSLO]},
    }
