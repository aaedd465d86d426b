"""Config: site.yaml and command-line options become frozen settings."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from site_builder.core.diagnostics import Report
from site_builder.core.positions import Positions


@dataclass(frozen=True)
class BuildOptions:
    """What the command line asked for."""

    site_dir: Path
    output_dir: Path | None = None
    strict: bool = False
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    jobs: int = 1
    progress: bool = False  # show a progress line (only when attached to a terminal)
    preview: bool = False  # serve: mark drafts and future stories as such
    search: bool = True  # build the search index (build --no-search skips it)

    @property
    def content_dir(self) -> Path:
        return self.site_dir / "content"

    @property
    def out_dir(self) -> Path:
        return self.output_dir or (self.site_dir / "output")


@dataclass(frozen=True)
class NavEntry:
    title: str
    url: str


@dataclass(frozen=True)
class MapSettings:
    provider: str = "osm"
    tianditu_key: str | None = None
    tiles: str | None = None
    attribution: str | None = None
    coord_system: str | None = None
    review_number: str | None = None
    center: tuple[float, float] | None = None
    zoom: int | None = None
    configured: bool = False  # whether site.yaml said anything about the map


@dataclass(frozen=True)
class SiteConfig:
    """The site's settings after validation and command-line overrides."""

    title: str = ""
    description: str = ""
    base_url: str = "https://example.org/"
    language: str = "zh-CN"
    publisher: str = ""
    footer: str = ""
    footer_line: int = 1  # where the footer's Markdown starts in site.yaml
    nav: tuple[NavEntry, ...] = ()
    map: MapSettings = field(default_factory=MapSettings)
    outside_images: str = "error"  # images from other sites in Markdown: error or warn
    extra: Any = None
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def base_path(self) -> str:
        """The URL path the site lives under: '/' or '/dangjian/'."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def lang(self) -> str:
        return "en" if self.language == "en" else "zh"

    def absolute(self, path: str) -> str:
        """Absolute URL of a site-relative path such as 'alliances/x/'."""
        return self.base_url + path.lstrip("/")


# Editors date stories in Beijing time, whatever the timezone of the machine building.
BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")


def build_date() -> dt.date:
    """Today in Beijing, or the day of SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.strip().isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=BEIJING).date()
    return dt.datetime.now(BEIJING).date()


def make_config(data: dict[str, Any], options: BuildOptions, report: Report,
                positions: Positions | None = None) -> SiteConfig:
    """Turn validated site.yaml data and options into SiteConfig."""
    base_url = options.base_url or data.get("base_url") or "https://example.org/"
    if options.base_url:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            report.emit("bad-base-url", None, key="--base-url", value=base_url)
    if not base_url.endswith("/"):
        base_url += "/"
    raw_map = data.get("map") or {}
    key = raw_map.get("tianditu_key") or os.environ.get("SITE_BUILDER_TIANDITU_KEY") or None
    center = raw_map.get("center")
    map_settings = MapSettings(
        provider=raw_map.get("provider", "osm"),
        tianditu_key=key,
        tiles=raw_map.get("tiles"),
        attribution=raw_map.get("attribution"),
        coord_system=raw_map.get("coord_system"),
        review_number=raw_map.get("review_number"),
        center=(float(center[0]), float(center[1])) if center and len(center) >= 2 else None,
        zoom=raw_map.get("zoom"),
        configured="map" in data,
    )
    return SiteConfig(
        title=data.get("title", ""),
        description=data.get("description", ""),
        base_url=base_url,
        language=data.get("language", "zh-CN"),
        publisher=data.get("publisher", ""),
        footer=data.get("footer", ""),
        footer_line=(positions.of_value(("footer",))[0] or 1) if positions else 1,
        nav=tuple(NavEntry(n["title"], n["url"]) for n in data.get("nav", ())),
        map=map_settings,
        outside_images=data.get("outside_images") or "error",
        extra=data.get("extra"),
        today=build_date(),
    )
