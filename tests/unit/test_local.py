"""pydynox.local.endpoint_client: what a script or the CLI builds from an ``--endpoint-url``.

A local server's endpoint works in a fresh shell (no AWS region, keys or files): the region
and dummy keys are filled in. Whatever the environment configures wins, and an endpoint that
is not a loopback address gets nothing invented. No request is sent here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pydynox.local import LOCAL_KEYS, LOCAL_REGION, endpoint_client, is_loopback_url

AWS_VARIABLES = (
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_DYNAMODB",
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh shell: no AWS variable and an empty home (no ~/.aws files)."""
    for name in AWS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000", "http://127.5.0.1"],
)
def test_a_loopback_endpoint_in_a_fresh_shell_gets_the_local_region_and_keys(
    home: Path, url: str
) -> None:
    client = endpoint_client(url)

    assert is_loopback_url(url)
    assert client.settings.endpoint_url == url
    assert client.settings.region == LOCAL_REGION
    assert (client.settings.access_key, client.settings.secret_key) == LOCAL_KEYS


def test_the_environment_endpoint_counts_when_none_is_given(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000")

    client = endpoint_client()

    assert client.settings.endpoint_url is None  # found by the client, as boto3 finds it
    assert client.settings.region == LOCAL_REGION
    assert client.settings.access_key == LOCAL_KEYS[0]


@pytest.mark.parametrize("url", ["https://dynamodb.eu-west-1.amazonaws.com", "http://10.0.0.5"])
def test_any_other_endpoint_gets_nothing_invented(home: Path, url: str) -> None:
    client = endpoint_client(url)

    assert not is_loopback_url(url)
    assert client.settings.region is None
    assert client.settings.access_key is None


def test_a_configured_region_and_keys_win(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "mine")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")

    client = endpoint_client("http://127.0.0.1:8000")

    assert client.settings.region is None  # the environment's, resolved by the client
    assert client.settings.access_key is None


def test_a_region_in_the_config_file_wins(home: Path) -> None:
    """moto keeps tables per region: a local client must use the region the user's other
    tools (boto3, the app's DynamoDBClient()) find in ~/.aws/config."""
    (home / ".aws").mkdir()
    (home / ".aws" / "config").write_text("[default]\nregion = ap-south-1\n")

    client = endpoint_client("http://127.0.0.1:8000")

    assert client.settings.region is None
    assert client.settings.access_key is None  # a config file may hold keys: not invented


def test_given_settings_win(home: Path) -> None:
    client = endpoint_client(
        "http://127.0.0.1:8000", region="eu-north-1", access_key="a", secret_key="b"
    )

    assert (client.settings.region, client.settings.access_key) == ("eu-north-1", "a")


def test_a_missing_profile_is_left_for_the_client_to_report(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nope")

    client = endpoint_client("http://127.0.0.1:8000")

    assert client.settings.region is None
