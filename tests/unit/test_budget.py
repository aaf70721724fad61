"""Read budgets (``max_read_units``) on scripted pages that report what they cost.

The plans run against ``Costly``, a partition of numbered items served as DynamoDB serves
them, each evaluated item costing ``unit`` read units when the request asks for its
capacity. The results (client, model, collection) run through a client on a canned DynamoDB
(tests/canned.py) answering with the same script, async and sync.

What is checked (pydynox/_protocol/_paging.py states the rules): a budgeted read asks for its
capacity even when the client does not (and as the client asks, ``INDEXES`` included); it
sends its first request whatever the budget, and a next one only while the read units
consumed are below the budget; the page that reaches the budget is handed out, and the next
page asked for raises ``CapacityBudgetExceeded`` (items, count, consumed capacity,
``last_evaluated_key``) without being sent; a read that ends on that page ends normally;
resuming from the error's key reads every item left exactly once (items, counts, page
cursors); an answer without capacity counts none; a budget that is not a positive number is
refused before anything is sent.
"""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import pytest

from pydynox import (
    CapacityBudgetExceeded,
    ConsumedCapacity,
    DynamoConfig,
    DynamoDBClient,
    Model,
    PartitionKey,
    SortKey,
    ValidationException,
    set_default_client,
)
from pydynox._protocol._cursor import decode_cursor
from pydynox._protocol._paging import PageState, budget_params, count_plan, pages_plan
from pydynox._protocol._plan import Call, Emit, Feed, Plan
from pydynox._values._codec import deserialize_item, serialize_item
from pydynox.client._results import Reader
from pydynox.local import local_client
from pydynox.models import Collection

from ..canned import Canned
from ..entity_models import Order, User

SECRET = b"unit-test-secret-of-32-bytes...."


class Costly:
    """Items ``0..count-1`` of partition ``p`` served like DynamoDB serves a Query or Scan:
    pages of ``Limit`` evaluated items (``page`` without one), the filter ``keep`` applied
    after the page is read, a ``LastEvaluatedKey`` whenever the page ended before the data
    did or ``Limit`` was reached, ``Select=COUNT`` answered with a count. Each evaluated item
    costs ``unit`` read units, reported when the request asks (``report=False``: never)."""

    def __init__(
        self,
        count: int,
        *,
        page: int = 10,
        unit: float = 0.5,
        keep: Callable[[int], bool] = lambda n: True,
        report: bool = True,
    ) -> None:
        self.count, self.page, self.unit, self.keep, self.report = count, page, unit, keep, report
        self.requests: list[dict[str, Any]] = []

    def __call__(self, call: Call) -> dict[str, Any]:
        return self.answer(call.params)

    def answer(self, params: dict[str, Any]) -> dict[str, Any]:
        self.requests.append(params)
        start = 0
        if "ExclusiveStartKey" in params:
            start = int(params["ExclusiveStartKey"]["sk"]["S"]) + 1
        size = params.get("Limit", self.page)
        evaluated = list(range(start, min(start + size, self.count)))
        kept = [n for n in evaluated if self.keep(n)]
        response: dict[str, Any] = {"Count": len(kept), "ScannedCount": len(evaluated)}
        if params.get("Select") != "COUNT":
            response["Items"] = [item(n) for n in kept]
        if evaluated and (len(evaluated) == size or evaluated[-1] < self.count - 1):
            response["LastEvaluatedKey"] = key_of(evaluated[-1])
        mode = params.get("ReturnConsumedCapacity")
        if self.report and mode in ("TOTAL", "INDEXES"):
            units = self.unit * len(evaluated)
            response["ConsumedCapacity"] = {
                "TableName": params["TableName"],
                "CapacityUnits": units,
            }
            if mode == "INDEXES":
                response["ConsumedCapacity"]["Table"] = {"CapacityUnits": units}
        return response

    @property
    def modes(self) -> list[str | None]:
        """The ReturnConsumedCapacity of each request."""
        return [r.get("ReturnConsumedCapacity") for r in self.requests]


def item(n: int) -> dict[str, Any]:
    return serialize_item({"pk": "p", "sk": f"{n:04d}", "n": n})


