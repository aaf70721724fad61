"""Condition nodes: comparisons, functions and their AND / OR / NOT combinations.

Nodes are immutable and render into a shared :class:`Placeholders`. Parentheses are added
only where DynamoDB's precedence (comparison > NOT > AND > OR) needs them, so
``(a | b) & c`` renders ``(A OR B) AND C`` while ``a & b | c`` renders ``A AND B OR C``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from pydynox.exceptions import ValidationException
from pydynox.expressions._operands import Operand
from pydynox.expressions._placeholders import Placeholders

__all__ = [
    "And",
    "Between",
    "Comparison",
    "Condition",
    "Function",
    "In",
    "Not",
    "Or",
    "and_all",
    "or_all",
    "render_condition",
]

# Binding strength, weakest first: a child weaker than its parent needs parentheses.
_OR = 1
_AND = 2
_NOT = 3
_ATOM = 4


class Condition:
    """Base of every condition. Combine with ``&``, ``|`` and ``~``."""

    __slots__ = ()
    _precedence: ClassVar[int] = _ATOM

    def render(self, ph: Placeholders) -> str:
        """Expression text, with every name and value registered in ``ph``."""
        raise NotImplementedError

    def _render_child(self, child: Condition, ph: Placeholders) -> str:
        text = child.render(ph)
        return f"({text})" if child._precedence < self._precedence else text

    # ``bool`` is admitted for type checkers, which see ``User.age > 3`` as a bool; at run
    # time that is a Condition, and a real bool is refused.
    def __and__(self, other: Condition | bool) -> Condition:
        return And(_parts(And, self) + _parts(And, _checked(other, "&")))

    def __rand__(self, other: Condition | bool) -> Condition:
        return And(_parts(And, _checked(other, "&")) + _parts(And, self))

    def __or__(self, other: Condition | bool) -> Condition:
        return Or(_parts(Or, self) + _parts(Or, _checked(other, "|")))

    def __ror__(self, other: Condition | bool) -> Condition:
        return Or(_parts(Or, _checked(other, "|")) + _parts(Or, self))

    def __invert__(self) -> Condition:
        return Not(self)

    def __bool__(self) -> bool:
        raise TypeError(
            "a pydynox Condition has no truth value (DynamoDB evaluates it, not Python): "
            "use & | ~ instead of and/or/not, and 'is' instead of == to test whether a "
            "variable holds an Attr or a Condition"
        )


def _checked(other: object, operator: str) -> Condition:
    if not isinstance(other, Condition):
        raise TypeError(f"{operator} combines conditions built from attribute paths, not {other!r}")
    return other


def _parts(kind: type[And] | type[Or], condition: Condition) -> tuple[Condition, ...]:
    """The children to splice into a new ``kind`` node, so that chains stay flat."""
    if isinstance(condition, kind):
        return condition.children
    return (condition,)


@dataclass(frozen=True, eq=False, slots=True)
class Comparison(Condition):
    """``left <op> right`` with op one of ``= <> < <= > >=``."""

    operator: str
    left: Operand
    right: Operand

    def render(self, ph: Placeholders) -> str:
        left = self.left.render(ph)
        return f"{left} {self.operator} {self.right.render(ph)}"


@dataclass(frozen=True, eq=False, slots=True)
class Between(Condition):
    """``operand BETWEEN low AND high`` (both ends included)."""

    operand: Operand
    low: Operand
    high: Operand

    def render(self, ph: Placeholders) -> str:
        operand = self.operand.render(ph)
        low = self.low.render(ph)
        return f"{operand} BETWEEN {low} AND {self.high.render(ph)}"


@dataclass(frozen=True, eq=False, slots=True)
class In(Condition):
    """``operand IN (v0, v1, ...)``."""

    operand: Operand
    candidates: tuple[Operand, ...]

    def render(self, ph: Placeholders) -> str:
        operand = self.operand.render(ph)
        candidates = ", ".join(candidate.render(ph) for candidate in self.candidates)
        return f"{operand} IN ({candidates})"


@dataclass(frozen=True, eq=False, slots=True)
class Function(Condition):
    """A condition function: ``attribute_exists``, ``begins_with``, ``contains``..."""

    name: str
    arguments: tuple[Operand, ...]

    def render(self, ph: Placeholders) -> str:
        arguments = ", ".join(argument.render(ph) for argument in self.arguments)
        return f"{self.name}({arguments})"


@dataclass(frozen=True, eq=False, slots=True)
class And(Condition):
    """All children hold. Built by ``&``, which flattens chains."""

    children: tuple[Condition, ...]
    _precedence: ClassVar[int] = _AND

    def render(self, ph: Placeholders) -> str:
        return " AND ".join(self._render_child(child, ph) for child in self.children)


@dataclass(frozen=True, eq=False, slots=True)
class Or(Condition):
    """At least one child holds. Built by ``|``, which flattens chains."""

    children: tuple[Condition, ...]
    _precedence: ClassVar[int] = _OR

    def render(self, ph: Placeholders) -> str:
        return " OR ".join(self._render_child(child, ph) for child in self.children)


@dataclass(frozen=True, eq=False, slots=True)
class Not(Condition):
    """The child does not hold. ``~~c`` gives back ``c``."""

    child: Condition
    _precedence: ClassVar[int] = _NOT

    def render(self, ph: Placeholders) -> str:
        return "NOT " + self._render_child(self.child, ph)

    def __invert__(self) -> Condition:
        return self.child


def and_all(*conditions: Condition) -> Condition:
    """``c1 & c2 & ...``; one condition is returned as is. At least one is needed."""
    return _combine("and_all", conditions, And)


def or_all(*conditions: Condition) -> Condition:
    """``c1 | c2 | ...``; one condition is returned as is. At least one is needed."""
    return _combine("or_all", conditions, Or)


def _combine(
    function: str, conditions: tuple[Condition, ...], kind: type[And] | type[Or]
) -> Condition:
    if not conditions:
        raise ValidationException(f"{function}() needs at least one condition")
    for condition in conditions:
        if not isinstance(condition, Condition):
            raise TypeError(f"{function}() takes conditions, got {type(condition).__name__}")
    if len(conditions) == 1:
        return conditions[0]
    return kind(tuple(part for condition in conditions for part in _parts(kind, condition)))


def render_condition(cond: Condition, ph: Placeholders) -> str:
    """Render ``cond`` into ``ph``; the same as ``cond.render(ph)``."""
    if not isinstance(cond, Condition):
        raise TypeError(f"expected a Condition, got {type(cond).__name__}")
    return cond.render(ph)
