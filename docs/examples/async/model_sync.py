"""The same model operations for sync code: each call with the sync_ prefix."""

from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, SortKey, path


class User(Model):
    model_config = DynamoConfig(table="async-model-sync-users")

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str
    age: int = 0


def main() -> None:
    User.sync_create_table()

    user = User(pk="USER#1", sk="PROFILE", name="John", age=30)
    user.sync_save()

    loaded = User.sync_get(pk="USER#1", sk="PROFILE")
    assert loaded is not None
    print("get:", loaded)

    loaded.sync_update(name="Jane", atomic=[path(User.age).add(1)])
    print("update:", loaded)
    assert (loaded.name, loaded.age) == ("Jane", 31)

    User(pk="USER#2", sk="PROFILE", name="Bob").sync_save()
    users = User.sync_batch_get(
        [{"pk": "USER#1", "sk": "PROFILE"}, {"pk": "USER#2", "sk": "PROFILE"}]
    )
    print("batch_get:", [u.name for u in users])
    assert [u.name for u in users] == ["Jane", "Bob"]

    loaded.sync_delete()
    assert User.sync_get(pk="USER#1", sk="PROFILE") is None


if __name__ == "__main__":
    main()