def key_of(n: int) -> dict[str, Any]:
    return serialize_item({"pk": "p", "sk": f"{n:04d}"})


PARAMS = {"TableName": "tbl"}


def drive(plan: Plan[Any], table: Costly) -> tuple[list[Any], Any]:
    """Run a plan as the drivers do: what happened, in order (the ``n`` of each item it
    emits, ``"call"`` for each request, the error it stopped with), and its result."""
    happened: list[Any] = []
    feed = Feed(plan)
    try:
        for step in feed:
            if isinstance(step, Call):
                happened.append("call")
                feed.answer(table(step))
            elif isinstance(step, Emit):
                happened += [int(i["n"]["N"]) for i in step.value]
    except CapacityBudgetExceeded as stop:
        happened.append(stop)
        return happened, None
    return happened, feed.result


def scan(state: PageState | None = None, **options: Any) -> Plan[None]:
    return pages_plan("Scan", PARAMS, state or PageState(), key_names=("pk", "sk"), **options)


# -- the plan: asking, stopping, resuming ---------------------------------------------------


def test_a_budgeted_read_asks_for_its_capacity_and_an_unbudgeted_one_does_not() -> None:
    table = Costly(25)
    drive(scan(max_read_units=100), table)
    assert table.modes == ["TOTAL"] * 3
    table = Costly(25)
    drive(scan(), table)
    assert table.modes == [None] * 3


def test_the_read_stops_when_asked_for_the_page_after_the_one_reaching_the_budget() -> None:
    table = Costly(100)  # pages of 10 items, 5 read units each
    state = PageState()
    happened, _ = drive(scan(state, max_read_units=12), table)
    *before, stop = happened
    # three requests (5, 10, then 15 units: the third reaches 12), their 30 items handed
    # out, and the error instead of a fourth request
    assert before == ["call", *range(10), "call", *range(10, 20), "call", *range(20, 30)]
    assert isinstance(stop, CapacityBudgetExceeded)
    assert stop.count == 30 and stop.items == []
    assert stop.consumed == ConsumedCapacity.of(
        "Scan", {"ConsumedCapacity": {"TableName": "tbl", "CapacityUnits": 15}}
    )
    assert stop.consumed.read_units == 15 == state.consumed_capacity.read_units  # type: ignore[union-attr]
    assert stop.last_evaluated_key == {"pk": "p", "sk": "0029"} == state.last_evaluated_key
    assert stop.max_read_units == 12
    assert "12 read units" in str(stop) and "15 consumed" in str(stop)


@pytest.mark.parametrize(("budget", "requests"), [(10, 2), (10.5, 3), (0.1, 1), (5, 1)])
def test_reaching_the_budget_exactly_stops_and_the_first_request_is_always_sent(
    budget: float, requests: int
) -> None:
    table = Costly(100)
    happened, _ = drive(scan(max_read_units=budget), table)
    assert happened.count("call") == requests == len(table.requests)
    stop = happened[-1]
    assert isinstance(stop, CapacityBudgetExceeded)
    assert stop.count == 10 * requests
    assert stop.consumed.read_units == 5 * requests


def test_a_read_that_ends_on_the_page_reaching_the_budget_ends_normally() -> None:
    happened, _ = drive(scan(max_read_units=12), Costly(25))  # the third page is the last
    assert happened == ["call", *range(10), "call", *range(10, 20), "call", *range(20, 25)]


def test_a_read_whose_limit_ends_on_the_page_reaching_the_budget_ends_normally() -> None:
    table = Costly(100)
    state = PageState()
    happened, _ = drive(scan(state, limit=25, page_size=10, max_read_units=12), table)
    assert [h for h in happened if h != "call"] == list(range(25))
    assert [r.get("Limit") for r in table.requests] == [10, 10, 5]
    assert state.consumed_capacity is not None and state.consumed_capacity.read_units == 12.5


def rare(n: int) -> bool:
    return n % 7 == 3


