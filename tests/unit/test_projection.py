"""Projections in the protocol and the client: what is sent, what is refused, what comes back.

``projection=[...]`` on ``get_item``, ``query`` and ``scan`` (and ``Get``) becomes a
ProjectionExpression whose names travel as placeholders merged with the request's own;
``QueryResult.project(Model)`` projects a pydantic model's fields and validates into it.
Bad projections are refused before anything is sent. A read that must resume from its last
item (a limit inside a filtered page, ``page()``) projects the key attributes too and leaves
them out of the items again. Run against a canned local endpoint (``tests/canned.py``) that
answers like DynamoDB, and plans driven step by step; the same scenarios on real servers are
in ``tests/integration/test_projection.py``.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pydantic import BaseModel, Field

from pydynox import Attr, DynamoDBClient, Get, QueryResult, SyncQueryResult, ValidationException
from pydynox._protocol._actions import transact_get_request
from pydynox._protocol._cursor import decode_cursor
from pydynox._protocol._paging import PageState
from pydynox._protocol._plan import Call, Emit, Feed
from pydynox._protocol._requests import (
    check_projection,
    get_item_request,
    read_request,
    with_projection,
)
from pydynox._values._codec import deserialize_item, serialize_item
from pydynox.client._results import Reader
from pydynox.testing import local_client

from ..canned import Canned
from .test_typing import ROOT, run_mypy

SECRET = b"unit-test-secret-of-32-bytes...."
KEY = {"pk": "p", "sk": "00"}


class Card(BaseModel):
    name: str
    n: int


class Aliased(BaseModel):
    name: str = Field(alias="displayName")


# -- a partition served like DynamoDB serves it ------------------------------------------------


def stored(n: int) -> dict[str, Any]:
    return serialize_item({"pk": "p", "sk": f"{n:02d}", "n": n, "name": f"N{n}", "extra": "x"})


class Store:
    """Items 0..count-1 of partition ``p``: pages of ``Limit`` evaluated items, the filter
    ``keep`` applied after reading, a ``LastEvaluatedKey`` when the page ended before the
    data did, and the ProjectionExpression applied to the top-level attributes. Answers
    DescribeTable too, and remembers each request's body."""

    def __init__(self, count: int, keep: Callable[[int], bool] = lambda n: True) -> None:
        self.count = count
        self.keep = keep
        self.bodies: list[tuple[str, dict[str, Any]]] = []

    def read(self, body: dict[str, Any]) -> dict[str, Any]:
        self.bodies.append(("Query", body))
        start = 0
        if "ExclusiveStartKey" in body:
            start = int(body["ExclusiveStartKey"]["sk"]["S"]) + 1
        size = body.get("Limit", 100)
        evaluated = list(range(start, min(start + size, self.count)))
        response: dict[str, Any] = {
            "Items": [project(stored(n), body) for n in evaluated if self.keep(n)],
            "ScannedCount": len(evaluated),
        }
        if evaluated and evaluated[-1] < self.count - 1:
            response["LastEvaluatedKey"] = serialize_item({"pk": "p", "sk": f"{evaluated[-1]:02d}"})
        return response

    def describe(self, body: dict[str, Any]) -> dict[str, Any]:
        self.bodies.append(("DescribeTable", body))
        schema = [{"AttributeName": "pk"}, {"AttributeName": "sk"}]
        return {"Table": {"KeySchema": schema}}

    def __call__(self, call: Call) -> dict[str, Any]:
        return self.describe(call.params) if call.op == "DescribeTable" else self.read(call.params)

    @property
    def projections(self) -> list[set[str]]:
        """The top-level attributes each read projected (all of them: no projection)."""
        return [tops(body) for op, body in self.bodies if op != "DescribeTable"]


def tops(body: dict[str, Any]) -> set[str]:
    names = body.get("ExpressionAttributeNames", {})
    expression = body.get("ProjectionExpression")
    if expression is None:
        return {"*"}
    return {names.get(t, t) for t in re.findall(r"(?:^|,)\s*([#\w]+)", expression)}


