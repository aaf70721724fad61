"""The model's reads of many items: Query, Scan and Count readers.

A query's key condition comes from the partition key value, or, where the key attribute is
computed from a template (entities), from the template's fields given as keywords:
``Order.query(user_id="1")`` reads partition ``USER#1``; the sort key's template then gives
an equality when all its fields are given, else ``begins_with`` of the part rendered before
the first missing field (``ORDER#``), so an entity's query reads only its own sort keys.
An explicit ``sort_key_condition`` replaces that. Queries and scans of an entity also filter
on the discriminator, so ``limit``, pages and cursors count only that entity's items.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, TypeVar

from pydantic import BaseModel

from pydynox._protocol._paging import budget_params, count_plan
from pydynox._protocol._plan import Plan
from pydynox._protocol._requests import read_request
from pydynox._values._codec import serialize_value
from pydynox.client._results import Reader
from pydynox.exceptions import ValidationException
from pydynox.expressions import Attr, Condition
from pydynox.models._conditions import ConditionArg, all_of, checked_condition
from pydynox.models._declarations import _Index
from pydynox.models._entities import require_entity, typed_fields
from pydynox.models._stored import _Stored
from pydynox.models._unique import GUARD_MARK

__all__ = ["_Queries"]

M = TypeVar("M", bound="_Queries")


class _Queries(_Stored):
    @classmethod
    def _reader(
        cls: type[M],
        op: str,
        params: dict[str, Any],
        index: _Index | None,
        scope: object,
        filtered: bool,
        limit: int | None,
        page_size: int | None,
        start_key: Mapping[str, Any] | None,
        max_read_units: float | None = None,
    ) -> Reader[M]:
        info = cls._info()
        names = info.key_names
        if index is not None:
            extra = (*(index.partition_keys or (info.partition_key,)), *index.sort_keys)
            names = tuple(dict.fromkeys([*names, *extra]))
        client = cls._client()
        reader = client._reader(
            op,
            params,
            cls._from_item,
            repr((op, params["TableName"], params.get("IndexName"), scope)),
            filtered=filtered,
            limit=limit,
            page_size=page_size,
            start_key=start_key,
            key_names=names,
        ).budgeted(max_read_units, client.return_consumed_capacity)
        # What a projection (``result.project(UserCard)``) may read: the model's fields.
        return replace(reader, fields=frozenset(info.fields), owner=cls.__name__)

    @classmethod
    def _projection(cls, model: type[BaseModel]) -> list[str | Attr]:
        """The attributes ``get(..., project=model)`` reads: the fields of ``model``, each a
        field of this model (else refused before sending), and the discriminator."""
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise ValidationException(f"project= takes a pydantic model class, not {model!r}")
        info = cls._info()
        names = list(model.model_fields)
        for name in names:
            if name not in info.fields:
                raise ValidationException(
                    f"cannot project {model.__name__}: {name!r} is not a field of {cls.__name__}"
                )
        if not names:
            raise ValidationException(f"{model.__name__} has no fields to project")
        paths: list[str | Attr] = [Attr.of(name) for name in names]
        return paths + ([Attr.of(info.discriminator)] if info.discriminator else [])

    @classmethod
    def _partition_value(cls, key_name: str, value: Any) -> Any:
        """A query's partition key value as stored; an empty one is refused before sending
        (DynamoDB refuses empty strings and bytes in table and index keys)."""
        info = cls._info()
        stored = info.storage_value(key_name, value)
        if stored is None:
            raise ValidationException(
                f"{cls.__name__}.{key_name} is a key of the query: it needs a value, not None"
            )
        info.check_key_values({key_name: stored})
        return stored

    @classmethod
    def _check_consistent_read(cls, index: _Index | None, consistent_read: bool | None) -> None:
        if consistent_read and index is not None and index.kind == "global":
            raise ValidationException(
                f"{cls.__name__}.{index.attribute} is a global secondary index: DynamoDB offers "
                "no consistent reads on global secondary indexes"
            )

    @classmethod
    def _entity_filter(cls, condition: Condition | None) -> Condition | None:
        """``condition`` and, for an entity, that the item is one of its (for a model with
        ``Unique()`` fields, that it is not a guard)."""
        info = cls._info()
        require_entity(info)
        if info.entity is None or info.discriminator is None:
            if info.unique:  # the guard items of Unique() fields are not items of the model
                return all_of(condition, Attr(GUARD_MARK).not_exists())
            return condition
        return all_of(condition, Attr.of(info.discriminator) == info.entity)

    @classmethod
    def _key_condition(
        cls, index: _Index | None, partition_key: Any, fields: Mapping[str, Any]
    ) -> tuple[Condition, object, Condition | None]:
        """The partition condition, what cursors are bound to (the partition value as
        stored) and the sort key condition a template gives (None: none)."""
        info = cls._info()
        if index is not None and index.multi_attribute:
            return cls._multi_key_condition(index, partition_key, fields)
        pk_name = index.partition_key if index and index.partition_key else info.partition_key
        sk_name = index.sort_key if index is not None else info.sort_key
        where = f"{cls.__name__}.{index.attribute}" if index is not None else cls.__name__
        template = info.templates.get(pk_name)
        if template is None:
            if fields:
                raise ValidationException(
                    f"{where}.query takes the partition key value ({pk_name}), not "
                    f"{', '.join(sorted(fields))}"
                )
            stored = cls._partition_value(pk_name, partition_key)
            scope = serialize_value(stored, pk_name)
            return info.path(pk_name) == partition_key, scope, None
        sort = info.templates.get(sk_name) if sk_name else None
        allowed = (*template.fields, *(sort.fields if sort else ()))
        unknown = sorted(set(fields) - set(allowed))
        missing = [name for name in template.fields if name not in fields]
        if partition_key is not None or unknown or missing:
            raise ValidationException(
                f"{where}.{pk_name} is computed from {template.source!r}: query with "
                f"{', '.join(f'{name}=...' for name in template.fields)}"
                + (f" (and optionally {', '.join(sort.fields)})" if sort and sort.fields else "")
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
            )
        typed = typed_fields(info, fields)
        stored = template.render(typed)
        info.check_key_values({pk_name: stored})
        sort_condition = None
        if sort is not None and sk_name is not None:
            prefix, complete = sort.prefix(typed)
            given = [name in typed for name in sort.fields]
            if any(later and not earlier for earlier, later in itertools.pairwise(given)):
                raise ValidationException(
                    f"{where}.{sk_name} is {sort.source!r}: give its fields from the left "
                    f"({', '.join(sort.fields)}), each only with those before it"
                )
            if complete:
                sort_condition = Attr(sk_name) == prefix
            elif prefix:
                sort_condition = Attr(sk_name).begins_with(prefix)
        scope = serialize_value(stored, pk_name)
        return Attr(pk_name) == stored, scope, sort_condition

    @classmethod
    def _multi_key_condition(
        cls, index: _Index, partition_key: Any, fields: Mapping[str, Any]
    ) -> tuple[Condition, object, None]:
        """A multi-attribute index key: every partition attribute, then sort attributes from
        the left, each given by keyword (a range goes in ``sort_key_condition``, on the
        attribute after the last one given)."""
        info = cls._info()
        names = (*index.partition_keys, *index.sort_keys)
        unknown = sorted(set(fields) - set(names))
        missing = [name for name in index.partition_keys if name not in fields]
        given = [name in fields for name in index.sort_keys]
        gap = any(later and not earlier for earlier, later in itertools.pairwise(given))
        if partition_key is not None or unknown or missing or gap:
            raise ValidationException(
                f"{cls.__name__}.{index.attribute} is keyed by "
                f"{', '.join(index.partition_keys)} (then {', '.join(index.sort_keys) or '-'}): "
                "query with each partition attribute by keyword, then sort attributes from "
                "the left"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
            )
        condition: Condition | None = None
        stored: list[Any] = []
        for name in names:
            if name in fields:
                stored.append(cls._partition_value(name, fields[name]))
                condition = all_of(condition, info.path(name) == fields[name])
        assert condition is not None
        return condition, [serialize_value(v, "key") for v in stored], None

    @classmethod
    def _query_reader(
        cls: type[M],
        index: _Index | None,
        partition_key: Any,
        fields: Mapping[str, Any] | None = None,
        sort_key_condition: ConditionArg = None,
        filter_condition: ConditionArg = None,
        limit: int | None = None,
        page_size: int | None = None,
        scan_index_forward: bool = True,
        consistent_read: bool | None = None,
        last_evaluated_key: Mapping[str, Any] | None = None,
        max_read_units: float | None = None,
    ) -> Reader[M]:
        cls._check_consistent_read(index, consistent_read)
        key_condition, scope, templated = cls._key_condition(index, partition_key, fields or {})
        sort = checked_condition(sort_key_condition)
        if sort is None:
            sort = templated
        filter_expression = cls._entity_filter(checked_condition(filter_condition))
        params = read_request(
            cls._table_name(),
            key_condition=key_condition if sort is None else key_condition & sort,
            filter_expression=filter_expression,
            index_name=index.index_name if index else None,
            consistent_read=bool(consistent_read),
            scan_index_forward=scan_index_forward,
        )
        # A cursor is bound to the partition: the key value as stored.
        filtered = filter_expression is not None
        return cls._reader(
            "Query",
            params,
            index,
            scope,
            filtered,
            limit,
            page_size,
            last_evaluated_key,
            max_read_units,
        )

    @classmethod
    def _scan_reader(
        cls: type[M],
        index: _Index | None,
        filter_condition: ConditionArg = None,
        limit: int | None = None,
        page_size: int | None = None,
        consistent_read: bool | None = None,
        last_evaluated_key: Mapping[str, Any] | None = None,
        segment: int | None = None,
        total_segments: int | None = None,
        max_read_units: float | None = None,
    ) -> Reader[M]:
        cls._check_consistent_read(index, consistent_read)
        filter_expression = cls._entity_filter(checked_condition(filter_condition))
        params = read_request(
            cls._table_name(),
            filter_expression=filter_expression,
            index_name=index.index_name if index else None,
            consistent_read=bool(consistent_read),
            segment=segment,
            total_segments=total_segments,
        )
        scope = (segment, total_segments)
        filtered = filter_expression is not None
        return cls._reader(
            "Scan",
            params,
            index,
            scope,
            filtered,
            limit,
            page_size,
            last_evaluated_key,
            max_read_units,
        )

    @classmethod
    def _count_plan(
        cls,
        partition_key: Any,
        filter_condition: ConditionArg,
        consistent_read: bool | None,
        fields: Mapping[str, Any] | None = None,
        *,
        start_key: Mapping[str, Any] | None = None,
        max_read_units: float | None = None,
    ) -> Plan[int]:
        """A count; ``start_key`` and ``max_read_units`` as in ``client.count``."""
        key_condition: Condition | None = None
        if partition_key is not None or fields:
            partition, _, sort = cls._key_condition(None, partition_key, fields or {})
            key_condition = partition if sort is None else partition & sort
        params = read_request(
            cls._table_name(),
            key_condition=key_condition,
            filter_expression=cls._entity_filter(checked_condition(filter_condition)),
            consistent_read=bool(consistent_read),
        )
        op = "Scan" if key_condition is None else "Query"
        params = budget_params(params, max_read_units, cls._client().return_consumed_capacity)
        return count_plan(op, params, start_key=start_key, max_read_units=max_read_units)