@pytest.mark.parametrize(
    ("filtered", "limit", "page_size", "budget"),
    [
        (False, None, None, 12),
        (False, None, 7, 3),
        (False, 44, 10, 9.5),
        (True, None, 10, 4),
        (True, 5, 25, 10),
        (True, 3, None, 0.5),
    ],
)
def test_resumed_budgeted_reads_give_every_item_once(
    filtered: bool, limit: int | None, page_size: int | None, budget: float
) -> None:
    """Each read stops at the budget (or its limit, or the end); the next starts from its
    ``last_evaluated_key``; together they are the whole read, nothing lost or repeated."""
    table = Costly(100, keep=rare if filtered else lambda n: True)
    walked: list[int] = []
    start: dict[str, Any] | None = None
    stops = 0
    for _ in range(200):
        state = PageState()
        plan = scan(
            state,
            limit=limit,
            page_size=page_size,
            filtered=filtered,
            start_key=start,
            max_read_units=budget,
        )
        happened, _ = drive(plan, table)
        walked += [h for h in happened if isinstance(h, int)]
        stop = happened[-1]
        if isinstance(stop, CapacityBudgetExceeded):
            stops += 1
            assert stop.last_evaluated_key == state.last_evaluated_key is not None
            assert stop.consumed.read_units >= budget
        start = state.last_evaluated_key
        if start is None:
            break
    assert walked == [n for n in range(100) if table.keep(n)]
    assert stops > 0


def test_an_answer_without_capacity_counts_none() -> None:
    """DynamoDB reports what is asked; a server that does not leaves the read unbounded."""
    table = Costly(45, report=False)
    happened, _ = drive(scan(max_read_units=0.5), table)
    assert [h for h in happened if h != "call"] == list(range(45))
    assert table.modes == ["TOTAL"] * 5  # it was asked


# -- count ----------------------------------------------------------------------------------


def test_a_budgeted_count_stops_and_resumes_to_the_total() -> None:
    table = Costly(100, keep=rare)
    total, start, stops = 0, None, 0
    for _ in range(50):
        plan = count_plan("Scan", PARAMS, start_key=start, max_read_units=9)
        happened, counted = drive(plan, table)
        stop = happened[-1]
        if not isinstance(stop, CapacityBudgetExceeded):
            total += counted
            break
        stops += 1
        assert happened.count("call") == 2  # 5 units, then 10: the budget of 9 is reached
        assert stop.items == []
        assert stop.consumed.read_units == 10
        total += stop.count
        start = stop.last_evaluated_key
    assert total == len([n for n in range(100) if rare(n)])
    assert stops == 5  # 10 pages (the last full page has a key), then one empty page
    assert all(r["Select"] == "COUNT" for r in table.requests)
    assert set(table.modes) == {"TOTAL"}


# -- page(): cursors ------------------------------------------------------------------------


def reader(**options: Any) -> Reader[Any]:
    return Reader(
        "Query",
        {"TableName": "tbl"},
        deserialize_item,
        "scope",
        key_names=("pk", "sk"),
        secret=SECRET,
        **options,
    )


def test_a_page_stopped_by_its_budget_carries_its_items_and_a_cursor_to_go_on() -> None:
    table = Costly(100, keep=rare)  # 3, 10, 17, ...: one or two per page of 10
    read = reader(filtered=True, max_read_units=9)
    walked: list[int] = []
    cursor: str | None = None
    stops = 0
    for _ in range(50):
        try:
            raw, cursor = drive_result(read.page_plan(4, cursor), table)
        except CapacityBudgetExceeded as stop:
            stops += 1
            assert stop.next_cursor is not None
            assert len(stop.items) < 4  # the page was not filled
            last = stop.last_evaluated_key
            assert last is not None
            assert decode_cursor(stop.next_cursor, SECRET, "scope") == serialize_item(last)
            walked += [int(i["n"]["N"]) for i in stop.items]
            cursor = stop.next_cursor
            continue
        walked += [int(i["n"]["N"]) for i in raw]
        if cursor is None:
            break
    assert walked == [n for n in range(100) if rare(n)]
    assert stops > 0


def drive_result(plan: Plan[Any], table: Costly) -> Any:
    feed = Feed(plan)
    for step in feed:
        assert isinstance(step, Call)
        feed.answer(table(step))
    return feed.result


