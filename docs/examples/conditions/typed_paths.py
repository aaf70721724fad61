"""Typed paths: what type checkers see, and how path() gives them the attribute path."""

import asyncio
from typing import Annotated

from pydynox import Attr, DynamoConfig, Model, PartitionKey, path


class User(Model):
    model_config = DynamoConfig(table="conditions-paths-users")

    id: Annotated[str, PartitionKey()]
    name: str
    age: int = 0


async def main() -> None:
    await User.create_table()
    await User(id="u1", name="Jane", age=30).save()
    await User(id="u2", name="Bob", age=2).save()

    # At run time User.age is an attribute path (an Attr); a type checker sees an int.
    assert isinstance(path(User.age), Attr)

    # Comparisons type-check as they are (a checker sees bool, condition= accepts it) ...
    adults = await User.scan(filter_condition=(User.age >= 18) & (User.name != "")).all()
    # ... path methods need path() to type-check ...
    j_names = await User.scan(filter_condition=path(User.name).begins_with("J")).all()
    # ... and so does negation, since ~ on a bool is an int to a type checker.
    young = await User.scan(filter_condition=~(path(User.age) >= 18)).all()

    print([u.id for u in adults], [u.id for u in j_names], [u.id for u in young])
    assert [u.id for u in adults] == ["u1"] and [u.id for u in j_names] == ["u1"]
    assert [u.id for u in young] == ["u2"]

    await User.update_by_key(id="u2", atomic=[path(User.age).add(1)])


if __name__ == "__main__":
    asyncio.run(main())
