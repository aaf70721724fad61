"""examples/migrations: a data migration that is idempotent and resumable, on a real server.

The table is seeded with version 1 items written by plain boto3 (the old shape: one
``full_name``, no ``schema_version``, plus an attribute the model does not declare), and the
stored result is read back with plain boto3 too.
"""

from __future__ import annotations

import importlib.util
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from pydynox import DynamoDBClient, set_default_client
from pydynox.testing import local_client

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "migrations"
NAMES = ["Ada Lovelace", "Alan Turing", "Grace Brewster Hopper", "  Edsger   Dijkstra ", "Hedy"]
COUNT = 60


def load_example() -> ModuleType:
    """Import examples/migrations/migrate.py as a script would (its directory first on
    sys.path), without leaving its ``models`` module under that generic name."""
    saved = {name: sys.modules.pop(name) for name in ("models",) if name in sys.modules}
    sys.path.insert(0, str(EXAMPLE))
    try:
        spec = importlib.util.spec_from_file_location("migration_example", EXAMPLE / "migrate.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(EXAMPLE))
        sys.modules.pop("models", None)
        sys.modules.update(saved)
    return module


example = load_example()


@pytest.fixture
def client(endpoint: str) -> Iterator[DynamoDBClient]:
    with local_client(endpoint) as client:
        yield client
    set_default_client(None)  # migrate() sets its client as the default one


@pytest.fixture
def old_table(boto: Any) -> Iterator[str]:
    """The users table holding COUNT version 1 items, written by plain boto3."""
    table = example.TABLE
    boto.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    items = [
        {
            "pk": {"S": f"USER#{n:04d}"},
            "email": {"S": f"user{n}@example.com"},
            "full_name": {"S": NAMES[n % len(NAMES)]},
            "signed_up_from": {"S": "web"},
        }
        for n in range(COUNT)
    ]
    for start in range(0, COUNT, 25):
        batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
        boto.batch_write_item(RequestItems={table: batch})
    yield table
    boto.delete_table(TableName=table)


def stored(boto: Any, table: str) -> list[dict[str, Any]]:
    """Every stored item, by key, as DynamoDB holds it."""
    items: list[dict[str, Any]] = []
    request: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = boto.scan(**request)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda item: item["pk"]["S"])
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def expected_item(n: int) -> dict[str, Any]:
    first, _, last = " ".join(NAMES[n % len(NAMES)].split()).partition(" ")
    return {
        "pk": {"S": f"USER#{n:04d}"},
        "email": {"S": f"user{n}@example.com"},
        "first_name": {"S": first},
        "last_name": {"S": last},
        "schema_version": {"N": "2"},
        "signed_up_from": {"S": "web"},  # not declared by the model, kept (extra="allow")
    }


def migrated_count(boto: Any, table: str) -> int:
    return sum(1 for item in stored(boto, table) if item.get("schema_version") == {"N": "2"})


def test_running_twice_migrates_once_and_stores_the_same_result(
    client: DynamoDBClient, old_table: str, boto: Any, tmp_path: Path
) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    progress = io.StringIO()

    first = example.migrate(client, checkpoint=checkpoint, page_size=25, progress=progress)

    assert (first.scanned, first.migrated, first.skipped) == (COUNT, COUNT, 0)
    assert first.complete and not first.resumed
    after_first = stored(boto, old_table)
    assert after_first == [expected_item(n) for n in range(COUNT)]
    assert not checkpoint.exists()  # a finished run leaves no checkpoint behind
    lines = progress.getvalue().splitlines()
    assert lines[0] == f"migrating {COUNT} users, 25 per page"
    assert lines[1:4] == [
        "page 1: 25/60 scanned, migrated 25, skipped 0",
        "page 2: 50/60 scanned, migrated 50, skipped 0",
        "page 3: 60/60 scanned, migrated 60, skipped 0",
    ]
    assert lines[-1].startswith("done: scanned 60, migrated 60, skipped 0 in ")

    progress = io.StringIO()
    second = example.migrate(client, checkpoint=checkpoint, page_size=25, progress=progress)

    assert (second.scanned, second.migrated, second.skipped) == (COUNT, 0, COUNT)
    assert stored(boto, old_table) == after_first  # same items, same values, no duplicates
    assert "page 3: 60/60 scanned, migrated 0, skipped 60" in progress.getvalue()


