"""Attribute paths (:class:`Attr`) and ``size(path)`` (:class:`Size`).

``Attr("address.city")`` parses dotted / bracket syntax; ``Attr.of("a.b")`` takes literal
segments, for attribute names that contain dots or brackets. Their comparison operators
and methods build conditions and update actions; nothing is rendered until a request is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any, NoReturn

from pydynox.exceptions import ValidationException
from pydynox.expressions._conditions import Between, Comparison, Condition, Function, In
from pydynox.expressions._operands import Operand, RawValue, Value
from pydynox.expressions._placeholders import Placeholders
from pydynox.expressions._updates import (
    Add,
    Delete,
    ListAppend,
    Remove,
    Set,
    SetIfNotExists,
    UpdateAction,
)

__all__ = ["Attr", "Size"]

Segment = str | int

_DIGITS = re.compile(r"[0-9]+")
_MAX_IN_VALUES = 100
_TYPE_CODES = frozenset({"S", "SS", "N", "NS", "B", "BS", "BOOL", "NULL", "L", "M"})


def _parse(path: str) -> tuple[Segment, ...]:
    """``"a.b[2].c"`` -> ``("a", "b", 2, "c")``."""
    if not isinstance(path, str):
        raise ValidationException(f"an attribute path must be a string, got {path!r}")
    if not path:
        raise ValidationException("an attribute path cannot be empty")

    def fail(reason: str) -> NoReturn:
        raise ValidationException(f"invalid attribute path {path!r}: {reason}")

    segments: list[Segment] = []
    position = 0
    end = len(path)
    while True:
        start = position
        while position < end and path[position] not in ".[]":
            position += 1
        if position == start:
            if position < end and path[position] == "[":
                if not segments:
                    fail("it must start with an attribute name, not a list index")
                fail(f"a list index must follow an attribute name (position {position})")
            fail(f"empty attribute name at position {position}")
        segments.append(path[start:position])
        while position < end and path[position] == "[":
            close = path.find("]", position)
            if close == -1:
                fail(f"'[' at position {position} is never closed")
            index = path[position + 1 : close]
            if not _DIGITS.fullmatch(index):
                fail(f"list index {index!r} is not a non-negative integer")
            segments.append(int(index))
            position = close + 1
        if position == end:
            return tuple(segments)
        if path[position] != ".":
            fail(f"unexpected {path[position]!r} at position {position}; expected '.' or '['")
        position += 1


def _check_segment(segment: object) -> Segment:
    if isinstance(segment, str):
        if not segment:
            raise ValidationException("an attribute name cannot be empty")
        return segment
    if isinstance(segment, int) and not isinstance(segment, bool):
        if segment < 0:
            raise ValidationException(f"a list index cannot be negative, got {segment}")
        return segment
    raise ValidationException(
        f"a path segment must be an attribute name (str) or a list index (int), got {segment!r}"
    )


def _text(segments: tuple[Segment, ...]) -> str:
    parts: list[str] = []
    for segment in segments:
        if isinstance(segment, int):
            parts.append(f"[{segment}]")
        elif parts:
            parts.append("." + segment)
        else:
            parts.append(segment)
    return "".join(parts)


class _Comparable:
    """Comparison operators and ``between``, shared by ``Attr`` and ``Size``."""

    __slots__ = ()

    def _operand(self, value: Any) -> Operand:
        raise NotImplementedError

    def __eq__(self, other: object) -> Condition:  # type: ignore[override]
        return Comparison("=", self, self._operand(other))  # type: ignore[arg-type]

    def __ne__(self, other: object) -> Condition:  # type: ignore[override]
        return Comparison("<>", self, self._operand(other))  # type: ignore[arg-type]

    def __lt__(self, other: Any) -> Condition:
        return Comparison("<", self, self._operand(other))  # type: ignore[arg-type]

    def __le__(self, other: Any) -> Condition:
        return Comparison("<=", self, self._operand(other))  # type: ignore[arg-type]

    def __gt__(self, other: Any) -> Condition:
        return Comparison(">", self, self._operand(other))  # type: ignore[arg-type]

    def __ge__(self, other: Any) -> Condition:
        return Comparison(">=", self, self._operand(other))  # type: ignore[arg-type]

    def between(self, low: Any, high: Any) -> Condition:
        """``BETWEEN low AND high``, both ends included."""
        return Between(self, self._operand(low), self._operand(high))  # type: ignore[arg-type]


class Attr(_Comparable):
    """An attribute path: ``Attr("address.city")``, ``Attr("history[0]")``.

    Comparisons (``==``, ``<``...) and methods such as :meth:`begins_with` build a
    :class:`Condition`; :meth:`set`, :meth:`add`, :meth:`remove`... build an
    :class:`UpdateAction`. ``convert`` (if given) is applied to every value compared with or
    written to this path before it is serialised; children made with ``attr[key]`` do not
    inherit it, since they hold a different type.

    ``==`` builds a condition, so do not use Attrs in ``in`` tests or as dict keys mixed
    with other equal Attrs; compare ``.segments`` instead. Attrs are hashable.
    """

    __slots__ = ("convert", "segments")

    segments: tuple[Segment, ...]
    convert: Callable[[Any], Any] | None

    def __init__(self, path: str, *, convert: Callable[[Any], Any] | None = None) -> None:
        object.__setattr__(self, "segments", _parse(path))
        object.__setattr__(self, "convert", convert)

    @classmethod
    def of(cls, *segments: Segment, convert: Callable[[Any], Any] | None = None) -> Attr:
        """A path from literal segments, without parsing: ``Attr.of("a.b")`` is one name."""
        if not segments:
            raise ValidationException("Attr.of() needs at least one segment")
        if not isinstance(segments[0], str):
            raise ValidationException(
                f"a path must start with an attribute name, got {segments[0]!r}"
            )
        return cls._make(tuple(_check_segment(segment) for segment in segments), convert)

    @classmethod
    def _make(cls, segments: tuple[Segment, ...], convert: Callable[[Any], Any] | None) -> Attr:
        attr = cls.__new__(cls)
        object.__setattr__(attr, "segments", segments)
        object.__setattr__(attr, "convert", convert)
        return attr

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Attr is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Attr is immutable")

    # Immutable, so copies can be the object itself; pickling must bypass __setattr__.
    def __copy__(self) -> Attr:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Attr:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Attr._make, (self.segments, self.convert))

    def __getitem__(self, key: str | int) -> Attr:
        """A child: a map key (str, taken literally) or a list index (int >= 0)."""
        return Attr._make((*self.segments, _check_segment(key)), None)

    def __iter__(self) -> Iterator[Any]:
        # Without this, __getitem__ would make Attr iterable -- forever.
        raise TypeError("Attr is not iterable")

    def __contains__(self, item: object) -> bool:
        raise TypeError("'in' cannot test an attribute; use Attr.contains() for a condition")

    def __str__(self) -> str:
        return _text(self.segments)

    def __repr__(self) -> str:
        text = _text(self.segments)
        try:
            if _parse(text) == self.segments:
                return f"Attr({text!r})"
        except ValidationException:
            pass
        return f"Attr.of({', '.join(map(repr, self.segments))})"

    def __hash__(self) -> int:
        return hash(self.segments)

    def render(self, ph: Placeholders) -> str:
        """The path in placeholders, e.g. ``#n0.#n1[3]``."""
        return ph.path(self)

    def _converted(self, value: Any) -> Any:
        return value if self.convert is None else self.convert(value)

    def _operand(self, value: Any) -> Operand:
        """``value`` as an operand: paths and sizes as they are, values converted."""
        if isinstance(value, (Attr, Size)):
            return value
        return Value(self._converted(value), str(self))

    # ------------------------------------------------------------------ conditions

    def begins_with(self, prefix: Any) -> Condition:
        """``begins_with(path, prefix)``. The prefix is not passed through ``convert``."""
        return Function("begins_with", (self, _unconverted(prefix, self)))

    def contains(self, value: Any) -> Condition:
        """``contains(path, value)``: a substring, or a member of a set or list.

        The value is not passed through ``convert``: it is a part of the attribute, not a
        whole value of its type.
        """
        return Function("contains", (self, _unconverted(value, self)))

    def exists(self) -> Condition:
        """``attribute_exists(path)``."""
        return Function("attribute_exists", (self,))

    def not_exists(self) -> Condition:
        """``attribute_not_exists(path)``."""
        return Function("attribute_not_exists", (self,))

    def is_in(self, values: Iterable[Any]) -> Condition:
        """``path IN (v0, v1, ...)`` with 1 to 100 values."""
        if isinstance(values, (str, bytes, bytearray)):
            raise ValidationException(
                f"{self}: is_in() takes a collection of values, "
                f"not a single {type(values).__name__}"
            )
        candidates = tuple(self._operand(value) for value in values)
        if not candidates:
            raise ValidationException(f"{self}: is_in() needs at least one value")
        if len(candidates) > _MAX_IN_VALUES:
            raise ValidationException(
                f"{self}: is_in() takes at most {_MAX_IN_VALUES} values, got {len(candidates)}"
            )
        return In(self, candidates)

    def attribute_type(self, type_code: str) -> Condition:
        """``attribute_type(path, type)`` with a DynamoDB type code such as ``"S"`` or ``"M"``."""
        if type_code not in _TYPE_CODES:
            raise ValidationException(
                f"{self}: unknown DynamoDB type {type_code!r}; expected one of "
                + ", ".join(sorted(_TYPE_CODES))
            )
        return Function("attribute_type", (self, RawValue({"S": type_code})))

    def size(self) -> Size:
        """``size(path)``, to compare: ``Attr("tags").size() > 3``."""
        return Size(self)

    # ------------------------------------------------------------------ updates

    def set(self, value: Any) -> UpdateAction:
        """``SET path = value``; ``value`` may also be another :class:`Attr`.

        An empty set becomes ``REMOVE path``: DynamoDB cannot store an empty set, and a
        missing attribute is how an empty set is stored (as ``update(tags=set())`` does).
        """
        if isinstance(value, (Attr, Size)):
            return Set(self, self._write_operand(value, "set"))
        converted = self._converted(value)
        if isinstance(converted, (set, frozenset)) and not converted:
            return Remove(self)
        return Set(self, Value(converted, str(self)))

    def set_if_not_exists(self, value: Any) -> UpdateAction:
        """``SET path = if_not_exists(path, value)``: only when the attribute is missing."""
        return SetIfNotExists(self, self._write_operand(value, "set_if_not_exists"))

    def add(self, value: Any) -> UpdateAction:
        """``ADD path value``: add a number, or add the members of a non-empty set."""
        converted = self._converted(value)
        if not (_is_number(converted) or _is_non_empty_set(converted)):
            raise ValidationException(
                f"{self}: add() takes a number or a non-empty set, got {_describe(converted)}"
            )
        return Add(self, converted)

    def delete(self, value: Any) -> UpdateAction:
        """``DELETE path value``: remove the members of a non-empty set from a set."""
        converted = self._converted(value)
        if not _is_non_empty_set(converted):
            raise ValidationException(
                f"{self}: delete() takes a non-empty set, got {_describe(converted)}"
            )
        return Delete(self, converted)

    def remove(self) -> UpdateAction:
        """``REMOVE path``: delete the attribute, or the list element."""
        return Remove(self)

    def append(self, values: list[Any] | tuple[Any, ...]) -> UpdateAction:
        """Append ``values`` to the list, creating it if it is missing."""
        return ListAppend(self, self._list_values(values, "append"), prepend=False)

    def prepend(self, values: list[Any] | tuple[Any, ...]) -> UpdateAction:
        """Put ``values`` in front of the list, creating it if it is missing."""
        return ListAppend(self, self._list_values(values, "prepend"), prepend=True)

    def _write_operand(self, value: Any, method: str) -> Operand:
        if isinstance(value, Size):
            raise ValidationException(f"{self}: {method}() cannot write size(); read it instead")
        return self._operand(value)

    def _list_values(self, values: Any, method: str) -> Any:
        if not isinstance(values, (list, tuple)):
            raise ValidationException(
                f"{self}: {method}() takes a list of values, got {_describe(values)}"
            )
        return self._converted(list(values))


class Size(_Comparable):
    """``size(path)``: the length of a string, binary, set, list or map attribute."""

    __slots__ = ("attr",)

    attr: Attr

    def __init__(self, attr: Attr) -> None:
        object.__setattr__(self, "attr", attr)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Size is immutable")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("Size is immutable")

    def __copy__(self) -> Size:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Size:
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Size, (self.attr,))

    def __repr__(self) -> str:
        return f"{self.attr!r}.size()"

    def __hash__(self) -> int:
        return hash(("size", self.attr.segments))

    def render(self, ph: Placeholders) -> str:
        return f"size({ph.path(self.attr)})"

    def _operand(self, value: Any) -> Operand:
        if isinstance(value, (Attr, Size)):
            return value
        return Value(value, f"size({self.attr})")


def _unconverted(value: Any, attr: Attr) -> Operand:
    if isinstance(value, (Attr, Size)):
        return value
    return Value(value, str(attr))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _is_non_empty_set(value: Any) -> bool:
    return isinstance(value, (set, frozenset)) and len(value) > 0


def _describe(value: Any) -> str:
    if isinstance(value, (set, frozenset)) and not value:
        return "an empty set"
    return f"a {type(value).__name__}"
