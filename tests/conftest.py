"""Fixtures shared by every test folder: one local DynamoDB endpoint per server for the session
and a plain boto3 client on it (to check what is really stored, independently of pydynox).

The integration tests (tests/integration) run on every local server: moto always, dynalite
when it is installed (``npm ci --prefix tests/servers``; in CI a missing dynalite is an error,
not a skip). Everything else asks for ``endpoint`` unparametrized and gets moto. Markers say
what a test needs that a server lacks, or where a server is known to deviate from DynamoDB:

- ``@pytest.mark.needs("transactions", ...)``: skipped on the servers that do not implement
  a feature named in ``MISSING`` (tests/local_servers.py);
- ``@pytest.mark.deviates("dynalite", reason=...)``: the test asserts DynamoDB's documented
  behaviour and that server gets it wrong: a strict xfail there, expecting a failed assert
  or "DID NOT RAISE" (or the ``raises=`` given), so a test failing otherwise still fails.

One marker chooses a client: ``pytestmark = pytest.mark.both_transports`` in an integration
module runs its scenarios on the session ``client`` of each transport, the default wire
transport and the botocore one (see tests/integration/conftest.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .local_servers import (
    INSTALL_DYNALITE,
    MISSING,
    SERVERS,
    Servers,
    boto_client,
    dynalite_binary,
    dynalite_version,
    in_ci,
)

FEATURES = {feature for missing in MISSING.values() for feature in missing}
# How a server's deviation shows by default: a failed assert, or pytest.raises' "DID NOT
# RAISE" (the server accepts what DynamoDB refuses). Anything else is a real failure.
DEVIATION = (AssertionError, pytest.fail.Exception)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "both_transports: the session client runs these scenarios on the wire transport and "
        "on the botocore transport (tests/integration/conftest.py)",
    )


def pytest_report_header(config: pytest.Config) -> str:
    binary = dynalite_binary()
    if binary is None:
        found = f"not installed ({INSTALL_DYNALITE})" + (": an error in CI" if in_ci() else "")
    else:
        found = f"{dynalite_version(binary)} at {binary}"
    return f"local DynamoDB servers: moto, dynalite {found}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        callspec = getattr(item, "callspec", None)
        server = callspec.params.get("endpoint") if callspec is not None else None
        for mark in item.iter_markers("needs"):
            unknown = set(mark.args) - FEATURES
            if unknown:
                raise pytest.UsageError(f"{item.nodeid}: unknown needs() feature {unknown}")
            if server is None:
                continue
            for feature in mark.args:
                if feature in MISSING[server]:
                    item.add_marker(pytest.mark.skip(reason=MISSING[server][feature]))
        for mark in item.iter_markers("deviates"):
            (deviant,) = mark.args
            if deviant not in SERVERS or "reason" not in mark.kwargs:
                raise pytest.UsageError(f"{item.nodeid}: use deviates(server, reason=...)")
            if server == deviant:
                reason = f"{deviant} deviates from DynamoDB: {mark.kwargs['reason']}"
                raises = mark.kwargs.get("raises", DEVIATION)
                item.add_marker(pytest.mark.xfail(reason=reason, strict=True, raises=raises))


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    started = Servers()
    yield started
    started.close()


@pytest.fixture(scope="session")
def endpoint(request: pytest.FixtureRequest, servers: Servers) -> str:
    """The URL of a local DynamoDB: the server named by the param (integration tests get one
    param per server, see tests/integration/conftest.py), moto when unparametrized."""
    return servers.endpoint(getattr(request, "param", "moto"))


@pytest.fixture
def server(request: pytest.FixtureRequest, endpoint: str) -> str:
    """The name of the local server this test runs on (a key of ``MISSING``)."""
    callspec = getattr(request.node, "callspec", None)
    name = callspec.params.get("endpoint", "moto") if callspec is not None else "moto"
    assert isinstance(name, str)
    return name


@pytest.fixture(scope="session")
def boto(endpoint: str) -> Iterator[Any]:
    client = boto_client(endpoint)
    yield client
    client.close()
