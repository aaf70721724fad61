"""Pure request builders and response parsers for single DynamoDB calls.

Each builder validates its input and returns the exact keyword arguments of the low-level
call, so bad input is refused before anything is sent; each parser turns a response into
plain Python values. Both the async and the sync client use these, and nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, get_args

from pydynox._values._codec import (
    AttributeValue,
    deserialize_item,
    serialize_item,
    serialize_value,
)
from pydynox._values._size import check_item_size
from pydynox.exceptions import ValidationException
from pydynox.expressions import Attr, Condition, Placeholders, UpdateAction, render_update

__all__ = [
    "Expression",
    "Projection",
    "ReturnValues",
    "ReturnValuesOnWrite",
    "check_key",
    "check_projection",
    "check_return_values",
    "check_table",
    "delete_item_request",
    "get_item_request",
    "key_id",
    "parse_item",
    "put_item_request",
    "read_request",
    "update_actions",
    "update_item_request",
    "with_projection",
]

Expression = str | Condition
Projection = Sequence[str | Attr]
"""Attribute paths to read: ``"name"``, ``"address.city"``, ``"tags[0]"`` or ``Attr`` objects
(``Attr.of("a.b")`` for a name holding a dot)."""
KeyId = tuple[tuple[str, str, Any], ...]

ReturnValues = Literal["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]
"""What UpdateItem can hand back: nothing, the item before or after, or only the attributes
it changed, before or after."""
ReturnValuesOnWrite = Literal["NONE", "ALL_OLD"]
"""What PutItem and DeleteItem can hand back: nothing, or the item they replaced or deleted."""

_RETURN_VALUES: dict[str, tuple[str, ...]] = {
    "PutItem": get_args(ReturnValuesOnWrite),
    "DeleteItem": get_args(ReturnValuesOnWrite),
    "UpdateItem": get_args(ReturnValues),
}

TABLE_NAME_CHARS = r"[A-Za-z0-9_.\-]"
"""The characters of DynamoDB table and index names (also those of a table prefix)."""
MIN_TABLE_NAME, MAX_TABLE_NAME = 3, 255
_TABLE_NAME = re.compile(rf"{TABLE_NAME_CHARS}{{{MIN_TABLE_NAME},{MAX_TABLE_NAME}}}")


def check_table(table: str, what: str = "table") -> str:
    """Refuse a table (or, with ``what="index"``, an index) name DynamoDB would refuse."""
    if not isinstance(table, str) or not _TABLE_NAME.fullmatch(table):
        raise ValidationException(
            f"invalid {what} name {table!r}: DynamoDB table and index names are 3 to 255 "
            "characters of letters, digits, '_', '-' and '.'"
        )
    return table


def check_key(key: Mapping[str, Any]) -> dict[str, AttributeValue]:
    """Serialise a primary key: one or two attributes, each a non-empty S, N or B."""
    if not isinstance(key, Mapping) or not key:
        raise ValidationException(f"a key must be a non-empty mapping of attributes, not {key!r}")
    if len(key) > 2:
        raise ValidationException(
            f"a key has a partition key and at most a sort key, got {sorted(key)}"
        )
    result: dict[str, AttributeValue] = {}
    for name, value in key.items():
        if not isinstance(name, str) or not name:
            raise ValidationException(
                f"key attribute names must be non-empty strings, got {name!r}"
            )
        if value is None:
            raise ValidationException(f"key attribute {name!r} is None")
        av = serialize_value(value, name)
        kind, raw = next(iter(av.items()))
        if kind not in ("S", "N", "B"):
            raise ValidationException(
                f"key attribute {name!r} must be a string, number or bytes, not {kind}"
            )
        if kind != "N" and len(raw) == 0:
            raise ValidationException(
                f"key attribute {name!r} is empty: DynamoDB keys cannot be empty strings "
                "or empty bytes"
            )
        result[name] = av
    return result


def key_id(key: Mapping[str, AttributeValue]) -> KeyId:
    """A hashable identity of a serialised key, equal for equal keys."""
    return tuple(sorted((name, *next(iter(av.items()))) for name, av in key.items()))


def parse_item(raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    return deserialize_item(raw) if raw else None


def _with_condition(
    params: dict[str, Any], condition: Condition | None, ph: Placeholders | None = None
) -> dict[str, Any]:
    if condition is not None:
        if not isinstance(condition, Condition):
            raise ValidationException(
                f"condition must be built from attribute paths (Attr('n') > 3), not {condition!r}"
            )
        ph = ph or Placeholders()
        params["ConditionExpression"] = condition.render(ph)
        params["ReturnValuesOnConditionCheckFailure"] = "ALL_OLD"
    if ph is not None:
        ph.apply(params)
    return params


def check_return_values(value: object, operation: str) -> str:
    """``value`` if ``operation`` (PutItem, UpdateItem, DeleteItem) takes it as ReturnValues."""
    allowed = _RETURN_VALUES[operation]
    if not isinstance(value, str) or value not in allowed:
        names = ", ".join(repr(name) for name in allowed)
        raise ValidationException(
            f"return_values={value!r} is not allowed for {operation}: it takes one of {names}"
        )
    return value


def _with_return_values(params: dict[str, Any], value: object, operation: str) -> dict[str, Any]:
    """Ask for ``value`` (nothing to add for NONE, DynamoDB's default)."""
    if check_return_values(value, operation) != "NONE":
        params["ReturnValues"] = value
    return params


def get_item_request(
    table: str,
    key: Mapping[str, Any],
    consistent_read: bool,
    projection: Projection | None = None,
) -> dict[str, Any]:
    params = {
        "TableName": check_table(table),
        "Key": check_key(key),
        "ConsistentRead": consistent_read,
    }
    if projection is None:
        return params
    return with_projection(params, check_projection(projection))


def put_item_request(
    table: str,
    item: Mapping[str, Any],
    condition: Condition | None = None,
    return_values: ReturnValuesOnWrite = "NONE",
) -> dict[str, Any]:
    if not isinstance(item, Mapping):
        raise ValidationException(f"an item must be a mapping of attributes, not {item!r}")
    av = serialize_item(item)
    check_item_size(av, what=f"item for table {table!r}")
    params: dict[str, Any] = {"TableName": check_table(table), "Item": av}
    return _with_condition(_with_return_values(params, return_values, "PutItem"), condition)


def delete_item_request(
    table: str,
    key: Mapping[str, Any],
    condition: Condition | None = None,
    return_values: ReturnValuesOnWrite = "NONE",
) -> dict[str, Any]:
    params: dict[str, Any] = {"TableName": check_table(table), "Key": check_key(key)}
    return _with_condition(_with_return_values(params, return_values, "DeleteItem"), condition)


def update_actions(
    key: Mapping[str, Any],
    updates: Mapping[str, Any] | None,
    atomic: Iterable[UpdateAction] | None,
) -> list[UpdateAction]:
    """``updates`` (top-level names; None or an empty set removes) plus ``atomic`` actions."""
    actions: list[UpdateAction] = []
    for name, value in (updates or {}).items():
        empty_set = isinstance(value, (set, frozenset)) and not value
        path = Attr.of(name)
        actions.append(path.remove() if value is None or empty_set else path.set(value))
    actions.extend(atomic or ())
    if not actions:
        raise ValidationException("an update needs at least one field in updates= or atomic=")
    for action in actions:
        if action.path.segments[0] in key:
            raise ValidationException(
                f"cannot update key attribute {action.path.segments[0]!r}: "
                "key attributes are fixed; delete and put the item instead"
            )
    return actions


def update_item_request(
    table: str,
    key: Mapping[str, Any],
    actions: Sequence[UpdateAction],
    condition: Condition | None = None,
    return_values: ReturnValues = "ALL_NEW",
) -> dict[str, Any]:
    ph = Placeholders()
    params: dict[str, Any] = {
        "TableName": check_table(table),
        "Key": check_key(key),
        "UpdateExpression": render_update(actions, ph),
    }
    params = _with_return_values(params, return_values, "UpdateItem")
    return _with_condition(params, condition, ph)


def read_request(
    table: str,
    *,
    key_condition: Expression | None = None,
    filter_expression: Expression | None = None,
    names: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
    index_name: str | None = None,
    consistent_read: bool = False,
    scan_index_forward: bool = True,
    segment: int | None = None,
    total_segments: int | None = None,
) -> dict[str, Any]:
    """The shared part of a Query (with ``key_condition``) or a Scan (without)."""
    ph = Placeholders()
    if names:
        ph.add_names(names)
    if values:
        ph.add_values(values)
    params: dict[str, Any] = {"TableName": check_table(table)}
    if key_condition is not None:
        params["KeyConditionExpression"] = _render(key_condition, ph)
        if not scan_index_forward:
            params["ScanIndexForward"] = False
    if filter_expression is not None:
        params["FilterExpression"] = _render(filter_expression, ph)
    if index_name is not None:
        params["IndexName"] = check_table(index_name, "index")
    if consistent_read:
        params["ConsistentRead"] = True
    if segment is not None or total_segments is not None:
        if segment is None or total_segments is None:
            raise ValidationException("a parallel scan needs both segment and total_segments")
        if not 1 <= total_segments <= 1_000_000 or not 0 <= segment < total_segments:
            raise ValidationException(
                f"segment must be in 0..total_segments-1 and total_segments in 1..1000000, "
                f"got segment={segment}, total_segments={total_segments}"
            )
        params["Segment"] = segment
        params["TotalSegments"] = total_segments
    return ph.apply(params)


def _render(expression: Expression, ph: Placeholders) -> str:
    if isinstance(expression, Condition):
        return expression.render(ph)
    if isinstance(expression, str) and expression.strip():
        return expression
    raise ValidationException(
        f"an expression must be a non-empty string or a condition, not {expression!r}"
    )


# -- projections ------------------------------------------------------------------------------

_NAME_TOKEN = re.compile(r"#[A-Za-z0-9_]+")
_OTHER_EXPRESSIONS = ("KeyConditionExpression", "FilterExpression", "ConditionExpression")


def check_projection(projection: object) -> tuple[Attr, ...]:
    """The paths of a projection, checked before anything is sent: a non-empty list (or
    other iterable, not a string) of paths in the syntax ``Attr`` parses, or ``Attr``s.

    A repeated path, or one inside another path of the projection (``"address.city"`` with
    ``"address"``), is left out: DynamoDB refuses overlapping paths, and the outer one reads
    it anyway. Two paths that use one attribute as a list and as a map (``"a[0]"`` and
    ``"a.b"``) are refused, as DynamoDB would refuse them."""
    if isinstance(projection, (str, bytes, Mapping)) or not isinstance(projection, Iterable):
        raise ValidationException(
            f"a projection must be a list of attribute paths (['name', 'address.city']), "
            f"not {projection!r}"
        )
    kept: list[Attr] = []
    for entry in projection:
        if isinstance(entry, Attr):
            path = entry
        elif isinstance(entry, str):
            path = Attr(entry)  # refuses "" and what does not parse, naming the path
        else:
            raise ValidationException(
                f"a projection's paths must be strings or Attr, not {entry!r}"
            )
        segments = path.segments
        if any(_covers(other.segments, segments) for other in kept):
            continue
        for other in kept:
            _check_compatible(other.segments, segments)
        kept = [other for other in kept if not _covers(segments, other.segments)]
        kept.append(path)
    if not kept:
        raise ValidationException("a projection needs at least one attribute path")
    return tuple(kept)


def _covers(outer: tuple[str | int, ...], inner: tuple[str | int, ...]) -> bool:
    return inner[: len(outer)] == outer


def _check_compatible(one: tuple[str | int, ...], two: tuple[str | int, ...]) -> None:
    for a, b in zip(one, two, strict=False):
        if a == b and type(a) is type(b):
            continue
        if isinstance(a, int) != isinstance(b, int):
            raise ValidationException(
                f"projected paths {Attr.of(*one)!s} and {Attr.of(*two)!s} conflict: one "
                "reads the same attribute as a list, the other as a map"
            )
        return


def with_projection(params: Mapping[str, Any], paths: Sequence[Attr] | None) -> dict[str, Any]:
    """A copy of the GetItem, Query or Scan request ``params`` reading only ``paths``
    (checked by ``check_projection``; None: whole items).

    A ProjectionExpression it had is replaced, and the name placeholders only that one used
    are dropped (DynamoDB refuses unused ones). Names go through placeholders merged with
    the request's own: a name that already has one reuses it, new ones never collide."""
    request = dict(params)
    names: dict[str, str] = dict(request.pop("ExpressionAttributeNames", None) or {})
    old = request.pop("ProjectionExpression", None)
    if old is not None:
        others = " ".join(str(request.get(key, "")) for key in _OTHER_EXPRESSIONS)
        for token in set(_NAME_TOKEN.findall(old)) - set(_NAME_TOKEN.findall(others)):
            names.pop(token, None)
    if paths is not None:
        ph = Placeholders()
        ph.add_names(names)
        known = {name: key for key, name in names.items()}
        rendered: list[str] = []
        for path in paths:
            parts: list[str] = []
            for segment in path.segments:
                if isinstance(segment, int):
                    parts.append(f"[{segment}]")
                    continue
                key = known.get(segment)
                if key is None:
                    key = known[segment] = ph.name(segment)
                parts.append(f".{key}" if parts else key)
            rendered.append("".join(parts))
        request["ProjectionExpression"] = ", ".join(rendered)
        names = ph.names
    if names:
        request["ExpressionAttributeNames"] = names
    return request
