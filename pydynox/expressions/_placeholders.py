"""The per-request placeholder registry.

Every attribute name in an expression is written as ``#n0``, ``#n1``... and every value as
``:v0``, ``:v1``...; the registry remembers what each placeholder stands for and fills
``ExpressionAttributeNames`` / ``ExpressionAttributeValues``. Because all expressions of one
request (condition, update, projection, key condition, filter) must share those two maps,
one :class:`Placeholders` is created per request and every expression renders into it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from pydynox.exceptions import ValidationException

if TYPE_CHECKING:
    from pydynox.expressions._path import Attr

__all__ = ["Placeholders"]

_NAME_KEY = re.compile(r"#[A-Za-z0-9_]+")
_VALUE_KEY = re.compile(r":[A-Za-z0-9_]+")


def _serialize_value(value: Any, path: str = "") -> dict[str, Any]:
    """The codec's ``serialize_value``, imported on first use.

    The client package imports this one, so importing the codec at module level here
    could run into a half-initialised ``pydynox.client``.
    """
    from pydynox._values._codec import serialize_value

    return serialize_value(value, path)


class Placeholders:
    """One per request: the ``#name`` and ``:value`` placeholders its expressions use."""

    __slots__ = ("_name_keys", "_next_name", "_next_value", "names", "serialize", "values")

    def __init__(self, serialize: Callable[[Any, str], dict[str, Any]] = _serialize_value) -> None:
        self.serialize = serialize
        self.names: dict[str, str] = {}
        self.values: dict[str, dict[str, Any]] = {}
        # Attribute name -> its generated placeholder, so a name is registered only once.
        self._name_keys: dict[str, str] = {}
        self._next_name = 0
        self._next_value = 0

    def __repr__(self) -> str:
        return f"Placeholders(names={self.names!r}, values={self.values!r})"

    def name(self, name: str) -> str:
        """The placeholder for one attribute name; the same name always gets the same one."""
        if not isinstance(name, str) or not name:
            raise ValidationException(f"attribute names must be non-empty strings, got {name!r}")
        key = self._name_keys.get(name)
        if key is not None:
            return key
        while f"#n{self._next_name}" in self.names:
            self._next_name += 1
        key = f"#n{self._next_name}"
        self._next_name += 1
        self.names[key] = name
        self._name_keys[name] = key
        return key

    def path(self, path: Attr) -> str:
        """A whole attribute path in placeholders, e.g. ``#n0.#n1[3]``."""
        parts: list[str] = []
        for segment in path.segments:
            if isinstance(segment, int):
                parts.append(f"[{segment}]")
            elif parts:
                parts.append("." + self.name(segment))
            else:
                parts.append(self.name(segment))
        return "".join(parts)

    def value(self, value: Any, path: str = "") -> str:
        """A new placeholder for ``value``, serialised now; ``path`` names it in errors."""
        return self._store(self.serialize(value, path))

    def raw_value(self, attribute_value: Mapping[str, Any]) -> str:
        """A new placeholder for an already serialised attribute value, e.g. ``{"L": []}``."""
        return self._store(dict(attribute_value))

    def _store(self, attribute_value: dict[str, Any]) -> str:
        while f":v{self._next_value}" in self.values:
            self._next_value += 1
        key = f":v{self._next_value}"
        self._next_value += 1
        self.values[key] = attribute_value
        return key

    def add_names(self, names: Mapping[str, str]) -> None:
        """Register user-written name placeholders such as ``{"#pk": "pk"}``.

        Generated placeholders skip these keys. Nothing is registered if any entry is
        refused.
        """
        for key, name in names.items():
            if not isinstance(key, str) or not _NAME_KEY.fullmatch(key):
                raise ValidationException(
                    f"expression attribute name placeholder {key!r} must be '#' followed by "
                    "letters, digits or '_'"
                )
            if not isinstance(name, str) or not name:
                raise ValidationException(
                    f"placeholder {key!r} must stand for a non-empty attribute name, got {name!r}"
                )
            existing = self.names.get(key)
            if existing is not None and existing != name:
                raise ValidationException(
                    f"placeholder {key!r} already stands for attribute {existing!r}; "
                    f"it cannot also stand for {name!r}"
                )
        self.names.update(names)

    def add_values(self, values: Mapping[str, Any]) -> None:
        """Register user-written value placeholders such as ``{":min": 3}`` (serialised here).

        Generated placeholders skip these keys. Nothing is registered if any entry is
        refused.
        """
        serialised: dict[str, dict[str, Any]] = {}
        for key, value in values.items():
            if not isinstance(key, str) or not _VALUE_KEY.fullmatch(key):
                raise ValidationException(
                    f"expression attribute value placeholder {key!r} must be ':' followed by "
                    "letters, digits or '_'"
                )
            attribute_value = self.serialize(value, key)
            existing = self.values.get(key)
            if existing is not None and existing != attribute_value:
                raise ValidationException(
                    f"placeholder {key!r} already stands for value {existing!r}; "
                    f"it cannot also stand for {attribute_value!r}"
                )
            serialised[key] = attribute_value
        self.values.update(serialised)

    def apply(self, params: dict[str, Any]) -> dict[str, Any]:
        """Set ``ExpressionAttributeNames`` / ``ExpressionAttributeValues`` when non-empty.

        DynamoDB refuses empty maps, so an empty one is left out. Returns ``params``.
        """
        if self.names:
            params["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            params["ExpressionAttributeValues"] = dict(self.values)
        return params
