"""The sans-I/O plans, run step by step against scripted responses (no network).

These check the rules that live once in the plans: pagination with limits and filters,
batch chunking, duplicate collapsing, unprocessed retries with bounded backoff, giving up
with exactly what was not done.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from pydynox import BatchGetError, BatchWriteError, Delete, Get, Put, ValidationException
from pydynox._protocol._batch import RetryPolicy, batch_get_plan, batch_write_plan, put_entry
from pydynox._protocol._paging import PageState, count_plan, pages_plan
from pydynox._protocol._plan import Call, Emit, Feed, Plan, Sleep
from pydynox._protocol._plan import call as one_call
from pydynox._protocol._retry import RetryRules
from pydynox._values._codec import deserialize_item, serialize_item
from pydynox.exceptions import (
    ConnectionException,
    ProvisionedThroughputExceededException,
    PydynoxException,
)

Responder = Callable[[Call], dict[str, Any]]


class Trace:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.sleeps: list[float] = []
        self.emitted: list[Any] = []


def run(plan: Plan[Any], respond: Responder) -> tuple[Any, Trace]:
    """Drive a plan like the real drivers do, answering each Call with ``respond``."""
    trace = Trace()
    feed = Feed(plan)
    for step in feed:
        if isinstance(step, Call):
            trace.calls.append(step)
            try:
                feed.answer(respond(step))
            except PydynoxException as error:
                feed.fail(error)
        elif isinstance(step, Sleep):
            trace.sleeps.append(step.seconds)
        else:
            assert isinstance(step, Emit)
            trace.emitted.append(step.value)
    return feed.result, trace


def item(n: int) -> dict[str, Any]:
    return serialize_item({"pk": "p", "sk": f"{n:04d}", "n": n})


class Pages:
    """A table of items served in pages of at most ``Limit`` (or 10), with a filter."""

    def __init__(self, count: int, keep: Callable[[int], bool] = lambda n: True) -> None:
        self.items = [item(n) for n in range(count)]
        self.keep = keep

    def __call__(self, call: Call) -> dict[str, Any]:
        start = 0
        if "ExclusiveStartKey" in call.params:
            start = int(call.params["ExclusiveStartKey"]["sk"]["S"]) + 1
        size = call.params.get("Limit", 10)
        page = self.items[start : start + size]
        response: dict[str, Any] = {
            "Items": [i for i in page if self.keep(int(i["n"]["N"]))],
            "ScannedCount": len(page),
        }
        if start + size < len(self.items):
            response["LastEvaluatedKey"] = {"pk": page[-1]["pk"], "sk": page[-1]["sk"]}
        return response


def flat(pages: list[list[dict[str, Any]]]) -> list[int]:
    return [int(i["n"]["N"]) for page in pages for i in page]


def test_pagination_fetches_every_page_lazily() -> None:
    state = PageState()
    _, trace = run(pages_plan("Query", {"TableName": "t"}, state), Pages(25))
    assert flat(trace.emitted) == list(range(25))
    assert len(trace.calls) == 3
    assert state.last_evaluated_key is None


def test_limit_caps_items_and_never_asks_for_more_than_wanted() -> None:
    state = PageState()
    _, trace = run(pages_plan("Query", {}, state, limit=7, page_size=5), Pages(25))
    assert flat(trace.emitted) == list(range(7))
    assert [c.params["Limit"] for c in trace.calls] == [5, 2]
    assert state.last_evaluated_key == {"pk": "p", "sk": "0006"}


def test_resuming_from_last_evaluated_key_continues_without_gaps() -> None:
    state = PageState()
    run(pages_plan("Query", {}, state, limit=7), Pages(25))
    _, trace = run(
        pages_plan("Query", {}, PageState(), start_key=state.last_evaluated_key), Pages(25)
    )
    assert flat(trace.emitted) == list(range(7, 25))


def test_pages_emptied_by_the_filter_never_stop_a_limited_read() -> None:
    state = PageState()
    plan = pages_plan(
        "Query", {}, state, limit=3, page_size=5, filtered=True, key_names=("pk", "sk")
    )
    _, trace = run(plan, Pages(40, keep=lambda n: n >= 30))
    assert flat(trace.emitted) == [30, 31, 32]
    # a filter never shrinks the Limit below page_size; the limit cuts the last page, and
    # the resume key is that of the last item returned (tests/unit/test_paging.py)
    assert [c.params["Limit"] for c in trace.calls] == [5] * 7
    assert state.last_evaluated_key == {"pk": "p", "sk": "0032"}
    assert state.scanned_count == 35


@pytest.mark.parametrize("bad", [0, -1, "3", 1.5, True])
def test_bad_limits_are_refused(bad: Any) -> None:
    with pytest.raises(ValidationException):
        run(pages_plan("Query", {}, PageState(), limit=bad), Pages(1))
    with pytest.raises(ValidationException):
        run(pages_plan("Query", {}, PageState(), page_size=bad), Pages(1))


def test_count_sums_every_page() -> None:
    def respond(call: Call) -> dict[str, Any]:
        assert call.params["Select"] == "COUNT"
        if "ExclusiveStartKey" not in call.params:
            return {"Count": 4, "LastEvaluatedKey": {"pk": {"S": "x"}}}
        return {"Count": 3}

    total, trace = run(count_plan("Scan", {"TableName": "t"}), respond)
    assert total == 7 and len(trace.calls) == 2


KNOWN = {"tbl": ("pk", "sk")}


def entries(n: int, table: str = "tbl") -> list[Any]:
    return [put_entry(table, {"pk": "p", "sk": f"{i:04d}", "v": i}) for i in range(n)]


def written(trace: Trace) -> list[dict[str, Any]]:
    return [
        request
        for call in trace.calls
        for requests in call.params["RequestItems"].values()
        for request in requests
    ]


def test_batch_write_sends_at_most_25_per_request() -> None:
    _, trace = run(batch_write_plan(entries(60), RetryPolicy(), dict(KNOWN)), lambda c: {})
    assert [len(c.params["RequestItems"]["tbl"]) for c in trace.calls] == [25, 25, 10]
    assert len(written(trace)) == 60


def test_batch_write_collapses_duplicate_keys_into_the_last_write() -> None:
    first = put_entry("tbl", {"pk": "p", "sk": "a", "v": 1})
    second = put_entry("tbl", {"pk": "p", "sk": "a", "v": 2})
    other = put_entry("tbl", {"pk": "p", "sk": "b", "v": 3})
    _, trace = run(
        batch_write_plan([first, other, second], RetryPolicy(), dict(KNOWN)), lambda c: {}
    )
    sent = [deserialize_item(r["PutRequest"]["Item"]) for r in written(trace)]
    assert sorted(sent, key=lambda i: i["sk"]) == [
        {"pk": "p", "sk": "a", "v": 2},
        {"pk": "p", "sk": "b", "v": 3},
    ]


def test_batch_write_asks_for_key_names_once_when_unknown() -> None:
    known: dict[str, tuple[str, ...]] = {}

    def respond(call: Call) -> dict[str, Any]:
        if call.op == "DescribeTable":
            return {"Table": {"KeySchema": [{"AttributeName": "pk"}, {"AttributeName": "sk"}]}}
        return {}

    _, trace = run(batch_write_plan(entries(30), RetryPolicy(), known), respond)
    assert [c.op for c in trace.calls] == ["DescribeTable", "BatchWriteItem", "BatchWriteItem"]
    assert known == {"tbl": ("pk", "sk")}


class HalfUnprocessed:
    """Processes the first half of every request and hands the rest back."""

    def __init__(self) -> None:
        self.stored: list[dict[str, Any]] = []

    def __call__(self, call: Call) -> dict[str, Any]:
        requests = call.params["RequestItems"]["tbl"]
        keep = len(requests) // 2 or len(requests)
        self.stored += requests[:keep]
        rest = requests[keep:]
        return {"UnprocessedItems": {"tbl": rest}} if rest else {}


def test_unprocessed_writes_are_retried_with_growing_jittered_backoff() -> None:
    random.seed(7)
    server = HalfUnprocessed()
    _, trace = run(batch_write_plan(entries(50), RetryPolicy(), dict(KNOWN)), server)
    sent = [r["PutRequest"]["Item"]["sk"]["S"] for r in server.stored]
    assert sorted(sent) == [f"{i:04d}" for i in range(50)]  # every item exactly once
    assert len(sent) == len(set(sent))
    assert trace.sleeps and all(0 <= s <= 5.0 for s in trace.sleeps)
    caps = [min(5.0, 0.05 * 2**i) for i in range(len(trace.sleeps))]
    assert all(s <= cap for s, cap in zip(trace.sleeps, caps, strict=True))


def test_batch_write_gives_up_after_attempts_without_progress_listing_leftovers() -> None:
    server_calls = 0

    def never(call: Call) -> dict[str, Any]:
        nonlocal server_calls
        server_calls += 1
        return {"UnprocessedItems": call.params["RequestItems"]}

    policy = RetryPolicy(attempts=4, base=0.001, cap=0.01)
    with pytest.raises(BatchWriteError) as caught:
        run(batch_write_plan(entries(30), policy, dict(KNOWN)), never)
    assert server_calls == 4
    left = caught.value.unprocessed
    assert len(left) == 30 and all(isinstance(a, Put) for a in left)
    assert sorted(a.item["sk"] for a in left) == [f"{i:04d}" for i in range(30)]
    assert "30 writes are not known to be stored" in str(caught.value)
    assert caught.value.in_flight == []  # every one was refused: none is in doubt


def test_batch_write_failure_keeps_what_was_written_and_lists_the_rest() -> None:
    calls = 0

    def throttle_second(call: Call) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise ProvisionedThroughputExceededException("slow down")
        return {}

    deletes = [Delete("tbl", {"pk": "p", "sk": f"d{i}"}) for i in range(5)]
    from pydynox._protocol._batch import delete_entry

    plan = batch_write_plan(
        entries(40) + [delete_entry(d.table, d.key) for d in deletes], RetryPolicy(), dict(KNOWN)
    )
    with pytest.raises(BatchWriteError) as caught:
        run(plan, throttle_second)
    assert isinstance(caught.value.__cause__, ProvisionedThroughputExceededException)
    left = caught.value.unprocessed
    assert len(left) == 20  # the first 25 were written and are not listed
    assert sum(isinstance(a, Delete) for a in left) == 5


def test_batch_get_chunks_by_100_collapses_duplicates_and_keeps_key_order() -> None:
    keys = [{"pk": "p", "sk": f"{i:04d}"} for i in range(250)]
    keys += keys[:10]

    def respond(call: Call) -> dict[str, Any]:
        wanted = call.params["RequestItems"]["tbl"]["Keys"]
        assert len(wanted) <= 100
        found = [k | {"v": {"N": "1"}} for k in wanted if int(k["sk"]["S"]) % 7 != 0]
        return {"Responses": {"tbl": list(reversed(found))}}

    result, trace = run(batch_get_plan("tbl", keys, RetryPolicy()), respond)
    assert len(trace.calls) == 3
    assert [r["sk"] for r in result] == [f"{i:04d}" for i in range(250) if i % 7 != 0]


def test_batch_get_retries_unprocessed_keys_and_gives_up_with_what_it_has() -> None:
    keys = [{"pk": "p", "sk": f"{i:04d}"} for i in range(10)]

    def half(call: Call) -> dict[str, Any]:
        wanted = call.params["RequestItems"]["tbl"]["Keys"]
        return {
            "Responses": {"tbl": wanted[:5]},
            "UnprocessedKeys": {"tbl": {"Keys": wanted[5:]}} if wanted[5:] else {},
        }

    result, trace = run(batch_get_plan("tbl", keys, RetryPolicy()), half)
    assert [r["sk"] for r in result] == [k["sk"] for k in keys]
    assert len(trace.sleeps) == 1

    def stuck(call: Call) -> dict[str, Any]:
        wanted = call.params["RequestItems"]["tbl"]["Keys"]
        return {"Responses": {"tbl": []}, "UnprocessedKeys": {"tbl": {"Keys": wanted}}}

    with pytest.raises(BatchGetError) as caught:
        run(batch_get_plan("tbl", keys, RetryPolicy(attempts=3, base=0.001)), stuck)
    assert len(caught.value.unprocessed) == 10
    assert all(isinstance(g, Get) for g in caught.value.unprocessed)
    assert caught.value.items == []


def test_batch_get_of_no_keys_sends_nothing() -> None:
    result, trace = run(batch_get_plan("tbl", [], RetryPolicy()), lambda c: {})
    assert result == [] and trace.calls == []


# --------------------------------------------------------------------------- wrong answers


def same_key_forever(call: Call) -> dict[str, Any]:
    """A server that answers every page with the same LastEvaluatedKey."""
    return {
        "Items": [item(1)],
        "Count": 1,
        "ScannedCount": 1,
        "LastEvaluatedKey": {"pk": {"S": "x"}},
    }


@pytest.mark.parametrize("op", ["Query", "Scan"])
def test_a_last_evaluated_key_that_never_changes_stops_paging_after_two_requests(op: str) -> None:
    calls: list[Call] = []

    def respond(call: Call) -> dict[str, Any]:
        calls.append(call)
        if len(calls) > 5:
            pytest.fail("paging went on")
        return same_key_forever(call)

    with pytest.raises(ConnectionException, match="same LastEvaluatedKey again") as caught:
        run(pages_plan(op, {"TableName": "t"}, PageState()), respond)
    assert caught.value.sent is True
    assert "paging would never end" in str(caught.value)
    assert len(calls) == 2


def test_a_last_evaluated_key_equal_to_the_start_key_stops_at_once() -> None:
    calls = 0

    def respond(call: Call) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls > 5:
            pytest.fail("paging went on")
        return {"Items": [], "LastEvaluatedKey": dict(call.params["ExclusiveStartKey"])}

    with pytest.raises(ConnectionException, match="same LastEvaluatedKey again"):
        run(pages_plan("Query", {}, PageState(), start_key={"pk": "p", "sk": "0003"}), respond)
    assert calls == 1


def test_count_stops_on_a_last_evaluated_key_that_never_changes() -> None:
    calls = 0

    def respond(call: Call) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls > 5:
            pytest.fail("counting went on")
        return {"Count": 2, "LastEvaluatedKey": {"pk": {"S": "x"}}}

    with pytest.raises(ConnectionException, match="paging would never end"):
        run(count_plan("Scan", {"TableName": "t"}), respond)
    assert calls == 2


def test_a_wrong_shape_is_thrown_into_the_plan_before_it_reads_the_answer() -> None:
    state = PageState()
    with pytest.raises(ConnectionException, match=r"answer to Query .*Items\[0\] should be a map"):
        run(pages_plan("Query", {}, state), lambda call: {"Items": [5, 6]})
    assert state.scanned_count == 0  # the plan never saw the answer


def test_a_wrong_shape_ends_a_batch_like_any_failed_request() -> None:
    # BatchWriteItem's plan catches the failure of a request and lists what was not written.
    def respond(call: Call) -> dict[str, Any]:
        return {"UnprocessedItems": {"tbl": "everything"}}

    with pytest.raises(BatchWriteError) as caught:
        run(batch_write_plan(entries(3), RetryPolicy(), dict(KNOWN)), respond)
    assert isinstance(caught.value.__cause__, ConnectionException)
    assert len(caught.value.unprocessed) == 3


def drive(feed: Feed[Any], answers: list[Any]) -> list[Call]:
    """Run ``feed`` answering each Call with the next answer; the Calls made."""
    calls = []
    for step in feed:
        if isinstance(step, Call):
            calls.append(step)
            feed.answer(answers.pop(0))
    return calls


RETRY = RetryRules(RetryPolicy(attempts=3, base=0.0, cap=0.0))


def test_a_wrong_shape_is_retried_by_the_feed_when_the_request_is_idempotent() -> None:
    feed = Feed(one_call("GetItem", {"TableName": "t"}), RETRY)
    calls = drive(feed, [{"Item": []}, {"Item": {"pk": {"S": "a"}}}])
    assert len(calls) == 2
    assert feed.result == {"Item": {"pk": {"S": "a"}}}

    feed = Feed(one_call("GetItem", {"TableName": "t"}), RETRY)
    with pytest.raises(ConnectionException, match="Item should be a map"):
        drive(feed, [{"Item": []}] * 3)


def test_a_wrong_shape_is_not_retried_for_a_counting_update() -> None:
    params = {"TableName": "t", "UpdateExpression": "ADD n :one", "ReturnValues": "ALL_NEW"}
    feed = Feed(one_call("UpdateItem", params), RETRY)
    with pytest.raises(ConnectionException, match="Attributes is missing") as caught:
        drive(feed, [{}, {"Attributes": {}}])
    assert caught.value.sent is True
