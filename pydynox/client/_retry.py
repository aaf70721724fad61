"""Which failed requests are sent again, and when: decided here, once, for both transports.

A request that failed is sent again, after an exponential backoff with full jitter, when
DynamoDB surely did not apply it:

- throttling (``ProvisionedThroughputExceededException``, ``ThrottlingException``,
  ``RequestLimitExceeded``, ``LimitExceededException``), ``TransactionConflictException`` and
  ``TransactionInProgressException``;
- the connection could not be opened (nothing was sent).

A failure after which DynamoDB *may* have applied the request (a 5xx answer, a connection that
dropped or timed out after the request went out, a response that failed its CRC32 check) is
retried only when applying the request twice is harmless: every read, ``PutItem``,
``DeleteItem``, ``BatchWriteItem``, an ``UpdateItem`` that only sets or removes attributes,
and a ``TransactWriteItems`` carrying a ``ClientRequestToken`` (pydynox always sends one).
An ``UpdateItem`` with ``ADD``, arithmetic (``x + :n``) or ``list_append`` is not retried
after such a failure, because a second application would count twice; the error is raised
with ``sent=True``. ``retry_non_idempotent=True`` on the client retries those too.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from pydynox.exceptions import ConnectionException, PydynoxException

__all__ = ["RetryPolicy", "RetryRules", "is_idempotent"]

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


def is_idempotent(op: str, params: dict[str, Any]) -> bool:
    """Whether applying this request twice leaves DynamoDB as applying it once would."""
    if op == "UpdateItem":
        return not _COUNTING.search(params.get("UpdateExpression", ""))
    if op == "TransactWriteItems":
        return "ClientRequestToken" in params
    return True


def _surely_not_applied(error: PydynoxException) -> bool:
    if isinstance(error, ConnectionException):
        return not error.sent and not error.permanent
    return error.code in _THROTTLES


def _maybe_applied(error: PydynoxException) -> bool:
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
        if _surely_not_applied(error) or (
            _maybe_applied(error) and (self.non_idempotent or is_idempotent(op, params))
        ):
            return self.policy.delay(retry)
        return None
