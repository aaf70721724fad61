"""The docs site as a reader sees it: built by mkdocs, rendered by a real browser.

- ``mkdocs build --strict`` builds the site from ``mkdocs.yml`` (a warning fails it: a broken
  link, a missing anchor, a page outside the navigation, an include naming no file), and the
  navigation lists every page under ``docs/``.
- Headless Chromium (Debian's ``chromium``; ``.ci/run`` installs it) opens every page of the
  built site, served over HTTP on 127.0.0.1, and checks what a reader sees: each code block of
  the page's source is there, with the text of the file it includes, and visible once its tab
  is chosen (nothing covers it); every link inside the site leads to a page that exists, and
  to an anchor that page has; no script fails.

Without mkdocs-material or Chromium these tests are skipped with the reason, except in CI
(``CI`` set), where they fail: CI must run them.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import unquote, urldefrag, urlsplit

import pytest

from tests.chromium import Chromium, chromium_binary
from tests.local_servers import in_ci
from tests.test_docs import Block, code_blocks, included

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(page.name for page in DOCS.glob("*.md"))


def unavailable(reason: str) -> NoReturn:
    """Skip with ``reason`` (how to install what is missing); fail in CI."""
    if in_ci():
        pytest.fail(f"CI must run the docs site tests: {reason}")
    pytest.skip(reason)


def build(config: Path, site: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of ``config`` into ``site``, run where the README runs it."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", config, "-d", site],
        cwd=config.parent,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},  # mkdocs-material's banner
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for module in ("mkdocs", "material"):
        if importlib.util.find_spec(module) is None:
            unavailable(f'{module} is not installed: pip install -e ".[docs]"')
    out = tmp_path_factory.mktemp("docs") / "site"
    built = build(ROOT / "mkdocs.yml", out)
    assert built.returncode == 0, built.stderr
    return out


def nav_pages(nav: Any) -> list[str]:
    """The pages the navigation names, in order."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [page for entry in nav for page in nav_pages(entry)]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in nav_pages(value)]
    raise AssertionError(f"unexpected navigation entry {nav!r}")


def test_the_site_builds_strictly_and_its_navigation_lists_every_page(site: Path) -> None:
    import yaml

    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())
    listed = nav_pages(config["nav"])

    assert sorted(listed) == PAGES
    assert len(set(listed)) == len(listed)
    for page in listed:
        built = site / ("index.html" if page == "index.md" else f"{page[:-3]}/index.html")
        assert built.is_file(), page
    assert not (site / "examples").exists()  # the example scripts are shown, not published


