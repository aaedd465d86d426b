"""Link: every record keyed by (section, slug), references resolved in one pass.

The model is immutable. It owns every URL (`url_for`), the reverse indexes that pages
need (alliance → members by segment, stories, stations, listings; term → items), and the
cross-file checks: dangling references, the chain owner's role, images, drafts.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from site_builder.core.config import BuildOptions, SiteConfig
from site_builder.core.dates import PartialDate
from site_builder.core.diagnostics import L, Report, closest
from site_builder.core.pinyin import sort_key, term_slug, unique_slugs
from site_builder.core.positions import KeyPath, format_key
from site_builder.load.gitdates import GitDates, read_git_dates
from site_builder.load.sources import IMAGE_SUFFIXES, MARKDOWN_FIELDS, AssetFile
from site_builder.validate.schema import ROLE_ORDER, SEGMENT_ORDER, Validated

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

@dataclass
class _Linker:
    report: Report
    records: dict[tuple[str, str], Validated]
    published: dict[tuple[str, str], tuple[Any, ...]]  # what link_model makes Items of
    content_dir: Path
    asset_paths: frozenset[str]

    def at(self, rec: Validated, path: KeyPath) -> tuple[str, int | None, int | None, str]:
        line, col = rec.positions.of_value(path)
        return rec.doc.path, line, col, format_key(path)

    def ref(self, rec: Validated, path: KeyPath, kind: str, slug: str) -> bool:
        """Whether a reference is to a published record; report dangling, invalid or
        draft targets."""
        if (kind, slug) in self.published:
            return True
        file, line, col, key = self.at(rec, path)
        other = self.records.get((kind, slug))
        words = KIND_WORDS[kind]
        if other is None:
            candidates = sorted(s for (k, s) in self.records if k == kind)
            suggestion = closest(slug, candidates)
            code = "dangling-ref" if suggestion else "dangling-ref-nosuggest"
            self.report.emit(code, file, line, col, key, target=words, value=slug,
                             suggestion=suggestion or "", folder=SECTIONS[kind])
        elif not other.ok:
            # The target's own errors are reported in its file; saying so again at every
            # reference would bury the one real mistake under a cascade.
            pass
        else:  # a draft or a story from the future, left out of this build
            self.report.emit("ref-draft", file, line, col, key, target=words, value=slug,
                             source=other.doc.path)
        return False

    def image(self, rec: Validated, path: KeyPath, value: str, folder: str) -> str | None:
        """Resolve an image path to its place under content/ (and so in the output)."""
        file, line, col, key = self.at(rec, path)
        if value.startswith(("http://", "https://", "//")):
            self.report.emit("path-escape", file, line, col, key, value=value)
            return None
        rel = resolve_content_path(value, folder)
        # Files found by load_sources are inside content/ (links out were refused there);
        # only a path that names no such file needs the slow realpath check.
        if rel is None or (rel not in self.asset_paths and not _inside(self.content_dir, rel)):
            self.report.emit("path-escape", file, line, col, key, value=value)
            return None
        # Compare with the files found, not the disk: a case-insensitive disk would accept
        # Photo.JPG for photo.jpg here and the published site would then miss it.
        if rel not in self.asset_paths:
            self.report.emit("missing-file", file, line, col, key, value=value)
            return None
        if PurePosixPath(rel).suffix.lower() not in IMAGE_SUFFIXES:
            self.report.emit("not-an-image", file, line, col, key, value=value)
            return None
        return rel


def resolve_content_path(value: str, folder: str) -> str | None:
    """'/media/a.png' → 'media/a.png'; 'b.png' in alliances/x → 'alliances/x/b.png'.

    Returns None when the path climbs out of content/.
    """
    value = value.split("#")[0].split("?")[0]
    raw = value[1:] if value.startswith("/") else f"{folder}/{value}" if folder else value
    parts: list[str] = []
    for part in raw.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                return None
            parts.pop()
        else:
            parts.append(part)
    return "/".join(parts) if parts else None


def _inside(root: Path, rel: str) -> bool:
    """Whether content/<rel>, with symbolic links followed, stays inside content/."""
    real_root = os.path.realpath(root)
    real = os.path.realpath(root / rel)
    return real == real_root or real.startswith(real_root + os.sep)


def link_model(
    validated: Iterable[Validated],
    config: SiteConfig,
    options: BuildOptions,
    assets: tuple[AssetFile, ...],
    report: Report,
    git: GitDates | None = None,
) -> Model:
    """Resolve references, filter drafts and future stories, and build the reverse indexes.

    `git`: the content files' commit dates (read here when not given): a record without
    `updated:` shows its file's last commit date."""
    if git is None:
        git = read_git_dates(options.content_dir)
    records: dict[tuple[str, str], Validated] = {}
    bodies: dict[str, Validated] = {}
    for rec in validated:
        if rec.doc.kind == "alliance_body":
            bodies[rec.doc.slug] = rec
        else:
            records[(rec.doc.kind, rec.doc.slug)] = rec

    # What each published record is made of, until linked (Item arguments after the key).
    published: dict[tuple[str, str], tuple[Any, ...]] = {}
    for key, rec in sorted(records.items()):
        if not rec.ok:
            continue
        data = rec.data
        draft = bool(data.get("draft"))
        date = data.get("date") if rec.doc.kind == "story" else None
        future = isinstance(date, PartialDate) and date.first_day() > config.today
        if (draft and not options.drafts) or (future and not options.future):
            continue
        body, body_line, body_file = rec.doc.body, rec.doc.body_line, None
        if rec.doc.kind == "alliance" and rec.doc.slug in bodies:
            b = bodies[rec.doc.slug].doc
            body, body_line, body_file = b.body, 1, b.path
        # The document's own lines (kept in the memo's head) unless validation moved things.
        known = rec.doc.lines if rec.positions is rec.doc.positions else {}
        lines = {k: known.get(k) or rec.positions.of_value((k,))[0] or 1
                 for k in MARKDOWN_FIELDS if k in data}
        data, digest = _with_git_date(data, rec.doc.digest, git,
                                      (rec.doc.path, body_file or ""))
        published[key] = (rec.doc.path, data, body, body_line, body_file, digest,
                          draft, future, lines)

    linker = _Linker(report, records, published, options.content_dir,
                     frozenset(a.path for a in assets))
    items: dict[tuple[str, str], Item] = {}
    for key, parts in published.items():
        items[key] = _link_item(linker, records[key], key, parts)

    by_kind: dict[str, list[Item]] = defaultdict(list)
    for item in items.values():
        by_kind[item.record_kind].append(item)

    members: dict[str, list[Membership]] = defaultdict(list)
    memberships: dict[str, list[Membership]] = defaultdict(list)
    for ent in by_kind["enterprise"]:
        for m in ent.get("memberships", ()):
            alliance = items.get(("alliance", m["alliance"]))
            if alliance is not None:
                ms = Membership(ent, alliance, m["role"], m["segment"])
                members[alliance.slug].append(ms)
                memberships[ent.slug].append(ms)

    for alliance in by_kind["alliance"]:
        _check_chain_owner(linker, records[alliance.key], alliance, members[alliance.slug])

    stories_of: dict[tuple[str, str], list[Item]] = defaultdict(list)
    stations_of: dict[str, list[Item]] = defaultdict(list)
    listings_of: dict[tuple[str, str], list[Item]] = defaultdict(list)
    for story in by_kind["story"]:
        for slug in story.get("alliances", ()):
            stories_of[("alliance", slug)].append(story)
        for slug in story.get("enterprises", ()):
            stories_of[("enterprise", slug)].append(story)
    for station in by_kind["station"]:
        for slug in station.get("alliances", ()):
            stations_of[slug].append(station)
    for listing in by_kind["listing"]:
        if listing.get("alliance"):  # absent when it named a draft or invalid alliance
            listings_of[("alliance", listing["alliance"])].append(listing)
        if listing.get("enterprise"):
            listings_of[("enterprise", listing["enterprise"])].append(listing)

    stories = tuple(sorted(by_kind["story"], key=_story_order))
    listings = tuple(sorted(by_kind["listing"], key=_listing_order))
    terms = _collect_terms(by_kind)
    return Model(
        config=config,
        alliances=tuple(sorted(by_kind["alliance"], key=_alliance_order)),
        enterprises=tuple(sorted(by_kind["enterprise"], key=_name_order)),
        stories=stories,
        stations=tuple(sorted(by_kind["station"], key=_name_order)),
        listings=listings,
        pages=tuple(sorted(by_kind["page"], key=_page_order)),
        index=items,
        members={k: _in_order(v, _member_order) for k, v in members.items()},
        memberships={k: _in_order(v, lambda m: _alliance_order(m.alliance))
                     for k, v in memberships.items()},
        stories_of={k: _in_order(v, _story_order) for k, v in stories_of.items()},
        stations_of={k: _in_order(v, _name_order) for k, v in stations_of.items()},
        listings_of={k: _in_order(v, _listing_order) for k, v in listings_of.items()},
        terms={t: tuple(sorted(v, key=lambda term: sort_key(term.name.replace("/", " "))))
               for t, v in terms.items()},
        term_index={(t.taxonomy, t.name): t for v in terms.values() for t in v},
        assets=assets,
        content_dir=options.content_dir,
        unpublished=frozenset(f"{SECTIONS[k]}/{s}/" for (k, s), rec in records.items()
                              if rec.ok and (k, s) not in published),
    )


