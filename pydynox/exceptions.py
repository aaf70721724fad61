"""The pydynox error tree.

Every error pydynox raises derives from :class:`PydynoxException`::

    PydynoxException
    ├── ValidationException            bad input, refused before sending where possible
    │   └── ItemTooLargeException      an item over DynamoDB's 400 KB limit
    ├── SerializationException         a value DynamoDB cannot store (NaN, 39 digits, object())
    ├── ModelDefinitionError           a model class declared wrongly
    ├── InvalidCursorException         a page cursor that is tampered, foreign or unreadable
    ├── ResourceNotFoundException      the table (or index) does not exist
    ├── ResourceInUseException         the table already exists or is busy
    ├── ConditionalCheckFailedException  a write's condition was false (``.item``: stored item)
    │   └── UniqueConstraintError      a ``Unique()`` field's value is taken (``.field``, ``.value``)
    ├── TransactionCanceledException   ``.reasons``: one CancellationReason per action
    ├── BatchWriteError                ``.unprocessed``: every write not known to be stored
                                       (``.in_flight``: those whose outcome is unknown)
    ├── BatchGetError                  ``.unprocessed`` keys and the ``.items`` that were read
    ├── CapacityBudgetExceeded         a read reached its ``max_read_units``: ``.items`` read,
                                       ``.consumed`` capacity, ``.last_evaluated_key`` to resume
    ├── ProvisionedThroughputExceededException  throttled, after every retry was spent
    ├── AccessDeniedException          the credentials may not do this
    ├── WaitTimeoutException           a table did not become ACTIVE (or go) within the timeout
    ├── CredentialsException           no usable credentials (or region)
    └── ConnectionException            the endpoint could not be reached, hung up, timed out
                                       or did not speak DynamoDB's protocol

Errors translated from a botocore error (``transport="botocore"``) keep it as ``__cause__``;
``status`` is the HTTP status of DynamoDB's answer and ``request_id`` its request id; ``code``
holds DynamoDB's error code when there was one. Pydantic's ``ValidationError`` is raised unchanged for bad
model data. Messages never include credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = [
    "AccessDeniedException",
    "BatchGetError",
    "BatchWriteError",
    "CancellationReason",
    "CapacityBudgetExceeded",
    "ConditionalCheckFailedException",
    "ConnectionException",
    "CredentialsException",
    "InvalidCursorException",
    "ItemTooLargeException",
    "ModelDefinitionError",
    "ProvisionedThroughputExceededException",
    "PydynoxException",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "SerializationException",
    "TransactionCanceledException",
    "UniqueConstraintError",
    "ValidationException",
    "WaitTimeoutException",
]


class PydynoxException(Exception):
    """Root of every pydynox error. ``code`` is DynamoDB's error code, ``status`` the HTTP
    status of its answer and ``request_id`` its request id, when there was one."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.status: int | None = None
        self.request_id: str | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt without calling __init__ (some take required keyword arguments), so errors
        # cross process boundaries (multiprocessing, concurrent.futures) whole.
        return (_restore, (type(self), self.args, self.__dict__))


def _restore(
    cls: type[PydynoxException], args: tuple[Any, ...], state: dict[str, Any]
) -> PydynoxException:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


class ValidationException(PydynoxException):
    """The request is invalid: refused by pydynox before sending, or by DynamoDB."""


