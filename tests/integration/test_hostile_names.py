"""Property test on the server: attributes with hostile names (dots, brackets, ``#``, ``:``,
quotes, unicode, DynamoDB reserved words, blank-looking names) and hostile values are written,
read back, filtered on, updated and conditioned on exactly, through the async and the sync
API, on every local server. The unit tests (tests/unit/test_expressions_hostile.py) prove the
names and values only ever travel as placeholders; this proves the server agrees.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pydynox import Attr, ConditionalCheckFailedException, DynamoDBClient

from ..hostile import HOSTILE_NAMES, HOSTILE_VALUES
from .api import Api

# Key attributes are pk and sk; every other name may be anything but empty.
names = st.one_of(st.sampled_from(HOSTILE_NAMES), st.text(min_size=1, max_size=8)).filter(
    lambda n: n not in ("pk", "sk")
)
strings = st.one_of(st.sampled_from(HOSTILE_VALUES), st.text(max_size=10))
scalars = st.one_of(strings, st.integers(-(10**20), 10**20), st.booleans())
values = st.one_of(
    scalars,
    st.lists(scalars, max_size=3),
    st.dictionaries(names, scalars, max_size=3),
    st.frozensets(strings, min_size=1, max_size=3),
)
attributes = st.dictionaries(names, values, min_size=1, max_size=4)


def expected(value: Any) -> Any:
    if isinstance(value, frozenset):
        return set(value)
    if isinstance(value, dict):
        return {k: expected(v) for k, v in value.items()}
    if isinstance(value, list):
        return [expected(v) for v in value]
    return value


async def scenario(
    api: Api, boto: Any, table: str, attrs: dict[str, Any], documents_compare: bool = True
) -> None:
    key = {"pk": uuid.uuid4().hex, "sk": "s"}
    item = {**key, **attrs}
    await api.put_item(table, item)
    want = expected(item)
    assert await api.get_item(table, key, consistent_read=True) == want

    # Stored under exactly these names, as boto3 sees them.
    raw = boto.get_item(TableName=table, Key={k: {"S": v} for k, v in key.items()})["Item"]
    assert set(raw) == set(item)

    partition = Attr("pk") == key["pk"]
    for name, value in attrs.items():
        attr = Attr.of(name)
        if documents_compare or not isinstance(value, (list, dict)):
            found = await api.query(table, partition, filter_expression=attr == value).all()
            assert found == [want]
            found = await api.query(table, partition, filter_expression=attr != value).all()
            assert found == []
        assert await api.query(table, partition, filter_expression=attr.exists()).all() == [want]
        if isinstance(value, dict):
            for inner, member in value.items():
                nested = Attr.of(name, inner) == member
                found = await api.query(table, partition, filter_expression=nested).all()
                assert found == [want]
        if isinstance(value, list) and value:
            first = Attr.of(name, 0) == value[0]
            assert await api.query(table, partition, filter_expression=first).all() == [want]
        if isinstance(value, frozenset):
            member = next(iter(value))
            found = api.query(table, partition, filter_expression=attr.contains(member))
            assert await found.all() == [want]

    # A condition on a hostile name that is false writes nothing ...
    first_name = next(iter(attrs))
    with pytest.raises(ConditionalCheckFailedException):
        await api.put_item(table, {**key, "other": 1}, condition=Attr.of(first_name).not_exists())
    assert await api.get_item(table, key, consistent_read=True) == want

    # ... and updates of hostile names, guarded by conditions on them, land where they should.
    counter = "count" if "count" not in attrs else "#n0 counter"
    updated = await api.update_item(
        table,
        key,
        updates={name: "new:" + name for name in attrs},
        atomic=[Attr.of(counter).add(1)],
        condition=Attr.of(first_name).exists() & Attr.of(counter).not_exists(),
    )
    assert updated == {**key, **{name: "new:" + name for name in attrs}, counter: 1}
    await api.update_item(table, key, updates=dict.fromkeys(attrs))  # None removes
    assert await api.get_item(table, key, consistent_read=True) == {**key, counter: 1}
    await api.delete_item(table, key, condition=Attr.of(counter) == 1)
    assert await api.get_item(table, key, consistent_read=True) is None


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_hostile_names_and_values_round_trip_on_the_server(
    mode: str,
    client: DynamoDBClient,
    boto: Any,
    table: str,
    request: pytest.FixtureRequest,
) -> None:
    api = Api(client, mode)
    # dynalite deviates from DynamoDB: `=` and `<>` on a list or a map compare nothing
    # (a list never equals itself), so those two filters are left out there.
    documents_compare = request.node.callspec.params.get("endpoint") != "dynalite"

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
        database=None,
    )
    @given(attributes)
    def run(attrs: dict[str, Any]) -> None:
        asyncio.run(scenario(api, boto, table, attrs, documents_compare))

    run()