# -- refusals -------------------------------------------------------------------------------

BAD = [0, -1, 0.0, -0.5, math.nan, math.inf, True, "5", [1]]


@pytest.mark.parametrize("budget", BAD, ids=repr)
def test_a_budget_that_is_not_a_positive_number_is_refused_before_sending(budget: Any) -> None:
    table = Costly(10)
    for plan in (scan(max_read_units=budget), count_plan("Scan", PARAMS, max_read_units=budget)):
        with pytest.raises(ValidationException, match="max_read_units must be a positive"):
            drive(plan, table)
    with pytest.raises(ValidationException, match="max_read_units"):
        budget_params(PARAMS, budget, None)
    with pytest.raises(ValidationException, match="max_read_units"):
        reader().budgeted(budget, None)
    assert table.requests == []


def test_the_error_pickles_whole() -> None:
    error = CapacityBudgetExceeded(
        "stopped",
        items=[{"a": 1}],
        count=3,
        consumed=ConsumedCapacity(),
        last_evaluated_key={"pk": "p"},
        next_cursor="c",
        max_read_units=2.5,
    )
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is CapacityBudgetExceeded
    assert vars(back) == vars(error) and back.args == error.args


# -- through a client on a canned DynamoDB --------------------------------------------------


@pytest.fixture(scope="module")
def canned() -> Iterator[Canned]:
    with Canned(limit=100) as made:
        yield made


@pytest.fixture(scope="module")
def client(canned: Canned) -> Iterator[DynamoDBClient]:
    made = local_client(canned.url, max_attempts=1, cursor_secret="budget-unit-tests")
    yield made
    made.sync_close()


