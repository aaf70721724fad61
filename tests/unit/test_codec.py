"""Tests for the Python <-> DynamoDB attribute value codec."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid
from collections import OrderedDict
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from pydynox._values._codec import (
    MAX_DIGITS,
    deserialize_item,
    deserialize_number,
    deserialize_value,
    serialize_item,
    serialize_number,
    serialize_value,
)
from pydynox.exceptions import ConnectionException, SerializationException


class Color(str, enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 10


class Shape(enum.Enum):
    SQUARE = "square"
    PAIR = (1, 2)


class Address(BaseModel):
    street: str
    number: int
    tags: set[str] = set()
    note: str | None = None


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (1, "1"),
        (-7, "-7"),
        (100, "100"),
        (3.0, "3"),
        (-0.0, "0"),
        (0.0, "0"),
        (0.1, "0.1"),
        (1.5, "1.5"),
        (-2.25, "-2.25"),
        (1e-5, "0.00001"),
        (1e22, "10000000000000000000000"),
        (1.5e100, "1.5E+100"),
        (Decimal("1.50"), "1.5"),
        (Decimal("1E+2"), "100"),
        (Decimal("100"), "100"),
        (Decimal("-0.00"), "0"),
        (Decimal("0E+5"), "0"),
        (Decimal("000123.4500"), "123.45"),
        (Decimal("-0.001"), "-0.001"),
        (Decimal("1E-130"), "1E-130"),
        (Decimal("-1E-130"), "-1E-130"),
        (Decimal("1.2E-37"), "0.00000000000000000000000000000000000012"),
        (Decimal("1E-39"), "1E-39"),
        (Decimal("-1.5E-100"), "-1.5E-100"),
        (
            Decimal("9.9999999999999999999999999999999999999E+125"),
            "9.9999999999999999999999999999999999999E+125",
        ),
        (
            Decimal("12345678901234567890123456789012345678"),
            "12345678901234567890123456789012345678",
        ),
        (
            Decimal("1.2345678901234567890123456789012345678"),
            "1.2345678901234567890123456789012345678",
        ),
        # More digits than the default 28-digit decimal context keeps: no rounding.
        (
            Decimal("1234567890123456789012345678901234.5000"),
            "1234567890123456789012345678901234.5",
        ),
        (10**38 - 1, "9" * 38),
        (-(10**38 - 1), "-" + "9" * 38),
        (10**39, "1" + "0" * 39),  # 40 characters: still positional
        (10**40, "1E+40"),
        (10**50, "1E+50"),
        (-(10**50), "-1E+50"),
        (10**125, "1E+125"),
        (15 * 10**60, "1.5E+61"),
        (
            12345678901234567890123456789012345678 * 10**40,
            "1.2345678901234567890123456789012345678E+77",
        ),
    ],
)
def test_serialize_number(value: int | float | Decimal, text: str) -> None:
    assert serialize_number(value) == text
    assert serialize_value(value) == {"N": text}


def test_serialize_number_int_subclass() -> None:
    assert serialize_number(Level.HIGH) == "10"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (float("nan"), "NaN cannot be stored in DynamoDB"),
        (float("inf"), "infinity cannot be stored in DynamoDB"),
        (float("-inf"), "infinity cannot be stored in DynamoDB"),
        (Decimal("NaN"), "NaN cannot be stored in DynamoDB"),
        (Decimal("sNaN"), "NaN cannot be stored in DynamoDB"),
        (Decimal("Infinity"), "infinity cannot be stored in DynamoDB"),
        (Decimal("-Infinity"), "infinity cannot be stored in DynamoDB"),
        (10**38 + 1, "39 significant digits"),
        (Decimal("1.23456789012345678901234567890123456789"), "39 significant digits"),
        (Decimal("0.000123456789012345678901234567890123456789"), "39 significant digits"),
        (10**126, "below 1E+126"),
        (-(10**126), "below 1E+126"),
        (10**400, "below 1E+126"),
        (Decimal("1E+126"), "magnitude 1E+126"),
        (Decimal("-1E+126"), "magnitude 1E+126"),
        (Decimal("1E-131"), "magnitude 1E-131"),
        (Decimal("1E+999999999"), "magnitude 1E+999999999"),
        (1e200, "magnitude 1E+200"),
        (1e-200, "magnitude 1E-200"),
        (5e-324, "magnitude 1E-324"),
    ],
)
def test_serialize_number_refused(value: int | float | Decimal, message: str) -> None:
    with pytest.raises(SerializationException) as info:
        serialize_number(value, path="price")
    assert info.value.path == "price"
    assert message in str(info.value)
    assert str(info.value).startswith("price: ")


def test_enormous_int_is_refused_without_printing_it() -> None:
    # str() of an int over 4300 digits raises ValueError; the range check must come first.
    with pytest.raises(SerializationException, match="below 1E\\+126"):
        serialize_number(10**5000)


def test_serialize_number_refuses_non_numbers() -> None:
    with pytest.raises(SerializationException, match="a bool is not a number"):
        serialize_number(True)
    with pytest.raises(SerializationException, match="cannot store a value of type str"):
        serialize_number("1")  # type: ignore[arg-type]


def test_serialize_number_no_path() -> None:
    with pytest.raises(SerializationException) as info:
        serialize_number(float("nan"))
    assert info.value.path == ""
    assert str(info.value) == "NaN cannot be stored in DynamoDB"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0", 0),
        ("-0", 0),
        ("42", 42),
        ("-42", -42),
        ("123456789012345678901234567890123456789", 123456789012345678901234567890123456789),
        ("1E+2", 100),
        ("1e2", 100),
        ("1.0", 1),
        ("-3.000", -3),
        ("1E+125", 10**125),
        ("1.5E+1", 15),
        ("1.5", Decimal("1.5")),
        ("0.1", Decimal("0.1")),
        ("-1.5E-100", Decimal("-1.5E-100")),
        (
            "1.2345678901234567890123456789012345678",
            Decimal("1.2345678901234567890123456789012345678"),
        ),
    ],
)
def test_deserialize_number(text: str, value: int | Decimal) -> None:
    result = deserialize_number(text)
    assert result == value
    assert type(result) is type(value)


@pytest.mark.parametrize("text", ["", "abc", "1.2.3", "NaN", "Infinity", "1e"])
def test_deserialize_number_refused(text: str) -> None:
    with pytest.raises(SerializationException, match="not a DynamoDB number"):
        deserialize_number(text)


def test_deserialize_keeps_38_digits_exactly() -> None:
    # The default decimal context (28 digits) must play no part.
    text = "1234567890123456789012345678901234567.8"
    assert deserialize_value({"N": text}) == Decimal(text)
    assert str(deserialize_value({"N": text})) == text


# --------------------------------------------------------------------------- scalars


@pytest.mark.parametrize(
    ("value", "av"),
    [
        ("hello", {"S": "hello"}),
        ("", {"S": ""}),
        ("héllo ✓", {"S": "héllo ✓"}),
        (True, {"BOOL": True}),
        (False, {"BOOL": False}),
        (None, {"NULL": True}),
        (b"\x00\xff", {"B": b"\x00\xff"}),
        (b"", {"B": b""}),
        (bytearray(b"ab"), {"B": b"ab"}),
        (memoryview(b"cd"), {"B": b"cd"}),
        (dt.date(2025, 1, 2), {"S": "2025-01-02"}),
        (dt.date(5, 6, 7), {"S": "0005-06-07"}),
        (
            uuid.UUID("12345678-1234-5678-1234-567812345678"),
            {"S": "12345678-1234-5678-1234-567812345678"},
        ),
        (Color.RED, {"S": "red"}),
        (Level.HIGH, {"N": "10"}),
        (Shape.SQUARE, {"S": "square"}),
        (Shape.PAIR, {"L": [{"N": "1"}, {"N": "2"}]}),
    ],
)
def test_serialize_scalars(value: Any, av: dict[str, Any]) -> None:
    result = serialize_value(value)
    assert result == av
    if "B" in av:
        assert type(result["B"]) is bytes
    if "S" in av:
        assert type(result["S"]) is str


def test_bool_is_never_a_number() -> None:
    assert serialize_value(True) == {"BOOL": True}
    assert serialize_value([True, 1]) == {"L": [{"BOOL": True}, {"N": "1"}]}


def test_str_subclass_is_plain_str() -> None:
    class Name(str):
        def __str__(self) -> str:
            return "not this"

    result = serialize_value(Name("ann"))
    assert result == {"S": "ann"}
    assert type(result["S"]) is str


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (dt.datetime(2025, 1, 2, 3, 4, 5, 6), "2025-01-02T03:04:05.000006+00:00"),
        (dt.datetime(2025, 1, 2, 3, 4, 5), "2025-01-02T03:04:05.000000+00:00"),
        (dt.datetime(2025, 1, 2), "2025-01-02T00:00:00.000000+00:00"),
        (
            dt.datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc),
            "2025-01-02T03:04:05.000006+00:00",
        ),
        (
            dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
            "2025-01-01T21:34:05.000000+00:00",
        ),
        (
            dt.datetime(2024, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-2))),
            "2025-01-01T01:00:00.000000+00:00",
        ),
        (dt.datetime(5, 1, 2, 3, 4, 5), "0005-01-02T03:04:05.000000+00:00"),
    ],
)
def test_serialize_datetime_fixed_width_utc(value: dt.datetime, text: str) -> None:
    assert serialize_value(value) == {"S": text}
    assert len(text) == len("2025-01-02T03:04:05.000006+00:00")


def test_datetime_text_sorts_like_time() -> None:
    moments = [
        dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))),
        dt.datetime(2025, 1, 1, 5, 0, 0, 1),
        dt.datetime(2025, 1, 1, 5, 0, 0),
        dt.datetime(2024, 12, 31, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-8))),
    ]
    aware = [m if m.tzinfo else m.replace(tzinfo=dt.timezone.utc) for m in moments]
    texts = [serialize_value(m)["S"] for m in moments]
    assert sorted(texts) == [serialize_value(m)["S"] for m in sorted(aware)]


def test_datetime_that_cannot_be_converted() -> None:
    value = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    with pytest.raises(SerializationException) as info:
        serialize_item({"at": value})
    assert info.value.path == "at"
    assert "cannot be converted to UTC" in str(info.value)


# --------------------------------------------------------------------------- containers


def test_serialize_nested() -> None:
    value: dict[str, Any] = {
        "name": "x",
        "tags": ["a", None, 1, {"deep": [True, b"z"]}],
        "pair": (1, 2.5),
        "nothing": None,
        "empty_list": [],
        "empty_map": {},
    }
    assert serialize_value(value) == {
        "M": {
            "name": {"S": "x"},
            "tags": {
                "L": [
                    {"S": "a"},
                    {"NULL": True},
                    {"N": "1"},
                    {"M": {"deep": {"L": [{"BOOL": True}, {"B": b"z"}]}}},
                ]
            },
            "pair": {"L": [{"N": "1"}, {"N": "2.5"}]},
            "nothing": {"NULL": True},
            "empty_list": {"L": []},
            "empty_map": {"M": {}},
        }
    }


def test_serialize_any_mapping() -> None:
    assert serialize_value(OrderedDict(a=1)) == {"M": {"a": {"N": "1"}}}


def test_serialize_pydantic_model() -> None:
    address = Address(street="Main", number=3, tags={"b", "a"})
    assert serialize_value(address) == {
        "M": {
            "street": {"S": "Main"},
            "number": {"N": "3"},
            "tags": {"SS": ["a", "b"]},
            "note": {"NULL": True},
        }
    }
    # An empty set inside the model's map is left out.
    assert serialize_value(Address(street="Main", number=3)) == {
        "M": {"street": {"S": "Main"}, "number": {"N": "3"}, "note": {"NULL": True}}
    }


def test_serialize_item_omits_none_and_empty_sets() -> None:
    item: dict[str, Any] = {
        "pk": "A",
        "gone": None,
        "empty": set(),
        "frozen_empty": frozenset(),
        "nested": {"keep_null": None, "empty": set(), "list": [None]},
    }
    assert serialize_item(item) == {
        "pk": {"S": "A"},
        "nested": {"M": {"keep_null": {"NULL": True}, "list": {"L": [{"NULL": True}]}}},
    }


def test_deserialize_item() -> None:
    item: dict[str, Any] = {
        "pk": {"S": "A"},
        "n": {"N": "1.5"},
        "i": {"N": "7"},
        "flag": {"BOOL": False},
        "blob": {"B": b"\x01"},
        "null": {"NULL": True},
        "list": {"L": [{"S": "x"}, {"NULL": True}]},
        "map": {"M": {"k": {"N": "1E+2"}}},
        "ss": {"SS": ["b", "a"]},
        "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"a", b"b"]},
    }
    assert deserialize_item(item) == {
        "pk": "A",
        "n": Decimal("1.5"),
        "i": 7,
        "flag": False,
        "blob": b"\x01",
        "null": None,
        "list": ["x", None],
        "map": {"k": 100},
        "ss": {"a", "b"},
        "ns": {1, Decimal("2.5")},
        "bs": {b"a", b"b"},
    }


def test_deserialize_bytes_like_binary() -> None:
    assert deserialize_value({"B": bytearray(b"ab")}) == b"ab"
    assert type(deserialize_value({"B": bytearray(b"ab")})) is bytes
    assert deserialize_value({"BS": [bytearray(b"ab")]}) == {b"ab"}


# Attribute values read from an answer that are not in DynamoDB's shape: the endpoint's
# fault, so ConnectionException (sent=True), never a raw KeyError/TypeError/AttributeError.
MALFORMED: list[Any] = [
    {"X": "1"},
    {"Q": "x"},
    {},
    {"S": "a", "N": "1"},
    "S",
    None,
    5,
    ["S", "x"],
    {"S": None},
    {"N": 5},
    {"N": True},
    {"N": "abc"},
    {"N": "NaN"},
    {"N": ["1"]},
    {"BOOL": "yes"},
    {"B": 5},
    {"B": [1, 2]},
    {"B": "not bytes"},
    {"NULL": "x"},
    {"NULL": False},
    {"L": 5},
    {"L": "abc"},
    {"L": [{"S": "ok"}, {"N": 5}]},
    {"M": "x"},
    {"M": [1]},
    {"M": {"k": {"Q": "x"}}},
    {"M": {"k": "not a value"}},
    {"SS": "abc"},
    {"SS": [["unhashable"]]},
    {"NS": ["1", "x"]},
    {"NS": 5},
    {"BS": [5]},
    {"BS": b"ab"},
]


@pytest.mark.parametrize("av", MALFORMED, ids=repr)
def test_a_malformed_attribute_value_is_the_endpoints_fault(av: Any) -> None:
    with pytest.raises(ConnectionException, match="not in DynamoDB's shape") as caught:
        deserialize_value(av)
    assert caught.value.sent is True
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    with pytest.raises(ConnectionException, match="not in DynamoDB's shape"):
        deserialize_item({"ok": {"S": "fine"}, "bad": av})


@pytest.mark.parametrize(
    ("item", "where"),
    [
        ({"a": {"S": "x"}, "b": {"N": "one"}}, "b = {'N': 'one'}"),
        ({"m": {"M": {"k": {"L": [{"S": "x"}, {"Q": 1}]}}}}, "m.k[1] = {'Q': 1}"),
        ({"l": {"L": [{"M": {"deep": {"BOOL": 1}}}]}}, "l[0].deep = {'BOOL': 1}"),
        ({"s": {"SS": 7}}, "s = {'SS': 7}"),
    ],
)
def test_the_message_names_the_malformed_attribute(item: dict[str, Any], where: str) -> None:
    with pytest.raises(ConnectionException) as caught:
        deserialize_item(item)
    assert str(caught.value).endswith(f"not in DynamoDB's shape: {where}")


@pytest.mark.parametrize("item", ["x", 5, None, [{"S": "x"}], [("a", {"S": "x"})]], ids=repr)
def test_an_item_that_is_not_a_map_is_the_endpoints_fault(item: Any) -> None:
    with pytest.raises(ConnectionException, match="an item that is not in DynamoDB's shape"):
        deserialize_item(item)


def test_a_nesting_deeper_than_python_recursion_is_the_endpoints_fault() -> None:
    deep: Any = {"S": "bottom"}
    for _ in range(5000):
        deep = {"L": [deep]}
    with pytest.raises(ConnectionException, match="not in DynamoDB's shape"):
        deserialize_item({"deep": deep})


def test_an_s_value_of_another_type_is_passed_through_by_the_fast_path() -> None:
    # Checking the type of every S value would cost about a tenth of the time of reading an
    # item; a model's validation still refuses it where a str is declared.
    assert deserialize_value({"S": 5}) == 5


# --------------------------------------------------------------------------- sets


@pytest.mark.parametrize(
    ("value", "av"),
    [
        ({"b", "a", "c"}, {"SS": ["a", "b", "c"]}),
        (frozenset({"z", ""}), {"SS": ["", "z"]}),
        ({3, 1, 2}, {"NS": ["1", "2", "3"]}),
        ({10, 9}, {"NS": ["10", "9"]}),  # sorted by text
        ({1, 2.5, Decimal("0.5")}, {"NS": ["0.5", "1", "2.5"]}),
        ({Decimal("1.0"), Decimal("1"), Decimal("1.00")}, {"NS": ["1"]}),
        ({Decimal("1E+2"), 100}, {"NS": ["100"]}),
        ({b"b", b"a"}, {"BS": [b"a", b"b"]}),
        ({b"a", memoryview(b"b")}, {"BS": [b"a", b"b"]}),
        ({Color.RED, Color.BLUE}, {"SS": ["blue", "red"]}),
        ({Color.RED, "green"}, {"SS": ["green", "red"]}),
        ({Level.LOW, Level.HIGH}, {"NS": ["1", "10"]}),
    ],
)
def test_serialize_sets(value: Any, av: dict[str, Any]) -> None:
    assert serialize_value(value) == av


def test_set_order_is_deterministic() -> None:
    words = [f"w{i}" for i in range(200)]
    first = serialize_value(set(words))
    second = serialize_value(set(reversed(words)))
    assert first == second == {"SS": sorted(words)}


@pytest.mark.parametrize(
    "value",
    [
        {"a", 1},
        {True, False},
        {2, True},
        {"a", b"a"},
        {1, b"a"},
        {(1, 2)},
        {None},
    ],
)
def test_serialize_bad_sets(value: Any) -> None:
    with pytest.raises(SerializationException) as info:
        serialize_item({"s": {"inner": value}})
    assert info.value.path == "s.inner"
    assert "a set must hold only strings, only numbers or only bytes" in str(info.value)


def test_set_with_bad_number() -> None:
    with pytest.raises(SerializationException) as info:
        serialize_item({"ns": {1, float("nan")}})
    assert info.value.path == "ns"
    assert "NaN" in str(info.value)


def test_empty_set_in_list_is_refused() -> None:
    with pytest.raises(SerializationException) as info:
        serialize_item({"history": ["a", "b", set()]})
    assert info.value.path == "history[2]"
    assert str(info.value) == "history[2]: an empty set cannot be stored"


def test_empty_set_alone_is_refused() -> None:
    with pytest.raises(SerializationException, match="an empty set cannot be stored"):
        serialize_value(set())


# --------------------------------------------------------------------------- error paths


class Opaque:
    pass


@pytest.mark.parametrize(
    ("item", "path", "message"),
    [
        ({"x": Opaque()}, "x", "cannot store a value of type Opaque"),
        ({"a": {"b": [1, {"c": object()}]}}, "a.b[1].c", "cannot store a value of type object"),
        ({"history": [1, 2, 1 + 2j]}, "history[2]", "cannot store a value of type complex"),
        ({"address": {"tags": {"a", 1}}}, "address.tags", "a set must hold"),
        ({"t": dt.time(1, 2)}, "t", "cannot store a value of type time"),
        ({"d": dt.timedelta(1)}, "d", "cannot store a value of type timedelta"),
        ({"m": {"k": {1: "v"}}}, "m.k", "map keys must be strings, not int (1)"),
        ({"l": [[[float("inf")]]]}, "l[0][0][0]", "infinity cannot be stored"),
        ({"n": 10**40 + 1}, "n", "41 significant digits"),
        ({"model": Address(street="s", number=1, note=None), "bad": Opaque()}, "bad", "Opaque"),
    ],
)
def test_error_paths(item: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(SerializationException) as info:
        serialize_item(item)
    assert info.value.path == path
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}: ")


def test_error_path_prefix() -> None:
    with pytest.raises(SerializationException) as info:
        serialize_item({"a": [Opaque()]}, path="outer")
    assert info.value.path == "outer.a[0]"
    with pytest.raises(SerializationException) as info:
        serialize_value({"a": [Opaque()]}, path="outer[3]")
    assert info.value.path == "outer[3].a[0]"
    with pytest.raises(SerializationException) as info:
        serialize_value([Opaque()])
    assert info.value.path == "[0]"
    with pytest.raises(SerializationException) as info:
        serialize_value(Opaque(), path="v")
    assert info.value.path == "v"
    assert str(info.value) == "v: cannot store a value of type Opaque"


def test_error_in_nested_model() -> None:
    class Holder(BaseModel):
        values: list[float]

    with pytest.raises(SerializationException) as info:
        serialize_item({"holder": Holder(values=[1.0, float("nan")])})
    assert info.value.path == "holder.values[1]"


def test_non_str_attribute_name() -> None:
    with pytest.raises(SerializationException) as info:
        serialize_item({1: "x"})  # type: ignore[dict-item]
    assert info.value.path == ""
    assert "attribute names must be strings, not int" in str(info.value)


def test_errors_are_not_chained_to_internals() -> None:
    with pytest.raises(SerializationException) as info:
        serialize_item({"a": [{"b": Opaque()}]})
    assert info.value.__cause__ is None
    assert info.value.__suppress_context__


# --------------------------------------------------------------------------- properties

MAX_DECIMAL = Decimal("9.9999999999999999999999999999999999999E+125")
MIN_DECIMAL = Decimal("1E-130")
_EXACT = decimal.Context(prec=100)


def _in_range(value: Decimal) -> bool:
    # copy_abs(): abs() would round to the 28-digit default context (9.99...95E-131 -> 1E-130).
    return value == 0 or MIN_DECIMAL <= value.copy_abs() <= MAX_DECIMAL


def _significant_digits(text: str) -> int:
    mantissa = text.split("E")[0].lstrip("-").replace(".", "")
    return len(mantissa.strip("0"))


@st.composite
def storable_decimals(draw: st.DrawFn) -> Decimal:
    digits = draw(st.integers(min_value=0, max_value=10**MAX_DIGITS - 1))
    exponent = draw(st.integers(min_value=-170, max_value=126))
    sign = draw(st.sampled_from([1, -1]))
    value = Decimal(sign * digits).scaleb(exponent, _EXACT)
    if not _in_range(value):
        value = Decimal(sign * digits)
    return value


storable_ints = st.one_of(
    st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1),
    st.builds(
        lambda digits, zeros: digits * 10**zeros,
        st.integers(min_value=-(10**38) + 1, max_value=10**38 - 1),
        st.integers(min_value=0, max_value=88),
    ),
)
storable_floats = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda f: f == 0 or 1e-130 <= abs(f) < 9.9e125
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.text(),
    st.binary(),
    storable_ints,
    storable_decimals(),
)


def _expected(value: Any) -> Any:
    """What a stored value reads back as."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else value
    if isinstance(value, (list, tuple)):
        return [_expected(v) for v in value]
    if isinstance(value, dict):
        return {k: _expected(v) for k, v in value.items()}
    if isinstance(value, frozenset):
        return {_expected(v) for v in value}
    return value


