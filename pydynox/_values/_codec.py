"""Convert Python values to DynamoDB attribute values and back.

The wire shape is botocore's Python shape (``{"S": "x"}``, ``{"N": "1.5"}``, ``{"B": b"..."}``
with raw bytes). Numbers are written as exact, normalised decimal text and read back as
``int`` (when integral) or ``Decimal`` — never ``float`` — so nothing is lost either way.

This runs on every read and write, so dispatch is a dict lookup on the exact type, with
``isinstance`` checks only as the fallback for subclasses. Error paths are not built while
serializing: a refusal collects its path segments as it unwinds, and the public functions
turn it into a :class:`~pydynox.exceptions.SerializationException` naming the attribute.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import enum
import math
import reprlib
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from pydynox.exceptions import ConnectionException, SerializationException

__all__ = [
    "MAX_DIGITS",
    "AttributeValue",
    "deserialize_item",
    "deserialize_number",
    "deserialize_value",
    "serialize_item",
    "serialize_number",
    "serialize_value",
]

AttributeValue = dict[str, Any]

MAX_DIGITS = 38
# DynamoDB's range: a non-zero magnitude within 1E-130 .. 9.99..9E+125 (38 nines).
_MIN_ADJUSTED = -130
_MAX_ADJUSTED = 125
# Positional text up to this length; longer numbers are written as "1.5E+50".
_MAX_PLAIN_CHARS = 40

# Ints strictly inside these bounds have at most 38 digits: str() is already the answer.
_INT_FAST = 10**MAX_DIGITS
# Ints at or beyond this are out of range (checked before str(), which is slow and capped
# for enormous ints).
_INT_TOO_BIG = 10 ** (_MAX_ADJUSTED + 1)
# Integral floats below this are exactly their int (and equal their shortest repr).
_FLOAT_EXACT_INT = float(2**53)

_UTC = _dt.timezone.utc
_EMPTY_SET_MESSAGE = "an empty set cannot be stored"


class _Refusal(Exception):
    """Internal: a value was refused; ``parts`` holds path segments, innermost first."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.parts: list[str] = []


def _full_path(prefix: str, parts: list[str]) -> str:
    path = prefix + "".join(reversed(parts))
    return path[1:] if not prefix and path.startswith(".") else path


def _to_exception(refusal: _Refusal, prefix: str) -> SerializationException:
    return SerializationException(refusal.message, path=_full_path(prefix, refusal.parts))


# --------------------------------------------------------------------------- numbers


def _format_number(negative: bool, coefficient: str, exponent: int) -> str:
    """Text for ``±coefficient * 10**exponent``; the coefficient has no leading zeros."""
    stripped = coefficient.rstrip("0")
    if not stripped:
        return "0"
    exponent += len(coefficient) - len(stripped)
    digits = len(stripped)
    if digits > MAX_DIGITS:
        raise _Refusal(
            f"a number with {digits} significant digits cannot be stored "
            f"(DynamoDB keeps at most {MAX_DIGITS})"
        )
    adjusted = exponent + digits - 1
    if adjusted > _MAX_ADJUSTED or adjusted < _MIN_ADJUSTED:
        raise _Refusal(
            f"a number of magnitude 1E{adjusted:+d} cannot be stored (DynamoDB numbers must be "
            "between 1E-130 and 9.9999999999999999999999999999999999999E+125)"
        )
    sign = "-" if negative else ""
    if exponent >= 0:
        length = len(sign) + digits + exponent
        if length <= _MAX_PLAIN_CHARS:
            return sign + stripped + "0" * exponent
    else:
        point = digits + exponent
        if point > 0:
            length = len(sign) + digits + 1
            if length <= _MAX_PLAIN_CHARS:
                return f"{sign}{stripped[:point]}.{stripped[point:]}"
        else:
            length = len(sign) + 2 - point + digits
            if length <= _MAX_PLAIN_CHARS:
                return f"{sign}0.{'0' * -point}{stripped}"
    mantissa = stripped if digits == 1 else f"{stripped[0]}.{stripped[1:]}"
    return f"{sign}{mantissa}E{adjusted:+d}"


def _int_text(value: int) -> str:
    if -_INT_FAST < value < _INT_FAST:
        return str(value)
    if value >= _INT_TOO_BIG or value <= -_INT_TOO_BIG:
        raise _Refusal(
            "an integer this large cannot be stored (DynamoDB numbers must be below 1E+126)"
        )
    negative = value < 0
    return _format_number(negative, str(-value if negative else value), 0)


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise _Refusal(
            "NaN cannot be stored in DynamoDB"
            if value.is_nan()
            else "infinity cannot be stored in DynamoDB"
        )
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite, so never the 'n'/'N'/'F' markers
    return _format_number(bool(sign), "".join(map(str, digits)), exponent)


