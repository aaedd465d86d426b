"""A custom base map's tile URL and attribution: checked, and never run as a template."""

from __future__ import annotations

import json
import re

import pytest

from site_builder.core.config import MapSettings
from site_builder.core.diagnostics import Report
from site_builder.render import maps, mapshapes
from site_builder.render.mapsettings import tiles_problem

TILES = "https://{s}.tiles.example.gov.cn/{z}/{x}/{y}.png?style=1&lang=zh"
# Each would print SBRAN (or break the build) if it were compiled as a Jinja template.
TEMPLATE_TEXT = ["© {{ 'SB' ~ 'RAN' }}", "{% raw %}", "某测绘's map", "{{ cycler.__init__ }}",
                 "{% if true %}SBRAN{% endif %}", "{#"]


def custom(attribution: str, tiles: str = TILES) -> tuple[maps.Provider, Report]:
    report = Report()
    settings = MapSettings(provider="custom", tiles=tiles, attribution=attribution,
                           configured=True)
    return maps.provider_for(settings, report), report


def _map(provider: maps.Provider, name: str = "all") -> maps.MapFragment:
    point = maps.make_point({"lat": 31.9, "lon": 118.8}, provider, kind=0,
                            name="{{ 'SB' ~ 'RAN' }}站", url="stations/a/")
    return mapshapes.MapMaker(provider).build(name, [point], lambda a: "../assets/" + a,
                                              {"labels": {}}, None, None, "map-medium")


@pytest.mark.parametrize("text", TEMPLATE_TEXT)
def test_template_syntax_in_the_attribution_is_shown_as_written(text: str) -> None:
    provider, _ = custom(text)
    for fragment in (_map(provider), mapshapes.build_map(
            "all", [], provider, lambda a: "../assets/" + a, {"labels": {}})):
        assert "SBRAN" not in fragment.script.replace("{% if true %}SBRAN", "")
        layer = re.search(r'L\.tileLayer\(\s*("[^"]*"),\s*(\{.*?\})\s*\);', fragment.script,
                          re.S)
        assert layer is not None
        assert json.loads(layer.group(1)) == TILES
        shown = re.search(r'"attribution": ("(?:[^"\\]|\\.)*")', layer.group(2))
        assert shown is not None
        # Leaflet inserts the attribution as HTML: it gets the text escaped.
        assert json.loads(shown.group(1)) == str(maps.escape(text))


def test_station_names_never_reach_folium_either() -> None:
    osm = maps.provider_for(MapSettings(provider="osm", configured=True), Report())
    fragment = mapshapes.build_map("all", [maps.make_point(
        {"lat": 31.9, "lon": 118.8}, osm, kind=0, name="{{ 'SB' ~ 'RAN' }}", url="s/")],
        osm, lambda a: "../assets/" + a, {"labels": {}})
    assert "SBRAN" not in fragment.script
    assert "{{ 'SB' ~ 'RAN' }}" in fragment.script


def test_an_html_attribution_is_escaped_for_leaflet_and_warned_about() -> None:
    provider, report = custom("<img src=x onerror=alert(1)>某测绘")
    assert provider.layers[0].attribution == "&lt;img src=x onerror=alert(1)&gt;某测绘"
    assert [(d.code, d.key, d.args["found"]) for d in report.items] == [
        ("attribution-markup", "map.attribution", "<img src=x onerror=alert(1)>")]
    script = _map(provider).script
    assert "<img" not in script and "onerror=alert(1)\\u0026gt;" in script


@pytest.mark.parametrize("text", ["© 某某测绘有限公司", "© OpenStreetMap contributors",
                                  "数据来源：某市自然资源和规划局 2024"])
def test_a_plain_text_attribution_gets_no_warning(text: str) -> None:
    assert len(custom(text)[1]) == 0


@pytest.mark.parametrize("text,found", [
    ("&copy; 某测绘", "&copy;"), ('<a href="https://x.cn">某测绘</a>', '<a href="https://x.cn">'),
    ("© {{ cycler }}", "{{"), ("{% raw %}", "{%")])
def test_markup_or_template_syntax_in_the_attribution_is_named(text: str, found: str) -> None:
    assert [d.args["found"] for d in custom(text)[1].items] == [found]


@pytest.mark.parametrize("url,problem", [
    (TILES, None),
    ("https://t.example.cn/{z}/{x}/{y}", None),
    ("HTTPS://t.example.cn/{z}/{x}/{y}.png", None),
    ("http://t.example.cn/{z}/{x}/{y}.png", ("tiles-url", "value")),
    ("//t.example.cn/{z}/{x}/{y}.png", ("tiles-url", "value")),
    ("t.example.cn/{z}/{x}/{y}.png", ("tiles-url", "value")),
    ("https:///{z}/{x}/{y}.png", ("tiles-url", "value")),
    ("javascript:alert(1)//{z}/{x}/{y}", ("tiles-url", "value")),
    ('https://t.example.cn/{z}/{x}/{y}.png"><script>', ("tiles-url", "value")),
    ("https://t.example.cn/{z}/{x}/{y}.png?k={{ 7*7 }}", ("tiles-url", "value")),
    ("https://t.example.cn/{z}/{x}/{y}.png?k={{7*7}}", ("tiles-placeholder", "{7*7}")),
    ("https://t.example.cn/{z}/{x}/{-y}.png", ("tiles-placeholder", "{-y}")),
    ("https://t.example.cn/{z}/{x}/{y}{r}.png", ("tiles-placeholder", "{r}")),
    ("https://t.example.cn/{z}/{x}/{y}.png?a={attribution}", ("tiles-placeholder",
                                                              "{attribution}")),
    ("https://t.example.cn/{z}/{x}/{y}}.png", ("tiles-placeholder", "}")),
    ("https://t.example.cn/{z}/{x}.png", ("tiles-placeholder-missing", ["{y}"])),
    ("https://t.example.cn/tile.png", ("tiles-placeholder-missing", ["{z}", "{x}", "{y}"])),
])
def test_tile_urls_are_https_templates_with_only_tile_placeholders(url: str, problem) -> None:
    found = tiles_problem(url)
    if problem is None:
        assert found is None
    else:
        code, arg = problem
        assert found is not None and found[0] == code
        assert arg in found[1].values() or (arg == "value" and found[1]["value"] == url)


def test_a_bad_tile_url_is_reported_and_never_reaches_a_page() -> None:
    _, report = custom("某测绘", "http://t.example.cn/{z}/{x}/{y}.png")
    assert [d.code for d in report.errors] == ["tiles-url"]


def test_builtin_providers_keep_their_linked_attributions() -> None:
    for name in ("osm", "gaode"):
        provider = maps.provider_for(MapSettings(provider=name, review_number="GS(0000)0号",
                                                 configured=True), Report())
        script = _map(provider).script
        assert "\\u003ca href=\\\"https://" in script, name
