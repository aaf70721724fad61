"""Consumed capacity: what DynamoDB reports a call cost, read, summed and metered.

DynamoDB answers ``ConsumedCapacity`` when a request asks (``ReturnConsumedCapacity``:
``TOTAL``, or ``INDEXES`` for the table and each index apart): one entry for a single-table
operation, a list (one per table) for batches and transactions. ``ConsumedCapacity`` here is
that report summed: the units in total, by table, and by index (``"table/index"``). An entry
that gives only ``CapacityUnits`` (moto, some operations) counts them as read units for a
read operation and write units for a write.

``CapacityMeter`` collects the capacity of every call made while it is active (a context
variable, so it follows the code that opened it into the tasks that code starts, and no
other): ``with client.capacity() as used:`` works for item, model, batch and transaction
calls alike, and makes those calls ask for the capacity even when the client does not.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "CAPACITY_OPERATIONS",
    "CapacityMeter",
    "CapacityMode",
    "CapacityUnits",
    "ConsumedCapacity",
    "active_meters",
    "metering",
]

CapacityMode = Literal["TOTAL", "INDEXES"]

CAPACITY_OPERATIONS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
        "ExecuteStatement",
    }
)
"""The operations that take ``ReturnConsumedCapacity``."""

_READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})


@dataclass(frozen=True)
class CapacityUnits:
    """Capacity units: ``read`` and ``write``, and ``total`` (DynamoDB's ``CapacityUnits``)."""

    read: float = 0.0
    write: float = 0.0
    total: float = 0.0

    def __add__(self, other: CapacityUnits) -> CapacityUnits:
        return CapacityUnits(
            self.read + other.read, self.write + other.write, self.total + other.total
        )

    @classmethod
    def of(cls, raw: Mapping[str, Any], read: bool) -> CapacityUnits:
        total = float(raw.get("CapacityUnits", 0.0) or 0.0)
        reads = raw.get("ReadCapacityUnits")
        writes = raw.get("WriteCapacityUnits")
        if reads is None and writes is None:  # only the total: the operation says which
            return cls(total if read else 0.0, 0.0 if read else total, total)
        return cls(float(reads or 0.0), float(writes or 0.0), total)


def _summed(
    a: Mapping[str, CapacityUnits], b: Mapping[str, CapacityUnits]
) -> dict[str, CapacityUnits]:
    out = dict(a)
    for name, units in b.items():
        out[name] = out[name] + units if name in out else units
    return out


@dataclass(frozen=True)
class ConsumedCapacity:
    """What calls cost, as DynamoDB reported it: ``total`` units, and by table (``tables``)
    and by index (``indexes``, keyed ``"table/index"``; filled with ``INDEXES`` only).
    Capacities add up: ``a + b``."""

    total: CapacityUnits = CapacityUnits()
    tables: Mapping[str, CapacityUnits] = field(default_factory=dict)
    indexes: Mapping[str, CapacityUnits] = field(default_factory=dict)

    @property
    def read_units(self) -> float:
        return self.total.read

    @property
    def write_units(self) -> float:
        return self.total.write

    def __add__(self, other: ConsumedCapacity) -> ConsumedCapacity:
        return ConsumedCapacity(
            self.total + other.total,
            _summed(self.tables, other.tables),
            _summed(self.indexes, other.indexes),
        )

    def without_prefix(self, prefix: str) -> ConsumedCapacity:
        """The same capacity with tables named as the caller names them (``table_prefix``
        taken off)."""
        if not prefix:
            return self

        def bare(name: str) -> str:
            return name[len(prefix) :] if name.startswith(prefix) else name

        return ConsumedCapacity(
            self.total,
            {bare(name): units for name, units in self.tables.items()},
            {bare(name): units for name, units in self.indexes.items()},
        )

    @classmethod
    def of(cls, op: str, response: Mapping[str, Any]) -> ConsumedCapacity | None:
        """The capacity a response reports (None when it reports none)."""
        raw = response.get("ConsumedCapacity")
        if not raw:
            return None
        entries = raw if isinstance(raw, list) else [raw]
        read = op in _READS or (op == "ExecuteStatement" and not _writes(response))
        total = CapacityUnits()
        tables: dict[str, CapacityUnits] = {}
        indexes: dict[str, CapacityUnits] = {}
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            units = CapacityUnits.of(entry, read)
            total += units
            table = str(entry.get("TableName", ""))
            tables = _summed(tables, {table: units})
            for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
                for name, index in (entry.get(kind) or {}).items():
                    indexes = _summed(indexes, {f"{table}/{name}": CapacityUnits.of(index, read)})
        return cls(total, tables, indexes)


def _writes(response: Mapping[str, Any]) -> bool:
    return "Items" not in response


class CapacityMeter:
    """The capacity of the calls made while it was active, summed (``consumed``), and how
    many calls reported some (``calls``)."""

    __slots__ = ("calls", "consumed")

    def __init__(self) -> None:
        self.consumed = ConsumedCapacity()
        self.calls = 0

    def add(self, capacity: ConsumedCapacity) -> None:
        self.consumed = self.consumed + capacity
        self.calls += 1

    def __repr__(self) -> str:
        total = self.consumed.total
        return f"CapacityMeter(read={total.read}, write={total.write}, calls={self.calls})"


_meters: contextvars.ContextVar[tuple[CapacityMeter, ...]] = contextvars.ContextVar(
    "pydynox_capacity_meters", default=()
)


def active_meters() -> tuple[CapacityMeter, ...]:
    return _meters.get()


@contextmanager
def metering() -> Iterator[CapacityMeter]:
    """A meter active for the ``with`` block (nested meters each see the calls)."""
    meter = CapacityMeter()
    token = _meters.set((*_meters.get(), meter))
    try:
        yield meter
    finally:
        _meters.reset(token)
