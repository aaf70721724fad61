"""The DynamoDB client, its batch writers and transactions, and the actions they take."""

from pydynox._protocol._actions import ConditionCheck, Delete, Get, Put, Update
from pydynox._protocol._retry import RetryPolicy
from pydynox._protocol._tables import IndexSpec
from pydynox.client._batch_writer import BatchWriter, SyncBatchWriter
from pydynox.client._client import DynamoDBClient, get_default_client, set_default_client
from pydynox.client._results import Page, QueryResult, SyncQueryResult
from pydynox.client._transaction import SyncTransaction, Transaction

__all__ = [
    "BatchWriter",
    "ConditionCheck",
    "Delete",
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
    "get_default_client",
    "set_default_client",
]
