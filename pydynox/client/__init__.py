"""Layer 5, client: the public plain-dict API.

``DynamoDBClient`` (every operation an async method and its generated ``sync_`` twin, run on
the plans of ``pydynox._protocol``), lazy query results and pages, ``BatchWriter`` and
``Transaction`` with their sync twins, the actions they take, and ``Writable``: the protocol
anything they store implements (models do; the client never imports them). Imports the layers
below it only; pydantic only for ``Page``, a response model.
"""

from pydynox._protocol._actions import ConditionCheck, Delete, Get, Put, Update
from pydynox._protocol._capacity import CapacityMeter, CapacityUnits, ConsumedCapacity
from pydynox._protocol._dry_run import DryRun
from pydynox._protocol._events import CallRecord
from pydynox._protocol._retry import RetryPolicy
from pydynox._protocol._tables import IndexSpec
from pydynox.client._batch_writer import BatchWriter, SyncBatchWriter
from pydynox.client._client import (
    DynamoDBClient,
    default_client_set_to,
    get_default_client,
    set_default_client,
)
from pydynox.client._results import Page, QueryResult, SyncQueryResult
from pydynox.client._transaction import SyncTransaction, Transaction

__all__ = [
    "BatchWriter",
    "CallRecord",
    "CapacityMeter",
    "CapacityUnits",
    "ConditionCheck",
    "ConsumedCapacity",
    "Delete",
    "DryRun",
    "DynamoDBClient",
    "Get",
    "IndexSpec",
    "Page",
    "Put",
    "QueryResult",
    "RetryPolicy",
    "SyncBatchWriter",
    "SyncQueryResult",
    "SyncTransaction",
    "Transaction",
    "Update",
    "default_client_set_to",
    "get_default_client",
    "set_default_client",
]
