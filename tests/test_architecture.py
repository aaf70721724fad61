"""The architecture holds (docs/architecture.md): small modules, imports only downward, the
façade imported only from above it, a docstring on every package and public module, and
public classes shown as ``pydynox.X``. Fast and static: no server, no network.
"""

from __future__ import annotations

import ast
import importlib.util
import inspect
import pickle
import pydoc
import subprocess
import sys
import traceback
import typing
from collections.abc import Mapping
from pathlib import Path

import pydantic
import pytest

import pydynox
import pydynox.exceptions

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pydynox"
MODULES = sorted(path for path in PACKAGE.rglob("*.py") if "__pycache__" not in path.parts)

MAX_LINES = 400


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_the_package_is_found() -> None:
    assert len(MODULES) >= 40, [_name(path) for path in MODULES]


# -- module size ---------------------------------------------------------------------------


def test_every_module_has_at_most_400_lines() -> None:
    over = {
        _name(path): count
        for path in MODULES
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not over, f"modules over {MAX_LINES} lines (split them): {over}"


# -- import contracts ----------------------------------------------------------------------


def test_the_import_contracts_are_kept() -> None:
    """pyproject.toml's import-linter contracts: the layers, botocore only in _transport,
    pydantic only in models (and client.Page), nothing imports pydynox.testing."""
    if importlib.util.find_spec("importlinter") is None:
        pytest.skip(
            'import-linter is not installed (it is in the dev extras: pip install -e ".[dev]")'
        )
    command = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(command), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"lint-imports failed:\n{done.stdout}\n{done.stderr}"
    assert "0 broken" in done.stdout, done.stdout


# The modules above the façade: only they may import ``pydynox`` itself.
ABOVE_THE_FACADE = {
    "pydynox/__init__.py",
    "pydynox/cli.py",
    "pydynox/local.py",
    "pydynox/__main__.py",
}


def _above_the_facade(name: str) -> bool:
    return name in ABOVE_THE_FACADE or name.startswith("pydynox/testing/")


def _package_of(name: str) -> list[str]:
    """The package a module is in, as parts: ``pydynox/client/_client.py`` and
    ``pydynox/client/__init__.py`` are both in ``pydynox.client`` (what ``from .`` means)."""
    return name.split("/")[:-1]


def facade_imports(source: str, name: str) -> list[str]:
    """The statements in ``source`` (the module ``name``) that import the façade: ``import
    pydynox``, ``from pydynox import ...`` and their relative spellings (``from .. import``)."""
    found = []
    for node in ast.walk(ast.parse(source, name)):
        if isinstance(node, ast.Import):
            found += [
                f"line {node.lineno}: import {alias.name}"
                for alias in node.names
                if alias.name == "pydynox"
                or (alias.name.startswith("pydynox.") and not alias.asname)
            ]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package_of(name)
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module == "pydynox":
                found.append(f"line {node.lineno}: from {'.' * node.level or 'pydynox'} import")
    return found


def test_the_facade_import_detector_works() -> None:
    name = "pydynox/client/_client.py"
    assert facade_imports("import pydynox", name)
    assert facade_imports("import pydynox.client", name)  # binds the name pydynox
    assert facade_imports("from pydynox import Model", name)
    assert facade_imports("from .. import Model", name)
    assert facade_imports("from . import x", "pydynox/__init__.py")
    assert facade_imports("def f():\n    from pydynox import Model", name)
    assert not facade_imports("from pydynox.client import _results", name)
    assert not facade_imports("import pydynox.client as client", name)
    assert not facade_imports("from . import _results", name)
    assert not facade_imports("from .._values import _codec", name)
    assert not facade_imports("from . import _x", "pydynox/client/__init__.py")


def test_no_module_below_the_facade_imports_it() -> None:
    found = {
        _name(path): hits
        for path in MODULES
        if not _above_the_facade(_name(path))
        and (hits := facade_imports(path.read_text(encoding="utf-8"), _name(path)))
    }
    assert not found, f"modules below the façade that import it (import the layer instead): {found}"


# -- docstrings ----------------------------------------------------------------------------


def _is_public(path: Path) -> bool:
    return path.name == "__init__.py" or not path.name.startswith("_") or path.name == "__main__.py"


def test_every_package_and_public_module_has_a_docstring() -> None:
    public = [path for path in MODULES if _is_public(path)]
    assert any(path.name == "__init__.py" for path in public) and len(public) >= 10
    missing = [
        _name(path)
        for path in public
        if not ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not missing, f"modules without a docstring saying what they are for: {missing}"


# -- public classes show as pydynox.X ------------------------------------------------------

PUBLIC_CLASSES = [
    value for name in pydynox.__all__ if isinstance(value := getattr(pydynox, name), type)
]


def test_there_are_public_classes() -> None:
    assert len(PUBLIC_CLASSES) >= 40


@pytest.mark.parametrize("cls", PUBLIC_CLASSES, ids=lambda cls: cls.__name__)
def test_public_classes_show_as_pydynox_x(cls: type) -> None:
    assert cls.__module__ == "pydynox"
    assert repr(cls) == f"<class 'pydynox.{cls.__qualname__}'>"
    assert getattr(pydynox, cls.__qualname__) is cls
    assert "in module pydynox\n" in pydoc.render_doc(cls)
    assert pickle.loads(pickle.dumps(cls)) is cls


def test_a_traceback_names_the_public_error() -> None:
    error = pydynox.ValidationException("bad input")
    assert repr(type(error)) == "<class 'pydynox.ValidationException'>"
    shown = "".join(traceback.format_exception_only(type(error), error))
    assert shown == "pydynox.ValidationException: bad input\n"


def _an_error(cls: type[Exception]) -> Exception:
    """An instance of ``cls``, with each required keyword argument given a value."""
    required = {
        name: [{"id": {"S": "1"}}]
        for name, parameter in inspect.signature(cls).parameters.items()
        if parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty
    }
    return cls("it failed", **required)


# Every error pickles whole, also those whose __init__ takes required keyword arguments
# (BatchWriteError, BatchGetError): PydynoxException.__reduce__ rebuilds without __init__.
ERRORS = [
    pytest.param(cls, id=cls.__name__) for cls in PUBLIC_CLASSES if issubclass(cls, Exception)
]


@pytest.mark.parametrize("cls", ERRORS)
def test_a_pickled_error_round_trips(cls: type[Exception]) -> None:
    error = _an_error(cls)
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is cls
    assert str(back) == str(error)
    assert vars(back) == vars(error)


def test_annotations_still_resolve_after_the_move() -> None:
    """``typing.get_type_hints`` and pydantic resolve a class's string annotations in
    ``cls.__module__``: the façade resolves them first, where their names are."""
    assert typing.get_type_hints(pydynox.Put)["item"] == Mapping[str, typing.Any]
    assert typing.get_type_hints(pydynox.Attr)
    assert typing.get_type_hints(pydynox.RetryPolicy) == {
        "attempts": int,
        "base": float,
        "cap": float,
    }

    class Failure(pydantic.BaseModel):
        reason: pydynox.CancellationReason

    failure = Failure.model_validate({"reason": {"code": "ConditionalCheckFailed"}})
    assert failure.reason == pydynox.CancellationReason("ConditionalCheckFailed")


def test_a_generic_page_of_a_model_still_builds_its_schema() -> None:
    class Row(pydynox.Model):
        model_config = pydynox.DynamoConfig(table="rows")
        pk: typing.Annotated[str, pydynox.PartitionKey()]

    page = pydynox.Page[Row]
    schema = page.model_json_schema()
    assert schema["properties"]["items"]["items"] == {"$ref": "#/$defs/Row"}
    assert page.model_validate({"items": [{"pk": "a"}]}).items == [Row(pk="a")]


def test_the_sync_twins_are_generated_from_their_async_methods() -> None:
    """Every ``sync_`` twin is the generated copy of its async method (scripts/twins.py)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "twins.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_the_twin_check_fails_on_a_hand_edited_twin(tmp_path: Path) -> None:
    """The drift check can fail: a twin edited by hand is rewritten from its async method."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import twins  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    source = (ROOT / "pydynox" / "client" / "_items.py").read_text()
    edited = source.replace("def sync_get_item(", "def sync_get_item_renamed(", 1)
    assert edited != source
    assert twins.generate(edited) == twins.generate(source)
    assert twins.formatted(twins.generate(source)) == source
