"""Layer 6, models: pydantic models stored in DynamoDB.

Declarations (``DynamoConfig``, key, version and TTL markers, indexes), the metaclass, what a
model knows about itself (``ModelInfo``), its stored form, the model plans and the mixin whose
async methods (and generated ``sync_`` twins) run them on the model's client. The only layer
that uses pydantic (besides ``client.Page``); it implements the client's ``Writable``.
"""

from pydynox.models._declarations import (
    TTL,
    DynamoConfig,
    GlobalSecondaryIndex,
    LocalSecondaryIndex,
    PartitionKey,
    SortKey,
    Version,
)
from pydynox.models._mixin import BoundIndex, DynamoMixin, Model, path

__all__ = [
    "TTL",
    "BoundIndex",
    "DynamoConfig",
    "DynamoMixin",
    "GlobalSecondaryIndex",
    "LocalSecondaryIndex",
    "Model",
    "PartitionKey",
    "SortKey",
    "Version",
    "path",
]
