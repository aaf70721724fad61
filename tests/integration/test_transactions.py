"""transact_write, transact_get and the Transaction context through both APIs."""

from __future__ import annotations

from typing import Any

import pytest

from pydynox import (
    Attr,
    ConditionCheck,
    ConnectionException,
    Delete,
    DynamoDBClient,
    Get,
    Put,
    TransactionCanceledException,
    Update,
    ValidationException,
)

from .api import Api

pytestmark = pytest.mark.both_transports


def k(pk: str) -> dict[str, str]:
    return {"pk": pk, "sk": "x"}


STOCK = {**k("stock"), "qty": 5}
CART = {**k("cart"), "lines": ["a"]}
ACCOUNT = {**k("account"), "state": "active"}
ORDER = {**k("order"), "total": 10}


async def seed(api: Api, table: str) -> None:
    for item in (STOCK, CART, ACCOUNT):
        await api.put_item(table, item)


def checkout(table: str, account_state: str) -> list[Any]:
    return [
        Put(table, ORDER, condition=Attr("pk").not_exists()),
        Update(table, k("stock"), atomic=[Attr("qty").add(-1)], condition=Attr("qty") > 0),
        Delete(table, k("cart")),
        ConditionCheck(table, k("account"), Attr("state") == account_state),
    ]


async def everything(api: Api, table: str) -> list[dict[str, Any]]:
    return sorted(await api.scan(table, consistent_read=True).all(), key=lambda i: i["pk"])


@pytest.mark.needs("transactions")
async def test_transact_write_applies_every_action(api: Api, table: str) -> None:
    await seed(api, table)
    assert await api.transact_write(checkout(table, "active")) is None
    assert await everything(api, table) == [ACCOUNT, ORDER, {**STOCK, "qty": 4}]


@pytest.mark.needs("transactions")
async def test_cancelled_transaction_reports_each_action_and_applies_nothing(
    api: Api, table: str
) -> None:
    await seed(api, table)
    with pytest.raises(TransactionCanceledException) as caught:
        await api.transact_write(checkout(table, "closed"))
    error = caught.value
    assert error.code == "TransactionCanceledException"
    assert error.status == 400  # answered by the server
    assert [reason.code for reason in error.reasons] == [None, None, None, "ConditionalCheckFailed"]
    assert error.reasons[3].item == ACCOUNT
    assert all(reason.item is None for reason in error.reasons[:3])
    assert await everything(api, table) == [ACCOUNT, CART, STOCK]


@pytest.mark.needs("transactions")
async def test_cancelled_update_carries_the_stored_item(api: Api, table: str) -> None:
    await api.put_item(table, {**STOCK, "qty": 0})
    with pytest.raises(TransactionCanceledException) as caught:
        await api.transact_write(
            [
                Put(table, ORDER),
                Update(table, k("stock"), atomic=[Attr("qty").add(-1)], condition=Attr("qty") > 0),
            ]
        )
    reasons = caught.value.reasons
    assert [reason.code for reason in reasons] == [None, "ConditionalCheckFailed"]
    assert reasons[1].item == {**STOCK, "qty": 0}
    assert await api.get_item(table, k("order")) is None


@pytest.mark.needs("transactions")
async def test_transact_get_in_order_with_none_for_missing(api: Api, table: str) -> None:
    await seed(api, table)
    got = await api.transact_get(
        [Get(table, k("cart")), Get(table, k("nobody")), Get(table, {"sk": "x", "pk": "stock"})]
    )
    assert got == [CART, None, STOCK]


# -- refused before sending ---------------------------------------------------------------


def puts(table: str, n: int) -> list[Put]:
    return [Put(table, {**k(f"p{i}"), "i": i}) for i in range(n)]


async def test_more_than_100_actions_are_refused_before_sending(
    api: Api, dead_client: DynamoDBClient
) -> None:
    dead = Api(dead_client, api.mode)
    with pytest.raises(ValidationException, match="at most 100"):
        await dead.transact_write(puts("users", 101))
    with pytest.raises(ValidationException, match="at most 100"):
        await dead.transact_get([Get("users", k(f"p{i}")) for i in range(101)])
    with pytest.raises(ValidationException, match="at least one"):
        await dead.transact_write([])
    with pytest.raises(ConnectionException):  # 100 is allowed: it was sent
        await dead.transact_write(puts("users", 100))


@pytest.mark.parametrize(
    "actions",
    [
        pytest.param(
            [Update("users", k("a"), updates={"n": 1}), Put("users", {**k("a"), "n": 2})],
            id="dict-put-matched-against-update-key-names",
        ),
        pytest.param(
            [Put("users", {"sk": "x", "pk": "a", "n": 2}), Delete("users", {"sk": "x", "pk": "a"})],
            id="put-then-delete-keys-in-another-order",
        ),
        pytest.param(
            [Delete("users", k("a")), ConditionCheck("users", k("a"), Attr("n") > 1)],
            id="delete-and-condition-check",
        ),
        pytest.param(
            [*puts("users", 3), Update("users", k("p1"), atomic=[Attr("i").add(1)])],
            id="update-after-puts",
        ),
    ],
)
async def test_two_actions_on_one_item_are_refused_before_sending(
    api: Api, dead_client: DynamoDBClient, actions: list[Any]
) -> None:
    with pytest.raises(ValidationException, match="same item"):
        await Api(dead_client, api.mode).transact_write(actions)


