"""Mistakes in a model declaration are reported when the class is defined, not at the first call."""

from typing import Annotated

from pydynox import DynamoConfig, Model, ModelDefinitionError, PartitionKey


def main() -> None:
    try:

        class NoKey(Model):
            model_config = DynamoConfig(table="no-key")
            name: str

    except ModelDefinitionError as error:
        print("refused:", error)
    else:
        raise AssertionError("a model with a table needs a PartitionKey")

    try:

        class FloatKey(Model):
            model_config = DynamoConfig(table="float-key")
            score: Annotated[float, PartitionKey()]

    except ModelDefinitionError as error:
        print("refused:", error)
        assert "FloatKey.score" in str(error)
    else:
        raise AssertionError("a float cannot be a key")

    class Base(Model):
        """No table and no keys: an abstract base that only shares fields."""

        created_by: str = "system"

    class Item(Base):
        model_config = DynamoConfig(table="items")
        id: Annotated[str, PartitionKey()]

    print("ok:", Item(id="1"))


if __name__ == "__main__":
    main()
