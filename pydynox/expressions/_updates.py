"""Update actions (SET, REMOVE, ADD, DELETE) and the UpdateExpression they render into.

Actions are immutable and built from :class:`~pydynox.expressions.Attr` methods
(``Attr("n").add(1)``). :func:`render_update` groups them by clause and refuses, before
anything is sent, an empty update or two actions whose paths overlap (DynamoDB would
refuse the request: "Two document paths overlap").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from pydynox.exceptions import ValidationException
from pydynox.expressions._operands import Operand
from pydynox.expressions._placeholders import Placeholders

if TYPE_CHECKING:
    from pydynox.expressions._path import Attr

__all__ = [
    "Add",
    "Delete",
    "ListAppend",
    "Remove",
    "Set",
    "SetIfNotExists",
    "UpdateAction",
    "render_update",
]

Clause = Literal["SET", "REMOVE", "ADD", "DELETE"]
_CLAUSES: tuple[Clause, ...] = ("SET", "REMOVE", "ADD", "DELETE")

_ADD_TYPES = frozenset({"N", "SS", "NS", "BS"})
_SET_TYPES = frozenset({"SS", "NS", "BS"})


@dataclass(frozen=True, eq=False, slots=True)
class UpdateAction:
    """One action of an UpdateExpression on ``path``; ``clause`` is its keyword."""

    path: Attr
    clause: ClassVar[Clause]

    def render(self, ph: Placeholders) -> str:
        """The text after the clause keyword, e.g. ``#n0 = :v0``."""
        raise NotImplementedError


@dataclass(frozen=True, eq=False, slots=True)
class Set(UpdateAction):
    """``SET path = operand`` (a value or another path)."""

    operand: Operand
    clause: ClassVar[Clause] = "SET"

    def render(self, ph: Placeholders) -> str:
        path = ph.path(self.path)
        return f"{path} = {self.operand.render(ph)}"


@dataclass(frozen=True, eq=False, slots=True)
class SetIfNotExists(UpdateAction):
    """``SET path = if_not_exists(path, operand)``: write only if the attribute is missing."""

    operand: Operand
    clause: ClassVar[Clause] = "SET"

    def render(self, ph: Placeholders) -> str:
        path = ph.path(self.path)
        return f"{path} = if_not_exists({path}, {self.operand.render(ph)})"


@dataclass(frozen=True, eq=False, slots=True)
class ListAppend(UpdateAction):
    """Append (or prepend) to a list, starting from ``[]`` when the attribute is missing."""

    values: Any
    prepend: bool
    clause: ClassVar[Clause] = "SET"

    def render(self, ph: Placeholders) -> str:
        path = ph.path(self.path)
        empty = ph.raw_value({"L": []})
        values = ph.value(self.values, str(self.path))
        _check_type(ph, values, frozenset({"L"}), self.path, "append/prepend needs a list")
        current = f"if_not_exists({path}, {empty})"
        if self.prepend:
            return f"{path} = list_append({values}, {current})"
        return f"{path} = list_append({current}, {values})"


@dataclass(frozen=True, eq=False, slots=True)
class Remove(UpdateAction):
    """``REMOVE path``: delete the attribute (or list element)."""

    clause: ClassVar[Clause] = "REMOVE"

    def render(self, ph: Placeholders) -> str:
        return ph.path(self.path)


@dataclass(frozen=True, eq=False, slots=True)
class Add(UpdateAction):
    """``ADD path value``: add to a number, or add members to a set."""

    value: Any
    clause: ClassVar[Clause] = "ADD"

    def render(self, ph: Placeholders) -> str:
        path = ph.path(self.path)
        value = ph.value(self.value, str(self.path))
        _check_type(ph, value, _ADD_TYPES, self.path, "ADD needs a number or a non-empty set")
        return f"{path} {value}"


@dataclass(frozen=True, eq=False, slots=True)
class Delete(UpdateAction):
    """``DELETE path value``: remove members from a set."""

    value: Any
    clause: ClassVar[Clause] = "DELETE"

    def render(self, ph: Placeholders) -> str:
        path = ph.path(self.path)
        value = ph.value(self.value, str(self.path))
        _check_type(ph, value, _SET_TYPES, self.path, "DELETE needs a non-empty set")
        return f"{path} {value}"


def _check_type(
    ph: Placeholders, key: str, allowed: frozenset[str], path: Attr, message: str
) -> None:
    # The value was checked when the action was built, but the convert hook may have
    # changed its shape since; this checks what DynamoDB will actually receive.
    (tag,) = ph.values[key]
    if tag not in allowed:
        raise ValidationException(f"{path}: {message}, got a DynamoDB {tag} value")


def render_update(actions: Sequence[UpdateAction], ph: Placeholders) -> str:
    """The UpdateExpression for ``actions``: ``SET ... REMOVE ... ADD ... DELETE ...``.

    Clauses come in that order; actions keep their given order within a clause.
    """
    actions = tuple(actions)
    if not actions:
        raise ValidationException("an update needs at least one action")
    for action in actions:
        if not isinstance(action, UpdateAction):
            raise TypeError(f"expected an UpdateAction, got {type(action).__name__}")
    _check_overlaps(actions)
    # Rendered clause by clause so that placeholders are numbered in reading order.
    rendered: list[str] = []
    for clause in _CLAUSES:
        parts = [action.render(ph) for action in actions if action.clause == clause]
        if parts:
            rendered.append(f"{clause} {', '.join(parts)}")
    return " ".join(rendered)


def _check_overlaps(actions: tuple[UpdateAction, ...]) -> None:
    # Segment tuples, not Attr objects: Attr.__eq__ builds a Condition.
    seen: list[tuple[str | int, ...]] = []
    for action in actions:
        segments = action.path.segments
        for index, other in enumerate(seen):
            shorter = min(len(segments), len(other))
            if segments[:shorter] == other[:shorter]:
                first, second = actions[index].path, action.path
                if segments == other:
                    raise ValidationException(f"two update actions on the same path {str(first)!r}")
                raise ValidationException(
                    f"update actions on overlapping paths {str(first)!r} and {str(second)!r}"
                )
        seen.append(segments)
