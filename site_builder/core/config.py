"""Config: site.yaml and command-line options become frozen settings."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from site_builder.core.diagnostics import L, Report
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
    check: bool = False  # `site-builder check`: 严重 wrong formulations are errors there

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


MIIT_URL = "https://beian.miit.gov.cn/"
POLICE_URL = "https://beian.mps.gov.cn/#/query/webSearch?code={code}"
CONAC_URL = "https://bszs.conac.cn/sitename?method=show&id={code}"
# The State Council's 我为政府网站找错 platform, for a site with its 标识码.
ERROR_REPORT_URL = ("https://zfwzzc.www.gov.cn/check_web/errorInfo_querySiteInfo.action"
                    "?sitecode={code}")



@dataclass(frozen=True)
class Filing:
    """The filing block a government website's footer carries (site.yaml `filing:`)."""

    icp: str = ""  # ICP备案号, linked to the MIIT filing system
    police: str = ""  # 公安备案号, linked to its query page
    site_code: str = ""  # 政府网站标识码
    conac: str = ""  # 党政机关网站标识 code, shown as the seal
    sponsor: str = ""  # 主办单位
    organizer: str = ""  # 承办单位
    contact: str = ""  # phone or e-mail
    error_report: str = ""  # 我为政府网站找错 URL; "" for none

    @property
    def police_url(self) -> str:
        digits = "".join(ch for ch in self.police if ch.isdigit())
        return POLICE_URL.format(code=digits)

    @property
    def conac_url(self) -> str:
        return CONAC_URL.format(code=self.conac)

    @property
    def shown(self) -> bool:
        return any((self.icp, self.police, self.site_code, self.conac, self.sponsor,
                    self.organizer, self.contact, self.error_report))


# Asked for by `check --strict` on a .gov.cn site: what inspectors look for first.
FILING_REQUIRED = (("icp", "ICP 备案号", "ICP filing number"),
                   ("site_code", "网站标识码", "site code"),
                   ("sponsor", "主办单位", "sponsor"),
                   ("contact", "联系方式", "contact"))


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
    filing: Filing = field(default_factory=Filing)
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
        filing=make_filing(data.get("filing") or {}, base_url, options, report, positions),
        outside_images=data.get("outside_images") or "error",
        extra=data.get("extra"),
        today=build_date(),
    )


def is_government(base_url: str) -> bool:
    """Whether the site is published under a .gov.cn address."""
    host = (urlsplit(base_url).hostname or "").lower()
    return host == "gov.cn" or host.endswith(".gov.cn")


def make_filing(raw: dict[str, Any], base_url: str, options: BuildOptions, report: Report,
                positions: Positions | None) -> Filing:
    """The filing block, with the default 找错 link. `check --strict` tells a .gov.cn site
    which of the fields inspectors look for first are missing (not `build --strict`: a
    staging copy of a site need not carry its numbers)."""
    values = {k: str(v) for k, v in raw.items() if isinstance(v, str) and v}
    report_url = raw.get("error_report")
    if report_url is False:
        values["error_report"] = ""
    elif not report_url and values.get("site_code"):
        values["error_report"] = ERROR_REPORT_URL.format(code=values["site_code"])
    if options.strict and options.check and is_government(base_url):
        line, col = positions.of_value(("filing",)) if positions and raw else (None, None)
        if line is None and positions is not None:
            line, col = positions.of_key(("title",))
        for key, zh, en in FILING_REQUIRED:
            if not values.get(key):
                report.emit("filing-missing", "site.yaml", line, col,
                            "filing" if raw else "", name=key, meaning=L(zh, en))
    return Filing(**values)
