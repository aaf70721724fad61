"""Pydantic models stored in DynamoDB: declarations, the mixin and ``Model``."""

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
