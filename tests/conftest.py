"""Fixtures shared by every test folder: one local DynamoDB for the session and a plain boto3
client on it (to check what is really stored, independently of pydynox)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pydynox.testing import local_dynamodb


@pytest.fixture(scope="session")
def endpoint() -> Iterator[str]:
    with local_dynamodb() as url:
        yield url


@pytest.fixture(scope="session")
def boto(endpoint: str) -> Iterator[Any]:
    import boto3

    client = boto3.client(
        "dynamodb",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    yield client
    client.close()
