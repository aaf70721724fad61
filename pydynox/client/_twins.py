"""Make an async method and its ``sync_`` twin from one builder.

A builder is a plain method that validates its arguments and returns what to run: an ``Op``
(one request and how to parse its response) or a ``Plan`` (multi-step work). ``async_twin``
and ``sync_twin`` wrap the same builder, so the two methods share their signature, their
docstring and every rule; they differ only in the transport and driver they run on.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar

from pydynox._protocol._plan import Plan, call
from pydynox._transport._drivers import run_async, run_sync
from pydynox._transport._transports import AsyncTransport, SyncTransport
from pydynox.client._results import QueryResult, Reader, SyncQueryResult

__all__ = ["Op", "Transports", "async_reader", "async_twin", "sync_reader", "sync_twin"]

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")


class Transports(Protocol):
    _async: AsyncTransport
    _sync: SyncTransport


S = TypeVar("S", bound=Transports)


@dataclass(frozen=True, slots=True)
class Op(Generic[T]):
    """One request: the operation, its params, and the parser of its response."""

    name: str
    params: dict[str, Any]
    parse: Callable[[dict[str, Any]], T]


def _named(method: Any, build: Callable[..., Any], prefix: str) -> Any:
    functools.update_wrapper(method, build)
    name = prefix + build.__name__.lstrip("_")
    method.__name__ = name
    method.__qualname__ = build.__qualname__.rsplit(".", 1)[0] + "." + name
    return method


def async_twin(
    build: Callable[Concatenate[S, P], Op[T] | Plan[T]],
) -> Callable[Concatenate[S, P], Coroutine[Any, Any, T]]:
    """The async method: awaits the builder's request or plan on the running loop."""

    async def method(self: S, *args: P.args, **kwargs: P.kwargs) -> T:
        work = build(self, *args, **kwargs)
        if type(work) is Op:
            return work.parse(await run_async(call(work.name, work.params), self._async))
        return await run_async(work, self._async)  # type: ignore[arg-type]

    named: Callable[Concatenate[S, P], Coroutine[Any, Any, T]] = _named(method, build, "")
    return named


def sync_twin(
    build: Callable[Concatenate[S, P], Op[T] | Plan[T]],
) -> Callable[Concatenate[S, P], T]:
    """The ``sync_`` method: runs the builder's request or plan, blocking."""

    def method(self: S, *args: P.args, **kwargs: P.kwargs) -> T:
        work = build(self, *args, **kwargs)
        if type(work) is Op:
            return work.parse(run_sync(call(work.name, work.params), self._sync))
        return run_sync(work, self._sync)  # type: ignore[arg-type]

    named: Callable[Concatenate[S, P], T] = _named(method, build, "sync_")
    return named


def async_reader(
    build: Callable[Concatenate[S, P], Reader[T]],
) -> Callable[Concatenate[S, P], QueryResult[T]]:
    """A query/scan method: returns a lazy async result (iterate it with ``async for``)."""

    def method(self: S, *args: P.args, **kwargs: P.kwargs) -> QueryResult[T]:
        return QueryResult(self._async, build(self, *args, **kwargs))

    named: Callable[Concatenate[S, P], QueryResult[T]] = _named(method, build, "")
    return named


def sync_reader(
    build: Callable[Concatenate[S, P], Reader[T]],
) -> Callable[Concatenate[S, P], SyncQueryResult[T]]:
    """The ``sync_`` query/scan method: returns a lazy result to iterate with ``for``."""

    def method(self: S, *args: P.args, **kwargs: P.kwargs) -> SyncQueryResult[T]:
        return SyncQueryResult(self._sync, build(self, *args, **kwargs))

    named: Callable[Concatenate[S, P], SyncQueryResult[T]] = _named(method, build, "sync_")
    return named
