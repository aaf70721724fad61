"""Signed page cursors for HTTP APIs: an opaque, URL-safe token for "the next page".

A cursor carries the exclusive start key of the next page and a digest of the query it
belongs to (table, index and partition key), signed with HMAC-SHA256 and the client's
cursor secret. Decoding checks the signature first, then the query: a tampered cursor, one
signed with another (or a rotated) secret, or one from another query raises
``InvalidCursorException`` and never becomes an ``ExclusiveStartKey``.

Format: ``v1.<payload>.<signature>``, both parts unpadded URL-safe base64; the payload is
JSON ``{"q": <query digest>, "k": <key attributes, B values base64>}``.

The cursor secret must be at least 16 bytes (UTF-8 for a str): ``check_secret`` refuses a
shorter one, because a short HMAC key can be guessed from a single cursor offline.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from typing import Any

from pydynox._values._codec import AttributeValue
from pydynox.exceptions import ConnectionException, InvalidCursorException, ValidationException

__all__ = ["check_secret", "decode_cursor", "encode_cursor", "require_secret"]

_VERSION = "v1"
MAX_CURSOR_LENGTH = 4096
MIN_SECRET_BYTES = 16
# An HMAC-SHA256 signature is 32 bytes: 43 characters of unpadded base64.
_SHAPE = re.compile(rf"{_VERSION}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{{43}}")


def check_secret(secret: str | bytes | None) -> bytes | None:
    """The cursor secret as bytes (a str is UTF-8 encoded), None for None; refuses a secret
    shorter than 16 bytes or of another type with ``ValidationException``."""
    if secret is None:
        return None
    if isinstance(secret, str):
        try:
            secret = secret.encode()
        except UnicodeEncodeError:
            raise ValidationException("cursor_secret is not encodable as UTF-8") from None
    if not isinstance(secret, bytes):
        raise ValidationException(
            f"cursor_secret must be str or bytes, not {type(secret).__name__}"
        )
    if len(secret) < MIN_SECRET_BYTES:
        raise ValidationException(
            f"cursor_secret (or PYDYNOX_CURSOR_SECRET) must be at least {MIN_SECRET_BYTES} "
            f"bytes, it has {len(secret)}: use a long random value such as "
            "secrets.token_urlsafe(32)"
        )
    return secret


def require_secret(secret: bytes | None) -> bytes:
    checked = check_secret(secret) if secret else None
    if checked is None:
        raise ValidationException(
            "page() signs its cursors: pass cursor_secret= to DynamoDBClient or set "
            "PYDYNOX_CURSOR_SECRET (use the same secret on every server of an API)"
        )
    return checked


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _digest(scope: str) -> str:
    return hashlib.sha256(scope.encode()).hexdigest()[:32]


def _sign(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, f"{_VERSION}.{payload}".encode(), hashlib.sha256).digest())


def _key_to_json(key: dict[str, AttributeValue]) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for name, av in key.items():
        ((kind, value),) = av.items()
        out[name] = {kind: _b64(value) if kind == "B" else str(value)}
    return out


def _key_from_json(raw: Any) -> dict[str, AttributeValue]:
    if not isinstance(raw, dict) or not raw:
        raise ValueError("no key")
    key: dict[str, AttributeValue] = {}
    for name, av in raw.items():
        if not (isinstance(name, str) and isinstance(av, dict) and len(av) == 1):
            raise ValueError("bad key attribute")
        ((kind, value),) = av.items()
        if kind not in ("S", "N", "B") or not isinstance(value, str):
            raise ValueError("bad key attribute")
        key[name] = {kind: _unb64(value) if kind == "B" else value}
    return key


def encode_cursor(key: dict[str, AttributeValue], secret: bytes, scope: str) -> str:
    """The cursor for a page that starts after ``key``, for the query ``scope``."""
    try:
        keys = _key_to_json(key)
    except (ValueError, TypeError, AttributeError):  # the key came from DynamoDB's answer
        raise ConnectionException(
            f"DynamoDB's answer holds an item whose key is not in DynamoDB's shape: {key!r:.200}"
        ) from None
    body = json.dumps({"q": _digest(scope), "k": keys}, separators=(",", ":"))
    payload = _b64(body.encode())
    return f"{_VERSION}.{payload}.{_sign(secret, payload)}"


def decode_cursor(cursor: str, secret: bytes, scope: str) -> dict[str, AttributeValue]:
    """The exclusive start key a cursor carries, after checking signature and query."""
    # Only ASCII of the right shape reaches the HMAC: compare_digest refuses non-ASCII str
    # and encode() refuses lone surrogates.
    if (
        not isinstance(cursor, str)
        or len(cursor) > MAX_CURSOR_LENGTH
        or not _SHAPE.fullmatch(cursor)
    ):
        raise InvalidCursorException("invalid cursor: not a pydynox page cursor")
    _, payload, signature = cursor.split(".")
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        raise InvalidCursorException(
            "invalid cursor: it was altered, or signed with another cursor secret"
        )
    try:
        body = json.loads(_unb64(payload))
        digest, key = body["q"], _key_from_json(body["k"])
    # RecursionError: deeply nested JSON (only a holder of the secret can sign one).
    except (ValueError, KeyError, TypeError, RecursionError, binascii.Error) as error:
        raise InvalidCursorException("invalid cursor: unreadable") from error
    if digest != _digest(scope):
        raise InvalidCursorException(
            "invalid cursor: it belongs to another table, index or partition key"
        )
    return key
