"""Security: credentials never show up where a user or a log collector could see them, and
TLS certificates are verified unless the user says otherwise.

Credentials here are distinctive fake values, so any leak is found by a plain substring
search. Every check runs on both transports (``wire``, the default, and ``botocore``) and,
where calls are made, through the async and the sync API.

- ``repr``/``str`` of the client and its settings;
- ``str``/``repr`` and the formatted traceback (with its ``__cause__`` chain) of the errors of
  failing calls: a connection failure, a missing table, a request DynamoDB refuses, a false
  condition, a batch that gives up, a TLS failure;
- log records at DEBUG: pydynox's own loggers never carry any of the three values; the whole
  root logger never carries the secret key. With the botocore transport, botocore's own
  DEBUG records (``botocore.endpoint``, ``botocore.auth``) do carry the access key id and the
  session token (request headers and the canonical request): the wire transport does not;
- with ``capture_locals`` (what error trackers such as Sentry record), pydynox's frames
  should not hold the secret key either.

Page-cursor tampering, cursors of another table, model, query or secret are covered by
tests/integration/test_pages.py and the cursor rows of tests/integration/test_bad_input.py.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import traceback
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from pydynox import (
    Attr,
    BatchGetError,
    ConditionalCheckFailedException,
    ConnectionException,
    DynamoDBClient,
    ResourceNotFoundException,
    ValidationException,
)

from ..tls import Answer, https_server
from .api import Api
from .conftest import unique

ACCESS_KEY = "AKIAPYDYNOXCANARY7Q"
SECRET_KEY = "pydynox+secret/canary+K3y+wJalrXUtnFEMI"
SESSION_TOKEN = "pydynox-session-token-canary-IQoJb3JpZ2luX2VjE"
SECRETS = {"access key": ACCESS_KEY, "secret key": SECRET_KEY, "session token": SESSION_TOKEN}

TRANSPORTS = ["wire", "botocore"]


def leaked(text: str, which: tuple[str, ...] = tuple(SECRETS)) -> list[str]:
    return [name for name in which if SECRETS[name] in text]


_made: list[DynamoDBClient] = []


def make_client(endpoint: str, transport: str, **settings: Any) -> DynamoDBClient:
    settings.setdefault("max_attempts", 1)
    settings.setdefault("connect_timeout", 1.0)
    credentials = {
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "session_token": SESSION_TOKEN,
    }
    client = DynamoDBClient(
        region="us-east-1",
        endpoint_url=endpoint,
        transport=transport,  # type: ignore[arg-type]
        **{**credentials, **settings},
    )
    _made.append(client)
    return client


@pytest.fixture(autouse=True)
async def close_made_clients() -> AsyncIterator[None]:
    """Every client a test made is closed, also when the test failed (or is an xfail)."""
    yield
    while _made:
        client = _made.pop()
        await client.close()
        client.sync_close()


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def secret_table(client: DynamoDBClient) -> Iterator[str]:
    name = unique("sec")
    client.sync_create_table(name, partition_key=("pk", "S"), sort_key=("sk", "S"))
    client.sync_put_item(name, {"pk": "a", "sk": "b"})
    yield name
    client.sync_delete_table(name, wait=False)


# --------------------------------------------------------------------------- repr


def test_repr_of_the_client_and_its_settings_hides_credentials(transport: str) -> None:
    client = make_client("http://127.0.0.1:9", transport)
    shown = [repr(client), str(client), repr(client.settings), str(client.settings)]
    shown.append(f"{client!r} {client.settings}")
    for text in shown:
        assert leaked(text) == [], text
    assert "DynamoDBClient(" in repr(client)


# --------------------------------------------------------------------------- errors


def everything_about(error: BaseException) -> str:
    """What a user, a log line or a crash report may show of an error."""
    parts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    cause: BaseException | None = error
    while cause is not None:
        parts += [str(cause), repr(cause), repr(getattr(cause, "__dict__", {}))]
        cause = cause.__cause__ or cause.__context__
    return "\n".join(parts)


def pydynox_frame_locals(error: BaseException) -> str:
    """The local variables of pydynox's own frames, as an error tracker records them."""
    found: list[str] = []
    te: traceback.TracebackException | None = traceback.TracebackException.from_exception(
        error, capture_locals=True
    )
    while te is not None:
        for frame in te.stack:
            if "/pydynox/" in frame.filename:
                found += [f"{frame.name}.{k}={v}" for k, v in (frame.locals or {}).items()]
        te = te.__cause__ or te.__context__
    return "\n".join(found)


async def failures(api: Api, dead: Api, table: str) -> list[BaseException]:
    """The errors of failing calls of every kind, through ``api`` and ``dead``."""
    errors: list[BaseException] = []

    async def expect(kind: type[BaseException], call: Any) -> None:
        with pytest.raises(kind) as info:
            await call()  # the sync API runs when called: inside pytest.raises
        errors.append(info.value)

    await expect(ConnectionException, lambda: dead.get_item(table, {"pk": "a", "sk": "b"}))
    await expect(BatchGetError, lambda: dead.batch_get(table, [{"pk": "a", "sk": "b"}]))
    await expect(ResourceNotFoundException, lambda: api.get_item("no-such-table", {"pk": "a"}))
    await expect(ValidationException, lambda: api.get_item(table, {"id": "a"}))
    await expect(
        ConditionalCheckFailedException,
        lambda: api.put_item(table, {"pk": "a", "sk": "b"}, condition=Attr("pk").not_exists()),
    )
    await expect(ValidationException, lambda: api.put_item(table, {"pk": "a", "": 1}))
    return errors


