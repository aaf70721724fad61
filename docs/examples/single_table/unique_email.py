"""A unique email: User.email is Annotated[str, Unique()]."""

import asyncio

from shop_models import User, setup

from pydynox import (
    BatchWriter,
    ConditionalCheckFailedException,
    Transaction,
    UniqueConstraintError,
    ValidationException,
)


async def main() -> None:
    await setup()  # Ann holds ann@example.com, Bob bob@example.com

    # Creating a user writes the item and a guard item for its email in one transaction.
    try:
        await User(user_id="3", name="Eve", email="ann@example.com").save()
    except UniqueConstraintError as error:  # a ConditionalCheckFailedException
        print("refused:", error)
        assert error.field == "email" and error.value == "ann@example.com"
        assert isinstance(error, ConditionalCheckFailedException)
    else:
        raise AssertionError("expected UniqueConstraintError")
    assert await User.get(user_id="3") is None  # nothing was written

    # A new instance saved over a stored user would leave the stored user's guard behind:
    # refused too. Load the user (get) to change it.
    try:
        await User(user_id="1", name="Ann", email="ann@example.com").save()
    except ConditionalCheckFailedException as error:
        print("refused:", error)
    else:
        raise AssertionError("expected ConditionalCheckFailedException")

    # Changing it on a loaded user: one transaction writes the item, deletes the old guard
    # and puts the new one. The old email is free again; gsi1 follows the new one.
    ann = await User.get(user_id="1")
    assert ann is not None
    ann.email = "ann@work.example.com"
    await ann.save_changes()
    cy = User(user_id="3", name="Cy", email="ann@example.com")
    await cy.save()
    found = await User.by_gsi1.query(email="ann@work.example.com").first()
    assert found is not None and found.user_id == "1"

    # A taken value is refused on a change too, and nothing changes.
    ann.email = "bob@example.com"
    try:
        await ann.save()
    except UniqueConstraintError as error:
        print("refused:", error)
    else:
        raise AssertionError("expected UniqueConstraintError")
    stored = await User.get(user_id="1")
    assert stored is not None and stored.email == "ann@work.example.com"

    # Deleting a user deletes its guards with it: Cy's email is free again.
    await cy.delete()
    await User(user_id="4", name="Dee", email="ann@example.com").save()

    # Writes that cannot carry the guards are refused before anything is sent.
    for write in (
        User.update_by_key(user_id="2", email="b@example.com"),
        User.delete_by_key(user_id="2"),
    ):
        try:
            await write
        except ValidationException as error:
            print("refused:", error)
        else:
            raise AssertionError("expected ValidationException")
    bob = User(user_id="2", name="Bob", email="bob@example.com")
    try:
        async with BatchWriter() as batch:
            batch.put(bob)
    except ValidationException as error:
        print("BatchWriter refused:", error)
    else:
        raise AssertionError("BatchWriter was accepted")
    try:
        async with Transaction() as tx:
            tx.delete(bob)
    except ValidationException as error:
        print("Transaction refused:", error)
    else:
        raise AssertionError("Transaction was accepted")


if __name__ == "__main__":
    asyncio.run(main())