class ItemTooLargeException(ValidationException):
    """An item is over DynamoDB's 400 KB limit (checked before sending)."""

    def __init__(self, message: str, *, size: int | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.size = size


class SerializationException(PydynoxException):
    """A Python value has no DynamoDB representation. ``path`` names the attribute."""

    def __init__(self, message: str, *, path: str = "") -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path


class ModelDefinitionError(PydynoxException):
    """A model class is declared wrongly (missing or doubled key, un-keyable type)."""


class InvalidCursorException(PydynoxException):
    """A page cursor was tampered with, signed with another secret, or belongs elsewhere."""


class ResourceNotFoundException(PydynoxException):
    """The table or index does not exist (or is not active yet)."""


class ResourceInUseException(PydynoxException):
    """The table already exists, or is being created or deleted."""


class ConditionalCheckFailedException(PydynoxException):
    """A write's condition was false. ``item`` is the stored item, or None."""

    def __init__(
        self, message: str, *, item: dict[str, Any] | None = None, code: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.item = item


class UniqueConstraintError(ConditionalCheckFailedException):
    """Another item already holds this value of a ``Unique()`` field: nothing was written.
    ``field`` names the field, ``value`` is the value refused."""

    def __init__(
        self, message: str, *, field: str = "", value: Any = None, code: str | None = None
    ) -> None:
        super().__init__(message, code=code)
        self.field = field
        self.value = value


@dataclass(frozen=True)
class CancellationReason:
    """Why one action of a cancelled transaction failed; ``code`` is None if it did not."""

    code: str | None
    message: str | None = None
    item: dict[str, Any] | None = None


class TransactionCanceledException(PydynoxException):
    """A transaction was cancelled. ``reasons`` has one entry per action, in order."""

    def __init__(
        self,
        message: str,
        *,
        reasons: list[CancellationReason] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.reasons: list[CancellationReason] = reasons or []


class BatchWriteError(PydynoxException):
    """A batch write stopped before every write was acknowledged. ``unprocessed`` lists every
    write (Put/Delete) not known to be stored: refused by DynamoDB, never sent, or in a request
    whose outcome is unknown; ``in_flight`` is that last group (a request cut by cancellation
    or a failure that may have been applied). Resending ``unprocessed`` completes the writes:
    puts and deletes applied twice leave the table as once."""

    def __init__(
        self, message: str, *, unprocessed: list[Any], in_flight: list[Any] | None = None
    ) -> None:
        super().__init__(message)
        self.unprocessed = unprocessed
        self.in_flight = in_flight or []


class BatchGetError(PydynoxException):
    """A batch read gave up. ``unprocessed`` lists the Gets not read; ``items`` what was."""

    def __init__(
        self, message: str, *, unprocessed: list[Any], items: list[dict[str, Any]]
    ) -> None:
        super().__init__(message)
        self.unprocessed = unprocessed
        self.items = items


class CapacityBudgetExceeded(PydynoxException):
    """A read with ``max_read_units=`` (query, scan, count, a model's or a collection's)
    stopped: the read units DynamoDB reported for it reached the budget while data remained.

    A guard against runaway reads, not an exact cap: the first request is always sent, and a
    page is paid for whole before its cost is known, so a read spends its budget plus at most
    the page that reaches it (up to 1 MB of items: 128 read units, 256 consistent). Its items
    are kept; the error comes when the next page would be asked for.

    ``items``: what was read and not yet handed out, converted as the read converts them:
    every item for ``all()``, the page's for ``page()``, none for ``async for`` / ``for``
    (which handed each out) and ``count()``. ``count``: the items read before the stop (for
    ``count()``, the matches counted). ``consumed``: the ``ConsumedCapacity`` of the read.
    ``last_evaluated_key``: pass it as ``last_evaluated_key`` to read on from there, every
    item left exactly once. ``next_cursor`` (``page()`` only): the same place as a page
    cursor. ``max_read_units``: the budget."""

    def __init__(
        self,
        message: str,
        *,
        items: list[Any] | None = None,
        count: int = 0,
        consumed: Any = None,
        last_evaluated_key: dict[str, Any] | None = None,
        next_cursor: str | None = None,
        max_read_units: float = 0.0,
    ) -> None:
        super().__init__(message)
        self.items: list[Any] = items or []
        self.count = count
        self.consumed = consumed  # a ConsumedCapacity (defined above this layer)
        self.last_evaluated_key = last_evaluated_key
        self.next_cursor = next_cursor
        self.max_read_units = max_read_units


class ProvisionedThroughputExceededException(PydynoxException):
    """Throttled by DynamoDB, raised only after every retry attempt was spent."""


class AccessDeniedException(PydynoxException):
    """The credentials are not allowed to perform the operation."""


class WaitTimeoutException(PydynoxException):
    """Waiting for a table to become ACTIVE, or to be gone, took longer than the timeout."""


class CredentialsException(PydynoxException):
    """No usable credentials or region, or DynamoDB did not accept them."""


class ConnectionException(PydynoxException):
    """The endpoint could not be reached, timed out, or closed the connection.

    ``sent`` is False when the request surely never reached DynamoDB (the connection could not
    be opened) and True when it may have been applied (the connection dropped or timed out
    after sending, or the answer was corrupt or not DynamoDB's protocol). ``permanent`` is True
    when trying again cannot help (a TLS certificate that fails verification): such an error
    is never retried.
    """

    def __init__(self, message: str, *, sent: bool = True, permanent: bool = False) -> None:
        super().__init__(message)
        self.sent = sent
        self.permanent = permanent
