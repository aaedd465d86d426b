"""Issue #20, item 2: an attribution written as HTML is shown as text by Leaflet's
attribution control, and its script never runs, on every page with a map."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.conftest import serve_folder
from tests.conftest import REPO, build, copy_site

PAYLOAD = "<img src=x onerror=alert(1)><img src=x2 onerror=window.sbRan=1>某测绘"
PAGES = ("map/", "alliances/zhangjiagang-three-chains/",
         "stations/chint-smart-port-party-service/")


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = copy_site(REPO, tmp_path_factory.mktemp("attribution") / "site")
    path = site / "content/site.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("\nmap:\n") + 1] + (
        "map:\n  provider: custom\n  tiles: https://tiles.example.gov.cn/{z}/{x}/{y}.png\n"
        f"  attribution: '{PAYLOAD}'\n  coord_system: wgs84\n"), encoding="utf-8")
    result = build(site)
    assert result.ok, result.report.format()
    yield from serve_folder(site / "output")


@pytest.mark.parametrize("path", PAGES)
def test_the_attribution_is_text_and_its_handlers_never_run(page, hostile_site: str,
                                                            path: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(hostile_site + path)
    control = page.locator(".leaflet-control-attribution")
    control.wait_for()
    page.wait_for_timeout(300)  # time for an onerror to fire, were there an <img>
    assert PAYLOAD in control.inner_text()
    assert control.locator("img").count() == 0
    assert page.locator("img[src='x'], img[src='x2']").count() == 0
    assert dialogs == []
    assert page.evaluate("window.sbRan") is None
    assert not [u for u in requested if u.endswith(("/x", "/x2"))]
    assert page.console_errors == []
