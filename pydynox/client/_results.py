"""Lazy results of Query and Scan: ``async for`` / ``for``, ``all()``, ``first()``, ``page()``.

A result holds a ``Reader`` (what to read and how to convert each item), not its items: each
iteration runs the read from its start, fetching pages only as they are consumed. The paging
rules live in ``_paging.pages_plan``: ``page_size`` is the per-request ``Limit`` (shrunk to
the items still wanted only when there is no filter), ``limit`` is counted client-side over
the filtered items. After an iteration stops:

- ``last_evaluated_key`` is the key to resume from (None at the end). After a ``limit`` (and
  after ``first()``, a limit of one) it is exactly after the last item returned; after a
  ``break`` out of ``async for`` / ``for`` it is the end of the last page fetched.
- ``scanned_count`` is the number of items DynamoDB evaluated (its ``ScannedCount``, summed
  over the requests): more than the items returned when a filter drops some.

``first()`` and ``all()`` close the generators they open (the plan, the driver) on every
exit: return, error, cancellation; ``async for`` / ``for`` close theirs when the iteration
ends or is itself closed.
``page(page_size, cursor)`` serves HTTP APIs: one page of items and a signed ``next_cursor``
that is None exactly when nothing follows.

A read may project (``Reader.projection``: its ProjectionExpression; ``project(model)``
sets it from a pydantic model). Resuming needs the key attributes of the last item: when a
read needs them (a ``limit`` inside a filtered page, ``page()``) and its projection lacks
them, they are projected too and left out of the items again before conversion, so items
hold what was asked for and cursors stay exact.

A read may have a budget (``Reader.max_read_units``; the rules are ``_paging``'s): its stop,
``CapacityBudgetExceeded``, carries the items ``all()`` or ``page()`` had read, converted.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator, Mapping
from contextlib import aclosing, closing, contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar

from pydantic import BaseModel

from pydynox._protocol._capacity import CapacityMode, ConsumedCapacity
from pydynox._protocol._dry_run import first_request
from pydynox._protocol._paging import (
    PageState,
    budget_params,
    check_positive,
    cursor_page_plan,
    read_plan,
)
from pydynox._protocol._plan import Feed, Plan
from pydynox._protocol._prefix import with_prefix
from pydynox._protocol._requests import Projection, check_projection, with_projection
from pydynox._transport._drivers import drive_async, drive_sync, run_async, run_sync
from pydynox._transport._transports import AsyncTransport, SyncTransport
from pydynox._values._codec import deserialize_item
from pydynox.exceptions import CapacityBudgetExceeded, ValidationException
from pydynox.expressions import Attr

__all__ = ["Page", "QueryResult", "Reader", "SyncQueryResult", "validate_into"]

T = TypeVar("T")
P = TypeVar("P", bound=BaseModel)
Convert = Callable[[dict[str, Any]], T]


def validate_into(model: type[P]) -> Convert[P]:
    """A converter of raw items into ``model``: only its fields are taken, named as stored
    (by field name, never by alias), and validated by pydantic."""
    names = frozenset(model.model_fields)
    validator = model.__pydantic_validator__

    def convert(raw: dict[str, Any]) -> P:
        data = deserialize_item({name: av for name, av in raw.items() if name in names})
        instance: P = validator.validate_python(data, by_alias=False, by_name=True)
        return instance

    return convert


class Page(BaseModel, Generic[T]):
    """One page for an HTTP API: ``items`` and the opaque ``next_cursor`` (None at the end).
    A pydantic model, so ``response_model=Page[User]`` works in FastAPI."""

    items: list[T]
    next_cursor: str | None = None


@dataclass(frozen=True)
class Reader(Generic[T]):
    """What to read: a Query or Scan request, its paging options, and how to convert each
    raw item. ``scope`` is what page cursors are bound to (table, index, partition key);
    ``key_names`` the key attributes of the table and index (None: unknown, learnt from a
    ``LastEvaluatedKey`` or asked of DynamoDB once per client, in ``known_keys``);
    ``prefix`` the client's table prefix, put on the tables of every request its plans send
    (``_prefix.with_prefix``).

    ``projection`` is the paths ``params`` projects (None: whole items); ``fields`` the names
    its items may have (None: unknown), which a projection must keep to, and ``owner`` what
    holds them, for messages (a model's name); ``keep`` the attributes ``project()`` always
    reads besides the model's fields and the key attributes (a discriminator, say).
    ``max_read_units``: the read's budget (``_paging``), None for none."""

    op: str
    params: dict[str, Any]
    convert: Convert[T]
    scope: str
    limit: int | None = None
    page_size: int | None = None
    start_key: Mapping[str, Any] | None = None
    filtered: bool = False
    key_names: tuple[str, ...] | None = None
    secret: bytes | None = None
    known_keys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    prefix: str = ""
    projection: tuple[Attr, ...] | None = None
    fields: frozenset[str] | None = None
    owner: str = ""
    keep: tuple[str, ...] = ()
    max_read_units: float | None = None

    # -- projections ------------------------------------------------------------------------

    def projected(self, paths: Projection) -> Reader[T]:
        """This read, reading only ``paths`` (replacing any projection it had); their top
        attributes must be among ``fields`` when those are known."""
        checked = check_projection(paths)
        tops = [str(path.segments[0]) for path in checked]
        self._check_fields(tops, "")
        return replace(
            self,
            params=with_projection(self.params, checked),
            projection=checked,
            fields=frozenset(tops),
            owner="",  # what it may hold now is what it projects
        )

    def project(self, model: type[P], convert: Convert[P] | None = None) -> Reader[P]:
        """This read, reading only the fields of ``model`` (plus the key attributes, when
        known, and ``keep``) and converting each item with ``convert``, by default
        ``validate_into(model)``."""
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise ValidationException(f"project() takes a pydantic model class, not {model!r}")
        names = list(model.model_fields)
        if not names:
            raise ValidationException(f"{model.__name__} has no fields to project")
        self._check_fields(names, model.__name__)
        extra = [*(self.key_names or ()), *self.keep]
        checked = check_projection([Attr.of(name) for name in [*names, *extra]])
        unprojected: Reader[Any] = self  # the converter changes type
        return replace(
            unprojected,
            params=with_projection(self.params, checked),
            projection=checked,
            fields=frozenset(names),
            owner=model.__name__,
            convert=convert or validate_into(model),
        )

    def _check_fields(self, names: list[str], projecting: str) -> None:
        if self.fields is None:
            return
        for name in names:
            if name not in self.fields:
                what = f"projection of {projecting}" if projecting else "projection"
                where = (
                    f"not a field of {self.owner}"
                    if self.owner
                    else f"not among the attributes this read returns ({sorted(self.fields)})"
                )
                raise ValidationException(f"cannot make this {what}: {name!r} is {where}")

    def converter(self) -> Convert[T]:
        """``convert``, after leaving out of each item the key attributes projected only to
        resume (see the module docstring)."""
        if self.projection is None:
            return self.convert
        tops = frozenset(str(path.segments[0]) for path in self.projection)
        convert = self.convert

        def projected(raw: dict[str, Any]) -> T:
            if raw.keys() <= tops:
                return convert(raw)
            return convert({name: av for name, av in raw.items() if name in tops})

        return projected

    def budgeted(self, max_read_units: float | None, capacity: CapacityMode | None) -> Reader[T]:
        """This read with a budget of ``max_read_units`` (None: none; checked now), asking
        for its capacity as ``capacity`` (the client's setting) says, else in ``TOTAL``."""
        params = budget_params(self.params, max_read_units, capacity)
        if max_read_units is None:
            return self
        return replace(self, params=params, max_read_units=max_read_units)

    # -- plans ------------------------------------------------------------------------------

    def plan(self, state: PageState, first_only: bool = False) -> Plan[None]:
        limit = self.limit
        if first_only:
            # first() is a read with a limit of one: an unfiltered one asks DynamoDB for one
            # item, and the key to resume from is right after the item returned.
            check_positive("limit", limit)
            limit = 1
        pages = read_plan(self, state, limit)
        return with_prefix(pages, self.prefix) if self.prefix else pages

    def page_plan(
        self, page_size: int, cursor: str | None
    ) -> Plan[tuple[list[dict[str, Any]], str | None]]:
        """One page of ``page_size`` items after ``cursor``, and the cursor of the next."""
        page = cursor_page_plan(self, page_size, cursor)
        return with_prefix(page, self.prefix) if self.prefix else page


class _Result(Generic[T]):
    __slots__ = ("_convert", "_reader", "_state")

    def __init__(self, reader: Reader[T]) -> None:
        self._reader = reader
        self._convert = reader.converter()
        self._state = PageState()

    def _page(self, found: tuple[list[dict[str, Any]], str | None]) -> Page[T]:
        raw, cursor = found
        return Page[Any].model_construct(items=[self._convert(i) for i in raw], next_cursor=cursor)

    @contextmanager
    def _kept(self, items: list[T]) -> Iterator[None]:
        """A budget stop (``CapacityBudgetExceeded``) carries ``items`` and those the plan
        kept, converted."""
        try:
            yield
        except CapacityBudgetExceeded as stop:
            stop.items = [*items, *map(self._convert, stop.items)]
            raise

    @property
    def last_evaluated_key(self) -> dict[str, Any] | None:
        """Where the last iteration stopped: pass it as ``last_evaluated_key`` to resume."""
        return self._state.last_evaluated_key

    @property
    def consumed_capacity(self) -> ConsumedCapacity | None:
        """The capacity DynamoDB reported for the last iteration's requests, summed (None
        when they did not ask: see ``return_consumed_capacity`` and ``client.capacity()``)."""
        return self._state.consumed_capacity

    @property
    def scanned_count(self) -> int:
        """How many items DynamoDB evaluated during the last iteration (its ``ScannedCount``,
        summed over the requests): the items a filter dropped are counted too, and a page
        that ``limit`` cut short counts whole. 0 before any iteration."""
        return self._state.scanned_count

    def _plan(self, first_only: bool) -> Plan[None]:
        self._state = PageState()
        return self._reader.plan(self._state, first_only)


class QueryResult(_Result[T]):
    """The async result: ``async for item in result``, ``await result.all()``."""

    __slots__ = ("_transport",)

    def __init__(self, transport: AsyncTransport, reader: Reader[T]) -> None:
        super().__init__(reader)
        self._transport = transport

    def explain(self) -> dict[str, Any]:
        """The first request this read sends, built as it would be sent, without sending it
        (names and values as placeholders, with their maps): see ``client.dry_run()``."""
        return first_request(self._reader, self._transport.capacity)

    def project(self, model: type[P]) -> QueryResult[P]:
        """The same read, reading only the fields of ``model`` (any pydantic model whose
        fields the items have) and yielding ``model`` instances.

        The request projects the model's fields as stored (field names, not aliases), plus
        the key attributes and what the read must keep (an entity's discriminator), so
        ``limit``, ``last_evaluated_key`` and ``page()`` cursors work as before; cursors are
        interchangeable with the unprojected read's. A field the read's items cannot have
        raises ``ValidationException`` naming it, before anything is sent. Projecting a
        projected result narrows it: ``model``'s fields must be among the previous
        projection's, and its projection replaces the previous one."""
        return QueryResult(self._transport, self._reader.project(model))

    async def _pages(self, first_only: bool) -> AsyncGenerator[list[dict[str, Any]], None]:
        plan = self._plan(first_only)
        try:
            async with aclosing(drive_async(Feed(plan), self._transport)) as pages:
                async for page in pages:
                    yield page
        finally:
            plan.close()

    async def __aiter__(self) -> AsyncIterator[T]:
        async with aclosing(self._pages(False)) as pages:
            async for page in pages:
                for raw in page:
                    yield self._convert(raw)

    async def all(self) -> list[T]:
        """Every item, fetching every page."""
        items: list[T] = []
        async with aclosing(self._pages(False)) as pages:
            with self._kept(items):
                async for page in pages:
                    items += map(self._convert, page)
        return items

    async def first(self) -> T | None:
        """The first item, or None; fetches no more than it needs."""
        async with aclosing(self._pages(True)) as pages:
            async for page in pages:
                return self._convert(page[0])
        return None

    async def page(self, page_size: int, cursor: str | None = None) -> Page[T]:
        """One page of ``page_size`` items after ``cursor`` and the signed ``next_cursor``."""
        plan = self._reader.page_plan(page_size, cursor)
        with self._kept([]):
            return self._page(await run_async(plan, self._transport))

    if not TYPE_CHECKING:  # type checkers keep reporting `await result` as not awaitable

        def __await__(self) -> NoReturn:
            raise TypeError(
                "a query or scan result is not awaitable: use `await result.all()` for a list "
                "of every item (or `.first()`, `.page(...)`), or `async for item in result` "
                "to stream them"
            )


class SyncQueryResult(_Result[T]):
    """The sync result: ``for item in result``, ``result.all()``."""

    __slots__ = ("_transport",)

    def __init__(self, transport: SyncTransport, reader: Reader[T]) -> None:
        super().__init__(reader)
        self._transport = transport

    def explain(self) -> dict[str, Any]:
        """The first request this read sends, built as it would be sent, without sending it
        (names and values as placeholders, with their maps): see ``client.dry_run()``."""
        return first_request(self._reader, self._transport.capacity)

    def project(self, model: type[P]) -> SyncQueryResult[P]:
        """The same read, reading only the fields of ``model`` and yielding ``model``
        instances: see ``QueryResult.project``."""
        return SyncQueryResult(self._transport, self._reader.project(model))

    def _pages(self, first_only: bool) -> Generator[list[dict[str, Any]], None, None]:
        plan = self._plan(first_only)
        try:
            with closing(drive_sync(Feed(plan), self._transport)) as pages:
                yield from pages
        finally:
            plan.close()

    def __iter__(self) -> Iterator[T]:
        with closing(self._pages(False)) as pages:
            for page in pages:
                for raw in page:
                    yield self._convert(raw)

    def all(self) -> list[T]:
        """Every item, fetching every page."""
        items: list[T] = []
        with closing(self._pages(False)) as pages, self._kept(items):
            for page in pages:
                items += map(self._convert, page)
        return items

    def first(self) -> T | None:
        """The first item, or None; fetches no more than it needs."""
        with closing(self._pages(True)) as pages:
            for page in pages:
                return self._convert(page[0])
        return None

    def page(self, page_size: int, cursor: str | None = None) -> Page[T]:
        """One page of ``page_size`` items after ``cursor`` and the signed ``next_cursor``."""
        with self._kept([]):
            return self._page(run_sync(self._reader.page_plan(page_size, cursor), self._transport))

    if not TYPE_CHECKING:  # type checkers keep reporting `await result` as not awaitable

        def __await__(self) -> NoReturn:
            raise TypeError(
                "a sync_query or sync_scan result is not awaitable: call `.all()` (no await) "
                "or iterate it with `for`; in async code use query or scan (no sync_) with "
                "`await result.all()` or `async for item in result`"
            )
