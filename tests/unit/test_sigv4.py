"""pydynox's SigV4 signer gives the signature botocore's signer gives for the same request,
and an endpoint URL with a path is sent to and signed for the path botocore sends to."""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import botocore.session
import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials as BotoCredentials
from hypothesis import given, settings
from hypothesis import strategies as st

from pydynox._transport._sigv4 import Credentials, Signer, request_path
from pydynox._transport._wire import encode

from ..canned import Canned, Request

NOW = calendar.timegm((2026, 11, 25, 4, 41, 18, 0, 0, 0))


def botocore_headers(
    url: str,
    host: str,
    target: str,
    body: bytes,
    creds: Credentials,
    region: str,
    now: float = NOW,
) -> dict[str, str]:
    request = AWSRequest(
        method="POST",
        url=url,
        data=body,
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": target,
            "Host": host,
        },
    )
    signer = SigV4Auth(BotoCredentials(*creds), "dynamodb", region)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now))
    request.context["timestamp"] = stamp
    request.headers["X-Amz-Date"] = stamp
    if creds.token:
        request.headers["X-Amz-Security-Token"] = creds.token
    canonical = signer.canonical_request(request)
    signature = signer.signature(signer.string_to_sign(request, canonical), request)
    scope = signer.scope(request)
    signed = signer.signed_headers(signer.headers_to_sign(request))
    headers = dict(request.headers.items())
    headers["Authorization"] = (
        f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders={signed}, Signature={signature}"
    )
    return headers


@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzE//token+with/chars="])
@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://127.0.0.1:8000/", "127.0.0.1:8000"),
        ("https://dynamodb.eu-west-1.amazonaws.com/", "dynamodb.eu-west-1.amazonaws.com"),
    ],
)
def test_the_signature_matches_botocores(url: str, host: str, token: str | None) -> None:
    creds = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", token)
    body = encode({"TableName": "users", "Key": {"pk": {"S": "USER#1"}, "b": {"B": b"\x00\xff"}}})
    ours = Signer("eu-west-1", host).headers("DynamoDB_20120810.GetItem", body, creds, NOW)
    theirs = botocore_headers(url, host, "DynamoDB_20120810.GetItem", body, creds, "eu-west-1")
    assert ours["Authorization"] == theirs["Authorization"]
    assert ours["X-Amz-Date"] == theirs["X-Amz-Date"]
    assert ours.get("X-Amz-Security-Token") == theirs.get("X-Amz-Security-Token")


@settings(max_examples=50, deadline=None)
@given(
    st.text(min_size=1, max_size=40),
    st.sampled_from(["GetItem", "PutItem", "Query", "TransactWriteItems"]),
    st.sampled_from(["us-east-1", "eu-central-1", "cn-north-1"]),
)
def test_any_body_signs_like_botocore(text: str, op: str, region: str) -> None:
    creds = Credentials("AKID", "secret/with+chars", None)
    body = encode({"TableName": "t", "Item": {"s": {"S": text}}})
    target = "DynamoDB_20120810." + op
    ours = Signer(region, "localhost:4566").headers(target, body, creds, NOW)
    theirs = botocore_headers(
        "http://localhost:4566/", "localhost:4566", target, body, creds, region
    )
    assert ours["Authorization"] == theirs["Authorization"]


def test_the_signing_key_is_derived_once_per_day() -> None:
    signer = Signer("us-east-1", "h")
    creds = Credentials("AKID", "secret", None)
    signer.headers("DynamoDB_20120810.GetItem", b"{}", creds, NOW)
    signer.headers("DynamoDB_20120810.GetItem", b"{}", creds, NOW + 60)
    assert len(signer._keys) == 1
    signer.headers("DynamoDB_20120810.GetItem", b"{}", creds, NOW + 86400)
    assert len(signer._keys) == 2


