"""The FastAPI example (examples/fastapi): every endpoint, through its lifespan, on the
embedded local DynamoDB it starts itself; the README's command that serves it; and the app
served by ``uvicorn`` on each event loop it offers (``--loop asyncio`` and ``--loop uvloop``),
through the real HTTP server."""

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
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from .faults import FaultProxy

ROOT = Path(__file__).resolve().parent.parent
APP_DIR = ROOT / "examples" / "fastapi"
sys.path.insert(0, str(APP_DIR))

from shop.app import create_app  # noqa: E402
from shop.settings import Settings  # noqa: E402

ADA = {"user_id": "ada", "name": "Ada Lovelace", "email": "ada@example.com"}


@pytest.fixture
def http(dynamodb_endpoint: str) -> Iterator[TestClient]:
    # moto keeps its tables per process, shared by every server started in it: start each
    # test from an empty database (the app's lifespan then creates its tables).
    reset = urllib.request.Request(f"{dynamodb_endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(reset, timeout=10):
        pass
    with TestClient(create_app(Settings(cursor_secret="example-app-test-secret"))) as client:
        yield client


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
    assert created.json() == {**ADA, "nickname": None, "orders": 0}
    assert http.get("/users/ada").json() == created.json()


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
    ],
)
def test_a_bad_body_is_a_422_and_nothing_is_written(http: TestClient, body: dict[str, Any]) -> None:
    assert http.post("/users", json=body).status_code == 422
    assert http.get("/users/ada").status_code == 404


def test_patch_changes_only_the_fields_sent(http: TestClient) -> None:
    http.post("/users", json={**ADA, "nickname": "A"})
    patched = http.patch("/users/ada", json={"name": "Ada King"})
    assert patched.status_code == 200
    assert patched.json() == {**ADA, "name": "Ada King", "nickname": "A", "orders": 0}
    removed = http.patch("/users/ada", json={"nickname": None})
    assert removed.json()["nickname"] is None
    assert http.get("/users/ada").json() == {
        **ADA,
        "name": "Ada King",
        "nickname": None,
        "orders": 0,
    }


@pytest.mark.parametrize(
    "body", [{"name": None}, {"name": ""}, {"user_id": "eve"}, {"orders": 99}, {"unknown": 1}]
)
def test_patch_refuses_bad_or_forbidden_fields(http: TestClient, body: dict[str, Any]) -> None:
    http.post("/users", json=ADA)
    assert http.patch("/users/ada", json=body).status_code == 422
    assert http.get("/users/ada").json() == {**ADA, "nickname": None, "orders": 0}


def test_delete_then_read_is_a_404(http: TestClient) -> None:
    http.post("/users", json=ADA)
    assert http.delete("/users/ada").status_code == 204
    assert http.get("/users/ada").status_code == 404


def test_placing_an_order_stores_it_and_counts_it_on_the_user(http: TestClient) -> None:
    http.post("/users", json=ADA)
    orders = place(http, "ada", 2)
    assert {o["items"][0] for o in orders} == {"book-0", "book-1"}
    assert orders[0]["total"] == "12.50"
    assert http.get("/users/ada").json()["orders"] == 2


def test_an_order_for_a_missing_user_is_a_404_and_nothing_is_stored(http: TestClient) -> None:
    answer = http.post("/users/ghost/orders", json={"items": ["x"], "total": "1"})
    assert answer.status_code == 404
    assert http.get("/users/ghost/orders").json() == {"items": [], "next_cursor": None}


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
    user = schema["components"]["schemas"]["User"]
    assert set(user["properties"]) == {"user_id", "name", "email", "nickname", "orders"}
    assert "by_email" not in user["properties"]
    assert http.get("/docs").status_code == 200


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
        assert created == (201, {**new_user, "nickname": None, "orders": 0})
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
