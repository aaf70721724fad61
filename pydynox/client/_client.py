"""DynamoDBClient: one object serving async and sync callers, plain Python values in and out.

Every operation is a pair: ``name`` (async, written by hand) and ``sync_name`` (blocking,
generated from it by ``scripts/twins.py``), with the same parameters. Both run the same plan
of ``pydynox._protocol``; only the transport and driver differ. The operations live in
``_items`` (single items, batches, transactions), ``_reads`` (query, scan, count),
``_tables`` and ``_statements`` (PartiQL); ``_base`` holds the settings and transports
they run on.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from pydynox.client._items import _ItemOperations
from pydynox.client._reads import _ReadOperations
from pydynox.client._statements import _StatementOperations
from pydynox.client._tables import _TableOperations

__all__ = ["DynamoDBClient", "default_client_set_to", "get_default_client", "set_default_client"]


class DynamoDBClient(_ItemOperations, _ReadOperations, _TableOperations, _StatementOperations):
    """A DynamoDB client for async and sync code. Plain Python values in and out.

    With no explicit settings it reads the usual AWS environment (``AWS_REGION``,
    ``AWS_ENDPOINT_URL_DYNAMODB`` / ``AWS_ENDPOINT_URL``, the credentials chain).
    ``max_attempts`` is the total number of attempts per request, the first included;
    throttling, 5xx answers and connection errors are retried with backoff and jitter, except
    that a counting update (``ADD``, ``x + :n``, ``list_append``) is not sent again after a
    failure that may have applied it, unless ``retry_non_idempotent=True`` (see
    docs/reliability.md). ``transport="botocore"`` sends requests through boto3 / aioboto3
    clients instead of pydynox's lean wire transport.

    Time limits: ``connect_timeout`` to open a connection; ``read_timeout`` for a whole answer
    once the request is sent; ``call_timeout`` (None: no limit) for one DynamoDB request with
    all its attempts and the backoff between them (each page of a query or scan, each batch
    request). ``max_answer_bytes`` refuses answers larger than that (64 MiB by default,
    four times DynamoDB's largest page).

    ``table_prefix`` (else the ``PYDYNOX_TABLE_PREFIX`` environment variable) is put before
    every table name a call or a model names, so one code base serves ``dev-`` and ``prod-``
    tables; results, errors and page cursors keep the names you used (a cursor is bound to
    the prefix too). PartiQL statements are sent as written.
    """


_default: DynamoDBClient | None = None
_default_lock = threading.Lock()


def set_default_client(client: DynamoDBClient | None) -> None:
    """The client models use when their config names none (None: back to the environment)."""
    global _default
    _default = client


@contextmanager
def default_client_set_to(client: DynamoDBClient) -> Iterator[DynamoDBClient]:
    """Make ``client`` the default for a block, then restore whatever was there before."""
    previous = _default
    set_default_client(client)
    try:
        yield client
    finally:
        set_default_client(previous)


def get_default_client() -> DynamoDBClient:
    """The default client, made from the AWS environment on first use if none was set."""
    global _default
    with _default_lock:
        if _default is None:
            _default = DynamoDBClient()
        return _default
