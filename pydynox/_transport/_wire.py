"""The wire transport: DynamoDB's JSON protocol sent straight over pydynox's own HTTP pools.

botocore spends most of a call's CPU on generic machinery (walking the service model to
validate, serialize and parse, event hooks, its signer) and its HTTP stack. DynamoDB's
protocol is small: a POST of JSON with an ``X-Amz-Target`` header, signed with SigV4. The
requests pydynox builds are already in DynamoDB's shape (binary values are the only thing
JSON cannot carry: they are base64 on the wire), so this module encodes them with ``json``,
signs them with ``_sigv4.Signer``, sends them with ``_sync_pool`` / ``_async_pool`` (request
bytes and time limits from ``_http``) and decodes the answer, checking its CRC32.

Credentials come from the client's botocore session (one for both sides), so the whole AWS
credential chain, profiles and refreshing credentials work as in boto3. The endpoint, the
signing region and the CA bundle are botocore's own resolution for the client (``_aws``);
a client the wire transport cannot serve exactly as botocore would (an HTTP proxy...) is
never given a wire sender. Retries are not made here: a failure is raised as a pydynox error
and ``_retry`` decides.
"""

from __future__ import annotations

import asyncio
import base64
import json
import math
import re
import ssl
import threading
import time
import zlib
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydynox._protocol._errors import error_from_wire
from pydynox._transport._async_pool import AsyncPool
from pydynox._transport._aws import config_for
from pydynox._transport._http import Request, Target, request_bytes
from pydynox._transport._sigv4 import Credentials, Signer, request_path
from pydynox._transport._sync_pool import SyncPool
from pydynox.exceptions import (
    ConnectionException,
    CredentialsException,
    PydynoxException,
    SerializationException,
)

if TYPE_CHECKING:
    from pydynox._transport._response import Response
    from pydynox._transport._settings import Settings

__all__ = ["AsyncWire", "SyncWire", "decode", "encode"]

_TARGET = "DynamoDB_20120810."
_BINARY = re.compile(rb'"BS?"\s*:')


def _bytes_to_json(value: object) -> str:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(value).decode()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_bytes_to_json)


def encode(params: dict[str, Any]) -> bytes:
    """The JSON body of a request in DynamoDB's shape (bytes become base64)."""
    try:
        return _ENCODER.encode(params).encode()
    except UnicodeEncodeError as error:
        raise SerializationException(
            f"a string holds a lone surrogate and cannot be sent as UTF-8: {error}"
        ) from None


def _binary(obj: dict[str, Any]) -> dict[str, Any]:
    # A one-key {"B": str} or {"BS": [str]} object is always a binary attribute value: an
    # item or map attribute named "B" has an attribute-value object as its value, not a str.
    if len(obj) == 1:
        if type(value := obj.get("B")) is str:
            return {"B": base64.b64decode(value)}
        if type(values := obj.get("BS")) is list:
            return {"BS": [base64.b64decode(v) for v in values]}
    return obj


def decode(response: Response) -> dict[str, Any]:
    """The response for a DynamoDB answer, or the pydynox error it reports; the answer's
    request id and status go in ``ResponseMetadata`` (as botocore gives them) or on the
    error."""
    status, body, headers = response.status, response.body, response.headers
    crc32, request_id = headers.get("x-amz-crc32"), headers.get("x-amzn-requestid")
    if crc32 is not None and str(zlib.crc32(body)) != crc32:
        raise ConnectionException(
            "DynamoDB's answer failed its CRC32 check (corrupted on the way)", sent=True
        )
    try:
        data = json.loads(body, object_hook=_binary) if _BINARY.search(body) else json.loads(body)
    except ValueError:
        data = None
    if type(data) is dict:
        if status == 200:
            data["ResponseMetadata"] = {"RequestId": request_id, "HTTPStatusCode": status}
            return data
        failed = error_from_wire(status, data)
        failed.request_id = request_id
        raise failed
    error = PydynoxException(
        f"DynamoDB answered HTTP {status} with a body that is not JSON: {body[:200]!r}",
        code=f"HTTP{status}",
    )
    error.status = status
    error.request_id = request_id
    raise error


class _Endpoint:
    """Where requests go and how they are signed: botocore's resolution for the client
    (``_aws``), made once and shared by its sync and async sides."""

    __slots__ = ("host", "path", "region", "signer", "target", "url", "verify")

    def __init__(self, settings: Settings) -> None:
        resolved = config_for(settings).resolve()
        url = resolved.url
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CredentialsException(f"the DynamoDB endpoint {url!r} is not an http(s) URL")
        default_port = 443 if parts.scheme == "https" else 80
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        if parts.port is not None and parts.port != default_port:
            host = f"{host}:{parts.port}"
        self.url = url
        self.host = host
        self.path = request_path(parts.path)  # as botocore sends it
        self.region = resolved.signing_region
        self.signer = Signer(self.region, host, self.path)
        self.verify = resolved.verify
        self.target = Target(
            parts.hostname,
            parts.port or default_port,
            self.ssl_context(),
            settings.connect_timeout,
            settings.read_timeout,
            settings.max_answer_bytes,
        )

    def request(self, op: str, params: dict[str, Any], credentials: Credentials) -> Request:
        body = encode(params)
        # The signed headers go straight into the sealed request, never into a local here.
        return request_bytes(
            self.host, self.path, self.signer.headers(_TARGET + op, body, credentials), body
        )

    def ssl_context(self) -> ssl.SSLContext | None:
        """The TLS context: certificates verified (with the CA bundle botocore would use)
        unless ``verify=False`` was asked for."""
        if not self.url.startswith("https"):
            return None
        if self.verify is False:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            return context
        from botocore.httpsession import get_cert_path

        bundle = get_cert_path(self.verify)
        try:
            return ssl.create_default_context(cafile=bundle)
        except (OSError, ValueError) as error:  # ssl.SSLError is an OSError
            raise ConnectionException(
                f"the CA bundle {bundle!r} cannot be read: {error}", sent=False, permanent=True
            ) from error


