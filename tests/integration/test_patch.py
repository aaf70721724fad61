"""Partial models for PATCH: ``User.patch_model()`` and ``user.apply_patch(body)``."""

from __future__ import annotations

from typing import Annotated, Any

import pydantic
import pytest
from pydantic import Field

from pydynox import (
    ConditionalCheckFailedException,
    DynamoConfig,
    DynamoDBClient,
    Model,
    PartitionKey,
    Version,
)

from .api import Api
from .model_tables import Tables


class Profile(Model):
    pk: Annotated[str, PartitionKey()]
    name: Annotated[str, Field(max_length=20)]
    nick: str | None = None
    age: int = 0
    tags: set[str] = set()
    version: Annotated[int, Version()] = 0


@pytest.fixture
async def profiles(tables: Tables) -> type[Profile]:
    return await tables(Profile)


def test_the_patch_model_has_every_field_but_keys_and_version_all_optional() -> None:
    patch = Profile.patch_model()
    assert set(patch.model_fields) == {"name", "nick", "age", "tags"}
    assert patch.model_validate({}).model_dump(exclude_unset=True) == {}
    assert Profile.patch_model() is patch  # made once per model
    schema = patch.model_json_schema()
    assert schema["additionalProperties"] is False and "required" not in schema
    for bad in ({"pk": "x"}, {"version": 2}, {"name": None}, {"name": "x" * 21}, {"age": "old"}):
        with pytest.raises(pydantic.ValidationError):
            patch.model_validate(bad)


async def test_apply_patch_changes_only_the_fields_sent(
    api: Api, profiles: type[Profile], boto: Any
) -> None:
    user = profiles(pk="u1", name="Ada", nick="A", age=36, tags={"x"})
    await api.on(user).save()
    body = profiles.patch_model().model_validate({"name": "Ada L.", "nick": None})
    result = await api.on(user).apply_patch(body)
    assert result is user
    assert (user.name, user.nick, user.age, user.tags, user.version) == (
        "Ada L.",
        None,
        36,
        {"x"},
        2,
    )
    stored = boto.get_item(TableName=profiles._table_name(), Key={"pk": {"S": "u1"}})["Item"]
    assert (
        "nick" not in stored and stored["age"] == {"N": "36"} and stored["name"] == {"S": "Ada L."}
    )


async def test_an_empty_patch_sends_nothing(
    api: Api, profiles: type[Profile], dead_client: DynamoDBClient
) -> None:
    dead = type(
        "DeadProfile",
        (profiles,),
        {"model_config": DynamoConfig(client=dead_client), "__module__": __name__},
    )
    user = dead(pk="u1", name="Ada")
    assert await api.on(user).apply_patch(dead.patch_model().model_validate({})) is user


async def test_a_stale_patch_is_refused_and_changes_nothing(
    api: Api, profiles: type[Profile]
) -> None:
    user = profiles(pk="u1", name="Ada")
    await api.on(user).save()
    stale = await api.on(profiles).get(pk="u1")
    await api.on(user).apply_patch(profiles.patch_model().model_validate({"age": 1}))
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(stale).apply_patch(profiles.patch_model().model_validate({"age": 2}))
    assert (await api.on(profiles).get(pk="u1")).age == 1
