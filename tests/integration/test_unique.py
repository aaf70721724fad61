"""``Unique()`` fields on real servers (issue 14 item 10), via ``api``: async and sync, on the
wire and the botocore transports, on moto and dynalite.

A unique value is held by a guard item in the model's own table, written in one
TransactWriteItems with the item: dynalite has no transactions, so every test that writes a
guard is marked ``needs("transactions")``; what needs none (a model whose unique values are
None, scans and counts leaving guards out, refusals) runs on dynalite too. What is stored is
read with plain boto3 (``boto``): the whole table, so "nothing written" means the table's raw
items are exactly as before. The models are in tests/unique_models.py; what each write sends
is pinned without a server in tests/unit/test_unique.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from pydynox import (
    Collection,
    ConditionalCheckFailedException,
    UniqueConstraintError,
    ValidationException,
)

from ..entity_models import Order, User
from ..unique_models import Account, Handle, Member, Nick, Slot
from .api import Api
from .model_tables import Tables, bind, table_of

pytestmark = pytest.mark.both_transports

TRANSACTIONS = pytest.mark.needs("transactions")


def everything(boto: Any, model: type[Any]) -> list[dict[str, Any]]:
    """Every item of ``model``'s table as DynamoDB holds it, sorted by key."""
    items: list[dict[str, Any]] = boto.scan(TableName=table_of(model), ConsistentRead=True)["Items"]
    return sorted(items, key=lambda item: (item["pk"]["S"], item.get("sk", {}).get("S", "")))


def guard(field: str, value: str, **owner: str) -> dict[str, Any]:
    """The guard item of ``field`` (``Account.email``) holding ``value`` for ``owner``'s key,
    in a table keyed by ``pk`` alone."""
    return {
        "pk": {"S": f"UNIQUE#{field}#{value}"},
        "pydynox_unique": {"S": field},
        "pydynox_owner": {"M": {name: {"S": key} for name, key in owner.items()}},
    }


def account_item(pk: str, email: str, phone: str | None = None, name: str = "") -> dict[str, Any]:
    item = {"pk": {"S": pk}, "email": {"S": email}, "name": {"S": name}}
    if phone is not None:
        item["phone"] = {"S": phone}
    return item


def stored_account(pk: str, email: str, phone: str | None = None) -> list[dict[str, Any]]:
    """An account's item and its guards, as ``everything`` lists them for that account
    alone."""
    found = [account_item(pk, email, phone), guard("Account.email", email, pk=pk)]
    if phone is not None:
        found.append(guard("Account.phone", phone, pk=pk))
    return sorted(found, key=lambda item: item["pk"]["S"])


@pytest.fixture
async def accounts(tables: Tables) -> type[Account]:
    return await tables(Account)


async def loaded(api: Api, model: type[Any], **key: Any) -> Any:
    """The item at ``key``, read back: a loaded instance."""
    got = await api.on(model).get(**key)
    assert got is not None
    return got


# -- create --------------------------------------------------------------------------------


@TRANSACTIONS
async def test_a_create_writes_the_item_and_a_guard_per_value(
    api: Api, accounts: type[Account], boto: Any
) -> None:
    ann = accounts(pk="a", email="ann@x.io", phone="555")
    await api.on(ann).save()
    assert everything(boto, accounts) == stored_account("a", "ann@x.io", "555")
    assert await api.on(accounts).get(pk="a") == ann


@TRANSACTIONS
async def test_a_none_value_has_no_guard(api: Api, accounts: type[Account], boto: Any) -> None:
    await api.on(accounts(pk="a", email="ann@x.io")).save()
    assert everything(boto, accounts) == stored_account("a", "ann@x.io")


