"""Model declarations shared by several test files (unit and integration).

Each is declared once here; a file that needs a model shaped for its own assertions declares
that one itself. The tables named in ``DynamoConfig`` are placeholders: the integration tests
bind a subclass to a table of their own (tests/integration/model_tables.py).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated

from pydantic import BaseModel

from pydynox import (
    DynamoConfig,
    Model,
    PartitionKey,
    Version,
    after_delete,
    after_load,
    after_save,
    after_update,
    before_delete,
    before_save,
    before_update,
)

__all__ = ["CALLS", "Account", "Address", "Hooked", "Status"]


class Address(BaseModel):
    """A nested pydantic model (a map in DynamoDB)."""

    city: str
    zip: str | None = None


class Status(str, Enum):
    open = "open"
    closed = "closed"


class Account(Model):
    """A versioned model: each write is conditioned on the version it read."""

    model_config = DynamoConfig(table="accounts")
    id: Annotated[str, PartitionKey()]
    balance: int = 0
    version: Annotated[int, Version()] = 0


# Every hook of ``Hooked`` appends what ran here, in order; a test clears it first.
CALLS: list[str] = []


class Hooked(Model):
    """A model with every hook; each one records itself in ``CALLS``, and the ``before_``
    hooks refuse (RuntimeError) while ``locked`` is true."""

    model_config = DynamoConfig(table="hooked")
    id: Annotated[str, PartitionKey()]
    n: int = 0
    locked: bool = False

    @before_save
    def _first_before_save(self) -> None:
        CALLS.append("before_save 1")
        if self.locked:
            raise RuntimeError("locked")

    @before_save
    def _second_before_save(self) -> None:
        CALLS.append("before_save 2")

    @after_save
    def _after_save(self) -> None:
        CALLS.append("after_save")

    @before_update
    def _before_update(self) -> None:
        CALLS.append(f"before_update n={self.n}")
        if self.locked:
            raise RuntimeError("locked")

    @after_update
    def _after_update(self) -> None:
        CALLS.append(f"after_update n={self.n}")

    @before_delete
    def _before_delete(self) -> None:
        CALLS.append("before_delete")
        if self.locked:
            raise RuntimeError("locked")

    @after_delete
    def _after_delete(self) -> None:
        CALLS.append("after_delete")

    @after_load
    def _after_load(self) -> None:
        CALLS.append(f"after_load {self.id}")
