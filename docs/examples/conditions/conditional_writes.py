"""Conditional writes: create-only saves, guarded updates and deletes, and what a failure gives."""

import asyncio
from typing import Annotated

from pydynox import ConditionalCheckFailedException, DynamoConfig, Model, PartitionKey, path


class Account(Model):
    model_config = DynamoConfig(table="conditions-accounts")

    id: Annotated[str, PartitionKey()]
    owner: str
    balance: int = 0
    active: bool = True


async def main() -> None:
    await Account.create_table()

    account = Account(id="acc-1", owner="ada", balance=100)
    await account.save(condition=path(Account.id).not_exists())  # create, never overwrite

    try:
        await Account(id="acc-1", owner="mallory").save(condition=path(Account.id).not_exists())
    except ConditionalCheckFailedException as error:
        # DynamoDB hands back the stored item: no second read needed.
        print("already exists:", error.item)
        assert error.item is not None and error.item["owner"] == "ada"
    else:
        raise AssertionError("expected ConditionalCheckFailedException")

    # Withdraw only if the money is there; the check and the write are one request.
    await account.update(atomic=[path(Account.balance).add(-30)], condition=Account.balance >= 30)
    print("balance:", account.balance)
    assert account.balance == 70

    try:
        await account.update(
            atomic=[path(Account.balance).add(-500)], condition=Account.balance >= 500
        )
    except ConditionalCheckFailedException as error:
        print("refused, stored balance is", error.item and error.item["balance"])
    else:
        raise AssertionError("expected ConditionalCheckFailedException")
    assert account.balance == 70  # nothing changed, locally or in DynamoDB

    # Delete only a closed account.
    try:
        await account.delete(condition=Account.active == False)  # noqa: E712
    except ConditionalCheckFailedException:
        print("still active: not deleted")
    else:
        raise AssertionError("expected ConditionalCheckFailedException")
    await account.update(active=False)
    await account.delete(condition=Account.active == False)  # noqa: E712
    assert await Account.get(id="acc-1") is None


if __name__ == "__main__":
    asyncio.run(main())
