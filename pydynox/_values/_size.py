"""Compute the size DynamoDB charges an item, to refuse items over 400 KB before sending.

The rules are DynamoDB's documented item-size rules ("Item sizes and formats"): each
attribute is the UTF-8 length of its name plus the size of its value. Strings count their
UTF-8 bytes, binary its bytes, numbers about one byte per two significant digits plus one,
BOOL and NULL one byte, sets the sum of their members, and a List or Map 3 bytes plus, per
element, 1 byte and the element's size (a Map element also counts its key's UTF-8 length).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydynox._values._codec import AttributeValue
from pydynox.exceptions import (
    ItemTooLargeException,
    SerializationException,
    ValidationException,
)

__all__ = ["MAX_ITEM_BYTES", "MAX_NAME_BYTES", "check_item_size", "item_size"]

MAX_ITEM_BYTES = 400 * 1024
MAX_NAME_BYTES = 64 * 1024 - 1  # "at least one character long and less than 64 KB"


def _text_size(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-8"))


def _number_size(text: str) -> int:
    mantissa = text.split("e")[0].split("E")[0] if ("e" in text or "E" in text) else text
    digits = mantissa.lstrip("+-").replace(".", "").strip("0")
    # Zero has no significant digits once trimmed; count it as one to stay on the safe side.
    return (max(len(digits), 1) + 1) // 2 + 1


def _binary_size(value: Any) -> int:
    if isinstance(value, str):
        return _text_size(value)
    return len(value) if type(value) is bytes else memoryview(value).nbytes


def _value_size(av: Mapping[str, Any]) -> int:
    for tag, value in av.items():
        if tag == "S":
            return _text_size(value)
        if tag == "N":
            return _number_size(value)
        if tag == "M":
            return 3 + sum(
                1 + _text_size(key) + _value_size(member) for key, member in value.items()
            )
        if tag == "L":
            return 3 + sum(1 + _value_size(member) for member in value)
        if tag == "BOOL" or tag == "NULL":
            return 1
        if tag == "B":
            return _binary_size(value)
        if tag == "SS":
            return sum(_text_size(member) for member in value)
        if tag == "NS":
            return sum(_number_size(member) for member in value)
        if tag == "BS":
            return sum(_binary_size(member) for member in value)
        raise SerializationException(f"unknown DynamoDB type tag {tag!r:.50}")
    raise SerializationException("an attribute value has no type tag")


def item_size(item: Mapping[str, AttributeValue]) -> int:
    """The size in bytes DynamoDB counts for a serialized item."""
    return sum(_text_size(name) + _value_size(av) for name, av in item.items())


def check_item_size(item: Mapping[str, AttributeValue], *, what: str = "item") -> None:
    """Raise :class:`ItemTooLargeException` if ``item`` is over DynamoDB's 400 KB limit, and
    :class:`ValidationException` if an attribute name is empty or 64 KB or longer."""
    for name in item:
        length = _text_size(name)
        if not 0 < length <= MAX_NAME_BYTES:
            raise ValidationException(
                f"{what} has an attribute name of {length} bytes ({name[:20]!r}): DynamoDB "
                f"attribute names are 1 to {MAX_NAME_BYTES} bytes long"
            )
    size = item_size(item)
    if size > MAX_ITEM_BYTES:
        raise ItemTooLargeException(
            f"{what} is {size} bytes, over DynamoDB's 400 KB item limit ({MAX_ITEM_BYTES} bytes)",
            size=size,
        )