def _with_git_date(data: Mapping[str, Any], digest: str, git: GitDates,
                   files: tuple[str, str]) -> tuple[Mapping[str, Any], str]:
    """The record's data with `updated` from its files' last commit when it has none, and
    its digest with that date in it: the page memo takes a record's data for a function
    of its file's bytes (item.digest), and a commit changes the date, not the bytes."""
    if data.get("updated") is not None or not git.last:
        return data, digest
    days = [git.last[f] for f in files if f in git.last]
    if not days:
        return data, digest
    day = max(days)
    return {**data, "updated": PartialDate(day.year, day.month, day.day)}, f"{digest}@{day}"


def _in_order(values: list[Any], key: Callable[[Any], Any]) -> tuple[Any, ...]:
    """`values` sorted by `key`; most lists here hold one value (12,000 of the 18,000
    member lists at N=300), which needs no key made."""
    return tuple(values) if len(values) < 2 else tuple(sorted(values, key=key))


def _link_item(linker: _Linker, rec: Validated, record: tuple[str, str],
               parts: tuple[Any, ...]) -> Item:
    """Check a record's references and images, drop links to what is not published, and
    make its Item (`parts`: the Item's other arguments, its data second)."""
    data = dict(parts[1])
    folder = rec.doc.path.rpartition("/")[0]  # '' at the top of content/

    def refs(key: str, kind: str) -> None:
        if key not in data:
            return
        value = data[key]
        if isinstance(value, tuple):
            kept = tuple(s for i, s in enumerate(value) if linker.ref(rec, (key, i), kind, s))
            data[key] = kept
        elif not linker.ref(rec, (key,), kind, value):
            del data[key]

    def image(key: str) -> None:
        if key in data:
            resolved = linker.image(rec, (key,), data[key], folder)
            if resolved is None:
                del data[key]
            else:
                data[key] = resolved

    kind, slug = record
    if kind == "enterprise":
        kept, seen = [], set()
        for i, m in enumerate(data.get("memberships", ())):
            if m["alliance"] in seen:
                file, line, col, key = linker.at(rec, ("memberships", i, "alliance"))
                linker.report.emit("duplicate-membership", file, line, col, key,
                                   value=m["alliance"])
                continue
            seen.add(m["alliance"])
            if linker.ref(rec, ("memberships", i, "alliance"), "alliance", m["alliance"]):
                kept.append(m)
        data["memberships"] = tuple(kept)
        image("logo")
    elif kind == "alliance":
        image("cover")
    elif kind == "story":
        refs("alliances", "alliance")
        refs("enterprises", "enterprise")
        image("cover")
    elif kind == "station":
        refs("alliances", "alliance")
        image("photo")
    elif kind == "listing":
        refs("alliance", "alliance")
        refs("enterprise", "enterprise")
    location = data.get("location")
    if location:
        _check_china(linker, rec, location)
    file, _, body, body_line, body_file, digest, draft, future, lines = parts
    return Item(kind, slug, file, data, body, body_line, body_file, digest, draft, future,
                lines)


