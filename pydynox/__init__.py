"""pydynox: an async-first DynamoDB ODM for Python, built on pydantic.

Async calls are the default (``await client.get_item(...)``); every one has a blocking twin
with the ``sync_`` prefix (``client.sync_get_item(...)``). Both share one implementation.
"""

from pydynox.client import (
    BatchWriter,
    ConditionCheck,
    Delete,
    DynamoDBClient,
    Get,
    IndexSpec,
    Put,
    QueryResult,
    SyncBatchWriter,
    SyncQueryResult,
    SyncTransaction,
    Transaction,
    Update,
    get_default_client,
    set_default_client,
)
from pydynox.exceptions import (
    AccessDeniedException,
    BatchGetError,
    BatchWriteError,
    CancellationReason,
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
    ValidationException,
)
from pydynox.expressions import Attr, Condition, UpdateAction

__version__ = "0.1.0"

__all__ = [
    "AccessDeniedException",
    "Attr",
    "BatchGetError",
    "BatchWriteError",
    "BatchWriter",
    "CancellationReason",
    "Condition",
    "ConditionCheck",
    "ConditionalCheckFailedException",
    "ConnectionException",
    "CredentialsException",
    "Delete",
    "DynamoDBClient",
    "Get",
    "IndexSpec",
    "InvalidCursorException",
    "ItemTooLargeException",
    "ModelDefinitionError",
    "ProvisionedThroughputExceededException",
    "Put",
    "PydynoxException",
    "QueryResult",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "SerializationException",
    "SyncBatchWriter",
    "SyncQueryResult",
    "SyncTransaction",
    "Transaction",
    "TransactionCanceledException",
    "Update",
    "UpdateAction",
    "ValidationException",
    "__version__",
    "get_default_client",
    "set_default_client",
]
