"""Data migration: split ``full_name`` into ``first_name`` / ``last_name`` (version 1 -> 2).

Written with the sync API, as scripts usually are: ``User.sync_scan`` reads the table one
page at a time, items still at version 1 are upgraded, and each page is written back with a
``SyncBatchWriter`` (up to 25 items per request, unprocessed items retried).

- Idempotent: items already at version 2 are skipped, never transformed twice, so running it
  again (after a crash, or by mistake) changes nothing.
- Resumable: after each page is fully written, the page's ``last_evaluated_key`` is saved in
  the checkpoint file (JSON). A run with the same ``--checkpoint`` starts after the last page
  that was written; a finished run removes the checkpoint.
- Progress lines go to stderr.

Batch writes carry no conditions: an application writing the same items during the run
could have its change overwritten by the page being written. Run it in a quiet period, or
upgrade items one by one with ``user.sync_save(condition=...)``.

Try it on an embedded local DynamoDB (seeds 60 version-1 users, then migrates them)::

    python examples/migrations/migrate.py

or against a server of your own, e.g. ``pydynox local`` (a local endpoint needs no AWS region
or keys configured; any other takes the usual AWS configuration)::

    python examples/migrations/migrate.py --endpoint-url http://127.0.0.1:8000 --seed 60
    python examples/migrations/migrate.py --endpoint-url http://127.0.0.1:8000 --checkpoint ckpt.json

Expected failures (no region or keys for AWS, an unreachable endpoint, a missing table) are
one line on stderr and exit code 1.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from models import SCHEMA_VERSION, TABLE, User

from pydynox import DynamoDBClient, PydynoxException, SyncBatchWriter, set_default_client
from pydynox.local import endpoint_client

NAMES = ["Ada Lovelace", "Alan Turing", "Grace Brewster Hopper", "Edsger Dijkstra", "Hedy"]


@dataclass
class MigrationReport:
    """What one run did. ``complete`` is False when it stopped early (``max_pages``)."""

    scanned: int = 0
    migrated: int = 0
    skipped: int = 0
    pages: int = 0
    resumed: bool = False
    complete: bool = False


def needs_migration(user: User) -> bool:
    return user.stored_schema_version() < SCHEMA_VERSION


def upgrade(user: User) -> User:
    """Version 2 of a version 1 user: ``full_name`` split at its first space."""
    first, _, last = " ".join((user.full_name or "").split()).partition(" ")
    data = user.model_dump()  # extra attributes included (extra="allow")
    data.update(first_name=first, last_name=last, full_name=None, schema_version=SCHEMA_VERSION)
    return User.model_validate(data)


def read_checkpoint(path: Path | None) -> tuple[dict[str, Any] | None, int]:
    """The key to resume after and how many items came before it (None, 0: from the start)."""
    if path is None or not path.exists():
        return None, 0
    saved = json.loads(path.read_text())
    return saved["last_evaluated_key"], int(saved.get("position", 0))


def write_checkpoint(path: Path, last_evaluated_key: dict[str, Any], position: int) -> None:
    """Replace the checkpoint atomically: a crash leaves the old one or the new one.

    The users table has a string key, so the key is plain JSON (number keys would read back
    as int or Decimal, and binary keys as bytes: give json.dumps a default= for those)."""
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(
        json.dumps({"last_evaluated_key": last_evaluated_key, "position": position})
    )
    os.replace(temporary, path)


def migrate(
    client: DynamoDBClient,
    *,
    checkpoint: Path | None,
    page_size: int = 25,
    progress: TextIO | None = None,
    max_pages: int | None = None,
) -> MigrationReport:
    """Upgrade every version 1 user of the table; ``client`` becomes the default client.

    Progress lines go to ``progress`` (default: ``sys.stderr`` at call time).
    ``max_pages`` stops after that many pages (the checkpoint says where to go on).
    """
    if progress is None:
        progress = sys.stderr
    set_default_client(client)
    report = MigrationReport()
    start_key, position = read_checkpoint(checkpoint)
    report.resumed = start_key is not None
    total = User.sync_count()  # for the progress lines only
    started = time.monotonic()
    if start_key is not None:
        print(f"resuming after item {position} of {total} (key {start_key})", file=progress)
    else:
        print(f"migrating {total} users, {page_size} per page", file=progress)

    while max_pages is None or report.pages < max_pages:
        page = User.sync_scan(
            limit=page_size, page_size=page_size, last_evaluated_key=start_key, consistent_read=True
        )
        users = page.all()
        with SyncBatchWriter(client) as batch:  # sent in full before the checkpoint moves
            for user in users:
                if needs_migration(user):
                    batch.put(upgrade(user))
                    report.migrated += 1
                else:
                    report.skipped += 1
        report.pages += 1
        report.scanned += len(users)
        position += len(users)
        start_key = page.last_evaluated_key
        if start_key is not None and checkpoint is not None:
            write_checkpoint(checkpoint, start_key, position)
        print(
            f"page {report.pages}: {position}/{total} scanned, "
            f"migrated {report.migrated}, skipped {report.skipped}",
            file=progress,
            flush=True,
        )
        if start_key is None:
            report.complete = True
            break

    if report.complete:
        if checkpoint is not None:
            checkpoint.unlink(missing_ok=True)
        print(
            f"done: scanned {report.scanned}, migrated {report.migrated}, "
            f"skipped {report.skipped} in {time.monotonic() - started:.2f} s",
            file=progress,
            flush=True,
        )
    else:
        hint = "; run again with the same checkpoint to go on" if checkpoint else ""
        print(f"stopped after {report.pages} page(s){hint}", file=progress, flush=True)
    return report


def seed(client: DynamoDBClient, count: int) -> None:
    """Create the table if needed and write ``count`` users in the version 1 shape."""
    set_default_client(client)
    if not User.sync_table_exists():
        User.sync_create_table()
    with SyncBatchWriter(client, TABLE) as batch:
        for n in range(count):
            batch.put(
                {
                    "pk": f"USER#{n:04d}",
                    "email": f"user{n}@example.com",
                    "full_name": NAMES[n % len(NAMES)],
                    "signed_up_from": "web",  # an attribute the model does not declare
                }
            )


@contextmanager
def _client(endpoint_url: str | None) -> Iterator[DynamoDBClient]:
    if endpoint_url is not None:
        # A local endpoint works in a fresh shell: region and keys are filled in for it.
        with endpoint_client(endpoint_url) as client:
            yield client
        return
    from pydynox.local import local_client, local_dynamodb

    with local_dynamodb() as endpoint, local_client(endpoint) as client:
        print(f"no --endpoint-url: using an embedded local DynamoDB at {endpoint}", file=sys.stderr)
        seed(client, 60)
        yield client


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--endpoint-url", help="DynamoDB endpoint (default: a local demo one)")
    parser.add_argument("--checkpoint", type=Path, help="JSON file to resume from and save to")
    parser.add_argument("--page-size", type=int, default=25, help="items per page (default 25)")
    parser.add_argument("--max-pages", type=int, help="stop after this many pages")
    parser.add_argument("--seed", type=int, default=0, help="first write N version 1 users")
    args = parser.parse_args(argv)
    try:
        with _client(args.endpoint_url) as client:
            if args.seed:
                seed(client, args.seed)
            migrate(
                client,
                checkpoint=args.checkpoint,
                page_size=args.page_size,
                max_pages=args.max_pages,
            )
            if args.endpoint_url is None:
                print("a migrated user:", User.sync_get(pk="USER#0002"))
    except PydynoxException as error:  # its message says what to configure or create
        print(f"migrate.py: error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