def _check_china(linker: _Linker, rec: Validated, location: Mapping[str, Any]) -> None:
    lat, lon = location["lat"], location["lon"]
    if not (CHINA_LAT[0] <= lat <= CHINA_LAT[1] and CHINA_LON[0] <= lon <= CHINA_LON[1]):
        file, line, col, key = linker.at(rec, ("location",))
        linker.report.emit("out-of-china", file, line, col, key, lat=lat, lon=lon)


def _check_chain_owner(linker: _Linker, rec: Validated, alliance: Item,
                       members: list[Membership]) -> None:
    owner = alliance.get("chain_owner")
    if not owner:
        return
    if not linker.ref(rec, ("chain_owner",), "enterprise", owner):
        return
    file, line, col, key = linker.at(rec, ("chain_owner",))
    mine = [m for m in members if m.enterprise.slug == owner]
    if not mine:
        linker.report.emit("chain-owner-not-member", file, line, col, key, value=owner,
                           alliance=alliance.slug)
    elif mine[0].role != "链主":
        linker.report.emit("chain-owner-role", file, line, col, key, value=owner,
                           role=mine[0].role)


def _collect_terms(by_kind: Mapping[str, list[Item]]) -> dict[str, list[Term]]:
    found: dict[str, dict[str, list[Item]]] = {t: defaultdict(list) for t in TAXONOMIES}
    parents: dict[str, str | None] = {}
    for story in by_kind["story"]:
        for tag in story.get("tags", ()):
            found["tags"][tag].append(story)
    for ent in by_kind["enterprise"]:
        for tag in ent.get("tags", ()):
            found["tags"][tag].append(ent)
        if ent.get("industry"):
            found["industries"][ent["industry"]].append(ent)
    for alliance in by_kind["alliance"]:
        for industry in alliance.get("industries", ()):
            found["industries"][industry].append(alliance)
        parent = None
        for path in region_paths(alliance):
            found["regions"][path].append(alliance)
            parents.setdefault(path, parent)
            parent = path
    # Each term lists its items in _mixed_order: ranked once (18,000 keys) rather than
    # keyed again in every term's sort (46,000 at N=300). The order is the same: the key
    # holds the kind and slug, so no two items tie.
    ranked = sorted((it for kind in ("story", "enterprise", "alliance") for it in by_kind[kind]),
                    key=_mixed_order)
    rank = {id(it): n for n, it in enumerate(ranked)}
    out: dict[str, list[Term]] = {}
    for taxonomy, names in found.items():
        slugs = _region_slugs(list(names)) if taxonomy == "regions" else unique_slugs(
            list(names))
        out[taxonomy] = [
            Term(taxonomy, name, slugs[name],
                 tuple(sorted(set(its), key=lambda it: rank[id(it)])),
                 parents.get(name) if taxonomy == "regions" else None)
            for name, its in names.items()
        ]
    return out


