"""Lazy results of Query and Scan: ``async for`` / ``for``, ``all()``, ``first()``.

A result holds how to start its pagination plan, not its items: each iteration runs the
query from its start, fetching pages only as they are consumed. ``last_evaluated_key`` is the
key to resume from after iteration stops (None when the data ended).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydynox.client._drivers import drive_async, drive_sync
from pydynox.client._paging import PageState
from pydynox.client._plan import Feed, Plan
from pydynox.client._transport import AsyncTransport, SyncTransport

__all__ = ["QueryResult", "Reader", "SyncQueryResult"]

T = TypeVar("T")
PlanFactory = Callable[[PageState, bool], Plan[None]]
Convert = Callable[[dict[str, Any]], T]


@dataclass(frozen=True, slots=True)
class Reader(Generic[T]):
    """How to run a read: its plan (given a state and whether one item is enough) and how
    to turn each raw item into a result value."""

    plan: PlanFactory
    convert: Convert[T]


class _Result(Generic[T]):
    __slots__ = ("_convert", "_plan", "_state")

    def __init__(self, reader: Reader[T]) -> None:
        self._plan = reader.plan
        self._convert = reader.convert
        self._state = PageState()

    @property
    def last_evaluated_key(self) -> dict[str, Any] | None:
        """Where the last iteration stopped: pass it as ``last_evaluated_key`` to resume."""
        return self._state.last_evaluated_key

    def _feed(self, first_only: bool = False) -> Feed[None]:
        self._state = PageState()
        return Feed(self._plan(self._state, first_only))


class QueryResult(_Result[T]):
    """The async result: ``async for item in result``, ``await result.all()``."""

    __slots__ = ("_transport",)

    def __init__(self, transport: AsyncTransport, reader: Reader[T]) -> None:
        super().__init__(reader)
        self._transport = transport

    async def _pages(self, first_only: bool) -> AsyncIterator[list[dict[str, Any]]]:
        pages = drive_async(self._feed(first_only), self._transport)
        try:
            async for page in pages:
                yield page
        finally:
            await pages.aclose()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self._pages(False):
            for raw in page:
                yield self._convert(raw)

    async def all(self) -> list[T]:
        """Every item, fetching every page."""
        return [self._convert(raw) async for page in self._pages(False) for raw in page]

    async def first(self) -> T | None:
        """The first item, or None; fetches no more than it needs."""
        async for page in self._pages(True):
            return self._convert(page[0])
        return None


class SyncQueryResult(_Result[T]):
    """The sync result: ``for item in result``, ``result.all()``."""

    __slots__ = ("_transport",)

    def __init__(self, transport: SyncTransport, reader: Reader[T]) -> None:
        super().__init__(reader)
        self._transport = transport

    def _pages(self, first_only: bool) -> Iterator[list[dict[str, Any]]]:
        return drive_sync(self._feed(first_only), self._transport)

    def __iter__(self) -> Iterator[T]:
        for page in self._pages(False):
            for raw in page:
                yield self._convert(raw)

    def all(self) -> list[T]:
        """Every item, fetching every page."""
        return [self._convert(raw) for page in self._pages(False) for raw in page]

    def first(self) -> T | None:
        """The first item, or None; fetches no more than it needs."""
        for page in self._pages(True):
            return self._convert(page[0])
        return None