@pytest.fixture(params=["async", "sync"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def serve(canned: Canned, table: Costly) -> Costly:
    schema = [{"AttributeName": "pk"}, {"AttributeName": "sk"}]
    described = {"Table": {"TableName": "tbl", "KeySchema": schema}}
    canned.answer(Query=table.answer, Scan=table.answer, DescribeTable=described)
    return table


async def run_all(mode: str, result: Any) -> list[Any]:
    if mode == "sync":
        items: list[Any] = result.all()
        return items
    found: list[Any] = await result.all()
    return found


async def run_iter(mode: str, result: Any, into: list[Any]) -> None:
    if mode == "sync":
        into.extend(result)
        return
    async for one in result:
        into.append(one)


def side(client: DynamoDBClient, mode: str, name: str) -> Any:
    """``client.<name>`` or its ``sync_`` twin."""
    return getattr(client, name if mode == "async" else f"sync_{name}")


async def test_all_stopped_by_its_budget_carries_every_item_read(
    canned: Canned, client: DynamoDBClient, mode: str
) -> None:
    table = serve(canned, Costly(100))
    result = side(client, mode, "scan")("tbl", max_read_units=12)
    with pytest.raises(CapacityBudgetExceeded) as stopped:
        await run_all(mode, result)
    stop = stopped.value
    assert [i["n"] for i in stop.items] == list(range(30))  # converted: plain values
    assert stop.count == 30 and stop.consumed.read_units == 15
    assert stop.last_evaluated_key == {"pk": "p", "sk": "0029"} == result.last_evaluated_key
    assert len(table.requests) == 3 and table.modes == ["TOTAL"] * 3
    # resuming reads the rest, once
    rest = await run_all(
        mode, side(client, mode, "scan")("tbl", last_evaluated_key=stop.last_evaluated_key)
    )
    assert [i["n"] for i in stop.items + rest] == list(range(100))


async def test_iteration_hands_out_the_items_then_stops(
    canned: Canned, client: DynamoDBClient, mode: str
) -> None:
    serve(canned, Costly(100))
    seen: list[Any] = []
    with pytest.raises(CapacityBudgetExceeded) as stopped:
        await run_iter(
            mode,
            side(client, mode, "query")("tbl", "pk = :p", None, {":p": "p"}, max_read_units=7),
            seen,
        )
    assert [i["n"] for i in seen] == list(range(20))
    assert stopped.value.items == [] and stopped.value.count == 20


async def test_page_stopped_by_its_budget_carries_its_items_converted(
    canned: Canned, client: DynamoDBClient, mode: str
) -> None:
    serve(canned, Costly(100, keep=rare))
    result = side(client, mode, "scan")(
        "tbl", filter_expression="n > :z", expression_attribute_values={":z": -1}, max_read_units=9
    )
    with pytest.raises(CapacityBudgetExceeded) as stopped:
        if mode == "sync":
            result.page(5)
        else:
            await result.page(5)
    stop = stopped.value
    assert [i["n"] for i in stop.items] == [3, 10, 17]  # two pages of 10, then the stop
    assert stop.next_cursor is not None


async def test_count_takes_a_budget_and_a_key_to_resume_from(
    canned: Canned, client: DynamoDBClient, mode: str
) -> None:
    serve(canned, Costly(100))
    count = side(client, mode, "count")
    with pytest.raises(CapacityBudgetExceeded) as stopped:
        await maybe(count("tbl", max_read_units=20))
    stop = stopped.value
    assert stop.count == 40
    rest = await maybe(count("tbl", last_evaluated_key=stop.last_evaluated_key))
    assert stop.count + rest == 100


async def maybe(value: Any) -> Any:
    if hasattr(value, "__await__"):
        return await value
    return value


@pytest.mark.parametrize(
    ("setting", "sent"), [(None, "TOTAL"), ("TOTAL", "TOTAL"), ("INDEXES", "INDEXES")]
)
async def test_a_budgeted_read_asks_for_capacity_as_the_client_does(
    canned: Canned, setting: str | None, sent: str, mode: str
) -> None:
    client = local_client(
        canned.url,
        max_attempts=1,
        cursor_secret="budget-unit-tests",
        return_consumed_capacity=setting,
    )
    try:
        table = serve(canned, Costly(25))
        await run_all(mode, side(client, mode, "scan")("tbl", max_read_units=100))
        await maybe(side(client, mode, "count")("tbl", max_read_units=100))
        assert table.modes == [sent] * 6
    finally:
        await client.close() if mode == "async" else client.sync_close()


# -- models and collections -----------------------------------------------------------------


class Row(Model):
    model_config = DynamoConfig(table="tbl")
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    n: int


@pytest.fixture
def models(canned: Canned, client: DynamoDBClient) -> Iterator[Canned]:
    """The canned client as the default client, which the models use."""
    set_default_client(client)
    yield canned
    set_default_client(None)


async def test_a_model_query_stopped_by_its_budget_carries_models(
    models: Canned, mode: str
) -> None:
    table = serve(models, Costly(100))
    result = (
        Row.query("p", max_read_units=12)
        if mode == "async"
        else Row.sync_query("p", max_read_units=12)
    )
    with pytest.raises(CapacityBudgetExceeded) as stopped:
        await run_all(mode, result)
    stop = stopped.value
    assert stop.items == [Row(pk="p", sk=f"{n:04d}", n=n) for n in range(30)]
    assert table.modes == ["TOTAL"] * 3
    scanned = Row.scan(max_read_units=5) if mode == "async" else Row.sync_scan(max_read_units=5)
    with pytest.raises(CapacityBudgetExceeded) as stopped:
        await run_all(mode, scanned)
    assert len(stopped.value.items) == 10


@pytest.mark.parametrize("budget", [0, -2.5, math.nan, "1"], ids=repr)
def test_models_and_collections_refuse_a_bad_budget_before_sending(
    models: Canned, budget: Any
) -> None:
    models.answer()
    reads: list[Callable[[], Any]] = [
        lambda: Row.query("p", max_read_units=budget),
        lambda: Row.sync_scan(max_read_units=budget),
        lambda: Order.query(user_id="1", max_read_units=budget),
        lambda: User.by_gsi1.query(email="a@b.c", max_read_units=budget),
        lambda: Collection(User, Order).query(user_id="1", max_read_units=budget),
        lambda: Collection(User, Order).sync_query(user_id="1", max_read_units=budget),
    ]
    for read in reads:
        with pytest.raises(ValidationException, match="max_read_units"):
            read()
    assert models.requests == []