async def test_a_model_whose_unique_values_are_none_writes_as_any_other(
    api: Api, tables: Tables, boto: Any
) -> None:
    # No guard to write: a plain PutItem and DeleteItem, also on servers without transactions.
    nicks = await tables(Nick)
    quiet = nicks(pk="q")
    await api.on(quiet).save()
    assert everything(boto, nicks) == [{"pk": {"S": "q"}}]
    await api.on(await loaded(api, nicks, pk="q")).delete()
    assert everything(boto, nicks) == []


@TRANSACTIONS
async def test_a_duplicate_value_raises_and_writes_nothing(
    api: Api, accounts: type[Account], boto: Any
) -> None:
    await api.on(accounts(pk="a", email="ann@x.io", phone="555")).save()
    before = everything(boto, accounts)
    with pytest.raises(UniqueConstraintError, match=r"Account\.email 'ann@x\.io'") as raised:
        await api.on(accounts(pk="b", email="ann@x.io")).save()
    assert (raised.value.field, raised.value.value) == ("email", "ann@x.io")
    assert isinstance(raised.value, ConditionalCheckFailedException)
    # The second field taken, the first free: neither the item nor the free guard is written.
    with pytest.raises(UniqueConstraintError, match=r"Account\.phone") as raised:
        await api.on(accounts(pk="b", email="bo@x.io", phone="555")).save()
    assert (raised.value.field, raised.value.value) == ("phone", "555")
    assert everything(boto, accounts) == before
    # A duplicate instance that failed can take a free value and be created.
    bo = accounts(pk="b", email="ann@x.io")
    with pytest.raises(UniqueConstraintError):
        await api.on(bo).save()
    bo.email = "bo@x.io"
    await api.on(bo).save()
    assert everything(boto, accounts) == sorted(
        [*before, *stored_account("b", "bo@x.io")], key=lambda item: item["pk"]["S"]
    )


@TRANSACTIONS
async def test_a_second_create_of_the_same_key_fails_and_keeps_the_old_guard(
    api: Api, accounts: type[Account], boto: Any
) -> None:
    await api.on(accounts(pk="a", email="ann@x.io")).save()
    before = everything(boto, accounts)
    again = accounts(pk="a", email="new@x.io")  # a new instance: a create, not a change
    with pytest.raises(ConditionalCheckFailedException, match="already exists") as raised:
        await api.on(again).save()
    assert not isinstance(raised.value, UniqueConstraintError)
    assert everything(boto, accounts) == before  # ann's guard kept; no guard for new@x.io
    same = accounts(pk="a", email="ann@x.io")  # the same values: its guard's check fails too
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(same).save()
    assert everything(boto, accounts) == before


# -- change --------------------------------------------------------------------------------


async def change_email(api: Api, how: str, account: Account, email: str) -> None:
    """Change ``account.email`` by ``save()``, ``update()`` or ``save_changes()``."""
    if how == "update":
        await api.on(account).update(email=email)
        return
    account.email = email
    await api.on(account).save() if how == "save" else await api.on(account).save_changes()


HOW = pytest.mark.parametrize("how", ["save", "update", "save_changes"])


@TRANSACTIONS
@HOW
async def test_a_change_swaps_the_guards_and_frees_the_old_value(
    api: Api, accounts: type[Account], boto: Any, how: str
) -> None:
    await api.on(accounts(pk="a", email="ann@x.io", phone="555")).save()
    ann = await loaded(api, accounts, pk="a")
    await change_email(api, how, ann, "ann@new.io")
    assert ann.email == "ann@new.io"
    assert everything(boto, accounts) == stored_account("a", "ann@new.io", "555")
    # The old value is free again: another item takes it.
    await api.on(accounts(pk="b", email="ann@x.io")).save()
    with pytest.raises(UniqueConstraintError):
        await api.on(accounts(pk="c", email="ann@new.io")).save()
    # The instance that saved remembers what it stored: it changes again (no reload).
    await change_email(api, how, ann, "ann@third.io")
    assert everything(boto, accounts) == sorted(
        [*stored_account("a", "ann@third.io", "555"), *stored_account("b", "ann@x.io")],
        key=lambda item: item["pk"]["S"],
    )