class Botocore:
    """Sends ListTables with a real botocore client to a local recording server."""

    def __init__(self) -> None:
        self.server = Canned().answer(ListTables={"TableNames": []})
        self.host = self.server.url.removeprefix("http://")
        self.session = botocore.session.get_session()

    def send(self, path: str, creds: Credentials) -> Request:
        client = self.session.create_client(
            "dynamodb",
            endpoint_url=f"http://{self.host}{path}",
            region_name="eu-west-1",
            aws_access_key_id=creds.access_key,
            aws_secret_access_key=creds.secret_key,
            aws_session_token=creds.token,
            config=Config(proxies={}),  # straight to the local server, whatever the env says
        )
        try:
            client.list_tables()
        finally:
            client.close()
        return self.server.requests.pop()

    def close(self) -> None:
        self.server.close()


@pytest.fixture(scope="module")
def boto() -> Iterator[Botocore]:
    sender = Botocore()
    yield sender
    sender.close()


KEYS = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None)
WITH_TOKEN = KEYS._replace(token="FwoGZXIvYXdzE//token+with/chars=")


def check_against_botocore(boto: Botocore, url_path: str, creds: Credentials) -> None:
    """pydynox sends to the path botocore sends to, and signs it as botocore's signer does."""
    sent = boto.send(url_path, creds)
    path = request_path(urlsplit(f"http://{boto.host}{url_path}").path)
    assert path == sent.path
    stamp = sent.headers["X-Amz-Date"]
    now = calendar.timegm(time.strptime(stamp, "%Y%m%dT%H%M%SZ"))
    target = sent.headers["X-Amz-Target"]
    ours = Signer("eu-west-1", boto.host, path).headers(target, sent.body, creds, now)
    theirs = botocore_headers(
        f"http://{boto.host}{path}", boto.host, target, sent.body, creds, "eu-west-1", now
    )
    assert ours["Authorization"] == theirs["Authorization"]
    assert ours.get("X-Amz-Security-Token") == sent.headers.get("X-Amz-Security-Token")
    if path == url_path:
        # The URL needed no escaping, so botocore's own request signs this very path.
        assert ours["Authorization"] == sent.headers["Authorization"]


PATHS = [
    "",
    "/",
    "/my path/",
    "/a%20b/",
    "/a%2fb/",
    "/ü/",
    "/a+b/",
    "/~x/",
    "/dynamodb/",
    "/a:b@c!$&'()*,=/",
    "/100%/",
    "/a%2fb%/",
    "/x/a;b",
    "/x/a;b/c",
    "/a/../b/./c//d/",
    "//x",
    '/"<>\\^`{|}/',
]


@pytest.mark.parametrize("creds", [KEYS, WITH_TOKEN], ids=["keys", "session-token"])
@pytest.mark.parametrize("url_path", PATHS)
def test_an_endpoint_path_is_sent_and_signed_as_botocore_does(
    boto: Botocore, url_path: str, creds: Credentials
) -> None:
    check_against_botocore(boto, url_path, creds)


def test_request_paths_are_escaped_once() -> None:
    assert request_path("") == "/"
    assert request_path("/my path/") == "/my%20path/"
    assert request_path("/a%20b/") == "/a%20b/"
    assert request_path("/a%2fb/") == "/a%2Fb/"
    assert request_path("/ü/") == "/%C3%BC/"
    assert request_path("/100%/") == "/100%25/"
    assert request_path("/a+b/~x") == "/a+b/~x"


_PATH_TEXT = st.lists(
    st.one_of(
        st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="?#"),
        st.sampled_from(["%", "/", ";", "+", "=", "&", "@", ":", " ", "~", ".", "[", "]"]),
        st.sampled_from(["%20", "%2f", "%2F", "%C3%BC", "%zz", "..", "//"]),
    ),
    max_size=30,
).map(lambda parts: "/" + "".join(parts))


@settings(max_examples=100, deadline=None)
@given(_PATH_TEXT, st.sampled_from([KEYS, WITH_TOKEN]))
def test_any_endpoint_path_is_sent_and_signed_as_botocore_does(
    boto: Botocore, url_path: str, creds: Credentials
) -> None:
    check_against_botocore(boto, url_path, creds)
