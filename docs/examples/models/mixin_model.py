"""Add DynamoDB persistence to an existing pydantic hierarchy with DynamoMixin."""

import asyncio
from typing import Annotated

from pydantic import BaseModel, Field

from pydynox import DynamoConfig, DynamoMixin, PartitionKey


class Person(BaseModel):
    """A model your code already has (for example, a FastAPI schema)."""

    name: str = Field(min_length=1)
    email: str | None = None


class StoredPerson(DynamoMixin, Person):
    model_config = DynamoConfig(table="models-people")

    id: Annotated[str, PartitionKey()]


async def main() -> None:
    await StoredPerson.create_table()
    await StoredPerson(id="p1", name="Grace").save()

    person = await StoredPerson.get(id="p1")
    assert isinstance(person, Person)  # still the pydantic type you had
    print("loaded:", person)


if __name__ == "__main__":
    asyncio.run(main())