@TRANSACTIONS
@HOW
async def test_a_change_to_a_taken_value_changes_nothing(
    api: Api, accounts: type[Account], boto: Any, how: str
) -> None:
    await api.on(accounts(pk="a", email="ann@x.io", phone="555")).save()
    await api.on(accounts(pk="b", email="bo@x.io")).save()
    before = everything(boto, accounts)
    ann = await loaded(api, accounts, pk="a")
    with pytest.raises(UniqueConstraintError, match=r"Account\.email 'bo@x\.io'") as raised:
        await change_email(api, how, ann, "bo@x.io")
    assert (raised.value.field, raised.value.value) == ("email", "bo@x.io")
    assert everything(boto, accounts) == before  # the item and both guards as before
    if how == "update":
        assert ann == accounts(pk="a", email="ann@x.io", phone="555")  # not changed either


@TRANSACTIONS
async def test_a_change_of_one_unique_field_leaves_the_other_guard_alone(
    api: Api, accounts: type[Account], boto: Any
) -> None:
    ann = accounts(pk="a", email="ann@x.io", phone="555")
    await api.on(ann).save()
    await api.on(ann).update(phone="666", name="Ann")
    assert everything(boto, accounts) == sorted(
        [
            account_item("a", "ann@x.io", "666", name="Ann"),
            guard("Account.email", "ann@x.io", pk="a"),
            guard("Account.phone", "666", pk="a"),
        ],
        key=lambda item: item["pk"]["S"],
    )
    ann.email, ann.phone = "bo@x.io", "777"  # both at once: one transaction swaps both
    await api.on(ann).save_changes()
    ann.name = "Ann B."  # no unique field changed: a plain write, the guards untouched
    await api.on(ann).save()
    assert everything(boto, accounts) == sorted(
        [
            account_item("a", "bo@x.io", "777", name="Ann B."),
            guard("Account.email", "bo@x.io", pk="a"),
            guard("Account.phone", "777", pk="a"),
        ],
        key=lambda item: item["pk"]["S"],
    )


@TRANSACTIONS
async def test_a_value_set_to_none_frees_its_guard(
    api: Api, accounts: type[Account], boto: Any
) -> None:
    ann = accounts(pk="a", email="ann@x.io", phone="555")
    await api.on(ann).save()
    await api.on(ann).update(phone=None)
    assert ann.phone is None
    assert everything(boto, accounts) == stored_account("a", "ann@x.io")
    await api.on(accounts(pk="b", email="bo@x.io", phone="555")).save()  # free again
    bo = await loaded(api, accounts, pk="b")
    bo.phone = None
    await api.on(bo).save_changes()
    ann.phone = "555"  # None -> a value: only a guard to put
    await api.on(ann).save()
    assert everything(boto, accounts) == sorted(
        [*stored_account("a", "ann@x.io", "555"), *stored_account("b", "bo@x.io")],
        key=lambda item: item["pk"]["S"],
    )


@TRANSACTIONS
async def test_a_versioned_model_checks_its_version_and_its_guards(
    api: Api, tables: Tables, boto: Any
) -> None:
    handles = await tables(Handle)
    ann = handles(pk="a", handle="ann")
    await api.on(ann).save()
    assert ann.version == 1
    stale = await loaded(api, handles, pk="a")
    ann.handle = "annie"
    await api.on(ann).save()
    assert ann.version == 2
    before = everything(boto, handles)
    assert [item["pk"]["S"] for item in before] == ["UNIQUE#Handle.handle#annie", "a"]
    stale.handle = "anne"  # version 1 is no longer stored: the write's condition fails
    with pytest.raises(ConditionalCheckFailedException, match="condition failed") as raised:
        await api.on(stale).save()
    assert not isinstance(raised.value, UniqueConstraintError)
    assert everything(boto, handles) == before


