"""``python -m benchmarks``: the fake server, the workers, the medians and the table.

Run from the repository root with the project's interpreter. What it does:

1. asks ``worker_ours --list`` which of this project's clients exist (the
   ``transport="botocore"`` rows only when ``DynamoDBClient`` takes that keyword);
2. when a peer (or the parsers in the peers' environment) is selected, makes ``.bench/peers``
   (a virtual environment with pinned versions of the peers) on first use and asks
   ``worker_peers --list`` there;
3. starts the fake DynamoDB (``benchmarks.server``) in its own process on a free port;
4. measures how long the interpreters take to start (``python -c pass``);
5. ``--repeats`` rounds; in each, every client runs once in a fresh process for a cold start
   (import + construct + first get) and once in another fresh process for the timed
   operations (warm-up, then about ``--seconds`` per operation);
6. ``--repeats`` more rounds of the HTTP answer parsers (``benchmarks.parsers``), one fresh
   process per environment each: this project's interpreter and ``.bench/peers``;
7. prints the medians as markdown (and writes them to ``--markdown PATH``).

Steps 3 to 5 are skipped when no client is selected (``--only parsers``).

Progress goes to stderr; the table to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from benchmarks._common import OP_TITLES, OPS, PARSER_ANSWERS, RESULT_PREFIX

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PEERS_VENV = REPO / ".bench" / "peers"
# Pinned so that runs compare like with like; boto3 and pydantic match this project's own.
PEER_PINS: tuple[str, ...] = (
    "boto3==1.40.61",
    "aioboto3==15.5.0",
    "pynamodb==6.1.0",
    "dyntastic==0.18.0",
    "pydynox==1.8.0",
    "pydantic==2.14.4",
    # HTTP/1.1 parsers for benchmarks.parsers (the newest of each when pinned)
    "h11==0.16.0",
    "httptools==0.9.0",
)
PEER_IDS: tuple[str, ...] = (
    "boto3",
    "aioboto3",
    "pynamodb",
    "dyntastic",
    "rust-model-async",
    "rust-model-sync",
    "rust-client-async",
    "rust-client-sync",
)
REFERENCE = {"sync": "ours-client-sync", "async": "ours-client-async"}
PARSERS = "parsers"  # the --only name of the HTTP answer parsers section
ENDPOINT_ENV = "AWS_ENDPOINT_URL_DYNAMODB"


def log(message: str) -> None:
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


@dataclass
class Runner:
    """How to start a worker: its interpreter command, its script and its directory."""

    family: str
    prefix: list[str]
    cwd: Path
    bare: list[str]  # the same interpreter doing nothing: ``python -c pass``

    def command(self, *args: str) -> list[str]:
        return [*self.prefix, *args]


@dataclass
class Row:
    id: str
    label: str
    mode: str
    family: str
    note: str = ""
    unavailable: str | None = None
    runner: Runner | None = None
    runs: list[dict[str, Any]] = field(default_factory=list)
    cold_wall_ms: list[float] = field(default_factory=list)
    cold_in_process_ms: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class ParserRun:
    """The HTTP answer parsers, measured in one environment: one result per round."""

    family: str  # "ours" or "peers": whose interpreter
    where: str  # the environment, as the table names it
    runner: Runner | None = None
    unavailable: str | None = None
    note: str = ""
    runs: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class Settings:
    seconds: float
    warmup: float
    repeats: int
    startup_runs: int
    cold_per_round: int


class WorkerError(RuntimeError):
    pass


def _environment(endpoint: str | None) -> dict[str, str]:
    """The workers' environment: dummy keys, a fixed region, no AWS files, no metadata."""
    env = dict(os.environ)
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        env.pop(name, None)
    env.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_EC2_METADATA_DISABLED="true",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )
    if endpoint is not None:
        env[ENDPOINT_ENV] = endpoint
    return env


def run_worker(
    runner: Runner, args: Sequence[str], endpoint: str | None, timeout: float
) -> tuple[Any, float]:
    """Run a worker to its end: (its result, wall seconds). Raises WorkerError."""
    started = time.perf_counter()
    try:
        done = subprocess.run(
            runner.command(*args),
            cwd=runner.cwd,
            env=_environment(endpoint),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise WorkerError(f"worker timed out after {timeout:.0f} s") from None
    wall = time.perf_counter() - started
    for line in done.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :]), wall
    tail = " | ".join(done.stderr.strip().splitlines()[-3:]) or f"exit status {done.returncode}"
    raise WorkerError(f"worker failed: {tail}"[:400])