@given(st.text())
def test_roundtrip_str(value: str) -> None:
    assert deserialize_value(serialize_value(value)) == value


@given(st.booleans())
def test_roundtrip_bool(value: bool) -> None:
    assert deserialize_value(serialize_value(value)) is value


@given(storable_ints)
def test_roundtrip_int(value: int) -> None:
    result = deserialize_value(serialize_value(value))
    assert result == value
    assert type(result) is int


@given(storable_decimals())
def test_roundtrip_decimal(value: Decimal) -> None:
    result = deserialize_value(serialize_value(value))
    assert result == value
    assert type(result) is (int if value == value.to_integral_value() else Decimal)


@given(storable_floats)
def test_roundtrip_float(value: float) -> None:
    result = deserialize_value(serialize_value(value))
    assert float(result) == value
    assert not isinstance(result, float)


@given(st.binary())
def test_roundtrip_bytes(value: bytes) -> None:
    assert deserialize_value(serialize_value(value)) == value


@given(st.frozensets(st.text(), min_size=1))
def test_roundtrip_string_set(value: frozenset[str]) -> None:
    assert deserialize_value(serialize_value(value)) == value


@given(st.frozensets(st.one_of(storable_ints, storable_decimals()), min_size=1))
def test_roundtrip_number_set(value: frozenset[int | Decimal]) -> None:
    assert deserialize_value(serialize_value(value)) == _expected(value)