def _static_credentials(settings: Settings) -> Credentials | None:
    if settings.access_key and settings.secret_key:
        return Credentials(settings.access_key, settings.secret_key, settings.session_token)
    return None


def _frozen(credentials: Any) -> Credentials:
    """botocore's credentials as ours, refreshed first when they are near expiry (botocore's
    frozen credentials are a named tuple that shows its secrets)."""
    try:
        frozen = credentials.get_frozen_credentials()
    except Exception as error:  # a refresh that failed: a process, STS, SSO...
        raise CredentialsException(
            f"the AWS credentials could not be refreshed: {error}"
        ) from error
    return Credentials(frozen.access_key, frozen.secret_key, frozen.token)


def _no_credentials() -> CredentialsException:
    return CredentialsException(
        "no usable AWS credentials: none were given and the AWS credential chain "
        "(environment, shared files, container or instance roles) found none"
    )


def _botocore_credentials(settings: Settings) -> Any:
    """botocore's credentials object of the session the client's configuration was resolved
    with (``_aws``: the session boto3 would use). A refreshing one (assume-role, SSO,
    ``credential_process``...) refreshes under a thread lock of its own, so this one object
    serves the sync side, every thread and every event loop. Blocks the first time (reads
    files, may run the credential chain)."""
    from botocore.exceptions import BotoCoreError

    try:
        credentials = config_for(settings).resolve().session.get_credentials()
    except BotoCoreError as error:
        raise CredentialsException(f"no usable AWS credentials: {error}") from error
    if credentials is None:
        raise _no_credentials()
    return credentials


class SyncWire:
    """Sends requests over one pool of keep-alive connections, shared by threads."""

    def __init__(self, settings: Settings) -> None:
        self._static = _static_credentials(settings)
        self._endpoint = endpoint = _Endpoint(settings)
        self._provider: Any = None if self._static else _botocore_credentials(settings)
        self._pool = SyncPool(endpoint.target, settings.max_pool_connections)

    def _credentials(self) -> Credentials:
        return self._static or _frozen(self._provider)

    def send(self, op: str, params: dict[str, Any], deadline: float | None) -> dict[str, Any]:
        request = self._endpoint.request(op, params, self._credentials())
        return decode(self._pool.post(request, deadline))

    def close(self) -> None:
        self._pool.close()


class _AsyncCredentials:
    """The credentials and endpoint of an async client, resolved once and shared by its
    event loops (each loop has its own connections) and threads. botocore's credentials
    object is thread-safe and holds no event loop's lock, so any loop may use it."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._provider: Any = None
        self._quiet_until = 0.0  # time.time() before which botocore will not refresh
        self.static = _static_credentials(settings)
        self.endpoint: _Endpoint | None = None

    async def resolve(self) -> _Endpoint:
        if self.endpoint is not None:
            return self.endpoint
        # Off the loop: botocore reads files and may run the credential chain.
        return await asyncio.to_thread(self._resolve)

    def _resolve(self) -> _Endpoint:
        endpoint = _Endpoint(self._settings)  # no region: said first
        provider = None if self.static else _botocore_credentials(self._settings)
        with self._lock:
            self._provider = provider
            self.endpoint = endpoint
        return endpoint

    async def frozen(self) -> Credentials:
        if self.static is not None:
            return self.static
        provider = self._provider
        if time.time() < self._quiet_until:
            return _frozen(provider)  # botocore will not refresh: no refresh_needed() (8 µs)
        # botocore refreshes when refresh_needed() (inside its advisory window, 15 minutes
        # before expiry for most sources). A refresh may run a process or make an HTTP call:
        # then the credentials are had in a worker thread, and the loop goes on.
        refresh_needed = getattr(provider, "refresh_needed", None)
        if refresh_needed is not None and refresh_needed():
            credentials = await asyncio.to_thread(_frozen, provider)
        else:
            credentials = _frozen(provider)
        self._quiet_until = _quiet_until(provider)
        return credentials


def _quiet_until(credentials: Any) -> float:
    """The time (``time.time()``) before which botocore will not refresh these credentials:
    a second before its advisory refresh window opens (how ``RefreshableCredentials._refresh``
    decides), 0 where that cannot be read, forever for credentials that never refresh."""
    if not hasattr(credentials, "refresh_needed"):
        return math.inf
    expiry = getattr(credentials, "_expiry_time", None)
    advisory = getattr(credentials, "_advisory_refresh_timeout", None)
    if expiry is None or not isinstance(advisory, (int, float)):
        return 0.0
    try:
        return float(expiry.timestamp()) - advisory - 1.0
    except (AttributeError, TypeError, ValueError, OverflowError):
        return 0.0


class AsyncWire:
    """Sends requests over keep-alive connections of the loop that opened it."""

    def __init__(self, settings: Settings, credentials: _AsyncCredentials) -> None:
        self._settings = settings
        self._credentials = credentials
        self._pool: AsyncPool | None = None
        self._endpoint: _Endpoint

    @staticmethod
    def credentials(settings: Settings) -> _AsyncCredentials:
        return _AsyncCredentials(settings)

    async def open(self) -> None:
        self._endpoint = await self._credentials.resolve()
        self._pool = AsyncPool(self._endpoint.target, self._settings.max_pool_connections)

    async def send(self, op: str, params: dict[str, Any], deadline: float | None) -> dict[str, Any]:
        assert self._pool is not None
        request = self._endpoint.request(op, params, await self._credentials.frozen())
        return decode(await self._pool.post(request, deadline))

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
