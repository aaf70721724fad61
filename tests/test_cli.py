"""The ``pydynox`` command: ``local`` and ``create-tables``, their help, errors and exit codes.

Most runs call ``main([...])`` in-process; ``python -m pydynox``, the installed console script
and the ``local`` server run as real subprocesses. Tables are created on a real local server
and checked with plain boto3.
"""

from __future__ import annotations

import errno
import re
import signal
import socket
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import pydynox
from pydynox.cli import main
from pydynox.local import MOTO_REQUIREMENT
from pydynox.testing import local_client, local_dynamodb

# -- helpers and fixtures ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(autouse=True)
def isolated_imports(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The CLI imports user modules and puts their directory on sys.path: undo both."""
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name.startswith("cli_app_"):
            del sys.modules[name]


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS settings from the machine running the tests."""
    for name in (
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
        "AWS_PROFILE",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # no ~/.aws files either
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")


MODELS = """
from datetime import datetime
from typing import Annotated

from pydynox import (
    TTL, DynamoConfig, GlobalSecondaryIndex, Model, PartitionKey, SortKey,
)
from {helpers} import Imported  # a model defined elsewhere: not this module's


class Base(Model):  # an abstract base: no keys, no table
    created: str = ""


class User(Base):
    model_config = DynamoConfig(table="{prefix}-users")
    pk: Annotated[str, PartitionKey()]
    email: str | None = None
    expires_at: Annotated[datetime | None, TTL()] = None

    by_email = GlobalSecondaryIndex("email-index", partition_key="email")


class Order(Model):
    model_config = DynamoConfig(table="{prefix}-orders")
    customer: Annotated[str, PartitionKey()]
    number: Annotated[int, SortKey()]


class Profile(Model):  # single-table design: a second model in the users table
    model_config = DynamoConfig(table="{prefix}-users")
    pk: Annotated[str, PartitionKey()]
"""

HELPERS = """
from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey


class Imported(Model):
    model_config = DynamoConfig(table="{prefix}-imported")
    id: Annotated[str, PartitionKey()]
"""


def write_app(folder: Path, package: str = "") -> tuple[str, str]:
    """A models module (and the module it imports from) in ``folder``, which is ``package``
    if given: (module name, table prefix)."""
    suffix = uuid.uuid4().hex[:8]
    name, helpers, prefix = f"cli_app_{suffix}", f"cli_app_{suffix}_helpers", f"cli-{suffix}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{helpers}.py").write_text(HELPERS.format(prefix=prefix))
    helpers = f"{package}.{helpers}" if package else helpers
    (folder / f"{name}.py").write_text(MODELS.format(prefix=prefix, helpers=helpers))
    return name, prefix


def write_module(folder: Path, source: str) -> str:
    name = f"cli_app_{uuid.uuid4().hex[:8]}"
    (folder / f"{name}.py").write_text(textwrap.dedent(source))
    return name


# -- help and version --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], ["usage: pydynox", "local", "create-tables", "Exit codes"]),
        (["local"], ["usage: pydynox local", "--port", "--host", "loopback"]),
        (["create-tables"], ["usage: pydynox create-tables", "MODULE", "--endpoint-url"]),
    ],
)
def test_help_of_each_command(
    argv: list[str], expected: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*argv, "--help"]) == 0
    out = capsys.readouterr().out
    for text in expected:
        assert text in out


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"pydynox {pydynox.__version__}"


def test_python_m_pydynox_help() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "error", "-m", "pydynox", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: pydynox")
    assert "create-tables" in done.stdout


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "pydynox"
    done = subprocess.run(
        [str(script), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, f"pydynox {pydynox.__version__}")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "usage: pydynox"),
        (["migrate"], "invalid choice: 'migrate'"),
        (["local", "--port", "http"], "not a port number: 'http'"),
        (["local", "--port", "70000"], "port must be between 0 and 65535"),
        (["create-tables"], "the following arguments are required: MODULE"),
    ],
)
def test_usage_errors_exit_with_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


# -- create-tables -----------------------------------------------------------------------