@given(st.frozensets(storable_floats, min_size=1))
def test_roundtrip_float_set(value: frozenset[float]) -> None:
    assert {float(v) for v in deserialize_value(serialize_value(value))} == value


@given(st.frozensets(st.binary(), min_size=1))
def test_roundtrip_binary_set(value: frozenset[bytes]) -> None:
    assert deserialize_value(serialize_value(value)) == value


nested = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=5),
        st.dictionaries(st.text(min_size=1, max_size=5), children, max_size=5),
    ),
    max_leaves=20,
)


@settings(max_examples=200)
@given(nested)
def test_roundtrip_nested(value: Any) -> None:
    assert deserialize_value(serialize_value(value)) == _expected(value)


@given(st.dictionaries(st.text(min_size=1, max_size=5), nested, max_size=5))
def test_roundtrip_item(item: dict[str, Any]) -> None:
    expected = {k: _expected(v) for k, v in item.items() if v is not None}
    assert deserialize_item(serialize_item(item)) == expected


@given(st.one_of(storable_ints, storable_decimals()))
def test_number_text_is_exact(value: int | Decimal) -> None:
    text = serialize_number(value)
    assert Decimal(text) == Decimal(value)
    assert _significant_digits(text) <= MAX_DIGITS
    assert len(text) <= 40 or "E" in text


