"""The errors you can meet, and what each one carries."""

import asyncio
from typing import Annotated

import pydantic

from pydynox import (
    Attr,
    ConditionalCheckFailedException,
    DynamoConfig,
    DynamoDBClient,
    ItemTooLargeException,
    Model,
    PartitionKey,
    PydynoxException,
    ResourceNotFoundException,
    SerializationException,
    ValidationException,
)


class User(Model):
    model_config = DynamoConfig(table="errors-users")

    id: Annotated[str, PartitionKey()]
    age: int


async def main() -> None:
    client = DynamoDBClient()
    await client.create_table("errors-users", partition_key=("id", "S"))

    # The table does not exist. DynamoDB's error code and botocore's error are kept.
    try:
        await client.get_item("no-such-table", {"id": "1"})
    except ResourceNotFoundException as error:
        cause = type(error.__cause__)
        print(
            "ResourceNotFoundException:", error.code, "| cause:", cause.__module__, cause.__name__
        )
    else:
        raise AssertionError("expected ResourceNotFoundException")

    # A condition was false: .item is the stored item (None if there was none).
    await client.put_item("errors-users", {"id": "1", "age": 30})
    try:
        await client.put_item(
            "errors-users", {"id": "1", "age": 31}, condition=Attr("id").not_exists()
        )
    except ConditionalCheckFailedException as error:
        print("ConditionalCheckFailedException, stored:", error.item)
        assert error.item == {"id": "1", "age": 30}
    else:
        raise AssertionError("expected ConditionalCheckFailedException")

    # Refused before anything is sent: an empty string in a key ...
    try:
        await client.get_item("errors-users", {"id": ""})
    except ValidationException as error:
        print("ValidationException:", error)
    else:
        raise AssertionError("expected ValidationException")

    # ... a value DynamoDB cannot store (.path names the attribute) ...
    try:
        await client.put_item("errors-users", {"id": "2", "stats": {"ratio": float("nan")}})
    except SerializationException as error:
        print("SerializationException at", error.path, "|", error)
        assert error.path == "stats.ratio"
    else:
        raise AssertionError("expected SerializationException")

    # ... an item over 400 KB (ItemTooLargeException is a ValidationException).
    try:
        await client.put_item("errors-users", {"id": "3", "blob": "x" * 500_000})
    except ItemTooLargeException as error:
        print("ItemTooLargeException:", error.size, "bytes")
    else:
        raise AssertionError("expected ItemTooLargeException")

    # Bad model data is pydantic's own ValidationError, raised before any request.
    try:
        User.model_validate({"id": "4", "age": "not a number"})
    except pydantic.ValidationError as error:
        print("pydantic.ValidationError:", error.error_count(), "error")
    else:
        raise AssertionError("expected pydantic.ValidationError")

    # Every pydynox error derives from PydynoxException.
    try:
        await User.get(id="")
    except PydynoxException as error:
        print(type(error).__name__, "is a PydynoxException")
    else:
        raise AssertionError("expected PydynoxException")


if __name__ == "__main__":
    asyncio.run(main())
