"""Translation of botocore errors into the pydynox error tree: the one place it happens.

Both transports (aiobotocore and botocore) raise the same botocore exception classes, so
one function serves both. The caller raises the result ``from`` the botocore error, which
keeps it as ``__cause__``.
"""

from __future__ import annotations

from typing import Any

from botocore import exceptions as bce

from pydynox.client._codec import deserialize_item
from pydynox.client._shapes import check_error_body
from pydynox.exceptions import (
    AccessDeniedException,
    CancellationReason,
    ConditionalCheckFailedException,
    ConnectionException,
    CredentialsException,
    ItemTooLargeException,
    ProvisionedThroughputExceededException,
    PydynoxException,
    ResourceInUseException,
    ResourceNotFoundException,
    TransactionCanceledException,
    ValidationException,
)

__all__ = ["error_from_wire", "translate_error"]

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

# Failing to connect (to DynamoDB or to the HTTP proxy in front of it) means nothing was
# sent; the other connection errors may follow a request that DynamoDB received and applied.
_NOT_SENT = (
    bce.EndpointConnectionError,
    bce.ConnectTimeoutError,
    bce.SSLError,
    bce.ProxyConnectionError,
)
_CONNECTION_ERRORS = (bce.ConnectionClosedError, bce.ReadTimeoutError, bce.HTTPClientError)

_CREDENTIAL_ERRORS = (
    bce.NoCredentialsError,
    bce.PartialCredentialsError,
    bce.NoRegionError,
    bce.ProfileNotFound,
)


def translate_error(error: BaseException) -> PydynoxException | None:
    """The pydynox error for a botocore error, or None for anything else."""
    if isinstance(error, bce.ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return _from_response(error.response, status if isinstance(status, int) else None)
    if isinstance(error, _NOT_SENT):
        # A certificate that fails verification fails the same way every time.
        permanent = "CERTIFICATE_VERIFY_FAILED" in str(error)
        return ConnectionException(
            f"could not connect to DynamoDB: {error}", sent=False, permanent=permanent
        )
    if isinstance(error, _CONNECTION_ERRORS):
        return ConnectionException(f"the connection to DynamoDB failed: {error}")
    if isinstance(error, bce.NoRegionError):
        return CredentialsException(
            "no AWS region is configured: pass region= to DynamoDBClient or set AWS_REGION"
        )
    if isinstance(error, _CREDENTIAL_ERRORS):
        return CredentialsException(f"no usable AWS credentials: {error}")
    if isinstance(error, bce.ParamValidationError):
        return ValidationException(str(error))
    return None


def error_from_wire(status: int, body: dict[str, Any]) -> PydynoxException:
    """The pydynox error for a DynamoDB JSON error answer (``__type`` and ``message``)."""
    check_error_body(status, body)
    code = str(body.get("__type", "")).rpartition("#")[2] or f"HTTP{status}"
    message = body.get("message") or body.get("Message") or ""
    return _from_response({**body, "Error": {"Code": code, "Message": message}}, status)


def _from_response(response: dict[str, Any], status: int | None) -> PydynoxException:
    """The pydynox error for an error response in botocore's shape."""
    translated = _by_code(response)
    translated.status = status
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
