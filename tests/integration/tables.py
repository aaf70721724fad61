"""Tables for the integration tests: unique names, and a pool of empty tables kept for the
session so that a test does not pay a CreateTable and a DeleteTable.

``TablePool`` (one per local server, the ``table_pool`` fixture) lends a table to one test at
a time, empty: a test takes one (``lend``; or ``take``, None when no table of that kind is
free, and the test makes a new one) and gives it back at teardown (``give_back``). Then every
item left in it is deleted, straight on the server with plain boto3, before the next test may
take it. A table holding more than ``KEEP_AT_MOST`` items (bulk and load tests) is deleted
instead, and one the test deleted is forgotten: emptying those would cost more than making a
new one. Tables are pooled by their ``kind`` (key schema, or the model they were made for),
so a test always gets a table of the keys, indexes and TTL it asked for.

So every test still starts on an empty table of its own, and may count or scan it whole.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Hashable, Iterator
from typing import Any

KEEP_AT_MOST = 100  # items a table may hold and still be emptied for the next test


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_table(boto: Any, name: str, *keys: tuple[str, str]) -> None:
    """Create ``name`` keyed by ``(attribute, type)`` pairs (partition key first) with plain
    boto3, and wait until it is ACTIVE (dynalite keeps a new table CREATING for a moment)."""
    boto.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": attribute, "KeyType": role}
            for (attribute, _), role in zip(keys, ("HASH", "RANGE")[: len(keys)], strict=True)
        ],
        AttributeDefinitions=[
            {"AttributeName": attribute, "AttributeType": kind} for attribute, kind in keys
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    deadline = time.monotonic() + 10
    while boto.describe_table(TableName=name)["Table"]["TableStatus"] != "ACTIVE":
        assert time.monotonic() < deadline, f"table {name} is not ACTIVE after 10 s"
        time.sleep(0.005)


class TablePool:
    """Empty tables of one local server, lent to one test at a time (module docstring)."""

    def __init__(self, boto: Any) -> None:
        self.boto = boto
        self._free: dict[Hashable, list[str]] = {}
        self._keys: dict[str, list[str]] = {}  # table -> its key attributes

    @contextlib.contextmanager
    def lend(self, kind: Hashable, create: Callable[[str], None]) -> Iterator[str]:
        """An empty table of this ``kind`` for the block: a pooled one, or a new one that
        ``create(name)`` makes; given back when the block ends."""
        name = self.take(kind)
        if name is None:
            name = unique("t")
            create(name)
        try:
            yield name
        finally:
            self.give_back(kind, name)

    def take(self, kind: Hashable) -> str | None:
        """An empty pooled table of this ``kind``, or None: then the test makes a new one
        (and gives it back when done, to be pooled)."""
        free = self._free.get(kind)
        return free.pop() if free else None

    def give_back(self, kind: Hashable, name: str) -> None:
        """Empty ``name`` for the next test, or delete it (module docstring)."""
        try:
            emptied = self._empty(name)
        except self.boto.exceptions.ResourceNotFoundException:
            self._keys.pop(name, None)
            return  # the test deleted it
        if emptied:
            self._free.setdefault(kind, []).append(name)
        else:
            self.delete(name)

    def delete(self, name: str) -> None:
        self._keys.pop(name, None)
        with contextlib.suppress(self.boto.exceptions.ResourceNotFoundException):
            self.boto.delete_table(TableName=name)

    def close(self) -> None:
        """Delete every pooled table."""
        for names in self._free.values():
            for name in names:
                self.delete(name)
        self._free.clear()

    def _empty(self, name: str) -> bool:
        """Delete the items of ``name``; False (and nothing deleted) when it holds more than
        ``KEEP_AT_MOST``, or more than one scan page."""
        if name not in self._keys:
            schema = self.boto.describe_table(TableName=name)["Table"]["KeySchema"]
            self._keys[name] = [key["AttributeName"] for key in schema]
        keys = self._keys[name]
        page = self.boto.scan(
            TableName=name,
            ConsistentRead=True,
            Limit=KEEP_AT_MOST + 1,
            ProjectionExpression=", ".join(f"#k{i}" for i in range(len(keys))),
            ExpressionAttributeNames={f"#k{i}": key for i, key in enumerate(keys)},
        )
        items = page["Items"]
        if len(items) > KEEP_AT_MOST or "LastEvaluatedKey" in page:  # (or over 1 MB)
            return False
        for start in range(0, len(items), 25):
            deletes = [{"DeleteRequest": {"Key": key}} for key in items[start : start + 25]]
            requests: dict[str, Any] = {name: deletes}
            while requests:
                requests = self.boto.batch_write_item(RequestItems=requests)["UnprocessedItems"]
        return True