@given(storable_floats)
def test_float_text_is_shortest_repr(value: float) -> None:
    text = serialize_number(value)
    assert Decimal(text) == Decimal(repr(value))
    assert float(text) == value
    assert _significant_digits(text) <= 17


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_any_finite_decimal_is_exact_or_refused(value: Decimal) -> None:
    try:
        text = serialize_number(value)
    except SerializationException as error:
        digits = len("".join(map(str, value.as_tuple().digits)).strip("0"))
        assert digits > MAX_DIGITS or not _in_range(value)
        assert error.path == ""
    else:
        assert Decimal(text) == value
        assert _significant_digits(text) <= MAX_DIGITS


def test_float_edges() -> None:
    assert float(serialize_number(1e125)) == 1e125
    assert float(serialize_number(2.0**53 + 2)) == 2.0**53 + 2


# --------------------------------------------------------------------------- more properties

# Decimal edges: the extremes DynamoDB stores, and the first values past them.
EDGE_DECIMALS = [
    MAX_DECIMAL,
    MIN_DECIMAL,
    Decimal("1E+125"),
    Decimal("9" * 38),
    Decimal("0." + "9" * 38),
    Decimal("1." + "0" * 36 + "1"),  # 38 significant digits
    Decimal("9.9999999999999999999999999999999999999E-93"),
    Decimal("1E-130").scaleb(37),
    Decimal("0"),
    Decimal("-0"),
    Decimal("0E-200"),
    Decimal("0E+200"),
    Decimal("1.000000000000000000000000000000000000000000000"),  # trailing zeros only
    Decimal("100000000000000000000000000000000000000000000E+10"),
]
OUT_OF_RANGE = [
    Decimal("1E+126"),
    Decimal("1E-131"),
    Decimal("9.99999999999999999999999999999999999999E+125"),  # 39 digits
    Decimal("1" * 39),
    Decimal("1." + "0" * 37 + "1"),  # 39 significant digits
]


