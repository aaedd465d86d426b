"""Station maps that work in mainland China: local Leaflet, Chinese base maps, right datums.

folium builds each map (map element, tile layers, our station layer) and we embed its
pieces in our own pages. Three things folium does not do for us, done here:
- its scripts and styles point at foreign CDNs: every element's asset list is replaced by
  files served from the site (Leaflet and the cluster plugin come from pinned PyPI
  packages and are checked against known SHA-256 digests before they are copied);
- its element ids are random: they are derived from the map's name, so builds repeat;
- its header restyles the host page (html/body rules, a zoom-blocking viewport): only the
  asset links are kept.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from markupsafe import escape

from site_builder.core.config import MapSettings
from site_builder.core.diagnostics import Report
from site_builder.core.geo import from_wgs84, to_wgs84
from site_builder.core.positions import Positions
from site_builder.render.mapsettings import check_custom_map
from site_builder.validate.vocabularies import STATION_TYPES

# Third-party browser files: output path → (package, file in its data folder, sha256).
VENDOR_FILES: dict[str, tuple[str, str, str]] = {
    "leaflet/leaflet.js": ("xstatic.pkg.leaflet", "leaflet.js",
                           "5819285cec137b229c94e1ee5ad73e8b6b84345a4367d60f75fe477fe0fb7b03"),
    "leaflet/leaflet.css": ("xstatic.pkg.leaflet", "leaflet.css",
                            "90b693d86392a4779c861b28cf307e7e59c3fb35328c4d8b95f58f814d38c722"),
    "leaflet/images/layers.png": (
        "xstatic.pkg.leaflet", "images/layers.png",
        "1dbbe9d028e292f36fcba8f8b3a28d5e8932754fc2215b9ac69e4cdecf5107c6"),
    "leaflet/images/layers-2x.png": (
        "xstatic.pkg.leaflet", "images/layers-2x.png",
        "066daca850d8ffbef007af00b06eac0015728dee279c51f3cb6c716df7c42edf"),
    "leaflet/images/marker-icon.png": (
        "xstatic.pkg.leaflet", "images/marker-icon.png",
        "574c3a5cca85f4114085b6841596d62f00d7c892c7b03f28cbfa301deb1dc437"),
    "leaflet/images/marker-icon-2x.png": (
        "xstatic.pkg.leaflet", "images/marker-icon-2x.png",
        "00179c4c1ee830d3a108412ae0d294f55776cfeb085c60129a39aa6fc4ae2528"),
    "leaflet/images/marker-shadow.png": (
        "xstatic.pkg.leaflet", "images/marker-shadow.png",
        "264f5c640339f042dd729062cfc04c17f8ea0f29882b538e3848ed8f10edb4da"),
    "markercluster/leaflet.markercluster.js": (
        "xstatic.pkg.leaflet_markercluster", "leaflet.markercluster.js",
        "58be871df61f6c512464e15db0941e63b9491bf1396a2ae3bea6f39e0854cd1c"),
    "markercluster/MarkerCluster.css": (
        "xstatic.pkg.leaflet_markercluster", "MarkerCluster.css",
        "614dea0a98ff3f4ead74f04918f6b1d1b9ba435c25b5fc23b21a394d1e3e4d87"),
    "markercluster/MarkerCluster.Default.css": (
        "xstatic.pkg.leaflet_markercluster", "MarkerCluster.Default.css",
        "61258232d98d64dc2a7b1e02130d67421bc5b9bda5994eef70228ff97570c170"),
}

# Colours of the station types (and of located members), readable as white-ringed pins.
TYPE_COLOURS = ("#b3121b", "#c2410c", "#1d4ed8", "#7c3aed", "#047857", "#a16207", "#475569")
# Placeholders every map is rendered with (see foliummap.render_map, mapshapes.MapMaker).
NAME_MARK, ROWS_MARK, OPTIONS_MARK = "SBMAPNAME", '"SBMAPROWS"', '"SBMAPOPTIONS"'
# A tile layer's URL template and attribution: folium writes them JSON-encoded, so quoted.
TILES_MARK, ATTRIBUTION_MARK = "SBTILES{}", "SBATTRIBUTION{}"
MEMBER_COLOUR = "#0f766e"
STATION_TYPE_NAMES = tuple(c.zh for c in STATION_TYPES.choices)

NAV_URLS = {
    # 高德 URI API: longitude first, GCJ-02 ('coordinate=gaode').
    "amap": "https://uri.amap.com/navigation?to={glon},{glat},{name}&mode=car"
            "&coordinate=gaode&callnative=1&src=site_builder",
    # 百度 URI API: latitude first, BD-09 ('coord_type=bd09ll').
    "baidu": "https://api.map.baidu.com/direction?destination=latlng:{blat},{blon}|name:{name}"
             "&mode=driving&coord_type=bd09ll&output=html&src=webapp.site_builder.stations",
}


class VendorError(Exception):
    """A vendored file is missing or does not match its pinned digest."""


def vendor_files() -> list[tuple[str, bytes]]:
    """The map libraries as (path under assets/vendor/, bytes), integrity checked."""
    out = []
    for rel, (package, name, digest) in sorted(VENDOR_FILES.items()):
        try:
            module = importlib.import_module(package)
            data = (Path(module.BASE_DIR) / name).read_bytes()
        except (ImportError, OSError) as exc:
            raise VendorError(f"{package}/{name}: {exc}") from exc
        if hashlib.sha256(data).hexdigest() != digest:
            raise VendorError(f"{package}/{name}: sha256 mismatch")
        out.append((rel, data))
    return out


@dataclass(frozen=True)
class TileSpec:
    url: str
    attribution: str  # HTML: Leaflet inserts it as such (a custom one is escaped text)
    subdomains: str = "abc"
    max_zoom: int = 18
    overlay: bool = False  # annotation layers sit on top of the base


@dataclass(frozen=True)
class Provider:
    name: str
    datum: str  # the datum its tiles are drawn in: wgs84 or gcj02
    layers: tuple[TileSpec, ...]
    review_number: str | None


def provider_for(settings: MapSettings, report: Report,
                 positions: Positions | None = None) -> Provider:
    """The tile provider from site.yaml, with its datum; problems go to the report."""
    name = settings.provider
    review = settings.review_number

    def where(*path: str) -> tuple[int | None, int | None]:
        return positions.of_key(path) if positions else (None, None)
    if name == "tianditu":
        key = settings.tianditu_key
        if not key:
            report.emit("tianditu-key", "site.yaml", *where("map", "provider"),
                        "map.tianditu_key")
            key = "MISSING"
        attribution = '<a href="https://www.tianditu.gov.cn/">天地图</a>'
        layers = tuple(
            TileSpec(f"https://t{{s}}.tianditu.gov.cn/DataServer?T={layer}&x={{x}}&y={{y}}"
                     f"&l={{z}}&tk={quote(key)}", attribution, "01234567", 18, overlay)
            for layer, overlay in (("vec_w", False), ("cva_w", True)))
        provider = Provider("tianditu", "wgs84", layers, review)
    elif name == "gaode":
        layers = (TileSpec("https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1"
                           "&scale=1&style=8&x={x}&y={y}&z={z}",
                           '<a href="https://www.amap.com/">高德地图</a>', "1234", 18),)
        provider = Provider("gaode", "gcj02", layers, review)
    elif name == "custom":
        check_custom_map(settings, report, positions)
        # The editor's words, shown as text wherever they go (Leaflet takes HTML).
        layers = (TileSpec(settings.tiles or "", str(escape(settings.attribution or "")),
                           "abc", 18),)
        provider = Provider("custom", settings.coord_system or "wgs84", layers, review)
    else:
        if not settings.configured:
            report.emit("osm-default", "site.yaml", 1, 1, "map")
        layers = (TileSpec("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                           '&copy; <a href="https://www.openstreetmap.org/copyright">'
                           "OpenStreetMap</a>", "abc", 19),)
        provider = Provider("osm", "wgs84", layers, review)
    if provider.name in ("tianditu", "gaode") and not review:
        report.emit("review-number", "site.yaml", *where("map"), "map.review_number")
    return provider


# ---- points -------------------------------------------------------------------------

def _round(value: float) -> float:
    return round(value, 6)  # 0.1 m: enough for a pin, and it keeps pages small


@dataclass(frozen=True)
class MapPoint:
    """One pin: where it is drawn (provider datum) and where map apps should route to."""

    lat: float
    lon: float
    wgs: tuple[float, float]
    gcj: tuple[float, float]
    bd: tuple[float, float]
    kind: int  # index into the legend: station types, then members
    name: str
    url: str  # site-relative
    address: str = ""
    hours: str = ""
    services: str = ""
    alliances: tuple[int, ...] = ()


def make_point(location: dict[str, Any], provider: Provider, **fields: Any) -> MapPoint:
    shown, wgs, gcj, bd = _datums(location["lat"], location["lon"],
                                  location.get("coord_system", "wgs84"), provider.datum)
    return MapPoint(shown[0], shown[1], wgs, gcj, bd, **fields)


@functools.lru_cache(maxsize=65536)  # the preview rebuilds every map of the site each time
def _datums(lat: float, lon: float, datum: str, shown_datum: str
            ) -> tuple[tuple[float, float], ...]:
    """The point as shown, in WGS-84, GCJ-02 and BD-09, rounded."""
    wgs = to_wgs84(lat, lon, datum)
    return tuple((_round(a), _round(b)) for a, b in (
        from_wgs84(*wgs, shown_datum), wgs, from_wgs84(*wgs, "gcj02"),
        from_wgs84(*wgs, "bd09")))


def nav_links(point: MapPoint) -> dict[str, str]:
    """'Navigate here' links for 高德 (GCJ-02) and 百度 (BD-09)."""
    name = quote(point.name, safe="")
    return {
        app: template.format(glat=point.gcj[0], glon=point.gcj[1], blat=point.bd[0],
                             blon=point.bd[1], name=name)
        for app, template in NAV_URLS.items()
    }


def point_row(p: MapPoint, with_wgs: bool) -> list[Any]:
    """A point as the compact array map.js reads (no keys: 5,000 stations stay small)."""
    row: list[Any] = [p.lat, p.lon, p.kind, p.name, p.url, p.address, p.hours, p.services,
                      list(p.alliances), p.gcj[0], p.gcj[1], p.bd[0], p.bd[1]]
    if with_wgs:
        row += [p.wgs[0], p.wgs[1]]
    return row


# ---- folium -------------------------------------------------------------------------

@dataclass(frozen=True)
class MapView:
    """Where a map opens and how tall it is (None: fitted to its pins)."""

    center: tuple[float, float] | None = None
    zoom: int | None = None
    height_class: str = "map-large"


@dataclass(frozen=True)
class MapFragment:
    """A folium map split for embedding: styles for <head>, scripts, element, its script."""

    css: str
    js: str
    html: str
    script: str


def folium_json(text: str) -> str:
    """A string as folium writes it into a map's script: JSON, with the characters that
    matter to HTML escaped (what its `tojson` and `tojavascript` filters do)."""
    return (json.dumps(text).replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026").replace("'", "\\u0027"))


def marked_provider(provider: Provider) -> Provider:
    """`provider` with placeholders for its tile URLs and attributions: what folium sees.

    folium and branca compile the text of every element they render as a Jinja template,
    so text from site.yaml handed to folium would run as code (`{{ … }}`) or break the build
    (`{%`); it is put in after folium has rendered the map (`fill_map`)."""
    layers = tuple(replace(tile, url=TILES_MARK.format(i),
                           attribution=ATTRIBUTION_MARK.format(i))
                   for i, tile in enumerate(provider.layers))
    return replace(provider, layers=layers)


def fill_map(shape: MapFragment, name: str, points: Sequence[MapPoint], provider: Provider,
             options: dict[str, Any], center: tuple[float, float] | None) -> MapFragment:
    """A map rendered with placeholders (see marked_provider), with its own values."""
    with_wgs = provider.datum != "wgs84"
    values = {NAME_MARK: name,
              ROWS_MARK: script_json([point_row(p, with_wgs) for p in points]),
              OPTIONS_MARK: script_json(map_options(provider, points, options, center))}
    for i, tile in enumerate(provider.layers):
        values[folium_json(TILES_MARK.format(i))] = folium_json(tile.url)
        values[folium_json(ATTRIBUTION_MARK.format(i))] = folium_json(tile.attribution)
    markers = re.compile("|".join(re.escape(m) for m in values))

    def fill(text: str) -> str:
        # One pass: text put in (a station called SBMAPNAME) is never replaced again.
        return markers.sub(lambda match: values[match.group(0)], text)

    return MapFragment(shape.css, shape.js, fill(shape.html), fill(shape.script))


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element, keeping non-ASCII text as it is."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def map_options(provider: Provider, points: Sequence[MapPoint], options: dict[str, Any],
                center: tuple[float, float] | None) -> dict[str, Any]:
    """What map.js needs besides the rows: labels, app URL templates, datum, view."""
    return {**options, "nav": NAV_URLS, "datum": provider.datum,
            "review": provider.review_number or "",
            "fit": None if center else _bounds(points)}


def _bounds(points: Sequence[MapPoint]) -> list[list[float]] | None:
    if not points:
        return None
    lats = [p.lat for p in points]
    lons = [p.lon for p in points]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def legend(lang: str, members: bool) -> list[dict[str, str]]:
    """Legend entries: the station types, then located members; colour per entry."""
    from site_builder.render.i18n import enum_label, translate

    entries = [{"name": enum_label(t, lang), "colour": TYPE_COLOURS[i % len(TYPE_COLOURS)]}
               for i, t in enumerate(STATION_TYPE_NAMES)]
    if members:
        entries.append({"name": translate("map.members", lang), "colour": MEMBER_COLOUR})
    return entries


