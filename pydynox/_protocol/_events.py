"""One record per DynamoDB call, for listeners (``client.on_call``), logs and meters.

A *call* is one logical DynamoDB operation as a plan asked for it: its attempts (retries
included, with their backoff) make one record, emitted once when the call is over: answered,
or failed for good. ``Feed`` builds it; nothing here sends or waits.

Logging, on the ``pydynox.calls`` logger: DEBUG one line per call (operation, tables, status,
duration, attempts, request id); WARNING for each retry after throttling, and for a call that
fails after being retried. Lines never hold an item value, a key or a credential.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydynox._protocol._capacity import ConsumedCapacity

__all__ = ["CallListener", "CallRecord", "index_of", "log", "tables_of"]

log = logging.getLogger("pydynox.calls")

THROTTLED = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "LimitExceededException",
    }
)


@dataclass(frozen=True)
class CallRecord:
    """One DynamoDB call, once it is over.

    ``operation`` (``"GetItem"``), ``tables`` it named (as sent: with the client's table
    prefix), ``index`` (a query's or scan's), ``attempts`` (1 without retries), ``retries``
    (cause -> how many retries it caused: the error code of each failed attempt; a batch's
    unprocessed leftovers are sent as new calls, each with its own record), ``duration`` (seconds, first attempt to outcome, backoff
    included), ``status`` (HTTP status of the last answer; None if none came), ``request_id``
    (DynamoDB's, of the last answer), ``consumed_capacity`` (when the call asked for it) and
    ``error`` (the class name of the error it failed with; None on success)."""

    operation: str
    tables: tuple[str, ...]
    index: str | None
    attempts: int
    retries: Mapping[str, int] = field(default_factory=dict)
    duration: float = 0.0
    status: int | None = None
    request_id: str | None = None
    consumed_capacity: ConsumedCapacity | None = None
    error: str | None = None


CallListener = Callable[[CallRecord], object]


def tables_of(op: str, params: Mapping[str, Any]) -> tuple[str, ...]:
    """The tables a request names, in order, once each."""
    table = params.get("TableName")
    if isinstance(table, str):
        return (table,)
    names: list[str] = []
    items = params.get("RequestItems")
    if isinstance(items, Mapping):
        names.extend(str(name) for name in items)
    for entry in params.get("TransactItems") or ():
        if isinstance(entry, Mapping):
            for action in entry.values():
                if isinstance(action, Mapping) and isinstance(action.get("TableName"), str):
                    names.append(action["TableName"])
    return tuple(dict.fromkeys(names))


def index_of(params: Mapping[str, Any]) -> str | None:
    index = params.get("IndexName")
    return index if isinstance(index, str) else None


def emit(listeners: tuple[CallListener, ...] | None, record: CallRecord) -> None:
    """Hand ``record`` to every listener and log it. A listener that raises is logged (with
    its traceback) and the others still run: the call itself is over and stays as it was."""
    if log.isEnabledFor(logging.DEBUG):
        log.debug(
            "%s %s status=%s %.1f ms attempts=%d request_id=%s%s",
            record.operation,
            ",".join(record.tables) or "-",
            record.status,
            record.duration * 1000,
            record.attempts,
            record.request_id,
            f" error={record.error}" if record.error else "",
        )
    if record.error is not None and record.attempts > 1:
        log.warning(
            "%s %s failed after %d attempts: %s",
            record.operation,
            ",".join(record.tables) or "-",
            record.attempts,
            record.error,
        )
    for listener in listeners or ():
        try:
            listener(record)
        except Exception:
            log.exception("a call listener raised on a %s record", record.operation)


def retrying(op: str, params: Mapping[str, Any], cause: str, retry: int, delay: float) -> None:
    """Log a retry after throttling (WARNING); other retries are in the call's DEBUG line."""
    if cause in THROTTLED:
        log.warning(
            "%s %s throttled (%s): retry %d in %.3f s",
            op,
            ",".join(tables_of(op, params)) or "-",
            cause,
            retry,
            delay,
        )
