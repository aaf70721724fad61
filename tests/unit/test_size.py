"""Tests for DynamoDB item size accounting."""

from __future__ import annotations

from typing import Any

import pytest

from pydynox._values._codec import serialize_item
from pydynox._values._size import MAX_ITEM_BYTES, check_item_size, item_size
from pydynox.exceptions import ItemTooLargeException, SerializationException, ValidationException


def test_limit() -> None:
    assert MAX_ITEM_BYTES == 409600


@pytest.mark.parametrize(
    ("item", "size"),
    [
        ({}, 0),
        ({"pk": {"S": "abc"}}, 2 + 3),
        ({"pk": {"S": ""}}, 2),
        ({"name": {"S": "héllo"}}, 4 + 6),  # é is two UTF-8 bytes
        ({"é": {"S": "✓"}}, 2 + 3),
        ({"n": {"N": "123"}}, 1 + 2 + 1),
        ({"n": {"N": "1234"}}, 1 + 2 + 1),
        ({"n": {"N": "12345"}}, 1 + 3 + 1),
        ({"n": {"N": "100"}}, 1 + 1 + 1),  # trailing zeros trimmed
        ({"n": {"N": "0.00123"}}, 1 + 2 + 1),  # leading zeros trimmed
        ({"n": {"N": "-12.5"}}, 1 + 2 + 1),
        ({"n": {"N": "1.5E+50"}}, 1 + 1 + 1),
        ({"n": {"N": "1e-5"}}, 1 + 1 + 1),
        ({"n": {"N": "0"}}, 1 + 1 + 1),
        ({"n": {"N": "9" * 38}}, 1 + 19 + 1),
        ({"b": {"B": b"\x00\x01\x02"}}, 1 + 3),
        ({"b": {"B": bytearray(b"ab")}}, 1 + 2),
        ({"b": {"B": memoryview(b"abcd")}}, 1 + 4),
        ({"t": {"BOOL": True}}, 1 + 1),
        ({"nn": {"NULL": True}}, 2 + 1),
        ({"ss": {"SS": ["a", "bc"]}}, 2 + 1 + 2),
        ({"ns": {"NS": ["1", "22", "333"]}}, 2 + 2 + 2 + 3),
        ({"bs": {"BS": [b"ab", b"c"]}}, 2 + 2 + 1),
        ({"e": {"L": []}}, 1 + 3),
        ({"e": {"M": {}}}, 1 + 3),
        ({"l": {"L": [{"S": "ab"}, {"N": "1"}]}}, 1 + 3 + (1 + 2) + (1 + 2)),
        (
            {"m": {"M": {"k": {"S": "v"}, "kk": {"BOOL": False}}}},
            1 + 3 + (1 + 1 + 1) + (1 + 2 + 1),
        ),
        (
            {"m": {"M": {"l": {"L": [{"M": {}}, {"NULL": True}]}}}},
            1 + 3 + (1 + 1 + (3 + (1 + 3) + (1 + 1))),
        ),
        (
            {"pk": {"S": "user#1"}, "age": {"N": "42"}, "ok": {"BOOL": True}},
            (2 + 6) + (3 + 2) + (2 + 1),
        ),
    ],
)
def test_item_size(item: dict[str, Any], size: int) -> None:
    assert item_size(item) == size
    check_item_size(item)


def test_size_of_serialized_item() -> None:
    item = serialize_item({"pk": "a", "tags": ["x", "yz"], "meta": {"n": 10}, "gone": None})
    assert item_size(item) == (2 + 1) + (4 + 3 + (1 + 1) + (1 + 2)) + (4 + 3 + (1 + 1 + 2))


def test_unknown_tag() -> None:
    with pytest.raises(SerializationException, match="unknown DynamoDB type tag 'X'"):
        item_size({"a": {"X": 1}})
    with pytest.raises(SerializationException, match="no type tag"):
        item_size({"a": {}})


def test_just_under_the_limit() -> None:
    item = {"pk": {"S": "x" * (MAX_ITEM_BYTES - 2)}}
    assert item_size(item) == MAX_ITEM_BYTES
    check_item_size(item)


def test_just_over_the_limit() -> None:
    item = {"pk": {"S": "x" * (MAX_ITEM_BYTES - 1)}}
    with pytest.raises(ItemTooLargeException) as info:
        check_item_size(item)
    assert info.value.size == MAX_ITEM_BYTES + 1
    assert str(info.value) == (
        "item is 409601 bytes, over DynamoDB's 400 KB item limit (409600 bytes)"
    )
    assert isinstance(info.value, ValidationException)


def test_over_the_limit_with_multibyte_text_and_custom_what() -> None:
    # 136534 three-byte characters are 409602 bytes, though only 136534 characters long.
    item = {"p": {"S": "✓" * 136534}}
    with pytest.raises(ItemTooLargeException) as info:
        check_item_size(item, what="put of Order 42")
    assert info.value.size == 1 + 3 * 136534
    assert str(info.value).startswith("put of Order 42 is 409603 bytes")


def test_over_the_limit_when_nested() -> None:
    member = {"B": b"\x00" * 1023}  # 1 + 1023 bytes each as a list element
    item = {"l": {"L": [member] * 400}}
    assert item_size(item) == 1 + 3 + 400 * 1024
    with pytest.raises(ItemTooLargeException):
        check_item_size(item)
