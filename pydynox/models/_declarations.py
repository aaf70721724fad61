"""What a model declares: its config, key markers, version, TTL and timestamp markers, and
indexes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, TypeVar

from pydantic import ConfigDict

if TYPE_CHECKING:
    from pydynox.client._client import DynamoDBClient
    from pydynox.models._index import BoundIndex
    from pydynox.models._mixin import DynamoMixin

M = TypeVar("M", bound="DynamoMixin")

__all__ = [
    "TTL",
    "CreatedAt",
    "DynamoConfig",
    "GlobalSecondaryIndex",
    "LocalSecondaryIndex",
    "PartitionKey",
    "SortKey",
    "Unique",
    "UpdatedAt",
    "Version",
]


class DynamoConfig(ConfigDict, total=False):
    """A pydantic ``ConfigDict`` with DynamoDB keys: ``table`` (needed for I/O), ``client``
    (a ``DynamoDBClient``; default: the default client), and for several entities in one
    table: ``discriminator`` (on the base: the attribute naming each item's entity),
    ``entity`` (an entity's name) and ``keys`` (key attribute -> template over fields,
    ``{"pk": "USER#{user_id}"}``)."""

    table: str
    client: DynamoDBClient
    discriminator: str
    entity: str
    keys: dict[str, str]


class _Marker:
    __slots__ = ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class PartitionKey(_Marker):
    """Marks the partition (hash) key field: ``pk: Annotated[str, PartitionKey()]``."""


class SortKey(_Marker):
    """Marks the sort (range) key field: ``sk: Annotated[str, SortKey()]``."""


class Version(_Marker):
    """Marks an ``int`` field used for optimistic locking (starts at 0, stored from 1)."""


class TTL(_Marker):
    """Marks a ``datetime`` field stored as epoch seconds and used as DynamoDB's TTL."""


class CreatedAt(_Marker):
    """Marks a ``datetime`` field that pydynox sets (UTC now) when the item is first saved:
    ``created_at: Annotated[datetime | None, CreatedAt()] = None``. A save that sets it is
    conditioned on the stored item having none, so it never replaces a stored one."""


class UpdatedAt(_Marker):
    """Marks a ``datetime`` field that pydynox sets (UTC now) on every write of the item:
    save, update, update_by_key, save_changes, batch puts, transaction puts and updates."""


class Unique(_Marker):
    """Marks a field whose value no other item of the model may hold:
    ``email: Annotated[str, Unique()]``. pydynox keeps one guard item per value in the same
    table, written in one transaction with the item (see docs/single-table.md for the costs)."""


def _names(key: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if key is None:
        return ()
    return (key,) if isinstance(key, str) else tuple(key)


class _Index:
    """A secondary index declared on a model class (not a field; not in the JSON schema)."""

    kind: Literal["global", "local"]

    def __init__(
        self,
        index_name: str,
        *,
        partition_key: str | tuple[str, ...] | None = None,
        sort_key: str | tuple[str, ...] | None = None,
        projection: Literal["ALL", "KEYS_ONLY"] | Sequence[str] = "ALL",
    ) -> None:
        self.index_name = index_name
        self.partition_keys = _names(partition_key)
        self.sort_keys = _names(sort_key)
        self.projection = projection
        self.attribute = ""

    @property
    def partition_key(self) -> str | None:
        """The partition key attribute (the first of several); None: the table's."""
        return self.partition_keys[0] if self.partition_keys else None

    @property
    def sort_key(self) -> str | None:
        """The sort key attribute (the last of several: the one a range condition is on)."""
        return self.sort_keys[-1] if self.sort_keys else None

    @property
    def multi_attribute(self) -> bool:
        return len(self.partition_keys) > 1 or len(self.sort_keys) > 1

    def __repr__(self) -> str:
        def shown(names: tuple[str, ...]) -> object:
            return names if len(names) > 1 else (names[0] if names else None)

        return (
            f"{type(self).__name__}({self.index_name!r}, "
            f"partition_key={shown(self.partition_keys)!r}, sort_key={shown(self.sort_keys)!r})"
        )

    def __get__(self, instance: object, owner: type[M]) -> BoundIndex[M]:
        from pydynox.models._index import BoundIndex

        return BoundIndex(owner, self)


class GlobalSecondaryIndex(_Index):
    """``by_email = GlobalSecondaryIndex("email-index", partition_key="email")``; each key may
    be up to four fields, in order: ``partition_key=("tenant", "status")``."""

    kind = "global"

    def __init__(
        self,
        index_name: str,
        *,
        partition_key: str | tuple[str, ...],
        sort_key: str | tuple[str, ...] | None = None,
        projection: Literal["ALL", "KEYS_ONLY"] | Sequence[str] = "ALL",
    ) -> None:
        super().__init__(
            index_name, partition_key=partition_key, sort_key=sort_key, projection=projection
        )


class LocalSecondaryIndex(_Index):
    """``by_age = LocalSecondaryIndex("age-index", sort_key="age")`` (the table's partition key)."""

    kind = "local"

    def __init__(
        self,
        index_name: str,
        *,
        sort_key: str,
        projection: Literal["ALL", "KEYS_ONLY"] | Sequence[str] = "ALL",
    ) -> None:
        super().__init__(index_name, sort_key=sort_key, projection=projection)