def test_a_missing_include_or_a_broken_link_fails_the_build(site: Path, tmp_path: Path) -> None:
    """The strict build is a real check: a copy of the docs with one bad include, then one
    broken link, does not build, and the error names what is wrong."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "mkdocs.yml").write_text(
        (ROOT / "mkdocs.yml").read_text().split("\nnav:")[0] + "\nnav:\n  - Home: index.md\n"
    )
    bad = {
        'Code:\n\n```python\n--8<-- "docs/examples/nope.py"\n```\n': "docs/examples/nope.py",
        "See [the models](models.md#no-such-section).\n": "models.md",
    }
    for page, named in bad.items():
        (tmp_path / "docs" / "index.md").write_text(f"# Home\n\n{page}")
        built = build(tmp_path / "mkdocs.yml", tmp_path / "site")

        assert built.returncode != 0
        assert named in built.stderr


# -- in the browser -------------------------------------------------------------------------


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The built site over HTTP on 127.0.0.1 (as ``mkdocs serve`` shows it)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    binary = chromium_binary()
    if binary is None:
        unavailable("no Chromium on PATH: install Debian's chromium (apt-get install chromium)")
    with Chromium(binary, tmp_path_factory.mktemp("chromium-profile")) as chromium:
        yield chromium


# Runs in the page: every code block of the article, each first made visible the way a reader
# does (its tab clicked, scrolled to), then whether the point at its centre is the block itself
# (nothing covers it); every link; every id.
INSPECT = """
(async () => {
  const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
  const blocks = [];
  for (const code of document.querySelectorAll("article pre > code")) {
    const tab = code.closest(".tabbed-block");
    let label = null;
    if (tab) {
      const set = tab.closest(".tabbed-set");
      const index = Array.from(tab.parentElement.children).indexOf(tab);
      const button = set.querySelectorAll(":scope > .tabbed-labels > label")[index];
      label = button.innerText.trim();
      button.click();
      await frame();
    }
    code.scrollIntoView({block: "center"});
    await frame();
    const box = code.getBoundingClientRect();
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    blocks.push({
      text: code.innerText,
      tab: label,
      visible: box.width > 0 && box.height > 0 && hit !== null && code.closest("pre").contains(hit),
    });
  }
  return {
    blocks: blocks,
    links: Array.from(document.querySelectorAll("a[href]"), (a) => a.href),
    title: document.title,
  };
})()
"""


@pytest.fixture(scope="module")
def rendered(browser: Chromium, served: str) -> dict[str, dict[str, Any]]:
    """Every page as the browser shows it (and the scripts that failed there)."""
    pages: dict[str, dict[str, Any]] = {}
    for page in PAGES:
        browser.navigate(served + page_path(page))
        seen = browser.evaluate(INSPECT)
        seen["exceptions"] = list(browser.exceptions)
        pages[page] = seen
    return pages


def page_path(page: str) -> str:
    return "" if page == "index.md" else f"{page[:-3]}/"


def expected_text(block: Block) -> str:
    name = included(block)
    return (ROOT / name).read_text() if name else block.text


def test_every_page_is_a_page_of_the_site(rendered: dict[str, dict[str, Any]]) -> None:
    titles = {page: seen["title"] for page, seen in rendered.items()}
    assert all(title.endswith("pydynox") for title in titles.values()), titles
    assert not [page for page, title in titles.items() if title.startswith("404")]


@pytest.mark.parametrize("page", PAGES)
def test_the_page_shows_every_code_block_with_its_file(
    page: str, rendered: dict[str, dict[str, Any]]
) -> None:
    seen = rendered[page]["blocks"]
    source = code_blocks(DOCS / page)

    assert len(seen) == len(source), [block["text"][:60] for block in seen]
    for block, shown in zip(source, seen, strict=True):
        where = f"{page}:{block.line}"
        assert shown["text"].rstrip("\n") == expected_text(block).rstrip("\n"), where
        assert shown["visible"], f"{where} (tab {shown['tab']!r}) is not visible"


@pytest.mark.parametrize("page", PAGES)
def test_the_page_runs_no_failing_script(page: str, rendered: dict[str, dict[str, Any]]) -> None:
    assert rendered[page]["exceptions"] == []


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.ids.update(value for name, value in attrs if name == "id" and value)


@functools.cache
def fetched(url: str) -> tuple[int, str, set[str]]:
    """Status, content type and element ids of a page of the served site."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            kind = answer.headers.get_content_type()
            ids = _Ids()
            if kind == "text/html":
                ids.feed(answer.read().decode())
            return answer.status, kind, ids.ids
    except urllib.error.HTTPError as error:
        return error.code, "", set()


@pytest.mark.parametrize("page", PAGES)
def test_every_link_in_the_site_leads_somewhere(
    page: str, rendered: dict[str, dict[str, Any]], served: str
) -> None:
    broken: list[str] = []
    for link in rendered[page]["links"]:
        url, fragment = urldefrag(link)
        if not url.startswith(served):
            assert urlsplit(url).scheme in ("http", "https", "mailto"), link
            continue  # outside the site: not followed (no network here)
        status, kind, ids = fetched(url)
        if status != 200:
            broken.append(f"{link} ({status})")
        elif fragment and kind == "text/html" and unquote(fragment) not in ids:
            broken.append(f"{link} (no such anchor)")
    assert not broken, f"{page}: {broken}"
