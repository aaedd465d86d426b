"""Map shapes: folium renders each shape of map once, with placeholders; every map of that
shape is the same text with its own name, rows and options (the preview keeps the shapes
between its builds)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from site_builder.core import cachefile
from site_builder.render.maps import (
    NAME_MARK,
    MapFragment,
    MapPoint,
    MapView,
    Provider,
    fill_map,
    marked_provider,
)

SHAPE_VERSION = 2  # bump when build_map's output changes for the same inputs


@functools.cache
def _folium_version() -> str:
    return cachefile.package_version("folium")  # without importing folium


# Every asset URL a shape contains (with its version): a changed file is a new shape.
_SHAPE_ASSETS = ("vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css",
                 "vendor/markercluster/leaflet.markercluster.js",
                 "vendor/markercluster/MarkerCluster.css",
                 "vendor/markercluster/MarkerCluster.Default.css", "map.js", "map.css")


class MapMaker:
    """Builds maps, rendering each shape of folium map once per build.

    folium compiles its templates for every element it renders, about 20 ms a map; a site
    with 5,000 stations has 5,000 station maps that differ only in their name and data. So
    folium renders a map of each shape (provider, page depth, size, view) once with
    placeholders, and every map of that shape is the same text with its own values.
    """

    def __init__(self, provider: Provider,
                 memo: dict[str, tuple[str, str, str, str]] | None = None) -> None:
        self.provider = provider
        # Shapes by a key of everything they are made from; with the preview's memo, a
        # build whose shapes are all known never starts folium.
        self._shapes = memo if memo is not None else {}
        self.added: dict[str, tuple[str, str, str, str]] = {}

    def build(self, name: str, points: Sequence[MapPoint], asset: Callable[[str], str],
              options: dict[str, Any], center: tuple[float, float] | None = None,
              zoom: int | None = None, height_class: str = "map-large") -> MapFragment:
        # The shape has placeholders for the tile URLs and attributions too: it is the
        # same whatever site.yaml says they are.
        key = repr((SHAPE_VERSION, _folium_version(), marked_provider(self.provider),
                    [asset(n) for n in _SHAPE_ASSETS], height_class, center, zoom))
        if key not in self._shapes:
            made = build_map(NAME_MARK, [], self.provider, asset, {},
                             MapView(center, zoom, height_class), placeholders=True)
            self._shapes[key] = self.added[key] = (made.css, made.js, made.html, made.script)
        return fill_map(MapFragment(*self._shapes[key]), name, points, self.provider, options,
                        center)

    def remember(self, shapes: dict[str, tuple[str, str, str, str]]) -> None:
        """Keep shapes another process made."""
        self._shapes.update(shapes)
        self.added.update(shapes)


def build_map(name: str, points: Sequence[MapPoint], provider: Provider,
              asset: Callable[[str], str], options: dict[str, Any],
              view: MapView | None = None, placeholders: bool = False) -> MapFragment:
    """Build one map with folium and split it into pieces for our templates.

    `asset` turns a name under assets/ into the URL the page uses. With `placeholders`,
    the rows and options are MapMaker's markers, to be filled in later. folium (with
    branca, numpy and requests: a quarter of a second) is imported only when a map is
    actually made: a preview rebuild whose map shapes are all known never needs it.
    """
    from site_builder.render.foliummap import render_map

    return render_map(name, points, provider, asset, options, view or MapView(),
                      placeholders)
