"""The docs cannot drift from the code.

- Every Python example under ``docs/examples/`` runs as a script and exits 0; examples assert
  on what they print, so this checks behaviour. They run in order on one local DynamoDB that
  is never emptied, as a user runs them on one ``pydynox local``: no two share a table.
  (``docs/examples/testing/`` holds pytest files, run by ``tests/test_pytest_plugin.py``.)
- Every ``--8<--`` include in ``docs/*.md`` names an existing file, every example is included
  by some page, and the pages hold no inline Python: all Python is an included example.
- The API tables name only methods that exist, on the object they are called on; async names
  are coroutine functions (query and scan return a lazy result) and have their sync twin; and
  every row of the API tables of the page this project was created from (``async-support.md``,
  copied below as data) has its row in ``docs/async-and-sync.md``.
"""

from __future__ import annotations

import ast
import difflib
import inspect
import os
import re
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Annotated, Any

import pytest

import pydynox
from pydynox import (
    BatchWriter,
    BoundIndex,
    Collection,
    DynamoConfig,
    DynamoDBClient,
    DynamoMixin,
    GlobalSecondaryIndex,
    Model,
    PartitionKey,
    QueryResult,
    SortKey,
    SyncBatchWriter,
    SyncQueryResult,
    SyncTransaction,
    Transaction,
)

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLES = DOCS / "examples"
PAGES = sorted(DOCS.glob("*.md"))

# pytest files run by tests/test_pytest_plugin.py with pytester, not as scripts.
PYTEST_EXAMPLES = EXAMPLES / "testing"

SCRIPTS = sorted(path for path in EXAMPLES.rglob("*.py") if PYTEST_EXAMPLES not in path.parents)


def _name(path: Path) -> str:
    return path.relative_to(EXAMPLES).as_posix()


# -- running the examples ------------------------------------------------------------------

# A local DynamoDB in a process of its own, as ``pydynox local`` starts one. It stops when its
# stdin closes.
SERVER = """
import sys
from pydynox.testing import local_dynamodb

with local_dynamodb() as endpoint:
    print(endpoint, flush=True)
    sys.stdin.read()
"""


@contextmanager
def server_process() -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    try:
        endpoint = process.stdout.readline().strip()
        assert endpoint.startswith("http://127.0.0.1:"), "the local DynamoDB did not start"
        yield endpoint
    finally:
        process.stdin.close()
        process.stdout.close()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def example_env(endpoint: str) -> dict[str, str]:
    """The environment of a user's shell pointing at the local server, with no AWS profile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ENDPOINT_URL_DYNAMODB=endpoint,
        AWS_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    return env


# Runs one example as ``python docs/examples/x.py`` does, when told to: its slow part as a
# short script (starting Python, importing pydynox) happens while the example before it runs,
# and its own code starts only when that one has exited.
LAUNCHER = """
import os, runpy, sys
import pydynox

path = sys.argv[1]
if not sys.stdin.readline():
    sys.exit("not run: the test stopped before this example's turn")
