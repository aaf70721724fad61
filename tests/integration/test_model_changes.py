"""refresh(), save_changes() and the CreatedAt() / UpdatedAt() timestamps on a real server,
async and sync (the ``api`` fixture), on moto and dynalite.

What DynamoDB holds is read back with plain boto3 (``stored``), so each test sees the item
itself, not pydynox's view of it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Any

import pytest

from pydynox import (
    ConditionalCheckFailedException,
    CreatedAt,
    DynamoConfig,
    DynamoDBClient,
    Model,
    PartitionKey,
    ResourceNotFoundException,
    SortKey,
    TransactionCanceledException,
    UpdatedAt,
    ValidationException,
    path,
)

from ..models import CALLS, Account, Address, Hooked
from .api import Api
from .model_tables import Tables, stored, table_of

pytestmark = pytest.mark.both_transports

P = "USER#1"


class Profile(Model):
    model_config = DynamoConfig(table="profiles")  # rebound per test, see Tables
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str = ""
    nick: str | None = None
    age: int = 0
    tags: set[str] = set()
    history: list[str] = []
    address: Address | None = None
    created_at: Annotated[datetime | None, CreatedAt()] = None
    updated_at: Annotated[datetime | None, UpdatedAt()] = None


@pytest.fixture
async def profiles(tables: Tables) -> type[Profile]:
    return await tables(Profile)


@pytest.fixture
async def accounts(tables: Tables) -> type[Account]:
    return await tables(Account)


@pytest.fixture
async def hooked(tables: Tables) -> type[Hooked]:
    return await tables(Hooked)


@pytest.fixture
def requests(client: DynamoDBClient, monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Every (operation, request) the session client sends, async and sync, in order."""
    log: list[tuple[str, Any]] = []
    real_async, real_sync = client._async.call, client._sync.call

    async def async_call(op: str, params: Any, deadline: float | None = None) -> Any:
        log.append((op, params))
        return await real_async(op, params, deadline)

    def sync_call(op: str, params: Any, deadline: float | None = None) -> Any:
        log.append((op, params))
        return real_sync(op, params, deadline)

    monkeypatch.setattr(client._async, "call", async_call)
    monkeypatch.setattr(client._sync, "call", sync_call)
    return log


def at(raw: dict[str, Any] | None, name: str) -> datetime:
    """A timestamp attribute of a stored item: a plain ISO 8601 string (S)."""
    assert raw is not None
    return datetime.fromisoformat(raw[name]["S"])


def set_name(boto: Any, model: type[Model], name: str, **key: str) -> None:
    """Another writer (plain boto3) changes the stored item."""
    boto.update_item(
        TableName=table_of(model),
        Key={k: {"S": v} for k, v in key.items()},
        UpdateExpression="SET #n = :n, age = :a",
        ExpressionAttributeNames={"#n": "name"},
        ExpressionAttributeValues={":n": {"S": name}, ":a": {"N": "99"}},
    )


# -- refresh ---------------------------------------------------------------------------------


async def test_refresh_reloads_the_instance_in_place_with_a_consistent_read(
    api: Api, profiles: type[Profile], boto: Any, requests: list[tuple[str, Any]]
) -> None:
    profile = profiles(pk=P, sk="PROFILE", name="Ann")
    await api.on(profile).save()
    set_name(boto, profiles, "Bea", pk=P, sk="PROFILE")
    requests.clear()
    assert await api.on(profile).refresh() is profile
    assert (profile.name, profile.age) == ("Bea", 99)
    ((op, params),) = requests
    assert op == "GetItem" and params["ConsistentRead"] is True
    # What it reloaded is what save_changes compares with: nothing is pending.
    requests.clear()
    await api.on(profile).save_changes()
    assert requests == []


async def test_refresh_runs_the_after_load_hooks(api: Api, hooked: type[Hooked]) -> None:
    item = hooked(id="1", n=1)
    await api.on(item).save()
    CALLS.clear()
    await api.on(hooked).get(id="1")
    on_load = list(CALLS)
    assert on_load and all(call.startswith("after_load") for call in on_load)
    CALLS.clear()
    await api.on(item).refresh()
    assert on_load == CALLS


