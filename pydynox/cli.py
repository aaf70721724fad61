"""The ``pydynox`` command (also ``python -m pydynox``).

- ``pydynox local [--port 8000] [--host 127.0.0.1]`` runs the embedded local DynamoDB (moto's
  server, in memory) for development until Ctrl-C or SIGTERM. Loopback addresses only.
- ``pydynox create-tables MODULE`` imports ``MODULE`` (a dotted name or a path to a ``.py``
  file) and creates the table of every model class defined in it, skipping tables that exist.

Exit codes: 0 on success, 1 when the work failed (a port in use, DynamoDB unreachable or
refusing a request), 2 for a usage error (bad arguments, a module that cannot be imported or
defines no model). Expected errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, NoReturn, TextIO

import pydynox
from pydynox.client._client import DynamoDBClient, default_client_set_to
from pydynox.exceptions import ConnectionException, PydynoxException
from pydynox.local import LOCAL_KEYS, LOCAL_REGION, environment_endpoint, is_loopback

if TYPE_CHECKING:
    from pydynox.models import DynamoMixin

__all__ = ["main"]

OK = 0
FAILED = 1
USAGE = 2


class CommandError(Exception):
    """An expected failure: its message goes to stderr and ``code`` is the exit code."""

    def __init__(self, message: str, code: int = FAILED) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so ``main()`` returns its exit code."""

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            self._print_message(message, sys.stderr)
        raise _Exit(status)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(USAGE, f"{self.prog}: error: {message}\n")


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="pydynox",
        description="pydynox command line tools: a local DynamoDB and table creation.",
        epilog="Exit codes: 0 success, 1 the work failed, 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"pydynox {pydynox.__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    local = commands.add_parser(
        "local",
        help="run an in-memory local DynamoDB for development",
        description=(
            "Run an in-memory DynamoDB (moto's server, from pydynox[local]) on a loopback "
            "address until Ctrl-C or SIGTERM. Data is lost when it stops."
        ),
    )
    local.add_argument("--port", type=_port, default=8000, help="TCP port (default: 8000)")
    local.add_argument(
        "--host",
        default="127.0.0.1",
        help="loopback address to listen on (default: 127.0.0.1); others are refused",
    )
    local.set_defaults(run=_run_local)

    create = commands.add_parser(
        "create-tables",
        help="create the tables of every model defined in a module",
        description=(
            "Import MODULE and create the table of every model class defined in it "
            "(keys, indexes, TTL), skipping tables that already exist. The client comes from "
            "the flags, else from the AWS environment (AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION, "
            "credentials); a loopback endpoint with no credentials configured gets dummy keys."
        ),
    )
    create.add_argument("module", metavar="MODULE", help="dotted module name or path to a .py file")
    create.add_argument("--endpoint-url", help="DynamoDB endpoint, e.g. http://127.0.0.1:8000")
    create.add_argument("--region", help="AWS region (default: from the environment)")
    create.set_defaults(run=_run_create_tables)
    return parser


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, not {port}")
    return port


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _Exit as done:
        return done.status
    if args.command is None:
        parser.print_help(sys.stderr)
        return USAGE
    try:
        code: int = args.run(args)
    except CommandError as error:
        print(f"pydynox {args.command}: error: {error}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    return code


# -- local -------------------------------------------------------------------------------


def _loopback_host(host: str) -> str:
    """The address to bind for ``host``; anything but a loopback address is refused."""
    address = "127.0.0.1" if host == "localhost" else host.strip("[]")
    if not is_loopback(address):
        raise CommandError(
            f"refusing to listen on {host!r}: the local DynamoDB has no authentication, so it "
            "only listens on a loopback address (127.0.0.1, ::1 or localhost)",
            USAGE,
        )
    return address


def _port_failure(host: str, port: int, error: OSError) -> str:
    reason = "is in use" if error.errno == errno.EADDRINUSE else "cannot be used"
    detail = os.strerror(error.errno) if error.errno else str(error)
    return f"port {port} on {host} {reason} ({detail}); choose another one with --port"


@contextmanager
def _stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` (when called from the main thread)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _run_local(args: argparse.Namespace) -> int:
    host = _loopback_host(args.host)
    from pydynox.local import local_dynamodb

    stop = threading.Event()
    with _stop_on_signals(stop), ExitStack() as server:
        try:
            endpoint = server.enter_context(local_dynamodb(port=args.port, host=host))
        except ImportError as error:  # moto is not installed
            raise CommandError(str(error), FAILED) from None
        except OSError as error:  # the port is in use: local_dynamodb checks it as it binds
            raise CommandError(_port_failure(host, args.port, error), FAILED) from None
        _announce(endpoint, sys.stdout)
        while not stop.wait(0.5):
            pass
    print("local DynamoDB stopped", file=sys.stderr, flush=True)
    return OK


def _announce(endpoint: str, out: TextIO) -> None:
    key, secret = LOCAL_KEYS
    print(
        f"pydynox local DynamoDB (in memory) listening on {endpoint}\n"
        "\n"
        "Point pydynox, boto3 and the AWS CLI at it with:\n"
        f"  export AWS_ENDPOINT_URL_DYNAMODB={endpoint}\n"
        f"  export AWS_REGION={LOCAL_REGION}\n"
        f"  export AWS_ACCESS_KEY_ID={key}\n"
        f"  export AWS_SECRET_ACCESS_KEY={secret}\n"
        "\n"
        "Data is lost when it stops. Press Ctrl-C to stop.",
        file=out,
        flush=True,
    )


# -- create-tables -----------------------------------------------------------------------


def _import_target(target: str) -> ModuleType:
    """Import a module by dotted name (from the current directory too) or by file path."""
    as_path = Path(target)
    if target.endswith(".py") or os.sep in target or (os.altsep and os.altsep in target):
        if not as_path.is_file():
            raise CommandError(f"no such file: {target}", USAGE)
        name, root = _module_name_of(as_path.resolve())
    else:
        name, root = target, Path.cwd()
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name is not None and (name == error.name or name.startswith(error.name + ".")):
            raise CommandError(
                f"cannot import {target!r}: no module named {error.name!r} "
                f"(looked in {root} and on sys.path)",
                USAGE,
            ) from None
        raise CommandError(_import_failure(target, error), USAGE) from None
    except Exception as error:
        raise CommandError(_import_failure(target, error), USAGE) from None


def _import_failure(target: str, error: BaseException) -> str:
    where = ""
    tb = error.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        where = f" ({tb.tb_frame.f_code.co_filename}, line {tb.tb_lineno})"
    return f"importing {target!r} failed: {type(error).__name__}: {error}{where}"


def _module_name_of(path: Path) -> tuple[str, Path]:
    """The dotted name of a .py file and the directory to import it from: its package
    (directories with ``__init__.py``) is kept, so relative imports inside it work."""
    parts = [path.stem] if path.name != "__init__.py" else []
    folder = path.parent
    while (folder / "__init__.py").is_file() and folder.parent != folder:
        parts.insert(0, folder.name)
        folder = folder.parent
    if not parts:
        raise CommandError(f"cannot import {path}: give the package's directory name", USAGE)
    return ".".join(parts), folder


def _models_in(module: ModuleType) -> list[type[DynamoMixin]]:
    """Concrete model classes defined in ``module`` (not imported into it), in order."""
    found: list[type[DynamoMixin]] = []
    for value in vars(module).values():
        if (
            isinstance(value, type)
            and "__dynamo__" in value.__dict__
            and value.__module__ == module.__name__
        ):
            found.append(value)
    return found


def _client_for(args: argparse.Namespace) -> DynamoDBClient:
    from pydynox.local import endpoint_client

    # Few attempts: with the default 10, an unreachable endpoint takes over a minute to report.
    return endpoint_client(args.endpoint_url, region=args.region, max_attempts=3)


def _run_create_tables(args: argparse.Namespace) -> int:
    module = _import_target(args.module)
    models = _models_in(module)
    if not models:
        raise CommandError(
            f"no model classes defined in {module.__name__} "
            "(classes with a PartitionKey() field and a DynamoConfig(table=...))",
            USAGE,
        )
    client = _client_for(args)
    done: dict[str, str] = {}  # table -> the model it was handled for
    try:
        # The previous default comes back afterwards: main() may run inside a program.
        with default_client_set_to(client):
            for model in models:
                table = model.__dynamo__.table
                name = f"{model.__module__}.{model.__qualname__}"
                if not table:
                    print(f"skipped {name}: it has no DynamoConfig(table=...)")
                    continue
                if table in done:  # single-table design: several models, one table
                    print(f"skipped table {table!r} for {name}: same table as {done[table]}")
                    continue
                if model.sync_table_exists():
                    print(f"skipped table {table!r} for {name}: it exists")
                else:
                    model.sync_create_table()
                    print(f"created table {table!r} for {name}")
                done[table] = name
                sys.stdout.flush()
    except ConnectionException as error:
        raise CommandError(f"cannot reach DynamoDB at {_where(client)}: {error}") from None
    except PydynoxException as error:
        message = str(error)
        if "no AWS region" in message:
            message = "no AWS region is configured: pass --region or set AWS_REGION"
        raise CommandError(f"{type(error).__name__}: {message}") from None
    finally:
        client.sync_close()
    return OK


def _where(client: DynamoDBClient) -> str:
    return client.settings.endpoint_url or environment_endpoint() or "the AWS endpoint"


if __name__ == "__main__":  # pragma: no cover - python -m pydynox uses __main__.py
    raise SystemExit(main())