@given(
    st.sampled_from(EDGE_DECIMALS),
    st.sampled_from([1, -1]),
    st.integers(min_value=0, max_value=30),
)
def test_decimal_edges_round_trip(edge: Decimal, sign: int, zeros: int) -> None:
    # Trailing zeros in the representation change nothing: same number, same text.
    exponent = edge.as_tuple().exponent
    assert isinstance(exponent, int)
    signed = edge.copy_negate() if sign < 0 else edge
    value = signed.quantize(Decimal(1).scaleb(exponent - zeros), context=_EXACT)
    assert value == signed
    assert str(value) != str(signed) or zeros == 0
    text = serialize_number(value)
    assert text == serialize_number(signed)
    back = deserialize_value({"N": text})
    assert back == value
    assert _significant_digits(text) <= MAX_DIGITS


@given(st.sampled_from(OUT_OF_RANGE), st.sampled_from([1, -1]))
def test_past_the_edges_is_refused(value: Decimal, sign: int) -> None:
    with pytest.raises(SerializationException) as info:
        serialize_item({"edge": {"deep": [value if sign > 0 else value.copy_negate()]}})
    assert info.value.path == "edge.deep[0]"


set_values = st.one_of(
    st.frozensets(st.text(max_size=8), min_size=1, max_size=5),
    st.frozensets(st.binary(max_size=8), min_size=1, max_size=5),
    st.frozensets(st.one_of(storable_ints, storable_decimals()), min_size=1, max_size=5),
)
unicode_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12
) | st.sampled_from(["", "\x00", "\u200b", "\ufeff", "a\u0301", "🙂", "名前", "\U0010ffff"])
rich_scalars = st.one_of(
    st.none(),
    st.booleans(),
    unicode_text,
    st.binary(max_size=16),
    storable_ints,
    storable_decimals(),
    st.sampled_from(EDGE_DECIMALS),
    storable_floats,
    set_values,
)
rich_nested = st.recursive(
    rich_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.tuples(children, children),
        st.dictionaries(unicode_text.filter(bool), children, max_size=4),
    ),
    max_leaves=25,
)


