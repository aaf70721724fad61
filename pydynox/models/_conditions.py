"""The ``condition=`` arguments of model methods: what they take, checked, and combined."""

from __future__ import annotations

from pydynox.exceptions import ValidationException
from pydynox.expressions import Condition

__all__ = ["ConditionArg", "all_of", "checked_condition"]


ConditionArg = Condition | bool | None
"""``condition=`` takes a Condition. ``bool`` is admitted for type checkers only, which see
``User.age > 3`` as a bool; a real bool is refused at run time."""


def checked_condition(condition: ConditionArg) -> Condition | None:
    if condition is None or isinstance(condition, Condition):
        return condition
    raise ValidationException(
        f"condition must be built from attribute paths (User.age > 3), not {condition!r}"
    )


def all_of(*conditions: Condition | None) -> Condition | None:
    result: Condition | None = None
    for condition in conditions:
        if condition is not None:
            result = condition if result is None else result & condition
    return result