def startup_ms(runner: Runner, runs: int) -> float:
    """Median wall time of the worker's interpreter doing nothing (``python -c pass``)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(runner.bare, cwd=runner.cwd, env=_environment(None), check=True)
        times.append((time.perf_counter() - started) * 1e3)
    return statistics.median(times)


# -- the peers' virtual environment ---------------------------------------------------------


def _venv_python(venv: Path) -> Path:
    unix = venv / "bin" / "python"
    return unix if unix.exists() or os.name != "nt" else venv / "Scripts" / "python.exe"


def ensure_peers(venv: Path) -> tuple[Path | None, dict[str, str]]:
    """Create or update the peers' environment: (its python or None, failed pins -> why)."""
    python = _venv_python(venv)
    stamp = venv / "bench-pins.txt"
    wanted = "\n".join(PEER_PINS) + "\n"
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return python, {}
    installing_log = venv.parent / "peers-install.log"
    venv.parent.mkdir(parents=True, exist_ok=True)
    if not python.exists():
        log(f"creating the peers' virtual environment in {venv} ...")
        made = subprocess.run(
            [sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True
        )
        if made.returncode != 0 or not python.exists():
            reason = (made.stderr.strip().splitlines() or ["python -m venv failed"])[-1]
            return None, dict.fromkeys(PEER_PINS, f"cannot create {venv}: {reason}")
    log(f"installing {' '.join(PEER_PINS)} (log: {installing_log}) ...")
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    failures: dict[str, str] = {}
    with installing_log.open("w") as out:
        everything = subprocess.run([*pip, *PEER_PINS], stdout=out, stderr=subprocess.STDOUT)
        if everything.returncode != 0:
            for pin in PEER_PINS:  # one by one, to know which cannot be had
                alone = subprocess.run([*pip, pin], capture_output=True, text=True, timeout=900)
                out.write(alone.stdout + alone.stderr)
                if alone.returncode != 0:
                    lines = [ln for ln in alone.stderr.splitlines() if "ERROR" in ln]
                    failures[pin] = (lines or ["pip install failed"])[-1][:200]
    if not failures:
        stamp.write_text(wanted)
    return python, failures


# -- the fake server --------------------------------------------------------------------------


def start_server() -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server", "--port", "0", "--until-stdin-closes"],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    line = server.stdout.readline()
    if not line.startswith("PORT "):
        server.kill()
        raise RuntimeError(f"the fake DynamoDB did not start (it said {line!r})")
    return server, f"http://127.0.0.1:{int(line.split()[1])}"


def stop_server(server: subprocess.Popen[str]) -> None:
    if server.stdin is not None:
        server.stdin.close()  # the server stops when its stdin closes
    try:
        server.wait(timeout=5)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


# -- measuring --------------------------------------------------------------------------------


def _short(result: dict[str, Any]) -> str:
    parts = []
    for op in OPS:
        value = result.get(op, {})
        if "cpu_us" in value:
            parts.append(f"{op} {value['cpu_us']:.0f}us")
        elif "error" in value:
            parts.append(f"{op} ERROR")
    return ", ".join(parts)


def measure(rows: list[Row], endpoint: str, settings: Settings) -> None:
    live = [row for row in rows if row.unavailable is None and row.runner is not None]
    per_op = settings.seconds + settings.warmup
    timeout = 120 + 10 * per_op * len(OPS)
    for round_number in range(1, settings.repeats + 1):
        for row in live:
            assert row.runner is not None
            for _ in range(settings.cold_per_round):
                try:
                    cold, wall = run_worker(
                        row.runner, ["--cold", row.id, "--endpoint", endpoint], endpoint, 120
                    )
                    row.cold_wall_ms.append(wall * 1e3)
                    row.cold_in_process_ms.append(float(cold["in_process_ms"]))
                except WorkerError as error:
                    row.problems.append(f"cold start: {error}")
            try:
                result, _ = run_worker(
                    row.runner,
                    [
                        "--measure",
                        row.id,
                        "--endpoint",
                        endpoint,
                        "--seconds",
                        str(settings.seconds),
                        "--warmup",
                        str(settings.warmup),
                        "--ops",
                        ",".join(OPS),
                    ],
                    endpoint,
                    timeout,
                )
                row.runs.append(result)
                log(f"[{round_number}/{settings.repeats}] {row.id}: {_short(result)}")
            except WorkerError as error:
                row.problems.append(str(error))
                log(f"[{round_number}/{settings.repeats}] {row.id}: {error}")


def measure_parsers(parser_runs: list[ParserRun], settings: Settings) -> None:
    live = [run for run in parser_runs if run.unavailable is None and run.runner is not None]
    timeout = 120 + 10 * (settings.seconds + settings.warmup) * 9  # 3 parsers x 3 answers
    for round_number in range(1, settings.repeats + 1):
        for run in live:
            assert run.runner is not None
            args = ["--seconds", str(settings.seconds), "--warmup", str(settings.warmup)]
            try:
                result, _ = run_worker(run.runner, args, None, timeout)
            except WorkerError as error:
                run.problems.append(str(error))
                log(f"[{round_number}/{settings.repeats}] parsers in {run.where}: {error}")
                continue
            run.runs.append(result)
            short = ", ".join(
                f"{parser} {value['cpu_us']:.1f}us"
                for parser, answers in result["results"].items()
                for answer, value in answers.items()
                if answer == "get" and "cpu_us" in value
            )
            log(f"[{round_number}/{settings.repeats}] parsers in {run.where}, GetItem: {short}")


# -- the report -------------------------------------------------------------------------------


@dataclass
class Cell:
    """One operation of one client: medians, or why there is no number."""

    cpu_us: float | None = None
    ops_s: float | None = None
    reason: str | None = None  # n/a or error text
    error: bool = False


def cell(row: Row, op: str) -> Cell:
    if row.unavailable is not None:
        return Cell(reason=row.unavailable)
    values = [run[op] for run in row.runs if op in run]
    numbers = [v for v in values if "cpu_us" in v]
    for value in values:
        if "na" in value:
            return Cell(reason=str(value["na"]))
    errors = [str(v["error"]) for v in values if "error" in v]
    if errors:
        return Cell(reason=errors[0], error=True)
    if not numbers:
        return Cell(reason=row.problems[0] if row.problems else "no result", error=True)
    return Cell(
        cpu_us=statistics.median(v["cpu_us"] for v in numbers),
        ops_s=statistics.median(v["ops_s"] for v in numbers),
    )


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


class Notes:
    """Numbered footnotes, one per distinct reason."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def mark(self, text: str) -> str:
        if text not in self.texts:
            self.texts.append(text)
        return f"[{self.texts.index(text) + 1}]"


def _cells_line(row: Row, ref: Row | None, metric: str, notes: Notes, is_ref: bool) -> list[str]:
    out = []
    for op in OPS:
        mine = cell(row, op)
        if mine.reason is not None:
            out.append(("error " if mine.error else "n/a ") + notes.mark(mine.reason))
            continue
        value = mine.cpu_us if metric == "cpu" else mine.ops_s
        assert value is not None
        text = _number(value)
        if ref is not None and not is_ref:
            theirs = cell(ref, op)
            base = theirs.cpu_us if metric == "cpu" else theirs.ops_s
            if base:
                text += f" ({value / base:.2f}x)"
        out.append(text)
    return out


def _label(row: Row, notes: Notes) -> str:
    label = row.label
    if row.id in REFERENCE.values():
        label += " **(reference)**"
    if row.problems:  # a failed worker run is never hidden behind the medians of the others
        label += " " + notes.mark(
            f"{row.label} ({row.mode}): {len(row.problems)} worker run(s) failed; "
            f"the first: {row.problems[0]}"
        )
    return label


def table(rows: list[Row], metric: str, notes: Notes) -> list[str]:
    by_id = {row.id: row for row in rows}
    head = ["client", "mode", *(OP_TITLES[op] for op in OPS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows:
        ref = by_id.get(REFERENCE[row.mode])
        is_ref = row.id == REFERENCE[row.mode]
        cells = _cells_line(row, ref, metric, notes, is_ref)
        lines.append("| " + " | ".join([_label(row, notes), row.mode, *cells]) + " |")
    return lines


def cold_table(rows: list[Row], startup: dict[str, float], notes: Notes) -> list[str]:
    by_id = {row.id: row for row in rows}
    lines = [
        "| client | mode | cold start, ms (process wall - interpreter start) "
        "| vs reference | import + construct + first get, in process (ms) |",
        "|---|---|---|---|---|",
    ]

    def cold_of(row: Row) -> float | None:
        if not row.cold_wall_ms:
            return None
        return statistics.median(row.cold_wall_ms) - startup[row.family]

    for row in rows:
        mine = cold_of(row)
        if mine is None:
            reason = row.unavailable or (row.problems[0] if row.problems else "no result")
            mark = notes.mark(reason)
            kind = "n/a" if row.unavailable else "error"
            lines.append(f"| {_label(row, notes)} | {row.mode} | {kind} {mark} | | |")
            continue
        ref = by_id.get(REFERENCE[row.mode])
        base = cold_of(ref) if ref is not None else None
        ratio = f"{mine / base:.2f}x" if base and row is not ref else ""
        in_process = statistics.median(row.cold_in_process_ms)
        lines.append(
            f"| {_label(row, notes)} | {row.mode} | {mine:,.0f} | {ratio} | {in_process:,.0f} |"
        )
    return lines


def _parser_cell(run: ParserRun, parser: str, answer: str) -> Cell:
    values = [r["results"][parser][answer] for r in run.runs if parser in r["results"]]
    errors = [str(v["error"]) for v in values if "error" in v]
    if errors:
        return Cell(reason=errors[0], error=True)
    numbers = [v["cpu_us"] for v in values if "cpu_us" in v]
    if not numbers:
        return Cell(reason="no result", error=True)
    return Cell(cpu_us=statistics.median(numbers))


def parser_table(
    parser_runs: list[ParserRun], reference_get: float | None, notes: Notes
) -> list[str]:
    """One row per parser and environment; ratios against ours from the same processes."""
    sizes: list[dict[str, Any]] = next(
        (run.runs[-1]["answers"] for run in parser_runs if run.runs), []
    )
    size = {answer["id"]: answer["bytes"] for answer in sizes}
    titles = [
        f"{title}, {size[answer]:,} bytes" if answer in size else title
        for answer, title in PARSER_ANSWERS.items()
    ]
    share_title = "GetItem: share of our sync client's get"
    if reference_get is not None:
        share_title += f" ({_number(reference_get)} µs)"
    head = ["parser", "environment", *titles, share_title]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for run in parser_runs:
        where = run.where
        if run.note:
            where += " " + notes.mark(run.note)
        if run.problems:  # a failed round is never hidden behind the medians of the others
            where += " " + notes.mark(
                f"parsers in {run.where}: {len(run.problems)} worker run(s) failed; "
                f"the first: {run.problems[0]}"
            )
        if not run.runs:
            reason = run.unavailable or (run.problems[0] if run.problems else "no result")
            mark = ("n/a " if run.unavailable else "error ") + notes.mark(reason)
            cells = [mark] * len(PARSER_ANSWERS)
            lines.append("| " + " | ".join(["every parser", where, *cells, ""]) + " |")
            continue
        for parser in run.runs[-1]["parsers"]:
            label = parser["label"] + (" **(reference)**" if parser["id"] == "ours" else "")
            if parser["unavailable"]:
                cells = [str(parser["unavailable"])] * len(PARSER_ANSWERS)
                lines.append("| " + " | ".join([label, where, *cells, ""]) + " |")
                continue
            cells = []
            for answer in PARSER_ANSWERS:
                mine = _parser_cell(run, parser["id"], answer)
                if mine.reason is not None:
                    cells.append(("error " if mine.error else "n/a ") + notes.mark(mine.reason))
                    continue
                assert mine.cpu_us is not None
                text = _number(mine.cpu_us)
                base = _parser_cell(run, "ours", answer).cpu_us
                if parser["id"] != "ours" and base:
                    text += f" ({mine.cpu_us / base:.2f}x)"
                cells.append(text)
            get = _parser_cell(run, parser["id"], "get").cpu_us
            if get is None:
                share = ""
            elif reference_get is None:
                share = "n/a " + notes.mark(
                    f"no get figure of {REFERENCE['sync']} in this run to compare with "
                    "(it runs without --only, or with --only ours)"
                )
            else:
                share = f"{100 * get / reference_get:.1f} %"
            lines.append("| " + " | ".join([label, where, *cells, share]) + " |")
    return lines


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def git_revision() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    if not commit:
        return "unknown"
    return commit + (" with uncommitted changes" if dirty else "")


def report(
    rows: list[Row],
    parser_runs: list[ParserRun],
    settings: Settings,
    startup: dict[str, float],
    context: dict[str, Any],
) -> str:
    notes = Notes()
    out = ["## Results", ""]
    if rows:
        out += _clients_section(rows, settings, startup, notes)
    if parser_runs:
        out += _parsers_section(rows, parser_runs, settings, notes)
    if notes.texts:
        out += ["### Notes", ""]
        out += [f"{i}. {text}" for i, text in enumerate(notes.texts, 1)]
        out.append("")
    out += ["## Machine", ""]
    out += [f"- {name}: {value}" for name, value in context["machine"].items()]
    out.append("")
    for title, versions in context["versions"].items():
        out.append(f"- {title}: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _clients_section(
    rows: list[Row], settings: Settings, startup: dict[str, float], notes: Notes
) -> list[str]:
    cpu = table(rows, "cpu", notes)
    rate = table(rows, "ops", notes)
    cold = cold_table(rows, startup, notes)
    for row in rows:
        if row.note:
            notes.mark(f"{row.label} ({row.mode}): {row.note}")
    return [
        f"Median of {settings.repeats} fresh worker process(es) per client; in each, every "
        f"operation is warmed up for {settings.warmup:g} s and then timed for about "
        f"{settings.seconds:g} s. Cold starts: median of "
        f"{settings.repeats * settings.cold_per_round} more fresh processes per client. "
        "The fake DynamoDB answers instantly from its own process; CPU is the client "
        "process's own (`time.process_time()`, all its threads).",
        "",
        "Ratios are this row / the reference row of the same mode: sync rows against "
        "**pydynox (this repo) client, sync**; async rows against **pydynox (this repo) "
        "client, async**. For CPU, above 1x means more CPU than ours; for ops/s, above 1x "
        "means faster than ours.",
        "",
        "### Client CPU per operation (µs; lower is better)",
        "",
        *cpu,
        "",
        "### Throughput (operations per second of wall time; higher is better)",
        "",
        *rate,
        "",
        "### Cold start (fresh process: import + client construction + first get)",
        "",
        *cold,
        "",
        "Interpreter start (`python -c pass`, subtracted above): "
        + ", ".join(f"{family} {value:.0f} ms" for family, value in startup.items())
        + ".",
        "",
    ]


def _parsers_section(
    rows: list[Row], parser_runs: list[ParserRun], settings: Settings, notes: Notes
) -> list[str]:
    reference = next((row for row in rows if row.id == REFERENCE["sync"]), None)
    reference_get = cell(reference, "get").cpu_us if reference is not None else None
    return [
        "### HTTP answer parsers, CPU µs per answer (lower is better)",
        "",
        "Each parser reads, from a fresh parser object, the bytes the fake DynamoDB sends "
        "(its own headers, the body framed by Content-Length, or re-framed in chunks), fed "
        "whole, until it has the status, the headers and the body; every result is checked "
        "against what was sent before it is timed. Each answer is warmed up for "
        f"{settings.warmup:g} s and then timed for about {settings.seconds:g} s "
        "(`time.process_time()`); median of "
        f"{settings.repeats} fresh process(es) per environment. h11 is also sent the least "
        "request it accepts first, since it reads no answer before one. Ratios are this row "
        "/ ours in the same processes. The last column is the GetItem parse as a share of "
        "the client CPU of one get by this project's sync client, measured in the same run "
        "(the client CPU table).",
        "",
        *parser_table(parser_runs, reference_get, notes),
        "",
    ]


# -- the command line -------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Benchmark pydynox against its peers on a fake, instant DynamoDB.",
    )
    parser.add_argument(
        "--only",
        help="comma-separated client ids, or the groups 'ours' (our clients, and the HTTP "
        "parsers in this interpreter), 'peers' (the peers, and the parsers in their "
        "environment) and 'parsers' (the parsers in both) (default: all)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="one short round: a smoke test, not a figure"
    )
    parser.add_argument("--markdown", type=Path, help="also write the table to this file")
    parser.add_argument("--seconds", type=float, help="timed seconds per operation (1.0)")
    parser.add_argument("--warmup", type=float, help="warm-up seconds per operation (0.2)")
    parser.add_argument("--repeats", type=int, help="fresh processes per client (3)")
    parser.add_argument(
        "--peers-venv", type=Path, default=PEERS_VENV, help=f"default: {PEERS_VENV}"
    )
    parser.add_argument("--list", action="store_true", help="list the client ids and stop")
    return parser.parse_args(argv)


def settings_from(args: argparse.Namespace) -> Settings:
    quick = bool(args.quick)
    return Settings(
        seconds=args.seconds if args.seconds is not None else (0.05 if quick else 1.0),
        warmup=args.warmup if args.warmup is not None else (0.02 if quick else 0.2),
        repeats=args.repeats if args.repeats is not None else (1 if quick else 3),
        startup_runs=3 if quick else 9,
        cold_per_round=1 if quick else 2,
    )


def _rows_from_listing(listing: dict[str, Any], family: str, runner: Runner) -> list[Row]:
    rows = []
    for client in listing["clients"]:
        if client["optional"] and client["unavailable"]:
            continue  # e.g. the botocore transport rows before transport= exists
        rows.append(
            Row(
                id=client["id"],
                label=client["label"],
                mode=client["mode"],
                family=family,
                note=client["note"],
                unavailable=client["unavailable"],
                runner=runner,
            )
        )
    return rows


def select(only: str | None, ours: list[str]) -> tuple[list[str], list[str]]:
    """The client ids wanted, and the families whose interpreters run the parsers section.

    The group ``ours`` is everything this project's interpreter runs (our clients and the
    parsers there), ``peers`` everything ``.bench/peers`` runs, ``parsers`` the parsers in both.
    """
    known = [*ours, *PEER_IDS]
    if not only:
        return known, ["ours", "peers"]
    wanted: list[str] = []
    families: list[str] = []
    for name in (part.strip() for part in only.split(",")):
        group = {"ours": ours, "peers": list(PEER_IDS)}.get(name)
        if group is not None:
            wanted += [n for n in group if n not in wanted]
        elif name in known:
            if name not in wanted:
                wanted.append(name)
        elif name != PARSERS and name:
            raise SystemExit(
                f"unknown client {name!r}; known: ours, peers, {PARSERS}, {', '.join(known)}"
            )
        groups = {"ours": ["ours"], "peers": ["peers"], PARSERS: ["ours", "peers"]}
        families += [family for family in groups.get(name, []) if family not in families]
    return wanted, sorted(families, key=["ours", "peers"].index)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv)
    settings = settings_from(args)
    ours_runner = Runner(
        "ours",
        [sys.executable, "-m", "benchmarks.worker_ours"],
        REPO,
        [sys.executable, "-c", "pass"],
    )
    try:
        ours_listing, _ = run_worker(ours_runner, ["--list"], None, 120)
    except WorkerError as error:
        log(f"cannot load this project's clients: {error}")
        return 1
    ours_rows = _rows_from_listing(ours_listing, "ours", ours_runner)
    if args.list:
        for row in ours_rows:
            print(f"{row.id}\t{row.label}, {row.mode}")
        for peer in PEER_IDS:
            print(f"{peer}\t(peer, runs in {args.peers_venv})")
        print(f"{PARSERS}\t(HTTP answer parsers, in this interpreter and in {args.peers_venv})")
        return 0
    wanted, parser_families = select(args.only, [row.id for row in ours_rows])
    rows = [row for row in ours_rows if row.id in wanted]
    versions: dict[str, dict[str, str]] = {
        f"this project (Python {ours_listing['python']})": ours_listing["versions"]
    }
    startup: dict[str, float] = {}
    peers_runner: Runner | None = None
    peer_ids = [name for name in wanted if name in PEER_IDS]
    peers_python: Path | None = None
    failures: dict[str, str] = {}
    if peer_ids or "peers" in parser_families:
        peers_python, failures = ensure_peers(args.peers_venv)
    if peer_ids:
        peer_rows, peers_runner, peer_versions = _peers(
            args.peers_venv, peers_python, failures, peer_ids
        )
        rows += peer_rows
        if peer_versions:
            versions.update(peer_versions)
    parser_runs = _parser_runs(parser_families, args.peers_venv, peers_python, failures)
    order = {row.id: index for index, row in enumerate(rows)}
    rows.sort(key=lambda row: (row.mode != "sync", row.family != "ours", order[row.id]))
    started_load = load_average()
    if rows:
        server, endpoint = start_server()
        log(f"fake DynamoDB at {endpoint}")
        try:
            startup["ours"] = startup_ms(ours_runner, settings.startup_runs)
            if peers_runner is not None:
                startup["peers"] = startup_ms(peers_runner, settings.startup_runs)
            measure(rows, endpoint, settings)
        finally:
            stop_server(server)
    measure_parsers(parser_runs, settings)
    context = {
        "machine": {
            "CPU": f"{cpu_model()}, {os.cpu_count()} logical cores",
            "OS": platform.platform(),
            "load average (1, 5, 15 min) at start / end": f"{started_load} / {load_average()}",
            "this project": f"commit {git_revision()}",
            "run": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
            + f"; --seconds {settings.seconds:g} --warmup {settings.warmup:g}"
            + f" --repeats {settings.repeats}",
        },
        "versions": versions,
    }
    for run in parser_runs:
        if run.runs:
            result = run.runs[-1]
            title = f"HTTP parsers in {run.where} (Python {result['python']})"
            names = {"ours": "pydynox (this repo)"}
            versions[title] = {
                names.get(parser["id"], parser["id"]): parser["version"]
                for parser in result["parsers"]
            }
    text = report(rows, parser_runs, settings, startup, context)
    sys.stdout.write(text)
    sys.stdout.flush()
    if args.markdown is not None:
        args.markdown.write_text(text)
        log(f"wrote {args.markdown}")
    return 0


def _shown(venv: Path) -> str:
    return str(venv.relative_to(REPO) if venv.is_relative_to(REPO) else venv)


def _install_failures(failures: dict[str, str]) -> str:
    return "; ".join(f"{pin}: {why}" for pin, why in failures.items())


def _parser_runs(
    families: list[str], venv: Path, python: Path | None, failures: dict[str, str]
) -> list[ParserRun]:
    """Where the parsers section runs: this interpreter, the peers' environment, or both."""
    runs = []
    if "ours" in families:
        runner = Runner(
            "ours",
            [sys.executable, "-m", "benchmarks.parsers"],
            REPO,
            [sys.executable, "-c", "pass"],
        )
        runs.append(ParserRun("ours", "this project's interpreter", runner))
    if "peers" in families:
        where = _shown(venv)
        if python is None:
            runs.append(ParserRun("peers", where, unavailable=next(iter(failures.values()))))
        else:
            # Run by its path, isolated: the script itself puts this repository on sys.path,
            # so that this project's parser is importable there beside h11 and httptools.
            runner = Runner(
                "peers",
                [str(python), "-I", str(HERE / "parsers.py")],
                Path(tempfile.gettempdir()),
                [str(python), "-I", "-c", "pass"],
            )
            run = ParserRun("peers", where, runner)
            if failures:
                run.note = f"{where}: install failures: {_install_failures(failures)}"
            runs.append(run)
    return runs


