"""The item a model becomes (no I/O): a None field of a nested model is left out where its
default is None, at every depth and through every container; anything else stays as dumped.
tests/integration/test_stored_shape.py proves the same through the server, both APIs."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, model_serializer
from typing_extensions import TypedDict

from pydynox import DynamoConfig, Model, PartitionKey, path
from pydynox._values._codec import deserialize_item, serialize_item
from pydynox.expressions import Placeholders, render_update


class Inner(BaseModel):
    x: int | None = None
    y: int | None = 7  # another default: None stays NULL
    z: int | None  # required: None stays NULL


class Loose(BaseModel):
    model_config = ConfigDict(extra="allow")
    a: str | None = None


class Custom(BaseModel):
    a: str | None = None

    @model_serializer
    def _whole(self) -> dict[str, Any]:
        return {"a": self.a, "kind": "custom"}


class Point(TypedDict):
    x: int | None


class Holder(Model):
    model_config = DynamoConfig(table="holders")
    pk: Annotated[str, PartitionKey()]
    one: Inner | None = None
    many: tuple[Inner, ...] = ()
    nested: list[list[Inner]] = []
    keyed: dict[str, Inner | None] = {}
    anything: dict[str, Any] = {}
    loose: Loose | None = None
    custom: Custom | None = None
    point: Point | None = None
    plain: dict[str, int | None] = {}


NULL = {"NULL": True}
INNER = {"M": {"y": NULL, "z": NULL}}  # x (default None) left out


def item_of(model: Model) -> dict[str, Any]:
    return serialize_item(model._data())


def test_none_fields_with_a_none_default_are_left_out_through_every_container() -> None:
    inner = Inner(y=None, z=None)
    holder = Holder(
        pk="h",
        one=inner,
        many=(inner,),
        nested=[[inner, inner]],
        keyed={"k": inner, "gone": None},
        anything={"model": inner, "none": None},
        loose=Loose(b=None),
        custom=Custom(),
        point={"x": None},
        plain={"n": None},
    )
    assert item_of(holder) == {
        "pk": {"S": "h"},
        "one": INNER,
        "many": {"L": [INNER]},
        "nested": {"L": [{"L": [INNER, INNER]}]},
        "keyed": {"M": {"k": INNER, "gone": NULL}},  # a dict value None is data
        "anything": {"M": {"model": INNER, "none": NULL}},
        "loose": {"M": {"b": NULL}},  # an extra has no default: its None stays
        "custom": {"M": {"a": NULL, "kind": {"S": "custom"}}},  # its own serializer decides
        "point": {"M": {"x": NULL}},  # a TypedDict is a plain dict once dumped
        "plain": {"M": {"n": NULL}},
    }
    back = Holder._validate(deserialize_item(item_of(holder)))
    assert back.one == back.many[0] == back.nested[0][1] == back.keyed["k"] == inner


def test_a_path_set_with_a_model_writes_the_same_map_as_save() -> None:
    ph = Placeholders()
    assert render_update([path(Holder.one).set(Inner(z=1))], ph) == "SET #n0 = :v0"
    assert ph.values[":v0"] == {"M": {"y": {"N": "7"}, "z": {"N": "1"}}}
    assert ph.values[":v0"] == item_of(Holder(pk="h", one=Inner(z=1)))["one"]
