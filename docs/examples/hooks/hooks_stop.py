"""A before_* hook that raises stops the operation: nothing is sent."""

import asyncio
from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, before_delete, before_save


class Document(Model):
    model_config = DynamoConfig(table="hooks-documents")

    id: Annotated[str, PartitionKey()]
    title: str
    locked: bool = False

    @before_save
    def check_title(self) -> None:
        if not self.title.strip():
            raise ValueError("a document needs a title")

    @before_delete
    def refuse_locked(self) -> None:
        if self.locked:
            raise PermissionError(f"document {self.id} is locked")


async def main() -> None:
    await Document.create_table()

    try:
        await Document(id="d1", title="   ").save()
    except ValueError as error:
        print("not saved:", error)
    else:
        raise AssertionError("expected ValueError")
    assert await Document.get(id="d1") is None

    doc = Document(id="d2", title="Report", locked=True)
    await doc.save()
    try:
        await doc.delete()
    except PermissionError as error:
        print("not deleted:", error)
    else:
        raise AssertionError("expected PermissionError")
    assert await Document.get(id="d2") is not None

    # Hooks are plain functions: an async def hook is refused when the class is defined.
    try:

        class Broken(Model):
            model_config = DynamoConfig(table="broken")
            id: Annotated[str, PartitionKey()]

            @before_save
            async def check(self) -> None: ...

    except TypeError as error:
        print("refused:", error)
    else:
        raise AssertionError("async hooks are refused")


if __name__ == "__main__":
    asyncio.run(main())
