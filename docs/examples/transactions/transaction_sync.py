"""SyncTransaction: the same transaction for sync code."""

from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, SyncTransaction, path


class Counter(Model):
    model_config = DynamoConfig(table="transactions-counters")

    name: Annotated[str, PartitionKey()]
    value: int = 0


def main() -> None:
    Counter.sync_create_table()
    hits, misses = Counter(name="hits"), Counter(name="misses")
    hits.sync_save()

    with SyncTransaction() as tx:
        tx.update(hits, atomic=[path(Counter.value).add(1)])
        tx.put(misses)

    values = {c.name: c.value for c in Counter.sync_scan()}
    print("counters:", values)
    assert values == {"hits": 1, "misses": 0}


if __name__ == "__main__":
    main()
