"""The users table after the migration: version 2 of its items.

Version 1 items stored one ``full_name``; version 2 stores ``first_name`` and ``last_name``
and records ``schema_version``. The model reads both shapes, so the application can run
while ``migrate.py`` upgrades the table, and new users are written as version 2.
"""

from __future__ import annotations

from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey

SCHEMA_VERSION = 2
TABLE = "users"


class User(Model):
    # extra="allow": attributes this model does not declare survive a save(). A migration
    # rewrites whole items, so it must not drop what it does not know about.
    model_config = DynamoConfig(table=TABLE, extra="allow")

    pk: Annotated[str, PartitionKey()]
    email: str
    first_name: str = ""
    last_name: str = ""
    full_name: str | None = None  # version 1 only; None is not stored
    schema_version: int = SCHEMA_VERSION

    def stored_schema_version(self) -> int:
        """The version of the stored item: items from before versioning carry none (1)."""
        return self.schema_version if "schema_version" in self.model_fields_set else 1
