"""What filtered, limited queries and scans cost: requests counted by a proxy, 5,000 items.

The reads under test go through ``tests.faults.FaultProxy`` with no fault mix: it forwards
each request to the local server, counts them by operation (``seen``) and records the bodies
of Query and Scan, so the tests read exactly what was sent (the full reads they compare with
go straight to the server). One table per server and module holds 5,000 items of about
450 bytes (over 2 MB: an unlimited scan takes several 1 MB pages).

The guarantees checked (docs/query-and-scan.md points here):

- a filter never shrinks the per-request ``Limit`` below ``page_size`` and, without
  ``page_size``, no ``Limit`` is sent; ``limit`` is counted client-side over the filtered
  items: a filtered ``limit=5, page_size=1000`` scan sends at most 6 requests, and
  ``limit=1`` with a filter that matches nothing sends as many requests as the unfiltered
  read has pages;
- ``last_evaluated_key`` after a limited read resumes exactly after the last item returned:
  chaining limited filtered reads gives the full filtered read, nothing skipped or repeated
  (scans, queries, index queries, and ``page()`` cursors);
- ``scanned_count`` is the number of items DynamoDB evaluated in the last iteration;
- ``first()`` closes what it opened, on return and on error.

A test may send at most ``BUDGET`` requests: past it the proxy answers 500 (and the client
does not retry), so a read storm fails at once instead of running for minutes.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import AsyncGeneratorType, GeneratorType
from typing import Annotated, Any

import pytest
from pydantic import ValidationError

import pydynox
from pydynox import (
    Attr,
    Condition,
    DynamoConfig,
    DynamoDBClient,
    IndexSpec,
    Model,
    PartitionKey,
    SortKey,
)
from pydynox.testing import local_client

from ..faults import FaultProxy
from .api import Api
from .tables import unique

ITEMS = 5000
PARTITIONS = 5  # p0..p4, 1,000 items each
PAD = "x" * 400
BUDGET = 60
RARE = Attr("tag") == "rare"  # 52 items of 5,000, spread over the table
NOBODY = Attr("n") < 0  # matches nothing
EVERY_31ST = Attr("m31") == 0  # 162 items


def make_item(n: int) -> dict[str, Any]:
    return {
        "pk": f"p{n % PARTITIONS}",
        "sk": f"{n:05d}",
        "n": n,
        "g": f"g{n % 2}",
        "m31": n % 31,
        "tag": "rare" if n % 97 == 0 else "plain",
        "pad": PAD,
    }


@dataclass
class Loaded:
    table: str
    proxy: FaultProxy
    counted: DynamoDBClient  # a client that talks through the proxy
    direct: DynamoDBClient  # the session client, not counted
    pages: dict[tuple[str, int | None], int]  # requests of unfiltered, unlimited reads
    full: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)


def read(client: DynamoDBClient, what: str, table: str, **options: Any) -> Any:
    """The sync result of a scan, a query of partition p0, or a query of index by-g (g0)."""
    if what == "scan":
        return client.sync_scan(table, **options)
    if what == "query":
        return client.sync_query(table, Attr("pk") == "p0", **options)
    return client.sync_query(table, Attr("g") == "g0", index_name="by-g", **options)


@pytest.fixture(scope="module")
def loaded(client: DynamoDBClient, endpoint: str) -> Iterator[Loaded]:
    table = unique("costs")
    client.sync_create_table(
        table,
        partition_key=("pk", "S"),
        sort_key=("sk", "S"),
        global_indexes=[IndexSpec("by-g", partition_key=("g", "S"), sort_key=("n", "N"))],
    )
    client.sync_batch_write(table, put_items=[make_item(n) for n in range(ITEMS)])
    with FaultProxy(endpoint, record=("Query", "Scan")) as proxy:
        counted = local_client(proxy.url, max_attempts=1, cursor_secret="read-costs-secret-0123")
        pages = {}
        for what, page_size in (("scan", None), ("query", 100)):
            before = sum(proxy.seen.values())
            assert len(read(counted, what, table, page_size=page_size).all()) == (
                ITEMS if what == "scan" else ITEMS // PARTITIONS
            )
            pages[what, page_size] = sum(proxy.seen.values()) - before
        assert pages["scan", None] >= 3, "the items no longer take several 1 MB pages"
        yield Loaded(table, proxy, counted, client, pages)
        counted.sync_close()
        assert not proxy.errors, proxy.errors
    client.sync_delete_table(table, wait=False)


Sent = Callable[[], Counter[str]]


@pytest.fixture
def sent(loaded: Loaded) -> Iterator[Sent]:
    """The requests sent through the proxy since the test began, by operation; past BUDGET
    the proxy answers 500."""
    proxy = loaded.proxy
    proxy.clear()
    proxy.force("error500", skip=BUDGET)
    with proxy.lock:
        start = Counter(proxy.seen)
        proxy.requests.clear()

    def count() -> Counter[str]:
        with proxy.lock:
            return Counter(proxy.seen) - start

    yield count
    proxy.clear()


def limits(loaded: Loaded, op: str) -> list[int | None]:
    """The Limit of each Query / Scan sent in this test (None: no Limit)."""
    with loaded.proxy.lock:
        return [body.get("Limit") for body in loaded.proxy.requests.get(op, [])]


@pytest.fixture(params=["async", "sync"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def api(loaded: Loaded, mode: str) -> Api:
    return Api(loaded.counted, mode)


def scanned(result: Any) -> int:
    """``scanned_count`` of a result (the sync one is wrapped by Api)."""
    count: int = result.scanned_count
    return count


def key(item: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: item[name] for name in ("pk", "sk", *names)}


def everything(loaded: Loaded, what: str, condition: Condition) -> list[dict[str, Any]]:
    """The full filtered read, in DynamoDB's order, through the session client (once)."""
    found = loaded.full.get((what, repr(condition)))
    if found is None:
        result = read(loaded.direct, what, loaded.table, filter_expression=condition)
        found = loaded.full[what, repr(condition)] = result.all()
    return found


