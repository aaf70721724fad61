"""Operands: what conditions compare and update actions write.

An operand is an attribute path (:class:`~pydynox.expressions.Attr`), ``size(path)``
(:class:`~pydynox.expressions.Size`), or a value. Values are held here until rendering,
when they are serialised into the request's :class:`Placeholders`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from pydynox.expressions._placeholders import Placeholders

__all__ = ["Operand", "RawValue", "Value"]


class Operand(Protocol):
    """Anything that renders itself as expression text into a placeholder registry."""

    def render(self, ph: Placeholders) -> str: ...


@dataclass(frozen=True, eq=False, slots=True)
class Value:
    """A Python value (already converted); ``path`` names its attribute in errors."""

    value: Any
    path: str

    def render(self, ph: Placeholders) -> str:
        return ph.value(self.value, self.path)


@dataclass(frozen=True, eq=False, slots=True)
class RawValue:
    """An attribute value that is already in DynamoDB's shape, e.g. ``{"S": "N"}``."""

    attribute_value: dict[str, Any]

    def render(self, ph: Placeholders) -> str:
        return ph.raw_value(self.attribute_value)
