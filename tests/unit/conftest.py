"""Fixtures for unit tests of models on a canned DynamoDB (tests/canned.py); a module that
defines its own ``server`` (the HTTP tests...) uses that one.

``server`` answers nothing until the test says what (any request gets a 400), with a client
on it set as the default client, the one models use; the server and the client live for the
module.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pydynox import DynamoDBClient, set_default_client
from pydynox.local import local_client

from ..canned import Canned


@pytest.fixture(scope="module")
def canned() -> Iterator[Canned]:
    with Canned(limit=20) as made:
        yield made


@pytest.fixture(scope="module")
def canned_client(canned: Canned) -> Iterator[DynamoDBClient]:
    made = local_client(canned.url, max_attempts=1, cursor_secret="model-unit-tests")
    yield made
    made.sync_close()


@pytest.fixture
def server(canned: Canned, canned_client: DynamoDBClient) -> Iterator[Canned]:
    """The canned DynamoDB, with its client as the default client for the test."""
    canned.answer()
    set_default_client(canned_client)
    yield canned
    set_default_client(None)
