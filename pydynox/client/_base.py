"""The client's core: settings, transports, and how plans and reads run on them.

``_ClientBase`` holds what every operation needs (settings, the async and sync transports,
retry rules, the cursor secret, the key names learnt per table) and the four ways work is
run: ``_run`` / ``_sync_run`` for a plan, ``_results`` / ``_sync_results`` for a lazy query
or scan. The operations (``_items``, ``_reads``, ``_tables``) and the models use only these.

The table prefix (``table_prefix=`` / ``PYDYNOX_TABLE_PREFIX``) is applied there too, and
only there: plans, readers and models name tables as their callers do, and ``_run`` /
``_reader`` run them through ``_protocol._prefix.with_prefix``, which puts the prefix on
every table a request names and takes it off every table an answer names. Page cursors are
bound to the prefix as well (``_reader``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any, TypeVar

from pydynox._protocol._capacity import CapacityMeter, CapacityMode, metering
from pydynox._protocol._cursor import check_secret
from pydynox._protocol._dry_run import DryRun, dry_running
from pydynox._protocol._events import CallListener
from pydynox._protocol._plan import Plan
from pydynox._protocol._prefix import PREFIX_VARIABLE, check_prefix, with_prefix
from pydynox._protocol._requests import Expression
from pydynox._protocol._retry import RetryPolicy, RetryRules
from pydynox._transport._drivers import run_async, run_sync
from pydynox._transport._response import DEFAULT_MAX_ANSWER
from pydynox._transport._transports import AsyncTransport, Settings, SyncTransport, TransportKind
from pydynox._values._codec import deserialize_item
from pydynox.client._results import QueryResult, Reader, SyncQueryResult
from pydynox.exceptions import ValidationException

__all__ = ["Item", "Key", "_ClientBase"]

_log = logging.getLogger("pydynox")

Item = dict[str, Any]
Key = Mapping[str, Any]
T = TypeVar("T")


class _ClientBase:
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
        table_prefix: str | None = None,
        return_consumed_capacity: CapacityMode | None = None,
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
        self._table_prefix = check_prefix(
            table_prefix if table_prefix is not None else os.environ.get(PREFIX_VARIABLE, "")
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
        if return_consumed_capacity not in (None, "TOTAL", "INDEXES"):
            raise ValidationException(
                "return_consumed_capacity takes 'TOTAL', 'INDEXES' or None, not "
                f"{return_consumed_capacity!r}"
            )
        self._async.capacity = self._sync.capacity = return_consumed_capacity
        self._async.prefix = self._sync.prefix = self._table_prefix
        self._listeners: list[CallListener] = []
        self._key_names: dict[str, tuple[str, ...]] = {}  # by table, as callers name it

    @property
    def table_prefix(self) -> str:
        """What DynamoDB's table names start with: ``table_prefix=``, else the environment
        variable ``PYDYNOX_TABLE_PREFIX`` when the client was made, else ``""``. Requests to
        table ``"users"`` go to ``table_prefix + "users"``; results and errors keep
        ``"users"``. PartiQL statements are sent as written."""
        return self._table_prefix

    @property
    def return_consumed_capacity(self) -> CapacityMode | None:
        """What every call asks DynamoDB to report of its consumed capacity (``TOTAL``,
        ``INDEXES`` or None: only inside ``capacity()`` and budgeted reads)."""
        return self._sync.capacity

    def on_call(self, listener: CallListener) -> Callable[[], None]:
        """Call ``listener(record)`` with a frozen ``CallRecord`` after every DynamoDB call
        this client makes (sync and async, both transports): once per call, its retries
        inside. Returns the function that removes it. A listener that raises is logged;
        the call is not affected. Listeners run on the caller's thread or event loop: keep
        them quick."""
        if not callable(listener):
            raise ValidationException(f"on_call takes a callable, not {listener!r}")
        self._listeners.append(listener)
        self._set_listeners()

        def remove() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)
                self._set_listeners()

        return remove

    def _set_listeners(self) -> None:
        self._async.observe = self._sync.observe = tuple(self._listeners) or None

    def capacity(self) -> AbstractContextManager[CapacityMeter]:
        """``with client.capacity() as used:`` the capacity of every call made in the block
        (by this code and the tasks it starts; any client), summed in ``used.consumed``;
        those calls ask DynamoDB for it even when ``return_consumed_capacity`` is None."""
        return metering()

    def dry_run(
        self, tables: Mapping[str, str | Sequence[str]] | None = None
    ) -> AbstractContextManager[list[DryRun]]:
        """``with client.dry_run() as sent:`` no DynamoDB call made in the block (by this
        code and the tasks it starts; any client, models too) is sent: each is recorded in
        ``sent`` as a ``DryRun(operation, request)``, the request exactly as it would have
        been sent, and answered as an empty database would: reads find nothing, writes
        succeed. It describes (as ACTIVE) the tables created in it, those this client has
        described, and those named in ``tables`` with their key attribute names
        (``{"users": ("pk", "sk")}``); describing another raises ``ValidationException``."""
        return dry_running(self._key_names, self._table_prefix, tables)

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
        prefix = f", table_prefix={self._table_prefix!r}" if self._table_prefix else ""
        name = type(self).__name__
        return f"{name}(region={s.region!r}, endpoint_url={s.endpoint_url!r}{prefix})"

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
        """What a query or scan reads, with this client's cursor secret and key names.

        With a table prefix, its plans run through ``with_prefix`` and its cursors are bound
        to the prefix too: a cursor is bound to the full table name, so one made under
        ``"dev-"`` is refused under ``"prod-"``. Without one, scopes are as they always were."""
        prefix = self._table_prefix
        return Reader(
            op,
            params,
            convert,
            repr(("table_prefix", prefix, scope)) if prefix else scope,
            limit=limit,
            page_size=page_size,
            start_key=start_key,
            filtered=filtered,
            key_names=key_names,
            secret=self._cursor_secret,
            known_keys=self._key_names,
            prefix=prefix,
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

    # -- what models run through (pydynox.models builds the plans and readers) ----------

    async def _run(self, plan: Plan[T]) -> T:
        """Run a plan on this event loop's connections."""
        prefix = self._table_prefix
        return await run_async(with_prefix(plan, prefix) if prefix else plan, self._async)

    def _sync_run(self, plan: Plan[T]) -> T:
        """Run a plan, blocking."""
        prefix = self._table_prefix
        return run_sync(with_prefix(plan, prefix) if prefix else plan, self._sync)

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

    async def __aenter__(self: T) -> T:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.sync_close()
