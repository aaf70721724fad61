"""Users type-check their code with ``mypy --strict`` or pyright: pin what both accept and report.

``tests/typing/user_module.py`` declares models and calls the whole API as a user would; it
must type-check cleanly with the precise types users rely on (``User | None``,
``list[User]``...). ``tests/typing/user_errors.py`` holds mistakes that mypy must report, and
``tests/typing/user_wishes.py`` code that users write and mypy must accept. mypy runs in a subprocess with the project's own configuration (pyproject).

pyright runs the same way, in strict mode for ``tests/typing`` (``[tool.pyright]`` in
pyproject), over those files and the entities and projections ones: no errors in any of them
but the mistakes file, where each ``# E: <mypy code> | <pyright rule>`` line gets an error
under that rule and no other line gets any. The ``assert_type`` lines are the reveal checks.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from pydynox import Model

ROOT = Path(__file__).resolve().parents[2]
TYPING = ROOT / "tests" / "typing"
USER_MODULE = TYPING / "user_module.py"
USER_ERRORS = TYPING / "user_errors.py"
USER_WISHES = TYPING / "user_wishes.py"
USER_ENTITIES = TYPING / "user_entities.py"
USER_PROJECTION = TYPING / "user_projection.py"

_DIAGNOSTIC = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+): error: .*\[(?P<code>[a-z0-9-]+)\]$")
_MARKER = re.compile(
    r"#\s*(?P<kind>E|WISH):\s*(?P<what>[a-z0-9-]+)(?:\s*\|\s*(?P<rule>report[A-Za-z]+))?\s*$"
)


def run_mypy(*files: Path) -> subprocess.CompletedProcess[str]:
    pytest.importorskip("mypy")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--no-pretty",
            "--no-color-output",
            "--show-error-codes",
            *(str(f.relative_to(ROOT)) for f in files),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


Errors = dict[tuple[str, int], set[str]]


def errors_by_line(output: str) -> Errors:
    """``{(file name, line): {error codes}}`` from mypy's output."""
    found: Errors = defaultdict(set)
    for line in output.splitlines():
        match = _DIAGNOSTIC.match(line)
        if match:
            found[(Path(match["file"]).name, int(match["line"]))].add(match["code"])
    return found


def markers(path: Path) -> dict[int, tuple[str, str]]:
    """``{line: (kind, code or wish name)}`` of the ``# E:`` / ``# WISH:`` lines."""
    found: dict[int, tuple[str, str]] = {}
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        match = _MARKER.search(text)
        if match:
            found[number] = (match["kind"], match["what"])
    return found


def pyright_rules(path: Path) -> dict[int, str | None]:
    """``{line: pyright rule}`` of the ``# E: <code> | <rule>`` lines (None: no rule given)."""
    found: dict[int, str | None] = {}
    for number, text in enumerate(path.read_text().splitlines(), start=1):
        match = _MARKER.search(text)
        if match and match["kind"] == "E":
            found[number] = match["rule"]
    return found


def run_pyright(*files: Path) -> tuple[Errors, str]:
    """pyright's errors as ``{(file name, line): {rules}}``, and its output. Its settings are
    pyproject's ``[tool.pyright]``; it resolves imports in this interpreter's environment."""
    pytest.importorskip("pyright")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pyright",
            "--outputjson",
            "--pythonpath",
            sys.executable,
            *(str(f.relative_to(ROOT)) for f in files),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "PYRIGHT_PYTHON_IGNORE_WARNINGS": "1"},  # no version look-up
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 2, 3: pyright itself failed
    report = json.loads(done.stdout)
    assert report["summary"]["filesAnalyzed"] == len(files), done.stdout
    found: Errors = defaultdict(set)
    lines = []
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] != "error":
            continue
        name, line = Path(diagnostic["file"]).name, diagnostic["range"]["start"]["line"] + 1
        rule = diagnostic.get("rule", "error")
        found[(name, line)].add(rule)
        lines.append(f"{name}:{line}: {diagnostic['message']} ({rule})")
    return found, "\n".join(lines)


@pytest.fixture(scope="module")
def checked() -> tuple[Errors, str]:
    """mypy's errors in the two files that are meant to have some (one run for both)."""
    done = run_mypy(USER_ERRORS, USER_WISHES)
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 2: mypy itself failed
    return errors_by_line(done.stdout), done.stdout


def test_the_user_module_type_checks_cleanly_under_strict() -> None:
    done = run_mypy(USER_MODULE)
    assert done.returncode == 0, f"mypy --strict {USER_MODULE.name}:\n{done.stdout}{done.stderr}"
    assert "Success: no issues found in 1 source file" in done.stdout


