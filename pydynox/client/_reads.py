"""The client's reads of many items: query, scan and count, plain dicts out.

``query`` and ``scan`` return lazy results (``async for``, ``all()``, ``first()``,
``page()``, ``project(Model)``) and read whole items or only the ``projection`` paths;
``count`` runs a Select=COUNT read. Each takes a budget, ``max_read_units`` (see
``_protocol._paging``). Their ``sync_`` twins are generated below
them by ``scripts/twins.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydynox._protocol._paging import budget_params, count_plan
from pydynox._protocol._requests import Expression, read_request
from pydynox.client._base import Item, Key, _ClientBase
from pydynox.client._results import QueryResult, SyncQueryResult
from pydynox.expressions import Attr

__all__ = ["_ReadOperations"]


class _ReadOperations(_ClientBase):
    def query(
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
        projection: Sequence[str | Attr] | None = None,
        max_read_units: float | None = None,
    ) -> QueryResult[Item]:
        """Items matching a key condition: ``async for item in client.query(...)``.

        Expressions are strings with your own placeholders (``"#pk = :pk"`` plus names and
        values) or conditions built with ``Attr`` (``Attr("pk") == "USER#1"``). ``limit``
        caps the items returned in total, ``page_size`` is DynamoDB's per-request Limit.
        ``projection``: the attribute paths to read (``["name", "address.city"]``), each
        item holding only those; ``.project(Model)`` reads a pydantic model's fields.
        ``max_read_units``: a budget, a guard against runaway reads: once the read units
        consumed reach it, the iteration stops with ``CapacityBudgetExceeded``, which
        carries the ``last_evaluated_key`` to resume from.
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
        reader = self._dict_reader(
            "Query", params, filter_expression, limit, page_size, last_evaluated_key
        ).budgeted(max_read_units, self.return_consumed_capacity)
        if projection is not None:
            reader = reader.projected(projection)
        return self._results(reader)

    def scan(
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
        projection: Sequence[str | Attr] | None = None,
        max_read_units: float | None = None,
    ) -> QueryResult[Item]:
        """Every item of a table or index, optionally filtered; parallel with ``segment``.
        ``projection`` and ``max_read_units`` as in ``query``."""
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
        reader = self._dict_reader(
            "Scan", params, filter_expression, limit, page_size, last_evaluated_key
        ).budgeted(max_read_units, self.return_consumed_capacity)
        if projection is not None:
            reader = reader.projected(projection)
        return self._results(reader)

    async def count(
        self,
        table: str,
        key_condition_expression: Expression | None = None,
        filter_expression: Expression | None = None,
        expression_attribute_names: Mapping[str, str] | None = None,
        expression_attribute_values: Mapping[str, Any] | None = None,
        index_name: str | None = None,
        consistent_read: bool = False,
        last_evaluated_key: Key | None = None,
        max_read_units: float | None = None,
    ) -> int:
        """How many items match: a Query with a key condition, else a Scan (Select=COUNT),
        from ``last_evaluated_key`` if given. ``max_read_units`` as in ``query``: a stop's
        ``CapacityBudgetExceeded.count`` is the matches counted so far."""
        params = read_request(
            table,
            key_condition=key_condition_expression,
            filter_expression=filter_expression,
            names=expression_attribute_names,
            values=expression_attribute_values,
            index_name=index_name,
            consistent_read=consistent_read,
        )
        op = "Query" if key_condition_expression is not None else "Scan"
        params = budget_params(params, max_read_units, self.return_consumed_capacity)
        plan = count_plan(op, params, start_key=last_evaluated_key, max_read_units=max_read_units)
        return await self._run(plan)

    # -- sync twins: generated by scripts/twins.py from the methods above; do not edit ----

    def sync_query(
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
        projection: Sequence[str | Attr] | None = None,
        max_read_units: float | None = None,
    ) -> SyncQueryResult[Item]:
        """Items matching a key condition: ``for item in client.sync_query(...)``.

        Expressions are strings with your own placeholders (``"#pk = :pk"`` plus names and
        values) or conditions built with ``Attr`` (``Attr("pk") == "USER#1"``). ``limit``
        caps the items returned in total, ``page_size`` is DynamoDB's per-request Limit.
        ``projection``: the attribute paths to read (``["name", "address.city"]``), each
        item holding only those; ``.project(Model)`` reads a pydantic model's fields.
        ``max_read_units``: a budget, a guard against runaway reads: once the read units
        consumed reach it, the iteration stops with ``CapacityBudgetExceeded``, which
        carries the ``last_evaluated_key`` to resume from.
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
        reader = self._dict_reader(
            "Query", params, filter_expression, limit, page_size, last_evaluated_key
        ).budgeted(max_read_units, self.return_consumed_capacity)
        if projection is not None:
            reader = reader.projected(projection)
        return self._sync_results(reader)

    def sync_scan(
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
        projection: Sequence[str | Attr] | None = None,
        max_read_units: float | None = None,
    ) -> SyncQueryResult[Item]:
        """Every item of a table or index, optionally filtered; parallel with ``segment``.
        ``projection`` and ``max_read_units`` as in ``query``."""
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
        reader = self._dict_reader(
            "Scan", params, filter_expression, limit, page_size, last_evaluated_key
        ).budgeted(max_read_units, self.return_consumed_capacity)
        if projection is not None:
            reader = reader.projected(projection)
        return self._sync_results(reader)

    def sync_count(
        self,
        table: str,
        key_condition_expression: Expression | None = None,
        filter_expression: Expression | None = None,
        expression_attribute_names: Mapping[str, str] | None = None,
        expression_attribute_values: Mapping[str, Any] | None = None,
        index_name: str | None = None,
        consistent_read: bool = False,
        last_evaluated_key: Key | None = None,
        max_read_units: float | None = None,
    ) -> int:
        """How many items match: a Query with a key condition, else a Scan (Select=COUNT),
        from ``last_evaluated_key`` if given. ``max_read_units`` as in ``query``: a stop's
        ``CapacityBudgetExceeded.count`` is the matches counted so far."""
        params = read_request(
            table,
            key_condition=key_condition_expression,
            filter_expression=filter_expression,
            names=expression_attribute_names,
            values=expression_attribute_values,
            index_name=index_name,
            consistent_read=consistent_read,
        )
        op = "Query" if key_condition_expression is not None else "Scan"
        params = budget_params(params, max_read_units, self.return_consumed_capacity)
        plan = count_plan(op, params, start_key=last_evaluated_key, max_read_units=max_read_units)
        return self._sync_run(plan)

    # -- end of sync twins ----------------------------------------------------------------
