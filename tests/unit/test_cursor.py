"""Page cursors: a cursor decodes to the key it was made for, and any other input, whatever
its shape, is refused with ``InvalidCursorException``; cursor secrets are checked up front."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pydynox._protocol._cursor import (
    MAX_CURSOR_LENGTH,
    check_secret,
    decode_cursor,
    encode_cursor,
    require_secret,
)
from pydynox._values._codec import AttributeValue
from pydynox.exceptions import ConnectionException, InvalidCursorException, ValidationException

SECRET = b"unit-tests-cursor-secret"
SCOPE = "orders\x00\x00pk=ada"
KEY: dict[str, AttributeValue] = {"pk": {"S": "ada"}, "sk": {"N": "7"}, "b": {"B": b"\x00\xff"}}


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def signed(payload: str, secret: bytes = SECRET) -> str:
    """A cursor around ``payload`` with a valid signature, built from the documented format."""
    mac = hmac.new(secret, f"v1.{payload}".encode(), hashlib.sha256).digest()
    return f"v1.{payload}.{b64(mac)}"


def signed_json(body: Any) -> str:
    return signed(b64(json.dumps(body).encode()))


def decodes_or_refuses(cursor: Any) -> None:
    try:
        key = decode_cursor(cursor, SECRET, SCOPE)
    except InvalidCursorException:
        return
    assert isinstance(key, dict) and key


VALID = encode_cursor(KEY, SECRET, SCOPE)
VALID_PAYLOAD = VALID.split(".")[1]


def test_a_cursor_decodes_to_its_key() -> None:
    assert decode_cursor(VALID, SECRET, SCOPE) == KEY
    assert signed(VALID_PAYLOAD) == VALID


def test_a_non_ascii_signature_is_an_invalid_cursor() -> None:
    with pytest.raises(InvalidCursorException):
        decode_cursor(f"v1.{VALID_PAYLOAD}.é", SECRET, SCOPE)


@pytest.mark.parametrize(
    "cursor",
    [
        None,
        b"v1.x.y",
        7,
        ["v1", VALID_PAYLOAD],
        "",
        "..",
        "v1..",
        f"v1.{VALID_PAYLOAD}.",
        f"v1..{VALID.split('.')[2]}",
        VALID + ".",
        VALID + "\n",
        " " + VALID,
        "v2" + VALID[2:],
        VALID.replace("v1", "V1", 1),
        f"v1.é{VALID_PAYLOAD}.{VALID.split('.')[2]}",
        f"v1.{VALID_PAYLOAD}.\ud800",
        f"v1.\ud800.{VALID.split('.')[2]}",
        f"v1.{VALID_PAYLOAD}.{'A' * (MAX_CURSOR_LENGTH * 4)}",
        VALID[:-1],
        VALID[:-1] + ("A" if VALID[-1] != "A" else "B"),
    ],
)
def test_malformed_cursors_are_invalid_cursors(cursor: Any) -> None:
    with pytest.raises(InvalidCursorException):
        decode_cursor(cursor, SECRET, SCOPE)


@pytest.mark.parametrize(
    "cursor",
    [
        signed("!!!"),
        signed("A"),
        signed(b64(b"\xff\xfe not json")),
        signed(b64(b"{")),
        signed_json([1, 2]),
        signed_json("q"),
        signed_json(3),
        signed_json(None),
        signed_json({}),
        signed_json({"q": "x"}),
        signed_json({"k": {"pk": {"S": "a"}}}),
        signed_json({"q": "x", "k": {}}),
        signed_json({"q": "x", "k": []}),
        signed_json({"q": "x", "k": {"pk": "a"}}),
        signed_json({"q": "x", "k": {"pk": {}}}),
        signed_json({"q": "x", "k": {"pk": {"S": "a", "N": "1"}}}),
        signed_json({"q": "x", "k": {"pk": {"M": "a"}}}),
        signed_json({"q": "x", "k": {"pk": {"S": 1}}}),
        signed_json({"q": "x", "k": {"pk": {"B": "not base64!"}}}),
        signed_json({"q": "x", "k": {"pk": {"B": "é"}}}),
        signed_json({"q": "x", "k": {"pk": {"B": "A"}}}),
        signed(b64(b"[" * 1500 + b"]" * 1500)),
        signed(b64(b'{"q": "x", "k": ' + b"[" * 1400 + b"]" * 1400 + b"}")),
        signed(b64(b"1" * 2500)),
    ],
)
def test_signed_payloads_of_the_wrong_shape_are_invalid_cursors(cursor: str) -> None:
    with pytest.raises(InvalidCursorException):
        decode_cursor(cursor, SECRET, SCOPE)


def test_another_secret_or_query_is_refused() -> None:
    with pytest.raises(InvalidCursorException, match="another cursor secret"):
        decode_cursor(VALID, b"another-cursor-secret-entirely", SCOPE)
    with pytest.raises(InvalidCursorException, match="another table"):
        decode_cursor(VALID, SECRET, SCOPE + "x")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_text_decodes_or_is_refused(text: str) -> None:
    decodes_or_refuses(text)


_PART = st.one_of(
    st.text(max_size=60),
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.", max_size=60
    ),
)


@settings(max_examples=300, deadline=None)
@given(_PART, _PART)
def test_any_three_part_text_decodes_or_is_refused(payload: str, signature: str) -> None:
    decodes_or_refuses(f"v1.{payload}.{signature}")
    decodes_or_refuses(f"v1.{VALID_PAYLOAD}.{signature}")
    decodes_or_refuses(f"v1.{payload}.{VALID.split('.')[2]}")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        _JSON,
        st.fixed_dictionaries({"q": _JSON, "k": _JSON}),
        st.fixed_dictionaries(
            {
                "q": st.just(json.loads(base64.urlsafe_b64decode(VALID_PAYLOAD + "==="))["q"]),
                "k": st.dictionaries(
                    st.text(max_size=4),
                    st.dictionaries(st.sampled_from(["S", "N", "B", "M"]), _JSON, max_size=2),
                    max_size=2,
                ),
            }
        ),
    )
)
def test_any_signed_json_decodes_or_is_refused(body: Any) -> None:
    decodes_or_refuses(signed_json(body))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_signed_bytes_decode_or_are_refused(data: bytes) -> None:
    decodes_or_refuses(signed(b64(data)))


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=10),
        st.one_of(
            st.builds(lambda s: {"S": s}, st.text(max_size=20)),
            st.builds(lambda n: {"N": str(n)}, st.integers()),
            st.builds(lambda b: {"B": b}, st.binary(max_size=20)),
        ),
        min_size=1,
        max_size=3,
    ),
    st.text(max_size=30),
)
def test_every_key_round_trips(key: dict[str, AttributeValue], scope: str) -> None:
    cursor = encode_cursor(key, SECRET, scope)
    assert len(cursor) <= MAX_CURSOR_LENGTH
    assert decode_cursor(cursor, SECRET, scope) == key


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        (None, None),
        ("sixteen-bytes-ok", b"sixteen-bytes-ok"),
        (b"sixteen-bytes-ok", b"sixteen-bytes-ok"),
        ("é" * 8, ("é" * 8).encode()),
        (b"\x00" * 64, b"\x00" * 64),
    ],
)
def test_check_secret_accepts_secrets_of_16_bytes_or_more(
    secret: str | bytes | None, expected: bytes | None
) -> None:
    assert check_secret(secret) == expected


@pytest.mark.parametrize(
    "secret", ["", "x", b"x", "fifteen-bytes!!", b"fifteen-bytes!!", "é" * 7 + "x"]
)
def test_check_secret_refuses_short_secrets(secret: str | bytes) -> None:
    with pytest.raises(ValidationException, match=r"cursor_secret.*16 bytes"):
        check_secret(secret)


@pytest.mark.parametrize(
    "secret", [12345678901234567, bytearray(32), ["x" * 16], 1.5, "\ud800" * 16]
)
def test_check_secret_refuses_other_types(secret: Any) -> None:
    with pytest.raises(ValidationException, match="cursor_secret"):
        check_secret(secret)


def test_require_secret_needs_a_secret_of_16_bytes() -> None:
    assert require_secret(SECRET) == SECRET
    with pytest.raises(ValidationException, match="cursor_secret"):
        require_secret(None)
    with pytest.raises(ValidationException, match="cursor_secret"):
        require_secret(b"x")


@pytest.mark.parametrize("key", [{"pk": "x"}, {"pk": {"B": 5}}, {"pk": {"S": "a", "N": "1"}}])
def test_a_cursor_is_not_made_from_a_key_of_the_wrong_shape(key: Any) -> None:
    """The key comes from an item of DynamoDB's answer: a wrong one is that answer's fault."""
    with pytest.raises(ConnectionException, match="key is not in DynamoDB's shape"):
        encode_cursor(key, b"s" * 16, "scope")
