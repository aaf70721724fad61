"""botocore errors become pydynox errors in one place, keeping what DynamoDB said."""

from __future__ import annotations

from typing import Any

import pytest
from botocore import exceptions as bce

from pydynox import (
    AccessDeniedException,
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
from pydynox._transport._botocore_errors import translate_error


def client_error(code: str, message: str = "msg", **extra: Any) -> bce.ClientError:
    return bce.ClientError({"Error": {"Code": code, "Message": message}, **extra}, "Op")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("ResourceNotFoundException", ResourceNotFoundException),
        ("ResourceInUseException", ResourceInUseException),
        ("ValidationException", ValidationException),
        ("ProvisionedThroughputExceededException", ProvisionedThroughputExceededException),
        ("ThrottlingException", ProvisionedThroughputExceededException),
        ("RequestLimitExceeded", ProvisionedThroughputExceededException),
        ("AccessDeniedException", AccessDeniedException),
        ("UnrecognizedClientException", CredentialsException),
        ("InternalServerError", PydynoxException),
    ],
)
def test_codes_map_to_the_error_tree(code: str, expected: type) -> None:
    error = translate_error(client_error(code, "what DynamoDB said"))
    assert type(error) is expected
    assert error is not None and error.code == code and error.message == "what DynamoDB said"


def test_conditional_check_failure_carries_the_stored_item() -> None:
    raw = client_error("ConditionalCheckFailedException", Item={"pk": {"S": "a"}, "n": {"N": "2"}})
    error = translate_error(raw)
    assert isinstance(error, ConditionalCheckFailedException)
    assert error.item == {"pk": "a", "n": 2}
    assert isinstance(
        translate_error(client_error("ConditionalCheckFailedException")),
        ConditionalCheckFailedException,
    )


def test_cancelled_transaction_has_one_reason_per_action() -> None:
    raw = client_error(
        "TransactionCanceledException",
        CancellationReasons=[
            {"Code": "None"},
            {"Code": "ConditionalCheckFailed", "Message": "no", "Item": {"pk": {"S": "a"}}},
            {"Code": "None"},
        ],
    )
    error = translate_error(raw)
    assert isinstance(error, TransactionCanceledException)
    assert [r.code for r in error.reasons] == [None, "ConditionalCheckFailed", None]
    assert error.reasons[1].item == {"pk": "a"} and error.reasons[1].message == "no"


def test_item_size_validation_becomes_item_too_large() -> None:
    error = translate_error(
        client_error("ValidationException", "Item size has exceeded the maximum allowed size")
    )
    assert isinstance(error, ItemTooLargeException)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (bce.EndpointConnectionError(endpoint_url="http://127.0.0.1:9"), ConnectionException),
        (bce.ReadTimeoutError(endpoint_url="http://x"), ConnectionException),
        (bce.NoCredentialsError(), CredentialsException),
        (bce.NoRegionError(), CredentialsException),
        (bce.ParamValidationError(report="bad"), ValidationException),
    ],
)
def test_transport_errors_are_translated(raw: Exception, expected: type) -> None:
    assert type(translate_error(raw)) is expected


def test_unknown_errors_are_left_alone() -> None:
    assert translate_error(KeyError("x")) is None
