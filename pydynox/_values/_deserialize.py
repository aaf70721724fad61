"""Deserialize: DynamoDB attribute values from DynamoDB's answers -> Python values.

Numbers come back as ``int`` (when integral) or ``Decimal`` (``_numbers``), sets as ``set``,
binary as ``bytes``. This runs on every read: the fast path trusts the answer's shape; a
malformed one (a wrong tag, a number that is not text, a list where a map belongs) fails on
the way, and the public functions turn that failure into ``ConnectionException(sent=True)``
naming the innermost bad value: it is the endpoint's fault, never the caller's. The happy path
pays nothing for this.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Mapping
from typing import Any

from pydynox._values._numbers import deserialize_number
from pydynox.exceptions import ConnectionException, SerializationException

__all__ = ["deserialize_item", "deserialize_value"]


class _Malformed(Exception):
    """Internal: an attribute value that is not in DynamoDB's shape."""


# What a malformed attribute value raises on its way through the functions below.
_BROKEN = (
    _Malformed,
    SerializationException,
    AttributeError,
    KeyError,
    TypeError,
    ValueError,
    RecursionError,
)
_MAX_DEPTH = 40  # DynamoDB nests at most 32 levels; the error path looks no deeper
_show = reprlib.Repr()  # bounded in length and depth, whatever the endpoint sent
_show.maxstring = _show.maxother = 60


def _de_s(value: Any) -> Any:
    if type(value) is not str:
        raise _Malformed
    return value


def _de_n(value: Any) -> Any:
    return deserialize_number(value)


def _de_bool(value: Any) -> Any:
    if type(value) is not bool:
        raise _Malformed
    return value


def _bytes(value: Any) -> bytes:
    if type(value) is bytes:
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    raise _Malformed  # bytes(5) would be five zero bytes


def _de_null(value: Any) -> Any:
    if value is not True:
        raise _Malformed
    return None


def _de_l(value: Any) -> Any:
    if type(value) is not list:
        raise _Malformed
    return [_deserialize(member) for member in value]


def _de_m(value: Any) -> Any:
    if type(value) is not dict:
        raise _Malformed
    return {key: _deserialize(member) for key, member in value.items()}


def _de_ss(value: Any) -> Any:
    if type(value) is not list:
        raise _Malformed  # set("abc") would be three letters
    return set(value)


def _de_ns(value: Any) -> Any:
    if type(value) is not list:
        raise _Malformed
    return {deserialize_number(member) for member in value}


def _de_bs(value: Any) -> Any:
    if type(value) is not list:
        raise _Malformed
    return {_bytes(member) for member in value}


_DESERIALIZERS: dict[str, Callable[[Any], Any]] = {
    "S": _de_s,
    "N": _de_n,
    "BOOL": _de_bool,
    "B": _bytes,
    "NULL": _de_null,
    "L": _de_l,
    "M": _de_m,
    "SS": _de_ss,
    "NS": _de_ns,
    "BS": _de_bs,
}


def _deserialize(av: Mapping[str, Any]) -> Any:
    # The common one-tag dicts first, one look-up each; anything else takes the checked path.
    # (The S value's type is not checked: that alone would cost a tenth of the time.)
    if type(av) is dict and len(av) == 1:
        value = av.get("S")
        if value is not None:
            return value
        value = av.get("N")
        if value is not None:
            return deserialize_number(value)
        value = av.get("M")
        if type(value) is dict:
            return {key: _deserialize(member) for key, member in value.items()}
        value = av.get("L")
        if type(value) is list:
            return [_deserialize(member) for member in value]
        value = av.get("BOOL")
        if type(value) is bool:
            return value
    ((tag, value),) = av.items()
    return _DESERIALIZERS[tag](value)


def _fails(av: Any) -> bool:
    try:
        _deserialize(av)
    except _BROKEN:
        return True
    return False


def _culprit(av: Any, path: str) -> tuple[str, Any]:
    """Error path only: the innermost malformed attribute value in ``av`` and its path."""
    for _ in range(_MAX_DEPTH):
        members: Any = ()
        if type(av) is dict and len(av) == 1:
            if type(nested := av.get("M")) is dict:
                members = ((f"{path}.{key}", member) for key, member in nested.items())
            elif type(nested := av.get("L")) is list:
                members = ((f"{path}[{i}]", member) for i, member in enumerate(nested))
        for where, member in members:
            if _fails(member):
                path, av = where, member
                break
        else:
            return path, av
    return path, av


def _malformed(av: Any, path: str) -> ConnectionException:
    where, bad = _culprit(av, path)
    where = where[1:] if not path and where.startswith(".") else where
    shown = f"{where} = {_show.repr(bad)}" if where else _show.repr(bad)
    return ConnectionException(
        f"DynamoDB's answer holds an attribute value that is not in DynamoDB's shape: {shown}",
        sent=True,
    )


def deserialize_value(av: Mapping[str, Any]) -> Any:
    """One DynamoDB attribute value as Python (numbers as ``int`` or ``Decimal``).

    A value that is not in DynamoDB's shape raises ``ConnectionException(sent=True)``."""
    try:
        return _deserialize(av)
    except _BROKEN:
        raise _malformed(av, "") from None


def deserialize_item(item: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """A whole DynamoDB item as a dict of Python values.

    An item or attribute value that is not in DynamoDB's shape raises
    ``ConnectionException(sent=True)`` naming the attribute."""
    try:
        return {name: _deserialize(av) for name, av in item.items()}
    except _BROKEN:
        pass
    if not isinstance(item, Mapping):
        raise ConnectionException(
            "DynamoDB's answer holds an item that is not in DynamoDB's shape (a map of "
            f"attribute values): {_show.repr(item)}",
            sent=True,
        )
    name, av = next(((name, av) for name, av in item.items() if _fails(av)), ("", item))
    raise _malformed(av, str(name))
