"""The project's promises to a new user: the README's commands, CI, installed versions."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block, "the README opens with a sh block of commands"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_exactly_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    assert text.index("```sh") < text.index("\n## ")
    commands = readme_commands()
    assert len(commands) == 2
    assert "examples/" in commands[0] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert readme_commands()[1] in ci


def test_quickstart_runs_on_the_embedded_local_dynamodb() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "error", str(ROOT / "examples" / "quickstart.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "local DynamoDB at http://127.0.0.1:" in out
    assert (
        "model: owner='ada' slug='engines' text='The Analytical Engine weaves patterns' likes=1"
        in out
    )
    assert "newest orders: ['ORDER#029', 'ORDER#028', 'ORDER#027']" in out
    assert "after delete: None" in out
    assert "sync count after deleting one order: 29" in out


def _major_minor(text: str) -> tuple[int, int]:
    major, minor = (int(part) for part in text.split(".")[:2])
    return major, minor


@pytest.mark.parametrize(
    ("package", "floor"),
    [("pydantic", (2, 11)), ("aioboto3", (15, 2)), ("boto3", (1, 40)), ("moto", (5, 0))],
)
def test_no_silent_downgrade_of_dependencies(package: str, floor: tuple[int, int]) -> None:
    assert _major_minor(version(package)) >= floor, f"{package} {version(package)}"


def test_install_hints_name_the_extras_requirements() -> None:
    """Errors for a missing optional dependency give a pip command for the requirement itself
    (PyPI's "pydynox" is another library): the one the extra in pyproject.toml pins."""
    from pydynox._transport._botocore import AIOBOTO3_REQUIREMENT
    from pydynox.local import MOTO_REQUIREMENT

    text = (ROOT / "pyproject.toml").read_text()
    assert f'local = ["{MOTO_REQUIREMENT}"]' in text
    assert f'aioboto3 = ["{AIOBOTO3_REQUIREMENT}"]' in text


def test_no_page_tells_users_to_pip_install_pydynox_from_pypi() -> None:
    """This project installs from its checkout (docs/getting-started.md); a `pip install
    pydynox...` would fetch PyPI's pydynox, a different library."""
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    wrong = [
        f"{page.name}:{number}"
        for page in pages
        for number, line in enumerate(page.read_text().splitlines(), start=1)
        if re.search(r"pip install [\"']?pydynox", line)
    ]
    assert not wrong, wrong