async def test_transact_get_of_one_item_twice_is_refused_before_sending(
    api: Api, dead_client: DynamoDBClient
) -> None:
    with pytest.raises(ValidationException, match="same item"):
        await Api(dead_client, api.mode).transact_get([Get("users", k("a"))] * 2)


async def test_same_key_on_other_tables_or_other_keys_is_allowed(
    api: Api, dead_client: DynamoDBClient
) -> None:
    actions = [
        Update("users", k("a"), updates={"n": 1}),
        Put("orders", {**k("a"), "n": 2}),
        Put("users", {**k("b"), "n": 2}),
        Delete("users", {"pk": "a", "sk": "y"}),
    ]
    with pytest.raises(ConnectionException):  # passed validation, so it was sent
        await Api(dead_client, api.mode).transact_write(actions)


async def test_bad_condition_check_is_refused_before_sending(
    api: Api, dead_client: DynamoDBClient
) -> None:
    with pytest.raises(ValidationException, match="needs a condition"):
        await Api(dead_client, api.mode).transact_write(
            [ConditionCheck("users", k("a"), None)]  # type: ignore[arg-type]
        )


# -- the Transaction context --------------------------------------------------------------


@pytest.mark.needs("transactions")
async def test_transaction_commits_on_normal_exit(api: Api, table: str) -> None:
    await seed(api, table)
    async with api.transaction() as tx:
        tx.put(table, ORDER, condition=Attr("pk").not_exists())
        tx.update(table, k("stock"), atomic=[Attr("qty").add(-2)], condition=Attr("qty") >= 2)
        tx.update(table, k("cart"), updates={"lines": None, "done": True})
        tx.condition_check(table, k("account"), Attr("state") == "active")
        assert await api.get_item(table, k("order")) is None  # nothing sent yet
    assert await everything(api, table) == [
        ACCOUNT,
        {**k("cart"), "done": True},
        ORDER,
        {**STOCK, "qty": 3},
    ]


async def test_transaction_sends_nothing_when_the_block_raises(api: Api, table: str) -> None:
    await seed(api, table)
    with pytest.raises(RuntimeError, match="boom"):
        async with api.transaction() as tx:
            tx.put(table, ORDER)
            tx.delete(table, k("cart"))
            raise RuntimeError("boom")
    assert await everything(api, table) == [ACCOUNT, CART, STOCK]


@pytest.mark.needs("transactions")
async def test_transaction_with_a_false_condition_check_raises_at_exit(
    api: Api, table: str
) -> None:
    await seed(api, table)
    with pytest.raises(TransactionCanceledException) as caught:
        async with api.transaction() as tx:
            tx.put(table, ORDER)
            tx.condition_check(table, k("account"), Attr("state") == "closed")
    assert [reason.code for reason in caught.value.reasons] == [None, "ConditionalCheckFailed"]
    assert caught.value.reasons[1].item == ACCOUNT
    assert await api.get_item(table, k("order")) is None


async def test_transaction_refuses_a_101st_action_at_once(api: Api, table: str) -> None:
    added = 0
    with pytest.raises(ValidationException, match="at most 100"):
        async with api.transaction() as tx:
            for action in puts(table, 101):
                tx.add(action)
                added += 1
    assert added == 100
    assert await api.count(table) == 0  # the block raised, so nothing was sent


async def test_transaction_refuses_a_second_action_on_an_item_at_once(
    api: Api, dead_client: DynamoDBClient
) -> None:
    # the refused actions are not kept: what is left goes out at exit (and fails to connect)
    with pytest.raises(ConnectionException):
        async with api.transaction(client=dead_client) as tx:
            tx.update("users", k("a"), updates={"n": 1})
            with pytest.raises(ValidationException, match="same item"):
                tx.put("users", {**k("a"), "n": 2})
            with pytest.raises(ValidationException, match="at least one field"):
                tx.update("users", k("b"))
            with pytest.raises(ValidationException, match="invalid table name"):
                tx.delete("no", k("b"))


async def test_empty_transaction_sends_nothing(api: Api, dead_client: DynamoDBClient) -> None:
    async with api.transaction(client=dead_client):
        pass


@pytest.mark.needs("transactions")
async def test_a_failed_commit_keeps_its_actions_and_token_for_a_retry(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    tx = api.transaction()
    tx.put(table, {"pk": "retry", "sk": "1"})
    tx.condition_check(table, {"pk": "gate", "sk": "1"}, Attr("open") == True)  # noqa: E712
    with pytest.raises(TransactionCanceledException):
        await tx.commit()
    await api.put_item(table, {"pk": "gate", "sk": "1", "open": True})
    await tx.commit()  # the same actions, sent again
    assert await api.get_item(table, {"pk": "retry", "sk": "1"}) == {"pk": "retry", "sk": "1"}


async def test_a_commit_with_an_unknown_outcome_is_retried_with_the_same_token(
    api: Api, dead_client: DynamoDBClient
) -> None:
    """A connection failure may hide a transaction that was applied: the retry must carry
    the same ClientRequestToken so DynamoDB does not apply it twice."""
    tx = Api(dead_client, api.mode).transaction()
    tx.put("orders", {"pk": "o1", "sk": "1"})
    with pytest.raises(ConnectionException):
        await tx.commit()
    first = tx._request()["ClientRequestToken"]
    with pytest.raises(ConnectionException):
        await tx.commit()
    assert tx._request()["ClientRequestToken"] == first
