"""Aliases shape your JSON API, not the stored attributes; computed fields are not stored."""

import asyncio
from typing import Annotated

from pydantic import Field, computed_field
from pydantic.alias_generators import to_camel

from pydynox import DynamoConfig, DynamoDBClient, Model, PartitionKey


class Account(Model):
    model_config = DynamoConfig(
        table="models-accounts", alias_generator=to_camel, validate_by_name=True
    )

    account_id: Annotated[str, PartitionKey()]
    first_name: str
    last_name: str = Field(default="")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


async def main() -> None:
    await Account.create_table()
    account = Account.model_validate({"accountId": "a1", "firstName": "Ada", "lastName": "L"})
    await account.save()

    client = DynamoDBClient()
    stored = await client.get_item("models-accounts", {"account_id": "a1"})
    print("stored:", stored)  # attribute names are the field names
    assert stored == {"account_id": "a1", "first_name": "Ada", "last_name": "L"}

    loaded = await Account.get(account_id="a1")
    assert loaded is not None
    print("JSON:", loaded.model_dump_json(by_alias=True))


if __name__ == "__main__":
    asyncio.run(main())