def _float_text(value: float) -> str:
    if not math.isfinite(value):
        raise _Refusal(
            "NaN cannot be stored in DynamoDB"
            if value != value
            else "infinity cannot be stored in DynamoDB"
        )
    if value.is_integer() and -_FLOAT_EXACT_INT <= value <= _FLOAT_EXACT_INT:
        return str(int(value))  # also turns -0.0 into "0"
    # repr() is the shortest text that reads back as the same float.
    return _decimal_text(Decimal(repr(value)))


def _number_text(value: Any) -> str:
    kind = type(value)
    if kind is int:
        return _int_text(value)
    if kind is float:
        return _float_text(value)
    if kind is Decimal:
        return _decimal_text(value)
    if isinstance(value, bool):
        raise _Refusal("a bool is not a number")
    if isinstance(value, int):
        return _int_text(int(value))
    if isinstance(value, float):
        return _float_text(float(value))
    if isinstance(value, Decimal):
        return _decimal_text(value)
    raise _Refusal(f"cannot store a value of type {kind.__name__} as a number")


def serialize_number(value: int | float | Decimal, path: str = "") -> str:
    """Exact, normalised DynamoDB number text for ``value`` ("3", "1.5", "1E+50").

    Raises :class:`SerializationException` for NaN, infinities, more than 38 significant
    digits, or a magnitude outside DynamoDB's range.
    """
    try:
        return _number_text(value)
    except _Refusal as refusal:
        raise _to_exception(refusal, path) from None


def deserialize_number(text: str) -> int | Decimal:
    """Read DynamoDB number text: ``int`` when integral ("1E+2" -> 100), else ``Decimal``."""
    try:
        if text.isdigit() or ("." not in text and "e" not in text and "E" not in text):
            return int(text)
        number = Decimal(text)
    except (ValueError, decimal.InvalidOperation):
        raise SerializationException(f"not a DynamoDB number: {text[:50]!r}") from None
    if not number.is_finite():
        raise SerializationException(f"not a DynamoDB number: {text[:50]!r}")
    if number == number.to_integral_value():
        return int(number)
    return number


# --------------------------------------------------------------------------- serialize


def _ser_str(value: Any) -> AttributeValue:
    return {"S": value}


def _ser_bool(value: Any) -> AttributeValue:
    return {"BOOL": value}


def _ser_int(value: Any) -> AttributeValue:
    return {"N": _int_text(value)}


def _ser_float(value: Any) -> AttributeValue:
    return {"N": _float_text(value)}


def _ser_decimal(value: Any) -> AttributeValue:
    return {"N": _decimal_text(value)}


def _ser_none(value: Any) -> AttributeValue:
    return {"NULL": True}


def _ser_bytes(value: Any) -> AttributeValue:
    return {"B": value}


def _ser_bytes_copy(value: Any) -> AttributeValue:
    return {"B": bytes(value)}


def _ser_datetime(value: Any) -> AttributeValue:
    try:
        value = value.replace(tzinfo=_UTC) if value.tzinfo is None else value.astimezone(_UTC)
    except OverflowError:
        raise _Refusal("this datetime cannot be converted to UTC") from None
    return {"S": value.isoformat(timespec="microseconds")}


def _ser_date(value: Any) -> AttributeValue:
    return {"S": value.isoformat()}


def _ser_uuid(value: Any) -> AttributeValue:
    return {"S": str(value)}


def _ser_list(value: Any) -> AttributeValue:
    try:
        return {"L": [_serialize(member) for member in value]}
    except _Refusal:
        pass
    # Error path only: serialize again one by one to learn which member was refused.
    for index, member in enumerate(value):
        try:
            _serialize(member)
        except _Refusal as refusal:
            refusal.parts.append(f"[{index}]")
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _ser_map(value: Any) -> AttributeValue:
    out: dict[str, AttributeValue] = {}
    for key, member in value.items():
        if type(key) is not str and not isinstance(key, str):
            raise _Refusal(f"map keys must be strings, not {type(key).__name__} ({key!r:.50})")
        if not key:
            raise _Refusal("map keys cannot be empty: DynamoDB attribute names are 1 or more long")
        if isinstance(member, (set, frozenset)) and not member:
            continue  # DynamoDB has no empty set: leave the key out
        try:
            out[key] = _serialize(member)
        except _Refusal as refusal:
            refusal.parts.append(f".{key}")
            raise
    return {"M": out}


def _ser_model(value: Any) -> AttributeValue:
    return _ser_map(value.model_dump(mode="python"))


def _ser_enum(value: Any) -> AttributeValue:
    return _serialize(value.value)


