"""Refuse a DynamoDB answer that is not in DynamoDB's shape, before any parser reads it.

An HTTP 200 whose JSON holds ``{"Items": "x"}`` or ``{"Table": null}`` (a broken proxy, a
faulty emulator, a server of another kind) would otherwise surface as a raw ``KeyError`` or
``TypeError`` deep in a plan or parser, or worse, as a silently wrong result.
``check_response`` runs once per answer (in ``Feed.answer``, so on both drivers and both
transports) and raises ``ConnectionException(sent=True)`` naming the field at fault.

The table ``_ANSWERS`` says, per operation, the JSON shape of every field pydynox reads;
``_NEEDED`` names the fields a request makes mandatory, and ``_RULES`` the few checks that
compare the answer with the request. The checks stay structural and cheap: ``Items`` is a
list of maps, but attribute values inside items are left to the codec (``_codec``), which
refuses malformed ones as it reads them. Key attribute values are the exception: pydynox
sends them back (``ExclusiveStartKey``, unprocessed keys) or hashes them, and they are few.

``check_error_body`` does the same for the JSON of an error answer.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pydynox.exceptions import ConnectionException

__all__ = ["OPERATIONS", "check_error_body", "check_response"]


@dataclass(frozen=True)
class _Record:
    """A map with these fields (others are ignored); ``required`` ones must be present."""

    fields: dict[str, Shape]
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class _MapOf:
    """A map with any keys, every value of one shape (tables to items, names to keys)."""

    value: Shape


@dataclass(frozen=True)
class _Check:
    """A shape tested by a predicate; ``name`` says what it should be."""

    name: str
    fits: Callable[[Any], bool]


# A JSON type (dict, list, str, int, bool), a one-member list ``[member]`` (a list of that
# shape), a record, a map of one shape, or a predicate.
Shape = type | list["Shape"] | _Record | _MapOf | _Check

_NAMES: dict[type, str] = {
    dict: "a map",
    list: "a list",
    str: "a string",
    int: "a whole number",
    bool: "true or false",
}

_show = reprlib.Repr()
_show.maxstring = _show.maxother = 60


def _is_key_value(value: Any) -> bool:
    if type(value) is not dict or len(value) != 1:
        return False
    ((tag, raw),) = value.items()
    return type(raw) is str if tag in ("S", "N") else tag == "B" and type(raw) is bytes


def _is_key(value: Any) -> bool:
    return type(value) is dict and all(_is_key_value(av) for av in value.values())


def _is_write_request(value: Any) -> bool:
    if type(value) is not dict:
        return False
    put = value.get("PutRequest")
    if put is not None:
        return type(put) is dict and type(put.get("Item")) is dict
    delete = value.get("DeleteRequest")
    return type(delete) is dict and _is_key(delete.get("Key"))


_KEY_VALUE = _Check("a key attribute value ({'S': str}, {'N': str} or {'B': bytes})", _is_key_value)
_KEY = _MapOf(_KEY_VALUE)
_WRITE_REQUEST = _Check(
    "a write request ({'PutRequest': {'Item': map}} or {'DeleteRequest': {'Key': key}})",
    _is_write_request,
)
_KEY_SCHEMA: Shape = [_Record({"AttributeName": str}, required=("AttributeName",))]
_INDEX = _Record(
    {"IndexName": str, "KeySchema": _KEY_SCHEMA, "IndexStatus": str},
    required=("IndexName", "KeySchema"),
)
_TABLE = _Record(
    {
        "KeySchema": _KEY_SCHEMA,
        "TableStatus": str,
        "GlobalSecondaryIndexes": [_INDEX],
        "LocalSecondaryIndexes": [_INDEX],
    },
    required=("KeySchema",),
)
_READ: dict[str, Shape] = {
    "Items": [dict],
    "Count": int,
    "ScannedCount": int,
    "LastEvaluatedKey": _KEY,
}

# Operation -> field -> the shape pydynox relies on; every operation pydynox sends is here,
# those whose answer pydynox does not read with no fields.
_ANSWERS: dict[str, dict[str, Shape]] = {
    "GetItem": {"Item": dict},
    "PutItem": {"Attributes": dict},
    "UpdateItem": {"Attributes": dict},
    "DeleteItem": {"Attributes": dict},
    "Query": _READ,
    "Scan": _READ,
    "BatchGetItem": {
        "Responses": _MapOf([dict]),
        "UnprocessedKeys": _MapOf(_Record({"Keys": [_KEY]}, required=("Keys",))),
    },
    "BatchWriteItem": {"UnprocessedItems": _MapOf([_WRITE_REQUEST])},
    "TransactWriteItems": {},
    "TransactGetItems": {"Responses": [_Record({"Item": dict})]},
    "CreateTable": {},
    "DeleteTable": {},
    "DescribeTable": {"Table": _TABLE},
    "UpdateTimeToLive": {},
    # Items is not made mandatory: a write statement's answer need not carry it.
    "ExecuteStatement": {"Items": [dict], "NextToken": str},
}

OPERATIONS = frozenset(_ANSWERS)


def _read_needs(params: dict[str, Any]) -> Iterable[str]:
    return ("Count",) if params.get("Select") == "COUNT" else ("Items",)


def _update_needs(params: dict[str, Any]) -> Iterable[str]:
    # ALL_NEW always has attributes to return (the key at least); other values may not.
    return ("Attributes",) if params.get("ReturnValues") == "ALL_NEW" else ()


# Operation -> the fields this request makes mandatory in its answer.
_NEEDED: dict[str, Callable[[dict[str, Any]], Iterable[str]]] = {
    "Query": _read_needs,
    "Scan": _read_needs,
    "UpdateItem": _update_needs,
    "DescribeTable": lambda params: ("Table",),
    "TransactGetItems": lambda params: ("Responses",),
}


def _batch_get_keys(params: dict[str, Any], response: dict[str, Any]) -> str | None:
    """Each item read holds the key attributes it was asked by (pydynox matches items to the
    requested keys by them)."""
    for table, items in response.get("Responses", {}).items():
        asked = params.get("RequestItems", {}).get(table)
        if not asked or not asked.get("Keys"):
            return f"Responses holds table {table!r}, which the request did not ask for"
        names = tuple(asked["Keys"][0])
        for index, item in enumerate(items):
            for name in names:
                if not _is_key_value(item.get(name)):
                    where = f"Responses.{table}[{index}].{name}"
                    return _wrong(where, item.get(name), _KEY_VALUE.name)
    return None


def _no_more_unprocessed_than_sent(params: dict[str, Any], response: dict[str, Any]) -> str | None:
    """A batch answer never leaves more of a table unprocessed than was sent to it (the
    batch plans queue what is left over: more would grow the queue without end)."""
    asked = params.get("RequestItems", {})
    unprocessed = response.get("UnprocessedItems") or response.get("UnprocessedKeys") or {}
    for table, left in unprocessed.items():
        sent = asked.get(table)
        if sent is None:
            return f"it leaves table {table!r} unprocessed, which the request did not write"
        count = len(left.get("Keys", ())) if isinstance(left, dict) else len(left)
        total = len(sent.get("Keys", ())) if isinstance(sent, dict) else len(sent)
        if count > total:
            return f"it leaves {count} requests of table {table!r} unprocessed of {total} sent"
    return None


def _batch_get_rules(params: dict[str, Any], response: dict[str, Any]) -> str | None:
    return _batch_get_keys(params, response) or _no_more_unprocessed_than_sent(params, response)


def _one_response_per_get(params: dict[str, Any], response: dict[str, Any]) -> str | None:
    asked, answered = len(params.get("TransactItems", ())), len(response["Responses"])
    if asked != answered:
        return f"Responses holds {answered} answers for {asked} Gets"
    return None


# Operation -> checks of the answer against the request.
_RULES: dict[str, Callable[[dict[str, Any], dict[str, Any]], str | None]] = {
    "BatchGetItem": _batch_get_rules,
    "BatchWriteItem": _no_more_unprocessed_than_sent,
    "TransactGetItems": _one_response_per_get,
}


def _wrong(path: str, value: Any, expected: str) -> str:
    return f"{path} should be {expected}, not {_show.repr(value)}"


def _problem(value: Any, shape: Shape, path: str) -> str | None:
    """What is wrong with ``value`` (at ``path``) for ``shape``, or None."""
    if isinstance(shape, type):
        return None if type(value) is shape else _wrong(path, value, _NAMES[shape])
    if isinstance(shape, _Check):
        return None if shape.fits(value) else _wrong(path, value, shape.name)
    if isinstance(shape, list):
        if type(value) is not list:
            return _wrong(path, value, "a list")
        (member,) = shape
        if isinstance(member, type) and all(type(m) is member for m in value):
            return None  # the common case (Items: a list of maps), at C speed
        for index, element in enumerate(value):
            problem = _problem(element, member, f"{path}[{index}]")
            if problem is not None:
                return problem
        return None
    if type(value) is not dict:
        return _wrong(path, value, "a map")
    if isinstance(shape, _MapOf):
        for name, element in value.items():
            problem = _problem(element, shape.value, f"{path}.{name}")
            if problem is not None:
                return problem
        return None
    return _fields(value, shape.fields, shape.required, f"{path}.")


def _fields(
    value: dict[str, Any], fields: dict[str, Shape], required: Iterable[str], prefix: str
) -> str | None:
    for name in required:
        if name not in value:
            return f"{prefix}{name} is missing"
    for name, shape in fields.items():
        field = value.get(name)
        if field is not None or name in value:
            problem = _problem(field, shape, prefix + name)
            if problem is not None:
                return problem
    return None


def _answer_problem(op: str, params: dict[str, Any], response: Any) -> str | None:
    if type(response) is not dict:
        return f"the answer should be a map, not {_show.repr(response)}"
    needed = _NEEDED.get(op)
    for name in needed(params) if needed is not None else ():
        if name not in response:
            return f"{name} is missing (the request makes it mandatory)"
    problem = _fields(response, _ANSWERS.get(op, {}), (), "")
    rule = _RULES.get(op)
    return rule(params, response) if problem is None and rule is not None else problem


def check_response(op: str, params: dict[str, Any], response: dict[str, Any]) -> None:
    """Raise ``ConnectionException(sent=True)`` if the answer to ``op`` (sent with ``params``)
    lacks a field the request makes mandatory or holds a field of the wrong JSON type.
    Operations not in the table are only checked to be a map."""
    problem = _answer_problem(op, params, response)
    if problem is not None:
        raise ConnectionException(
            f"DynamoDB's answer to {op} is not in DynamoDB's shape: {problem}", sent=True
        )


_CANCELLATION_REASON = _Record({"Code": str, "Message": str, "Item": dict})
_ERROR: dict[str, Shape] = {"CancellationReasons": [_CANCELLATION_REASON], "Item": dict}


def check_error_body(status: int, body: dict[str, Any]) -> None:
    """The same check for the JSON of an error answer (HTTP ``status``): the fields that
    error decoding reads (cancellation reasons, the stored item of a failed condition)."""
    problem = _fields(body, _ERROR, (), "")
    if problem is not None:
        raise ConnectionException(
            f"DynamoDB's HTTP {status} answer is not in DynamoDB's shape: {problem}", sent=True
        )
