"""Try pydynox with no AWS account: an in-memory DynamoDB (moto) on 127.0.0.1.

Needs the ``local`` extra: pip install "pydynox[local]".
"""

import asyncio
from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, set_default_client
from pydynox.testing import local_client, local_dynamodb


class Note(Model):
    model_config = DynamoConfig(table="getting-started-notes")

    id: Annotated[str, PartitionKey()]
    text: str


async def main() -> None:
    await Note.create_table()
    await Note(id="n1", text="hello").save()
    note = await Note.get(id="n1")
    print("stored locally:", note)
    assert note is not None and note.text == "hello"


if __name__ == "__main__":
    with local_dynamodb() as endpoint:  # a free port; the data goes away with the block
        client = local_client(endpoint)  # fixed region and dummy keys
        set_default_client(client)  # models without a client of their own use it
        asyncio.run(main())
        client.sync_close()
