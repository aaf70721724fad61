"""A local DynamoDB without pytest: in a script, a notebook or another test runner."""

from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, default_client_set_to
from pydynox.testing import local_client, local_dynamodb


class User(Model):
    model_config = DynamoConfig(table="users")
    pk: Annotated[str, PartitionKey()]
    name: str


def main() -> None:
    with (
        local_dynamodb() as endpoint,
        local_client(endpoint) as client,
        default_client_set_to(client),  # models use it; the previous default comes back after
    ):
        print("local DynamoDB at", endpoint)
        User.sync_create_table()
        User(pk="USER#1", name="Ada").sync_save()
        print(User.sync_get(pk="USER#1"))
    # The server and its data are gone here.


if __name__ == "__main__":
    main()
