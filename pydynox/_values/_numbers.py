"""Exact DynamoDB numbers: the text written for a Python number, and the number read back.

Numbers are written as exact, normalised decimal text ("3", "1.5", "1E+50") and read back as
``int`` (when integral) or ``Decimal``, never ``float``, so nothing is lost either way. A value
DynamoDB cannot hold (NaN, infinities, more than 38 significant digits, a magnitude outside
its range) is refused.

Also home of :class:`Refusal`, the internal error the serializer (``_serialize``) raises too:
it collects path segments as it unwinds, and the public functions turn it into a
:class:`~pydynox.exceptions.SerializationException` naming the attribute.
"""

from __future__ import annotations

import decimal
import math
from decimal import Decimal
from typing import Any

from pydynox.exceptions import SerializationException

__all__ = [
    "MAX_DIGITS",
    "Refusal",
    "decimal_text",
    "deserialize_number",
    "float_text",
    "int_text",
    "number_text",
    "serialize_number",
    "to_exception",
]

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


class Refusal(Exception):
    """Internal: a value was refused; ``parts`` holds path segments, innermost first."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.parts: list[str] = []


def _full_path(prefix: str, parts: list[str]) -> str:
    path = prefix + "".join(reversed(parts))
    return path[1:] if not prefix and path.startswith(".") else path


def to_exception(refusal: Refusal, prefix: str) -> SerializationException:
    """The public error for ``refusal``, its path under ``prefix``."""
    return SerializationException(refusal.message, path=_full_path(prefix, refusal.parts))


def _format_number(negative: bool, coefficient: str, exponent: int) -> str:
    """Text for ``±coefficient * 10**exponent``; the coefficient has no leading zeros."""
    stripped = coefficient.rstrip("0")
    if not stripped:
        return "0"
    exponent += len(coefficient) - len(stripped)
    digits = len(stripped)
    if digits > MAX_DIGITS:
        raise Refusal(
            f"a number with {digits} significant digits cannot be stored "
            f"(DynamoDB keeps at most {MAX_DIGITS})"
        )
    adjusted = exponent + digits - 1
    if adjusted > _MAX_ADJUSTED or adjusted < _MIN_ADJUSTED:
        raise Refusal(
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


def int_text(value: int) -> str:
    """The text of an ``int``; raises :class:`Refusal` when out of DynamoDB's range."""
    if -_INT_FAST < value < _INT_FAST:
        return str(value)
    if value >= _INT_TOO_BIG or value <= -_INT_TOO_BIG:
        raise Refusal(
            "an integer this large cannot be stored (DynamoDB numbers must be below 1E+126)"
        )
    negative = value < 0
    return _format_number(negative, str(-value if negative else value), 0)


def decimal_text(value: Decimal) -> str:
    """The text of a ``Decimal``; raises :class:`Refusal` for one DynamoDB cannot hold."""
    if not value.is_finite():
        raise Refusal(
            "NaN cannot be stored in DynamoDB"
            if value.is_nan()
            else "infinity cannot be stored in DynamoDB"
        )
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite, so never the 'n'/'N'/'F' markers
    return _format_number(bool(sign), "".join(map(str, digits)), exponent)


def float_text(value: float) -> str:
    """The shortest exact text of a ``float``; raises :class:`Refusal` for NaN, infinities."""
    if not math.isfinite(value):
        raise Refusal(
            "NaN cannot be stored in DynamoDB"
            if value != value
            else "infinity cannot be stored in DynamoDB"
        )
    if value.is_integer() and -_FLOAT_EXACT_INT <= value <= _FLOAT_EXACT_INT:
        return str(int(value))  # also turns -0.0 into "0"
    # repr() is the shortest text that reads back as the same float.
    return decimal_text(Decimal(repr(value)))


def number_text(value: Any) -> str:
    """The text of any number (subclasses included); raises :class:`Refusal` otherwise."""
    kind = type(value)
    if kind is int:
        return int_text(value)
    if kind is float:
        return float_text(value)
    if kind is Decimal:
        return decimal_text(value)
    if isinstance(value, bool):
        raise Refusal("a bool is not a number")
    if isinstance(value, int):
        return int_text(int(value))
    if isinstance(value, float):
        return float_text(float(value))
    if isinstance(value, Decimal):
        return decimal_text(value)
    raise Refusal(f"cannot store a value of type {kind.__name__} as a number")


def serialize_number(value: int | float | Decimal, path: str = "") -> str:
    """Exact, normalised DynamoDB number text for ``value`` ("3", "1.5", "1E+50").

    Raises :class:`SerializationException` for NaN, infinities, more than 38 significant
    digits, or a magnitude outside DynamoDB's range.
    """
    try:
        return number_text(value)
    except Refusal as refusal:
        raise to_exception(refusal, path) from None


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