def project(item: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    wanted = tops(body)
    return item if wanted == {"*"} else {k: v for k, v in item.items() if k in wanted}


def drive(plan: Any, store: Store) -> tuple[list[dict[str, Any]], Any]:
    """Run a plan like the drivers do: the raw items it emits and its result."""
    feed = Feed(plan)
    emitted: list[dict[str, Any]] = []
    for step in feed:
        if isinstance(step, Call):
            feed.answer(store(step))
        elif isinstance(step, Emit):
            emitted += step.value
    return emitted, feed.result


def reader(filtered: bool = False, **options: Any) -> Reader[Any]:
    params = read_request(
        "tbl",
        key_condition=Attr("pk") == "p",
        filter_expression=Attr("n") >= 0 if filtered else None,
    )
    return Reader("Query", params, deserialize_item, "scope", filtered=filtered, **options)


# -- what is sent --------------------------------------------------------------------------


def test_get_item_projects_paths_through_placeholders() -> None:
    request = get_item_request("tbl", KEY, False, ["name", "address.city", "tags[1]"])
    assert request["ProjectionExpression"] == "#n0, #n1.#n2, #n3[1]"
    assert request["ExpressionAttributeNames"] == {
        "#n0": "name",
        "#n1": "address",
        "#n2": "city",
        "#n3": "tags",
    }
    # no projection: the request is as it always was
    assert get_item_request("tbl", KEY, True) == {
        "TableName": "tbl",
        "Key": serialize_item(KEY),
        "ConsistentRead": True,
    }


def test_reserved_words_and_odd_names_are_placeholders_and_attrs_are_taken_literally() -> None:
    request = get_item_request("tbl", KEY, False, ["size", Attr.of("a.b"), Attr("c")["d"]])
    assert request["ProjectionExpression"] == "#n0, #n1, #n2.#n3"
    assert request["ExpressionAttributeNames"] == {
        "#n0": "size",
        "#n1": "a.b",
        "#n2": "c",
        "#n3": "d",
    }


def test_a_projection_shares_names_with_the_filter_and_never_collides_with_yours() -> None:
    params = read_request(
        "tbl",
        key_condition="#n0 = :p",
        filter_expression=Attr("name") == "x",
        names={"#n0": "pk"},
        values={":p": "p"},
    )
    request = with_projection(params, check_projection(["name", "pk", "n"]))
    # "pk" reuses your "#n0", "name" the filter's placeholder; "n" gets a new one
    assert request["KeyConditionExpression"] == "#n0 = :p"
    assert request["FilterExpression"] == "#n1 = :v0"
    assert request["ProjectionExpression"] == "#n1, #n0, #n2"
    assert request["ExpressionAttributeNames"] == {"#n0": "pk", "#n1": "name", "#n2": "n"}


def test_replacing_a_projection_drops_the_names_only_it_used() -> None:
    params = read_request("tbl", key_condition=Attr("pk") == "p")
    first = with_projection(params, check_projection(["pk", "name", "address.city"]))
    second = with_projection(first, check_projection(["n"]))
    assert second["KeyConditionExpression"] == "#n0 = :v0"
    assert second["ProjectionExpression"] == "#n1"
    assert second["ExpressionAttributeNames"] == {"#n0": "pk", "#n1": "n"}
    # and None takes the projection away, with its names
    whole = with_projection(first, None)
    assert "ProjectionExpression" not in whole
    assert whole["ExpressionAttributeNames"] == {"#n0": "pk"}
    assert whole == params


def test_repeated_and_nested_paths_are_read_once() -> None:
    paths = check_projection(["address.city", "name", "address", "name", "tags[0]", "tags"])
    assert [str(p) for p in paths] == ["name", "address", "tags"]
    assert [str(p) for p in check_projection(["a[0]", "a[1].b", "a[1]"])] == ["a[0]", "a[1]"]


def test_get_carries_its_projection_into_transact_get() -> None:
    request = transact_get_request([Get("tbl", KEY, ["name"]), Get("tbl", {"pk": "q", "sk": "0"})])
    first, second = (item["Get"] for item in request["TransactItems"])
    assert first["ProjectionExpression"] == "#n0"
    assert first["ExpressionAttributeNames"] == {"#n0": "name"}
    assert "ProjectionExpression" not in second and "ConsistentRead" not in first


BAD = [
    pytest.param([], "at least one attribute path", id="empty"),
    pytest.param("name", "must be a list of attribute paths", id="a-string"),
    pytest.param({"name": 1}, "must be a list of attribute paths", id="a-mapping"),
    pytest.param(5, "must be a list of attribute paths", id="not-iterable"),
    pytest.param([""], "cannot be empty", id="empty-path"),
    pytest.param(["a..b"], "empty attribute name", id="double-dot"),
    pytest.param(["[0]"], "must start with an attribute name", id="index-first"),
    pytest.param(["a[x]"], "not a non-negative integer", id="bad-index"),
    pytest.param(["tags[0"], "never closed", id="unclosed"),
    pytest.param([3], "must be strings or Attr", id="a-number"),
    pytest.param(["a[0]", "a.b"], "conflict", id="list-and-map"),
]


@pytest.mark.parametrize(("projection", "message"), BAD)
def test_bad_projections_are_refused(projection: Any, message: str) -> None:
    with pytest.raises(ValidationException, match=re.escape(message)):
        check_projection(projection)


# -- through a client, on a canned endpoint ---------------------------------------------------


@pytest.fixture(scope="module")
def canned() -> Iterator[Canned]:
    with Canned(limit=50) as server:
        yield server


@pytest.fixture(scope="module")
def client(canned: Canned) -> Iterator[DynamoDBClient]:
    made = local_client(canned.url, cursor_secret=SECRET.decode())
    yield made
    made.sync_close()


def sent(canned: Canned) -> list[tuple[str, dict[str, Any]]]:
    return [(request.op, request.json()) for request in canned.requests]


@pytest.mark.parametrize(("projection", "message"), BAD)
@pytest.mark.parametrize("call", ["get_item", "query", "scan"])
async def test_bad_projections_send_nothing(
    canned: Canned, client: DynamoDBClient, call: str, projection: Any, message: str
) -> None:
    canned.answer({})
    calls: dict[str, Callable[[], Any]] = {
        "get_item": lambda: client.get_item("tbl", KEY, projection=projection),
        "sync_get_item": lambda: client.sync_get_item("tbl", KEY, projection=projection),
        "query": lambda: client.query("tbl", Attr("pk") == "p", projection=projection),
        "sync_query": lambda: client.sync_query("tbl", Attr("pk") == "p", projection=projection),
        "scan": lambda: client.scan("tbl", projection=projection),
        "sync_scan": lambda: client.sync_scan("tbl", projection=projection),
    }
    for name in (call, "sync_" + call):
        with pytest.raises(ValidationException, match=re.escape(message)):
            await_or_not = calls[name]()
            if hasattr(await_or_not, "__await__"):
                await await_or_not
    assert canned.requests == []


async def test_get_item_sends_the_projection_and_returns_what_came(
    canned: Canned, client: DynamoDBClient
) -> None:
    canned.answer(GetItem={"Item": serialize_item({"name": "Ann", "address": {"city": "Oslo"}})})
    got = await client.get_item("tbl", KEY, projection=["name", "address.city"])
    assert got == {"name": "Ann", "address": {"city": "Oslo"}}
    assert client.sync_get_item("tbl", KEY, True, ["name", "address.city"]) == got
    for op, body in sent(canned):
        assert op == "GetItem"
        assert body["ProjectionExpression"] == "#n0, #n1.#n2"
        assert body["ExpressionAttributeNames"] == {"#n0": "name", "#n1": "address", "#n2": "city"}


@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_a_projected_query_sends_one_merged_request(
    canned: Canned, client: DynamoDBClient, mode: str
) -> None:
    store = Store(3)
    canned.answer(Query=store.read, Scan=store.read)
    options: dict[str, Any] = {"filter_expression": Attr("name") != "", "projection": ["name"]}
    if mode == "async":
        items = await client.query("tbl", Attr("pk") == "p", **options).all()
        scanned = await client.scan("tbl", **options).all()
    else:
        items = client.sync_query("tbl", Attr("pk") == "p", **options).all()
        scanned = client.sync_scan("tbl", **options).all()
    assert items == scanned == [{"name": "N0"}, {"name": "N1"}, {"name": "N2"}]
    (_, query), (_, scan) = sent(canned)
    assert query["ProjectionExpression"] == "#n1" and query["FilterExpression"] == "#n1 <> :v1"
    assert query["ExpressionAttributeNames"] == {"#n0": "pk", "#n1": "name"}
    assert scan["ProjectionExpression"] == "#n0"
    assert scan["ExpressionAttributeNames"] == {"#n0": "name"}


@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_pages_of_a_projection_without_keys_have_exact_cursors(
    canned: Canned, client: DynamoDBClient, mode: str
) -> None:
    store = Store(10, keep=lambda n: n % 3 != 1)  # 0 2 3 5 6 8 9
    canned.answer(Query=store.read, DescribeTable=store.describe)
    query = (client.query if mode == "async" else client.sync_query)(
        "tbl", Attr("pk") == "p", filter_expression=Attr("n") >= 0, projection=["n"]
    )
    walked: list[dict[str, Any]] = []
    cursor = None
    while True:
        asked: Any = query.page(3, cursor)
        page = await asked if mode == "async" else asked
        walked += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
        key = decode_cursor(cursor, SECRET, scope_of(query))
        assert key == serialize_item({"pk": "p", "sk": f"{walked[-1]['n']:02d}"})
    assert walked == [{"n": n} for n in (0, 2, 3, 5, 6, 8, 9)]
    # the key attributes were asked for (once DynamoDB said which), and left out of the items
    assert [op for op, _ in store.bodies].count("DescribeTable") <= 1
    assert all(projected == {"n", "pk", "sk"} for projected in store.projections)


def scope_of(result: QueryResult[Any] | SyncQueryResult[Any]) -> str:
    return result._reader.scope


# -- the reader's plans ---------------------------------------------------------------------


def test_a_filtered_limit_inside_a_page_projects_the_keys_and_resumes_exactly() -> None:
    store = Store(20, keep=lambda n: n % 2 == 0)
    known: dict[str, tuple[str, ...]] = {}
    projected = reader(filtered=True, limit=3, known_keys=known).projected(["n"])
    state = PageState()
    raw, _ = drive(projected.plan(state), store)
    assert [projected.converter()(item) for item in raw] == [{"n": 0}, {"n": 2}, {"n": 4}]
    assert state.last_evaluated_key == {"pk": "p", "sk": "04"}
    assert [op for op, _ in store.bodies] == ["DescribeTable", "Query"]
    assert store.projections == [{"n", "pk", "sk"}]
    assert known == {"tbl": ("pk", "sk")}


def test_reads_that_need_no_key_project_only_what_was_asked() -> None:
    runs: list[dict[str, Any]] = [{}, {"limit": 3}]
    for options in runs:  # unfiltered: never cut inside a page
        store = Store(5)
        projected = reader(**options).projected(["n"])
        raw, _ = drive(projected.plan(PageState()), store)
        assert raw[:2] == [{"n": {"N": "0"}}, {"n": {"N": "1"}}]
        assert store.projections == [{"n"}]
        assert [op for op, _ in store.bodies] == ["Query"]


def test_known_key_names_are_projected_without_asking() -> None:
    store = Store(10)
    projected = reader(key_names=("pk", "sk"), secret=SECRET).projected(["name"])
    _, (items, cursor) = drive(projected.page_plan(2, None), store)
    assert [projected.converter()(item) for item in items] == [{"name": "N0"}, {"name": "N1"}]
    assert decode_cursor(cursor, SECRET, "scope") == serialize_item({"pk": "p", "sk": "01"})
    assert [op for op, _ in store.bodies] == ["Query"]
    assert store.projections == [{"name", "pk", "sk"}]


# -- project(model) -------------------------------------------------------------------------


def test_project_reads_the_model_fields_keys_and_keep() -> None:
    base = reader(key_names=("pk", "sk"), keep=("entity",))
    projected = base.project(Card)
    assert tops(projected.params) == {"name", "n", "pk", "sk", "entity"}
    assert projected.params["KeyConditionExpression"] == base.params["KeyConditionExpression"]
    card = projected.converter()(stored(3))
    assert card == Card(name="N3", n=3)
    assert projected.scope == base.scope  # cursors are the same read's


def test_project_takes_field_names_not_aliases() -> None:
    projected = reader().project(Aliased)
    assert tops(projected.params) == {"name"}
    assert projected.converter()(serialize_item({"name": "Ann", "displayName": "no"})) == Aliased(
        displayName="Ann"
    )


def test_a_field_the_items_cannot_have_is_refused_naming_it_and_the_owner() -> None:
    class Wide(BaseModel):
        name: str
        nickname: str

    owned = reader(fields=frozenset({"pk", "sk", "name", "n"}), owner="User")
    with pytest.raises(ValidationException, match=r"'nickname' is not a field of User"):
        owned.project(Wide)
    assert owned.project(Card).owner == "Card"
    # projected by paths first, the model must keep to those paths
    with pytest.raises(ValidationException, match=r"'n' is not among the attributes"):
        owned.projected(["name"]).project(Card)
    with pytest.raises(ValidationException, match=r"'nickname' is not a field of User"):
        owned.projected(["name", "nickname"])


def test_projecting_twice_narrows_or_is_refused() -> None:
    class Name(BaseModel):
        name: str

    class Other(BaseModel):
        name: str
        extra: str

    first = reader(key_names=("pk", "sk")).project(Card)
    narrowed = first.project(Name)
    assert tops(narrowed.params) == {"name", "pk", "sk"}
    assert narrowed.params["ExpressionAttributeNames"].keys() >= {"#n0"}
    with pytest.raises(ValidationException, match=r"'extra' is not a field of Card"):
        first.project(Other)
    # a client projection, then a model: the model's fields must have been projected
    with pytest.raises(ValidationException, match=r"'n' is not among the attributes"):
        reader().projected(["name"]).project(Card)


def test_project_takes_only_pydantic_models_with_fields() -> None:
    class Empty(BaseModel):
        pass

    with pytest.raises(ValidationException, match="pydantic model class"):
        reader().project(dict)  # type: ignore[type-var]
    with pytest.raises(ValidationException, match="Empty has no fields"):
        reader().project(Empty)


@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_query_result_project_yields_model_instances(
    canned: Canned, client: DynamoDBClient, mode: str
) -> None:
    store = Store(3)
    canned.answer(Query=store.read)
    if mode == "async":
        cards = await client.query("tbl", Attr("pk") == "p").project(Card).all()
    else:
        cards = client.sync_query("tbl", Attr("pk") == "p").project(Card).all()
    assert cards == [Card(name=f"N{n}", n=n) for n in range(3)]
    assert store.projections == [{"name", "n"}]


# -- typing ---------------------------------------------------------------------------------


TYPING_FILE = ROOT / "tests" / "typing" / "user_projection.py"


def test_projections_type_check_as_users_expect() -> None:
    done = run_mypy(TYPING_FILE)
    assert done.returncode == 0, f"mypy --strict {TYPING_FILE.name}:\n{done.stdout}{done.stderr}"


def test_the_projection_typing_file_imports_without_io() -> None:
    from pydynox.client import _client

    before = _client._default
    spec = importlib.util.spec_from_file_location("_typing_user_projection", TYPING_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the string annotations through it
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    assert _client._default is before
    assert issubclass(module.UserCard, BaseModel)
