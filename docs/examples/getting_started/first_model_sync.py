"""Getting started without asyncio: the same calls, each with the sync_ prefix."""

from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, SortKey, path


class User(Model):
    model_config = DynamoConfig(table="getting-started-sync-users")

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str
    age: int = 0


def main() -> None:
    User.sync_create_table()

    User(pk="USER#1", sk="PROFILE", name="Ada", age=36).sync_save()

    user = User.sync_get(pk="USER#1", sk="PROFILE")
    assert user is not None
    user.sync_update(atomic=[path(User.age).add(1)])
    print("updated:", user)
    assert user.age == 37

    names = [u.name for u in User.sync_query(partition_key="USER#1")]
    print("query:", names)
    assert names == ["Ada"]

    user.sync_delete()
    assert User.sync_get(pk="USER#1", sk="PROFILE") is None
    print("deleted")


if __name__ == "__main__":
    main()
