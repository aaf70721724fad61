"""DynamoDBClient: one object serving async (aioboto3) and sync (boto3) callers.

Every method is a pair: ``name`` (async) and ``sync_name`` (blocking), with the same
parameters. Both halves of a pair build their request with the same pure function and run
the same plan; only the transport and driver differ.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Literal, TypeVar

from pydynox._protocol._actions import (
    Get,
    WriteAction,
    transact_get_request,
    transact_write_request,
)
from pydynox._protocol._batch import (
    batch_get_plan,
    batch_write_plan,
    delete_entry,
    put_entry,
)
from pydynox._protocol._cursor import check_secret
from pydynox._protocol._paging import count_plan
from pydynox._protocol._plan import Plan
from pydynox._protocol._requests import (
    Expression,
    delete_item_request,
    get_item_request,
    parse_item,
    put_item_request,
    read_request,
    update_actions,
    update_item_request,
)
from pydynox._protocol._retry import RetryPolicy, RetryRules
from pydynox._protocol._tables import (
    IndexSpec,
    KeySpec,
    create_table_plan,
    create_table_request,
    delete_table_plan,
    table_exists_plan,
    wait_for_table_plan,
)
from pydynox._transport._drivers import run_async, run_sync
from pydynox._transport._response import DEFAULT_MAX_ANSWER
from pydynox._transport._transports import AsyncTransport, Settings, SyncTransport, TransportKind
from pydynox._values._codec import deserialize_item
from pydynox.client._results import QueryResult, Reader, SyncQueryResult
from pydynox.client._twins import Op, async_reader, async_twin, sync_reader, sync_twin
from pydynox.expressions import Condition, UpdateAction

__all__ = ["DynamoDBClient", "get_default_client", "set_default_client"]

_log = logging.getLogger("pydynox")

Item = dict[str, Any]
Key = Mapping[str, Any]
BillingMode = Literal["PAY_PER_REQUEST", "PROVISIONED"]
T = TypeVar("T")


class DynamoDBClient:
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
    """

    def __init__(
        self,
        region: str | None = None,
        endpoint_url: str | None = None,
        profile: str | None = None,
        access_key: str | None = None,
        secret_key: str | None = None,
        session_token: str | None = None,
        max_pool_connections: int = 64,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        max_attempts: int = 10,
        cursor_secret: str | bytes | None = None,
        verify: bool | str | None = None,
        transport: TransportKind = "wire",
        retry_non_idempotent: bool = False,
        call_timeout: float | None = None,
        max_answer_bytes: int = DEFAULT_MAX_ANSWER,
    ) -> None:
        self.settings = Settings(
            region=region,
            endpoint_url=endpoint_url,
            profile=profile,
            access_key=access_key,
            secret_key=secret_key,
            session_token=session_token,
            max_pool_connections=max_pool_connections,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            max_attempts=max_attempts,
            verify=verify,
            transport=transport,
            call_timeout=call_timeout,
            max_answer_bytes=max_answer_bytes,
        )
        if verify is False:
            _log.warning(
                "DynamoDBClient(verify=False): TLS certificates are not checked, so anyone on "
                "the network path can read and change this client's requests and answers"
            )
        self._cursor_secret = check_secret(
            cursor_secret if cursor_secret is not None else os.environ.get("PYDYNOX_CURSOR_SECRET")
        )
        self.batch_retry = RetryPolicy()
        retry = RetryRules(
            RetryPolicy(attempts=max_attempts),
            non_idempotent=retry_non_idempotent,
            call_timeout=call_timeout,
        )
        self._retry = retry
        self._async = AsyncTransport(self.settings, retry)
        self._sync = SyncTransport(self.settings, retry)
        self._key_names: dict[str, tuple[str, ...]] = {}

    @property
    def request_retry(self) -> RetryPolicy:
        """Attempts and backoff for one request (``max_attempts`` sets its ``attempts``);
        ``batch_retry`` is the backoff for items a batch leaves unprocessed."""
        return self._retry.policy

    @request_retry.setter
    def request_retry(self, policy: RetryPolicy) -> None:
        self._retry.policy = policy

    def __repr__(self) -> str:
        s = self.settings
        return f"DynamoDBClient(region={s.region!r}, endpoint_url={s.endpoint_url!r})"

    # -- single items ---------------------------------------------------------------------

    def _get_item(self, table: str, key: Key, consistent_read: bool = False) -> Op[Item | None]:
        """The item with this key, or None."""
        return Op("GetItem", get_item_request(table, key, consistent_read), _parse_get)

    get_item = async_twin(_get_item)
    sync_get_item = sync_twin(_get_item)

    def _put_item(
        self, table: str, item: Mapping[str, Any], condition: Condition | None = None
    ) -> Op[None]:
        """Write a whole item (None attributes and empty sets are left out)."""
        return Op("PutItem", put_item_request(table, item, condition), _parse_nothing)

    put_item = async_twin(_put_item)
    sync_put_item = sync_twin(_put_item)

    def _update_item(
        self,
        table: str,
        key: Key,
        updates: Mapping[str, Any] | None = None,
        atomic: Sequence[UpdateAction] | None = None,
        condition: Condition | None = None,
    ) -> Op[Item]:
        """Set ``updates`` (None removes) and apply ``atomic`` actions; returns the new item."""
        request = update_item_request(table, key, update_actions(key, updates, atomic), condition)
        return Op("UpdateItem", request, _parse_attributes)

    update_item = async_twin(_update_item)
    sync_update_item = sync_twin(_update_item)

    def _delete_item(self, table: str, key: Key, condition: Condition | None = None) -> Op[None]:
        """Delete the item with this key (deleting a missing item is not an error)."""
        return Op("DeleteItem", delete_item_request(table, key, condition), _parse_nothing)

    delete_item = async_twin(_delete_item)
    sync_delete_item = sync_twin(_delete_item)

    # -- query and scan -------------------------------------------------------------------

    def _reader(
        self,
        op: str,
        params: dict[str, Any],
        convert: Callable[[dict[str, Any]], T],
        scope: str,
        *,
        filtered: bool,
        limit: int | None,
        page_size: int | None,
        start_key: Key | None,
        key_names: tuple[str, ...] | None = None,
    ) -> Reader[T]:
        """What a query or scan reads, with this client's cursor secret and key names."""
        return Reader(
            op,
            params,
            convert,
            scope,
            limit=limit,
            page_size=page_size,
            start_key=start_key,
            filtered=filtered,
            key_names=key_names,
            secret=self._cursor_secret,
            known_keys=self._key_names,
        )

    def _dict_reader(
        self,
        op: str,
        params: dict[str, Any],
        filter_expression: Expression | None,
        limit: int | None,
        page_size: int | None,
        start_key: Key | None,
    ) -> Reader[Item]:
        values = params.get("ExpressionAttributeValues", {})
        scope = repr(
            (
                op,
                params["TableName"],
                params.get("IndexName"),
                params.get("KeyConditionExpression"),
                params.get("Segment"),
                sorted(values.items()) if op == "Query" else None,
            )
        )
        filtered = filter_expression is not None
        return self._reader(
            op,
            params,
            deserialize_item,
            scope,
            filtered=filtered,
            limit=limit,
            page_size=page_size,
            start_key=start_key,
        )

    def _query(
        self,
        table: str,
        key_condition_expression: Expression,
        expression_attribute_names: Mapping[str, str] | None = None,
        expression_attribute_values: Mapping[str, Any] | None = None,
        filter_expression: Expression | None = None,
        index_name: str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        scan_index_forward: bool = True,
        consistent_read: bool = False,
        last_evaluated_key: Key | None = None,
    ) -> Reader[Item]:
        """Items matching a key condition: ``async for item in client.query(...)``.

        Expressions are strings with your own placeholders (``"#pk = :pk"`` plus names and
        values) or conditions built with ``Attr`` (``Attr("pk") == "USER#1"``). ``limit``
        caps the items returned in total, ``page_size`` is DynamoDB's per-request Limit.
        """
        params = read_request(
            table,
            key_condition=key_condition_expression,
            filter_expression=filter_expression,
            names=expression_attribute_names,
            values=expression_attribute_values,
            index_name=index_name,
            consistent_read=consistent_read,
            scan_index_forward=scan_index_forward,
        )
        return self._dict_reader(
            "Query", params, filter_expression, limit, page_size, last_evaluated_key
        )

    query = async_reader(_query)
    sync_query = sync_reader(_query)

    def _scan(
        self,
        table: str,
        filter_expression: Expression | None = None,
        expression_attribute_names: Mapping[str, str] | None = None,
        expression_attribute_values: Mapping[str, Any] | None = None,
        index_name: str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        consistent_read: bool = False,
        last_evaluated_key: Key | None = None,
        segment: int | None = None,
        total_segments: int | None = None,
    ) -> Reader[Item]:
        """Every item of a table or index, optionally filtered; parallel with ``segment``."""
        params = read_request(
            table,
            filter_expression=filter_expression,
            names=expression_attribute_names,
            values=expression_attribute_values,
            index_name=index_name,
            consistent_read=consistent_read,
            segment=segment,
            total_segments=total_segments,
        )
        return self._dict_reader("Scan", params, filter_expression, limit, page_size, last_evaluated_key)

    scan = async_reader(_scan)
    sync_scan = sync_reader(_scan)

    def _count(
        self,
        table: str,
        key_condition_expression: Expression | None = None,
        filter_expression: Expression | None = None,
        expression_attribute_names: Mapping[str, str] | None = None,
        expression_attribute_values: Mapping[str, Any] | None = None,
        index_name: str | None = None,
        consistent_read: bool = False,
    ) -> Plan[int]:
        """How many items match: a Query with a key condition, else a Scan (Select=COUNT)."""
        params = read_request(
            table,
            key_condition=key_condition_expression,
            filter_expression=filter_expression,
            names=expression_attribute_names,
            values=expression_attribute_values,
            index_name=index_name,
            consistent_read=consistent_read,
        )
        return count_plan("Query" if key_condition_expression is not None else "Scan", params)

    count = async_twin(_count)
    sync_count = sync_twin(_count)

    # -- batches and transactions ---------------------------------------------------------

    def _batch_get(
        self, table: str, keys: Iterable[Key], consistent_read: bool = False
    ) -> Plan[list[Item]]:
        """The items of any number of keys, in key order; missing items are left out."""
        return batch_get_plan(table, keys, self.batch_retry, consistent_read)

    batch_get = async_twin(_batch_get)
    sync_batch_get = sync_twin(_batch_get)

    def _batch_write(
        self,
        table: str,
        put_items: Iterable[Mapping[str, Any]] = (),
        delete_keys: Iterable[Key] = (),
    ) -> Plan[None]:
        """Put and delete any number of items, 25 per request, retrying unprocessed ones.

        Two writes to one key in one request collapse into the last (deletes come after
        puts). On giving up, or when cancelled or interrupted (then as the stop's
        ``__cause__``), ``BatchWriteError.unprocessed`` lists every write not known to be
        stored.
        """
        entries = [put_entry(table, item) for item in put_items]
        entries += [delete_entry(table, key) for key in delete_keys]
        return batch_write_plan(entries, self.batch_retry, self._key_names)

    batch_write = async_twin(_batch_write)
    sync_batch_write = sync_twin(_batch_write)

    def _transact_write(self, actions: Iterable[WriteAction]) -> Op[None]:
        """Apply Put/Update/Delete/ConditionCheck actions all together, or none of them."""
        return Op("TransactWriteItems", transact_write_request(actions), _parse_nothing)

    transact_write = async_twin(_transact_write)
    sync_transact_write = sync_twin(_transact_write)

    def _transact_get(self, gets: Iterable[Get]) -> Op[list[Item | None]]:
        """Read up to 100 items as one snapshot; None stands for a missing item."""
        return Op("TransactGetItems", transact_get_request(gets), _parse_transact_get)

    transact_get = async_twin(_transact_get)
    sync_transact_get = sync_twin(_transact_get)

    # -- tables ---------------------------------------------------------------------------

    def _create_table(
        self,
        table: str,
        partition_key: KeySpec = ("pk", "S"),
        sort_key: KeySpec | None = None,
        global_indexes: Sequence[IndexSpec] = (),
        local_indexes: Sequence[IndexSpec] = (),
        billing_mode: BillingMode = "PAY_PER_REQUEST",
        read_capacity: int | None = None,
        write_capacity: int | None = None,
        ttl_attribute: str | None = None,
        wait: bool = True,
        timeout: float = 300.0,
    ) -> Plan[None]:
        """Create a table (keys as ``(name, "S" | "N" | "B")``), waiting until it is ACTIVE.

        ``ttl_attribute`` turns on DynamoDB's time to live for that attribute.
        """
        self._key_names.pop(table, None)  # a re-created table may have other keys
        request = create_table_request(
            table,
            partition_key,
            sort_key,
            global_indexes,
            local_indexes,
            billing_mode,
            read_capacity,
            write_capacity,
        )
        return create_table_plan(request, ttl_attribute, wait, timeout)

    create_table = async_twin(_create_table)
    sync_create_table = sync_twin(_create_table)

    def _delete_table(self, table: str, wait: bool = True, timeout: float = 300.0) -> Plan[None]:
        """Delete a table, by default waiting until it is gone."""
        self._key_names.pop(table, None)
        return delete_table_plan(table, wait, timeout)

    delete_table = async_twin(_delete_table)
    sync_delete_table = sync_twin(_delete_table)

    def _table_exists(self, table: str) -> Plan[bool]:
        """Whether the table exists."""
        return table_exists_plan(table)

    table_exists = async_twin(_table_exists)
    sync_table_exists = sync_twin(_table_exists)

    def _wait_for_table(self, table: str, timeout: float = 300.0) -> Plan[None]:
        """Wait until the table and its global indexes are ACTIVE."""
        return wait_for_table_plan(table, timeout)

    wait_for_table = async_twin(_wait_for_table)
    sync_wait_for_table = sync_twin(_wait_for_table)

    # -- what models run through (pydynox.models builds the plans and readers) ----------

    async def _run(self, plan: Plan[T]) -> T:
        """Run a plan on this event loop's connections."""
        return await run_async(plan, self._async)

    def _sync_run(self, plan: Plan[T]) -> T:
        """Run a plan, blocking."""
        return run_sync(plan, self._sync)

    def _results(self, reader: Reader[T]) -> QueryResult[T]:
        """A lazy query or scan result for ``async for``."""
        return QueryResult(self._async, reader)

    def _sync_results(self, reader: Reader[T]) -> SyncQueryResult[T]:
        """A lazy query or scan result for ``for``."""
        return SyncQueryResult(self._sync, reader)

    def _forget_keys(self, table: str) -> None:
        """A table is (re)created: its key names may have changed."""
        self._key_names.pop(table, None)

    # -- lifecycle ------------------------------------------------------------------------

    async def close(self) -> None:
        """Close this event loop's connections (and the sync ones). Safe to call twice."""
        await self._async.close()
        self._sync.close()

    def sync_close(self) -> None:
        """Close the sync connections. Safe to call twice."""
        self._sync.close()

    async def __aenter__(self) -> DynamoDBClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __enter__(self) -> DynamoDBClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.sync_close()


def _parse_nothing(response: dict[str, Any]) -> None:
    return None


def _parse_get(response: dict[str, Any]) -> Item | None:
    return parse_item(response.get("Item"))


def _parse_attributes(response: dict[str, Any]) -> Item:
    return deserialize_item(response.get("Attributes") or {})


def _parse_transact_get(response: dict[str, Any]) -> list[Item | None]:
    return [parse_item(answer.get("Item")) for answer in response.get("Responses", [])]


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
