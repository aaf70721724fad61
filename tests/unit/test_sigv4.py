"""pydynox's SigV4 signer gives the signature botocore's signer gives for the same request."""

from __future__ import annotations

import calendar
import time

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials as BotoCredentials
from hypothesis import given, settings
from hypothesis import strategies as st

from pydynox.client._sigv4 import Credentials, Signer
from pydynox.client._wire import encode

NOW = calendar.timegm((2026, 11, 25, 4, 41, 18, 0, 0, 0))


def botocore_headers(
    url: str, host: str, target: str, body: bytes, creds: Credentials, region: str
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
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(NOW))
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
