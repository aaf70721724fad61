"""Every condition operator, used as a scan filter on a small table."""

import asyncio
from typing import Annotated

from pydantic import BaseModel

from pydynox import Condition, DynamoConfig, Model, PartitionKey, path


class Address(BaseModel):
    city: str


class User(Model):
    model_config = DynamoConfig(table="conditions-users")

    id: Annotated[str, PartitionKey()]
    name: str
    age: int = 0
    email: str | None = None
    tags: set[str] = set()
    address: Address | None = None


async def ids(condition: Condition | bool) -> list[str]:
    # Type checkers see `User.age == 36` as a bool; at run time it is a Condition.
    users = await User.scan(filter_condition=condition).all()
    return sorted(u.id for u in users)


async def main() -> None:
    await User.create_table()
    await User(
        id="u1",
        name="Ada",
        age=36,
        email="ada@example.com",
        tags={"admin", "math"},
        address=Address(city="London"),
    ).save()
    await User(
        id="u2", name="Alan", age=41, tags={"math"}, address=Address(city="Manchester")
    ).save()
    await User(id="u3", name="Grace", age=85, tags={"navy"}).save()

    checks: dict[str, tuple[Condition | bool, list[str]]] = {
        "age == 36": (User.age == 36, ["u1"]),
        "age != 36": (User.age != 36, ["u2", "u3"]),
        "age < 40": (User.age < 40, ["u1"]),
        "age between 40 and 90": (path(User.age).between(40, 90), ["u2", "u3"]),
        "name begins with A": (path(User.name).begins_with("A"), ["u1", "u2"]),
        "tags contain admin": (path(User.tags).contains("admin"), ["u1"]),
        "email exists": (path(User.email).exists(), ["u1"]),
        "email does not exist": (path(User.email).not_exists(), ["u2", "u3"]),
        "name in (Ada, Grace)": (path(User.name).is_in(["Ada", "Grace"]), ["u1", "u3"]),
        "more than one tag": (path(User.tags).size() > 1, ["u1"]),
        "city is London": (path(User.address)["city"] == "London", ["u1"]),
        "young and math": ((User.age < 40) & path(User.tags).contains("math"), ["u1"]),
        "Grace or over 40": ((User.name == "Grace") | (User.age > 40), ["u2", "u3"]),
        "not under 40": (~(path(User.age) < 40), ["u2", "u3"]),
    }
    for label, (condition, expected) in checks.items():
        found = await ids(condition)
        print(f"{label:24} {found}")
        assert found == expected, label


if __name__ == "__main__":
    asyncio.run(main())
