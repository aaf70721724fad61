"""The wire transport: DynamoDB's JSON protocol sent straight over ``_http``'s connections.

botocore spends most of a call's CPU on generic machinery (walking the service model to
validate, serialize and parse, event hooks, its signer) and its HTTP stack. DynamoDB's
protocol is small: a POST of JSON with an ``X-Amz-Target`` header, signed with SigV4. The
requests pydynox builds are already in DynamoDB's shape (binary values are the only thing
JSON cannot carry: they are base64 on the wire), so this module encodes them with ``json``,
signs them with ``_sigv4.Signer``, sends them with ``_http`` and decodes the answer,
checking its CRC32. An endpoint reached through an HTTP proxy (``HTTPS_PROXY``...) is left
to the botocore transport, which speaks to proxies.

Credentials and region come from a botocore (sync) or aiobotocore (async) session, so the
whole AWS credential chain, profiles and refreshing credentials work as in boto3. The endpoint
is ``endpoint_url=``, else ``AWS_ENDPOINT_URL_DYNAMODB`` / ``AWS_ENDPOINT_URL``, else the
regional ``https://dynamodb.<region>.amazonaws.com``. Retries are not made here: a failure is
raised as a pydynox error and ``_retry`` decides.
"""

from __future__ import annotations

import base64
import json
import os
import re
import ssl
import threading
import zlib
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pydynox.client._errors import error_from_wire
from pydynox.client._http import (
    AsyncPool,
    Request,
    SyncPool,
    Target,
    no_proxy_for,
    request_bytes,
)
from pydynox.client._sigv4 import Credentials, Signer, request_path
from pydynox.exceptions import (
    ConnectionException,
    CredentialsException,
    PydynoxException,
    SerializationException,
)

if TYPE_CHECKING:
    from pydynox.client._transport import Settings

__all__ = ["AsyncWire", "NeedsProxy", "SyncWire", "decode", "encode"]

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


def decode(status: int, crc32: str | None, body: bytes) -> dict[str, Any]:
    """The response for a DynamoDB answer, or the pydynox error it reports."""
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
            return data
        raise error_from_wire(status, data)
    error = PydynoxException(
        f"DynamoDB answered HTTP {status} with a body that is not JSON: {body[:200]!r}",
        code=f"HTTP{status}",
    )
    error.status = status
    raise error


class NeedsProxy(Exception):
    """The endpoint is reached through an HTTP proxy: use the botocore transport."""


class _Endpoint:
    """Where requests go and how they are signed, resolved once from the settings."""

    __slots__ = ("host", "path", "region", "signer", "target", "url", "verify")

    def __init__(self, settings: Settings, region: str | None) -> None:
        if not region:
            raise CredentialsException(
                "no AWS region is configured: pass region= to DynamoDBClient or set AWS_REGION"
            )
        url = settings.endpoint_url or _configured_endpoint()
        if url is None:
            suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
            url = f"https://dynamodb.{region}.{suffix}"
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise CredentialsException(f"the DynamoDB endpoint {url!r} is not an http(s) URL")
        default_port = 443 if parts.scheme == "https" else 80
        host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
        if parts.port is not None and parts.port != default_port:
            host = f"{host}:{parts.port}"
        if not no_proxy_for(url):
            raise NeedsProxy(url)
        self.url = url
        self.host = host
        self.path = request_path(parts.path)  # as botocore sends it
        self.region = region
        self.signer = Signer(region, host, self.path)
        self.verify = settings.verify
        if self.verify is None:
            self.verify = os.environ.get("AWS_CA_BUNDLE") or True
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
        """The TLS context: certificates verified unless ``verify=False`` was asked for."""
        if not self.url.startswith("https"):
            return None
        if self.verify is False:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            return context
        if isinstance(self.verify, str):
            return ssl.create_default_context(cafile=self.verify)
        try:
            import certifi
        except ImportError:  # the system's certificate store
            return ssl.create_default_context()
        return ssl.create_default_context(cafile=certifi.where())


def _configured_endpoint() -> str | None:
    if os.environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true":
        return None
    return os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") or os.environ.get("AWS_ENDPOINT_URL")


def _static_credentials(settings: Settings) -> Credentials | None:
    if settings.access_key and settings.secret_key:
        return Credentials(settings.access_key, settings.secret_key, settings.session_token)
    return None


def _frozen(credentials: Any) -> Credentials:
    """botocore's frozen credentials (a named tuple that shows its secrets) as ours."""
    return Credentials(credentials.access_key, credentials.secret_key, credentials.token)


def _no_credentials() -> CredentialsException:
    return CredentialsException(
        "no usable AWS credentials: none were given and the AWS credential chain "
        "(environment, shared files, container or instance roles) found none"
    )


def _region(settings: Settings, session: Any) -> str | None:
    region = settings.region or os.environ.get("AWS_REGION")
    if region:
        return region
    configured = session.get_config_variable("region") if session is not None else None
    return str(configured) if configured else None


def _needs_session(settings: Settings, static: Credentials | None) -> bool:
    """Whether credentials or region must come from a botocore session (when both were
    given, botocore is not even imported)."""
    return static is None or not (settings.region or os.environ.get("AWS_REGION"))


def _session(settings: Settings, factory: Any) -> Any:
    from botocore.exceptions import ProfileNotFound

    try:
        session = factory(profile=settings.profile)
        session.get_config_variable("region")  # reads the profile: a missing one fails here
    except ProfileNotFound as error:
        raise CredentialsException(f"no usable AWS credentials: {error}") from None
    return session


class SyncWire:
    """Sends requests over one pool of keep-alive connections, shared by threads."""

    def __init__(self, settings: Settings) -> None:
        self._static = _static_credentials(settings)
        self._provider: Any = None
        session: Any = None
        if _needs_session(settings, self._static):
            import botocore.session

            session = _session(settings, botocore.session.Session)
        self._endpoint = endpoint = _Endpoint(settings, _region(settings, session))
        if self._static is None:
            self._provider = session.get_credentials()
            if self._provider is None:
                raise _no_credentials()
        self._pool = SyncPool(endpoint.target, settings.max_pool_connections)

    def _credentials(self) -> Credentials:
        return self._static or _frozen(self._provider.get_frozen_credentials())

    def send(self, op: str, params: dict[str, Any], deadline: float | None) -> dict[str, Any]:
        request = self._endpoint.request(op, params, self._credentials())
        response = self._pool.post(request, deadline)
        return decode(response.status, response.headers.get("x-amz-crc32"), response.body)

    def close(self) -> None:
        self._pool.close()


class _AsyncCredentials:
    """The credentials and endpoint of an async client, resolved once and shared by its
    event loops (each loop has its own connections)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._lock = threading.Lock()
        self._provider: Any = None
        self.static = _static_credentials(settings)
        self.endpoint: _Endpoint | None = None

    async def resolve(self) -> _Endpoint:
        if self.endpoint is not None:
            return self.endpoint
        settings = self._settings
        session: Any = None
        if _needs_session(settings, self.static):
            from aiobotocore.session import AioSession

            session = _session(settings, AioSession)
        endpoint = _Endpoint(settings, _region(settings, session))  # no region: said first
        provider = await session.get_credentials() if self.static is None else None
        if self.static is None and provider is None:
            raise _no_credentials()
        with self._lock:
            self._provider = provider
            self.endpoint = endpoint
        return endpoint

    async def frozen(self) -> Credentials:
        return self.static or _frozen(await self._provider.get_frozen_credentials())


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
        response = await self._pool.post(request, deadline)
        return decode(response.status, response.headers.get("x-amz-crc32"), response.body)

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.close()