# -- delete --------------------------------------------------------------------------------


@TRANSACTIONS
async def test_a_delete_removes_the_item_and_its_guards(
    api: Api, accounts: type[Account], boto: Any
) -> None:
    await api.on(accounts(pk="b", email="bo@x.io")).save()
    others = everything(boto, accounts)
    ann = accounts(pk="a", email="ann@x.io", phone="555")
    await api.on(ann).save()
    await api.on(ann).delete()  # the instance that saved it
    assert everything(boto, accounts) == others
    await api.on(accounts(pk="a", email="ann@x.io", phone="555")).save()  # the values are free
    await api.on(await loaded(api, accounts, pk="a")).delete()  # a loaded instance
    assert everything(boto, accounts) == others


# -- refused before sending, on every server -----------------------------------------------


async def test_writes_that_cannot_carry_the_guards_write_nothing(
    api: Api, accounts: type[Account], boto: Any
) -> None:
    ann = accounts(pk="a", email="ann@x.io")
    with pytest.raises(ValidationException, match="batch writer"):
        async with api.batch_writer() as batch:
            await batch.put(ann)
    with pytest.raises(ValidationException, match="update_by_key"):
        await api.on(accounts).update_by_key(pk="a", email="bo@x.io")
    with pytest.raises(ValidationException, match="delete_by_key"):
        await api.on(accounts).delete_by_key(pk="a")
    with pytest.raises(ValidationException, match="transaction"):
        async with api.transaction() as tx:
            tx.put(ann)
    assert everything(boto, accounts) == []


# -- reads leave the guards out ------------------------------------------------------------


async def test_scans_and_counts_of_a_plain_model_leave_the_guards_out(
    api: Api, accounts: type[Account], boto: Any
) -> None:
    # Written by boto3 in the shape pydynox writes: also on servers without transactions.
    for item in (*stored_account("a", "ann@x.io", "555"), *stored_account("b", "bo@x.io")):
        boto.put_item(TableName=table_of(accounts), Item=item)
    ann, bo = accounts(pk="a", email="ann@x.io", phone="555"), accounts(pk="b", email="bo@x.io")
    assert sorted(await api.on(accounts).scan().all(), key=lambda a: a.pk) == [ann, bo]
    assert await api.on(accounts).count() == 2
    assert await api.on(accounts).scan(limit=1).all() in ([ann], [bo])
    assert await api.on(accounts).get(pk="a") == ann


@TRANSACTIONS
async def test_guards_written_by_pydynox_are_left_out_of_scans_and_counts(
    api: Api, accounts: type[Account], boto: Any
) -> None:
    ann, bo = accounts(pk="a", email="ann@x.io", phone="555"), accounts(pk="b", email="bo@x.io")
    await api.on(ann).save()
    await api.on(bo).save()
    assert len(everything(boto, accounts)) == 5
    assert sorted(await api.on(accounts).scan().all(), key=lambda a: a.pk) == [ann, bo]
    assert [a async for a in api.on(accounts).scan(page_size=1)] in ([ann, bo], [bo, ann])
    assert await api.on(accounts).count() == 2


@pytest.fixture
async def app(tables: Tables) -> tuple[type[User], type[Order], type[Member]]:
    """User, Order and Member (with a unique email) bound to one empty table."""
    members = await tables(Member)
    name = table_of(members)
    return bind(User, name), bind(Order, name), members


