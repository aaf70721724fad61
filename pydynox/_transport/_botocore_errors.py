"""Translation of botocore errors into the pydynox error tree: the one place it happens.

Both botocore-based senders (aiobotocore and botocore) raise the same botocore exception
classes, so one function serves both. The caller raises the result ``from`` the botocore
error, which keeps it as ``__cause__``.
"""

from __future__ import annotations

from botocore import exceptions as bce

from pydynox._protocol._errors import from_response
from pydynox.exceptions import (
    ConnectionException,
    CredentialsException,
    PydynoxException,
    ValidationException,
)

__all__ = ["translate_error"]

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
        return from_response(error.response, status if isinstance(status, int) else None)
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
