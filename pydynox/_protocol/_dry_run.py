"""Dry runs: the DynamoDB calls of a block recorded and answered here, never sent.

``with client.dry_run() as sent:`` makes every call made in the block (by the code in it and
the tasks it starts, on any client: a model's client too) a dry one: the driver records the
request in ``sent`` as a ``DryRun(operation, request)``, exactly as it would have been sent
(table prefix, ``ReturnConsumedCapacity``, names and values as placeholders with their maps,
binary values as bytes), and answers it with ``DRY_ANSWERS``, the smallest valid answer of
the operation. So every operation, single or multi-call, client or model, runs to its end
without I/O: no connection is opened, no credential is looked up, no listener hears a call.
Like ``client.capacity()`` it is a context variable: a thread started without copying the
context (a ``ThreadPoolExecutor``; ``asyncio.to_thread`` does copy it) is not in the block.

What a dry run answers:

- reads find nothing: no item (GetItem, BatchGetItem, TransactGetItems), empty pages
  (Query, Scan, ExecuteStatement), so a model's ``get`` is None and ``refresh`` raises;
- writes succeed: nothing is returned (an ``ALL_NEW`` update returns the key, the one part
  of the item known), no condition fails, no batch leaves anything unprocessed;
- tables: DescribeTable answers an ACTIVE table (so waits end at once) with the key schema
  the dry run knows: a table created in the block, one the client has already described, one
  named in ``dry_run(tables={"users": ("pk", "sk")})``. A table deleted in the block is gone
  (ResourceNotFoundException, so ``delete_table(wait=True)`` ends). DescribeTable of any other
  table fails with ``ValidationException``: pydynox describes a table to learn its key names
  (a plain-dict batch write on a client that has not yet learnt them, ``page()``), and an
  invented schema would change the requests a dry run shows.

What the client learns in a dry run (key names) is forgotten when it ends. ``first_request``
(``QueryResult.explain()``) builds the first request of a read the same way, sending nothing.
"""

from __future__ import annotations

import contextvars
import copy
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from pydynox._protocol._capacity import CapacityMode
from pydynox._protocol._paging import PageState
from pydynox._protocol._plan import Call, Emit, Feed, Plan
from pydynox.exceptions import PydynoxException, ResourceNotFoundException, ValidationException

__all__ = ["DRY_ANSWERS", "DryRun", "DryRunState", "dry_run_state", "dry_running", "first_request"]

KeyNames = Mapping[str, str | Sequence[str]]


@dataclass(frozen=True)
class DryRun:
    """One DynamoDB call a dry run did not send: the ``operation`` (``"UpdateItem"``) and its
    ``request``, in DynamoDB's JSON shape, as it would have been sent."""

    operation: str
    request: dict[str, Any]


def _described(table: str, names: Sequence[str]) -> dict[str, Any]:
    schema = [
        {"AttributeName": name, "KeyType": "RANGE" if position else "HASH"}
        for position, name in enumerate(names)
    ]
    return {"TableName": table, "TableStatus": "ACTIVE", "KeySchema": schema}


def _created(request: dict[str, Any]) -> dict[str, Any]:
    """The description of a table as its CreateTable request makes it, already ACTIVE."""
    table = _described(request["TableName"], ())
    table["KeySchema"] = request.get("KeySchema", [])
    if "LocalSecondaryIndexes" in request:
        table["LocalSecondaryIndexes"] = request["LocalSecondaryIndexes"]
    if "GlobalSecondaryIndexes" in request:
        table["GlobalSecondaryIndexes"] = [
            {**index, "IndexStatus": "ACTIVE"} for index in request["GlobalSecondaryIndexes"]
        ]
    return table


class DryRunState:
    """An active dry run: the calls it recorded (``sent``) and the tables it knows (sent name
    -> description, None for a table it deleted). A nested dry run sees what its outer ones
    know, and every call it records is recorded by them too."""

    __slots__ = ("outer", "sent", "tables")

    def __init__(
        self, tables: dict[str, dict[str, Any] | None], outer: DryRunState | None = None
    ) -> None:
        self.sent: list[DryRun] = []
        self.tables = tables
        self.outer = outer

    def _chain(self) -> Iterator[DryRunState]:
        state: DryRunState | None = self
        while state is not None:
            yield state
            state = state.outer

    def table(self, name: str) -> dict[str, Any] | None:
        for state in self._chain():
            if name in state.tables:
                described = state.tables[name]
                if described is None:
                    raise ResourceNotFoundException(
                        f"dry run: table {name!r} was deleted earlier in this dry run"
                    )
                return described
        raise ValidationException(
            f"dry run: pydynox would describe table {name!r} (to learn its key names or its "
            "status) and a dry run asks DynamoDB nothing; name its keys: "
            f"dry_run(tables={{{name!r}: ('pk', 'sk')}})"
        )

    def learn(self, name: str, described: dict[str, Any] | None) -> None:
        for state in self._chain():
            state.tables[name] = described

    def answer(self, feed: Feed[Any], call: Call) -> None:
        """Record ``call`` and answer it in ``feed`` (its answer, or the error a dry run
        raises for it), as a driver answers what it sent. No listener hears it: nothing was
        called."""
        record = DryRun(call.op, copy.deepcopy(call.params))
        for state in self._chain():
            state.sent.append(record)
        listeners, feed.observe = feed.observe, None
        try:
            answer = DRY_ANSWERS.get(call.op)
            if answer is None:
                raise ValidationException(f"dry run: pydynox cannot answer {call.op}")
            feed.answer(answer(call.params, self))
        except PydynoxException as error:
            feed.fail(error)
        finally:
            feed.observe = listeners


def _nothing(params: dict[str, Any], state: DryRunState) -> dict[str, Any]:
    return {}


