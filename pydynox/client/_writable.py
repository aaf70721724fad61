"""``Writable``: the one contract between the client's writers and what they store, and
``OneClient``: the one client a writer or transaction sends through.

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
from pydynox.exceptions import ValidationException
from pydynox.expressions import Condition, UpdateAction

if TYPE_CHECKING:
    from pydynox.client._client import DynamoDBClient

__all__ = ["Done", "OneClient", "Writable", "writable", "writable_class"]

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
    def _validated_updates(
        cls, fields: Mapping[str, Any], *, atomic: Sequence[UpdateAction] | None = None
    ) -> dict[str, Any]:
        """``fields`` validated by their field types, in their stored form, with what the
        class adds to every update (its ``UpdatedAt()`` field, unless ``fields`` or
        ``atomic`` write it)."""
        ...

    @classmethod
    def _plain_write(cls, what: str) -> None:
        """Raise if the class cannot be written by key or item (not an instance), as ``what``
        would: a model whose writes carry more than one action (``Unique()`` guards)."""
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


def _client_or_default(client: DynamoDBClient | None) -> DynamoDBClient:
    if client is not None:
        return client
    from pydynox.client._client import get_default_client

    return get_default_client()


def writable(value: object) -> Writable:
    if writable_class(value) is None:
        raise ValidationException(
            f"expected a mapping of attributes or a model instance, not {value!r}"
        )
    return value  # type: ignore[return-value]


class OneClient:
    """The client a writer or transaction sends through: a model's own client
    (``DynamoConfig(client=...)``) for its writes, the one given (or the default) for plain
    writes and models without one. A BatchWriteItem or TransactWriteItems request goes to one
    account and region, so a write needing another client is refused before anything is sent."""

    def __init__(self, given: DynamoDBClient | None) -> None:
        self._given = given
        self._bound: DynamoDBClient | None = None
        self._why = ""

    @property
    def client(self) -> DynamoDBClient:
        """The client the writes go through."""
        if self._bound is None:
            self._bound, self._why = self._fallback()
        return self._bound

    def _fallback(self) -> tuple[DynamoDBClient, str]:
        """The client of plain writes and of models without one, and how to name it."""
        given = self._given
        return _client_or_default(given), (
            "the client given" if given is not None else "the default client"
        )

    def _use(self, model_class: type[Writable] | None) -> None:
        """Check that a write for ``model_class`` (None: a plain write) goes through the same
        client as the writes before it."""
        own = model_class._own_client() if model_class is not None else None
        if own is None:
            own, why = self._fallback()
        else:
            why = f"{model_class.__name__}'s own client"  # type: ignore[union-attr]
        if self._bound is None:
            self._bound, self._why = own, why
        elif own is not self._bound:
            raise ValidationException(
                f"{type(self).__name__} sends through one client (one account and region), "
                f"and its writes so far go through {self._why}; this one would go through "
                f"{why}: use one {type(self).__name__} per client"
            )