@TRANSACTIONS
async def test_an_entity_guard_is_in_both_keys_and_in_no_entity_read(
    api: Api, app: tuple[type[User], type[Order], type[Member]], boto: Any
) -> None:
    users, orders, members = app
    ann = members(user_id="1", email="ann@x.io", name="Ann")
    await api.on(ann).save()
    await api.on(users(user_id="1", name="Ann", email="ann@x.io")).save()  # User's is not unique
    await api.on(orders(user_id="1", order_id=7, total=Decimal("9.5"))).save()
    text = "UNIQUE#Member.email#ann@x.io"
    (guard_item,) = [item for item in everything(boto, members) if item["pk"]["S"] == text]
    assert guard_item == {
        "pk": {"S": text},
        "sk": {"S": text},
        "pydynox_unique": {"S": "Member.email"},
        "pydynox_owner": {"M": {"pk": {"S": "USER#1"}, "sk": {"S": "MEMBER"}}},
    }
    assert await api.on(members).scan().all() == [ann]
    assert await api.on(members).count() == 1
    assert await api.on(members).query(user_id="1").all() == [ann]
    assert len(await api.on(users).scan().all()) == len(await api.on(orders).scan().all()) == 1
    for everyone in (
        Collection(users, orders, members),
        Collection(users, orders, members, unknown="raise"),
    ):
        found = await api.on(everyone).query(user_id="1").all()
        assert sorted(type(item).__name__ for item in found) == ["Member", "Order", "User"]
    with pytest.raises(UniqueConstraintError, match=r"Member\.email"):
        await api.on(members(user_id="2", email="ann@x.io")).save()
    await api.on(await loaded(api, members, user_id="1")).delete()
    assert [item["pk"]["S"] for item in everything(boto, members)] == ["USER#1", "USER#1"]


# -- found by these tests, fixed: guards by stored form, owned deletes, stale instances ------


@TRANSACTIONS
async def test_a_datetime_value_keeps_one_guard(api: Api, tables: Tables, boto: Any) -> None:
    slots = await tables(Slot)
    starts = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    slot = slots(pk="a", starts=starts)
    await api.on(slot).save()
    loaded_slot = await loaded(api, slots, pk="a")
    loaded_slot.note = "moved"  # no unique field changed
    await api.on(loaded_slot).save()
    same_instant = starts.astimezone(dt.timezone(dt.timedelta(hours=1)))
    with pytest.raises(UniqueConstraintError):
        await api.on(slots(pk="b", starts=same_instant)).save()
    await api.on(loaded_slot).delete()
    assert everything(boto, slots) == []


@TRANSACTIONS
async def test_a_number_value_keeps_one_guard(api: Api, tables: Tables, boto: Any) -> None:
    slots = await tables(Slot)
    await api.on(slots(pk="a", price=Decimal("1.0"))).save()
    with pytest.raises(UniqueConstraintError):
        await api.on(slots(pk="b", price=Decimal("1"))).save()
    await api.on(await loaded(api, slots, pk="a")).delete()
    assert everything(boto, slots) == []


@TRANSACTIONS
async def test_a_delete_removes_only_guards_it_owns(
    api: Api, accounts: type[Account], boto: Any
) -> None:
    await api.on(accounts(pk="a", email="ann@x.io")).save()
    before = everything(boto, accounts)
    stranger = accounts(pk="z", email="ann@x.io")  # never stored; ann's email
    with pytest.raises(ConditionalCheckFailedException, match="held by another item"):
        await api.on(stranger).delete()
    assert everything(boto, accounts) == before


@TRANSACTIONS
async def test_a_stale_instance_does_not_write_back_a_value_it_no_longer_holds(
    api: Api, accounts: type[Account], boto: Any
) -> None:
    await api.on(accounts(pk="a", email="ann@x.io")).save()
    stale = await loaded(api, accounts, pk="a")
    fresh = await loaded(api, accounts, pk="a")
    await change_email(api, "save", fresh, "ann@new.io")
    stale.name = "Ann"
    before = everything(boto, accounts)
    with pytest.raises(ConditionalCheckFailedException, match="changed since it was loaded"):
        await api.on(stale).save()
    assert everything(boto, accounts) == before
    for item in everything(boto, accounts):
        if "email" in item:
            assert guard("Account.email", item["email"]["S"], pk="a") in everything(boto, accounts)
