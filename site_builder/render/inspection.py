"""What government-website inspection crawlers read from a page's <meta> tags.

The names (SiteName, SiteDomain, SiteIDCode, ColumnName, ColumnType, ArticleTitle, PubDate,
ContentSource) are those of the 政府网站发展指引's page metadata; the column types are its
栏目类型 words, chosen for what each section of these sites holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from site_builder.core.config import SiteConfig
from site_builder.core.dates import PartialDate
from site_builder.render.tasks import PageTask

# section → (its name's translation key, 栏目类型)
COLUMNS: dict[str, tuple[str, str]] = {
    "home": ("nav.home", "首页"),
    "alliances": ("nav.alliances", "概况信息"),
    "enterprises": ("nav.enterprises", "概况信息"),
    "stories": ("nav.stories", "政务动态"),
    "stations": ("nav.stations", "概况信息"),
    "map": ("nav.map", "概况信息"),
    "listings": ("nav.listings", "公众参与"),
    "tags": ("nav.tags", "专题专栏"),
    "industries": ("nav.industries", "专题专栏"),
    "regions": ("nav.regions", "专题专栏"),
    "search": ("search.title", "其他"),
}


# The same types in the words of an English site (inspections read Chinese sites).
ENGLISH_TYPES = {"首页": "Home", "政务动态": "News", "概况信息": "Overview",
                 "公众参与": "Participation", "专题专栏": "Topics", "其他": "Other"}


def pub_date(item: Any) -> str:
    """A story's date, another record's 更新日期, as YYYY-MM-DD ('' when it has none).

    A date written to the month or year is given as its first day: the tag takes a day."""
    value = item.get("date") if item.record_kind == "story" else item.get("updated")
    if isinstance(value, PartialDate):
        return value.first_day().isoformat()
    return ""


def inspection_meta(task: PageTask, config: SiteConfig,
                    t: Callable[..., str]) -> dict[str, Any]:
    """The values base.html puts in the inspection <meta> tags of one page."""
    section = task.section or ""
    key, column_type = COLUMNS.get(section, ("", "其他"))
    if section.startswith("pages/"):
        column_name, column_type = task.title, "概况信息"
    else:
        column_name = t(key) if key else task.title
    if config.lang == "en":
        column_type = ENGLISH_TYPES[column_type]
    item = task.item
    source = ""
    if item is not None:
        source = ((item.get("source") or {}).get("name") if item.record_kind == "story"
                  else "") or config.filing.sponsor or config.publisher or config.title
    return {
        "site_domain": urlsplit(config.base_url).hostname or "",
        "column_name": column_name,
        "column_type": column_type,
        "pub_date": pub_date(item) if item is not None else "",
        "content_source": source,
    }