def api_read(api: Api, loaded: Loaded, what: str, **options: Any) -> Any:
    if what == "scan":
        return api.scan(loaded.table, **options)
    if what == "query":
        return api.query(loaded.table, Attr("pk") == "p0", **options)
    return api.query(loaded.table, Attr("g") == "g0", index_name="by-g", **options)


# -- the per-request Limit ------------------------------------------------------------------


async def test_a_filtered_limit_5_scan_with_page_size_1000_sends_at_most_6_requests(
    api: Api, loaded: Loaded, sent: Sent
) -> None:
    result = api.scan(loaded.table, filter_expression=RARE, limit=5, page_size=1000)
    got = await result.all()
    assert len(got) == 5 and all(item["tag"] == "rare" for item in got)
    assert sum(sent().values()) <= 6, sent()
    assert limits(loaded, "Scan") == [1000] * sent()["Scan"]
    # the first pages hold 1,000 items each (about 450 KB, under DynamoDB's 1 MB)
    assert scanned(result) == 1000 * sent()["Scan"]
    assert result.last_evaluated_key is not None
    assert got == everything(loaded, "scan", RARE)[:5]


async def test_limit_1_with_a_filter_matching_nothing_sends_one_scan_per_page(
    api: Api, loaded: Loaded, sent: Sent
) -> None:
    # no page_size: DynamoDB fills 1 MB pages, no Limit is sent
    result = api.scan(loaded.table, filter_expression=NOBODY, limit=1)
    assert await result.all() == []
    assert dict(sent()) == {"Scan": loaded.pages["scan", None]}
    assert limits(loaded, "Scan") == [None] * sent()["Scan"]
    assert result.last_evaluated_key is None
    assert scanned(result) == ITEMS


async def test_limit_1_with_a_filter_matching_nothing_sends_one_query_per_page(
    api: Api, loaded: Loaded, sent: Sent
) -> None:
    result = api.query(
        loaded.table, Attr("pk") == "p0", filter_expression=NOBODY, limit=1, page_size=100
    )
    assert await result.all() == []
    assert dict(sent()) == {"Query": loaded.pages["query", 100]}
    assert limits(loaded, "Query") == [100] * sent()["Query"]
    assert scanned(result) == ITEMS // PARTITIONS


async def test_a_filtered_limited_query_asks_for_page_size_items_per_request(
    api: Api, loaded: Loaded, sent: Sent
) -> None:
    # p0 holds 11 rare items, one in about every 100: 3 of them are in the first 300 items
    result = api.query(
        loaded.table, Attr("pk") == "p0", filter_expression=RARE, limit=3, page_size=300
    )
    got = await result.all()
    assert got == everything(loaded, "query", RARE)[:3]
    assert sum(sent().values()) <= 2, sent()
    assert limits(loaded, "Query") == [300] * sent()["Query"]
    assert result.last_evaluated_key == key(got[-1])


