"""The wire transport sends where boto3 sends and signs for the region boto3 signs for, in
every AWS configuration of the matrix below; configuration errors are pydynox errors.

For each configuration (a temporary AWS config file and credentials file, environment
variables, client arguments, ``boto3.setup_default_session``), boto3's side is a boto3
client made as a user's code makes it: its ``client.meta`` and the request it would send,
caught by a ``before-send`` handler that answers it, so nothing leaves. pydynox's side is the
request its wire transport builds for the same call (``_Endpoint.request``), never sent. Both
must agree on the URL (scheme, host, port, path), the credential scope's region and
``client.meta``; the expected URL and region of each row are spelled out too, so the table in
docs/client.md says what this test checks.
"""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.awsrequest import AWSResponse

from pydynox import DynamoDBClient
from pydynox._transport._aws import config_for
from pydynox._transport._sigv4 import Credentials
from pydynox._transport._wire import _Endpoint
from pydynox.exceptions import CredentialsException

CREDENTIALS = """\
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = default-secret

[dev]
aws_access_key_id = AKIDDEV
aws_secret_access_key = dev-secret

[acct]
aws_access_key_id = AKIDACCT
aws_secret_access_key = acct-secret
aws_account_id = 111122223333
"""

SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/dynamodb/aws4_request")


@dataclass(frozen=True)
class Case:
    name: str
    url: str  # where both send a GetItem
    region: str  # the region both sign for
    config: str = ""  # the AWS config file
    env: dict[str, str] = field(default_factory=dict)
    pydynox: dict[str, Any] = field(default_factory=dict)  # DynamoDBClient(**pydynox)
    boto3: dict[str, Any] = field(default_factory=dict)  # boto3.client("dynamodb", **boto3)
    profile: str | None = None  # both: that profile (boto3.Session(profile_name=...))
    default_session: dict[str, Any] | None = None  # boto3.setup_default_session(**...) first


EAST = "[default]\nregion = us-east-1\n"

