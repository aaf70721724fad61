"""The FastAPI example (examples/fastapi): every endpoint, through its lifespan, on the
embedded local DynamoDB it starts itself; the README's command that serves it; and the app
served by ``uvicorn`` on each event loop it offers (``--loop asyncio`` and ``--loop uvloop``),
through the real HTTP server.

Users and orders are two entities of one table: a user is stored at ``USER#<id>`` /
``PROFILE``, their orders at ``USER#<id>`` / ``ORDER#<order id>``; these computed keys are
how items are stored, not part of the API (no body takes them, no answer shows them)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pydynox import SyncBatchWriter, get_default_client
from pydynox.testing import local_client

from .faults import FaultProxy

ROOT = Path(__file__).resolve().parent.parent
APP_DIR = ROOT / "examples" / "fastapi"
sys.path.insert(0, str(APP_DIR))

from shop.app import create_app  # noqa: E402
from shop.models import Order, User, user_with_orders  # noqa: E402
from shop.settings import Settings  # noqa: E402

ADA = {"user_id": "ada", "name": "Ada Lovelace", "email": "ada@example.com"}
BOB = {"user_id": "bob", "name": "Bob", "email": "bob@example.com"}


def stored(user: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """A user as the API answers: the body sent and the defaults (its computed keys are how
    it is stored, not part of the API)."""
    return {"nickname": None, "orders": 0, **user, **fields}


def _reset(dynamodb_endpoint: str) -> None:
    # moto keeps its tables per process, shared by every server started in it: start each
    # test from an empty database (the app's lifespan then creates its table).
    reset = urllib.request.Request(f"{dynamodb_endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(reset, timeout=10):
        pass


@pytest.fixture
def http(dynamodb_endpoint: str) -> Iterator[TestClient]:
    _reset(dynamodb_endpoint)
    with TestClient(create_app(Settings(cursor_secret="example-app-test-secret"))) as client:
        yield client


@pytest.fixture
def counted(
    dynamodb_endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[TestClient, FaultProxy]]:
    """The app on a real endpoint seen through a proxy that counts (and records the Query
    requests of) what the app sends."""
    _reset(dynamodb_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with FaultProxy(dynamodb_endpoint, enabled=False, record=("Query",)) as proxy:
        settings = Settings(
            endpoint_url=proxy.url,
            region="us-east-1",
            cursor_secret="example-app-test-secret",
            create_tables=True,
        )
        with TestClient(create_app(settings)) as client:
            yield client, proxy
    assert proxy.errors == []


def place(http: TestClient, user: str, n: int) -> list[dict[str, Any]]:
    orders = []
    for i in range(n):
        answer = http.post(f"/users/{user}/orders", json={"items": [f"book-{i}"], "total": "12.50"})
        assert answer.status_code == 201, answer.text
        orders.append(answer.json())
    return orders


def test_create_and_read_a_user(http: TestClient) -> None:
    created = http.post("/users", json=ADA)
    assert created.status_code == 201
    assert created.json() == stored(ADA)
    assert http.get("/users/ada").json() == created.json()


@pytest.mark.parametrize(
    "field",
    [
        {"unknown": 1},
        {"orders": 5},  # the server's count: not an input
        {"pk": "USER#ada"},  # computed keys: not inputs, even with their computed values
        {"sk": "PROFILE"},
    ],
)
def test_post_and_patch_refuse_unknown_and_read_only_fields_alike(
    http: TestClient, field: dict[str, Any]
) -> None:
    posted = http.post("/users", json={**ADA, **field})
    assert posted.status_code == 422, posted.text
    assert posted.json()["detail"][0]["loc"] == ["body", *field]
    assert http.get("/users/ada").status_code == 404  # nothing written
    http.post("/users", json=ADA)
    patched = http.patch("/users/ada", json={"name": "Ada King", **field})
    assert patched.status_code == 422, patched.text
    assert patched.json()["detail"][0]["loc"] == ["body", *field]
    assert http.get("/users/ada").json() == stored(ADA)


def test_creating_an_existing_user_is_a_409_and_changes_nothing(http: TestClient) -> None:
    http.post("/users", json=ADA)
    again = http.post("/users", json={**ADA, "name": "Someone Else"})
    assert again.status_code == 409
    assert http.get("/users/ada").json()["name"] == "Ada Lovelace"


def test_a_missing_user_is_a_404(http: TestClient) -> None:
    assert http.get("/users/nobody").status_code == 404
    assert http.patch("/users/nobody", json={"name": "x"}).status_code == 404
    assert http.delete("/users/nobody").status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"user_id": "ada", "name": "Ada"},  # no email
        {**ADA, "email": "not-an-email"},
        {**ADA, "name": ""},
        {**ADA, "user_id": "has spaces"},
        {**ADA, "orders": "many"},
        {**ADA, "pk": "USER#eve"},  # a key set by hand: it is computed from user_id
        {**ADA, "sk": "ORDER#1"},
    ],
)
def test_a_bad_body_is_a_422_and_nothing_is_written(http: TestClient, body: dict[str, Any]) -> None:
    assert http.post("/users", json=body).status_code == 422
    assert http.get("/users/ada").status_code == 404


def test_patch_changes_only_the_fields_sent(http: TestClient) -> None:
    http.post("/users", json={**ADA, "nickname": "A"})
    patched = http.patch("/users/ada", json={"name": "Ada King"})
    assert patched.status_code == 200
    assert patched.json() == stored(ADA, name="Ada King", nickname="A")
    removed = http.patch("/users/ada", json={"nickname": None})
    assert removed.json()["nickname"] is None
    assert http.get("/users/ada").json() == stored(ADA, name="Ada King")


@pytest.mark.parametrize(
    "body",
    [
        {"name": None},
        {"name": ""},
        {"user_id": "eve"},
        {"orders": 99},
        {"unknown": 1},
        {"pk": "USER#eve"},
        {"sk": "PROFILE"},
    ],
)
def test_patch_refuses_bad_or_forbidden_fields(http: TestClient, body: dict[str, Any]) -> None:
    http.post("/users", json=ADA)
    assert http.patch("/users/ada", json=body).status_code == 422
    assert http.get("/users/ada").json() == stored(ADA)


def test_delete_then_read_is_a_404(http: TestClient) -> None:
    http.post("/users", json=ADA)
    assert http.delete("/users/ada").status_code == 204
    assert http.get("/users/ada").status_code == 404


def test_deleting_a_user_deletes_their_orders_in_one_transaction(
    counted: tuple[TestClient, FaultProxy],
) -> None:
    http, proxy = counted
    http.post("/users", json=ADA)
    http.post("/users", json=BOB)
    place(http, "ada", 3)
    place(http, "bob", 1)
    proxy.wait_idle()
    with proxy.lock:
        before = Counter(proxy.seen)
    assert http.delete("/users/ada").status_code == 204
    proxy.wait_idle()
    with proxy.lock:
        sent = Counter(proxy.seen) - before
    assert sent == Counter({"Query": 1, "TransactWriteItems": 1})
    assert http.get("/users/ada/orders").status_code == 404
    items = get_default_client().sync_scan("shop").all()
    assert sorted(i["pk"] for i in items) == ["USER#bob", "USER#bob"]  # bob and his order


def test_deleting_a_user_with_more_orders_than_a_transaction_holds(http: TestClient) -> None:
    # 1 user + 150 orders: a transaction holds 100 actions, so 99 orders go first (with the
    # count), then the other 51 with the user; the count matches the orders at every step.
    http.post("/users", json=ADA)
    client = get_default_client()
    orders = [Order(user_id="ada", items=["x"], total=Decimal("1")) for _ in range(150)]
    with SyncBatchWriter(client) as batch:
        for order in orders:
            batch.put(order)
    client.sync_update_item(
        "shop", {"pk": "USER#ada", "sk": "PROFILE"}, updates={"orders": len(orders)}
    )
    assert http.get("/users/ada").json()["orders"] == 150
    assert http.delete("/users/ada").status_code == 204
    assert client.sync_scan("shop").all() == []
    assert http.delete("/users/ada").status_code == 404


def test_placing_an_order_stores_it_and_counts_it_on_the_user(http: TestClient) -> None:
    http.post("/users", json=ADA)
    orders = place(http, "ada", 2)
    assert {o["items"][0] for o in orders} == {"book-0", "book-1"}
    assert orders[0]["total"] == "12.50"
    assert all("pk" not in o and "sk" not in o for o in orders)  # storage, not the API
    assert http.get("/users/ada").json()["orders"] == 2


def test_an_order_for_a_missing_user_is_a_404_and_nothing_is_stored(http: TestClient) -> None:
    answer = http.post("/users/ghost/orders", json={"items": ["x"], "total": "1"})
    assert answer.status_code == 404
    assert answer.json() == {"detail": "no user ghost"}
    assert http.get("/users/ghost/with-orders").status_code == 404


def test_the_orders_of_a_missing_user_are_a_404(http: TestClient) -> None:
    answer = http.get("/users/ghost/orders")
    assert answer.status_code == 404 and answer.json() == {"detail": "no user ghost"}
    http.post("/users", json=ADA)  # a user without orders: an empty list
    assert http.get("/users/ada/orders").json() == {"items": [], "next_cursor": None}


def test_totals_always_have_two_decimals(http: TestClient) -> None:
    http.post("/users", json=ADA)
    sent = ["3.10", "3", "0.5", "12.25"]
    placed = [
        http.post("/users/ada/orders", json={"items": ["x"], "total": total}).json()["total"]
        for total in sent
    ]
    assert placed == ["3.10", "3.00", "0.50", "12.25"]  # DynamoDB stores 3.1, 3, 0.5, 12.25
    listed = [o["total"] for o in http.get("/users/ada/orders").json()["items"]]
    assert listed == placed[::-1]
    together = [o["total"] for o in http.get("/users/ada/with-orders").json()["orders"]]
    assert together == placed[::-1]
    answer = http.post("/users/ada/orders", json={"items": ["x"], "total": "3.001"})
    assert answer.status_code == 422


BIG = "x" * 410_000  # one field that makes any item over DynamoDB's 400 KB


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("POST", "/users", {**BOB, "nickname": BIG}),
        ("PATCH", "/users/ada", {"nickname": BIG}),  # refused by DynamoDB's UpdateItem
        ("POST", "/users/ada/orders", {"items": [BIG], "total": "1.00"}),
    ],
)
def test_an_item_over_400_kb_is_a_413_and_nothing_changes(
    http: TestClient, method: str, url: str, body: dict[str, Any]
) -> None:
    http.post("/users", json=ADA)
    answer = http.request(method, url, json=body)
    assert answer.status_code == 413, answer.text
    detail = answer.json()["detail"]
    assert detail.startswith("too large for DynamoDB, whose items hold 400 KB at most: ")
    assert http.get("/users/ada").json() == stored(ADA)
    assert http.get("/users/bob").status_code == 404
    assert http.get("/users/ada/orders").json()["items"] == []


@pytest.mark.parametrize(
    "body", [{"items": [], "total": "1"}, {"items": ["x"], "total": "-1"}, {"items": ["x"]}]
)
def test_a_bad_order_is_a_422(http: TestClient, body: dict[str, Any]) -> None:
    http.post("/users", json=ADA)
    assert http.post("/users/ada/orders", json=body).status_code == 422
    assert http.get("/users/ada").json()["orders"] == 0


def test_orders_are_listed_newest_first_page_by_page(http: TestClient) -> None:
    http.post("/users", json=ADA)
    placed = [o["order_id"] for o in place(http, "ada", 5)]
    seen, cursor, pages = [], None, 0
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = http.get("/users/ada/orders", params=params).json()
        pages += 1
        seen += [o["order_id"] for o in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(placed))
    assert pages == 3  # 2 + 2 + 1, and no empty page at the end


def test_a_tampered_or_foreign_cursor_is_a_400(http: TestClient) -> None:
    http.post("/users", json=ADA)
    http.post("/users", json={**ADA, "user_id": "bob", "email": "bob@example.com"})
    place(http, "ada", 3)
    cursor = http.get("/users/ada/orders", params={"limit": 1}).json()["next_cursor"]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for bad in (tampered, "not-a-cursor"):
        answer = http.get("/users/ada/orders", params={"cursor": bad})
        assert answer.status_code == 400 and "invalid cursor" in answer.json()["detail"]
    foreign = http.get("/users/bob/orders", params={"cursor": cursor})
    assert foreign.status_code == 400 and "another" in foreign.json()["detail"]


def test_list_limits_are_validated(http: TestClient) -> None:
    assert http.get("/users/ada/orders", params={"limit": 0}).status_code == 422
    assert http.get("/users/ada/orders", params={"limit": 101}).status_code == 422


def test_the_openapi_document_describes_the_models(http: TestClient) -> None:
    schema = http.get("/openapi.json").json()
    schemas = schema["components"]["schemas"]
    fields = {"user_id", "name", "email", "nickname", "orders"}
    order_fields = {"user_id", "order_id", "items", "total", "placed_at"}
    # Answers: the models, without their computed keys (how an item is stored, not what it
    # is). The order count is the server's: read-only.
    user = schemas["User"]  # only ever an answer: no User-Input / User-Output split
    assert set(user["properties"]) == fields
    assert user["properties"]["orders"]["readOnly"] is True
    assert set(schemas["Order"]["properties"]) == order_fields
    assert schemas["Order"]["properties"]["total"]["type"] == "string"  # "3.10"
    # Bodies: only what a client may set, nothing else accepted.
    body = schemas["NewUser"]
    assert set(body["properties"]) == {"user_id", "name", "email", "nickname"}
    assert set(body["required"]) == {"user_id", "name", "email"}
    assert body["additionalProperties"] is False
    posted = schema["paths"]["/users"]["post"]["requestBody"]["content"]["application/json"]
    assert posted["schema"] == {"$ref": "#/components/schemas/NewUser"}
    patch = schemas["UserPatch"]
    assert set(patch["properties"]) == {"name", "email", "nickname"}
    assert patch["additionalProperties"] is False
    assert schemas["NewOrder"]["additionalProperties"] is False
    assert "by_email" not in user["properties"] and "entity" not in user["properties"]
    with_orders = schemas["UserWithOrders"]["properties"]
    assert set(with_orders) == {"user", "orders", "next_cursor"}
    assert {"$ref": "#/components/schemas/User"} in with_orders["user"]["anyOf"]
    assert with_orders["orders"]["items"] == {"$ref": "#/components/schemas/Order"}
    assert http.get("/docs").status_code == 200


ERRORS = {
    ("/users", "post"): {"409", "413", "422"},
    ("/users/{user_id}", "get"): {"404", "422"},
    ("/users/{user_id}", "patch"): {"404", "413", "422"},
    ("/users/{user_id}", "delete"): {"404", "409", "422"},
    ("/users/{user_id}/orders", "post"): {"404", "409", "413", "422"},
    ("/users/{user_id}/orders", "get"): {"400", "404", "422"},
    ("/users/{user_id}/with-orders", "get"): {"400", "404", "422"},
}


def test_the_openapi_document_gives_every_error_with_its_body_and_an_example(
    http: TestClient,
) -> None:
    schema = http.get("/openapi.json").json()
    operations = {
        (url, method): operation
        for url, methods in schema["paths"].items()
        for method, operation in methods.items()
    }
    assert set(operations) == set(ERRORS)
    for where, operation in operations.items():
        errors = {code for code in operation["responses"] if code >= "400"}
        assert errors == ERRORS[where], where
        for code in errors:
            answer = operation["responses"][code]
            body = answer["content"]["application/json"]
            model = "Invalid" if code == "422" else "Problem"
            assert body["schema"] == {"$ref": f"#/components/schemas/{model}"}, (where, code)
            assert body["example"]["detail"] and answer["description"], (where, code)
    schemas = schema["components"]["schemas"]
    assert schemas["Problem"]["properties"] == {"detail": {"title": "Detail", "type": "string"}}
    assert set(schemas["InvalidField"]["properties"]) == {"loc", "msg", "type"}


def test_each_documented_error_is_answered_with_its_body(http: TestClient) -> None:
    http.post("/users", json=ADA)
    answers = {
        "409": http.post("/users", json=ADA),
        "404": http.get("/users/nobody"),
        "400": http.get("/users/ada/orders", params={"cursor": "not-a-cursor"}),
        "413": http.post("/users/ada/orders", json={"items": [BIG], "total": "1"}),
        "422": http.post("/users", json={"user_id": "eve"}),
    }
    for code, answer in answers.items():
        assert str(answer.status_code) == code
        if code == "422":
            for invalid in answer.json()["detail"]:
                assert {"loc", "msg", "type"} <= set(invalid)
        else:
            assert set(answer.json()) == {"detail"} and answer.json()["detail"]


# -- one table: a user with their orders from one Query -------------------------------------


def test_a_user_with_their_orders_comes_from_one_query(
    counted: tuple[TestClient, FaultProxy],
) -> None:
    http, proxy = counted
    http.post("/users", json=ADA)
    http.post("/users", json=BOB)
    placed = place(http, "ada", 3)
    place(http, "bob", 2)  # the same table, another partition
    ada = http.get("/users/ada").json()
    listed = http.get("/users/ada/orders").json()  # newest first, as stored
    assert [o["order_id"] for o in listed["items"]] == [o["order_id"] for o in placed[::-1]]
    proxy.wait_idle()
    with proxy.lock:
        before, queries = Counter(proxy.seen), len(proxy.requests.get("Query", []))
    answer = http.get("/users/ada/with-orders")
    proxy.wait_idle()
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"user": ada, "orders": listed["items"], "next_cursor": None}
    assert ada["orders"] == 3
    with proxy.lock:
        sent = Counter(proxy.seen) - before
        (query,) = proxy.requests["Query"][queries:]
    assert sent == Counter({"Query": 1})  # no GetItem for the user, one Query for all
    assert query["TableName"] == "shop" and query["ScanIndexForward"] is False
    assert {"S": "USER#ada"} in query["ExpressionAttributeValues"].values()


def test_with_orders_gives_each_item_as_its_model(http: TestClient) -> None:
    http.post("/users", json=ADA)
    place(http, "ada", 2)
    http.post("/users", json=BOB)
    place(http, "bob", 1)
    body = http.get("/users/ada/with-orders").json()
    # The answer validates back into the models (their keys matching their templates).
    user = User.model_validate(body["user"])
    orders = [Order.model_validate(order) for order in body["orders"]]
    assert (user.pk, user.sk, user.email) == ("USER#ada", "PROFILE", "ada@example.com")
    assert [order.sk for order in orders] == [f"ORDER#{order.order_id}" for order in orders]
    assert {order.user_id for order in orders} == {"ada"} and len(orders) == 2
    # The collection the endpoint reads, used directly: each item is its entity's model,
    # in sort key order (ORDER#... before PROFILE).
    items = user_with_orders.sync_query(user_id="ada").all()
    assert [type(item) for item in items] == [Order, Order, User]
    assert items[-1] == user and items[:2] == orders[::-1]


def test_with_orders_of_a_user_without_orders(http: TestClient) -> None:
    http.post("/users", json=ADA)
    answer = http.get("/users/ada/with-orders")
    assert answer.status_code == 200
    assert answer.json() == {"user": stored(ADA), "orders": [], "next_cursor": None}


def test_with_orders_of_a_missing_user_is_a_404(http: TestClient) -> None:
    assert http.get("/users/nobody/with-orders").status_code == 404
    # Orders in a partition without its user (written by something else than the API):
    # still no user, so 404.
    Order(user_id="ada", items=["x"], total=Decimal("1")).sync_save()
    answer = http.get("/users/ada/with-orders")
    assert answer.status_code == 404 and answer.json() == {"detail": "no user ada"}
    assert http.get("/users/ada/orders").status_code == 404


def test_with_orders_pages_the_orders_newest_first_after_the_user(http: TestClient) -> None:
    http.post("/users", json=ADA)
    placed = [o["order_id"] for o in place(http, "ada", 5)]
    first = http.get("/users/ada/with-orders", params={"limit": 2}).json()
    assert first["user"] == stored(ADA, orders=5)
    seen, cursor, pages = [o["order_id"] for o in first["orders"]], first["next_cursor"], 1
    assert len(seen) == 2  # the user does not take an order's place on the page
    while cursor is not None:
        page = http.get("/users/ada/with-orders", params={"limit": 2, "cursor": cursor}).json()
        assert page["user"] is None  # the user came with the first page
        pages += 1
        seen += [o["order_id"] for o in page["orders"]]
        cursor = page["next_cursor"]
    assert seen == placed[::-1]
    assert pages == 3  # 2 + 2 + 1, and no empty page at the end
    exact = http.get("/users/ada/with-orders", params={"limit": 5}).json()
    assert len(exact["orders"]) == 5 and exact["next_cursor"] is None


def test_with_orders_refuses_bad_cursors_and_limits(http: TestClient) -> None:
    http.post("/users", json=ADA)
    http.post("/users", json=BOB)
    place(http, "ada", 3)
    cursor = http.get("/users/ada/with-orders", params={"limit": 1}).json()["next_cursor"]
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    for bad in (tampered, "not-a-cursor"):
        answer = http.get("/users/ada/with-orders", params={"cursor": bad})
        assert answer.status_code == 400 and "invalid cursor" in answer.json()["detail"]
    orders_cursor = http.get("/users/ada/orders", params={"limit": 1}).json()["next_cursor"]
    for path, foreign in [
        ("/users/bob/with-orders", cursor),
        ("/users/ada/with-orders", orders_cursor),
    ]:
        answer = http.get(path, params={"cursor": foreign})
        assert answer.status_code == 400 and "another" in answer.json()["detail"]
    assert http.get("/users/ada/with-orders", params={"limit": 0}).status_code == 422
    assert http.get("/users/ada/with-orders", params={"limit": 101}).status_code == 422


def test_users_and_orders_are_items_of_one_table(http: TestClient) -> None:
    http.post("/users", json=ADA)
    http.post("/users", json=BOB)
    (order,) = place(http, "ada", 1)
    client = get_default_client()  # the app's client, set by its lifespan
    items = client.sync_scan("shop").all()
    assert sorted((i["pk"], i["sk"], i["entity"]) for i in items) == [
        ("USER#ada", f"ORDER#{order['order_id']}", "Order"),
        ("USER#ada", "PROFILE", "User"),
        ("USER#bob", "PROFILE", "User"),
    ]
    # The by-email index is sparse: only users have an email, so only users are in it.
    indexed = client.sync_scan("shop", index_name="by-email").all()
    assert sorted(i["email"] for i in indexed) == ["ada@example.com", "bob@example.com"]
    found = User.by_email.sync_query("ada@example.com").all()
    assert [user.user_id for user in found] == ["ada"]
    http.patch("/users/ada", json={"email": "ada@lovelace.org"})
    assert User.by_email.sync_query("ada@example.com").all() == []
    assert [u.user_id for u in User.by_email.sync_query("ada@lovelace.org")] == ["ada"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_the_readme_command_serves_the_docs_on_an_embedded_dynamodb() -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["SHOP_PORT"] = str(port)
    server = subprocess.Popen(
        [sys.executable, str(APP_DIR / "run.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/docs", timeout=2) as page:
                    assert page.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "the app did not start within 60 s"
                time.sleep(0.2)
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/users",
            data=b'{"user_id": "ada", "name": "Ada", "email": "ada@example.com"}',
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as created:
            assert created.status == 201
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
    assert f"shop API on http://127.0.0.1:{port}/docs" in output
    assert "embedded local DynamoDB at http://127.0.0.1:" in output


def _call(method: str, url: str, body: bytes | None = None) -> tuple[int, Any]:
    """One request to the served app: its status and JSON answer (None when empty)."""
    request = urllib.request.Request(
        url, data=body, method=method, headers={"content-type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            status, data = answer.status, answer.read()
    except urllib.error.HTTPError as error:
        status, data = error.code, error.read()
    return status, json.loads(data) if data else None


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
def test_uvicorn_serves_the_app_on_each_event_loop(dynamodb_endpoint: str, loop: str) -> None:
    if loop == "uvloop":
        pytest.importorskip("uvloop", reason="uvloop does not exist on this platform")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SHOP_"))}
    # moto closes every connection after its answer; the proxy keeps the app's connections
    # alive, so the app's pool reuses them.
    proxy = FaultProxy(dynamodb_endpoint, enabled=False)
    env.update(
        AWS_ENDPOINT_URL_DYNAMODB=proxy.url,
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        SHOP_CREATE_TABLES="1",
        PYDYNOX_CURSOR_SECRET="example-app-test-secret",
        # The table name per environment: the app's variable, then the client's prefix.
        SHOP_TABLE=f"shop-{loop}",
        PYDYNOX_TABLE_PREFIX="test-",
    )
    command = [sys.executable, "-m", "uvicorn", "--factory", "shop.app:create_app"]
    command += ["--loop", loop, "--host", "127.0.0.1", "--port", str(port)]
    server = subprocess.Popen(
        command, cwd=APP_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    user = f"{loop}-{uuid.uuid4().hex[:8]}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if _call("GET", f"{base}/openapi.json")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            assert time.monotonic() < deadline, "the app did not start within 60 s"
            time.sleep(0.2)
        new_user = {"user_id": user, "name": "Ada", "email": "ada@example.com"}
        created = _call("POST", f"{base}/users", json.dumps(new_user).encode())
        assert created == (201, stored(new_user))
        order = json.dumps({"items": ["book"], "total": "12.50"}).encode()
        for _ in range(3):
            assert _call("POST", f"{base}/users/{user}/orders", order)[0] == 201
        # Concurrent requests: the app's client opens several connections on the loop.
        with ThreadPoolExecutor(8) as pool:
            reads = list(pool.map(lambda _: _call("GET", f"{base}/users/{user}"), range(24)))
        assert reads == [(200, {**created[1], "orders": 3})] * 24
        status, page = _call("GET", f"{base}/users/{user}/orders?limit=2")
        assert status == 200 and len(page["items"]) == 2 and page["next_cursor"]
        cursor = urllib.parse.quote(page["next_cursor"])
        status, rest = _call("GET", f"{base}/users/{user}/orders?limit=2&cursor={cursor}")
        assert status == 200 and len(rest["items"]) == 1 and rest["next_cursor"] is None
        status, both = _call("GET", f"{base}/users/{user}/with-orders")
        assert status == 200 and both["user"] == {**created[1], "orders": 3}
        assert both["orders"] == page["items"] + rest["items"]
        checker = local_client(dynamodb_endpoint, table_prefix="")
        try:
            stored_user = checker.sync_get_item(
                f"test-shop-{loop}", {"pk": f"USER#{user}", "sk": "PROFILE"}
            )
        finally:
            checker.sync_close()
        assert stored_user is not None and stored_user["entity"] == "User"
        assert _call("DELETE", f"{base}/users/{user}") == (204, None)
        assert _call("GET", f"{base}/users/{user}")[0] == 404
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)
        proxy.close()
    assert proxy.errors == []
    assert "Application startup complete" in output, output
    assert "Application shutdown complete" in output, output  # the lifespan closed the client
    assert "Traceback" not in output and "ERROR" not in output, output


def test_the_lifespan_gives_back_the_default_client_it_found(dynamodb_endpoint: str) -> None:
    """The app sets its client as the models' default for its life, then restores the one
    that was there (a test's `dynamodb_client`, a script's), instead of clearing it."""
    from pydynox import set_default_client
    from pydynox.local import local_client

    _reset(dynamodb_endpoint)
    before = local_client(dynamodb_endpoint)
    set_default_client(before)
    try:
        with TestClient(create_app(Settings(cursor_secret="example-app-test-secret"))) as app:
            assert app.post("/users", json=ADA).status_code == 201
            assert get_default_client() is not before  # the app's own, during its life
        assert get_default_client() is before
    finally:
        set_default_client(None)
        before.sync_close()
