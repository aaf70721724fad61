"""projection=[...] on get_item, query and scan, and QueryResult.project(Model)."""

import asyncio

from pydantic import BaseModel

from pydynox import Attr, DynamoDBClient, ValidationException


class UserCard(BaseModel):
    """Only what a list of users shows: a smaller model than the whole item."""

    name: str
    city: str | None = None


async def main() -> None:
    async with DynamoDBClient(cursor_secret="change-me-to-a-long-random-secret") as client:
        await client.create_table("client-people", partition_key=("pk", "S"), sort_key=("sk", "S"))
        for i in range(5):
            await client.put_item(
                "client-people",
                {
                    "pk": "ORG#1",
                    "sk": f"USER#{i}",
                    "name": f"User {i}",
                    "city": "Oslo",
                    "address": {"street": "Main St", "zip": f"000{i}"},
                    "tags": ["a", "b"],
                    "bio": "a long text that a list view never shows",
                },
            )

        # Attribute paths in the syntax of Attr: names, nested map keys, list elements.
        card = await client.get_item(
            "client-people", {"pk": "ORG#1", "sk": "USER#1"}, projection=["name", "address.zip"]
        )
        print("get_item:", card)
        assert card == {"name": "User 1", "address": {"zip": "0001"}}

        # query and scan too; every name goes through a placeholder ("size", "name" and
        # other reserved words included), merged with those of the filter.
        in_org = Attr("pk") == "ORG#1"
        names = await client.query(
            "client-people", in_org, filter_expression=Attr("name") != "User 0", projection=["name"]
        ).all()
        print("query:", names)
        assert names == [{"name": f"User {i}"} for i in range(1, 5)]

        # Pages and cursors work even when the keys are not projected: pydynox reads them
        # for the cursor and leaves them out of the items.
        result = client.query("client-people", in_org, projection=["name"])
        first = await result.page(2)
        second = await result.page(2, first.next_cursor)
        print("pages:", first.items, second.items)
        assert second.items == [{"name": "User 2"}, {"name": "User 3"}]

        # project(Model) reads a pydantic model's fields and yields the model.
        cards = await client.query("client-people", in_org).project(UserCard).all()
        print("cards:", cards[:2])
        assert cards[0] == UserCard(name="User 0", city="Oslo")
        sync_cards = client.sync_scan("client-people").project(UserCard).all()
        assert sorted(c.name for c in sync_cards) == [c.name for c in cards]

        # A bad path is refused before anything is sent.
        try:
            await client.get_item("client-people", {"pk": "ORG#1", "sk": "USER#1"}, projection=[])
        except ValidationException as error:
            print(error)
            assert "at least one attribute path" in str(error)


if __name__ == "__main__":
    asyncio.run(main())