async def test_errors_of_failing_calls_show_no_credentials(
    api: Api, endpoint: str, transport: str, secret_table: str
) -> None:
    live = make_client(endpoint, transport)
    dead = make_client("http://127.0.0.1:9", transport)
    errors = await failures(Api(live, api.mode), Api(dead, api.mode), secret_table)
    assert len(errors) == 6
    for error in errors:
        assert leaked(everything_about(error)) == [], repr(error)


@pytest.mark.parametrize(
    "transport_kind",
    ["wire", "botocore"],
)
def test_pydynox_frames_hold_no_printable_secret(
    endpoint: str, transport_kind: str, secret_table: str
) -> None:
    live = make_client(endpoint, transport_kind)
    for call in (
        lambda: live.sync_get_item("no-such-table", {"pk": "a"}),
        lambda: asyncio.run(live.get_item("no-such-table", {"pk": "a"})),
    ):
        with pytest.raises(ResourceNotFoundException) as info:
            call()
        assert leaked(pydynox_frame_locals(info.value), ("secret key", "session token")) == []


@pytest.mark.parametrize("transport", ["wire", "botocore"])
def test_partial_credentials_are_refused_without_showing_them(transport: str) -> None:
    # Refused when the client is made: nothing is sent, and the credential chain is not
    # silently used instead of the half that was given.
    with pytest.raises(ValidationException, match="access_key and secret_key") as info:
        make_client("http://127.0.0.1:9", transport, secret_key=None, session_token=None)
    assert leaked(everything_about(info.value)) == []


# --------------------------------------------------------------------------- logs


async def test_debug_logs_show_no_credentials(
    api: Api,
    endpoint: str,
    transport: str,
    secret_table: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)  # the root logger: every library's records
    live = make_client(endpoint, transport)
    dead = make_client("http://127.0.0.1:9", transport)
    live_api, dead_api = Api(live, api.mode), Api(dead, api.mode)
    await live_api.put_item(secret_table, {"pk": "log", "sk": "log", "n": 1})
    assert await live_api.get_item(secret_table, {"pk": "log", "sk": "log"}) is not None
    assert await live_api.query(secret_table, Attr("pk") == "log").all()
    await live_api.batch_write(secret_table, put_items=[{"pk": "log", "sk": "2"}])
    await failures(live_api, dead_api, secret_table)

    logging.getLogger("pydynox.tests").debug("capture check %s", "ok")
    records = caplog.records
    assert [r.getMessage() for r in records if r.name == "pydynox.tests"] == ["capture check ok"]
    for record in records:
        text = f"{record.name} {record.getMessage()} {record.exc_text or ''}"
        if record.name == "pydynox" or record.name.startswith("pydynox."):
            assert leaked(text) == [], text
        assert leaked(text, ("secret key",)) == [], text
        if transport == "wire" or not record.name.startswith("botocore"):
            assert leaked(text) == [], text
    if transport == "botocore":
        # Documented above: botocore itself logs the request headers and canonical request.
        shown_by_botocore = {
            name
            for record in records
            if record.name.startswith("botocore")
            for name in leaked(record.getMessage())
        }
        assert shown_by_botocore <= {"access key", "session token"}


# --------------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """An HTTPS server with a self-signed certificate: its URL and the certificate file."""
    pytest.importorskip("cryptography")
    with https_server(tmp_path_factory.mktemp("tls")) as running:
        yield running


def tls_client(url: str, transport: str, **settings: Any) -> DynamoDBClient:
    return make_client(url, transport, **settings)


def get_over_tls(client: DynamoDBClient, mode: str) -> Any:
    """One GetItem through the async API (on a loop of its own, closed at once) or the sync
    one. The TLS transports a closed loop may leave behind are collected here, so their
    ResourceWarning is not blamed on another test: the leak itself is what
    tests/integration/test_load.py::test_event_loops_on_an_https_endpoint_leave_nothing_open
    checks."""
    if mode == "sync":
        return client.sync_get_item("abc", {"pk": "a"})

    async def get() -> Any:
        try:
            return await client.get_item("abc", {"pk": "a"})
        finally:
            await client.close()

    try:
        return asyncio.run(get())
    finally:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()


@pytest.mark.parametrize("mode", ["async", "sync"])
@pytest.mark.parametrize(
    "transport",
    [
        "wire",
        "botocore",
    ],
)
def test_tls_certificates_are_verified_by_default(
    tls_server: tuple[str, Path], transport: str, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    url, _ = tls_server
    client = tls_client(url, transport)
    assert client.settings.verify is None  # the default: verify
    Answer.served.clear()
    with pytest.raises(ConnectionException) as info:
        get_over_tls(client, mode)
    assert "certificate" in str(info.value).lower(), str(info.value)
    assert Answer.served == []  # the handshake failed: no request was read
    assert leaked(everything_about(info.value)) == []


@pytest.mark.parametrize("mode", ["async", "sync"])
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_verify_false_is_needed_to_skip_verification(
    tls_server: tuple[str, Path], transport: str, mode: str
) -> None:
    url, _ = tls_server
    client = tls_client(url, transport, verify=False)
    Answer.served.clear()
    assert get_over_tls(client, mode) is None
    assert Answer.served == ["DynamoDB_20120810.GetItem"]


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_a_ca_bundle_verifies_a_private_certificate(
    tls_server: tuple[str, Path], transport: str, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert = tls_server
    client = tls_client(url, transport, verify=str(cert))
    assert get_over_tls(client, mode) is None
    # AWS_CA_BUNDLE, as the AWS SDKs read it, does the same.
    monkeypatch.setenv("AWS_CA_BUNDLE", str(cert))
    from_env = tls_client(url, transport)
    assert get_over_tls(from_env, mode) is None
