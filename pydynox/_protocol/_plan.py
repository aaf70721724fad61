"""Plans: multi-step DynamoDB work written once, with no I/O.

A plan is a generator that yields steps and is sent back their outcomes:

- ``Call(op, params)``: run one DynamoDB operation; the response dict is sent back, or the
  pydynox error it raised is thrown into the plan.
- ``Sleep(seconds)``: wait (backoff between retries); ``None`` is sent back.
- ``Emit(value)``: hand a value to whoever iterates the plan (query and scan items).

The plan's return value is the operation's result. ``_drivers`` holds the two thin shells
that run a plan, one awaiting the async transport and one calling the sync one; every rule
(pagination, chunking, retries, waiting) lives in the plans and in ``Feed``, once: a failed
``Call`` is retried by the Feed (a ``Sleep`` then the same ``Call``) as ``RetryRules`` say,
before the plan ever sees the error.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Generator
from dataclasses import dataclass
from logging import DEBUG
from typing import Any, Generic, TypeVar

from pydynox._protocol._capacity import (
    CAPACITY_OPERATIONS,
    CapacityMode,
    ConsumedCapacity,
    active_meters,
)
from pydynox._protocol._events import (
    CallListener,
    CallRecord,
    emit,
    index_of,
    log,
    retrying,
    tables_of,
)
from pydynox._protocol._retry import RetryRules
from pydynox._protocol._shapes import check_response
from pydynox.exceptions import PydynoxException, ResourceNotFoundException

__all__ = ["Call", "Emit", "Feed", "Plan", "Sleep", "Step", "call", "collect"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call:
    """Run one DynamoDB operation (its API name, e.g. ``"GetItem"``) with these params."""

    op: str
    params: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait this many seconds before the plan goes on."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Emit:
    """A value for the caller iterating the plan (an item of a query, say)."""

    value: Any


Step = Call | Sleep | Emit
Plan = Generator[Step, Any, T]


def call(op: str, params: dict[str, Any]) -> Plan[dict[str, Any]]:
    """The one-call plan: send ``params`` to ``op`` and return the response."""
    response: dict[str, Any] = yield Call(op, params)
    return response


def collect(plan: Plan[Any]) -> Plan[list[Any]]:
    """Run ``plan`` inside another plan, gathering what it emits (lists of items) instead of
    handing it to the caller; its calls and sleeps pass through unchanged."""
    gathered: list[Any] = []
    reply: Any = None
    error: PydynoxException | None = None
    while True:
        try:
            step = plan.throw(error) if error is not None else plan.send(reply)
        except StopIteration:
            return gathered
        reply, error = None, None
        if isinstance(step, Emit):
            gathered.extend(step.value)
            continue
        try:
            reply = yield step
        except PydynoxException as failure:
            error = failure


_CREATE_IT = "create it first: client.create_table(...), or Model.create_table() for a model"


def _name_missing(error: ResourceNotFoundException, call: Call, prefix: str) -> None:
    """Make DynamoDB's ``ResourceNotFoundException`` ("Requested resource not found", which
    names nothing) name the tables ``call`` named, as the caller named them and, with a table
    prefix, as sent, and say how to create one. ``code``, ``status``, ``request_id`` and the
    cause are kept: the message is extended in place (once: each answer is a new error).
    Errors pydynox raised itself (no ``code``: a dry run's, a model's missing item) already
    say what they mean."""
    if error.code != "ResourceNotFoundException":
        return
    size = len(prefix)
    names = [
        f"{t[size:]!r} (sent as {t!r})" if prefix and t.startswith(prefix) else repr(t)
        for t in tables_of(call.op, call.params)
    ]
    index = index_of(call.params)
    if index is not None and "index" in error.message.lower():  # moto: "Invalid index"
        detail = f"table {', '.join(names)}, index {index!r}"
        error.message = f"{error.message} ({detail})"
    else:
        if not names:
            missing = "the table the statement names"  # PartiQL: the table is in its text
        elif len(names) == 1:
            missing = f"table {names[0]}"
        else:
            missing = f"one of the tables {', '.join(names)}"
        if call.op == "DeleteTable":
            error.message = f"{error.message}: {missing} does not exist"
        else:
            error.message = (
                f"{error.message}: {missing} does not exist (or is not ACTIVE yet); {_CREATE_IT}"
            )
    error.args = (error.message, *error.args[1:])


class Feed(Generic[T]):
    """Steps a plan forward; the drivers answer each step with ``answer`` or ``fail``.

    Iterating a Feed yields the plan's steps; after the loop ends, ``result`` holds what the
    plan returned. A failed Call that ``retry`` allows to be sent again is yielded again
    after a Sleep, and the plan only sees the outcome of its last attempt. ``deadline`` is when
    the current Call, all its attempts and backoff included, must be over (``call_timeout``):
    the drivers hand it to the transport, and no retry is scheduled past it. Keeping this
    bookkeeping here leaves the drivers a few lines each.
    """

    __slots__ = (
        "_again",
        "_call",
        "_causes",
        "_error",
        "_open",
        "_plan",
        "_reply",
        "_retries",
        "_started",
        "capacity",
        "deadline",
        "observe",
        "prefix",
        "result",
        "retry",
    )

    def __init__(self, plan: Plan[T], retry: RetryRules | None = None) -> None:
        self._plan = plan
        self.retry = retry
        self._reply: Any = None
        self._error: PydynoxException | None = None
        self._call: Call | None = None
        self._again: list[Step] = []
        self._retries = 0
        self._causes: list[str] = []
        self._started = 0.0
        self._open = False  # a Call is under way: its record is still to come
        self.deadline: float | None = None  # time.monotonic() by which the Call must end
        self.observe: tuple[CallListener, ...] | None = None  # listeners of call records
        self.capacity: CapacityMode | None = None  # ReturnConsumedCapacity to ask for
        self.prefix = ""  # the client's table prefix: meters name tables without it
        self.result: T

    def __iter__(self) -> Feed[T]:
        return self

    def __next__(self) -> Step:
        again = self._again
        if again:  # a retry: the Sleep, then the same Call again
            return again.pop()
        error, self._error = self._error, None
        reply, self._reply = self._reply, None
        try:
            step = self._plan.throw(error) if error is not None else self._plan.send(reply)
        except StopIteration as stop:
            self.result = stop.value
            raise StopIteration from None
        if type(step) is Call:
            capacity = self.capacity or ("TOTAL" if active_meters() else None)
            if (
                capacity is not None
                and step.op in CAPACITY_OPERATIONS
                and "ReturnConsumedCapacity" not in step.params
            ):
                step = Call(step.op, {**step.params, "ReturnConsumedCapacity": capacity})
            self._call, self._retries = step, 0
            self._started = time.monotonic()
            self._open = True
            if self._causes:
                self._causes = []
            timeout = self.retry.call_timeout if self.retry is not None else None
            self.deadline = None if timeout is None else self._started + timeout
        return step

    def answer(self, reply: Any) -> None:
        """The response to the last Call (drivers answer Calls only). One that is not in
        DynamoDB's shape is that Call's failure: ``fail`` and the retry rules take it."""
        call = self._call
        if call is not None:
            try:
                check_response(call.op, call.params, reply)
            except PydynoxException as error:
                self.fail(error)
                return
            if self.observe is not None or log.isEnabledFor(DEBUG) or active_meters():
                self._record(call, reply, None)
            else:
                self._open = False
        self._reply = reply

    def fail(self, error: PydynoxException) -> None:
        """The last Call failed: it is sent again after a Sleep if the retry rules allow,
        otherwise the error is thrown into the plan at its yield."""
        call, retry = self._call, self.retry
        if call is not None and retry is not None:
            delay = retry.delay(call.op, call.params, error, self._retries)
            deadline = self.deadline
            if delay is not None and (deadline is None or time.monotonic() + delay < deadline):
                self._retries += 1
                cause = error.code or type(error).__name__
                self._causes.append(cause)
                retrying(call.op, call.params, cause, self._retries, delay)
                self._again = [call, Sleep(delay)]
                return
        if call is not None:
            self._record(call, None, error)
            if isinstance(error, ResourceNotFoundException):
                _name_missing(error, call, self.prefix)
        self._error = error

    def _record(
        self, call: Call, reply: dict[str, Any] | None, error: BaseException | None
    ) -> None:
        """The call is over (answered, failed, or stopped: cancelled, interrupted): its
        record to the listeners and the log, its capacity to the active meters."""
        self._open = False
        capacity = ConsumedCapacity.of(call.op, reply) if reply is not None else None
        if capacity is not None:
            meters = active_meters()
            if meters:
                named = capacity.without_prefix(self.prefix)
                for meter in meters:
                    meter.add(named)
        meta = reply.get("ResponseMetadata") if reply is not None else None
        causes: dict[str, int] = {}
        for cause in self._causes:
            causes[cause] = causes.get(cause, 0) + 1
        record = CallRecord(
            call.op,
            tables_of(call.op, call.params),
            index_of(call.params),
            self._retries + 1,
            causes,
            time.monotonic() - self._started,
            (meta.get("HTTPStatusCode") if meta else None)
            if error is None
            else getattr(error, "status", None),
            (meta.get("RequestId") if meta else None)
            if error is None
            else getattr(error, "request_id", None),
            capacity,
            None if error is None else type(error).__name__,
        )
        emit(self.observe, record)

    def __enter__(self) -> Feed[T]:
        return self

    def __exit__(self, kind: object, stop: BaseException | None, tb: object) -> None:
        """A driver runs the plan inside ``with feed:``: whatever stops it (cancellation,
        ``KeyboardInterrupt``, a plan's own error) is heard by the plan (``abort``); the
        caller ending its iteration early (``GeneratorExit``) is not."""
        if stop is not None and not isinstance(stop, GeneratorExit):
            self.abort(stop)  # first: the plan accounts for its unfinished work
            call = self._call
            if self._open and call is not None:  # stopped mid-call: it may have been applied
                self._record(call, None, stop)

    def abort(self, stop: BaseException) -> None:
        """The driver stops on ``stop`` (cancellation, ``KeyboardInterrupt``, a bug) while the
        plan waits for a step: the plan hears it at its ``yield``, so it can account for the
        work it leaves unfinished (a batch write attaches the writes not stored), and ``stop``
        goes on whatever the plan does."""
        if inspect.getgeneratorstate(self._plan) != inspect.GEN_SUSPENDED:
            return  # the plan raised it itself, or has ended
        try:
            self._plan.throw(stop)
        except BaseException:  # the plan let it through: the driver re-raises it
            return
        self._plan.close()  # the plan went on: its next step is never run
