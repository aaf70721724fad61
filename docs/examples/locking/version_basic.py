"""Optimistic locking: a Version() field makes every write conditional on the stored version."""

import asyncio
from typing import Annotated

from pydynox import ConditionalCheckFailedException, DynamoConfig, Model, PartitionKey, Version


class Page(Model):
    model_config = DynamoConfig(table="locking-pages")

    slug: Annotated[str, PartitionKey()]
    body: str
    version: Annotated[int, Version()] = 0


async def main() -> None:
    await Page.create_table()

    page = Page(slug="home", body="Hello")
    await page.save()  # version 0: saved only if no item exists yet; stored as version 1
    print("after the first save:", page.version)
    assert page.version == 1

    try:
        await Page(slug="home", body="I was here first").save()  # another new instance, version 0
    except ConditionalCheckFailedException:
        print("refused: the page already exists")
    else:
        raise AssertionError("expected ConditionalCheckFailedException")

    # Two readers load version 1.
    mine = await Page.get(slug="home")
    theirs = await Page.get(slug="home")
    assert mine is not None and theirs is not None

    mine.body = "Hello, world"
    await mine.save()  # stored version is 1: write, now version 2
    assert mine.version == 2

    theirs.body = "Hi"
    try:
        await theirs.save()  # still at version 1: stale
    except ConditionalCheckFailedException as error:
        print("stale write refused; stored:", error.item)
        assert error.item is not None and error.item["version"] == 2
    else:
        raise AssertionError("a stale write must fail")

    await mine.update(body="Hello again")  # update is versioned too
    assert mine.version == 3

    stored = await Page.get(slug="home")
    assert stored is not None and stored.body == "Hello again"

    await mine.delete()  # conditioned on version 3
    assert mine.version == 0  # not stored any more: a later save creates it anew
    await mine.save()
    assert mine.version == 1


if __name__ == "__main__":
    asyncio.run(main())