def _peers(
    venv: Path, python: Path | None, failures: dict[str, str], peer_ids: list[str]
) -> tuple[list[Row], Runner | None, dict[str, dict[str, str]]]:
    """The peers' rows, their runner and versions; n/a rows when they cannot be had."""

    def unavailable(reason: str) -> list[Row]:
        return [
            Row(id=p, label=p, mode=_PEER_MODES[p], family="peers", unavailable=reason)
            for p in peer_ids
        ]

    if python is None:
        return unavailable(next(iter(failures.values()))), None, {}
    runner = Runner(
        "peers",
        [str(python), "-I", str(HERE / "worker_peers.py")],
        Path(tempfile.gettempdir()),  # outside the repository: nothing of ours importable
        [str(python), "-I", "-c", "pass"],
    )
    try:
        listing, _ = run_worker(runner, ["--list"], None, 300)
    except WorkerError as error:
        return unavailable(f"the peers' worker does not start: {error}"), None, {}
    rows = [row for row in _rows_from_listing(listing, "peers", runner) if row.id in peer_ids]
    rows.sort(key=lambda row: peer_ids.index(row.id))
    for row in rows:
        if row.unavailable and failures:
            row.unavailable += "; install failures: " + _install_failures(failures)
    title = f"peers in {_shown(venv)}"
    return rows, runner, {f"{title} (Python {listing['python']})": listing["versions"]}


_PEER_MODES = {
    name: ("async" if "async" in name or name == "aioboto3" else "sync") for name in PEER_IDS
}
