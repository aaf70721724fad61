"""Mistakes a user makes, which ``mypy --strict`` and pyright (strict) must report
(``tests/unit/test_typing.py``).

A line ending in ``# E: <code> | <rule>`` must get a mypy error with that code and a pyright
error under that rule; every other line must be clean for both. Never imported or run.
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


def untyped(user, greeting: str) -> str:  # E: no-untyped-def | reportMissingParameterType
    return f"{greeting} {user}"  # strict mode only (mypy --strict, pyright's strict list)


async def mistakes(client: DynamoDBClient, user: User) -> None:
    found = await User.get(pk="USER#1", sk="PROFILE")
    print(found.name)  # E: union-attr | reportOptionalMemberAccess
    print(greet(found))  # E: arg-type | reportArgumentType
    numbers: list[int] = User.sync_query("USER#1").all()  # E: assignment | reportAssignmentType
    print(numbers)
    first: int | None = await User.query("USER#1").first()  # E: assignment | reportAssignmentType
    print(first)
    not_awaited: User | None = User.get(pk="USER#1", sk="P")  # E: assignment | reportAssignmentType
    print(not_awaited)
    await User.sync_get(pk="USER#1", sk="PROFILE")  # E: misc | reportGeneralTypeIssues
    await User.query("USER#1")  # E: misc | reportGeneralTypeIssues
    await client.sync_scan("t")  # E: misc | reportGeneralTypeIssues
    for _ in User.query("USER#1"):  # E: attr-defined | reportGeneralTypeIssues
        pass
    async for _ in User.sync_query("USER#1"):  # E: attr-defined | reportGeneralTypeIssues
        pass
    User.query(partition_key="USER#1", limt=3)  # E: call-overload | reportArgumentType
    await user.update(atomic=path(User.age).add(1))  # E: arg-type | reportArgumentType
    await user.save(condition="age > 3")  # E: arg-type | reportArgumentType
    await User.query("USER#1", filter_condition=3).all()  # E: call-overload | reportArgumentType
    batch: list[User] = await User.batch_get({"pk": "USER#1"})  # E: dict-item | reportArgumentType
    print(batch)
    item = await client.get_item("t", {"pk": "USER#1"})
    print(item["n"])  # E: index | reportOptionalSubscript
    # Documented: type checkers see User.age as an int; path(User.age) is the typed path.
    User.age.add(1)  # E: attr-defined | reportAttributeAccessIssue


def constructor_mistakes() -> list[User]:
    return [
        User(pk=1, sk="PROFILE", name="n"),  # E: arg-type | reportArgumentType
        User(pk="USER#1", sk="PROFILE"),  # E: call-arg | reportCallIssue
        User(pk="USER#1", sk="PROFILE", name="n", nmae="typo"),  # E: call-arg | reportCallIssue
    ]
