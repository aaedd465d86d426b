"""Browser fixtures: headless Chromium on localhost only, and a served copy of a site."""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO

CHROMIUM = "/usr/bin/chromium"
AXE = REPO / "node_modules/axe-core/axe.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def _local(url: str) -> bool:
    host = url.split("/")[2] if "://" in url else ""
    return host.startswith(("127.0.0.1", "localhost", "[::1]"))


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        # Never skipped: a browser test that did not run proves nothing.
        pytest.fail("The browser tests need Debian's Chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page whose requests to anywhere but localhost are blocked and recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.blocked = []  # type: ignore[attr-defined]
    pg.console_errors = []  # type: ignore[attr-defined]

    def route(r):
        if _local(r.request.url):
            r.continue_()
        else:
            pg.blocked.append(r.request.url)  # type: ignore[attr-defined]
            r.abort()

    pg.route("**/*", route)
    # A blocked request shows up as "Failed to load resource"; which requests were blocked
    # is checked through pg.blocked, so only real script errors count here.
    pg.on("console", lambda m: m.type == "error" and "Failed to load resource" not in m.text
          and pg.console_errors.append(m.text))
    pg.on("pageerror", lambda e: pg.console_errors.append(str(e)))
    yield pg
    context.close()


def serve_folder(folder: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *a, **k: None  # type: ignore[method-assign]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def demo_url(built_demo: Path) -> Iterator[str]:
    yield from serve_folder(built_demo)


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core from the npm registry, pinned by package-lock.json."""
    if not AXE.is_file() and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=REPO, check=False,
                       capture_output=True, timeout=300)
    if not AXE.is_file():  # never skipped: an accessibility check that did not run proves nothing
        pytest.fail("axe-core is needed: run `npm ci` in the repository")
    return AXE.read_text(encoding="utf-8")
