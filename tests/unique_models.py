"""Models with ``Unique()`` fields (issue 14 item 10), declared once for the unit and
integration tests.

``Account`` is a plain model of a table keyed by ``pk`` alone, with two unique fields (one
optional: None holds no guard). ``Nick``'s only unique field is optional. ``Handle`` is
versioned. ``Slot`` has unique fields whose stored text is not ``str()`` of the value (a
datetime is stored in UTC with microseconds, a Decimal normalised). ``Member`` is an entity of the
single-table ``AppTable`` (tests/entity_models.py), whose table has a sort key too: its guards
carry the guard text in both keys. The tables named here are placeholders: the integration
tests bind the models to tables of their own (tests/integration/model_tables.py).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, Unique, Version

from .entity_models import AppTable

__all__ = ["Account", "Handle", "Member", "Nick", "Slot"]


class Account(Model):
    model_config = DynamoConfig(table="accounts")
    pk: Annotated[str, PartitionKey()]
    email: Annotated[str, Unique()]
    phone: Annotated[str | None, Unique()] = None
    name: str = ""


class Handle(Model):
    model_config = DynamoConfig(table="handles")
    pk: Annotated[str, PartitionKey()]
    handle: Annotated[str, Unique()]
    bio: str = ""
    version: Annotated[int, Version()] = 0


class Member(AppTable):
    model_config = DynamoConfig(entity="Member", keys={"pk": "USER#{user_id}", "sk": "MEMBER"})
    user_id: str
    email: Annotated[str, Unique()]
    name: str = ""


class Nick(Model):
    model_config = DynamoConfig(table="nicks")
    pk: Annotated[str, PartitionKey()]
    nick: Annotated[str | None, Unique()] = None


class Slot(Model):
    model_config = DynamoConfig(table="slots")
    pk: Annotated[str, PartitionKey()]
    starts: Annotated[dt.datetime | None, Unique()] = None
    price: Annotated[Decimal | None, Unique()] = None
    note: str = ""