async def test_refresh_of_an_item_no_longer_stored_raises_and_changes_nothing(
    api: Api, profiles: type[Profile], boto: Any
) -> None:
    profile = profiles(pk=P, sk="PROFILE", name="Ann")
    await api.on(profile).save()
    boto.delete_item(TableName=table_of(profiles), Key={"pk": {"S": P}, "sk": {"S": "PROFILE"}})
    profile.name = "changed here"
    with pytest.raises(ResourceNotFoundException, match=r"Profile item .* is not in table"):
        await api.on(profile).refresh()
    assert profile.name == "changed here"


# -- save_changes ------------------------------------------------------------------------------


async def test_save_changes_with_nothing_changed_sends_nothing(
    api: Api, profiles: type[Profile], sent: list[str]
) -> None:
    await api.on(profiles(pk=P, sk="PROFILE", name="Ann", tags={"a", "b"})).save()
    profile = await api.on(profiles).get(pk=P, sk="PROFILE")
    assert profile is not None
    sent.clear()
    await api.on(profile).save_changes()
    profile.name = "Ann"  # assigned, but the same stored form
    await api.on(profile).save_changes()
    assert sent == []


async def test_save_changes_writes_only_the_changed_field(
    api: Api, profiles: type[Profile], boto: Any, sent: list[str]
) -> None:
    await api.on(profiles(pk=P, sk="PROFILE", name="Ann", age=30)).save()
    (profile,) = await api.on(profiles).query(partition_key=P).all()
    set_name(boto, profiles, "Bea", pk=P, sk="PROFILE")  # age 99 by another writer
    profile.nick = "A"
    sent.clear()
    assert await api.on(profile).save_changes() is None
    assert sent == ["UpdateItem"]
    raw = stored(boto, profiles, pk=P, sk="PROFILE")
    assert raw is not None
    assert raw["nick"] == {"S": "A"}
    assert raw["name"] == {"S": "Bea"} and raw["age"] == {"N": "99"}  # left as they were
    # The instance holds the item as stored after the update.
    assert (profile.name, profile.age, profile.nick) == ("Bea", 99, "A")


async def test_save_changes_finds_nested_and_in_place_changes(
    api: Api, profiles: type[Profile], boto: Any
) -> None:
    await api.on(
        profiles(
            pk=P, sk="PROFILE", nick="A", history=["x"], tags={"a"}, address=Address(city="Oslo")
        )
    ).save()
    (profile,) = await api.on(profiles).batch_get([{"pk": P, "sk": "PROFILE"}])
    profile.history.append("y")
    profile.tags.add("b")
    assert profile.address is not None
    profile.address.zip = "0150"
    profile.nick = None
    await api.on(profile).save_changes()
    raw = stored(boto, profiles, pk=P, sk="PROFILE")
    assert raw is not None
    assert raw["history"] == {"L": [{"S": "x"}, {"S": "y"}]}
    assert sorted(raw["tags"]["SS"]) == ["a", "b"]
    assert raw["address"] == {"M": {"city": {"S": "Oslo"}, "zip": {"S": "0150"}}}
    assert "nick" not in raw
    assert await api.on(profiles).get(pk=P, sk="PROFILE") == profile


async def test_save_changes_after_save_sends_what_changed_since(
    api: Api, profiles: type[Profile], boto: Any, sent: list[str]
) -> None:
    profile = profiles(pk=P, sk="PROFILE", name="Ann")
    await api.on(profile).save()
    sent.clear()
    await api.on(profile).save_changes()
    assert sent == []
    profile.age = 5
    await api.on(profile).save_changes()
    assert sent == ["UpdateItem"]
    raw = stored(boto, profiles, pk=P, sk="PROFILE")
    assert raw is not None and raw["age"] == {"N": "5"} and raw["name"] == {"S": "Ann"}


async def test_save_changes_of_a_versioned_model_checks_and_increments_the_version(
    api: Api, accounts: type[Account], boto: Any
) -> None:
    await api.on(accounts(id="a", balance=0)).save()
    mine = await api.on(accounts).get(id="a")
    theirs = await api.on(accounts).get(id="a")
    assert mine is not None and theirs is not None
    mine.balance = 10
    await api.on(mine).save_changes()
    assert mine.version == 2
    theirs.balance = 20
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(theirs).save_changes()
    raw = stored(boto, accounts, id="a")
    assert raw is not None
    assert (raw["balance"], raw["version"]) == ({"N": "10"}, {"N": "2"})
    assert theirs.version == 1  # unchanged by the refused write
    await api.on(theirs).refresh()
    theirs.balance = 20
    await api.on(theirs).save_changes()
    assert theirs.version == 3


