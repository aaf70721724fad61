"""The benchmark harness runs end to end, for this project's clients only.

``python -m benchmarks --only ours --quick``: the fake DynamoDB, one fresh worker process per
client, the HTTP answer parsers in this interpreter, and the tables, with no peers (so no
virtual environment and no network). Only the shape of the result is checked, never a timing.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OURS = "pydynox (this repo)"
NUMBER = re.compile(r"^([\d,]+(?:\.\d+)?)(?: \([\d.]+x\))?$")
SHARE = re.compile(r"^\d+(?:\.\d+)? %$")
PARSERS = {
    "pydynox (this repo) _response.Response **(reference)**": "ours",
    "h11 ": "h11",
    "httptools ": "httptools",
}


def _rows(section: str) -> dict[tuple[str, str], list[str]]:
    """The table rows of one section: (client, mode) -> its cells."""
    rows: dict[tuple[str, str], list[str]] = {}
    for line in section.splitlines():
        if line.startswith(f"| {OURS}"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            label = cells[0].replace(" **(reference)**", "")
            rows[(label, cells[1])] = cells[2:]
    return rows


def _positive(text: str) -> float:
    match = NUMBER.match(text)
    assert match, f"not a number: {text!r}"
    value = float(match.group(1).replace(",", ""))
    assert value > 0, text
    return value


def _parser_rows(section: str) -> dict[str, list[str]]:
    """The parsers table: parser (ours, h11, httptools) -> its cells after the environment."""
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        for prefix, parser in PARSERS.items():
            if line.startswith(f"| {prefix}"):
                assert parser not in rows, line
                assert cells[1] == "this project's interpreter", line
                rows[parser] = cells[2:]
    return rows


def test_quick_run_of_our_clients_prints_a_full_table(tmp_path: Path) -> None:
    markdown = tmp_path / "bench.md"
    listed = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--list"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    ours = [line.split("\t")[0] for line in listed.stdout.splitlines() if line.startswith("ours-")]
    assert {"ours-model-async", "ours-model-sync", "ours-client-async", "ours-client-sync"} <= set(
        ours
    )

    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "ours", "--quick", "--markdown", markdown],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert markdown.read_text() == done.stdout
    assert "installing" not in done.stderr  # no peers: no virtual environment, no network

    cpu, rest = done.stdout.split("### Client CPU per operation", 1)[1].split("### Throughput", 1)
    rate, rest = rest.split("### Cold start", 1)
    cold, rest = rest.split("### HTTP answer parsers, CPU µs per answer", 1)
    parsers = rest.split("\n### ", 1)[0]
    cpu_rows, rate_rows, cold_rows = _rows(cpu), _rows(rate), _rows(cold)
    # One row per client in every table: the model and the client API, async and sync, plus
    # the transport="botocore" rows when DynamoDBClient has that keyword.
    assert len(cpu_rows) == len(ours)
    assert rate_rows.keys() == cpu_rows.keys() == cold_rows.keys()
    for (label, mode), cells in [*cpu_rows.items(), *rate_rows.items()]:
        assert len(cells) == 6, (label, mode, cells)
        *single, concurrent = cells
        for text in single:
            _positive(text)
        if mode == "async":
            _positive(concurrent)
        else:
            assert concurrent.startswith("n/a"), concurrent
    for cells in cold_rows.values():
        _positive(cells[0])  # process wall minus interpreter start
        _positive(cells[2])  # in process

    # The parsers, in this interpreter only: ours always, h11 and httptools where installed.
    # Three answers each (GetItem, Query, chunked Query), then the share of our sync get.
    parser_rows = _parser_rows(parsers)
    assert parser_rows.keys() == {"ours", "h11", "httptools"}, parsers
    assert "error" not in parsers
    for parser, cells in parser_rows.items():
        assert len(cells) == 4, (parser, cells)
        *answers, share = cells
        if parser != "ours" and answers[0] == "not installed":
            assert answers == ["not installed"] * 3 and share == "", (parser, cells)
            continue
        for text in answers:
            _positive(text)
            assert ("x)" in text) == (parser != "ours"), (parser, text)  # ratio to ours
        assert SHARE.match(share), (parser, share)
    assert "## Machine" in done.stdout
