"""Table names per environment: a client's ``table_prefix`` on every table DynamoDB sees.

A client made with ``table_prefix="prod-"`` sends table ``"users"`` to DynamoDB as
``"prod-users"``, while everything above the transport (plans, models, results, errors)
keeps the name its caller used. The mapping is pure and per operation:

- ``prefixed(op, request, prefix)`` puts the prefix on every table a request names:
  ``TableName``; the keys of a batch's ``RequestItems``; the ``TableName`` of every action of
  a transaction. A PartiQL statement (``ExecuteStatement``) is sent as written: its text
  names the table, and pydynox does not rewrite statements.
- ``unprefixed(op, response, prefix)`` takes it off every table an answer names: the keys of
  a batch's ``Responses``, ``UnprocessedItems``, ``UnprocessedKeys`` and
  ``ItemCollectionMetrics``; a table description's ``TableName``; ``ConsumedCapacity``.

``with_prefix(plan, prefix)`` runs a plan through that mapping: each ``Call`` it yields goes
out prefixed, each answer comes back unprefixed, so the plan only ever sees the names it
used (a batch's unprocessed writes, resent through the same client, are prefixed once). The
answer's shape is checked against the request that was really sent (``Feed.answer``), before
the mapping. Requests and answers are never changed in place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from pydynox._protocol._plan import Call, Plan, Step
from pydynox._protocol._requests import MAX_TABLE_NAME, MIN_TABLE_NAME, TABLE_NAME_CHARS
from pydynox.exceptions import PydynoxException, ValidationException

__all__ = ["PREFIX_VARIABLE", "check_prefix", "prefixed", "unprefixed", "with_prefix"]

T = TypeVar("T")

PREFIX_VARIABLE = "PYDYNOX_TABLE_PREFIX"
_PREFIX = re.compile(f"{TABLE_NAME_CHARS}*")

Rename = Callable[[str], str]


def check_prefix(prefix: object) -> str:
    """The prefix if DynamoDB could take it at the start of a table name (letters, digits,
    ``_``, ``-`` and ``.``, leaving room for a name of 3 characters), else
    ``ValidationException``."""
    if not isinstance(prefix, str):
        raise ValidationException(
            f"table_prefix (or {PREFIX_VARIABLE}) must be a str, not {type(prefix).__name__}"
        )
    if not _PREFIX.fullmatch(prefix):
        raise ValidationException(
            f"invalid table_prefix {prefix!r} (or {PREFIX_VARIABLE}): DynamoDB table names "
            "hold only letters, digits, '_', '-' and '.'"
        )
    if len(prefix) > MAX_TABLE_NAME - MIN_TABLE_NAME:
        raise ValidationException(
            f"table_prefix (or {PREFIX_VARIABLE}) is {len(prefix)} characters: a table name, "
            f"prefix included, is at most {MAX_TABLE_NAME}"
        )
    return prefix


def _adder(prefix: str) -> Rename:
    def add(table: str) -> str:
        full = prefix + table
        if len(full) > MAX_TABLE_NAME:
            raise ValidationException(
                f"table {table!r} with table_prefix {prefix!r} is {len(full)} characters: "
                f"DynamoDB table names are at most {MAX_TABLE_NAME}"
            )
        return full

    return add


def _remover(prefix: str) -> Rename:
    size = len(prefix)

    def remove(table: str) -> str:
        # A name without the prefix is left as it is: the answer's shape checks refuse tables
        # the request did not name.
        return table[size:] if table.startswith(prefix) else table

    return remove


# -- requests -------------------------------------------------------------------------------


def _table_name(request: dict[str, Any], rename: Rename) -> dict[str, Any]:
    return {**request, "TableName": rename(request["TableName"])}


def _request_items(request: dict[str, Any], rename: Rename) -> dict[str, Any]:
    items = request["RequestItems"]
    return {**request, "RequestItems": {rename(table): asked for table, asked in items.items()}}


def _transact_items(request: dict[str, Any], rename: Rename) -> dict[str, Any]:
    actions = [
        {kind: _table_name(body, rename) for kind, body in action.items()}
        for action in request["TransactItems"]
    ]
    return {**request, "TransactItems": actions}


def _as_written(request: dict[str, Any], rename: Rename) -> dict[str, Any]:
    return request


# Operation -> how its request names tables. Every operation pydynox sends is here
# (tests/unit/test_prefix.py checks it against _shapes.OPERATIONS).
_REQUESTS: dict[str, Callable[[dict[str, Any], Rename], dict[str, Any]]] = {
    "GetItem": _table_name,
    "PutItem": _table_name,
    "UpdateItem": _table_name,
    "DeleteItem": _table_name,
    "Query": _table_name,
    "Scan": _table_name,
    "BatchGetItem": _request_items,
    "BatchWriteItem": _request_items,
    "TransactWriteItems": _transact_items,
    "TransactGetItems": _transact_items,
    "CreateTable": _table_name,
    "DeleteTable": _table_name,
    "DescribeTable": _table_name,
    "UpdateTimeToLive": _table_name,
    "ExecuteStatement": _as_written,  # the statement's text names the table
}


def prefixed(op: str, request: dict[str, Any], prefix: str) -> dict[str, Any]:
    """``request`` for ``op`` with ``prefix`` on every table it names; a name that grows over
    255 characters raises ``ValidationException``. An operation this module does not know
    is refused rather than sent unprefixed."""
    if not prefix:
        return request
    mapping = _REQUESTS.get(op)
    if mapping is None:
        raise ValidationException(f"table_prefix: pydynox does not know where {op} names tables")
    return mapping(request, _adder(prefix))


# -- answers --------------------------------------------------------------------------------


def _rename_keys(value: Any, rename: Rename) -> Any:
    if type(value) is not dict:
        return value  # not in DynamoDB's shape: the shape checks have their say
    return {rename(table) if type(table) is str else table: v for table, v in value.items()}


def _rename_field(value: Any, rename: Rename) -> Any:
    """A map whose ``TableName`` names a table (a table description, a capacity record)."""
    if type(value) is not dict or type(value.get("TableName")) is not str:
        return value
    return {**value, "TableName": rename(value["TableName"])}


def _capacity(value: Any, rename: Rename) -> Any:
    if type(value) is list:
        return [_rename_field(record, rename) for record in value]
    return _rename_field(value, rename)


# Answer field -> how it names tables; fields absent from an answer cost nothing.
_ANSWER_FIELDS: dict[str, Callable[[Any, Rename], Any]] = {
    "Responses": _rename_keys,  # BatchGetItem's (TransactGetItems' is a list: left alone)
    "UnprocessedKeys": _rename_keys,
    "UnprocessedItems": _rename_keys,
    "ItemCollectionMetrics": _rename_keys,  # BatchWriteItem's (single writes' name none)
    "Table": _rename_field,
    "TableDescription": _rename_field,
    "ConsumedCapacity": _capacity,
}
_BATCH_OPS = frozenset({"BatchGetItem", "BatchWriteItem"})


def unprefixed(op: str, response: dict[str, Any], prefix: str) -> dict[str, Any]:
    """``response`` to ``op`` with ``prefix`` taken off every table it names."""
    if not prefix or type(response) is not dict:
        return response
    rename = _remover(prefix)
    found = [name for name in _ANSWER_FIELDS if name in response]
    if not found:
        return response
    answer = dict(response)
    for name in found:
        if name in ("Responses", "ItemCollectionMetrics") and op not in _BATCH_OPS:
            continue
        answer[name] = _ANSWER_FIELDS[name](response[name], rename)
    return answer


# -- plans ----------------------------------------------------------------------------------


def with_prefix(plan: Plan[T], prefix: str) -> Plan[T]:
    """Run ``plan`` with ``prefix`` on the tables of its calls and off those of their answers.

    Its sleeps and emits pass unchanged; whatever the driver throws in (a call's error,
    cancellation, ``KeyboardInterrupt``) reaches the plan at its ``yield``; a request that
    cannot be prefixed (a name grown too long) fails as that call, before anything is sent.
    Closing this plan closes ``plan``."""
    reply: Any = None
    error: BaseException | None = None
    try:
        while True:
            try:
                step = plan.throw(error) if error is not None else plan.send(reply)
            except StopIteration as stop:
                result: T = stop.value
                return result
            reply, error = None, None
            out: Step = step
            if type(step) is Call:
                try:
                    out = Call(step.op, prefixed(step.op, step.params, prefix))
                except PydynoxException as refused:
                    error = refused
                    continue
            try:
                answer = yield out
            except GeneratorExit:
                raise
            except BaseException as failure:  # the plan hears it, as without a prefix
                error = failure
                continue
            reply = unprefixed(step.op, answer, prefix) if type(step) is Call else answer
    finally:
        plan.close()