@pytest.mark.parametrize("path", [USER_MODULE, USER_ERRORS, USER_WISHES], ids=lambda p: p.name)
def test_the_typing_files_import_without_io(path: Path) -> None:
    """Their models are valid at run time too, and importing sends nothing (the default
    client is never even created): every call sits inside a function."""
    from pydynox.client import _client

    assert not path.name.startswith("test_")  # read by mypy, never collected by pytest
    before = _client._default
    spec = importlib.util.spec_from_file_location(f"_typing_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # pydantic resolves the string annotations through it
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    assert _client._default is before
    assert issubclass(module.User, Model) and module.User.__dynamo__.key_names == ("pk", "sk")


def test_mistakes_are_reported_with_the_expected_codes(checked: tuple[Errors, str]) -> None:
    errors, output = checked
    expected = {n: code for n, (kind, code) in markers(USER_ERRORS).items() if kind == "E"}
    assert len(expected) >= 10
    missing = {
        n: code
        for n, code in expected.items()
        if code not in errors.get((USER_ERRORS.name, n), set())
    }
    assert not missing, f"mypy did not report these mistakes (line: code): {missing}\n{output}"


def test_nothing_else_in_the_mistakes_file_is_an_error(checked: tuple[Errors, str]) -> None:
    errors, output = checked
    marked = markers(USER_ERRORS)
    unexpected = {
        line: codes
        for (name, line), codes in errors.items()
        if name == USER_ERRORS.name and line not in marked
    }
    assert not unexpected, f"unexpected errors (line: codes): {unexpected}\n{output}"


def test_the_wishes_file_has_no_errors_besides_the_wishes(checked: tuple[Errors, str]) -> None:
    errors, output = checked
    marked = markers(USER_WISHES)
    unexpected = {
        line: codes
        for (name, line), codes in errors.items()
        if name == USER_WISHES.name and line not in marked
    }
    assert not unexpected, f"unexpected errors (line: codes): {unexpected}\n{output}"


_WISHES = ["bool-and-condition", "typed-index"]


@pytest.mark.parametrize("wish", _WISHES)
def test_what_users_write_type_checks(wish: str, checked: tuple[Errors, str]) -> None:
    errors, output = checked
    lines = [
        n for n, (kind, name) in markers(USER_WISHES).items() if kind == "WISH" and name == wish
    ]
    assert lines, f"no line is marked # WISH: {wish}"
    failing = {n: errors[(USER_WISHES.name, n)] for n in lines if (USER_WISHES.name, n) in errors}
    assert not failing, f"{wish}: mypy errors (line: codes): {failing}\n{output}"


def test_every_wish_marker_is_checked() -> None:
    names = {name for kind, name in markers(USER_WISHES).values() if kind == "WISH"}
    assert names == set(_WISHES)


# -- pyright -------------------------------------------------------------------------------

_CLEAN = [USER_MODULE, USER_ENTITIES, USER_PROJECTION, USER_WISHES]


@pytest.fixture(scope="module")
def pyright_checked() -> tuple[Errors, str]:
    """pyright's errors in the typing files (one run for all of them)."""
    return run_pyright(*(p for p in [*_CLEAN, USER_ERRORS] if p.exists()))


@pytest.mark.parametrize("path", _CLEAN, ids=lambda p: p.name)
def test_pyright_accepts_what_users_write_under_strict(
    path: Path, pyright_checked: tuple[Errors, str]
) -> None:
    if not path.exists():
        pytest.skip(f"{path.name} is not written yet")
    errors, output = pyright_checked
    mine = {line: rules for (name, line), rules in errors.items() if name == path.name}
    assert not mine, f"pyright errors in {path.name} (line: rules): {mine}\n{output}"


def test_pyright_reports_the_mistakes_under_the_expected_rules(
    pyright_checked: tuple[Errors, str],
) -> None:
    errors, output = pyright_checked
    expected = pyright_rules(USER_ERRORS)
    assert len(expected) >= 10
    unpinned = [line for line, rule in expected.items() if rule is None]
    assert not unpinned, f"these # E: lines name no pyright rule (`# E: code | rule`): {unpinned}"
    missing = {
        line: rule
        for line, rule in expected.items()
        if rule not in errors.get((USER_ERRORS.name, line), set())
    }
    assert not missing, f"pyright did not report these mistakes (line: rule): {missing}\n{output}"


def test_pyright_finds_nothing_else_in_the_mistakes_file(
    pyright_checked: tuple[Errors, str],
) -> None:
    errors, output = pyright_checked
    marked = markers(USER_ERRORS)
    unexpected = {
        line: rules
        for (name, line), rules in errors.items()
        if name == USER_ERRORS.name and line not in marked
    }
    assert not unexpected, f"unexpected pyright errors (line: rules): {unexpected}\n{output}"


@pytest.mark.parametrize(
    ("path", "reveal"),
    [
        (USER_ENTITIES, "assert_type(item, User | Order)"),
        (USER_ENTITIES, "assert_type(items, list[User | Order])"),
        (USER_PROJECTION, "assert_type(card, UserCard)"),
        (USER_PROJECTION, "assert_type(cards, QueryResult[UserCard])"),
    ],
    ids=lambda v: v.name if isinstance(v, Path) else v,
)
def test_the_reveals_the_docs_promise_are_checked(path: Path, reveal: str) -> None:
    """Both checkers pass those files only if these hold: collection items are ``User |
    Order``, projected items ``UserCard``."""
    if not path.exists():
        pytest.skip(f"{path.name} is not written yet")
    assert reveal in path.read_text()
