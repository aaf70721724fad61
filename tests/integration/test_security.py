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
  should not hold the secret key either; and walking every frame of the tracebacks (and of
  their causes) of a connection error, an error answer, a throttling error after retries and
  a credential error, no local of a pydynox frame shows a credential, a signing key, the
  ``Authorization`` header or a signature, also inside containers (Sentry's serializer shows
  mappings and sequences item by item, whatever their ``repr``);
- ``verify=False`` logs one warning per client; every request names pydynox in its
  ``User-Agent``; a certificate that fails verification is not retried; an unreachable HTTP
  proxy is a ConnectionException.

Page-cursor tampering, cursors of another table, model, query or secret are covered by
tests/integration/test_pages.py and the cursor rows of tests/integration/test_bad_input.py.
"""

from __future__ import annotations

import asyncio
import gc
import hashlib
import hmac
import logging
import os
import socket
import time
import traceback
import warnings
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence, Set
from contextlib import ExitStack
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import pydynox
from pydynox import (
    Attr,
    BatchGetError,
    ConditionalCheckFailedException,
    ConnectionException,
    CredentialsException,
    DynamoDBClient,
    ProvisionedThroughputExceededException,
    ResourceNotFoundException,
    ValidationException,
)

from ..canned import Canned, Reply
from ..tls import server_context
from .api import Api

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
def secret_table(client: DynamoDBClient, table: str) -> str:
    client.sync_put_item(table, {"pk": "a", "sk": "b"})
    return table


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
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Canned, Path]]:
    """An HTTPS server with a self-signed certificate answering ``{}``, and the certificate
    file."""
    pytest.importorskip("cryptography")
    context, cert = server_context(tmp_path_factory.mktemp("tls"))
    with Canned(tls=context).answer({}) as server:
        yield server, cert


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
    tls_server: tuple[Canned, Path], transport: str, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    server, _ = tls_server
    client = tls_client(server.url, transport)
    assert client.settings.verify is None  # the default: verify
    server.requests.clear()
    with pytest.raises(ConnectionException) as info:
        get_over_tls(client, mode)
    assert "certificate" in str(info.value).lower(), str(info.value)
    assert server.requests == []  # the handshake failed: no request was read
    assert leaked(everything_about(info.value)) == []


@pytest.mark.parametrize("mode", ["async", "sync"])
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_verify_false_is_needed_to_skip_verification(
    tls_server: tuple[Canned, Path], transport: str, mode: str
) -> None:
    server, _ = tls_server
    client = tls_client(server.url, transport, verify=False)
    server.requests.clear()
    assert get_over_tls(client, mode) is None
    assert [r.target for r in server.requests] == ["DynamoDB_20120810.GetItem"]


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_a_ca_bundle_verifies_a_private_certificate(
    tls_server: tuple[Canned, Path], transport: str, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    server, cert = tls_server
    url = server.url
    client = tls_client(url, transport, verify=str(cert))
    assert get_over_tls(client, mode) is None
    # AWS_CA_BUNDLE, as the AWS SDKs read it, does the same.
    monkeypatch.setenv("AWS_CA_BUNDLE", str(cert))
    from_env = tls_client(url, transport)
    assert get_over_tls(from_env, mode) is None


# --------------------------------------------------------------------------- every frame

# What must not show in a pydynox frame: the credentials, and what signs or carries a
# signature (a captured Authorization header can be replayed for a few minutes).
MARKERS = (ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, "Authorization", "Signature=")
PYDYNOX_DIR = os.path.dirname(pydynox.__file__) + os.sep
SIGV4_FILE = os.path.join(PYDYNOX_DIR, "client", "_sigv4.py")


def signing_keys() -> list[bytes]:
    """The SigV4 signing keys of the canary secret key for yesterday, today and tomorrow."""
    keys = []
    for shift in (-86400, 0, 86400):
        key = ("AWS4" + SECRET_KEY).encode()
        for part in (time.strftime("%Y%m%d", time.gmtime(time.time() + shift)), "us-east-1"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        for part in ("dynamodb", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        keys.append(key)
    return keys


def errors_in_chain(error: BaseException) -> list[BaseException]:
    """The error and every error of its ``__cause__`` / ``__context__`` chains."""
    found: list[BaseException] = []
    todo = [error]
    while todo:
        current = todo.pop()
        if any(current is seen for seen in found):
            continue
        found.append(current)
        todo += [e for e in (current.__cause__, current.__context__) if e is not None]
    return found


def recorded(value: Any, depth: int = 0) -> Iterator[str | bytes]:
    """What an error tracker records of a local: strings and bytes as they are, mappings and
    sequences item by item (as Sentry's serializer does, whatever their repr), and the
    ``repr`` of everything else (of containers too)."""
    if isinstance(value, (str, bytes)):
        yield value
        return
    if isinstance(value, (bytearray, memoryview)):
        yield bytes(value)
        return
    try:
        yield repr(value)
    except Exception as error:  # a repr that fails shows nothing
        yield f"<repr failed: {error!r}>"
    if depth >= 5:
        return
    if isinstance(value, Mapping):
        for key, item in list(value.items()):
            yield from recorded(key, depth + 1)
            yield from recorded(item, depth + 1)
    elif isinstance(value, (Sequence, Set)):
        for item in list(value):
            yield from recorded(item, depth + 1)


def exposed_in(frame: FrameType, keys: list[bytes]) -> list[str]:
    """What the locals of one frame expose: "<function>.<local>: <what>"."""
    exposed = []
    key_texts = [text for key in keys for text in (key.hex(), repr(key)[2:-1])]
    for name, value in frame.f_locals.items():
        where = f"{frame.f_code.co_filename}:{frame.f_code.co_name}.{name}"
        if frame.f_code.co_filename == SIGV4_FILE and isinstance(value, bytes) and len(value) == 32:
            exposed.append(f"{where}: 32 bytes, the size of a signing key")
        for text in recorded(value):
            if isinstance(text, bytes):
                shown = [m for m in MARKERS if m.encode() in text]
                shown += ["a signing key" for key in keys if key in text]
                text = text.decode("latin-1")
            else:
                shown = [m for m in MARKERS if m in text]
            shown += ["a signing key" for k in key_texts if k in text]
            exposed += [f"{where}: {m}" for m in shown]
    return exposed


def pydynox_frames_expose(error: BaseException) -> tuple[int, list[str]]:
    """How many pydynox frames the tracebacks of ``error`` and its causes hold, and what
    their locals expose."""
    keys = signing_keys()
    frames, exposed = 0, []
    for each in errors_in_chain(error):
        tb = each.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename.startswith(PYDYNOX_DIR):
                frames += 1
                exposed += exposed_in(tb.tb_frame, keys)
            tb = tb.tb_next
    return frames, sorted(set(exposed))


@pytest.fixture
def canned() -> Iterator[Callable[..., Canned]]:
    """Starts servers that answer every request the same way: ``canned(status, body)``."""
    with ExitStack() as servers:

        def start(status: int = 200, body: dict[str, Any] | None = None) -> Canned:
            server = servers.enter_context(Canned())
            return server.answer(Reply(status, {} if body is None else body))

        yield start


def dynamodb_error(name: str, namespace: str = "com.amazonaws.dynamodb.v20120810") -> Any:
    return {"__type": f"{namespace}#{name}", "message": f"{name} (canned by the test)"}


async def test_no_pydynox_frame_of_an_error_holds_credentials_or_signatures(
    api: Api, endpoint: str, transport: str, canned: Callable[..., Canned]
) -> None:
    throttling = canned(400, dynamodb_error("ProvisionedThroughputExceededException"))
    unrecognized = canned(
        400, dynamodb_error("UnrecognizedClientException", "com.amazon.coral.service")
    )
    expired = canned(400, dynamodb_error("ExpiredTokenException", "com.amazon.coral.service"))
    cases: list[tuple[type[BaseException], DynamoDBClient, str]] = [
        (ConnectionException, make_client("http://127.0.0.1:9", transport), "a dead endpoint"),
        (ResourceNotFoundException, make_client(endpoint, transport), "a missing table"),
        (
            ProvisionedThroughputExceededException,
            make_client(throttling.url, transport, max_attempts=2),
            "throttled twice",
        ),
        (CredentialsException, make_client(unrecognized.url, transport), "an unknown key"),
        (CredentialsException, make_client(expired.url, transport), "an expired token"),
    ]
    exposed: list[str] = []
    for kind, client, what in cases:
        with pytest.raises(kind) as info:
            await Api(client, api.mode).get_item("no-such-table", {"pk": "a"})
        frames, shown = pydynox_frames_expose(info.value)
        assert frames > 0, what  # the check looked at pydynox's frames
        exposed += [f"{what}: {line}" for line in shown]
    assert exposed == [], "\n".join(exposed)
    assert len(throttling.requests) == 2  # the throttling error came after a retry


# --------------------------------------------------------------------------- verify=False


def verify_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name == "pydynox" and r.levelno == logging.WARNING and "verify=False" in r.message
    ]


@pytest.mark.parametrize("mode", ["async", "sync"])
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_verify_false_logs_one_warning_per_client(
    tls_server: tuple[Canned, Path], transport: str, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="pydynox")
    server, cert = tls_server
    url = server.url
    first = tls_client(url, transport, verify=False)
    for _ in range(3):
        assert get_over_tls(first, mode) is None
    assert len(verify_warnings(caplog)) == 1
    second = tls_client(url, transport, verify=False)
    for _ in range(2):
        assert get_over_tls(second, mode) is None
    assert len(verify_warnings(caplog)) == 2
    verified = tls_client(url, transport, verify=str(cert))
    assert get_over_tls(verified, mode) is None
    assert len(verify_warnings(caplog)) == 2  # checking certificates is nothing to warn about


# --------------------------------------------------------------------------- User-Agent


@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_every_request_names_pydynox_in_its_user_agent(
    mode: str, canned: Callable[..., Canned]
) -> None:
    answering = canned(200, {})
    api = Api(make_client(answering.url, "wire"), mode)
    assert await api.get_item("abc", {"pk": "a"}) is None
    await api.put_item("abc", {"pk": "a"})
    await api.delete_item("abc", {"pk": "a"})
    throttling = canned(400, dynamodb_error("ProvisionedThroughputExceededException"))
    with pytest.raises(ProvisionedThroughputExceededException):
        await Api(make_client(throttling.url, "wire", max_attempts=3), mode).get_item(
            "abc", {"pk": "a"}
        )
    requests = answering.requests + throttling.requests
    assert len(requests) == 6  # the retries too
    agents = [r.headers.get("User-Agent", "") for r in requests]
    assert all(a.startswith(f"pydynox/{pydynox.__version__}") for a in agents), agents


# --------------------------------------------------------------------------- bad certificate


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_a_certificate_that_fails_verification_is_not_retried(
    tmp_path: Path, transport: str, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("cryptography")
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    context, _ = server_context(tmp_path)  # a new certificate, the client knows nothing of
    with Canned(tls=context) as server:
        client = tls_client(server.url, transport, max_attempts=10)
        started = time.monotonic()
        with pytest.raises(ConnectionException, match=r"(?i)certificate"):
            get_over_tls(client, mode)
        took = time.monotonic() - started
    assert server.connections == 1  # one handshake, failed: not tried again
    assert took < 3, f"{took:.1f} s: retried"


# --------------------------------------------------------------------------- proxies


def _dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_an_unreachable_proxy_is_a_connection_exception(
    transport: str, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = f"http://127.0.0.1:{_dead_port()}"
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"):
        monkeypatch.setenv(name, proxy)
    # Nothing listens at the endpoint either: the request can only go to the proxy. The wire
    # transport leaves an endpoint behind a proxy to the botocore one.
    client = make_client(f"https://127.0.0.1:{_dead_port()}", transport)
    with pytest.raises(ConnectionException) as info:
        if mode == "sync":
            client.sync_get_item("abc", {"pk": "a"})
        else:
            asyncio.run(client.get_item("abc", {"pk": "a"}))
    assert info.value.__cause__ is not None  # what the proxy said is kept