def _page(params: dict[str, Any], state: DryRunState) -> dict[str, Any]:
    return {"Items": [], "Count": 0, "ScannedCount": 0}


def _update(params: dict[str, Any], state: DryRunState) -> dict[str, Any]:
    # ALL_NEW always has attributes (the key at least); the others may have none.
    return {"Attributes": dict(params["Key"])} if params.get("ReturnValues") == "ALL_NEW" else {}


def _batch_get(params: dict[str, Any], state: DryRunState) -> dict[str, Any]:
    return {"Responses": {table: [] for table in params["RequestItems"]}, "UnprocessedKeys": {}}


def _transact_get(params: dict[str, Any], state: DryRunState) -> dict[str, Any]:
    return {"Responses": [{} for _ in params["TransactItems"]]}


def _create_table(params: dict[str, Any], state: DryRunState) -> dict[str, Any]:
    state.learn(params["TableName"], _created(params))
    return {}


def _delete_table(params: dict[str, Any], state: DryRunState) -> dict[str, Any]:
    state.learn(params["TableName"], None)
    return {}


def _describe_table(params: dict[str, Any], state: DryRunState) -> dict[str, Any]:
    return {"Table": state.table(params["TableName"])}


DryAnswer = Callable[[dict[str, Any], DryRunState], dict[str, Any]]

# Operation -> its answer in a dry run; every operation pydynox sends is here (a unit test
# checks it against _shapes.OPERATIONS, and each answer against the shape check).
DRY_ANSWERS: dict[str, DryAnswer] = {
    "GetItem": _nothing,
    "PutItem": _nothing,
    "UpdateItem": _update,
    "DeleteItem": _nothing,
    "Query": _page,
    "Scan": _page,
    "BatchGetItem": _batch_get,
    "BatchWriteItem": lambda params, state: {"UnprocessedItems": {}},
    "TransactWriteItems": _nothing,
    "TransactGetItems": _transact_get,
    "CreateTable": _create_table,
    "DeleteTable": _delete_table,
    "DescribeTable": _describe_table,
    "UpdateTimeToLive": _nothing,
    "ExecuteStatement": lambda params, state: {"Items": []},
}

_active: contextvars.ContextVar[DryRunState | None] = contextvars.ContextVar(
    "pydynox_dry_run", default=None
)

dry_run_state = _active.get
"""The active dry run (None outside one): the drivers ask it before each call."""


def _known(
    known: Mapping[str, tuple[str, ...]], prefix: str, tables: KeyNames | None
) -> dict[str, dict[str, Any] | None]:
    """The tables a dry run starts knowing, by the name requests send (with ``prefix``): those
    whose key names a client has learnt (``known``), and those named in ``tables``."""
    book: dict[str, dict[str, Any] | None] = {}
    for name, names in known.items():
        if "/" not in name:  # "table/index": an index's names, not a table's schema
            book[prefix + name] = _described(prefix + name, names)
    for name, given in (tables or {}).items():
        names = (given,) if isinstance(given, str) else tuple(given)
        if not (isinstance(name, str) and 1 <= len(names) <= 2):
            raise ValidationException(
                f"dry_run(tables=...) maps a table name to its one or two key attribute "
                f"names, not {name!r}: {given!r}"
            )
        if not all(isinstance(part, str) and part for part in names):
            raise ValidationException(f"dry_run(tables=...): bad key names for {name!r}: {given!r}")
        book[prefix + name] = _described(prefix + name, names)
    return book


def _forget_taught(known: dict[str, tuple[str, ...]], before: dict[str, tuple[str, ...]]) -> None:
    """Drop the key names learnt since ``before`` (from dry answers, perhaps wrong): the
    client learns them again, from DynamoDB, when it needs them."""
    for name in [name for name, names in known.items() if before.get(name) != names]:
        known.pop(name, None)


@contextmanager
def dry_running(
    known: dict[str, tuple[str, ...]] | None = None,
    prefix: str = "",
    tables: KeyNames | None = None,
) -> Iterator[list[DryRun]]:
    """A dry run for the ``with`` block: yields the list its calls are recorded in. ``known``
    is the client's cache of key names (read, and cleaned of what the dry run taught it),
    ``prefix`` its table prefix, ``tables`` key names given by the caller."""
    cache = known if known is not None else {}
    state = DryRunState(_known(cache, prefix, tables), _active.get())
    before = dict(cache)
    token = _active.set(state)
    try:
        yield state.sent
    finally:
        _active.reset(token)
        _forget_taught(cache, before)


class Read(Protocol):
    """What ``first_request`` needs of a query or scan (``client._results.Reader``)."""

    @property
    def op(self) -> str: ...
    @property
    def known_keys(self) -> dict[str, tuple[str, ...]]: ...
    @property
    def prefix(self) -> str: ...
    def plan(self, state: PageState, first_only: bool = False) -> Plan[None]: ...


def first_request(read: Read, capacity: CapacityMode | None) -> dict[str, Any]:
    """The first Query or Scan request of ``read``, as it would be sent by a client asking for
    ``capacity``, built without sending anything: a call it needs first (a DescribeTable for
    key names) is answered as in a dry run, and recorded nowhere."""
    before = dict(read.known_keys)
    state = DryRunState(_known(read.known_keys, read.prefix, None))
    plan = read.plan(PageState())
    feed = Feed(plan)
    feed.capacity = capacity
    try:
        with closing(plan):
            for step in feed:
                if isinstance(step, Call):
                    if step.op == read.op:
                        return copy.deepcopy(step.params)
                    state.answer(feed, step)
                elif isinstance(step, Emit):  # pragma: no cover - a read emits after a call
                    break
    finally:
        _forget_taught(read.known_keys, before)
    raise ValidationException(f"this read sends no {read.op} request")  # pragma: no cover
