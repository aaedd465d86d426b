"""The folium part of a map: folium and branca build the map element, the tile layers and
our station layer, and render them into the pieces `maps.MapFragment` holds.

Imported only when a map shape must be made (see `mapshapes.MapMaker`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import folium
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from site_builder.render.maps import (
    NAME_MARK,
    OPTIONS_MARK,
    ROWS_MARK,
    MapFragment,
    MapPoint,
    MapView,
    Provider,
    fill_map,
    marked_provider,
)

_ASSET_TAG = re.compile(r"<(?:link|script)\b[^>]*(?:href|src)=[^>]*>(?:</script>)?")


class StationLayer(JSCSSMixin, MacroElement):
    """Pins, clusters, popups, the filter/legend control and 'nearest station' (map.js)."""

    _template = Template(
        "{% macro script(this, kwargs) %}"
        "SiteBuilderMap.addStations({{ this._parent.get_name() }}, "
        "{{ this.rows_json }}, {{ this.options_json }});"
        "{% endmacro %}"
    )

    def __init__(self, rows_json: str, options_json: str,
                 js: list[tuple[str, str]], css: list[tuple[str, str]]) -> None:
        super().__init__()
        self._name = "StationLayer"
        # Chinese kept as UTF-8 (tojson's \\u escapes would double the size of a big map).
        self.rows_json = rows_json
        self.options_json = options_json
        self.default_js = js
        self.default_css = css


def render_map(name: str, points: Sequence[MapPoint], provider: Provider,
               asset: Callable[[str], str], options: dict[str, Any], view: MapView,
               placeholders: bool) -> MapFragment:
    """mapshapes.build_map, done.

    folium sees placeholders only, never a word of content: branca compiles the text of
    every element it renders as a Jinja template, so a station's name or an attribution
    handed to it would run as template code. Names, rows, options, tile URLs and
    attributions are put in afterwards (maps.fill_map), unless `placeholders` asks for
    the shape itself."""
    center, zoom, height_class = view.center, view.zoom, view.height_class
    m = folium.Map(location=[float(c) for c in center] if center else None,
                   zoom_start=int(zoom or 12), tiles=None, control_scale=True,
                   prefer_canvas=False)
    m.default_js = [("leaflet", asset("vendor/leaflet/leaflet.js"))]
    m.default_css = [("leaflet_css", asset("vendor/leaflet/leaflet.css"))]
    for i, tile in enumerate(marked_provider(provider).layers):
        folium.TileLayer(tiles=tile.url, attr=tile.attribution, name=f"{provider.name}{i}",
                         max_zoom=tile.max_zoom, subdomains=tile.subdomains,
                         overlay=tile.overlay, control=False).add_to(m)
    StationLayer(
        ROWS_MARK,
        OPTIONS_MARK,
        [("markercluster", asset("vendor/markercluster/leaflet.markercluster.js")),
         ("site_builder_map", asset("map.js"))],
        [("markercluster_css", asset("vendor/markercluster/MarkerCluster.css")),
         ("markercluster_default_css", asset("vendor/markercluster/MarkerCluster.Default.css")),
         ("site_builder_map_css", asset("map.css"))],
    ).add_to(m)
    figure = m.get_root()
    _stable_ids(figure, m, NAME_MARK)
    figure.render()
    tags = list(dict.fromkeys(_ASSET_TAG.findall(figure.header.render())))
    css = "\n".join(t for t in tags if t.startswith("<link"))
    js = "\n".join(t for t in tags if t.startswith("<script"))
    # The size class must be there before Leaflet measures the element to fit the bounds.
    html = figure.html.render().strip().replace('class="folium-map"',
                                                f'class="folium-map {height_class}"', 1)
    shape = MapFragment(css, js, html, figure.script.render().strip())
    return shape if placeholders else fill_map(shape, name, points, provider, options, center)


def _stable_ids(root: Element, the_map: Element, name: str) -> None:
    """Replace branca's random element ids with ones derived from the map's name."""
    for n, element in enumerate(_walk(root)):
        element._id = name if element is the_map else f"{name}_{n}"


def _walk(element: Element) -> Iterable[Element]:
    yield element
    for child in element._children.values():
        yield from _walk(child)
