"""pydynox: an async-first DynamoDB ODM for Python, built on pydantic.

Async calls are the default (``await client.get_item(...)``); every one has a blocking twin
with the ``sync_`` prefix (``client.sync_get_item(...)``). Both share one implementation.
"""

from pydynox._version import __version__
from pydynox.client import (
    BatchWriter,
    CallRecord,
    CapacityMeter,
    CapacityUnits,
    ConditionCheck,
    ConsumedCapacity,
    Delete,
    DryRun,
    DynamoDBClient,
    Get,
    IndexSpec,
    Page,
    Put,
    QueryResult,
    RetryPolicy,
    SyncBatchWriter,
    SyncQueryResult,
    SyncTransaction,
    Transaction,
    Update,
    default_client_set_to,
    get_default_client,
    set_default_client,
)
from pydynox.exceptions import (
    AccessDeniedException,
    BatchGetError,
    BatchWriteError,
    CancellationReason,
    CapacityBudgetExceeded,
    ConditionalCheckFailedException,
    ConnectionException,
    CredentialsException,
    InvalidCursorException,
    ItemTooLargeException,
    ModelDefinitionError,
    ProvisionedThroughputExceededException,
    PydynoxException,
    ResourceInUseException,
    ResourceNotFoundException,
    SerializationException,
    TransactionCanceledException,
    UniqueConstraintError,
    ValidationException,
    WaitTimeoutException,
)
from pydynox.expressions import Attr, Condition, UpdateAction
from pydynox.hooks import (
    after_delete,
    after_load,
    after_save,
    after_update,
    before_delete,
    before_save,
    before_update,
)
from pydynox.models import (
    TTL,
    BoundIndex,
    Collection,
    CreatedAt,
    DynamoConfig,
    DynamoMixin,
    GlobalSecondaryIndex,
    LocalSecondaryIndex,
    Model,
    PartitionKey,
    SortKey,
    Unique,
    UpdatedAt,
    Version,
    path,
)

__all__ = [
    "TTL",
    "AccessDeniedException",
    "Attr",
    "BatchGetError",
    "BatchWriteError",
    "BatchWriter",
    "BoundIndex",
    "CallRecord",
    "CancellationReason",
    "CapacityBudgetExceeded",
    "CapacityMeter",
    "CapacityUnits",
    "Collection",
    "Condition",
    "ConditionCheck",
    "ConditionalCheckFailedException",
    "ConnectionException",
    "ConsumedCapacity",
    "CreatedAt",
    "CredentialsException",
    "Delete",
    "DryRun",
    "DynamoConfig",
    "DynamoDBClient",
    "DynamoMixin",
    "Get",
    "GlobalSecondaryIndex",
    "IndexSpec",
    "InvalidCursorException",
    "ItemTooLargeException",
    "LocalSecondaryIndex",
    "Model",
    "ModelDefinitionError",
    "Page",
    "PartitionKey",
    "ProvisionedThroughputExceededException",
    "Put",
    "PydynoxException",
    "QueryResult",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "RetryPolicy",
    "SerializationException",
    "SortKey",
    "SyncBatchWriter",
    "SyncQueryResult",
    "SyncTransaction",
    "Transaction",
    "TransactionCanceledException",
    "Unique",
    "UniqueConstraintError",
    "Update",
    "UpdateAction",
    "UpdatedAt",
    "ValidationException",
    "Version",
    "WaitTimeoutException",
    "__version__",
    "after_delete",
    "after_load",
    "after_save",
    "after_update",
    "before_delete",
    "before_save",
    "before_update",
    "default_client_set_to",
    "get_default_client",
    "path",
    "set_default_client",
]


def _show_as_public(classes: list[type]) -> None:
    """Give each class ``__module__ = "pydynox"``, so reprs, tracebacks and ``help()`` show
    ``pydynox.DynamoDBClient``, not the private module it is defined in (as httpx does); pickle
    finds the classes here too.

    Annotations written as strings (``from __future__ import annotations``) are resolved in
    the module they were written in, where their names are: ``typing.get_type_hints`` and
    pydantic (a field typed ``CancellationReason``) resolve them in ``cls.__module__``, which
    is about to become this module. Those that name types imported only for type checkers
    stay strings, as unresolvable as before.
    """
    import inspect
    import typing

    resolved: dict[type, dict[str, object]] = {}
    for cls in classes:
        own = inspect.get_annotations(cls)
        if any(isinstance(annotation, str) for annotation in own.values()):
            try:
                hints = typing.get_type_hints(cls, include_extras=True)
            except NameError:
                continue
            resolved[cls] = {name: hints[name] for name in own}
    for cls, hints in resolved.items():
        cls.__annotations__ = hints
        fields = getattr(cls, "__dataclass_fields__", {})
        for name, hint in hints.items():
            if name in fields:
                fields[name].type = hint
    for cls in classes:
        cls.__module__ = __name__


_show_as_public([value for value in map(globals().get, __all__) if isinstance(value, type)])
del _show_as_public