CASES = [
    Case("AWS_DEFAULT_REGION", "https://dynamodb.eu-west-1.amazonaws.com/", "eu-west-1",
         env={"AWS_DEFAULT_REGION": "eu-west-1"}),
    Case("region in the config file", "https://dynamodb.ap-southeast-2.amazonaws.com/",
         "ap-southeast-2", config="[default]\nregion = ap-southeast-2\n"),
    Case("region= over the config file", "https://dynamodb.sa-east-1.amazonaws.com/",
         "sa-east-1", config=EAST, pydynox={"region": "sa-east-1"},
         boto3={"region_name": "sa-east-1"}),
    Case("AWS_REGION when botocore finds no region (boto3 is given it)",
         "https://dynamodb.ca-central-1.amazonaws.com/", "ca-central-1",
         env={"AWS_REGION": "ca-central-1"}, boto3={"region_name": "ca-central-1"}),
    Case("AWS_DEFAULT_REGION over AWS_REGION", "https://dynamodb.eu-north-1.amazonaws.com/",
         "eu-north-1", env={"AWS_REGION": "ca-central-1", "AWS_DEFAULT_REGION": "eu-north-1"}),
    Case("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:8000/", "us-east-1", config=EAST,
         env={"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000"}),
    Case("AWS_ENDPOINT_URL, with a path", "http://localhost:4566/ddb", "us-east-1",
         config=EAST, env={"AWS_ENDPOINT_URL": "http://localhost:4566/ddb"}),
    Case("AWS_ENDPOINT_URL_DYNAMODB over AWS_ENDPOINT_URL", "https://ddb.example.com/",
         "us-east-1", config=EAST,
         env={"AWS_ENDPOINT_URL": "https://all.example.com",
              "AWS_ENDPOINT_URL_DYNAMODB": "https://ddb.example.com"}),
    Case("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "https://dynamodb.us-east-1.amazonaws.com/",
         "us-east-1", config=EAST,
         env={"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000",
              "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}),
    Case("endpoint_url in the profile", "https://ddb.example.com:8443/", "us-east-1",
         config=EAST + "endpoint_url = https://ddb.example.com:8443\n"),
    Case("endpoint_url in a services section", "http://127.0.0.1:8001/", "us-east-1",
         config=EAST + "services = local\n\n[services local]\ndynamodb =\n"
         "  endpoint_url = http://127.0.0.1:8001\n"),
    Case("services section over the profile's endpoint_url", "http://127.0.0.1:8001/",
         "us-east-1",
         config=EAST + "endpoint_url = https://all.example.com\nservices = local\n\n"
         "[services local]\ndynamodb =\n  endpoint_url = http://127.0.0.1:8001\n"),
    Case("a services section for other services only",
         "https://dynamodb.us-east-1.amazonaws.com/", "us-east-1",
         config=EAST + "services = s3only\n\n[services s3only]\ns3 =\n"
         "  endpoint_url = http://127.0.0.1:9000\n"),
    Case("ignore_configured_endpoint_urls in the profile",
         "https://dynamodb.us-east-1.amazonaws.com/", "us-east-1",
         config=EAST + "endpoint_url = https://all.example.com\n"
         "ignore_configured_endpoint_urls = true\n"),
    Case("endpoint_url= over the environment and the config file", "http://127.0.0.1:8002/",
         "us-east-1", config=EAST + "endpoint_url = https://all.example.com\n",
         env={"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000"},
         pydynox={"endpoint_url": "http://127.0.0.1:8002"},
         boto3={"endpoint_url": "http://127.0.0.1:8002"}),
    Case("use_fips_endpoint", "https://dynamodb-fips.us-east-1.amazonaws.com/", "us-east-1",
         config=EAST + "use_fips_endpoint = true\n"),
    Case("AWS_USE_FIPS_ENDPOINT in GovCloud", "https://dynamodb.us-gov-west-1.amazonaws.com/",
         "us-gov-west-1", env={"AWS_DEFAULT_REGION": "us-gov-west-1",
                                "AWS_USE_FIPS_ENDPOINT": "true"}),
    Case("use_dualstack_endpoint", "https://dynamodb.us-east-1.api.aws/", "us-east-1",
         config=EAST + "use_dualstack_endpoint = true\n"),
    Case("FIPS and dual-stack", "https://dynamodb-fips.us-east-1.api.aws/", "us-east-1",
         config=EAST + "use_fips_endpoint = true\nuse_dualstack_endpoint = true\n"),
    Case("FIPS with a configured endpoint (the endpoint wins)", "http://127.0.0.1:8000/",
         "us-east-1", config=EAST + "use_fips_endpoint = true\n",
         env={"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000"}),
    Case("aws-cn", "https://dynamodb.cn-north-1.amazonaws.com.cn/", "cn-north-1",
         pydynox={"region": "cn-north-1"}, boto3={"region_name": "cn-north-1"}),
    Case("aws-us-gov", "https://dynamodb.us-gov-east-1.amazonaws.com/", "us-gov-east-1",
         pydynox={"region": "us-gov-east-1"}, boto3={"region_name": "us-gov-east-1"}),
    Case("aws-iso", "https://dynamodb.us-iso-east-1.c2s.ic.gov/", "us-iso-east-1",
         pydynox={"region": "us-iso-east-1"}, boto3={"region_name": "us-iso-east-1"}),
    Case("aws-iso-b", "https://dynamodb.us-isob-east-1.sc2s.sgov.gov/", "us-isob-east-1",
         pydynox={"region": "us-isob-east-1"}, boto3={"region_name": "us-isob-east-1"}),
    Case("aws-iso-e", "https://dynamodb.eu-isoe-west-1.cloud.adc-e.uk/", "eu-isoe-west-1",
         pydynox={"region": "eu-isoe-west-1"}, boto3={"region_name": "eu-isoe-west-1"}),
    Case("aws-iso-f", "https://dynamodb.us-isof-south-1.csp.hci.ic.gov/", "us-isof-south-1",
         pydynox={"region": "us-isof-south-1"}, boto3={"region_name": "us-isof-south-1"}),
    Case("region local (DynamoDB local)", "http://localhost:8000/", "us-east-1",
         pydynox={"region": "local"}, boto3={"region_name": "local"}),
    Case("profile=", "https://dynamodb.eu-central-1.amazonaws.com/", "eu-central-1",
         config=EAST + "\n[profile dev]\nregion = eu-central-1\n", profile="dev"),
    Case("AWS_PROFILE", "https://dynamodb.eu-central-1.amazonaws.com/", "eu-central-1",
         config=EAST + "\n[profile dev]\nregion = eu-central-1\n", env={"AWS_PROFILE": "dev"}),
    Case("a profile's endpoint_url", "http://127.0.0.1:8003/", "eu-central-1",
         config=EAST + "\n[profile dev]\nregion = eu-central-1\n"
         "endpoint_url = http://127.0.0.1:8003\n", profile="dev"),
    Case("boto3.setup_default_session(profile_name=...)",
         "https://dynamodb.eu-central-1.amazonaws.com/", "eu-central-1",
         config=EAST + "\n[profile dev]\nregion = eu-central-1\n",
         default_session={"profile_name": "dev"}),
    Case("boto3.setup_default_session(region_name=...)",
         "https://dynamodb.ap-northeast-1.amazonaws.com/", "ap-northeast-1", config=EAST,
         default_session={"region_name": "ap-northeast-1"}),
    Case("an account id with the credentials (account-based endpoint)",
         "https://111122223333.ddb.us-east-1.amazonaws.com/", "us-east-1",
         config=EAST + "\n[profile acct]\nregion = us-east-1\n", profile="acct"),
    Case("AWS_ACCOUNT_ID", "https://444455556666.ddb.us-east-1.amazonaws.com/", "us-east-1",
         config=EAST, env={"AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-key",
                           "AWS_ACCOUNT_ID": "444455556666"}),
    Case("account_id_endpoint_mode = disabled", "https://dynamodb.us-east-1.amazonaws.com/",
         "us-east-1",
         config=EAST + "\n[profile acct]\nregion = us-east-1\n"
         "account_id_endpoint_mode = disabled\n", profile="acct"),
]  # fmt: skip


@pytest.fixture
def aws_files(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """An AWS setup of the test's own: no variable of the real environment, no real file,
    static test credentials, no instance metadata, no proxy, no default session."""
    for name in list(os.environ):
        if name.startswith("AWS_") or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    (tmp_path / "credentials").write_text(CREDENTIALS)
    (tmp_path / "config").write_text("")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    return tmp_path / "config"


class _Body:
    def stream(self, **kwargs: Any) -> Iterator[bytes]:
        yield b"{}"


def boto3_sends(client: Any) -> tuple[str, str]:
    """The URL and the signing region of a GetItem from a boto3 client, caught unsent."""
    sent: list[Any] = []

    def catch(request: Any, **kwargs: Any) -> AWSResponse:
        sent.append(request)
        return AWSResponse(request.url, 200, {}, _Body())

    client.meta.events.register("before-send.dynamodb.GetItem", catch)
    client.get_item(TableName="users", Key={"pk": {"S": "1"}})
    (request,) = sent
    scope = SCOPE.search(request.headers["Authorization"].decode())
    assert scope is not None
    return request.url, scope.group(1)


def wire_sends(client: DynamoDBClient) -> tuple[str, str]:
    """The URL and the signing region of the same GetItem from pydynox's wire transport,
    built and not sent."""
    endpoint = _Endpoint(client.settings)
    data = endpoint.request(
        "GetItem",
        {"TableName": "users", "Key": {"pk": {"S": "1"}}},
        Credentials("AKIDTEST", "test-secret", None),
    ).data
    head = data.split(b"\r\n\r\n", 1)[0].decode()
    request_line, *header_lines = head.split("\r\n")
    headers = dict(line.split(": ", 1) for line in header_lines)
    scope = SCOPE.search(headers["Authorization"])
    assert scope is not None
    scheme = endpoint.url.split(":", 1)[0]
    return f"{scheme}://{headers['Host']}{request_line.split()[1]}", scope.group(1)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_the_wire_transport_sends_where_boto3_sends(
    case: Case, aws_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws_files.write_text(case.config)
    for name, value in case.env.items():
        monkeypatch.setenv(name, value)
    if case.default_session is not None:
        boto3.setup_default_session(**case.default_session)
    session = boto3.Session(profile_name=case.profile) if case.profile else boto3
    theirs = session.client("dynamodb", **case.boto3)
    ours = DynamoDBClient(profile=case.profile, **case.pydynox)
    resolved = config_for(ours.settings).resolve()

    assert resolved.botocore_only is None  # the wire transport serves this configuration
    assert boto3_sends(theirs) == (case.url, case.region)
    assert wire_sends(ours) == (case.url, case.region)
    assert resolved.client.meta.endpoint_url == theirs.meta.endpoint_url
    assert resolved.client.meta.region_name == theirs.meta.region_name
    theirs.close()
    ours.sync_close()


def test_sync_and_async_sides_share_one_resolution(aws_files: Path) -> None:
    aws_files.write_text(EAST)
    client = DynamoDBClient()
    config = config_for(client.settings)
    assert config_for(client.settings) is config
    resolved = config.resolve()
    assert config.resolve() is resolved  # once: one botocore client per pydynox client
    assert config_for(DynamoDBClient().settings) is not config  # another client, its own


def test_an_http_proxy_sends_through_botocore_with_one_info_line(
    aws_files: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    aws_files.write_text(EAST)
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:3128")
    client = DynamoDBClient()
    with caplog.at_level("INFO", logger="pydynox"):
        resolved = config_for(client.settings).resolve()
        config_for(client.settings).resolve()
    assert resolved.botocore_only is not None and "proxy" in resolved.botocore_only
    assert [r.getMessage() for r in caplog.records if r.name == "pydynox"] == [
        "this client sends through botocore, not the wire transport: the endpoint is "
        "reached through an HTTP proxy (HTTPS_PROXY...)"
    ]


def test_a_traced_botocore_keeps_seeing_the_calls(
    aws_files: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from botocore.client import BaseClient

    aws_files.write_text(EAST)
    untraced = BaseClient._make_api_call
    traced: list[str] = []

    def make_api_call(self: Any, operation_name: str, api_params: Any) -> Any:
        traced.append(operation_name)  # what OpenTelemetry's or ddtrace's wrapper does
        return untraced(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", make_api_call)
    client = DynamoDBClient()
    with caplog.at_level("INFO", logger="pydynox"):
        resolved = config_for(client.settings).resolve()
    assert resolved.botocore_only is not None and "instrumented" in resolved.botocore_only
    assert len([r for r in caplog.records if r.name == "pydynox"]) == 1
    resolved.client.meta.events.register(
        "before-send.dynamodb.GetItem",
        lambda request, **kwargs: AWSResponse(request.url, 200, {}, _Body()),
    )
    assert client.sync_get_item("users", {"pk": "1"}) is None  # answered unsent
    assert traced == ["GetItem"]
    client.sync_close()


def test_a_ca_bundle_in_the_config_file_is_the_one_verified_with(
    aws_files: Path, tmp_path: Path
) -> None:
    aws_files.write_text(EAST + f"ca_bundle = {tmp_path / 'bundle.pem'}\n")
    client = DynamoDBClient()
    assert config_for(client.settings).resolve().verify == str(tmp_path / "bundle.pem")
    assert DynamoDBClient(verify=False).settings.verify is False
    assert config_for(DynamoDBClient(verify=False).settings).resolve().verify is False


ERRORS = [
    pytest.param(EAST, {}, {"profile": "nobody"}, "ProfileNotFound", "could not be found",
                 id="a missing profile"),
    pytest.param(EAST, {"AWS_PROFILE": "nobody"}, {}, "ProfileNotFound", "could not be found",
                 id="AWS_PROFILE names a missing profile"),
    pytest.param(EAST + "services = nowhere\n", {}, {}, "InvalidConfigError", "nowhere",
                 id="a missing services section"),
    pytest.param(EAST + "account_id_endpoint_mode = sometimes\n", {}, {},
                 "InvalidConfigError", "sometimes", id="a bad account_id_endpoint_mode"),
    pytest.param(EAST + "account_id_endpoint_mode = required\n", {}, {},
                 "EndpointResolutionError", "AccountId", id="an account id required, none"),
    pytest.param(EAST + "use_fips_endpoint = true\n", {}, {"region": "local"},
                 "EndpointResolutionError", "FIPS", id="FIPS with region local"),
    pytest.param(EAST, {}, {"region": "us-east-1/evil"}, "InvalidRegionError", "us-east-1/evil",
                 id="a region that is not a host label"),
    pytest.param(EAST, {}, {"endpoint_url": "not a url"}, "ValueError", "not a url",
                 id="endpoint_url= that is not a URL"),
    pytest.param(EAST, {"AWS_ENDPOINT_URL_DYNAMODB": "not a url"}, {}, "ValueError",
                 "not a url", id="AWS_ENDPOINT_URL_DYNAMODB that is not a URL"),
    pytest.param("[default\nregion = us-east-1\n", {}, {}, "ConfigParseError", "config",
                 id="a config file that does not parse"),
    pytest.param("", {}, {}, "NoRegionError", "region", id="no region anywhere"),
]  # fmt: skip


@pytest.mark.parametrize(("config", "env", "kwargs", "cause", "says"), ERRORS)
def test_configuration_errors_are_pydynox_errors_with_their_cause(
    aws_files: Path,
    monkeypatch: pytest.MonkeyPatch,
    config: str,
    env: dict[str, str],
    kwargs: dict[str, Any],
    cause: str,
    says: str,
) -> None:
    aws_files.write_text(config)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for transport in ("wire", "botocore"):
        client = DynamoDBClient(transport=transport, **kwargs)
        with pytest.raises(CredentialsException, match=re.escape(says)) as sync_error:
            client.sync_get_item("users", {"pk": "1"})
        with pytest.raises(CredentialsException, match=re.escape(says)) as async_error:
            asyncio.run(client.get_item("users", {"pk": "1"}))
        for error in (sync_error.value, async_error.value):
            assert type(error.__cause__).__name__ == cause
