"""``Writable``: the one contract between the client's writers and what they store.

``BatchWriter``, ``SyncBatchWriter``, ``Transaction`` and ``SyncTransaction`` take plain
dicts or objects implementing this protocol; they never look inside a model. pydynox models
implement it (``pydynox.models``); the client does not import them. Each ``_*_action`` runs the
object's ``before_*`` hooks and version rules and returns the action to send with a callback to
run once DynamoDB applied it (the new version kept, ``after_*`` hooks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from pydynox._protocol._actions import ConditionCheck, Delete, Put, Update
from pydynox.expressions import Condition, UpdateAction

if TYPE_CHECKING:
    from pydynox.client._client import DynamoDBClient

__all__ = ["Done", "Writable", "writable_class"]

Done = Callable[[], None]
"""Run after DynamoDB applied an action: versions kept, ``after_*`` hooks."""


@runtime_checkable
class Writable(Protocol):
    """Something a writer or transaction can store (pydynox models implement it)."""

    @classmethod
    def _table_name(cls) -> str:
        """The table its items live in (raises when it has none)."""
        ...

    @classmethod
    def _own_client(cls) -> DynamoDBClient | None:
        """The client its config names, or None for the writer's client."""
        ...

    @classmethod
    def _key_attributes(cls) -> tuple[str, ...]:
        """The names of the table's key attributes."""
        ...

    @classmethod
    def _versioned(cls) -> bool:
        """Whether every write is conditioned on a stored version (batches refuse it)."""
        ...

    @classmethod
    def _key_from(cls, values: Mapping[str, Any], what: str = "key") -> dict[str, Any]:
        """The stored key of ``values`` (field values; exactly the key fields)."""
        ...

    @classmethod
    def _validated_updates(cls, fields: Mapping[str, Any]) -> dict[str, Any]:
        """``fields`` validated by their field types, in their stored form."""
        ...

    def _put_action(self, condition: Condition | bool | None) -> tuple[Put, Done]: ...

    def _delete_action(self, condition: Condition | bool | None) -> tuple[Delete, Done]: ...

    def _update_action(
        self,
        fields: Mapping[str, Any],
        atomic: Sequence[UpdateAction] | None,
        condition: Condition | bool | None,
    ) -> tuple[Update, Done]: ...

    def _check_action(self, condition: Condition | bool | None) -> ConditionCheck: ...


def writable_class(value: object) -> type[Writable] | None:
    """The class of ``value`` when it is a Writable instance, else None."""
    cls = type(value)
    return cls if issubclass(cls, Writable) else None
