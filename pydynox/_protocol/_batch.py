"""Batch plans: chunking, duplicate collapsing and unprocessed-item retries, written once.

- Reads go in requests of at most 100 keys; duplicate keys are asked for once; the items come
  back in the order of the requested keys; missing items are absent.
- Writes go in requests of at most 25; two writes to one key in one request collapse into the
  last one (the outcome a sequence of single writes would have had). Writes are kept in a
  ``WriteBook`` until DynamoDB acknowledges them, so whatever stops the plan (a failed request,
  cancellation, ``KeyboardInterrupt``) the error lists every write not known to be stored.
- Unprocessed keys and items are sent again after an exponential backoff with full jitter.
  A response that makes progress resets the give-up count, so a slowly draining table is
  never abandoned; ``RetryPolicy.attempts`` responses in a row with no progress at all, or a
  request that fails outright, end the plan with ``BatchGetError`` / ``BatchWriteError``
  listing exactly what was not done. Nothing already done is repeated.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydynox._protocol._actions import Delete, Get, Put
from pydynox._protocol._plan import Call, Plan, Sleep
from pydynox._protocol._requests import check_key, check_table, key_id
from pydynox._protocol._retry import RetryPolicy, may_have_applied
from pydynox._values._codec import AttributeValue, deserialize_item, serialize_item
from pydynox._values._size import check_item_size
from pydynox.exceptions import (
    BatchGetError,
    BatchWriteError,
    ConnectionException,
    PydynoxException,
    ValidationException,
)

_log = logging.getLogger("pydynox")

__all__ = [
    "MAX_GET_KEYS",
    "MAX_WRITE_ITEMS",
    "RetryPolicy",
    "WriteBook",
    "WriteEntry",
    "batch_get_plan",
    "batch_write_plan",
    "delete_entry",
    "key_names_plan",
    "put_entry",
]

MAX_WRITE_ITEMS = 25
MAX_GET_KEYS = 100


@dataclass(frozen=True)
class WriteEntry:
    """One buffered batch write: its table, its WriteRequest and the key it touches."""

    table: str
    request: dict[str, Any]

    def action(self) -> Put | Delete:
        if "PutRequest" in self.request:
            return Put(self.table, deserialize_item(self.request["PutRequest"]["Item"]))
        return Delete(self.table, deserialize_item(self.request["DeleteRequest"]["Key"]))


def put_entry(table: str, item: Mapping[str, Any]) -> WriteEntry:
    if not isinstance(item, Mapping):
        raise ValidationException(f"an item must be a mapping of attributes, not {item!r}")
    av = serialize_item(item)
    check_item_size(av, what=f"item for table {table!r}")
    return WriteEntry(check_table(table), {"PutRequest": {"Item": av}})


def delete_entry(table: str, key: Mapping[str, Any]) -> WriteEntry:
    return WriteEntry(check_table(table), {"DeleteRequest": {"Key": check_key(key)}})


def key_names_plan(
    table: str, known: dict[str, tuple[str, ...]], index: str | None = None
) -> Plan[tuple[str, ...]]:
    """The key attribute names of a table (with ``index``: the table's and the index's, as a
    LastEvaluatedKey of that index holds them), asked of DynamoDB once and remembered."""
    entry = table if index is None else f"{table}/{index}"
    names = known.get(entry)
    if names is None:
        response: dict[str, Any] = yield Call("DescribeTable", {"TableName": table})
        description = response["Table"]
        names = tuple(part["AttributeName"] for part in description["KeySchema"])
        known[table] = names
        if index is not None:
            indexes = description.get("GlobalSecondaryIndexes", []) + description.get(
                "LocalSecondaryIndexes", []
            )
            schema: list[dict[str, str]] = next(
                (i["KeySchema"] for i in indexes if i["IndexName"] == index), []
            )
            extra = [part["AttributeName"] for part in schema]
            names = known[entry] = tuple(dict.fromkeys([*names, *extra]))
    return names


def _entry_key(entry: WriteEntry, names: tuple[str, ...]) -> dict[str, AttributeValue]:
    if "DeleteRequest" in entry.request:
        key: dict[str, AttributeValue] = entry.request["DeleteRequest"]["Key"]
        return key
    item = entry.request["PutRequest"]["Item"]
    missing = [name for name in names if name not in item]
    if missing:
        raise ValidationException(
            f"an item for table {entry.table!r} lacks its key attribute(s) {missing}"
        )
    return {name: item[name] for name in names}


def _describe_keys(entries: list[WriteEntry], names: dict[str, tuple[str, ...]]) -> str:
    parts = []
    for entry in entries[:5]:
        kind = "put" if "PutRequest" in entry.request else "delete"
        if kind == "delete" or entry.table in names:
            shown = deserialize_item(_entry_key(entry, names.get(entry.table, ())))
        else:  # key names unknown (the table could not be described): show the whole item
            shown = deserialize_item(entry.request["PutRequest"]["Item"])
        parts.append(f"{kind} {entry.table}{shown}")
    more = f" and {len(entries) - 5} more" if len(entries) > 5 else ""
    return ", ".join(parts) + more


class _Pacing:
    """When leftovers (unprocessed writes or keys) are sent again: after a full-jitter backoff
    that grows until a response makes progress; ``retry.attempts`` responses in a row that
    process nothing give up."""

    __slots__ = ("_backoff", "_retry", "_stalled")

    def __init__(self, retry: RetryPolicy) -> None:
        self._retry = retry
        self._stalled = self._backoff = 0

    def stalled(self, left: int, sent: int) -> bool:
        """Note a response that left ``left`` of ``sent`` unprocessed; whether to give up."""
        if not left:
            self._stalled = self._backoff = 0
            return False
        self._stalled = self._stalled + 1 if left == sent else 0
        return self._stalled >= self._retry.attempts

    def pause(self) -> Sleep:
        """The wait before the leftovers go again."""
        self._backoff += 1
        return Sleep(self._retry.delay(self._backoff - 1))

    @property
    def reason(self) -> str:
        return f"DynamoDB left them unprocessed {self._retry.attempts} times in a row"


class WriteBook:
    """Every write of one writer (or one ``batch_write`` call) not yet acknowledged by DynamoDB.

    A write is in ``queued`` (never sent, or refused and waiting to go again) or in ``taken``
    (in the next request, by item; ``sent`` says that request went out, after which its
    outcome is unknown until DynamoDB answers). A write leaves the book only when DynamoDB
    acknowledged it, when a later write to the same item in the same request replaced it, or
    when an error takes the whole book (``hand_over``). Each step adds a write to its new place
    before removing it from the old one, so an interrupt between two statements (a signal's
    ``KeyboardInterrupt``) can make a write appear twice, never vanish; ``hand_over`` lists it
    once.
    """

    __slots__ = ("queued", "sent", "taken")

    def __init__(self, entries: Iterable[WriteEntry] = ()) -> None:
        self.queued: deque[WriteEntry] = deque(entries)
        self.taken: dict[tuple[str, Any], WriteEntry] = {}
        self.sent = False

    def __len__(self) -> int:
        return len(self.queued) + len(self.taken)

    def hand_over(
        self, reason: str, known_keys: dict[str, tuple[str, ...]], in_flight: bool
    ) -> BatchWriteError:
        """Empty the book into the error listing its writes (``in_flight``: the taken writes
        were sent and their outcome is unknown)."""
        taken = list(self.taken.values())
        left = list({id(entry): entry for entry in [*taken, *self.queued]}.values())
        flying = {id(entry) for entry in taken} if in_flight and self.sent else set()
        actions = [(entry.action(), id(entry) in flying) for entry in left]
        unknown = f" ({len(flying)} of them in flight, outcome unknown)" if flying else ""
        error = BatchWriteError(
            f"batch write stopped ({reason}); {len(left)} writes are not known to be "
            f"stored{unknown}: {_describe_keys(left, known_keys)}",
            unprocessed=[action for action, _ in actions],
            in_flight=[action for action, flew in actions if flew],
        )
        # Emptied only once the error holds every write: an interrupt while it is built
        # leaves the book whole.
        self.queued, self.taken, self.sent = deque(), {}, False
        return error


def stopped_summary(error: BatchWriteError) -> str:
    """What a log line says of a stopped batch write: counts and tables, never a key or an
    item (those are on the error, for the code that handles it)."""
    tables = sorted({str(getattr(action, "table", "?")) for action in error.unprocessed})
    flying = f", {len(error.in_flight)} in flight" if error.in_flight else ""
    return (
        f"batch write stopped: {len(error.unprocessed)} writes to {', '.join(tables)} are not "
        f"known to be stored{flying}; BatchWriteError.unprocessed lists them"
    )


def _item(entry: WriteEntry, names: tuple[str, ...]) -> tuple[str, Any]:
    """The item a write touches: its table and key."""
    return entry.table, key_id(_entry_key(entry, names))


def _take(book: WriteBook, known_keys: dict[str, tuple[str, ...]]) -> Plan[None]:
    """Move writes from the front of the queue into ``book.taken``, up to one request's worth
    of items; a later write to an item replaces the earlier one (the outcome a sequence of
    single writes would have had)."""
    queued, taken = book.queued, book.taken
    while queued and len(taken) < MAX_WRITE_ITEMS:
        entry = queued[0]
        names = known_keys.get(entry.table)
        if names is None:
            names = yield from key_names_plan(entry.table, known_keys)
        taken[_item(entry, names)] = entry
        queued.popleft()


def _refused(
    book: WriteBook, response: dict[str, Any], known_keys: dict[str, tuple[str, ...]]
) -> list[WriteEntry]:
    """The taken writes DynamoDB handed back unprocessed (matched by item, so only writes
    that were sent are ever sent again)."""
    refused = []
    for table, requests in (response.get("UnprocessedItems") or {}).items():
        for request in requests:
            mine = book.taken.get(_item(WriteEntry(table, request), known_keys.get(table, ())))
            if mine is None:
                raise ConnectionException(
                    f"DynamoDB handed back an unprocessed write to table {table!r} it was not sent",
                    sent=True,
                )
            refused.append(mine)
    return refused


def batch_write_plan(
    entries: Iterable[WriteEntry] | WriteBook,
    retry: RetryPolicy,
    known_keys: dict[str, tuple[str, ...]],
    *,
    everything: bool = True,
) -> Plan[None]:
    """Send the book's writes in requests of 25 until it is empty (``everything=False``:
    until less than a full request is left), retrying what DynamoDB leaves unprocessed.

    On any stop the error accounts for every write still in the book: a request that failed
    (after the client's retries) or ``retry.attempts`` responses in a row without progress
    raise ``BatchWriteError`` from the failure; cancellation, ``KeyboardInterrupt`` and every
    other exception go on unchanged with that ``BatchWriteError`` as their ``__cause__`` (and
    an ERROR logged). Either way the book is empty afterwards: its writes belong to the error.
    """
    book = entries if isinstance(entries, WriteBook) else WriteBook(entries)
    pacing = _Pacing(retry)
    try:
        while book.queued and (everything or len(book.queued) >= MAX_WRITE_ITEMS):
            yield from _take(book, known_keys)
            book.sent = True
            request_items: dict[str, list[dict[str, Any]]] = {}
            for entry in book.taken.values():
                request_items.setdefault(entry.table, []).append(entry.request)
            response = yield Call("BatchWriteItem", {"RequestItems": request_items})
            refused = _refused(book, response, known_keys)
            book.queued.extendleft(reversed(refused))
            sent, book.taken, book.sent = len(book.taken), {}, False
            if pacing.stalled(len(refused), sent):
                raise book.hand_over(pacing.reason, known_keys, in_flight=False)
            if refused:
                yield pacing.pause()
    except (BatchWriteError, GeneratorExit):
        raise
    except PydynoxException as error:
        reason = f"{type(error).__name__}: {error.message}"
        raise book.hand_over(reason, known_keys, may_have_applied(error)) from error
    except BaseException as stop:
        report = book.hand_over(type(stop).__name__, known_keys, in_flight=True)
        if report.unprocessed:
            _log.error("%s", stopped_summary(report))
            raise stop from report
        raise


def batch_get_plan(
    table: str,
    keys: Iterable[Mapping[str, Any]],
    retry: RetryPolicy,
    consistent_read: bool = False,
) -> Plan[list[dict[str, Any]]]:
    """Read the items of ``keys`` (any number), in key order, missing ones left out."""
    check_table(table)
    wanted: dict[Any, dict[str, AttributeValue]] = {}
    for key in keys:
        av = check_key(key)
        wanted.setdefault(key_id(av), av)
    if not wanted:
        return []
    names = tuple(next(iter(wanted.values())))
    found: dict[Any, dict[str, Any]] = {}
    queue = deque(wanted.values())
    pacing = _Pacing(retry)
    while queue:
        chunk = [queue.popleft() for _ in range(min(MAX_GET_KEYS, len(queue)))]
        request: dict[str, Any] = {"Keys": chunk}
        if consistent_read:
            request["ConsistentRead"] = True
        try:
            response = yield Call("BatchGetItem", {"RequestItems": {table: request}})
        except PydynoxException as error:
            raise _get_error(table, chunk + list(queue), found, error) from error
        for raw in response.get("Responses", {}).get(table, []):
            found[key_id({name: raw[name] for name in names if name in raw})] = raw
        unprocessed: list[dict[str, AttributeValue]] = (
            (response.get("UnprocessedKeys") or {}).get(table, {}).get("Keys", [])
        )
        if pacing.stalled(len(unprocessed), len(chunk)):
            raise _get_error(table, unprocessed + list(queue), found, pacing.reason)
        if unprocessed:
            queue.extendleft(reversed(unprocessed))
            yield pacing.pause()
    return [deserialize_item(found[k]) for k in wanted if k in found]


def _get_error(
    table: str,
    left: list[dict[str, AttributeValue]],
    found: dict[Any, dict[str, Any]],
    why: PydynoxException | str,
) -> BatchGetError:
    reason = why if isinstance(why, str) else f"{type(why).__name__}: {why.message}"
    return BatchGetError(
        f"batch read of table {table!r} gave up ({reason}); {len(left)} keys were not read",
        unprocessed=[Get(table, deserialize_item(key)) for key in left],
        items=[deserialize_item(item) for item in found.values()],
    )
