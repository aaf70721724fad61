"""AWS Signature Version 4 for DynamoDB's JSON protocol: pure, one POST shape, cached keys.

Every DynamoDB request is a ``POST`` to the endpoint's path with the same few headers, so the
canonical request is a fixed template. The signing key depends only on the secret key, the
day and the region, and is derived once per day instead of four HMACs per request.
``request_path`` gives the path to send for an endpoint URL, as botocore sends it; the
signature covers that path. ``tests/unit/test_sigv4.py`` checks both against botocore.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import string
import time
from typing import NamedTuple
from urllib.parse import quote

__all__ = ["Credentials", "Signer", "request_path"]

_ALGORITHM = "AWS4-HMAC-SHA256"
CONTENT_TYPE = "application/x-amz-json-1.0"
# What may stand unescaped in a request path (RFC 3986 pchar and "/"), as urllib3 allows it.
_PATH_SAFE = frozenset((string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/").encode())
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")


def request_path(url_path: str) -> str:
    """The path on the request line for an endpoint URL whose path is ``url_path``
    (``urlsplit(url).path``): what botocore sends with ``endpoint_url=url``."""
    path = url_path or "/"
    if not path.startswith("/"):
        path = "/" + path
    # botocore re-parses the URL with urlparse, which cuts ";params" off the last segment.
    params = path.find(";", path.rfind("/"))
    if params >= 0:
        path = path[:params]
    # urllib3 then escapes what a path may not hold. Escapes already there are upper-cased
    # and kept, unless some "%" starts none, in which case every "%" is escaped too.
    path, escapes = _ESCAPE.subn(lambda match: match.group().upper(), path)
    keep = _PATH_SAFE | {ord("%")} if escapes == path.count("%") else _PATH_SAFE
    return "".join(
        chr(byte) if byte in keep else f"%{byte:02X}"
        for byte in path.encode("utf-8", "surrogatepass")
    )


def _canonical_uri(path: str) -> str:
    """SigV4's canonical URI of a request path, as botocore computes it for DynamoDB: dot
    segments and empty segments removed, then URI-encoded once more."""
    segments: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if segments:
                segments.pop()
        elif segment and segment != ".":
            segments.append(segment)
    trailing = "/" if path.endswith("/") and segments else ""
    return quote("/" + "/".join(segments) + trailing, safe="/~")


class Credentials(NamedTuple):
    """One frozen set of credentials (botocore's ``ReadOnlyCredentials`` has this shape).
    Its ``repr`` shows no secret, so frame locals recorded by error reporters stay clean."""

    access_key: str
    secret_key: str
    token: str | None

    def __repr__(self) -> str:
        return "Credentials(<hidden>)"


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


class Signer:
    """Signs DynamoDB requests for one region and host (``host`` as sent, port included)."""

    __slots__ = ("_host", "_keys", "_path", "_region")

    def __init__(self, region: str, host: str, path: str = "/") -> None:
        """``path`` is the path sent on the request line: ``request_path(urlsplit(url).path)``."""
        self._region = region
        self._host = host
        self._path = _canonical_uri(path)
        self._keys: dict[tuple[str, str], bytes] = {}

    def _key(self, secret: str, day: str) -> bytes:
        key = self._keys.get((secret, day))
        if key is None:
            if len(self._keys) > 8:
                self._keys.clear()
            key = _hmac(("AWS4" + secret).encode(), day)
            for part in (self._region, "dynamodb", "aws4_request"):
                key = _hmac(key, part)
            self._keys[(secret, day)] = key
        return key

    def headers(
        self, target: str, body: bytes, credentials: Credentials, now: float | None = None
    ) -> dict[str, str]:
        """The headers of a signed request (``target`` is ``DynamoDB_20120810.GetItem``)."""
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
        day = stamp[:8]
        token = credentials.token
        if token:
            canonical_headers = (
                f"content-type:{CONTENT_TYPE}\nhost:{self._host}\nx-amz-date:{stamp}\n"
                f"x-amz-security-token:{token}\nx-amz-target:{target}\n"
            )
            signed = "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
        else:
            canonical_headers = (
                f"content-type:{CONTENT_TYPE}\nhost:{self._host}\nx-amz-date:{stamp}\n"
                f"x-amz-target:{target}\n"
            )
            signed = "content-type;host;x-amz-date;x-amz-target"
        canonical = (
            f"POST\n{self._path}\n\n{canonical_headers}\n{signed}\n"
            f"{hashlib.sha256(body).hexdigest()}"
        )
        scope = f"{day}/{self._region}/dynamodb/aws4_request"
        to_sign = (
            f"{_ALGORITHM}\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        )
        signature = hmac.new(
            self._key(credentials.secret_key, day), to_sign.encode(), hashlib.sha256
        ).hexdigest()
        headers = {
            "Content-Type": CONTENT_TYPE,
            "X-Amz-Date": stamp,
            "X-Amz-Target": target,
            "Authorization": (
                f"{_ALGORITHM} Credential={credentials.access_key}/{scope}, "
                f"SignedHeaders={signed}, Signature={signature}"
            ),
        }
        if token:
            headers["X-Amz-Security-Token"] = token
        return headers