async def test_save_changes_requires_the_item_to_exist(
    api: Api, profiles: type[Profile], boto: Any
) -> None:
    profile = profiles(pk=P, sk="PROFILE", name="Ann")
    await api.on(profile).save()
    boto.delete_item(TableName=table_of(profiles), Key={"pk": {"S": P}, "sk": {"S": "PROFILE"}})
    profile.name = "Bea"
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(profile).save_changes()
    assert stored(boto, profiles, pk=P, sk="PROFILE") is None


async def test_save_changes_of_a_new_or_deleted_instance_is_refused_before_sending(
    api: Api, profiles: type[Profile], sent: list[str]
) -> None:
    with pytest.raises(ValidationException, match=r"never loaded .* save\(\)"):
        await api.on(profiles(pk=P, sk="NEW", name="Ann")).save_changes()
    profile = profiles(pk=P, sk="GONE")
    await api.on(profile).save()
    await api.on(profile).delete()
    sent.clear()
    with pytest.raises(ValidationException, match="never loaded"):
        await api.on(profile).save_changes()
    assert sent == []


async def test_save_changes_refuses_a_changed_key_before_sending(
    api: Api, profiles: type[Profile], sent: list[str]
) -> None:
    profile = profiles(pk=P, sk="PROFILE")
    await api.on(profile).save()
    profile.sk = "OTHER"
    sent.clear()
    with pytest.raises(ValidationException, match=r"Profile\.sk is a key and changed"):
        await api.on(profile).save_changes()
    assert sent == []


# -- timestamps ------------------------------------------------------------------------------


async def test_save_stamps_both_and_keeps_created_at_across_saves(
    api: Api, profiles: type[Profile], boto: Any
) -> None:
    before = datetime.now(timezone.utc)
    profile = profiles(pk=P, sk="PROFILE", name="Ann")
    await api.on(profile).save()
    assert profile.created_at is not None and profile.updated_at is not None
    assert before <= profile.created_at == profile.updated_at <= datetime.now(timezone.utc)
    raw = stored(boto, profiles, pk=P, sk="PROFILE")
    created = at(raw, "created_at")
    assert created == profile.created_at == at(raw, "updated_at")

    profile.name = "Bea"
    await api.on(profile).save()  # the same instance again
    raw = stored(boto, profiles, pk=P, sk="PROFILE")
    assert at(raw, "created_at") == created == profile.created_at
    assert at(raw, "updated_at") == profile.updated_at and profile.updated_at > created

    loaded = await api.on(profiles).get(pk=P, sk="PROFILE")
    assert loaded is not None
    await api.on(loaded).save()  # an instance loaded from the table
    raw = stored(boto, profiles, pk=P, sk="PROFILE")
    assert at(raw, "created_at") == created
    assert loaded.updated_at is not None and at(raw, "updated_at") == loaded.updated_at
    assert loaded.updated_at > profile.updated_at