def _ser_set(value: Any) -> AttributeValue:
    if not value:
        raise _Refusal(_EMPTY_SET_MESSAGE)
    kinds = {type(member) for member in value}
    if kinds == {str}:
        return {"SS": sorted(value)}
    if kinds <= _NUMBER_TYPES:
        return {"NS": sorted({_number_text(member) for member in value})}
    if kinds <= _BYTES_TYPES:
        return {"BS": sorted({bytes(member) for member in value})}
    # Subclasses (enum members, str or int subclasses) take the slower look at each member.
    members = [member.value if isinstance(member, enum.Enum) else member for member in value]
    if all(isinstance(member, str) for member in members):
        return {"SS": sorted({str.__str__(member) for member in members})}
    if all(_is_number(member) for member in members):
        return {"NS": sorted({_number_text(member) for member in members})}
    if all(isinstance(member, (bytes, bytearray, memoryview)) for member in members):
        return {"BS": sorted({bytes(member) for member in members})}
    names = ", ".join(sorted({kind.__name__ for kind in kinds}))
    raise _Refusal(
        f"a set must hold only strings, only numbers or only bytes; this one holds {names}"
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


_NUMBER_TYPES = frozenset({int, float, Decimal})
_BYTES_TYPES = frozenset({bytes, bytearray, memoryview})

_SERIALIZERS: dict[type, Callable[[Any], AttributeValue]] = {
    str: _ser_str,
    bool: _ser_bool,
    int: _ser_int,
    float: _ser_float,
    Decimal: _ser_decimal,
    type(None): _ser_none,
    dict: _ser_map,
    list: _ser_list,
    tuple: _ser_list,
    set: _ser_set,
    frozenset: _ser_set,
    bytes: _ser_bytes,
    bytearray: _ser_bytes_copy,
    memoryview: _ser_bytes_copy,
    _dt.datetime: _ser_datetime,
    _dt.date: _ser_date,
    uuid.UUID: _ser_uuid,
}


def _serialize_subclass(value: Any) -> AttributeValue:
    # Order matters: enums before the str/int they may derive from, datetime before date.
    if isinstance(value, enum.Enum):
        return _ser_enum(value)
    if hasattr(type(value), "__pydantic_fields__"):  # a pydantic model: its dump
        return _ser_model(value)
    if isinstance(value, str):
        return {"S": str.__str__(value)}
    if isinstance(value, int):
        return {"N": _int_text(int(value))}
    if isinstance(value, float):
        return {"N": _float_text(float(value))}
    if isinstance(value, Decimal):
        return _ser_decimal(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _ser_bytes_copy(value)
    if isinstance(value, _dt.datetime):
        return _ser_datetime(value)
    if isinstance(value, _dt.date):
        return _ser_date(value)
    if isinstance(value, uuid.UUID):
        return _ser_uuid(value)
    if isinstance(value, Mapping):
        return _ser_map(value)
    if isinstance(value, (list, tuple)):
        return _ser_list(value)
    if isinstance(value, (set, frozenset)):
        return _ser_set(value)
    raise _Refusal(f"cannot store a value of type {type(value).__name__}")


def _serialize(value: Any) -> AttributeValue:
    serializer = _SERIALIZERS.get(type(value))
    if serializer is not None:
        return serializer(value)
    return _serialize_subclass(value)


def serialize_value(value: Any, path: str = "") -> AttributeValue:
    """One Python value as a DynamoDB attribute value (``None`` becomes ``NULL``).

    ``path`` is the attribute path of ``value``, used to name the bad value in a
    :class:`SerializationException`.
    """
    try:
        return _serialize(value)
    except _Refusal as refusal:
        raise _to_exception(refusal, path) from None


def serialize_item(item: Mapping[str, Any], path: str = "") -> dict[str, AttributeValue]:
    """A whole item as DynamoDB attributes.

    Attributes that are ``None`` or an empty set are left out, so the item stays out of
    sparse indexes and no empty set (which DynamoDB refuses) is sent.
    """
    out: dict[str, AttributeValue] = {}
    for name, value in item.items():
        if value is None:
            continue
        if type(name) is not str and not isinstance(name, str):
            raise SerializationException(
                f"attribute names must be strings, not {type(name).__name__} ({name!r:.50})",
                path=path,
            )
        if isinstance(value, (set, frozenset)) and not value:
            continue  # DynamoDB has no empty set: leave the attribute out
        try:
            out[name] = _serialize(value)
        except _Refusal as refusal:
            refusal.parts.append(f".{name}")
            raise _to_exception(refusal, path) from None
    return out


# --------------------------------------------------------------------------- deserialize
#
# Attribute values to read come from DynamoDB's answers. The fast path trusts their shape;
# a malformed one (a wrong tag, a number that is not text, a list where a map belongs) fails
# on the way, and the public functions turn that failure into ConnectionException: it is
# the endpoint's fault, never the caller's. The happy path pays nothing for this.


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