def _rich_expected(value: Any) -> Any:
    """What a stored value reads back as: numbers as int or Decimal, tuples as lists,
    sets as sets, empty sets inside maps left out."""
    if isinstance(value, float):
        return _rich_expected(Decimal(repr(value)))
    if isinstance(value, (list, tuple)):
        return [_rich_expected(v) for v in value]
    if isinstance(value, dict):
        return {k: _rich_expected(v) for k, v in value.items()}
    if isinstance(value, frozenset):
        return {_rich_expected(v) for v in value}
    return _expected(value)


@settings(max_examples=300)
@given(rich_nested)
def test_roundtrip_rich_nested(value: Any) -> None:
    assert deserialize_value(serialize_value(value)) == _rich_expected(value)


@settings(max_examples=200)
@given(st.dictionaries(unicode_text.filter(bool), rich_nested, max_size=6))
def test_roundtrip_rich_item(item: dict[str, Any]) -> None:
    expected = {k: _rich_expected(v) for k, v in item.items() if v is not None}
    assert deserialize_item(serialize_item(item)) == expected


@settings(max_examples=300)
@given(rich_nested)
def test_normal_form_is_a_fixed_point(value: Any) -> None:
    # What DynamoDB hands back, read and written again, is the same attribute value: a stored
    # item rewritten unchanged is byte-for-byte the same request.
    av = serialize_value(value)
    assert serialize_value(deserialize_value(av)) == av


