"""Mistakes a user makes, which ``mypy --strict`` must report (``tests/unit/test_typing.py``).

A line ending in ``# E: <code>`` must get a mypy error with that code; every other line must
be clean. Never imported or run.
"""

from __future__ import annotations

from typing import Annotated

from pydynox import DynamoConfig, DynamoDBClient, Model, PartitionKey, SortKey, path


class User(Model):
    model_config = DynamoConfig(table="users")

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str
    age: int = 0


def greet(user: User) -> str:
    return f"hello {user.name}"


async def mistakes(client: DynamoDBClient, user: User) -> None:
    found = await User.get(pk="USER#1", sk="PROFILE")
    print(found.name)  # E: union-attr
    print(greet(found))  # E: arg-type
    numbers: list[int] = User.sync_query("USER#1").all()  # E: assignment
    print(numbers)
    first: int | None = await User.query("USER#1").first()  # E: assignment
    print(first)
    not_awaited: User | None = User.get(pk="USER#1", sk="PROFILE")  # E: assignment
    print(not_awaited)
    await User.sync_get(pk="USER#1", sk="PROFILE")  # E: misc
    for u in User.query("USER#1"):  # E: attr-defined
        print(u)
    async for v in User.sync_query("USER#1"):  # E: attr-defined
        print(v)
    User.query(partition_key="USER#1", limt=3)  # E: call-arg
    await user.update(atomic=path(User.age).add(1))  # E: arg-type
    await user.save(condition="age > 3")  # E: arg-type
    await User.query("USER#1", filter_condition=3).all()  # E: arg-type
    batch: list[User] = await User.batch_get({"pk": "USER#1", "sk": "PROFILE"})  # E: dict-item
    print(batch)
    item = await client.get_item("t", {"pk": "USER#1"})
    print(item["n"])  # E: index
    # Documented: type checkers see User.age as an int; path(User.age) is the typed path.
    action = User.age.add(1)  # E: attr-defined
    print(action)


def constructor_mistakes() -> list[User]:
    return [
        User(pk=1, sk="PROFILE", name="n"),  # E: arg-type
        User(pk="USER#1", sk="PROFILE"),  # E: call-arg
        User(pk="USER#1", sk="PROFILE", name="n", nmae="typo"),  # E: call-arg
    ]