def _region_slugs(paths: list[str]) -> dict[str, str]:
    """A region's slug is its own name in pinyin, or its whole path where names repeat."""
    short = {p: term_slug(p.rsplit("/", 1)[-1]) for p in paths}
    counts: dict[str, int] = defaultdict(int)
    for slug in short.values():
        counts[slug] += 1
    wanted = [p if counts[short[p]] > 1 else p.rsplit("/", 1)[-1] for p in paths]
    slugs = unique_slugs(wanted)
    return {p: slugs[w] for p, w in zip(paths, wanted, strict=True)}


# ---- orders ---------------------------------------------------------------------------

def _name_order(item: Item) -> tuple[str, str]:
    return (item.name_key, item.slug)


def _alliance_order(item: Item) -> tuple[int, int, str, str]:
    weight = item.get("weight")
    # Weighted alliances first (lower first), then the rest by name in pinyin order.
    return (0 if weight is not None else 1, weight or 0, item.name_key, item.slug)


def _story_order(item: Item) -> tuple[tuple[int, int, int], str]:
    year, month, day = item["date"].sort_key
    return ((-year, -month, -day), item.slug)


def _listing_order(item: Item) -> tuple[tuple[int, int, int], str]:
    year, month, day = item["posted"].sort_key
    return ((-year, -month, -day), item.slug)


def _page_order(item: Item) -> tuple[int, str]:
    return (item.get("nav_weight", 1_000_000), item.slug)


def _member_order(m: Membership) -> tuple[int, int, str, str]:
    return (SEGMENT_ORDER.index(m.segment), ROLE_ORDER.index(m.role),
            m.enterprise.name_key, m.enterprise.slug)


_SECTION_RANK = {kind: n for n, kind in enumerate(SECTIONS)}


def _mixed_order(item: Item) -> tuple[int, str, str]:
    return (_SECTION_RANK[item.record_kind], item.name_key, item.slug)


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
