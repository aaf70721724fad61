"""SyncTransaction: the same transaction for sync code; every action is applied, or none is."""

from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, SyncTransaction, path


class Account(Model):
    model_config = DynamoConfig(table="transactions-sync-accounts")

    id: Annotated[str, PartitionKey()]
    balance: int = 0
    active: bool = True


class Transfer(Model):
    model_config = DynamoConfig(table="transactions-sync-transfers")

    id: Annotated[str, PartitionKey()]
    source: str
    target: str
    amount: int


def transfer(transfer_id: str, source: Account, target: Account, amount: int) -> None:
    with SyncTransaction() as tx:  # commits when the block ends; sends nothing if it raises
        tx.update(
            source,
            atomic=[path(Account.balance).add(-amount)],
            condition=Account.balance >= amount,
        )
        tx.update(
            target,
            atomic=[path(Account.balance).add(amount)],
            condition=Account.active == True,  # noqa: E712 (a condition, not a truth test)
        )
        tx.put(
            Transfer(id=transfer_id, source=source.id, target=target.id, amount=amount),
            condition=path(Transfer.id).not_exists(),  # each transfer id is applied once
        )


def main() -> None:
    Account.sync_create_table()
    Transfer.sync_create_table()
    alice, bob = Account(id="alice", balance=100), Account(id="bob")
    alice.sync_save()
    bob.sync_save()

    transfer("t1", alice, bob, 30)

    balances = [a.balance for a in Account.sync_batch_get([{"id": "alice"}, {"id": "bob"}])]
    print("balances:", balances)
    assert balances == [70, 30]
    assert Transfer.sync_get(id="t1") is not None

    # Deletes and pure checks take part too.
    closed = Account(id="closed", active=False)
    closed.sync_save()
    with SyncTransaction() as tx:
        tx.condition_check(alice, condition=Account.active == True)  # noqa: E712
        tx.delete(closed)
    assert Account.sync_get(id="closed") is None


if __name__ == "__main__":
    main()