@settings(max_examples=200)
@given(rich_nested, st.randoms(use_true_random=False))
def test_serialisation_is_deterministic(value: Any, rng: Any) -> None:
    def reshuffle(v: Any) -> Any:
        if isinstance(v, frozenset):
            members = list(v)
            rng.shuffle(members)
            return frozenset(members)
        if isinstance(v, (list, tuple)):
            return type(v)(reshuffle(x) for x in v)
        if isinstance(v, dict):
            return {k: reshuffle(x) for k, x in v.items()}
        return v

    assert serialize_value(reshuffle(value)) == serialize_value(value)


class _Bad:
    pass


bad_leaves = st.sampled_from(
    [float("nan"), float("inf"), -float("inf"), 10**40 + 1, Decimal("1E+126"), _Bad(), 1j, set()]
)
simple_keys = st.text(alphabet="abc", min_size=1, max_size=3)
with_one_bad = st.recursive(
    bad_leaves,
    lambda children: st.one_of(
        st.builds(lambda pre, bad: [*pre, bad], st.lists(st.integers(0, 9), max_size=2), children),
        st.builds(lambda key, bad: {key: bad}, simple_keys, children),
    ),
    max_leaves=5,
)


def _follow(value: Any, path: str) -> Any:
    import re as _re

    for name, index in _re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        value = value[name] if name else value[int(index)]
    return value


@settings(max_examples=300)
@given(simple_keys, with_one_bad)
def test_a_bad_value_is_refused_with_its_path_and_nothing_else(name: str, value: Any) -> None:
    item = {name: value}
    try:
        serialize_item(item)
    except SerializationException as error:
        bad = _follow(item, error.path)
        assert bad is not None
        assert not isinstance(bad, (list, dict))  # the path leads to the leaf itself
        assert str(error).startswith(f"{error.path}: ")
    else:
        # Only an empty set directly in a map (or at the top) is accepted: it is left out.
        assert "set()" in repr(value) or value == set()


def test_an_empty_map_key_is_refused_with_its_path() -> None:
    # DynamoDB attribute names (map keys included) are at least one character long; moto
    # stores such an item and then cannot read it back.
    with pytest.raises(SerializationException, match=r"profile\.prefs: map keys cannot be empty"):
        serialize_item({"profile": {"prefs": {"": 1}}})