async def test_an_unfiltered_limit_still_asks_for_no_more_than_wanted(
    api: Api, loaded: Loaded, sent: Sent
) -> None:
    result = api.query(loaded.table, Attr("pk") == "p0", limit=7, page_size=5)
    got = await result.all()
    assert [item["n"] for item in got] == [n * PARTITIONS for n in range(7)]
    assert limits(loaded, "Query") == [5, 2]
    assert scanned(result) == 7
    assert result.last_evaluated_key == key(got[-1])


# -- resuming after a limit -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("what", "limit", "page_size", "index_keys"),
    [("scan", 37, 1000, ()), ("query", 7, 250, ()), ("index", 17, 600, ("g", "n"))],
)
async def test_limited_filtered_reads_resume_exactly_where_they_stopped(
    api: Api,
    loaded: Loaded,
    sent: Sent,
    what: str,
    limit: int,
    page_size: int,
    index_keys: tuple[str, ...],
) -> None:
    chained: list[dict[str, Any]] = []
    start = None
    while True:
        result = api_read(
            api,
            loaded,
            what,
            filter_expression=EVERY_31ST,
            limit=limit,
            page_size=page_size,
            last_evaluated_key=start,
        )
        got = await result.all()
        chained += got
        start = result.last_evaluated_key
        if start is None:
            break
        assert len(got) == limit
        # the key of the last item returned, or the page's LastEvaluatedKey when the limit
        # fell on the end of a page: a key of the table and the index either way
        assert set(start) == {"pk", "sk", *index_keys}
    assert chained == everything(loaded, what, EVERY_31ST)
    assert set(limits(loaded, "Scan" if what == "scan" else "Query")) == {page_size}


async def test_first_resumes_right_after_the_item_it_returned(
    api: Api, loaded: Loaded, sent: Sent
) -> None:
    result = api.scan(loaded.table, filter_expression=EVERY_31ST, page_size=1000)
    first = await result.first()
    assert first is not None and result.last_evaluated_key == key(first)
    rest = api.scan(
        loaded.table,
        filter_expression=EVERY_31ST,
        page_size=1000,
        last_evaluated_key=result.last_evaluated_key,
    )
    assert [first, *await rest.all()] == everything(loaded, "scan", EVERY_31ST)


async def test_filtered_cursor_pages_ask_for_page_size_items_and_miss_nothing(
    api: Api, loaded: Loaded, sent: Sent
) -> None:
    walked: list[dict[str, Any]] = []
    cursor = None
    while True:
        result = api.scan(loaded.table, filter_expression=EVERY_31ST, page_size=1000)
        page = await result.page(40, cursor)
        walked += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
        assert len(page.items) == 40
    assert walked == everything(loaded, "scan", EVERY_31ST)
    assert set(limits(loaded, "Scan")) == {1000}


# -- first() closes what it opened ----------------------------------------------------------

CLIENT = Path(pydynox.__file__).parent / "client"
# The modules whose generators a read runs: the plans, the drivers, the results.
READING = {str(CLIENT / name) for name in ("_paging.py", "_plan.py", "_drivers.py", "_results.py")}


def open_generators() -> list[Any]:
    """The read's generators and async generators that are neither finished nor closed."""
    found = []
    for thing in gc.get_objects():
        kind = type(thing)
        if kind is GeneratorType:
            frame = thing.gi_frame
        elif kind is AsyncGeneratorType:
            frame = thing.ag_frame
        else:
            continue
        if frame is not None and frame.f_code.co_filename in READING:
            found.append(thing)
    return found


class Row(Model):
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    n: int


class BadRow(Row):
    pad: int  # stored as a string: converting an item raises ValidationError


@pytest.mark.parametrize("model", [None, Row, BadRow])
async def test_first_closes_its_generators_on_return_and_on_error(
    api: Api, loaded: Loaded, sent: Sent, model: type[Row] | None
) -> None:
    before = open_generators()
    if model is None:
        result = api.scan(loaded.table, filter_expression=EVERY_31ST, page_size=100)
        assert await result.first() is not None
    else:
        bound = type(
            model.__name__,
            (model,),
            {"model_config": DynamoConfig(table=loaded.table, client=loaded.counted)},
        )
        result = api.on(bound).query(partition_key="p0", filter_condition=EVERY_31ST)
        if model is BadRow:
            with pytest.raises(ValidationError):
                await result.first()
        else:
            assert await result.first() is not None
    left = [g for g in open_generators() if not any(g is old for old in before)]
    assert left == []
