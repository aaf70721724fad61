"""Which failed requests are sent again, and when: decided here, once, for both transports.

A request that failed is sent again, after an exponential backoff with full jitter, when
DynamoDB surely did not apply it, whatever the operation:

- throttling (``ProvisionedThroughputExceededException``, ``ThrottlingException``,
  ``RequestLimitExceeded``, ``LimitExceededException``), ``TransactionConflictException`` and
  ``TransactionInProgressException``;
- the connection could not be opened (nothing was sent).

A failure after which DynamoDB *may* have applied the request (a 5xx answer, a connection that
dropped or timed out after the request went out, a response that failed its CRC32 check or
is not in DynamoDB's shape) is retried only when ``IDEMPOTENT``, the table below, says that
applying the request twice leaves DynamoDB as applying it once would. The table lists every
operation pydynox sends (``pydynox._protocol._shapes.OPERATIONS``; a test keeps the two equal).
**An operation missing from it is never sent again after such a failure** (fail closed): a
new write operation (PartiQL ``BatchExecuteStatement`` with ``SET n = n + 1``, say) must be
classified here before pydynox retries it; until then the error is raised, with
``sent=True`` for a connection error, and ``retry_non_idempotent`` does not change that.

What each operation gets, and why:

- reads (``GetItem``, ``Query``, ``Scan``, ``BatchGetItem``, ``TransactGetItems``,
  ``DescribeTable``): always retried; they change nothing.
- ``PutItem``, ``DeleteItem``, ``BatchWriteItem`` (puts and deletes only): retried; writing
  the same item or deleting the same key again leaves the same state. (A *conditional* write
  whose first attempt was applied may then report ``ConditionalCheckFailedException``: the
  stored data is right, the answer is not; every DynamoDB client has this.)
- ``UpdateItem``: retried when it only sets or removes attributes; one with ``ADD``,
  arithmetic (``x + :n``, ``x - :n``) or ``list_append`` would count twice, so it is not
  retried unless the client opts in with ``retry_non_idempotent=True``.
- ``TransactWriteItems``: retried when it carries a ``ClientRequestToken`` (pydynox always
  sends one): DynamoDB applies a repeated token once within ten minutes. Without a token it
  is treated like a counting update.
- ``CreateTable``: retried. If the first attempt was applied the second is refused with
  ``ResourceInUseException``: the table exists as asked and nothing else changed, so the
  state is harmless, though the caller then sees that error for a table its own call made
  (not retrying would instead raise the 5xx or connection error, which says even less).
- ``DeleteTable``: retried. A second attempt after an applied one is refused
  (``ResourceNotFoundException``, or ``ResourceInUseException`` while the table is
  ``DELETING``). On DynamoDB a table stays ``DELETING`` far longer than a retry's backoff
  (at most ``RetryPolicy.cap`` seconds) and cannot be created again meanwhile, so the retry
  does not remove a table someone made in between.
- ``UpdateTimeToLive`` (pydynox only enables TTL on one attribute): retried. Enabling the
  same setting twice is refused with ``ValidationException`` ("TimeToLive is already
  enabled") and changes nothing.
- ``ExecuteStatement`` (PartiQL): retried when the statement is a ``SELECT``, which changes
  nothing. Any other statement is treated like a counting update (retried only with
  ``retry_non_idempotent=True``): an ``UPDATE ... SET n = n + 1`` would count twice, and a
  second ``INSERT`` after an applied one is refused (``DuplicateItemException``).
- ``UpdateTable``, batched PartiQL, backups, streams...: pydynox sends none of them, so they are
  not in the table and are never retried after a failure that may have applied them.
  ``UpdateTable`` in particular is not a safe default: a second index creation or deletion
  is refused or races the first.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydynox.exceptions import ConnectionException, PydynoxException

__all__ = ["IDEMPOTENT", "RetryPolicy", "RetryRules", "is_idempotent", "may_have_applied"]

_THROTTLES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "LimitExceededException",
        "TransactionConflictException",
        "TransactionInProgressException",
    }
)
_SERVER_ERRORS = frozenset({"InternalServerError", "ServiceUnavailable", "InternalFailure"})

# ADD as a clause keyword (not a #placeholder or :value ending in "add"), list_append, + or -.
_COUNTING = re.compile(r"(?<![#:\w])ADD\b|list_append|[+-]", re.IGNORECASE)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry: ``attempts`` in all, full-jitter exponential backoff
    starting at ``base`` seconds and capped at ``cap``."""

    attempts: int = 10
    base: float = 0.05
    cap: float = 5.0

    def delay(self, retry: int) -> float:
        return random.uniform(0, min(self.cap, self.base * 2**retry))


def _not_counting(params: dict[str, Any]) -> bool:
    return not _COUNTING.search(params.get("UpdateExpression", ""))


def _has_token(params: dict[str, Any]) -> bool:
    return "ClientRequestToken" in params


def _always(params: dict[str, Any]) -> bool:
    return True


# A PartiQL statement that starts with SELECT only reads (PartiQL has no SELECT ... INTO).
_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)


def _reads_only(params: dict[str, Any]) -> bool:
    return _SELECT.match(params.get("Statement", "")) is not None


# Operation -> whether this request may be sent again after a failure that may have applied
# it (see the module docstring for each decision). Every operation pydynox sends is here.
IDEMPOTENT: dict[str, Callable[[dict[str, Any]], bool]] = {
    "GetItem": _always,
    "Query": _always,
    "Scan": _always,
    "BatchGetItem": _always,
    "TransactGetItems": _always,
    "DescribeTable": _always,
    "PutItem": _always,
    "DeleteItem": _always,
    "BatchWriteItem": _always,
    "UpdateItem": _not_counting,
    "TransactWriteItems": _has_token,
    "CreateTable": _always,
    "DeleteTable": _always,
    "UpdateTimeToLive": _always,
    "ExecuteStatement": _reads_only,
}


def is_idempotent(op: str, params: dict[str, Any]) -> bool:
    """Whether applying this request twice leaves DynamoDB as applying it once would
    (False for an operation not in ``IDEMPOTENT``)."""
    rule = IDEMPOTENT.get(op)
    return rule is not None and rule(params)


def _surely_not_applied(error: PydynoxException) -> bool:
    if isinstance(error, ConnectionException):
        return not error.sent and not error.permanent
    return error.code in _THROTTLES


def may_have_applied(error: PydynoxException) -> bool:
    """Whether DynamoDB may have applied the request that failed with ``error`` (a 5xx
    answer, or a connection error after the request went out)."""
    if isinstance(error, ConnectionException):
        return error.sent
    return error.code in _SERVER_ERRORS or (error.status or 0) >= 500


@dataclass
class RetryRules:
    """The retry decision for one client: its policy and whether counting updates may be
    retried after a failure that may have applied them."""

    policy: RetryPolicy
    non_idempotent: bool = False
    call_timeout: float | None = None  # seconds one Call may take, every attempt included

    def delay(
        self, op: str, params: dict[str, Any], error: PydynoxException, retry: int
    ) -> float | None:
        """Seconds to wait before sending the request again (``retry`` retries were already
        made), or None to give up and raise ``error``."""
        if retry + 1 >= self.policy.attempts:
            return None
        if _surely_not_applied(error) or (may_have_applied(error) and self._resendable(op, params)):
            return self.policy.delay(retry)
        return None

    def _resendable(self, op: str, params: dict[str, Any]) -> bool:
        """Whether a request that may have been applied may be sent again: the table says
        so, or the client opted in and the table knows the operation (never an unknown one)."""
        return op in IDEMPOTENT and (self.non_idempotent or is_idempotent(op, params))