def test_a_stopped_run_resumes_from_its_checkpoint(
    client: DynamoDBClient,
    old_table: str,
    boto: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    checkpoint = tmp_path / "checkpoint.json"

    stopped = example.migrate(client, checkpoint=checkpoint, page_size=20, max_pages=1)

    assert (stopped.scanned, stopped.migrated, stopped.complete) == (20, 20, False)
    assert capsys.readouterr().err.splitlines()[1:] == [  # progress goes to stderr
        "page 1: 20/60 scanned, migrated 20, skipped 0",
        "stopped after 1 page(s); run again with the same checkpoint to go on",
    ]
    assert migrated_count(boto, old_table) == 20
    assert checkpoint.exists()

    progress = io.StringIO()
    resumed = example.migrate(client, checkpoint=checkpoint, page_size=20, progress=progress)

    # Only what follows the checkpoint was read: every item migrated exactly once.
    assert resumed.resumed and resumed.complete
    assert (resumed.scanned, resumed.migrated, resumed.skipped) == (COUNT - 20, COUNT - 20, 0)
    assert stopped.migrated + resumed.migrated == COUNT
    assert stored(boto, old_table) == [expected_item(n) for n in range(COUNT)]
    assert progress.getvalue().startswith(f"resuming after item 20 of {COUNT} (key ")
    assert not checkpoint.exists()


def test_a_crash_between_writing_a_page_and_saving_its_checkpoint_is_harmless(
    client: DynamoDBClient, old_table: str, boto: Any, tmp_path: Path
) -> None:
    """The page is read again on resume; its items are already at version 2, so they are
    skipped, not transformed a second time."""
    checkpoint = tmp_path / "checkpoint.json"
    quiet = io.StringIO()
    example.migrate(client, checkpoint=checkpoint, page_size=20, max_pages=1, progress=quiet)
    after_page_one = checkpoint.read_text()
    example.migrate(client, checkpoint=checkpoint, page_size=20, max_pages=1, progress=quiet)
    checkpoint.write_text(after_page_one)  # as if the process died before saving page 2's

    resumed = example.migrate(client, checkpoint=checkpoint, page_size=20, progress=quiet)

    assert (resumed.scanned, resumed.migrated, resumed.skipped) == (40, 20, 20)
    assert stored(boto, old_table) == [expected_item(n) for n in range(COUNT)]


def test_the_script_migrates_a_server_given_by_url(
    endpoint: str, old_table: str, boto: Any, tmp_path: Path
) -> None:
    env = dict(
        os.environ,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1",
    )
    env.pop("AWS_PROFILE", None)
    command = [
        sys.executable,
        "-W",
        "error",
        str(EXAMPLE / "migrate.py"),
        "--endpoint-url",
        endpoint,
        "--checkpoint",
        str(tmp_path / "checkpoint.json"),
        "--page-size",
        "25",
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60, check=False)

    assert done.returncode == 0, done.stderr
    assert "page 3: 60/60 scanned, migrated 60, skipped 0" in done.stderr
    assert "done: scanned 60, migrated 60, skipped 0" in done.stderr
    assert done.stdout == ""
    assert stored(boto, old_table) == [expected_item(n) for n in range(COUNT)]


def test_the_script_demo_runs_on_an_embedded_local_dynamodb() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "error", str(EXAMPLE / "migrate.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert "using an embedded local DynamoDB at http://127.0.0.1:" in done.stderr
    assert "done: scanned 60, migrated 60, skipped 0" in done.stderr
    assert "first_name='Grace' last_name='Brewster Hopper' full_name=None" in done.stdout


def fresh_shell(home: Path) -> dict[str, str]:
    """The environment of a fresh shell: no AWS variable, no ~/.aws files."""
    home.mkdir(exist_ok=True)
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home)}


def doc_commands() -> list[list[str]]:
    """The commands docs/migrations.md gives, one per line of its ``sh`` block."""
    text = (ROOT / "docs" / "migrations.md").read_text()
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line.split() for line in block.splitlines() if line.strip()]


def test_the_commands_in_migrations_md_work_in_a_fresh_shell(
    endpoint: str, boto: Any, tmp_path: Path
) -> None:
    """The documented commands, run as written (port 8000 replaced by the test server's) in
    a shell with no AWS region, keys or files: a local endpoint needs none of them."""
    commands = doc_commands()
    assert [command[:2] for command in commands] == [
        ["python", "examples/migrations/migrate.py"]
    ] * 3
    outputs = []
    for command in commands:
        replace = {"http://127.0.0.1:8000": endpoint, "ckpt.json": str(tmp_path / "ckpt.json")}
        argv = [sys.executable, "-W", "error"] + [replace.get(part, part) for part in command[1:]]
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            env=fresh_shell(tmp_path / "home"),
            cwd=ROOT,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        outputs.append(done.stderr)
    try:
        assert "done: scanned 60, migrated 60, skipped 0" in outputs[0]  # the embedded demo
        assert "done: scanned 60, migrated 60, skipped 0" in outputs[1]  # seeded, migrated
        assert "done: scanned 60, migrated 0, skipped 60" in outputs[2]  # nothing left to do
        assert stored(boto, example.TABLE) == [expected_item(n) for n in range(COUNT)]
    finally:
        boto.delete_table(TableName=example.TABLE)


def test_the_script_on_aws_without_a_region_says_what_to_export(tmp_path: Path) -> None:
    """Not a local endpoint: nothing is invented, and the missing region is one line naming
    the variable to export (no request is sent: the client refuses to build it)."""
    done = subprocess.run(
        [sys.executable, str(EXAMPLE / "migrate.py"), "--endpoint-url", "https://example.invalid"],
        capture_output=True,
        text=True,
        env=fresh_shell(tmp_path / "home"),
        timeout=60,
        check=False,
    )

    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "migrate.py: error: CredentialsException: no AWS region is configured: "
        "pass region= to DynamoDBClient or set AWS_REGION"
    ]
