"""DynamoDB's error answers as pydynox errors: the one mapping from error codes to the tree.

``error_from_wire`` reads a JSON error body (``__type`` and ``message``); ``from_response``
reads one in botocore's shape, which the botocore transport's translation uses as well.
"""

from __future__ import annotations

from typing import Any

from pydynox._protocol._shapes import check_error_body
from pydynox._values._codec import deserialize_item
from pydynox.exceptions import (
    AccessDeniedException,
    CancellationReason,
    ConditionalCheckFailedException,
    CredentialsException,
    ItemTooLargeException,
    ProvisionedThroughputExceededException,
    PydynoxException,
    ResourceInUseException,
    ResourceNotFoundException,
    TransactionCanceledException,
    ValidationException,
)

__all__ = ["error_from_wire", "from_response"]

_BY_CODE: dict[str, type[PydynoxException]] = {
    "ResourceNotFoundException": ResourceNotFoundException,
    "ResourceInUseException": ResourceInUseException,
    "ValidationException": ValidationException,
    "SerializationException": ValidationException,
    "ProvisionedThroughputExceededException": ProvisionedThroughputExceededException,
    "ThrottlingException": ProvisionedThroughputExceededException,
    "RequestLimitExceeded": ProvisionedThroughputExceededException,
    "AccessDeniedException": AccessDeniedException,
    "UnrecognizedClientException": CredentialsException,
    "InvalidSignatureException": CredentialsException,
    "MissingAuthenticationTokenException": CredentialsException,
    "ExpiredTokenException": CredentialsException,
    "IncompleteSignatureException": CredentialsException,
}


def error_from_wire(status: int, body: dict[str, Any]) -> PydynoxException:
    """The pydynox error for a DynamoDB JSON error answer (``__type`` and ``message``)."""
    check_error_body(status, body)
    code = str(body.get("__type", "")).rpartition("#")[2] or f"HTTP{status}"
    message = body.get("message") or body.get("Message") or ""
    return from_response({**body, "Error": {"Code": code, "Message": message}}, status)


def from_response(response: dict[str, Any], status: int | None) -> PydynoxException:
    """The pydynox error for an error response in botocore's shape."""
    translated = _by_code(response)
    translated.status = status
    meta = response.get("ResponseMetadata")
    if isinstance(meta, dict) and isinstance(meta.get("RequestId"), str):
        translated.request_id = meta["RequestId"]
    return translated


def _by_code(response: dict[str, Any]) -> PydynoxException:
    error = response.get("Error", {})
    code = str(error.get("Code", "Unknown"))
    message = str(error.get("Message", "") or code)
    if code == "ConditionalCheckFailedException":
        stored = response.get("Item")
        return ConditionalCheckFailedException(
            message, item=deserialize_item(stored) if stored else None, code=code
        )
    if code == "TransactionCanceledException":
        reasons = [_reason(r) for r in response.get("CancellationReasons", [])]
        return TransactionCanceledException(message, reasons=reasons, code=code)
    if code == "ValidationException" and "item size" in message.lower():
        return ItemTooLargeException(message, code=code)
    return _BY_CODE.get(code, PydynoxException)(message, code=code)


def _reason(raw: dict[str, Any]) -> CancellationReason:
    code = raw.get("Code")
    item = raw.get("Item")
    return CancellationReason(
        code=None if code in (None, "None") else str(code),
        message=raw.get("Message"),
        item=deserialize_item(item) if item else None,
    )
