"""A missing table is named, with the fix, on a real local server (issue 16, item 7).

The server answers "Requested resource not found" and names nothing; the error pydynox raises
names the table the request named (as the caller named it and, with a table prefix, as
sent) and says how to create it. Async and sync, the wire and the botocore transport; the
other half (awaiting a result) is in tests/unit/test_messages.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import pytest

from pydynox import (
    Attr,
    DynamoDBClient,
    Model,
    PartitionKey,
    ResourceNotFoundException,
    SortKey,
)
from pydynox.local import local_client

from .api import Api
from .model_tables import bind
from .tables import unique

pytestmark = pytest.mark.both_transports

CREATE_IT = "create it first: client.create_table(...), or Model.create_table() for a model"


class Note(Model):
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]


@pytest.fixture
def dev(endpoint: str, client_transport: str) -> Iterator[DynamoDBClient]:
    """A client with the table prefix ``dev-``."""
    made = local_client(
        endpoint,
        cursor_secret="integration-tests",
        table_prefix="dev-",
        transport=client_transport,
    )
    yield made
    made.sync_close()


async def test_a_missing_table_is_named_with_the_fix(api: Api) -> None:
    name = unique("never-made")
    with pytest.raises(ResourceNotFoundException) as caught:
        await api.get_item(name, {"pk": "a"})
    error = caught.value
    assert f"table {name!r} does not exist" in error.message
    assert error.message.endswith(CREATE_IT) and str(error) == error.message
    assert error.code == "ResourceNotFoundException" and error.status == 400
    assert error.request_id

    with pytest.raises(ResourceNotFoundException, match=f"table {name!r} does not exist"):
        await api.query(name, Attr("pk") == "a").all()


async def test_a_model_names_its_table_as_called_and_as_sent(api: Api, dev: DynamoDBClient) -> None:
    name = unique("notes")
    made = bind(Note, name, client=dev)
    with pytest.raises(ResourceNotFoundException) as caught:
        await api.on(made(pk="a", sk="b")).save()
    assert f"table {name!r} (sent as {'dev-' + name!r}) does not exist" in caught.value.message
    assert caught.value.message.endswith(CREATE_IT)
    with pytest.raises(ResourceNotFoundException, match=r"Model\.create_table"):
        await api.on(made).get(pk="a", sk="b")
