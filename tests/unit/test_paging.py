"""The Query/Scan paging plan and the Reader, run against scripted pages (no network).

What they check (docs/query-and-scan.md points here): the ``Limit`` each request carries
(a filter never shrinks it below ``page_size``; no ``Limit`` without ``page_size``; an
unfiltered read asks for no more than it still wants), ``limit`` counted client-side over
the filtered items, ``last_evaluated_key`` exactly after the last item returned (and where
the key names come from), ``scanned_count``, and ``first()`` / ``page()`` on top of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pydynox._protocol._cursor import decode_cursor
from pydynox._protocol._paging import PageState, pages_plan
from pydynox._protocol._plan import Call, Emit, Feed, Plan
from pydynox._values._codec import deserialize_item, serialize_item
from pydynox.client._results import Reader

SECRET = b"unit-test-secret-of-32-bytes...."


class Table:
    """Items ``0..count-1`` of one partition, served like DynamoDB serves a Query: pages of
    ``Limit`` evaluated items (``page`` without one, standing in for 1 MB), the filter
    ``keep`` applied after the page is read, a ``LastEvaluatedKey`` whenever the page ended
    before the data did or ``Limit`` was reached. ``DescribeTable`` is answered too."""

    def __init__(
        self, count: int, keep: Callable[[int], bool] = lambda n: True, page: int = 10
    ) -> None:
        self.count = count
        self.keep = keep
        self.page = page
        self.calls: list[Call] = []

    def __call__(self, call: Call) -> dict[str, Any]:
        self.calls.append(call)
        if call.op == "DescribeTable":
            schema = [{"AttributeName": "pk"}, {"AttributeName": "sk"}]
            gsi = {"IndexName": "by-g", "KeySchema": [{"AttributeName": "g"}]}
            return {"Table": {"KeySchema": schema, "GlobalSecondaryIndexes": [gsi]}}
        start = 0
        if "ExclusiveStartKey" in call.params:
            start = int(call.params["ExclusiveStartKey"]["sk"]["S"]) + 1
        size = call.params.get("Limit", self.page)
        evaluated = list(range(start, min(start + size, self.count)))
        response: dict[str, Any] = {
            "Items": [item(n) for n in evaluated if self.keep(n)],
            "ScannedCount": len(evaluated),
        }
        if evaluated and (len(evaluated) == size or evaluated[-1] < self.count - 1):
            response["LastEvaluatedKey"] = key_of(evaluated[-1], "IndexName" in call.params)
        return response

    @property
    def reads(self) -> list[Call]:
        return [c for c in self.calls if c.op != "DescribeTable"]

    @property
    def limits(self) -> list[int | None]:
        return [c.params.get("Limit") for c in self.reads]


def item(n: int) -> dict[str, Any]:
    return serialize_item({"pk": "p", "sk": f"{n:04d}", "g": "x", "n": n})


def key_of(n: int, index: bool = False) -> dict[str, Any]:
    raw = {"pk": "p", "sk": f"{n:04d}", **({"g": "x"} if index else {})}
    return serialize_item(raw)


def run(plan: Plan[Any], table: Table) -> list[int]:
    """Drive a plan like the drivers do; the ``n`` of every item it emits."""
    feed = Feed(plan)
    emitted: list[int] = []
    for step in feed:
        if isinstance(step, Call):
            feed.answer(table(step))
        elif isinstance(step, Emit):
            emitted += [int(i["n"]["N"]) for i in step.value]
    return emitted


def run_result(plan: Plan[Any], table: Table) -> Any:
    feed = Feed(plan)
    for step in feed:
        assert isinstance(step, Call)
        feed.answer(table(step))
    return feed.result


def rare(n: int) -> bool:
    return n % 7 == 3


# -- the Limit of each request --------------------------------------------------------------


def test_a_filter_never_shrinks_the_limit_below_page_size() -> None:
    state = PageState()
    table = Table(100, keep=rare)
    got = run(
        pages_plan("Query", {}, state, limit=5, page_size=20, filtered=True, key_names=("pk",)),
        table,
    )
    assert got == [3, 10, 17, 24, 31]
    assert table.limits == [20, 20]  # the old rule sent 20, 2, ... (the items still wanted)
    assert state.scanned_count == 40  # the page the limit cut short counts whole


def test_a_filter_without_page_size_sends_no_limit() -> None:
    table = Table(100, keep=rare, page=30)
    got = run(pages_plan("Scan", {}, PageState(), limit=1, filtered=True), table)
    assert got == [3]
    assert table.limits == [None]


def test_limit_1_with_a_filter_matching_nothing_sends_one_request_per_page() -> None:
    state = PageState()
    table = Table(95, keep=lambda n: False)
    assert run(pages_plan("Scan", {}, state, limit=1, page_size=10, filtered=True), table) == []
    assert table.limits == [10] * 10
    assert state.last_evaluated_key is None
    assert state.scanned_count == 95


def test_an_unfiltered_limit_asks_for_no_more_than_it_still_wants() -> None:
    state = PageState()
    table = Table(25)
    assert run(pages_plan("Query", {}, state, limit=7, page_size=5), table) == list(range(7))
    assert table.limits == [5, 2]
    assert state.last_evaluated_key == {"pk": "p", "sk": "0006"}
    assert state.scanned_count == 7
    table = Table(25)
    run(pages_plan("Query", {}, PageState(), limit=7), table)
    assert table.limits == [7]


def test_no_limit_and_no_page_size_sends_no_limit() -> None:
    table = Table(25, keep=rare)
    assert run(pages_plan("Query", {}, PageState(), filtered=True), table) == [3, 10, 17, 24]
    assert table.limits == [None] * 3


# -- last_evaluated_key after a limit -------------------------------------------------------


def test_a_limit_inside_a_page_resumes_after_the_last_item_returned() -> None:
    state = PageState()
    table = Table(100, keep=rare)
    run(pages_plan("Query", {}, state, limit=2, page_size=30, filtered=True), table)
    # the page held 3, 10, 17, 24: the read stops after 10, not at the page's end (29)
    assert state.last_evaluated_key == {"pk": "p", "sk": "0010"}
    assert [c.op for c in table.calls] == ["Query"]  # names from the LastEvaluatedKey


def test_a_limit_on_the_end_of_a_page_keeps_the_page_key() -> None:
    state = PageState()
    table = Table(100, keep=lambda n: n in (3, 9))
    run(pages_plan("Query", {}, state, limit=2, page_size=10, filtered=True), table)
    assert state.last_evaluated_key == {"pk": "p", "sk": "0009"}
    state = PageState()
    table = Table(100, keep=lambda n: n in (3, 7))
    run(pages_plan("Query", {}, state, limit=2, page_size=10, filtered=True), table)
    assert state.last_evaluated_key == {"pk": "p", "sk": "0009"}  # past 8 and 9: no match
    state = PageState()
    table = Table(9, keep=lambda n: n in (3, 8))
    run(pages_plan("Query", {}, state, limit=2, page_size=10, filtered=True), table)
    assert state.last_evaluated_key is None  # the limit fell on the end of the data


@pytest.mark.parametrize(("limit", "page_size"), [(1, None), (3, 10), (4, 7), (10, 3)])
def test_chained_limited_reads_give_the_full_read(limit: int, page_size: int | None) -> None:
    table = Table(120, keep=rare, page=25)
    everything = run(pages_plan("Scan", {}, PageState(), filtered=True), table)
    chained: list[int] = []
    start = None
    while True:
        state = PageState()
        plan = pages_plan(
            "Scan",
            {"TableName": "tbl"},
            state,
            limit=limit,
            page_size=page_size,
            filtered=True,
            known_keys={},
            start_key=start,
        )
        chained += run(plan, table)
        start = state.last_evaluated_key
        if start is None:
            break
    assert chained == everything


def test_key_names_are_asked_of_dynamodb_only_when_no_page_told_them() -> None:
    # one page with no LastEvaluatedKey, cut by the limit: the names are not known yet
    known: dict[str, tuple[str, ...]] = {}
    table = Table(12, keep=rare, page=30)  # matches 3 and 10
    state = PageState()
    plan = pages_plan("Scan", {"TableName": "tbl"}, state, limit=1, filtered=True, known_keys=known)
    assert run(plan, table) == [3]
    assert [c.op for c in table.calls] == ["Scan", "DescribeTable"]
    assert state.last_evaluated_key == {"pk": "p", "sk": "0003"}
    assert known == {"tbl": ("pk", "sk")}
    # remembered: the next read of that table asks no more
    table.calls.clear()
    plan = pages_plan("Scan", {"TableName": "tbl"}, state, limit=1, filtered=True, known_keys=known)
    run(plan, table)
    assert [c.op for c in table.calls] == ["Scan"]
    # an index read resumes with the table's and the index's key attributes
    table.calls.clear()
    state = PageState()
    plan = pages_plan(
        "Query",
        {"TableName": "tbl", "IndexName": "by-g"},
        state,
        limit=1,
        filtered=True,
        known_keys=known,
    )
    run(plan, table)
    assert [c.op for c in table.calls] == ["Query", "DescribeTable"]
    assert state.last_evaluated_key == {"pk": "p", "sk": "0003", "g": "x"}
    # names the caller knows (a model's keys) are used as they are
    table.calls.clear()
    state = PageState()
    plan = pages_plan("Scan", {}, state, limit=1, filtered=True, key_names=("pk", "sk"))
    run(plan, table)
    assert [c.op for c in table.calls] == ["Scan"]
    assert state.last_evaluated_key == {"pk": "p", "sk": "0003"}


# -- the Reader: first() and page() ---------------------------------------------------------


def reader(filtered: bool, page_size: int | None = None, **options: Any) -> Reader[Any]:
    return Reader(
        "Query",
        {"TableName": "tbl"},
        deserialize_item,
        "scope",
        page_size=page_size,
        filtered=filtered,
        key_names=("pk", "sk"),
        secret=SECRET,
        **options,
    )


@pytest.mark.parametrize(("filtered", "limits"), [(False, [1]), (True, [20])])
def test_first_is_a_read_with_a_limit_of_one(filtered: bool, limits: list[int]) -> None:
    table = Table(100, keep=rare if filtered else (lambda n: True))
    state = PageState()
    got = run(reader(filtered, page_size=20, limit=50).plan(state, first_only=True), table)
    assert got == ([3] if filtered else [0])
    assert table.limits == limits
    assert state.last_evaluated_key == {"pk": "p", "sk": "0003" if filtered else "0000"}


def test_filtered_cursor_pages_keep_the_page_size_limit_and_are_exact() -> None:
    table = Table(100, keep=rare)
    walked: list[int] = []
    cursor = None
    while True:
        raw, cursor = run_result(reader(True, page_size=25).page_plan(4, cursor), table)
        walked += [int(i["n"]["N"]) for i in raw]
        if cursor is None:
            break
        assert len(raw) == 4
        last = raw[-1]
        assert decode_cursor(cursor, SECRET, "scope") == {"pk": last["pk"], "sk": last["sk"]}
    assert walked == [n for n in range(100) if rare(n)]
    assert set(table.limits) == {25}


def test_unfiltered_cursor_pages_ask_for_one_item_more_than_the_page() -> None:
    table = Table(100)
    raw, cursor = run_result(reader(False).page_plan(4, None), table)
    assert [int(i["n"]["N"]) for i in raw] == [0, 1, 2, 3]
    assert table.limits == [5]
    assert cursor is not None
    assert decode_cursor(cursor, SECRET, "scope") == key_of(3)
