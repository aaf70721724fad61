"""Getting started without asyncio: the same steps, each call with the sync_ prefix."""

from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, SortKey, path


class User(Model):
    model_config = DynamoConfig(table="getting-started-sync-users")

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str
    email: str | None = None
    age: int = 0


def main() -> None:
    User.sync_create_table()  # waits until the table is ACTIVE

    user = User(pk="USER#1", sk="PROFILE", name="Ada", age=36)
    user.sync_save()

    loaded = User.sync_get(pk="USER#1", sk="PROFILE")
    assert loaded is not None
    print("loaded:", loaded)

    # One UpdateItem; the instance then holds what is stored.
    loaded.sync_update(email="ada@example.com", atomic=[path(User.age).add(1)])
    print("updated:", loaded.email, loaded.age)
    assert loaded.age == 37

    User(pk="USER#1", sk="ORDER#001", name="first order").sync_save()
    items = [item.sk for item in User.sync_query(partition_key="USER#1")]
    print("items of USER#1:", items)
    assert items == ["ORDER#001", "PROFILE"]

    loaded.sync_delete()
    assert User.sync_get(pk="USER#1", sk="PROFILE") is None
    print("deleted")


if __name__ == "__main__":
    main()
