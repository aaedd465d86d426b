"""Link: every record keyed by (section, slug), references resolved in one pass.

The model is immutable. It owns every URL (`url_for`), the reverse indexes that pages
need (alliance → members by segment, stories, stations, listings; term → items), and the
cross-file checks: dangling references, the chain owner's role, images, drafts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from site_builder.core.config import SiteConfig
from site_builder.core.diagnostics import L
from site_builder.core.pinyin import sort_key
from site_builder.load.sourcedoc import AssetFile
from site_builder.validate.vocabularies import SEGMENT_ORDER

# kind (as in content files) → URL section and the words used in messages.
SECTIONS: dict[str, str] = {
    "alliance": "alliances",
    "enterprise": "enterprises",
    "story": "stories",
    "station": "stations",
    "listing": "listings",
    "page": "pages",
}
KIND_WORDS: dict[str, L] = {
    "alliance": L("联盟", "alliance"),
    "enterprise": L("企业", "enterprise"),
    "story": L("案例", "story"),
    "station": L("阵地", "station"),
    "listing": L("清单条目", "listing"),
    "page": L("页面", "page"),
}
TAXONOMIES = ("tags", "industries", "regions")

# China's rough extent, for the "lat and lon swapped?" warning.
CHINA_LAT = (3.0, 54.0)
CHINA_LON = (73.0, 136.0)


@dataclass(frozen=True, eq=False)  # identity: one Item per record
class Item:
    """One published record. Templates read its fields as attributes: item.name.

    Its own attributes have names no content key uses (a listing has a `kind` field).
    """

    record_kind: str  # alliance, enterprise, story, station, listing, page
    slug: str
    file: str  # source file relative to content/
    data: Mapping[str, Any]
    body: str | None = None
    body_line: int = 1
    body_file: str | None = None  # where the body came from (alliance index.md)
    digest: str = ""
    draft: bool = False
    future: bool = False
    lines: Mapping[str, int] = field(default_factory=dict)  # where Markdown fields start

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    @property
    def section(self) -> str:
        return SECTIONS[self.record_kind]

    @property
    def key(self) -> tuple[str, str]:
        return (self.record_kind, self.slug)

    @property
    def url(self) -> str:
        return url_for(self)

    @property
    def title(self) -> str:
        return str(self.data.get("name") or self.data.get("title") or self.slug)

    @property
    def label(self) -> str:
        """Short name for cards and breadcrumbs."""
        return str(self.data.get("short_name") or self.title)

    @cached_property
    def name_key(self) -> str:
        """The title's pinyin sort key (items are sorted by it in many lists)."""
        return sort_key(self.title)

    @cached_property
    def ref(self) -> tuple[str, str, str]:
        """What identifies the item in a page's fingerprint (memo.shape): made once, an
        item is in the lists of many pages."""
        return ("I", self.record_kind, self.slug)


@dataclass(frozen=True, eq=False)
class Membership:
    enterprise: Item
    alliance: Item
    role: str
    segment: str

    @cached_property
    def ref(self) -> tuple[str, str, str, str, str]:
        """Its fingerprint (memo.shape): on both the alliance's and the member's page."""
        return ("M", self.enterprise.slug, self.alliance.slug, self.role, self.segment)


@dataclass(frozen=True, eq=False)
class Term:
    taxonomy: str  # tags, industries, regions
    name: str
    slug: str
    items: tuple[Item, ...]
    parent: str | None = None  # regions: the enclosing region's name

    @property
    def url(self) -> str:
        return f"{self.taxonomy}/{self.slug}/"

    @property
    def label(self) -> str:
        """What readers see: regions are keyed by path (江苏省/南京市/鼓楼区), shown by name."""
        return self.name.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Model:
    config: SiteConfig
    alliances: tuple[Item, ...]
    enterprises: tuple[Item, ...]
    stories: tuple[Item, ...]  # newest first
    stations: tuple[Item, ...]
    listings: tuple[Item, ...]  # newest first
    pages: tuple[Item, ...]
    index: Mapping[tuple[str, str], Item]
    members: Mapping[str, tuple[Membership, ...]]  # alliance slug → members, 链主 first
    memberships: Mapping[str, tuple[Membership, ...]]  # enterprise slug → memberships
    stories_of: Mapping[tuple[str, str], tuple[Item, ...]]  # alliance/enterprise → stories
    stations_of: Mapping[str, tuple[Item, ...]]  # alliance slug → stations
    listings_of: Mapping[tuple[str, str], tuple[Item, ...]]  # alliance/enterprise → listings
    terms: Mapping[str, tuple[Term, ...]]  # taxonomy → terms
    term_index: Mapping[tuple[str, str], Term]  # (taxonomy, name) → term
    assets: tuple[AssetFile, ...]
    content_dir: Path = field(default=Path("content"))
    unpublished: frozenset[str] = frozenset()  # URLs of drafts and future stories left out

    def get(self, kind: str, slug: str) -> Item | None:
        return self.index.get((kind, slug))

    def term(self, taxonomy: str, name: str) -> Term | None:
        return self.term_index.get((taxonomy, name))

    def region_of(self, item: Item) -> Term | None:
        """The most specific region term of an alliance."""
        paths = region_paths(item)
        return self.term("regions", paths[-1]) if paths else None

    def alliances_of_station(self, station: Item) -> tuple[Item, ...]:
        found = (self.get("alliance", s) for s in station.get("alliances", ()))
        return tuple(a for a in found if a is not None)


def region_paths(item: Item) -> list[str]:
    """An alliance's regions from the province down: 江苏省, 江苏省/南京市, …

    Keyed by path because district names repeat across cities (鼓楼区 in 南京 and 福州).
    """
    region = item.get("region") or {}
    parts: list[str] = []
    for key in ("province", "city", "district"):
        if region.get(key) and region[key] not in parts:  # 上海市 is province and city
            parts.append(region[key])
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def url_for(item: Item) -> str:
    """The site-relative URL of an item: 'alliances/<slug>/'. Every URL comes from here."""
    return f"{SECTIONS[item.record_kind]}/{item.slug}/"


# ---- linking --------------------------------------------------------------------------


# ---- orders ---------------------------------------------------------------------------


def member_counts(model: Model) -> dict[str, int]:
    """Home-page totals, computed from content."""
    member_slugs = {m.enterprise.slug for ms in model.members.values() for m in ms}
    party_orgs = sum(
        1 for e in model.enterprises
        if e.get("party_org") and e["party_org"]["type"] != "未建"
    ) + len(model.alliances)
    return {
        "alliances": len(model.alliances),
        "enterprises": len(member_slugs),
        "party_orgs": party_orgs,
        "stations": len(model.stations),
        "stories": len(model.stories),
        "listings": len(model.listings),
    }


def group_members(members: Iterable[Membership]) -> list[tuple[str, list[Membership]]]:
    """Members grouped by chain segment, in chain order (上游 → 服务)."""
    groups: dict[str, list[Membership]] = defaultdict(list)
    for m in members:
        groups[m.segment].append(m)
    return [(seg, groups[seg]) for seg in SEGMENT_ORDER if groups.get(seg)]
