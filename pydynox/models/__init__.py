"""Layer 6, models: pydantic models stored in DynamoDB.

Declarations (``DynamoConfig``, key, version, TTL, timestamp and ``Unique()`` markers,
indexes), the metaclass, what a model knows about itself (``ModelInfo``), entities of one
table and their key templates (``_entities``), its stored form, unique-value guards
(``_unique``), the model plans and reads, ``Collection`` (several entities of one partition),
and the mixin whose async methods (and generated ``sync_`` twins) run them on the model's
client. The only layer that uses pydantic (besides ``client._results``); it implements the
client's ``Writable``.
"""

from pydynox.models._collection import Collection
from pydynox.models._declarations import (
    TTL,
    CreatedAt,
    DynamoConfig,
    GlobalSecondaryIndex,
    LocalSecondaryIndex,
    PartitionKey,
    SortKey,
    Unique,
    UpdatedAt,
    Version,
)
from pydynox.models._index import BoundIndex
from pydynox.models._mixin import DynamoMixin, Model, path

__all__ = [
    "TTL",
    "BoundIndex",
    "Collection",
    "CreatedAt",
    "DynamoConfig",
    "DynamoMixin",
    "GlobalSecondaryIndex",
    "LocalSecondaryIndex",
    "Model",
    "PartitionKey",
    "SortKey",
    "Unique",
    "UpdatedAt",
    "Version",
    "path",
]