async def test_a_new_instance_never_replaces_a_stored_created_at(
    api: Api, profiles: type[Profile], boto: Any
) -> None:
    await api.on(profiles(pk=P, sk="PROFILE", name="Ann")).save()
    first = stored(boto, profiles, pk=P, sk="PROFILE")
    newcomer = profiles(pk=P, sk="PROFILE", name="Intruder")
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(newcomer).save()
    assert stored(boto, profiles, pk=P, sk="PROFILE") == first
    assert newcomer.created_at is None and newcomer.updated_at is None
    # A created_at given by the caller is written as given (an import, a migration).
    given = datetime(2020, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    await api.on(profiles(pk=P, sk="PROFILE", name="Imported", created_at=given)).save()
    assert at(stored(boto, profiles, pk=P, sk="PROFILE"), "created_at") == given


async def test_an_item_stored_without_created_at_gets_one_on_its_next_save(
    api: Api, profiles: type[Profile], boto: Any
) -> None:
    boto.put_item(
        TableName=table_of(profiles), Item={"pk": {"S": P}, "sk": {"S": "OLD"}, "name": {"S": "o"}}
    )
    old = await api.on(profiles).get(pk=P, sk="OLD")
    assert old is not None and old.created_at is None
    await api.on(old).save()
    raw = stored(boto, profiles, pk=P, sk="OLD")
    assert old.created_at is not None and at(raw, "created_at") == old.created_at


async def test_updates_and_save_changes_stamp_updated_at_only(
    api: Api, profiles: type[Profile], boto: Any
) -> None:
    profile = profiles(pk=P, sk="PROFILE", name="Ann")
    await api.on(profile).save()
    created, last = profile.created_at, profile.updated_at
    assert created is not None and last is not None

    await api.on(profile).update(name="Bea")
    assert profile.updated_at is not None and profile.updated_at > last
    assert profile.created_at == created
    raw = stored(boto, profiles, pk=P, sk="PROFILE")
    assert at(raw, "updated_at") == profile.updated_at and at(raw, "created_at") == created
    last = profile.updated_at

    result = await api.on(profiles).update_by_key(pk=P, sk="PROFILE", age=3)
    assert result.updated_at is not None and result.updated_at > last
    assert result.created_at == created
    assert at(stored(boto, profiles, pk=P, sk="PROFILE"), "updated_at") == result.updated_at
    last = result.updated_at

    await api.on(profile).refresh()
    profile.history.append("x")
    await api.on(profile).save_changes()
    assert profile.updated_at is not None and profile.updated_at > last
    raw = stored(boto, profiles, pk=P, sk="PROFILE")
    assert at(raw, "updated_at") == profile.updated_at and at(raw, "created_at") == created


async def test_batch_writer_puts_are_stamped(api: Api, profiles: type[Profile], boto: Any) -> None:
    before = datetime.now(timezone.utc)
    async with api.batch_writer() as batch:
        for i in range(3):
            batch.put(profiles(pk=P, sk=f"B{i}", name=f"n{i}"))
    for i in range(3):
        raw = stored(boto, profiles, pk=P, sk=f"B{i}")
        created, updated = at(raw, "created_at"), at(raw, "updated_at")
        assert before <= created == updated <= datetime.now(timezone.utc)


@pytest.mark.needs("transactions")
async def test_transaction_puts_and_updates_are_stamped(
    api: Api, profiles: type[Profile], boto: Any
) -> None:
    existing = profiles(pk=P, sk="OLD", name="Ann")
    await api.on(existing).save()
    created, last = existing.created_at, existing.updated_at
    assert last is not None
    newcomer = profiles(pk=P, sk="NEW", name="Bea")
    async with api.transaction() as tx:
        tx.put(newcomer)
        tx.update(existing, updates={"name": "Ann B"})
    raw = stored(boto, profiles, pk=P, sk="NEW")
    assert newcomer.created_at is not None
    assert at(raw, "created_at") == newcomer.created_at == at(raw, "updated_at")
    raw = stored(boto, profiles, pk=P, sk="OLD")
    assert at(raw, "created_at") == created
    assert existing.updated_at is not None and existing.updated_at > last
    assert at(raw, "updated_at") == existing.updated_at


@pytest.mark.needs("transactions")
async def test_a_transaction_update_by_class_and_key_is_stamped_also_with_only_atomic_actions(
    api: Api, profiles: type[Profile], boto: Any
) -> None:
    existing = profiles(pk=P, sk="KEYED", name="Ann")
    await api.on(existing).save()
    last = existing.updated_at
    assert last is not None
    async with api.transaction() as tx:
        tx.update(profiles, {"pk": P, "sk": "KEYED"}, atomic=[path(profiles.age).add(1)])
    raw = stored(boto, profiles, pk=P, sk="KEYED")
    assert raw["age"] == {"N": "1"}
    assert at(raw, "updated_at") > last


@pytest.mark.needs("transactions")
async def test_a_transaction_put_of_a_new_instance_never_replaces_a_stored_created_at(
    api: Api, profiles: type[Profile], boto: Any
) -> None:
    await api.on(profiles(pk=P, sk="PROFILE", name="Ann")).save()
    first = stored(boto, profiles, pk=P, sk="PROFILE")
    with pytest.raises(TransactionCanceledException):
        async with api.transaction() as tx:
            tx.put(profiles(pk=P, sk="PROFILE", name="Intruder"))
    assert stored(boto, profiles, pk=P, sk="PROFILE") == first
