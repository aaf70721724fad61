"""PartiQL: the ExecuteStatement request, and the plan that reads every page of its answer.

``statement_request`` validates and builds the request: the statement text, its ``?``
placeholders' values serialized in order (``Parameters``; left out when there are none, as
DynamoDB refuses an empty list), ``ConsistentRead`` and ``page_size`` as DynamoDB's ``Limit``
(the items *evaluated* per request, before the ``WHERE`` filter). ``statement_plan`` sends it
and follows every ``NextToken`` (a page may be empty and still have one), returning the rows
converted (the client: plain dicts, with ``deserialize_item``); ``limit`` caps the rows
returned in total, as in a query, and stops paging once reached. Write statements
(``INSERT``, ``UPDATE``, ``DELETE``) answer no rows.

Whether a failed statement is sent again is decided in ``_retry`` (a ``SELECT`` is, a write
is not: ``UPDATE ... SET n = n + 1`` would count twice).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pydynox._protocol._paging import check_positive
from pydynox._protocol._plan import Call, Plan
from pydynox._values._codec import serialize_value
from pydynox.exceptions import ConnectionException, ValidationException

__all__ = ["MAX_STATEMENT", "statement_plan", "statement_request"]

MAX_STATEMENT = 8192  # characters: DynamoDB's limit on a statement
_MAX_LIMIT = 2**31 - 1  # DynamoDB's Limit is a 32-bit integer

T = TypeVar("T")
Convert = Callable[[dict[str, Any]], T]


def statement_request(
    statement: str,
    parameters: Sequence[Any] = (),
    consistent_read: bool = False,
    page_size: int | None = None,
) -> dict[str, Any]:
    """The ExecuteStatement request; bad input raises ``ValidationException`` (a parameter
    that cannot be stored, ``SerializationException`` naming it) before anything is sent."""
    if not isinstance(statement, str) or not statement.strip():
        raise ValidationException(f"a statement must be a non-empty string, not {statement!r:.80}")
    if len(statement) > MAX_STATEMENT:
        raise ValidationException(
            f"a statement is at most {MAX_STATEMENT} characters, this one has {len(statement)}"
        )
    if isinstance(parameters, (str, bytes, bytearray)) or not isinstance(parameters, Sequence):
        raise ValidationException(
            "parameters must be a list or tuple of values, one per ? in the statement, "
            f"not {parameters!r:.80}"
        )
    check_positive("page_size", page_size, _MAX_LIMIT)
    request: dict[str, Any] = {"Statement": statement}
    if parameters:
        request["Parameters"] = [
            serialize_value(value, f"parameters[{index}]") for index, value in enumerate(parameters)
        ]
    if consistent_read:
        request["ConsistentRead"] = True
    if page_size is not None:
        request["Limit"] = page_size
    return request


def statement_plan(
    request: dict[str, Any], convert: Convert[T], limit: int | None = None
) -> Plan[list[T]]:
    """Run ``request`` (from ``statement_request``), following every ``NextToken``; return
    the rows, converted, at most ``limit`` of them."""
    check_positive("limit", limit)
    return _pages(request, convert, limit)


def _pages(request: dict[str, Any], convert: Convert[T], limit: int | None) -> Plan[list[T]]:
    rows: list[T] = []
    sent = request
    while True:
        response: dict[str, Any] = yield Call("ExecuteStatement", sent)
        items: list[dict[str, Any]] = response.get("Items", [])
        if limit is not None:
            items = items[: limit - len(rows)]
        rows.extend(convert(item) for item in items)
        token = response.get("NextToken")
        if not token or (limit is not None and len(rows) >= limit):
            return rows
        if token == sent.get("NextToken"):
            raise ConnectionException(
                "DynamoDB answered the same NextToken again to an ExecuteStatement (the one it "
                "was sent); paging would never end",
                sent=True,
            )
        sent = dict(request, NextToken=token)
