"""Maps: providers and datums, local assets, deterministic ids, navigation links, open data."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from site_builder.core import geo
from site_builder.core.config import MapSettings
from site_builder.core.diagnostics import Report
from site_builder.render import maps, mapshapes
from tests.conftest import build


def provider(**settings):
    report = Report()
    return maps.provider_for(MapSettings(configured=True, **settings), report), report


def test_tianditu_needs_a_key_and_takes_it_from_settings() -> None:
    p, report = provider(provider="tianditu", tianditu_key="abc123", review_number="GS(0000)0号")
    assert len(report) == 0
    assert p.datum == "wgs84"
    assert [t.overlay for t in p.layers] == [False, True]  # vector base + annotation
    assert "T=vec_w" in p.layers[0].url and "tk=abc123" in p.layers[0].url
    _, report = provider(provider="tianditu")
    assert [d.code for d in report.items] == ["review-number", "tianditu-key"]


def test_tianditu_key_from_the_environment(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({"content/site.yaml": "title: T\nbase_url: https://e.org/\n"
                      "map: {provider: tianditu, review_number: 'GS(0000)0号'}\n"})
    assert [d.code for d in build(site, write=False).report.errors] == ["tianditu-key"]
    monkeypatch.setenv("SITE_BUILDER_TIANDITU_KEY", "envkey")
    result = build(site, write=False)
    assert result.ok
    page = next(o for o in result.outputs if o.path == "map/index.html").data.decode()
    assert "tk=envkey" in page and "GS(0000)0号" in page


def test_gaode_tiles_are_gcj02_and_custom_needs_tiles() -> None:
    p, _ = provider(provider="gaode", review_number="x")
    assert p.datum == "gcj02"
    _, report = provider(provider="custom")
    assert [d.code for d in report.items] == ["custom-attribution", "custom-tiles"]


def test_unconfigured_map_warns_about_osm() -> None:
    report = Report()
    p = maps.provider_for(MapSettings(), report)
    assert p.name == "osm"
    assert [d.code for d in report.warnings] == ["osm-default"]


def test_points_are_drawn_in_the_provider_datum_and_routed_in_the_apps_datum() -> None:
    gaode, _ = provider(provider="gaode", review_number="x")
    osm, _ = provider(provider="osm")
    where = {"lat": 31.87, "lon": 120.55}
    on_gaode = maps.make_point(where, gaode, kind=0, name="站", url="stations/a/")
    on_osm = maps.make_point(where, osm, kind=0, name="站", url="stations/a/")
    assert (on_osm.lat, on_osm.lon) == (31.87, 120.55)
    assert (on_gaode.lat, on_gaode.lon) == pytest.approx(geo.wgs84_to_gcj02(31.87, 120.55),
                                                         abs=1e-6)
    links = maps.nav_links(on_osm)
    glat, glon = geo.wgs84_to_gcj02(31.87, 120.55)
    blat, blon = geo.wgs84_to_bd09(31.87, 120.55)
    assert f"to={round(glon, 6)},{round(glat, 6)},%E7%AB%99" in links["amap"]
    assert f"latlng:{round(blat, 6)},{round(blon, 6)}|name:%E7%AB%99" in links["baidu"]
    assert "coord_type=bd09ll" in links["baidu"] and "coordinate=gaode" in links["amap"]


def test_gcj02_content_is_converted_back_to_wgs84() -> None:
    osm, _ = provider(provider="osm")
    glat, glon = geo.wgs84_to_gcj02(31.87, 120.55)
    p = maps.make_point({"lat": glat, "lon": glon, "coord_system": "gcj02"}, osm, kind=0,
                        name="站", url="u")
    assert (p.lat, p.lon) == pytest.approx((31.87, 120.55), abs=1e-6)


def _fragment(name: str = "all"):
    osm, _ = provider(provider="osm")
    point = maps.make_point({"lat": 31.9, "lon": 118.8}, osm, kind=0, name="</script>站",
                            url="stations/a/")
    return mapshapes.build_map(name, [point], osm, lambda a: "../assets/" + a, {"labels": {}})


def test_map_ids_are_derived_from_the_name_and_repeat() -> None:
    first, second = _fragment(), _fragment()
    assert first == second
    assert 'id="map_all"' in first.html
    assert not re.search(r"[0-9a-f]{32}", first.script)


def test_map_header_brings_only_local_assets_and_no_page_styles() -> None:
    fragment = _fragment()
    head = fragment.css + fragment.js
    assert "user-scalable" not in head and "html, body" not in head
    for url in re.findall(r'(?:href|src)="([^"]+)"', head):
        assert url.startswith("../assets/"), url


def test_content_text_cannot_break_out_of_the_map_script() -> None:
    assert "</script>站" not in _fragment().script
    assert "\\u003c/script\\u003e站" in _fragment().script


def test_vendor_files_are_checked_against_their_digests(monkeypatch) -> None:
    files = dict(maps.vendor_files())
    assert set(files) == set(maps.VENDOR_FILES)
    assert files["leaflet/leaflet.js"].startswith(b"/* @preserve")
    rel = "leaflet/leaflet.js"
    package, name, _ = maps.VENDOR_FILES[rel]
    monkeypatch.setitem(maps.VENDOR_FILES, rel, (package, name, "0" * 64))
    with pytest.raises(maps.VendorError):
        maps.vendor_files()


def test_no_output_file_refers_to_a_cdn(built_demo: Path) -> None:
    cdn = re.compile(rb"cdn\.jsdelivr|cdnjs\.|unpkg\.com|code\.jquery|bootstrapcdn|googleapis")
    for path in built_demo.rglob("*"):
        if path.is_file():
            assert not cdn.search(path.read_bytes()), path


def test_stations_geojson_is_rfc7946_wgs84(built_demo: Path) -> None:
    doc = json.loads((built_demo / "data/stations.geojson").read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and len(doc["features"]) == 25
    by_id = {f["id"]: f for f in doc["features"]}
    lon, lat = by_id["shazhou-red-cube"]["geometry"]["coordinates"]
    content = (Path(__file__).parents[2] / "content/stations/shazhou-red-cube.yaml").read_text(
        encoding="utf-8")
    glat = float(re.search(r"lat: ([\d.]+)", content).group(1))
    glon = float(re.search(r"lon: ([\d.]+)", content).group(1))
    assert (lat, lon) == pytest.approx(geo.gcj02_to_wgs84(glat, glon), abs=1e-6)
    assert 73 < lon < 136 and 3 < lat < 54  # [longitude, latitude] order


def test_csv_tables_open_in_spreadsheets(built_demo: Path) -> None:
    raw = (built_demo / "data/alliances.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 6
    assert {r["slug"] for r in rows} >= {"zhangjiagang-three-chains", "songjiang-g60-clusters"}


def test_a_map_from_a_shared_shape_equals_one_built_directly() -> None:
    osm, _ = provider(provider="osm")
    points = [maps.make_point({"lat": 31.9 + i / 100, "lon": 118.8}, osm, kind=i % 3,
                              name=f"站 SBMAPNAME {i}", url=f"stations/s{i}/")
              for i in range(3)]
    options = {"labels": {"x": "地图"}, "filter": True}
    maker = mapshapes.MapMaker(osm)
    for name in ("first", "second"):  # the second reuses the first one's shape
        made = maker.build(name, points, lambda a: "../assets/" + a, options, None, None,
                           "map-medium")
        direct = mapshapes.build_map(name, points, osm, lambda a: "../assets/" + a, options,
                                     maps.MapView(None, None, "map-medium"))
        assert made == direct
