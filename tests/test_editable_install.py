"""A user's ``pip install -e .`` (the README's install) is one that type checkers follow.

setuptools' default editable install of a flat layout is an import hook (a finder module
that a ``.pth`` file installs at start-up): Python follows it, mypy and pyright do not, and
mypy then reports "Cannot find implementation or library stub for module named pydynox"
and types ``Model`` as ``Any``. pyproject's ``[tool.setuptools] package-dir`` makes the
editable install a plain path in a ``.pth`` file, which type checkers read.

The test does what a user does: a fresh venv, ``pip install -e <repo>``, then mypy on a
small module of theirs. The venv gets ``--no-deps`` and, through a ``.pth`` line, the
dependencies that are already installed where the tests run, so only the build backend
comes from the package index.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

USER_MODULE = """\
from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey


class Note(Model):
    model_config = DynamoConfig(table="notes")
    id: Annotated[str, PartitionKey()]
    text: str = ""


async def find(note_id: str) -> Note | None:
    note = await Note.get(id=note_id)
    reveal_type(note)
    return note
"""


def _run(*args: str | Path, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _installed_dirs() -> list[Path]:
    """The folders on this interpreter's path that hold installed packages (not the stdlib)."""
    stdlib = {Path(sysconfig.get_path(name)).resolve() for name in ("stdlib", "platstdlib")}
    dirs: list[Path] = []
    for entry in sys.path:
        path = Path(entry or ".").resolve()
        # ROOT holds this checkout's pydynox: the new venv must find it through its own install.
        if not path.is_dir() or path in dirs or path == ROOT:
            continue
        if path in stdlib or (path.parent in stdlib and path.name == "lib-dynload"):
            continue
        dirs.append(path)
    return dirs


def test_mypy_sees_the_package_after_an_editable_install(tmp_path: Path) -> None:
    pytest.importorskip("mypy")
    venv = tmp_path / "venv"
    made = _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    if made.returncode != 0:  # e.g. a system Python without ensurepip (Debian's python3-venv)
        if os.environ.get("CI"):
            pytest.fail(made.stderr)
        pytest.skip(f"cannot make a venv with pip here: {made.stderr.strip()[-300:]}")
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")

    # The README's install, with the dependencies left out: the index serves only setuptools.
    installed = _run(python, "-m", "pip", "install", "-q", "--no-deps", "-e", ROOT, cwd=tmp_path)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # pydantic and the rest, as installed for this test run, on the new venv's path. These
    # directories are not site directories there: their own .pth files (this checkout's own
    # editable install among them) are not read, so pydynox can only come from the new one.
    deps = _installed_dirs()
    assert not any((d / "pydynox" / "__init__.py").exists() for d in deps)
    site = _run(
        python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=tmp_path
    )
    Path(site.stdout.strip(), "zz_test_deps.pth").write_text("".join(f"{d}\n" for d in deps))

    user = tmp_path / "user"
    user.mkdir()
    (user / "app.py").write_text(USER_MODULE)
    imported = _run(python, "-c", "import pydynox; print(pydynox.__file__)", cwd=user)
    assert imported.stdout.strip() == str(ROOT / "pydynox" / "__init__.py"), imported.stderr

    # The user's mypy runs on the user's venv (--python-executable: its sys.path, .pth lines
    # included), from the user's folder: neither this checkout nor its config is in sight.
    checked = _run(
        sys.executable,
        "-m",
        "mypy",
        "--strict",
        "--no-incremental",
        "--no-pretty",
        "--no-color-output",
        "--python-executable",
        python,
        "app.py",
        cwd=user,
    )
    out = checked.stdout + checked.stderr
    assert 'app.py:14: note: Revealed type is "app.Note | None"' in out, out
    assert checked.returncode == 0, out
    assert "Success: no issues found in 1 source file" in out, out