sys.argv = [path]
sys.path[0] = os.path.dirname(path)
runpy.run_path(path, run_name="__main__")
"""

AHEAD = 2  # examples started ahead of their turn


def run_in_order(
    paths: list[Path], endpoint: str
) -> Iterator[tuple[Path, subprocess.CompletedProcess[str]]]:
    """Run the examples one after another, each to its end before the next one's code starts."""

    def start(path: Path) -> tuple[Path, subprocess.Popen[str]]:
        command = [sys.executable, "-W", "error", "-c", LAUNCHER, str(path)]
        process = subprocess.Popen(
            command,
            env=example_env(endpoint),
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return path, process

    waiting = iter(paths)
    ahead = deque(start(path) for path in islice(waiting, AHEAD))
    try:
        while ahead:
            path, process = ahead[0]
            try:
                stdout, stderr = process.communicate("go\n", timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
                stdout, stderr = process.communicate()
            ahead.popleft()
            ahead.extend(start(following) for following in islice(waiting, 1))
            done = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
            yield path, done
    finally:
        for _, process in ahead:
            process.kill()
            process.communicate()


@pytest.fixture(scope="module")
def example_runs(request: pytest.FixtureRequest) -> dict[Path, subprocess.CompletedProcess[str]]:
    """Run the selected examples as getting-started says to: one after another, in order, on
    one local DynamoDB that is never emptied (one ``pydynox local``). Each example finds the
    tables of every example before it, so each uses table names of its own."""
    tests = [item for item in request.session.items if isinstance(item, pytest.Function)]
    selected = {
        item.callspec.params["example"]
        for item in tests
        if item.originalname == "test_example_runs" and hasattr(item, "callspec")
    }
    if any(item.originalname == "test_all_examples_run_on_one_server" for item in tests):
        selected = set(SCRIPTS)
    with server_process() as endpoint:
        return dict(run_in_order([path for path in SCRIPTS if path in selected], endpoint))


@pytest.mark.parametrize("example", SCRIPTS, ids=_name)
def test_example_runs(
    example: Path, example_runs: dict[Path, subprocess.CompletedProcess[str]]
) -> None:
    done = example_runs[example]
    assert done.returncode == 0, (
        f"{_name(example)} exited {done.returncode}\n"
        f"--- stdout ---\n{done.stdout}\n--- stderr ---\n{done.stderr}"
    )
    assert done.stdout.strip(), f"{_name(example)} printed nothing to show what it did"


def test_all_examples_run_on_one_server(
    example_runs: dict[Path, subprocess.CompletedProcess[str]],
) -> None:
    """Every example, in order, on one server never emptied: the way getting-started runs them
    (one ``pydynox local``). A table name two examples share fails the later one."""
    assert list(example_runs) == SCRIPTS
    failed = [_name(path) for path, done in example_runs.items() if done.returncode != 0]
    assert failed == [], f"failed on a shared server (see test_example_runs): {failed}"


def test_there_are_examples() -> None:
    assert len(SCRIPTS) >= 40


# -- includes and code blocks --------------------------------------------------------------

INCLUDE = re.compile(r'^--8<-- "([^"]+)"$')
# An opening fence: its language, and optionally a title (```python title="first_model.py").
FENCE = re.compile(r'^(\s*)```(\S*)(?:\s+title="([^"]*)")?\s*$')


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    language: str
    text: str
    title: str | None = None


def code_blocks(page: Path) -> list[Block]:
    blocks: list[Block] = []
    lines = page.read_text().splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, language, title = opening.groups()
        body: list[str] = []
        index += 1
        while index < len(lines) and lines[index].strip() != "```":
            body.append(
                lines[index][len(indent) :] if lines[index].startswith(indent) else lines[index]
            )
            index += 1
        assert index < len(lines), f"{page.name}: unclosed code block"
        blocks.append(Block(page.name, index - len(body), language, "\n".join(body), title))
        index += 1
    return blocks


ALL_BLOCKS = [block for page in PAGES for block in code_blocks(page)]


def included(block: Block) -> str | None:
    match = INCLUDE.match(block.text.strip())
    return match.group(1) if match else None


def test_pages_exist() -> None:
    names = {page.name for page in PAGES}
    expected = {
        "index.md",
        "getting-started.md",
        "models.md",
        "async-and-sync.md",
        "query-and-scan.md",
        "conditions-and-updates.md",
        "batch.md",
        "transactions.md",
        "indexes.md",
        "tables-and-ttl.md",
        "hooks.md",
        "optimistic-locking.md",
        "errors.md",
        "client.md",
    }
    assert expected <= names, sorted(expected - names)


def test_every_include_names_an_existing_file() -> None:
    includes = [(block, included(block)) for block in ALL_BLOCKS if included(block)]
    assert len(includes) >= 40
    missing = [
        f"{b.page}:{b.line} {path}" for b, path in includes if not (ROOT / str(path)).is_file()
    ]
    assert not missing, missing


def test_every_example_is_included_by_a_page() -> None:
    used = {(ROOT / path).resolve() for block in ALL_BLOCKS if (path := included(block))}
    orphans = [_name(path) for path in sorted(EXAMPLES.rglob("*.py")) if path.resolve() not in used]
    assert not orphans, f"examples no page includes: {orphans}"


PYTHON_LINE = re.compile(
    r"^\s*(from \w[\w.]* import |import \w|await |async (def|with|for) |def \w|class \w|@\w|"
    r"\w+ = \w|print\(|with \w+\()"
)
SHELL_LANGUAGES = {"sh", "bash", "shell", "console", "text", "", "toml", "ini", "yaml", "json"}


def looks_like_python(text: str) -> bool:
    if any(PYTHON_LINE.match(line) for line in text.splitlines()):
        return True
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return False
    python_only = (
        ast.Import,
        ast.ImportFrom,
        ast.FunctionDef,
        ast.AsyncFunctionDef,
        ast.ClassDef,
        ast.Assign,
        ast.AnnAssign,
        ast.Await,
        ast.Call,
        ast.With,
        ast.AsyncWith,
        ast.AsyncFor,
    )
    return any(isinstance(node, python_only) for node in ast.walk(tree))


def test_python_blocks_are_includes_only() -> None:
    inline = [
        f"{b.page}:{b.line}"
        for b in ALL_BLOCKS
        if b.language in ("python", "py", "pycon") and included(b) is None
    ]
    assert not inline, f"inline Python (make it a file under docs/examples/): {inline}"


def test_other_blocks_are_shell_or_text() -> None:
    wrong = [
        f"{b.page}:{b.line} ({b.language or 'no language'})"
        for b in ALL_BLOCKS
        if b.language not in ("python", "py", "pycon")
        and (b.language not in SHELL_LANGUAGES or looks_like_python(b.text))
    ]
    assert not wrong, f"code blocks must be shell commands or plain text: {wrong}"


def test_a_title_names_the_file_its_block_includes() -> None:
    titled = [block for block in ALL_BLOCKS if block.title is not None]
    assert len(titled) >= 12
    wrong = [
        f"{b.page}:{b.line} title={b.title!r} includes {included(b)}"
        for b in titled
        if included(b) is None or Path(str(included(b))).name != b.title
    ]
    assert not wrong, wrong


def test_the_fence_reads_a_title() -> None:
    assert FENCE.match("```python") is not None
    titled = FENCE.match('    ```python title="first_model.py"')
    assert titled is not None and titled.groups() == ("    ", "python", "first_model.py")
    assert FENCE.match('```python title="x.py" hl_lines="2"') is None  # only a title is known


# -- async/sync tab sets -------------------------------------------------------------------

TAB = re.compile(r'^=== "([^"]+)"\s*$')


@dataclass(frozen=True)
class Tab:
    page: str
    line: int
    label: str
    block: Block | None  # the code block of the tab, if it has one


def tab_sets(page: Path) -> list[list[Tab]]:
    """The tab sets of a page: runs of ``=== "label"`` tabs separated by blank lines and the
    tabs' indented content only."""
    lines = page.read_text().splitlines()
    blocks = {block.line - 1: block for block in code_blocks(page)}  # by their fence line
    sets: list[list[Tab]] = []
    current: list[Tab] = []
    for number, line in enumerate(lines):
        match = TAB.match(line)
        if match:
            block = next(
                (b for index, b in blocks.items() if index > number and index - number <= 2), None
            )
            current.append(Tab(page.name, number + 1, match.group(1), block))
        elif line.strip() and not line.startswith("    ") and current:
            sets.append(current)
            current = []
    if current:
        sets.append(current)
    return sets


ALL_TAB_SETS = [tabs for page in PAGES for tabs in tab_sets(page)]
PAIRS = [tabs for tabs in ALL_TAB_SETS if [t.label for t in tabs] == ["Async", "Sync"]]

# The async examples with a sync twin, as page: (async file, sync file).
EXPECTED_PAIRS = {
    ("getting-started.md", "first_model.py", "first_model_sync.py"),
    ("batch.md", "batch_writer.py", "batch_writer_sync.py"),
    ("query-and-scan.md", "query_model.py", "query_sync.py"),
    ("transactions.md", "transaction_models.py", "transaction_sync.py"),
    ("testing.md", "test_users_async.py", "test_users_sync.py"),
    ("async-and-sync.md", "model_async.py", "model_sync.py"),
}


def test_async_and_sync_twins_share_one_tab_set() -> None:
    """Labelled "Async" and "Sync" everywhere, so content.tabs.link switches them together."""
    found = {
        (tabs[0].page, str(tabs[0].block.title), str(tabs[1].block.title))
        for tabs in PAIRS
        if tabs[0].block is not None and tabs[1].block is not None
    }
    assert found >= EXPECTED_PAIRS, sorted(EXPECTED_PAIRS - found)
    odd = [
        f"{tab.page}:{tab.line} {tab.label!r}"
        for tabs in ALL_TAB_SETS
        for tab in tabs
        if tab.label.lower().startswith(("async", "sync"))
        and not tab.label.endswith(".py")  # a file's tab: sync_operations.py
        and tabs not in PAIRS
    ]
    assert not odd, f"async/sync tabs must be one set labelled exactly Async, Sync: {odd}"


def _steps(path: Path) -> list[str]:
    """The lines of an example with what differs between the two APIs taken out: ``await``,
    ``async``, the ``sync_`` prefix, the ``Sync`` classes, asyncio, docstrings, table names
    and comments."""
    source = path.read_text()
    tree = ast.parse(source)
    docstrings = {
        node.body[0].lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    steps = []
    for number, line in enumerate(source.splitlines(), start=1):
        text = line.split("  #")[0].strip()
        if not text or text.startswith(("#", '"""')) or number in docstrings:
            continue
        if "asyncio" in text:  # import asyncio, asyncio.run(main()), @pytest.mark.asyncio
            continue
        text = re.sub(r"\b(await|async) ", "", text)
        text = re.sub(r"\bsync_|\bSync(?=[A-Z])", "", text)
        text = re.sub(r'table="[^"]*"|"[a-z-]+-sync\w*"|"[a-z-]+"(?=, )', '"table"', text)
        steps.append(text)
    return steps


@pytest.mark.parametrize(
    ("page", "async_name", "sync_name"), sorted(EXPECTED_PAIRS), ids=lambda value: str(value)
)
def test_a_sync_twin_does_what_its_async_example_does(
    page: str, async_name: str, sync_name: str
) -> None:
    """Switching tabs compares like with like: the sync file is the async one, line for line,
    with the sync API (a few lines may differ)."""
    [async_path] = [p for p in EXAMPLES.rglob(async_name)]
    [sync_path] = [p for p in EXAMPLES.rglob(sync_name)]
    asynchronous = (ast.Await, ast.AsyncFunctionDef, ast.AsyncWith, ast.AsyncFor)
    assert any(isinstance(n, asynchronous) for n in ast.walk(ast.parse(async_path.read_text())))
    assert not any(isinstance(n, asynchronous) for n in ast.walk(ast.parse(sync_path.read_text())))
    ours, theirs = _steps(async_path), _steps(sync_path)
    matcher = difflib.SequenceMatcher(a=ours, b=theirs, autojunk=False)
    assert matcher.ratio() >= 0.85, "\n".join(difflib.unified_diff(ours, theirs, lineterm=""))


def test_the_python_detector_works() -> None:
    assert looks_like_python("from pydynox import Model")
    assert looks_like_python("user = await User.get(pk='1')")
    assert looks_like_python("async with BatchWriter() as batch:")
    assert looks_like_python("client.sync_put_item('users', item)")
    assert not looks_like_python('pip install "pydynox[local]"')
    assert not looks_like_python("export AWS_REGION=us-east-1\npytest -q")
    assert not looks_like_python("PydynoxException\n├── ValidationException")


# -- API tables ----------------------------------------------------------------------------


class Probe(Model):
    """A model to call query/scan on (building a result sends nothing)."""

    model_config = DynamoConfig(table="docs-probe", client=DynamoDBClient(region="us-east-1"))
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    email: str | None = None

    by_email = GlobalSecondaryIndex("email-index", partition_key="email")


class ProbeTable(Model):
    """A base of entities, for ``collection.query`` (building a result sends nothing)."""

    model_config = DynamoConfig(
        table="docs-probe-app", client=DynamoDBClient(region="us-east-1"), discriminator="entity"
    )
    pk: Annotated[str, PartitionKey()] = ""


class ProbeEntity(ProbeTable):
    model_config = DynamoConfig(entity="Probe", keys={"pk": "P#{user_id}"})
    user_id: str


PROBE_CLIENT = DynamoDBClient(region="us-east-1")

# Receivers used in the tables: what object each name stands for, on the async and the sync
# side. A capitalised name that pydynox does not export is a model class (``User``,
# ``Model`` in the seed's sense); ``model``/``user``/... an instance.
RECEIVERS: dict[str, tuple[Any, Any]] = {
    "client": (DynamoDBClient, DynamoDBClient),
    "c": (DynamoDBClient, DynamoDBClient),
    "batch": (BatchWriter, SyncBatchWriter),
    "tx": (Transaction, SyncTransaction),
    "result": (QueryResult, SyncQueryResult),
    "collection": (Collection, Collection),  # Collection(User, Order)
}
RESULT_METHODS = {"all", "first", "page"}
BARE_NAME_OWNERS = (pydynox, DynamoMixin, DynamoDBClient, BatchWriter, Transaction, QueryResult)
READERS = {"query", "scan"}


@dataclass(frozen=True)
class Named:
    """A call named in a table cell: ``receiver.method`` (or a bare name)."""

    kind: str  # "client", "model", "instance", "index", "batch", "tx", "result", "name"
    name: str
    owner: Any  # the class (or module) the name must exist on

    def exists(self) -> bool:
        if self.kind == "name":  # Put(...), path(...), or a method named in prose: save()
            return any(hasattr(owner, self.name) for owner in BARE_NAME_OWNERS)
        return hasattr(self.owner, self.name)


CALL = re.compile(r"(?<![\w.)])([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\s*\(")
CHAINED = re.compile(r"\)\s*\.\s*([A-Za-z_]\w*)\s*\(")


def named_calls(code: str, side: str) -> list[Named]:
    """The calls named in one backtick span of a table cell; ``side`` is async or sync."""
    found: list[Named] = []
    which = 0 if side == "async" else 1
    for match in CALL.finditer(code):
        *receiver, method = match.group(1).split(".")
        first = receiver[0] if receiver else ""
        exported = getattr(pydynox, first, None) if first in pydynox.__all__ else None
        if not receiver:
            found.append(Named("name", method, pydynox))
        elif len(receiver) == 1 and first in RECEIVERS:
            kind = "client" if first in ("client", "c") else first
            found.append(Named(kind, method, RECEIVERS[first][which]))
        elif (
            len(receiver) == 1 and isinstance(exported, type) and issubclass(exported, DynamoMixin)
        ):
            found.append(Named("model", method, DynamoMixin))  # Model.get(): your model class
        elif len(receiver) == 1 and exported is not None:
            found.append(Named("class", method, exported))
        elif len(receiver) == 1 and first[0].isupper():
            found.append(Named("model", method, DynamoMixin))
        elif len(receiver) == 1:
            found.append(Named("instance", method, DynamoMixin))
        elif len(receiver) == 2 and first[0].isupper() and method.removeprefix("sync_") in READERS:
            found.append(Named("index", method, BoundIndex))  # User.by_email.query()
        elif len(receiver) == 2 and first[0].isupper():
            found.append(Named("attr", method, pydynox.Attr))  # User.age.add(1)
        else:
            raise AssertionError(f"cannot tell what {match.group(1)!r} is called on")
    for match in CHAINED.finditer(code):
        name = match.group(1)
        if name in RESULT_METHODS:  # client.query(...).all()
            found.append(Named("result", name, QueryResult if side == "async" else SyncQueryResult))
        else:  # path(User.age).add(1), Attr("tags").size()
            found.append(Named("attr", name, pydynox.Attr))
    return found


@dataclass(frozen=True)
class Row:
    page: str
    header: tuple[str, ...]
    cells: tuple[str, ...]

    def side_of(self, column: int) -> str | None:
        title = self.header[column].lower() if column < len(self.header) else ""
        if title.startswith("async"):
            return "async"
        if title.startswith("sync"):
            return "sync"
        return None


def table_rows(page: Path) -> list[Row]:
    rows: list[Row] = []
    header: tuple[str, ...] | None = None
    in_code = False
    for line in page.read_text().splitlines():
        if line.strip().startswith("```"):
            in_code = not in_code
        if in_code or not line.lstrip().startswith("|"):
            header = None if not in_code else header
            continue
        cells = tuple(cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip())[1:-1])
        if header is None:
            header = cells
        elif not all(set(cell) <= set(":- ") for cell in cells):
            rows.append(Row(page.name, header, cells))
    return rows


ALL_ROWS = [row for page in PAGES for row in table_rows(page)]
API_ROWS = [row for row in ALL_ROWS if any(row.side_of(i) for i in range(len(row.cells)))]


def spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def cell_calls(row: Row, column: int) -> list[tuple[str, Named]]:
    side = row.side_of(column) or "async"
    calls = []
    for code in spans(row.cells[column]):
        calls += [(code, named) for named in named_calls(code, side)]
    return calls


def test_the_pages_have_api_tables() -> None:
    pages = {row.page for row in API_ROWS}
    assert {"async-and-sync.md", "client.md", "models.md"} <= pages
    assert len(API_ROWS) >= 40


def test_every_method_in_a_table_exists() -> None:
    missing = []
    checked = 0
    for row in ALL_ROWS:
        for column in range(len(row.cells)):
            for code, named in cell_calls(row, column):
                checked += 1
                if not named.exists():
                    missing.append(f"{row.page}: `{code}` names {named.name} on {named.owner}")
    assert checked >= 80
    assert not missing, missing


def _is_async_api(named: Named) -> bool:
    """A coroutine function, or (query/scan) a method returning a lazy async result."""
    attribute = getattr(named.owner, named.name)
    if inspect.iscoroutinefunction(attribute):
        return True
    if named.name in READERS:
        return isinstance(_call_reader(named, "async"), QueryResult)
    return False


def _call_reader(named: Named, side: str) -> Any:
    name = named.name if side == "async" else f"sync_{named.name}"
    calls: dict[str, Callable[[], Any]] = {
        "client": lambda: getattr(PROBE_CLIENT, name)("docs-probe", **_reader_args(named.name)),
        "model": lambda: getattr(Probe, name)(**_reader_args(named.name, model=True)),
        "index": lambda: getattr(Probe.by_email, name)(**_reader_args(named.name, model=True)),
        "collection": lambda: getattr(Collection(ProbeEntity), name)(user_id="x"),
    }
    return calls[named.kind]()


def _reader_args(name: str, model: bool = False) -> dict[str, Any]:
    if name == "scan":
        return {}
    if model:
        return {"partition_key": "x"}
    return {"key_condition_expression": pydynox.Attr("pk") == "x"}


def test_async_names_are_async_and_have_a_sync_twin() -> None:
    problems = []
    for row in API_ROWS:
        for column in range(len(row.cells)):
            if row.side_of(column) != "async":
                continue
            for code, named in cell_calls(row, column):
                if named.kind in ("name", "class", "attr") or not named.exists():
                    continue
                if named.kind in ("batch", "tx", "result", "collection"):
                    sync_owner = RECEIVERS[named.kind][1]
                    if not hasattr(sync_owner, named.name):
                        problems.append(f"{row.page}: `{code}` has no twin on {sync_owner}")
                    awaited = inspect.iscoroutinefunction(getattr(named.owner, named.name))
                    if (
                        code.startswith("await ")
                        and not awaited
                        and named.name not in ("put", "delete")
                    ):
                        problems.append(f"{row.page}: `{code}` is not awaitable")
                    continue
                if not _is_async_api(named):
                    problems.append(f"{row.page}: `{code}` is neither async nor a lazy result")
                twin = f"sync_{named.name}"
                if not hasattr(named.owner, twin):
                    problems.append(f"{row.page}: `{code}` has no {twin}")
                elif named.name in READERS and not isinstance(
                    _call_reader(named, "sync"), SyncQueryResult
                ):
                    problems.append(f"{row.page}: {twin} does not return a SyncQueryResult")
    assert not problems, problems


def test_sync_cells_name_the_twins_of_the_async_cells() -> None:
    """In an Async | Sync row, each sync call is the twin of an async call in the same row."""
    problems = []
    for row in API_ROWS:
        sides = {row.side_of(i): i for i in range(len(row.cells))}
        if "async" not in sides or "sync" not in sides:
            continue
        async_names = {(n.kind, n.name) for _, n in cell_calls(row, sides["async"])}
        for code, named in cell_calls(row, sides["sync"]):
            if named.kind in ("name", "attr"):
                continue
            if named.kind in ("client", "model", "instance", "index", "collection"):
                base = named.name.removeprefix("sync_")
                ok = named.name.startswith("sync_") and (named.kind, base) in async_names
            elif named.kind == "class":
                ok = True
            else:
                ok = (named.kind, named.name) in async_names
            if not ok:
                problems.append(
                    f"{row.page}: `{code}` twins nothing in {row.cells[sides['async']]}"
                )
    assert not problems, problems


# The API reference tables of seeds/async-support.md, the page this project was created
# from: (receiver kind, async name, sync name). Every one must keep a row in
# docs/async-and-sync.md.
SEED_ROWS = [
    # Model methods
    ("model", "get", "sync_get"),
    ("instance", "save", "sync_save"),
    ("instance", "delete", "sync_delete"),
    ("instance", "update", "sync_update"),
    ("model", "batch_get", "sync_batch_get"),
    ("model", "query", "sync_query"),
    ("model", "scan", "sync_scan"),
    # DynamoDBClient methods
    ("client", "get_item", "sync_get_item"),
    ("client", "put_item", "sync_put_item"),
    ("client", "delete_item", "sync_delete_item"),
    ("client", "update_item", "sync_update_item"),
    ("client", "query", "sync_query"),
    ("client", "batch_get", "sync_batch_get"),
    ("client", "batch_write", "sync_batch_write"),
    # Batch operations
    ("name", "BatchWriter", "SyncBatchWriter"),
]


@pytest.mark.parametrize(("kind", "async_name", "sync_name"), SEED_ROWS)
def test_seed_rows_are_in_async_and_sync_page(kind: str, async_name: str, sync_name: str) -> None:
    rows = [row for row in API_ROWS if row.page == "async-and-sync.md"]
    for row in rows:
        sides = {row.side_of(i): i for i in range(len(row.cells))}
        if "async" not in sides or "sync" not in sides:
            continue
        async_calls = {(n.kind, n.name) for _, n in cell_calls(row, sides["async"])}
        sync_calls = {(n.kind, n.name) for _, n in cell_calls(row, sides["sync"])}
        async_text = row.cells[sides["async"]]
        if kind == "name":
            if (
                f"async with {async_name}(" in async_text
                and f"with {sync_name}(" in row.cells[sides["sync"]]
            ):
                return
        elif (kind, async_name) in async_calls and (kind, sync_name) in sync_calls:
            return
    raise AssertionError(f"async-and-sync.md has no row for {kind} {async_name} / {sync_name}")


def test_seed_methods_exist() -> None:
    owners = {"model": DynamoMixin, "instance": DynamoMixin, "client": DynamoDBClient}
    for kind, async_name, sync_name in SEED_ROWS:
        owner = owners.get(kind, pydynox)
        assert hasattr(owner, async_name) and hasattr(owner, sync_name), (kind, async_name)


_NAMED_TESTS = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`((?:, `::\w+`)*)")


def test_every_test_a_page_names_exists() -> None:
    """The guarantees tables cite their tests (``tests/x.py::test_y``, ``::test_z``): each
    cited test must exist, so a renamed or merged test cannot leave a page citing nothing."""
    missing = []
    for page in sorted((ROOT / "docs").glob("*.md")):
        for match in _NAMED_TESTS.finditer(page.read_text(encoding="utf-8")):
            module = ROOT / match.group(1)
            names = [match.group(2), *re.findall(r"`::(\w+)`", match.group(3))]
            defined = set()
            if module.exists():
                tree = ast.parse(module.read_text(encoding="utf-8"))
                defined = {
                    node.name
                    for node in ast.walk(tree)
                    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                }
            missing += [f"{page.name}: {match.group(1)}::{n}" for n in names if n not in defined]
    assert missing == []
