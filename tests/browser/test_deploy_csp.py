"""The Content-Security-Policy of docs/ci/ matches what the built pages really load: served
with it, no page (maps and search included) breaks a rule of it; and an SVG opened on its
own runs no script under it, even one the build did not clean."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import MINIMAL, build, copy_site
from tests.integration.test_deploy_headers import nginx_headers

# Every violation of the policy is recorded by the page itself.
RECORD = ("window.__violations = [];"
          "document.addEventListener('securitypolicyviolation', e => window.__violations"
          ".push(e.violatedDirective + ' ' + e.blockedURI));")
SCRIPTED_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" onload="document.title=\'ran\'">'
                b"<script>document.title='ran'</script><rect width='5' height='5'/></svg>")


def _serve(folder: Path, headers: bool) -> Iterator[str]:
    policy = nginx_headers()

    class Handler(http.server.SimpleHTTPRequestHandler):
        def end_headers(self) -> None:
            if headers:
                svg = self.path.split("?")[0].endswith(".svg")
                self.send_header("X-Content-Type-Options", "nosniff")
                self.send_header("Content-Security-Policy",
                                 str(policy["svg"] if svg else policy["site"]))
            super().end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_site(MINIMAL, tmp_path_factory.mktemp("csp") / "site")
    result = build(site)
    assert result.ok, result.report.format()
    (site / "output/media").mkdir(exist_ok=True)
    # Written after the build, as if the cleaning had missed it: the header must hold.
    (site / "output/media/raw.svg").write_bytes(SCRIPTED_SVG)
    return site / "output"


@pytest.fixture(scope="module")
def with_headers(built: Path) -> Iterator[str]:
    yield from _serve(built, headers=True)


@pytest.fixture(scope="module")
def without_headers(built: Path) -> Iterator[str]:
    yield from _serve(built, headers=False)


def test_pages_maps_and_search_load_everything_under_the_policy(page, with_headers) -> None:
    page.add_init_script(RECORD)
    for path, ready in (("", "main"), ("stations/test-station/", ".sb-pin, .marker-cluster"),
                        ("map/", ".sb-pin, .marker-cluster"), ("stories/first-story/", "main"),
                        ("alliances/test-chain/", "main")):
        page.goto(with_headers + path)
        page.wait_for_selector(ready)
        assert page.evaluate("window.__violations") == [], path
    page.goto(with_headers + "search/?q=测试")
    page.wait_for_selector(".search-result")  # (wait_for_function would need eval)
    assert page.evaluate("window.__violations") == []
    assert page.console_errors == []
    assert all("tile.openstreetmap.org" in url for url in page.blocked), page.blocked


def test_an_svg_opened_on_its_own_runs_no_script_under_the_policy(page, with_headers,
                                                                  without_headers) -> None:
    page.goto(without_headers + "media/raw.svg")  # the control: without the header it runs
    page.wait_for_function("document.title === 'ran'")
    page.goto(with_headers + "media/raw.svg")
    page.wait_for_timeout(300)
    assert page.title() != "ran"
