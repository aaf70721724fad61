"""What users write and expect to type-check under ``mypy --strict``.

Lines ending in ``# WISH: <name>`` were refused by mypy once and are checked by name in
``tests/unit/test_typing.py``; unmarked lines must stay clean too. Never run.
"""

from __future__ import annotations

from typing import Annotated

from typing_extensions import assert_type

from pydynox import DynamoConfig, GlobalSecondaryIndex, Model, PartitionKey, SortKey, path


class User(Model):
    model_config = DynamoConfig(table="users")

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str
    email: str | None = None
    age: int = 0
    nick: str | None = None

    by_email = GlobalSecondaryIndex("email-index", partition_key="email")


async def combined_conditions() -> None:
    # `User.age > 18` is a bool to mypy; combining it with a real Condition fails.
    adults_named_j = (User.age > 18) & path(User.name).begins_with("J")  # WISH: bool-and-condition
    either = (User.age < 3) | path(User.nick).exists()  # WISH: bool-and-condition
    await User.query("USER#1", filter_condition=adults_named_j).all()
    await User.query("USER#1", filter_condition=either).all()
    # Both sides bool is fine today (bool & bool is bool, admitted by condition=).
    await User.query("USER#1", filter_condition=(User.age > 18) & (User.name == "J")).all()


async def negated_comparison() -> None:
    # `~bool` is an int to mypy, and condition= does not take an int.
    # mypy sees ~(User.age > 3) as an int (bool.__invert__); the documented spelling is:
    await User.query("USER#1", filter_condition=~(path(User.age) > 3)).all()


async def index_items_are_typed() -> None:
    async for hit in User.by_email.query("jane@example.com"):
        assert_type(hit, User)  # WISH: typed-index
    everyone = await User.by_email.query("jane@example.com").all()
    assert_type(everyone, list[User])  # WISH: typed-index
    first = User.by_email.sync_query("jane@example.com").first()
    assert_type(first, User | None)  # WISH: typed-index
