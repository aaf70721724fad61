"""Any AWS SDK can use the local server: ``dynamodb_endpoint`` is its URL."""

from collections.abc import Iterator
from typing import Any

import boto3
import pytest


@pytest.fixture
def boto3_client(dynamodb_endpoint: str) -> Iterator[Any]:
    client = boto3.client(
        "dynamodb",
        endpoint_url=dynamodb_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",  # a local server accepts any keys
        aws_secret_access_key="testing",
    )
    yield client
    client.close()


def test_plain_boto3(boto3_client: Any) -> None:
    boto3_client.create_table(
        TableName="raw",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    boto3_client.put_item(TableName="raw", Item={"id": {"S": "1"}})

    item = boto3_client.get_item(TableName="raw", Key={"id": {"S": "1"}})["Item"]

    assert item == {"id": {"S": "1"}}
    boto3_client.delete_table(TableName="raw")
