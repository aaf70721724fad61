"""The testing kit as users get it: the pytest plugin loaded from its installed entry point.

Each test writes a user's test files into a fresh directory and runs pytest on them in a
subprocess (``pytester.runpytest_subprocess``), so the plugin is found the way it is in a
user's project: through the ``pytest11`` entry point, with no ``-p`` option and none of our
configuration. Warnings are errors there too, so an unclosed session fails the run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
DOCS_EXAMPLES = ROOT / "docs" / "examples" / "testing"

# What a user's project might have; warnings as errors, as ours does.
USER_CONFIG = """
[pytest]
filterwarnings = error
asyncio_default_fixture_loop_scope = function
"""


@pytest.fixture
def user_project(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", raising=False)
    pytester.makeini(USER_CONFIG)
    return pytester


def test_async_and_sync_tests_with_models_on_the_client_fixture(
    user_project: pytest.Pytester,
) -> None:
    user_project.makepyfile(
        test_user_models="""
        from typing import Annotated

        import pytest

        from pydynox import DynamoConfig, DynamoDBClient, Model, PartitionKey, get_default_client


        class Note(Model):
            model_config = DynamoConfig(table="notes")
            id: Annotated[str, PartitionKey()]
            text: str


        @pytest.mark.asyncio
        async def test_async(dynamodb_client: DynamoDBClient) -> None:
            assert get_default_client() is dynamodb_client
            await Note.create_table()
            await Note(id="1", text="async").save()
            assert (await Note.get(id="1")) == Note(id="1", text="async")
            await Note.delete_table()


        def test_sync(dynamodb_client: DynamoDBClient, dynamodb_endpoint: str) -> None:
            assert get_default_client() is dynamodb_client
            assert dynamodb_endpoint.startswith("http://127.0.0.1:")
            Note.sync_create_table()
            Note(id="1", text="sync").sync_save()
            assert Note.sync_get(id="1") == Note(id="1", text="sync")
            Note.sync_delete_table()
        """
    )
    result = user_project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_page_works_on_the_client_fixture_with_a_secret_of_the_session(
    user_project: pytest.Pytester,
) -> None:
    """An app that pages its lists works under test with no setup: the client fixture signs
    cursors with a random secret, the same for every test of the session."""
    user_project.makepyfile(
        test_pages="""
        from typing import Annotated

        import pytest

        from pydynox import DynamoConfig, DynamoDBClient, Model, PartitionKey, SortKey

        cursors: list[str] = []
        secrets: list[object] = []


        class Row(Model):
            model_config = DynamoConfig(table="plugin-pages")
            pk: Annotated[str, PartitionKey()]
            n: Annotated[int, SortKey()]


        @pytest.mark.asyncio
        async def test_first_page(dynamodb_client, dynamodb_cursor_secret) -> None:
            secrets.append(dynamodb_cursor_secret)
            await Row.create_table()
            for n in range(3):
                await Row(pk="a", n=n).save()
            page = await Row.query(partition_key="a").page(2)
            assert [row.n for row in page.items] == [0, 1]
            assert page.next_cursor is not None
            cursors.append(page.next_cursor)


        def test_next_page_in_another_test(dynamodb_client, dynamodb_cursor_secret) -> None:
            assert isinstance(dynamodb_cursor_secret, str) and len(dynamodb_cursor_secret) >= 32
            assert secrets == [dynamodb_cursor_secret]
            page = Row.sync_query(partition_key="a").page(2, cursors[0])
            assert ([row.n for row in page.items], page.next_cursor) == ([2], None)
            Row.sync_delete_table()


        def test_print_the_secret(dynamodb_cursor_secret) -> None:
            print("SECRET", dynamodb_cursor_secret)
        """
    )
    first = user_project.runpytest_subprocess("-p", "no:cacheprovider", "-s")
    first.assert_outcomes(passed=3)
    second = user_project.runpytest_subprocess("-p", "no:cacheprovider", "-s", "-k", "print")
    second.assert_outcomes(passed=1)

    def secret_of(run: pytest.RunResult) -> str:
        [secret] = [line.split("SECRET ")[1] for line in run.outlines if "SECRET " in line]
        return secret

    assert secret_of(first) != secret_of(second)  # random for each session


def test_the_documentation_page_includes_every_example_file() -> None:
    page = (ROOT / "docs" / "testing.md").read_text()
    included = re.findall(r'^ {4}--8<-- "(docs/examples/testing/[^"]+)"$', page, re.M)
    files = sorted(str(p.relative_to(ROOT)) for p in DOCS_EXAMPLES.glob("*.py"))
    assert sorted(included) == files
    for name in included:  # inside a fenced python block (titled or not), as snippets want
        fence = rf'    ```python(?: title="{re.escape(Path(name).name)}")?\n'
        assert re.search(fence + rf'    --8<-- "{re.escape(name)}"\n    ```', page), name


def test_the_documentation_test_files_pass(user_project: pytest.Pytester) -> None:
    names = sorted(path.name for path in DOCS_EXAMPLES.glob("test_*.py"))
    assert names == [
        "test_cursor_secret.py",
        "test_custom_fixtures.py",
        "test_fastapi_app.py",
        "test_pagination.py",
        "test_users_async.py",
        "test_users_sync.py",
        "test_with_boto3.py",
        "test_with_mock_aws.py",
    ]
    for name in names:
        shutil.copy(DOCS_EXAMPLES / name, user_project.path / name)
    result = user_project.runpytest_subprocess("-p", "no:cacheprovider", "-v")
    result.assert_outcomes(passed=17)
    result.stdout.fnmatch_lines(["*test_users_async.py::test_save_and_get PASSED*"])
    result.stdout.fnmatch_lines(["*test_pagination.py::test_walk_every_page PASSED*"])


def test_the_documentation_script_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-W", "error", str(DOCS_EXAMPLES / "local_server.py")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "local DynamoDB at http://127.0.0.1:" in done.stdout
    assert "pk='USER#1' name='Ada'" in done.stdout


def test_installing_pydynox_does_not_import_moto(user_project: pytest.Pytester) -> None:
    user_project.makepyfile(
        test_unrelated="""
        import sys


        def test_nothing_dynamodb_here(pytestconfig):
            assert pytestconfig.pluginmanager.has_plugin("pydynox")  # loaded, yet idle
            assert "moto" not in sys.modules
            assert not any(name.startswith("moto.") for name in sys.modules)
        """
    )
    result = user_project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_async_connections_are_closed_after_each_test_on_a_long_lived_loop(
    user_project: pytest.Pytester,
) -> None:
    """With a session-scoped event loop (pytest-asyncio) or anyio, the loop outlives the
    test: the fixture closes the client's connections on it at teardown."""
    user_project.makepyfile(
        test_loops="""
        import pytest

        from pydynox import DynamoDBClient

        seen: list[DynamoDBClient] = []


        @pytest.mark.asyncio(loop_scope="session")
        async def test_first(dynamodb_client: DynamoDBClient) -> None:
            seen.append(dynamodb_client)
            assert await dynamodb_client.table_exists("nothing") is False
            assert dynamodb_client._async._loops  # open on the session loop


        @pytest.mark.asyncio(loop_scope="session")
        async def test_second(dynamodb_client: DynamoDBClient) -> None:
            assert not seen[0]._async._loops  # the first test's connections were closed
            seen.append(dynamodb_client)
            assert await dynamodb_client.table_exists("nothing") is False


        @pytest.mark.anyio
        async def test_anyio(dynamodb_client: DynamoDBClient) -> None:
            assert not seen[1]._async._loops
            assert await dynamodb_client.table_exists("nothing") is False


        @pytest.fixture
        def anyio_backend() -> str:
            return "asyncio"
        """
    )
    result = user_project.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
