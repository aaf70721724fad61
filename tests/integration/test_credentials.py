"""Refreshing credentials (a ``credential_process`` profile) used from many event loops and
threads at once: consecutive ``asyncio.run`` calls and four threads calling the async and
sync APIs while the credentials expire every few seconds, on both transports.

The profile's process prints credentials that expire ``LIFETIME`` seconds later and counts its
runs in a file. botocore refreshes credentials that are that close to expiry before every
request (they are inside its mandatory refresh window), so refreshes overlap requests of
every loop and thread all the time. The other profiles' process takes ``SLOW`` seconds: its
refreshes must not stop the event loop meanwhile, whether botocore must refresh before the
next request (``slow``) or refreshes early, in its advisory window, while the credentials are
still good (``advisory``: they enter that window ``QUIET`` seconds after each run).
"""

from __future__ import annotations

import asyncio
import itertools
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pydynox import DynamoDBClient

from ..local_servers import Servers
from .tables import unique

LIFETIME = 3  # seconds from a run of the process to the expiry of what it printed
SECONDS = 12  # how long the four threads make requests
SLOW = 0.5  # seconds the "slow" and "advisory" profiles' process takes
ADVISORY = 15 * 60  # botocore's advisory refresh window for credentials from a process
QUIET = 2  # seconds from a run of the "advisory" process to that window (1 to 2: whole seconds)

PROCESS = """\
import datetime, json, sys, time

runs, sleep, lifetime = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
time.sleep(sleep)
with open(runs, "a") as out:  # one short appended line: whole even when runs overlap
    out.write("run\\n")
with open(runs) as counted:
    count = len(counted.readlines())
expiry = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=lifetime)
print(json.dumps({
    "Version": 1,
    "AccessKeyId": f"AKIDPROCESS{count:08d}",
    "SecretAccessKey": f"secret-{count}",
    "SessionToken": f"token-{count}",
    "Expiration": expiry.strftime("%Y-%m-%dT%H:%M:%SZ"),
}))
"""


@pytest.fixture
def process_profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Profiles ``refreshing``, ``slow`` and ``advisory`` whose credentials come from a
    process; yields the file that counts the process's runs."""
    script = tmp_path / "credentials.py"
    script.write_text(PROCESS)
    runs = tmp_path / "runs"
    runs.write_text("")
    config = tmp_path / "config"
    command = f'"{sys.executable}" -I -S "{script}" "{runs}"'
    config.write_text(
        f"[profile refreshing]\ncredential_process = {command} 0 {LIFETIME}\n"
        f"[profile slow]\ncredential_process = {command} {SLOW} {LIFETIME}\n"
        f"[profile advisory]\ncredential_process = {command} {SLOW} {ADVISORY + QUIET}\n"
    )
    empty = tmp_path / "credentials"
    empty.write_text("")
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ENDPOINT_URL",
        "AWS_ENDPOINT_URL_DYNAMODB",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    yield runs


def _runs(counter: Path) -> int:
    return len(counter.read_text().splitlines())


@pytest.mark.parametrize("transport", ["wire", "botocore"])
def test_refreshing_credentials_from_many_loops_and_threads(
    transport: str, process_profile: Path, servers: Servers
) -> None:
    if transport == "botocore":
        pytest.importorskip("aioboto3", reason="the botocore transport's async side")
    client = DynamoDBClient(
        profile="refreshing",
        endpoint_url=servers.endpoint("moto"),
        region="us-east-1",
        transport=transport,  # type: ignore[arg-type]
        max_attempts=1,  # an error is reported, not retried away
    )
    table = unique("creds")
    client.sync_create_table(table, partition_key=("pk", "S"))
    errors: list[str] = []
    calls = [0]
    count_lock = threading.Lock()

    def record(done: int, error: BaseException | None) -> None:
        with count_lock:
            calls[0] += done
            if error is not None:
                errors.append(f"{threading.current_thread().name}: {error!r}")

    async def burst(worker: int) -> None:
        # Concurrent requests on one loop: they meet one refresh in progress.
        key = f"{worker}-{time.monotonic_ns()}"
        await client.put_item(table, {"pk": key, "n": worker})
        gets = (client.get_item(table, {"pk": key}) for _ in range(3))
        items = await asyncio.gather(*gets, return_exceptions=True)
        for item in items:
            if isinstance(item, BaseException):
                raise item
        assert items == [{"pk": key, "n": worker}] * 3

    try:
        for run in range(5):  # consecutive event loops in this thread
            asyncio.run(burst(run))
        runs_before_threads = _runs(process_profile)

        deadline = time.monotonic() + SECONDS

        def worker(number: int) -> None:
            while time.monotonic() < deadline:
                try:
                    if number % 2:
                        key = f"sync-{number}-{time.monotonic_ns()}"
                        client.sync_put_item(table, {"pk": key, "n": number})
                        assert client.sync_get_item(table, {"pk": key}) == {"pk": key, "n": number}
                        record(2, None)
                    else:
                        asyncio.run(burst(number))  # a new loop each time
                        record(4, None)
                except Exception as error:
                    record(0, error)
                time.sleep(0.05)

        threads = [threading.Thread(target=worker, args=(n,), name=f"worker-{n}") for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(SECONDS + 60)
        assert not any(thread.is_alive() for thread in threads)
    finally:
        client.sync_delete_table(table, wait=False)
        client.sync_close()

    assert errors == [], f"{len(errors)} of {calls[0] + len(errors)} failed: {errors[:5]}"
    assert calls[0] > 40
    # The credentials were refreshed while the threads ran, not only resolved once.
    assert _runs(process_profile) > runs_before_threads > 1


@pytest.mark.parametrize("transport", ["wire", "botocore"])
@pytest.mark.parametrize("profile", ["slow", "advisory"])
def test_a_slow_refresh_does_not_stop_the_event_loop(
    profile: str, transport: str, process_profile: Path, servers: Servers
) -> None:
    if transport == "botocore":
        pytest.importorskip("aioboto3", reason="the botocore transport's async side")
    client = DynamoDBClient(
        profile=profile,
        endpoint_url=servers.endpoint("moto"),
        region="us-east-1",
        transport=transport,  # type: ignore[arg-type]
        max_attempts=1,
    )
    # "slow": every request refreshes first; "advisory": a refresh every QUIET seconds.
    least, seconds = (3, 0.0) if profile == "slow" else (1, 2.5 * QUIET)

    async def scenario() -> tuple[int, float]:
        ticks = [time.monotonic()]

        async def tick() -> None:
            while True:
                await asyncio.sleep(0.01)
                ticks.append(time.monotonic())

        ticker = asyncio.create_task(tick())
        requests = 0
        end = time.monotonic() + seconds
        while requests < least or time.monotonic() < end:
            assert await client.table_exists("no-such-table") is False
            requests += 1
            await asyncio.sleep(0.02)
        ticker.cancel()
        return requests, max(later - earlier for earlier, later in itertools.pairwise(ticks))

    try:
        runs_before = _runs(process_profile)
        requests, longest_pause = asyncio.run(scenario())
        runs = _runs(process_profile) - runs_before
    finally:
        client.sync_close()
    assert longest_pause < SLOW / 2  # the loop went on while the process ran
    if profile == "slow":
        assert runs >= requests == 3  # each request waited for a run of the process
    else:
        assert 2 <= runs < requests / 3  # early refreshes, not one per request
