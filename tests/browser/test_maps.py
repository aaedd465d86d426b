"""Maps in a real browser with every request off localhost blocked (tiles included)."""

from __future__ import annotations

import re


def _is_tile(url: str) -> bool:
    return bool(re.search(r"tile\.openstreetmap\.org/\d+/\d+/\d+\.png$", url))


def test_map_shows_clusters_without_tiles_and_loads_nothing_else_remote(page, demo_url) -> None:
    page.goto(demo_url + "map/")
    page.wait_for_selector(".marker-cluster, .sb-pin")
    assert page.locator(".marker-cluster, .sb-pin").count() >= 3
    assert "25" in page.locator(".map-status").first.inner_text()
    assert all(_is_tile(u) for u in page.blocked), page.blocked
    assert page.console_errors == []


def test_clicking_a_marker_opens_its_popup_and_the_link_leads_to_the_station(page, demo_url
                                                                             ) -> None:
    page.goto(demo_url + "stations/shazhou-red-cube/")
    page.locator(".sb-pin").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert "沙洲红立方" in popup.inner_text()
    assert popup.locator("a.sb-nav-amap").get_attribute("href").startswith(
        "https://uri.amap.com/navigation?to=")
    page.goto(demo_url + "map/")
    page.locator(".marker-cluster").first.click()  # zoom into a cluster until a pin shows
    for _ in range(6):
        if page.locator(".sb-pin").count():
            break
        page.locator(".marker-cluster").first.click()
        page.wait_for_timeout(400)
    pin = page.locator(".sb-pin").first
    name = pin.get_attribute("title")
    pin.click()
    link = page.locator(".leaflet-popup-content a.sb-popup-title")
    link.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == name
    assert page.url.startswith(demo_url + "stations/")


def test_the_filter_control_hides_a_type(page, demo_url) -> None:
    page.goto(demo_url + "map/")
    page.wait_for_selector(".sb-filter-toggle")
    status = page.locator(".map-status").first
    assert "25" in status.inner_text()
    page.locator(".sb-filter-toggle").click()
    box = page.locator(".sb-filter input[data-kind='1']")  # 先锋阵地
    label = box.locator("xpath=..").inner_text()
    assert "先锋阵地" in label
    box.uncheck()
    remaining = int(re.search(r"\d+", status.inner_text()).group())
    assert 0 < remaining < 25
    page.locator(".sb-filter input[data-alliance='0']").uncheck()
    assert int(re.search(r"\d+", status.inner_text()).group()) < remaining
    assert page.console_errors == []


def test_alliance_page_maps_its_stations_and_members(page, demo_url) -> None:
    page.goto(demo_url + "alliances/zhangjiagang-three-chains/")
    page.wait_for_selector(".sb-pin, .marker-cluster")
    assert page.locator(".sb-pin-member").count() >= 1
    assert page.console_errors == []


def test_nearest_station_finds_the_closest_one_to_the_reader(browser, demo_url) -> None:
    # Standing at 沙洲红立方 (its WGS-84 point), the nearest station must be itself.
    import json

    from tests.browser.conftest import _local

    out = json.loads(_read(demo_url, "data/stations.geojson"))
    target = next(f for f in out["features"] if f["id"] == "shazhou-red-cube")
    lon, lat = target["geometry"]["coordinates"]
    context = browser.new_context(geolocation={"latitude": lat, "longitude": lon},
                                  permissions=["geolocation"])
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if _local(r.request.url) else r.abort())
    page.goto(demo_url + "map/")
    page.locator(".sb-locate").click()
    status = page.locator(".map-status").first
    page.wait_for_function("s => s.textContent.includes('离您最近')",
                           arg=status.element_handle())
    assert "沙洲红立方" in status.inner_text()
    assert "约 0.0 公里" in status.inner_text()
    context.close()


def _read(base: str, path: str) -> str:
    from urllib.request import urlopen

    with urlopen(base + path) as response:
        return response.read().decode("utf-8")


def test_alliance_page_prints_as_a_brochure(page, demo_url) -> None:
    page.goto(demo_url + "alliances/zhangjiagang-three-chains/")
    page.emulate_media(media="print")
    assert not page.locator(".masthead").is_visible()
    assert not page.locator(".mainnav").is_visible()
    assert page.locator(".print-qr svg.qr-svg").is_visible()
    assert page.locator(".chain-svg-horizontal").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