def test_create_tables_creates_every_model_table_of_a_file_then_skips_them(
    endpoint: str, boto: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, prefix = write_app(tmp_path)
    path = str(tmp_path / f"{name}.py")

    assert main(["create-tables", path, "--endpoint-url", endpoint]) == 0

    assert capsys.readouterr().out.splitlines() == [
        f"created table '{prefix}-users' for {name}.User",
        f"created table '{prefix}-orders' for {name}.Order",
        f"skipped table '{prefix}-users' for {name}.Profile: same table as {name}.User",
    ]
    users = boto.describe_table(TableName=f"{prefix}-users")["Table"]
    assert users["TableStatus"] == "ACTIVE"
    assert users["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    [index] = users["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "email-index"
    assert index["KeySchema"] == [{"AttributeName": "email", "KeyType": "HASH"}]
    ttl = boto.describe_time_to_live(TableName=f"{prefix}-users")["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", "expires_at")
    orders = boto.describe_table(TableName=f"{prefix}-orders")["Table"]
    assert orders["KeySchema"] == [
        {"AttributeName": "customer", "KeyType": "HASH"},
        {"AttributeName": "number", "KeyType": "RANGE"},
    ]
    assert {"AttributeName": "number", "AttributeType": "N"} in orders["AttributeDefinitions"]
    assert f"{prefix}-imported" not in boto.list_tables()["TableNames"]

    assert main(["create-tables", path, "--endpoint-url", endpoint]) == 0

    assert capsys.readouterr().out.splitlines() == [
        f"skipped table '{prefix}-users' for {name}.User: it exists",
        f"skipped table '{prefix}-orders' for {name}.Order: it exists",
        f"skipped table '{prefix}-users' for {name}.Profile: same table as {name}.User",
    ]


def test_create_tables_by_dotted_name_from_the_environment(
    endpoint: str,
    boto: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    aws_env: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A package module by dotted name, found from the current directory; the endpoint from
    AWS_ENDPOINT_URL_DYNAMODB; no credentials or region configured at all, which a loopback
    endpoint does not need."""
    package = tmp_path / f"cli_app_{uuid.uuid4().hex[:8]}"
    name, prefix = write_app(package, package.name)
    (package / "__init__.py").write_text("")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)

    assert main(["create-tables", f"{package.name}.{name}"]) == 0

    assert f"created table '{prefix}-users'" in capsys.readouterr().out
    assert f"{prefix}-orders" in boto.list_tables()["TableNames"]


def test_create_tables_from_a_file_inside_a_package_keeps_relative_imports(
    endpoint: str, boto: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = tmp_path / f"cli_app_{uuid.uuid4().hex[:8]}"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "base.py").write_text("TABLE = 'cli-relative-" + package.name[-8:] + "'\n")
    (package / "models.py").write_text(
        textwrap.dedent(
            """
            from typing import Annotated

            from pydynox import DynamoConfig, Model, PartitionKey

            from .base import TABLE


            class Thing(Model):
                model_config = DynamoConfig(table=TABLE)
                id: Annotated[str, PartitionKey()]
            """
        )
    )

    assert main(["create-tables", str(package / "models.py"), "--endpoint-url", endpoint]) == 0

    table = "cli-relative-" + package.name[-8:]
    assert capsys.readouterr().out == f"created table '{table}' for {package.name}.models.Thing\n"
    assert table in boto.list_tables()["TableNames"]


def test_create_tables_errors(
    endpoint: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def run(*argv: str) -> tuple[int, str]:
        code = main(["create-tables", *argv, "--endpoint-url", endpoint])
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err + captured.out
        return code, captured.err

    code, err = run("cli_app_no_such_module")
    assert code == 2
    assert "cannot import 'cli_app_no_such_module': no module named" in err

    code, err = run(str(tmp_path / "missing.py"))
    assert (code, err.strip()) == (
        2,
        f"pydynox create-tables: error: no such file: {tmp_path}/missing.py",
    )

    empty = write_module(tmp_path, "VALUE = 1\n")
    code, err = run(str(tmp_path / f"{empty}.py"))
    assert code == 2
    assert f"no model classes defined in {empty}" in err

    broken = write_module(
        tmp_path,
        """
        from pydynox import DynamoConfig, Model


        class NoKey(Model):
            model_config = DynamoConfig(table="t")
            name: str
        """,
    )
    code, err = run(str(tmp_path / f"{broken}.py"))
    assert code == 2
    assert f"importing '{tmp_path}/{broken}.py' failed: ModelDefinitionError:" in err
    assert "NoKey" in err

    failing = write_module(tmp_path, "import cli_app_missing_dependency\n")
    code, err = run(str(tmp_path / f"{failing}.py"))
    assert code == 2
    assert "ModuleNotFoundError: No module named 'cli_app_missing_dependency'" in err


def test_create_tables_on_an_unreachable_endpoint_exits_with_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name, _ = write_app(tmp_path)
    dead = f"http://127.0.0.1:{free_port()}"

    started = time.monotonic()
    code = main(["create-tables", str(tmp_path / f"{name}.py"), "--endpoint-url", dead])

    assert code == 1
    assert time.monotonic() - started < 15  # a few attempts, not a minute of retries
    err = capsys.readouterr().err
    assert err.startswith(f"pydynox create-tables: error: cannot reach DynamoDB at {dead}")
    assert "Traceback" not in err


def test_create_tables_without_a_region_for_aws_says_how_to_give_one(
    tmp_path: Path, aws_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    name, _ = write_app(tmp_path)

    assert main(["create-tables", str(tmp_path / f"{name}.py")]) == 1

    assert "no AWS region is configured: pass --region or set AWS_REGION" in capsys.readouterr().err


# -- local -------------------------------------------------------------------------------


def start_local(port: int) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-W", "error", "-m", "pydynox", "local", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            out, err = process.communicate()
            pytest.fail(f"pydynox local exited with {process.returncode}: {err}{out}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                process.communicate()
                pytest.fail("pydynox local did not answer within 30 s")
            time.sleep(0.05)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_local_serves_until_stopped(stop: signal.Signals) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = start_local(port)
    try:
        with local_client(url) as client:
            client.sync_create_table("cli-local", partition_key=("id", "S"))
            client.sync_put_item("cli-local", {"id": "1", "n": 2})
            assert client.sync_get_item("cli-local", {"id": "1"}) == {"id": "1", "n": 2}
    finally:
        process.send_signal(stop)
        out, err = process.communicate(timeout=30)

    assert process.returncode == 0, err
    assert f"listening on {url}" in out
    assert f"export AWS_ENDPOINT_URL_DYNAMODB={url}" in out
    assert "export AWS_REGION=us-east-1" in out
    assert "Traceback" not in err
    assert "local DynamoDB stopped" in err


def test_local_on_a_port_in_use_exits_with_1(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        assert main(["local", "--port", str(port)]) == 1

    assert capsys.readouterr().err == (
        f"pydynox local: error: port {port} on 127.0.0.1 is in use (Address already in use); "
        "choose another one with --port\n"
    )


def test_local_on_a_port_in_use_is_one_line_from_the_command() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-W", "error", "-m", "pydynox", "local", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"pydynox local: error: port {port} on 127.0.0.1 is in use (Address already in use); "
        "choose another one with --port"
    ]


def port_left_in_time_wait() -> int:
    """A port whose server closed a connection first, as a stopped ``pydynox local`` with a
    client still connected does: the port has a connection in TIME_WAIT and nothing listening,
    so a plain bind fails while the server's (SO_REUSEADDR) succeeds."""
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server's
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port: int = listener.getsockname()[1]
        client = socket.create_connection(("127.0.0.1", port))
        accepted, _ = listener.accept()
        accepted.close()  # the server side closes first: its end goes to TIME_WAIT
        client.recv(1)
        client.close()
    time.sleep(0.1)
    with socket.socket() as plain, pytest.raises(OSError) as refused:
        plain.bind(("127.0.0.1", port))
    assert refused.value.errno == errno.EADDRINUSE  # the situation the issue describes
    return port


def test_local_dynamodb_serves_on_a_port_left_in_time_wait() -> None:
    port = port_left_in_time_wait()

    with local_dynamodb(port=port) as url, local_client(url) as client:
        assert url == f"http://127.0.0.1:{port}"
        assert client.sync_table_exists("cli-time-wait") is False


def test_local_serves_on_a_port_left_in_time_wait() -> None:
    """``pydynox local`` restarted right after a run that had a client connected."""
    port = port_left_in_time_wait()
    process = start_local(port)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=30)

    assert process.returncode == 0, err
    assert f"listening on http://127.0.0.1:{port}" in out


def test_local_dynamodb_on_a_port_in_use_raises_os_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(OSError) as raised, local_dynamodb(port=port):
            pass

    assert raised.value.errno == errno.EADDRINUSE
    assert f"cannot serve the local DynamoDB on 127.0.0.1:{port}" in str(raised.value)


def test_without_moto_an_import_error_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "moto.server", None)  # as if moto were not installed
    message = (
        'the local DynamoDB needs moto (pydynox\'s "local" extra): '
        f'pip install "{MOTO_REQUIREMENT}"'  # not "pydynox[local]": PyPI's pydynox is another
    )

    with pytest.raises(ImportError, match=re.escape(message)), local_dynamodb():
        pass

    assert main(["local", "--port", "0"]) == 1
    assert capsys.readouterr().err == f"pydynox local: error: {message}\n"


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "example.com"])
def test_local_refuses_a_non_loopback_host(host: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["local", "--host", host, "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert f"refusing to listen on {host!r}" in err
    assert "loopback" in err
