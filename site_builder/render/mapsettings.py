"""Checks of a custom base map's settings (site.yaml `map`, provider `custom`).

Its tile URL template goes to every reader's browser, which fetches tiles from it, and its
attribution is shown on every map. Both are the editor's text: the URL must be an https://
template with only the placeholders Leaflet fills from the tile's position (a `{name}`
Leaflet does not know is read from the layer's options, or left in the URL), and the
attribution is shown as plain text, never as HTML.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from site_builder.core.config import MapSettings
from site_builder.core.diagnostics import Report
from site_builder.core.positions import KeyPath, Positions

TILE_PLACEHOLDERS = ("{z}", "{x}", "{y}", "{s}")
_REQUIRED = ("{z}", "{x}", "{y}")  # without them every tile would be the same picture
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# Never part of a URL: spaces and control characters, quotes, angle brackets, backslash.
_NOT_IN_URL = re.compile(r"[\s\x00-\x1f\x7f\"<>\\^`|]")
# What would be markup if it were HTML, or a template if it were a template: shown as text.
_MARKUP = re.compile(r"<[A-Za-z/!?][^>]{0,40}>?|&#?[A-Za-z0-9]+;|\{[{%#]")


def check_custom_map(settings: MapSettings, report: Report,
                     positions: Positions | None) -> None:
    """Report what is wrong with a custom base map's tiles and attribution."""

    def at(*path: str, key: bool = False) -> tuple[int | None, int | None]:
        if positions is None:
            return (None, None)
        where: KeyPath = tuple(path)
        return positions.of_key(where) if key else positions.of_value(where)

    if not settings.tiles:
        report.emit("custom-tiles", "site.yaml", *at("map", "provider", key=True), "map.tiles")
    else:
        problem = tiles_problem(settings.tiles)
        if problem is not None:
            code, args = problem
            report.emit(code, "site.yaml", *at("map", "tiles"), "map.tiles", **args)
    if not settings.attribution:
        report.emit("custom-attribution", "site.yaml", *at("map", "provider", key=True),
                    "map.attribution")
    else:
        found = _MARKUP.search(settings.attribution)
        if found is not None:
            report.emit("attribution-markup", "site.yaml", *at("map", "attribution"),
                        "map.attribution", found=found.group(0))


def tiles_problem(url: str) -> tuple[str, dict[str, str | list[str]]] | None:
    """The first problem of a tile URL template as (message code, arguments), or None."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "https" or not parts.netloc or not url.lower().startswith(
            "https://") or _NOT_IN_URL.search(url):
        return "tiles-url", {"value": _shorten(url)}
    for placeholder in _PLACEHOLDER.findall(url):
        if placeholder not in TILE_PLACEHOLDERS:
            return "tiles-placeholder", {"placeholder": _shorten(placeholder)}
    stray = re.search(r"[{}]", _PLACEHOLDER.sub("", url))
    if stray is not None:
        return "tiles-placeholder", {"placeholder": stray.group(0)}
    missing = [p for p in _REQUIRED if p not in url]
    if missing:
        return "tiles-placeholder-missing", {"missing": missing}
    return None


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
