"""Render: pure functions from the model to output items (path, bytes). Nothing here writes.

One Jinja environment is built per build, with the site's templates/ in front of the
theme's. Links inside pages are relative to the page, so a site works under any sub-path
(`https://example.gov.cn/dangjian/`) and from a plain folder; canonical URLs, the sitemap
and the feed use absolute URLs from base_url.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import multiprocessing
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import jinja2.bccache
from markupsafe import Markup

from site_builder import __version__
from site_builder.core.dates import PartialDate
from site_builder.core.diagnostics import L, Report
from site_builder.core.outputs import Output
from site_builder.incremental.pages import (
    DepKey,
    Digests,
    ModelView,
    PageEntry,
    PageStore,
    TrackingEnvironment,
    dep_keys,
    digest,
    recording,
    shape,
    source_signature,
    track,
    track_key,
    tracked,
    world_signature,
)
from site_builder.link.model import Item, Model, Term, group_members, member_counts, region_paths
from site_builder.render import feeds
from site_builder.render.charts import stats_chart_svg
from site_builder.render.diagram import chain_svg
from site_builder.render.i18n import FoldTranslations, enum_label, format_number, translate
from site_builder.render.images import ProcessedImages, process_images
from site_builder.render.maps import (
    STATION_TYPE_NAMES,
    MapFragment,
    MapPoint,
    Provider,
    VendorError,
    legend,
    make_point,
    nav_links,
    script_json,
    vendor_files,
)
from site_builder.render.mapshapes import MapMaker
from site_builder.render.markdown import MarkdownRenderer, render_inline
from site_builder.render.opendata import DATA_FILES, open_data
from site_builder.render.outsideimages import content_reader
from site_builder.render.qrcodes import qr_svg
from site_builder.render.tasks import PageTask, source_of

STORIES_PER_PAGE = 10




@dataclass(frozen=True)
class Theme:
    """Where templates and assets come from: the site's own folder first, then the theme."""

    template_dirs: tuple[Path, ...]
    asset_dirs: tuple[Path, ...]
    site_template_dir: Path | None = None


def theme_root() -> Path:
    """The built-in theme: inside the installed package, or the repo's top level."""
    package = Path(__file__).resolve().parent.parent  # site_builder/
    installed = package / "theme"
    return installed if (installed / "templates").is_dir() else package.parent


def find_theme(site_dir: Path) -> Theme:
    root = theme_root()
    site_templates = site_dir / "templates"
    templates = tuple(p for p in (site_templates, root / "templates") if p.is_dir())
    assets = tuple(p for p in (site_dir / "assets", root / "assets") if p.is_dir())
    return Theme(templates, assets, site_templates if site_templates.is_dir() else None)






def pager_window(current: int, count: int, around: int = 2) -> list[int | None]:
    """The page numbers a pager shows: the first, the last, and `around` on each side of
    the current one; None where numbers are left out. Listing every page made each of 300
    listing pages link to all 300 (and a phone's screen show them)."""
    shown = {1, count, *range(max(1, current - around), min(count, current + around) + 1)}
    window: list[int | None] = []
    last = 0
    for k in sorted(shown):
        if k - last == 2 and last:  # a gap of one number: the number takes no more room
            window.append(k - 1)
        elif k - last > 2 and last:
            window.append(None)
        window.append(k)
        last = k
    return window


def relative_root(path: str) -> str:
    """Prefix from the page at `path` to the site root: '' → './', 'a/b/' → '../../'."""
    depth = path.count("/")
    return "../" * depth if depth else "./"


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates kept in memory; Jinja checks each one against its source."""

    def __init__(self) -> None:
        self._store: dict[str, bytes] = {}

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> jinja2.bccache.Bucket:
        # What a template compiles to depends on the language too (translations folded in).
        salt = getattr(environment, "fold_salt", "")
        return super().get_bucket(environment, f"{name}\0{salt}", filename, source)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._store:
            bucket.bytecode_from_string(self._store[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._store[bucket.key] = bucket.bytecode_to_string()

    def compiled(self) -> dict[str, bytes]:
        return self._store

    def remember(self, compiled: Mapping[str, bytes]) -> None:
        """Take templates another process compiled (each is checked against its source
        when used, like any other)."""
        for key, code in compiled.items():
            self._store.setdefault(key, code)


def theme_environment(theme: Theme, lang: str,
                      bytecode_cache: jinja2.BytecodeCache | None = None) -> TrackingEnvironment:
    """The theme's Jinja environment without the site's globals: everything a template's
    compiled code depends on (its settings, filters and folded translations)."""
    env = TrackingEnvironment(
        loader=jinja2.FileSystemLoader([str(p) for p in theme.template_dirs]),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache,
        # One environment per build: templates cannot change meanwhile, so Jinja need
        # not stat every template file on every get_template (three per page).
        auto_reload=False,
    )
    env.fold, env.fold_salt = FoldTranslations(lang), f"t:{lang}"
    env.filters.update(
        date=lambda d: d.format(lang) if isinstance(d, PartialDate) else (d or ""),
        iso=lambda d: str(d) if d else "",
        num=lambda v: format_number(v, lang),
    )
    return env


def asset_url(versions: Mapping[str, str], name: str, root: str) -> str:
    """The URL of asset `name` (under assets/) from a page at `root`, with its version."""
    path = f"assets/{name}"
    version = versions.get(path)
    return root + path + (f"?v={version}" if version else "")


class SiteRenderer:
    """Renders every page of a model. Built once per build."""

    def __init__(self, model: Model, theme: Theme, report: Report,
                 assets: dict[str, str], md_memo: dict[str, str] | None = None,
                 provider: Provider | None = None,
                 images: ProcessedImages | None = None,
                 bytecode_cache: jinja2.BytecodeCache | None = None,
                 map_memo: dict[str, Any] | None = None,
                 related_memo: dict[str, list[list[int] | None]] | None = None) -> None:
        self.model = model
        self.config = model.config
        self.lang = self.config.lang
        self.report = report
        self.theme = theme
        self.asset_versions = assets  # 'assets/site.css' → short content hash
        self.images = images or ProcessedImages({}, {})
        self.bytecode_cache = bytecode_cache
        # Related stories were found by comparing every pair: quadratic at 3,000 stories.
        self._story_index = self._index_stories()
        self._story_signature = digest([(s.slug, sorted(self._story_index[0][s.slug]))
                                        for s in model.stories])
        # The same stories with the same links give the same answer: the preview and the
        # next build (.cache/related.marshal) keep the table of the current stories.
        self._related = related_memo if related_memo is not None else {}
        table = self._related.get(self._story_signature)
        if not isinstance(table, list) or len(table) != len(model.stories):
            self._related.clear()
            self._related[self._story_signature] = [None] * len(model.stories)
        self.known = self._known_paths()
        self._crumbs: dict[str, tuple[str, str]] = {}  # section → its breadcrumb
        # Parts of pages the theme renders once per key (see cached()): HTML and what it read.
        self._fragments: dict[tuple[Any, ...], tuple[Markup, frozenset[Any]]] = {}
        # Paths the navigation can mark as the current page (see nav_key()).
        self._nav_paths = frozenset(
            [e.url.strip("/") for e in self.config.nav]
            + [p.url.strip("/") for p in model.pages if p.get("nav_weight") is not None])
        self.md = MarkdownRenderer(self.known, report, md_memo, self.lang, model.unpublished,
                                   self.config.outside_images,
                                   content_reader(model.content_dir))
        self.env = self._environment()
        self.provider = provider
        self.maps = MapMaker(provider, map_memo) if provider else None
        self.points = self._map_points() if provider else {}

    # ---- environment ------------------------------------------------------------------

    def _environment(self) -> jinja2.Environment:
        env = theme_environment(self.theme, self.lang, self.bytecode_cache)
        lang = self.lang
        env.globals.update(
            cached=self.cached,
            chain_svg=tracked(lambda *a, **k: Markup(chain_svg(*a, **k))),
            stats_chart=tracked(lambda *a, **k: Markup(stats_chart_svg(*a, **k))),
            qr_svg=lambda *a, **k: Markup(qr_svg(*a, **k)),
            t=lambda key, **kw: translate(key, lang, **kw),
            site=self.config,
            model=ModelView(self.model),
            lang=lang,
            html_lang="en" if lang == "en" else "zh-CN",
            enum=lambda value: enum_label(value, lang),
            group_members=group_members,  # reads roles and segments: fingerprinted
            region_paths=tracked(region_paths),
            counts=member_counts(self.model),
        )
        return env

    def _known_paths(self) -> frozenset[str]:
        m = self.model
        paths = {"", "alliances/", "enterprises/", "stories/", "stations/", "listings/",
                 "map/", "search/", "tags/", "industries/", "regions/", "feed.xml",
                 "sitemap.xml"}
        for item in m.index.values():
            paths.add(item.url)
        for terms in m.terms.values():
            paths.update(t.url for t in terms)
        paths.update(a.path for a in m.assets)
        paths.update(DATA_FILES)
        paths.update(self.asset_versions)
        for n in range(2, self._story_pages() + 1):
            paths.add(f"stories/page/{n}/")
        return frozenset(paths)

    def _story_pages(self) -> int:
        return max(1, math.ceil(len(self.model.stories) / STORIES_PER_PAGE))

    # ---- pages ------------------------------------------------------------------------

    def tasks(self) -> Iterator[PageTask]:
        """Every HTML page of the site, in a stable order."""
        m, t = self.model, self._t
        yield PageTask("", "home.html", self.config.title, self.config.description,
                       {"stories": m.stories[:6], "alliances": m.alliances[:6]}, "home")
        yield PageTask("alliances/", "alliances.html", t("nav.alliances"),
                       t("alliances.description"), {"items": m.alliances}, "alliances",
                       ((t("nav.alliances"), "alliances/"),))
        for a in m.alliances:
            yield self._item_task(a, "alliance.html", "alliances", {
                "members": m.members.get(a.slug, ()),
                "stories": m.stories_of.get(("alliance", a.slug), ()),
                "stations": m.stations_of.get(a.slug, ()),
                "listings": m.listings_of.get(("alliance", a.slug), ()),
                "owner": m.get("enterprise", a.get("chain_owner") or ""),
                "region_term": m.region_of(a),
            }, og_type="article")
        yield PageTask("enterprises/", "enterprises.html", t("nav.enterprises"),
                       t("enterprises.description"), {"items": m.enterprises}, "enterprises",
                       ((t("nav.enterprises"), "enterprises/"),))
        for e in m.enterprises:
            yield self._item_task(e, "enterprise.html", "enterprises", {
                "memberships": m.memberships.get(e.slug, ()),
                "stories": m.stories_of.get(("enterprise", e.slug), ()),
                "listings": m.listings_of.get(("enterprise", e.slug), ()),
            })
        yield from self._story_tasks()
        yield PageTask("stations/", "stations.html", t("nav.stations"),
                       t("stations.description"), {"groups": self._stations_by_region()},
                       "stations", ((t("nav.stations"), "stations/"),))
        for s in m.stations:
            yield self._item_task(s, "station.html", "stations",
                                  {"alliances": m.alliances_of_station(s)})
        yield PageTask("listings/", "listings.html", t("nav.listings"),
                       t("listings.description"), {"items": m.listings}, "listings",
                       ((t("nav.listings"), "listings/"),))
        for li in m.listings:
            yield self._item_task(li, "listing.html", "listings", {
                "alliance": m.get("alliance", li.get("alliance") or ""),
                "enterprise": m.get("enterprise", li.get("enterprise") or ""),
            })
        for p in m.pages:
            yield PageTask(p.url, "page.html", p.title, p.get("summary", ""), {"item": p},
                           f"pages/{p.slug}", ((p.title, p.url),), p)
        for taxonomy, terms in m.terms.items():
            name = t(f"taxonomy.{taxonomy}")
            yield PageTask(f"{taxonomy}/", "terms.html", name,
                           t(f"taxonomy.{taxonomy}.description"),
                           {"taxonomy": taxonomy, "terms": terms}, taxonomy,
                           ((name, f"{taxonomy}/"),))
            for term in terms:
                yield self._term_task(term, name)
        yield PageTask("map/", "map.html", t("nav.map"), t("map.description"),
                       {"groups": self._stations_by_region()}, "map",
                       ((t("nav.map"), "map/"),))
        yield PageTask("search/", "search.html", t("search.title"), t("search.description"),
                       {}, "search", ((t("search.title"), "search/"),))
        yield PageTask("404.html", "404.html", t("notfound.title"), t("notfound.description"))

    def _t(self, key: str, **kw: Any) -> str:
        return translate(key, self.lang, **kw)

    def _item_task(self, item: Item, template: str, section: str, values: dict[str, Any],
                   og_type: str = "website") -> PageTask:
        description = str(item.get("summary") or item.get("description") or "")
        crumb = self._crumbs.get(section)
        if crumb is None:
            crumb = self._crumbs[section] = (self._t(f"nav.{section}"), f"{section}/")
        crumbs = (crumb, (item.label, item.url))
        return PageTask(item.url, template, item.title, description,
                        {"item": item, **values}, section, crumbs, item, og_type)

    def _term_task(self, term: Term, taxonomy_name: str) -> PageTask:
        desc = self._t(f"taxonomy.{term.taxonomy}.term", name=term.label)
        by_kind: dict[str, list[Item]] = {}
        for it in term.items:
            by_kind.setdefault(it.record_kind, []).append(it)
        return PageTask(term.url, "term.html", term.label, desc,
                        {"term": term, "by_kind": by_kind}, term.taxonomy,
                        ((taxonomy_name, f"{term.taxonomy}/"), (term.label, term.url)))

    def _story_tasks(self) -> Iterator[PageTask]:
        m, t = self.model, self._t
        pages = self._story_pages()
        for n in range(1, pages + 1):
            chunk = m.stories[(n - 1) * STORIES_PER_PAGE : n * STORIES_PER_PAGE]
            path = "stories/" if n == 1 else f"stories/page/{n}/"
            pager = {
                "number": n, "count": pages,
                "prev": None if n == 1 else ("stories/" if n == 2 else f"stories/page/{n-1}/"),
                "next": None if n == pages else f"stories/page/{n+1}/",
                "pages": [(k, None if k is None else "stories/" if k == 1
                           else f"stories/page/{k}/") for k in pager_window(n, pages)],
            }
            title = t("nav.stories") if n == 1 else t("stories.page", n=n)
            yield PageTask(path, "stories.html", title, t("stories.description"),
                           {"items": chunk, "pager": pager}, "stories",
                           ((t("nav.stories"), "stories/"),))
        for i, s in enumerate(m.stories):
            newer = m.stories[i - 1] if i > 0 else None
            older = m.stories[i + 1] if i + 1 < len(m.stories) else None
            yield self._item_task(s, "story.html", "stories", {
                "newer": newer, "older": older,
                "alliances": [a for a in (m.get("alliance", x) for x in s.get("alliances", ()))
                              if a],
                "enterprises": [e for e in (m.get("enterprise", x)
                                            for x in s.get("enterprises", ())) if e],
                "related": self._related_stories(s, i),
            }, og_type="article")

    def _index_stories(self) -> tuple[dict[str, set[tuple[str, str]]],
                                      dict[tuple[str, str], list[int]]]:
        """Each story's alliances, enterprises and tags, and the stories under each of them."""
        keys = {s.slug: ({("a", x) for x in s.get("alliances", ())}
                         | {("e", x) for x in s.get("enterprises", ())}
                         | {("t", x) for x in s.get("tags", ())})
                for s in self.model.stories}
        stories_by_key: dict[tuple[str, str], list[int]] = {}
        for i, s in enumerate(self.model.stories):
            for key in keys[s.slug]:
                stories_by_key.setdefault(key, []).append(i)
        return keys, stories_by_key

    def _related_stories(self, story: Item, position: int) -> list[Item]:
        """Other stories sharing an alliance, an enterprise or a tag; most shared first."""
        table = self._related[self._story_signature]
        found = table[position]
        if found is None:
            found = table[position] = self._count_related(story, position)
        return [self.model.stories[i] for i in found]

    def _count_related(self, story: Item, position: int) -> list[int]:
        keys, stories_by_key = self._story_index
        shared: dict[int, int] = {}
        for key in keys[story.slug]:
            for i in stories_by_key[key]:
                shared[i] = shared.get(i, 0) + 1
        best = heapq.nsmallest(4, ((-n, i) for i, n in shared.items() if i != position))
        return [i for _, i in best]

    def _stations_by_region(self) -> list[tuple[str, list[Item]]]:
        """Stations grouped by the region of the first alliance they serve."""
        groups: dict[str, list[Item]] = {}
        other = self._t("stations.other_region")
        for s in self.model.stations:
            alliances = self.model.alliances_of_station(s)
            region = alliances[0].get("region") if alliances else None
            name = " ".join(v for v in (region or {}).values() if v) or other
            groups.setdefault(name, []).append(s)
        return sorted(groups.items(), key=lambda kv: (kv[0] == other, kv[0]))

    # ---- rendering --------------------------------------------------------------------

    def render_page(self, task: PageTask) -> tuple[Output | None, list[DepKey] | None]:
        """Render one page and say what it read (None when it reported a problem: such a
        page is rendered again by every build, so its warnings are never lost)."""
        before = len(self.report)
        with recording() as deps:
            track(task.item)
            out = self.render(task)
        clean = out is not None and len(self.report) == before
        return out, dep_keys(deps) if clean else None

    def fingerprint(self, task: PageTask) -> str:
        """Everything about a page's task: what it is and the values handed to its template."""
        return digest((task.path, task.template, task.title, task.description, task.section,
                       task.crumbs, task.og_type, shape(task.item), shape(task.values)))

    def setting_digest(self) -> str:
        """What every page depends on: code, templates, settings, assets, images, map."""
        templates = []
        for folder in self.theme.template_dirs:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    templates.append((str(path), hashlib.sha256(path.read_bytes()).hexdigest()))
        return digest((__version__, shape(self.config), sorted(self.asset_versions.items()),
                       shape(self.images.infos), repr(self.provider), templates,
                       shape(self.env.globals["counts"]), self.lang))

    def render(self, task: PageTask) -> Output | None:
        """Render one page; a template error is reported, not raised."""
        root = self.config.base_path if task.path == "404.html" else relative_root(task.path)
        body_html = self._body_html(task.item, root) if task.item else Markup("")
        footer = render_inline(self.md.render, self.config.footer, file="site.yaml",
                               body_line=self.config.footer_line,
                               root=root) if self.config.footer else ""
        values = {
            **task.values,
            **self._map_values(task, root),
            "page": task,
            "root": root,
            "nav_key": self.nav_key(task),
            "canonical": self.config.absolute("" if task.path == "404.html" else task.path),
            "body_html": body_html,
            "footer_html": Markup(footer),
            "og_image": self._og_image(task.item),
            "json_ld": Markup(script_json(self._json_ld(task))) if task.item else "",
            "url": lambda target: self.url(target, root),
            "asset": lambda name: self.asset_url(name, root),
            "picture": lambda path, alt="", sizes="100vw", cls="", lazy=True: self.picture(
                path, root, alt, sizes, cls, lazy),
            "md": lambda text, item=None, key="description": Markup(
                self._md_field(text, item, root, key)),
        }
        try:
            html = self.env.get_template(task.template).render(values)
        except jinja2.TemplateError as exc:
            self._template_error(exc)
            return None
        return Output(task.file, html.encode("utf-8"), source_of(task))

    def nav_key(self, task: PageTask) -> tuple[str, str]:
        """What the navigation shows differently from page to page: the current section,
        and the page itself when the navigation links to it."""
        path = task.path.strip("/")
        return (task.section, path if path in self._nav_paths else "")

    def cached(self, *key: Any, caller: Callable[[], str]) -> Markup:
        """`{% call cached('masthead', root, nav_key) %}…{% endcall %}`: the block's HTML,
        rendered the first time a page asks for it with this key and reused by the pages
        after it (the masthead and footer are alike on all pages of one depth). A page
        that reuses it still depends on everything the block read."""
        hit = self._fragments.get(key)
        if hit is None:
            with recording() as reads:
                html = Markup(caller())
            hit = self._fragments[key] = (html, frozenset(reads))
        for read in hit[1]:
            track_key(read)  # a record, a term or a key: as it was recorded
        return hit[0]

    # ---- sharing ----------------------------------------------------------------------

    def _og_image(self, item: Item | None) -> str:
        """Absolute URL of the picture shown when a page is shared, if it has one."""
        path = item and (item.get("cover") or item.get("photo") or item.get("logo"))
        if not path:
            return ""
        info = self.images.infos.get(path)
        if info is not None:  # a JPEG/PNG near 1200 px: what chat apps display well
            best = min((v for v in info.variants if v.mime != "image/webp"),
                       key=lambda v: abs(v.width - 1200))
            path = best.path
        return self.config.absolute(path)

    def _json_ld(self, task: PageTask) -> dict[str, Any]:
        """schema.org data: Organization for alliances and members, NewsArticle for stories."""
        item = task.item
        assert item is not None
        url = self.config.absolute(item.url)
        if item.record_kind == "story":
            data: dict[str, Any] = {
                "@context": "https://schema.org", "@type": "NewsArticle",
                "headline": item.title, "description": item.get("summary", ""),
                "datePublished": str(item["date"]), "mainEntityOfPage": url, "url": url,
                "inLanguage": self.config.language,
                "publisher": {"@type": "Organization",
                              "name": self.config.publisher or self.config.title},
            }
            if item.get("author"):
                data["author"] = {"@type": "Person", "name": item["author"]}
        elif item.record_kind in ("alliance", "enterprise"):
            data = {"@context": "https://schema.org", "@type": "Organization",
                    "name": item.title, "url": url,
                    "description": item.get("summary", "")}
            if item.get("short_name"):
                data["alternateName"] = item["short_name"]
            if item.get("website"):
                data["sameAs"] = item["website"]
            region = item.get("region")
            address = (item.get("location") or {}).get("address")
            if region:
                data["address"] = {"@type": "PostalAddress", "addressCountry": "CN",
                                   "addressRegion": region.get("province", ""),
                                   "addressLocality": region.get("city", "")}
            elif address:
                data["address"] = {"@type": "PostalAddress", "addressCountry": "CN",
                                   "streetAddress": address}
        elif item.record_kind == "station":
            data = {"@context": "https://schema.org", "@type": "Place", "name": item.title,
                    "url": url, "address": item["address"],
                    "geo": {"@type": "GeoCoordinates",
                            "latitude": self.points[item.key].wgs[0],
                            "longitude": self.points[item.key].wgs[1]}}
        else:
            data = {"@context": "https://schema.org", "@type": "WebPage", "name": item.title,
                    "url": url}
        image = self._og_image(item)
        if image:
            data["image"] = image
        return data

    # ---- maps -------------------------------------------------------------------------

    def _map_points(self) -> Mapping[tuple[str, str], MapPoint]:
        """One pin per station and per located member, in the provider's datum (each made
        when a page first needs it: a rebuild that renders a few pages makes a few)."""
        assert self.provider is not None
        alliance_index = {a.slug: i for i, a in enumerate(self.model.alliances)}
        sep = ", " if self.lang == "en" else "、"
        provider = self.provider

        def station(s: Item) -> MapPoint:
            return make_point(
                s["location"], provider, kind=STATION_TYPE_NAMES.index(s["type"]),
                name=s.title, url=s.url, address=s.get("address", ""),
                hours=s.get("hours", ""), services=sep.join(s.get("services", ())),
                alliances=tuple(alliance_index[a] for a in s.get("alliances", ())
                                if a in alliance_index))

        def member(e: Item) -> MapPoint:
            return make_point(e["location"], provider, kind=len(STATION_TYPE_NAMES),
                              name=e.title, url=e.url,
                              address=e["location"].get("address", ""))

        makers: dict[tuple[str, str], tuple[Callable[[Item], MapPoint], Item]] = {
            s.key: (station, s) for s in self.model.stations}
        makers.update((e.key, (member, e)) for e in self.model.enterprises
                      if e.get("location"))
        return _LazyPoints(makers)

    def _map_values(self, task: PageTask, root: str) -> dict[str, Any]:
        """The map (and navigation links) of a page that has one."""
        if self.provider is None:
            return {}
        item = task.item
        if task.path == "map/":
            track(self.model.stations, self.model.alliances)
            points = [self.points[s.key] for s in self.model.stations]
            options = {"filter": True, "locate": True, "cluster": True,
                       "alliances": [a.label for a in self.model.alliances]}
            fragment = self._map("all", points, root, options, "map-large",
                                 self.config.map.center, self.config.map.zoom)
            return {"map": fragment, "map_legend": self._legend(points)}
        if item is None or item.record_kind not in ("alliance", "station", "enterprise"):
            return {}
        if item.record_kind == "alliance":
            track(self.model.members.get(item.slug, ()),
                  self.model.stations_of.get(item.slug, ()))
            members = [self.points[m.enterprise.key]
                       for m in self.model.members.get(item.slug, ())
                       if m.enterprise.key in self.points]
            stations = [self.points[s.key] for s in self.model.stations_of.get(item.slug, ())]
            points = stations + members
            if not points:
                return {}
            options = {"filter": True, "locate": False, "cluster": len(points) > 30}
            fragment = self._map(item.slug, points, root, options, "map-medium")
            return {"map": fragment, "map_legend": self._legend(points)}
        point = self.points.get(item.key)
        if point is None:
            return {}
        options = {"filter": False, "locate": False, "cluster": False, "zoom": 15}
        fragment = self._map(item.slug, [point], root, options, "map-small")
        return {"map": fragment, "map_legend": self._legend([point]), "nav": nav_links(point)}

    def _map(self, name: str, points: list[MapPoint], root: str, options: dict[str, Any],
             size: str, center: tuple[float, float] | None = None,
             zoom: int | None = None) -> MapFragment:
        assert self.provider is not None
        labels = {key: self._t(f"map.{key}") for key in (
            "address", "hours", "services", "navigate", "amap", "baidu", "filter", "types",
            "alliances", "locate", "locating", "nearest", "locateFailed", "shown", "review",
            "region")}
        options = {**options, "labels": labels, "root": root,
                   "legend": legend(self.lang, True),
                   "stationKinds": len(STATION_TYPE_NAMES), "statusId": f"{name}-status"}
        assert self.maps is not None
        return self.maps.build(name.replace("-", "_"), points,
                               lambda asset: self.asset_url(asset, root), options, center,
                               zoom, size)

    def _legend(self, points: list[MapPoint]) -> dict[str, Any]:
        """What the page shows around the map: legend, credits and review number."""
        assert self.provider is not None
        full = legend(self.lang, True)
        # HTML: built-in attributions are ours (with links), a custom one escaped text.
        credits = Markup(self.provider.layers[0].attribution)
        return {"entries": [full[k] for k in sorted({p.kind for p in points})],
                "credits": credits, "review": self.provider.review_number}

    def url(self, target: Any, root: str) -> str:
        """A relative link from the current page to an item, a term or a site path."""
        if isinstance(target, Item | Term):
            return root + target.url
        text = str(target)
        if text.startswith(("http://", "https://", "mailto:", "tel:", "#")):
            return text
        return root + text.lstrip("/")

    def picture(self, path: str, root: str, alt: str, sizes: str, cls: str,
                lazy: bool) -> Markup:
        """A <picture> with WebP and fallback widths; plain <img> for SVG."""
        loading = ' loading="lazy"' if lazy else ""
        info = self.images.infos.get(path)
        if info is None:
            return Markup('<img src="{}" alt="{}" class="{}"{} decoding="async">').format(
                root + path, alt, cls, Markup(loading))
        webp = ", ".join(f"{root}{v.path} {v.width}w" for v in info.variants
                         if v.mime == "image/webp")
        fallback = ", ".join(f"{root}{v.path} {v.width}w" for v in info.variants
                             if v.mime != "image/webp")
        return Markup(
            '<picture><source type="image/webp" srcset="{}" sizes="{}">'
            '<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" class="{}"'
            '{} decoding="async"></picture>').format(
            webp, sizes, root + info.src, fallback, sizes, info.width, info.height, alt, cls,
            Markup(loading))

    def asset_url(self, name: str, root: str) -> str:
        return asset_url(self.asset_versions, name, root)

    def _body_html(self, item: Item, root: str) -> Markup:
        if not item.body:
            return Markup("")
        file = item.body_file or item.file
        folder = str(PurePosixPath(file).parent)
        return Markup(self.md.render(item.body, file=file, body_line=item.body_line,
                                     folder="" if folder == "." else folder, root=root))

    def _md_field(self, text: str | None, item: Item | None, root: str, key: str) -> str:
        if not text:
            return ""
        file = item.file if item else ""
        folder = str(PurePosixPath(file).parent) if item else ""
        line = item.lines.get(key, 1) if item else 1
        return self.md.render(str(text), file=file, body_line=line, folder=folder, root=root)

    def _template_error(self, exc: jinja2.TemplateError) -> None:
        name = getattr(exc, "filename", None) or getattr(exc, "name", None) or "templates"
        line = getattr(exc, "lineno", None)
        shown = str(name)
        site_dir = self.theme.site_template_dir
        if site_dir and shown.startswith(str(site_dir)):
            shown = "../templates/" + Path(shown).relative_to(site_dir).as_posix()
        self.report.emit("template-error", shown, line, None, "",
                         problem=L(str(exc.message or exc), str(exc.message or exc)))


# Below this many pages, starting processes costs more than it saves.
PARALLEL_MIN_PAGES = 400
_CHUNK = 64


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


# The renderer a forked worker inherited from its parent (set once per worker process),
# its tasks, and the stage folder it writes new pages into itself (a first build) or "".
_worker_renderer: list[SiteRenderer] = []
_worker_tasks: list[list[PageTask]] = []
_worker_direct: list[tuple[str, str]] = []  # and the stage's twin ("" for none)

Rendered = tuple[Output | None, list[DepKey] | None]


def _init_worker(renderer: SiteRenderer, tasks: list[PageTask],
                 direct: tuple[str, str]) -> None:
    _worker_renderer.append(renderer)
    _worker_tasks.append(tasks)
    _worker_direct.append(direct)
    renderer.report = Report()  # collect this worker's problems apart, to send them back


def _render_chunk(bounds: tuple[int, int]) -> tuple[
        list[Rendered], list[int], list[Any], dict[str, Any], dict[str, Any]]:
    renderer, tasks, (direct, twin) = _worker_renderer[0], _worker_tasks[0], _worker_direct[0]
    start = len(renderer.report)
    renderer.md.added.clear()
    shapes = renderer.maps.added if renderer.maps else {}
    shapes.clear()
    done = [renderer.render_page(t) for t in tasks[bounds[0]:bounds[1]]]
    # Pages written here are sent back without their bytes (size >= 0); the parent stages
    # the others, and any this process could not write (something in the way).
    sizes = [-1] * len(done)
    if direct:
        from site_builder.write.writer import link_new, write_new

        folders: set[str] = set()
        twins: set[str] = set()
        for n, (out, deps) in enumerate(done):
            if out is None or out._data is None:
                continue
            target = f"{direct}/{out.path}"
            try:
                written = write_new(target, out._data, folders)
            except OSError:
                written = False  # the parent tries again, and reports what fails
            if written:
                if twin and not link_new(target, f"{twin}/{out.path}", twins):
                    twin = ""  # a partial twin will do (the next build lists it)
                    _worker_direct[0] = (direct, twin)
                sizes[n] = len(out._data)
                done[n] = (Output(out.path, None, out.source, origin=f"{direct}/{out.path}"),
                           deps)
    problems = list(renderer.report.items[start:]) if len(renderer.report) > start else []
    # The parent keeps the memo of Markdown and map shapes (and saves it in .cache/).
    return done, sizes, problems, dict(renderer.md.added), dict(shapes)


def _render_parallel(renderer: SiteRenderer, tasks: list[PageTask], jobs: int,
                     progress: Callable[[list[Rendered], list[int]], None],
                     direct: tuple[str, str] = ("", "")) -> list[Rendered]:
    """Render pages in forked processes; the model is inherited, never pickled."""
    chunks = [(i, min(i + _CHUNK, len(tasks))) for i in range(0, len(tasks), _CHUNK)]
    ctx = multiprocessing.get_context("fork")
    rendered: list[Rendered] = []
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(renderer, tasks, direct)) as pool:
        # imap keeps the order of chunks, so the output order is the serial one.
        for done, sizes, problems, markdown, shapes in pool.imap(_render_chunk, chunks):
            rendered.extend(done)
            renderer.report.extend(problems)
            for key, value in markdown.items():
                renderer.md.remember(key, value)
            if renderer.maps is not None:
                renderer.maps.remember(shapes)
            progress(done, sizes)
    return rendered


class _LazyPoints(Mapping[tuple[str, str], MapPoint]):
    """Map points by item key, each made on first use."""

    def __init__(self, makers: dict[tuple[str, str],
                                    tuple[Callable[[Item], MapPoint], Item]]) -> None:
        self._makers = makers
        self._made: dict[tuple[str, str], MapPoint] = {}

    def __getitem__(self, key: tuple[str, str]) -> MapPoint:
        point = self._made.get(key)
        if point is None:
            make, item = self._makers[key]
            point = self._made[key] = make(item)
        return point

    def __contains__(self, key: object) -> bool:
        return key in self._makers

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


def asset_outputs(theme: Theme) -> list[Output]:
    """Theme assets, each overridden by a site asset with the same name."""
    found: dict[str, Path] = {}
    for folder in reversed(theme.asset_dirs):  # theme first, then the site's on top
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_file() and not any(p.startswith(".") for p in rel.split("/")):
                found[rel] = path
    return [Output(f"assets/{rel}", found[rel].read_bytes()) for rel in sorted(found)]


def content_outputs(model: Model, images: ProcessedImages) -> list[Output]:
    """Media and alliance files at the same place under the output (huge images shrunk),
    then the image variants."""
    out = [Output(a.path, images.files.get(a.path) or a.abspath.read_bytes())
           for a in model.assets]
    assets = {a.path for a in model.assets}
    out += [Output(path, data) for path, data in sorted(images.files.items())
            if path not in assets]
    return out


def vendor_outputs(report: Report) -> list[Output]:
    """Leaflet and its cluster plugin, served from the site (never from a CDN)."""
    try:
        return [Output(f"assets/vendor/{rel}", data) for rel, data in vendor_files()]
    except VendorError as exc:
        report.emit("vendor-integrity", None, problem=L(str(exc), str(exc)))
        return []


def version_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:10]


def render_site(model: Model, theme: Theme, report: Report, provider: Provider,
                progress: Callable[[int, int], None] | None = None,
                md_memo: dict[str, Any] | None = None, jobs: int = 1,
                image_cache: Path | None = None,
                bytecode_cache: jinja2.BytecodeCache | None = None,
                store: PageStore | None = None,
                sink: Callable[[Output], None] | None = None,
                map_memo: dict[str, Any] | None = None,
                related_memo: dict[str, Any] | None = None,
                before_fork: Callable[[], None] | None = None,
                direct: tuple[str, str, Callable[[Output, int], None]] | None = None,
                same_tasks: bool = False) -> list[Output]:
    """Render the whole site to output items: pages, feeds, assets, media.

    With a `store`, a page whose inputs are all as they were last time is taken from there
    instead of rendered again, and `store.pending` says what this build's pages read.
    `sink` is given each page (as soon as it is ready when workers render: the writer
    stages it meanwhile); `before_fork` is called before render workers are forked.
    With `direct` (a folder, its twin or "", and what to tell of each page written there),
    render workers write new pages into that folder themselves (and hard-link each into
    the twin), and `sink` gets only the others.
    `same_tasks` says that no record's data changed since the build the store describes
    (its world being this one's): each page's task, hence its fingerprint, is as it was.
    """
    assets = asset_outputs(theme) + vendor_outputs(report)
    versions = {o.path: version_of(o.data) for o in assets}
    images = process_images((a.path for a in model.assets), model.content_dir, image_cache)
    renderer = SiteRenderer(model, theme, report, versions, md_memo, provider, images,
                            bytecode_cache, map_memo, related_memo)
    tasks = list(renderer.tasks())
    setting = (store.setting_prefix() if store else "") + renderer.setting_digest()
    previous = store.memo.lookup(setting) if store else {}
    world = world_signature(model) if store is not None else ""
    signatures = ({item.key: source_signature(item) for item in model.index.values()}
                  if store is not None else {})
    known = store.memo if store is not None and previous and store.memo.world == world else None
    digests = Digests(model, renderer.md.find, known, signatures, same_tasks)
    changed = digests.changed(store.memo) if previous and store else set()
    pages: list[Output | None] = [None] * len(tasks)
    if store is not None and known is not None and same_tasks:
        # Tasks are made of the records' data only (bodies are read by templates, and
        # recorded as the pages' deps): 10 µs a page not spent (0.19 s at N=300).
        fingerprint = renderer.fingerprint
        fingerprints = [e.fingerprint if (e := previous.get(t.file)) is not None
                        else fingerprint(t) for t in tasks]
        if os.environ.get("SITE_BUILDER_VERIFY_REUSE"):  # the tests' check of the claim
            made = [fingerprint(t) for t in tasks]
            if made != fingerprints:
                wrong = next(t.file for t, a, b in zip(tasks, made, fingerprints, strict=True)
                             if a != b)
                raise AssertionError(f"same_tasks, but the task of {wrong} changed")
    else:
        fingerprints = [renderer.fingerprint(t) for t in tasks] if store else []
    todo: list[int] = []
    # The loop every page of a rebuild goes through (18,600 at N=300): lookups bound once.
    get, fetch, unchanged = previous.get, store.fetch if store else None, changed.isdisjoint
    for n, task in enumerate(tasks):
        file = task.file
        entry = get(file)
        if (fetch is not None and entry is not None and entry.fingerprint == fingerprints[n]
                and unchanged(entry.deps)):
            page = fetch(file, entry)
            if page is not None:
                page.source = source_of(task)
                pages[n] = page
                continue
        todo.append(n)
    if store is not None:
        store.reused = len(tasks) - len(todo)

    done = len(tasks) - len(todo)
    todo_tasks = [tasks[n] for n in todo]
    parallel = jobs > 1 and len(todo_tasks) >= PARALLEL_MIN_PAGES and _can_fork()
    # With workers, this process stages pages while they render. Without, the few pages
    # are rendered first and staged after: the stage may still be being copied from
    # output/ (a first rebuild), and is waited for as late as possible.
    early = sink if parallel else None
    if early is not None:
        for page in pages:
            if page is not None:
                early(page)

    def advance(finished: list[Rendered], sizes: list[int] | None = None) -> None:
        nonlocal done
        done += len(finished)
        if early is not None:
            for n, (out, _) in enumerate(finished):
                if out is None:
                    continue
                if sizes is not None and sizes[n] >= 0 and direct is not None:
                    direct[2](out, sizes[n])  # a worker wrote it
                else:
                    early(out)
        if progress is not None:
            progress(min(done, len(tasks)), len(tasks))

    if parallel:
        if before_fork is not None:
            before_fork()
        rendered = _render_parallel(renderer, todo_tasks, jobs, advance,
                                    direct[:2] if direct is not None else ("", ""))
    else:
        rendered = []
        for task in todo_tasks:
            rendered.append(renderer.render_page(task))
            advance(rendered[-1:])
    for n, (out, _) in zip(todo, rendered, strict=True):
        pages[n] = out
    if sink is not None and early is None:
        for page in pages:
            if page is not None:
                sink(page)
    if store is not None:
        # The reused pages' keys are unchanged, so the table carries over with their numbers;
        # the rendered pages' keys are numbered (and their digests taken) as they are now.
        pending = store.memo.successor(
            setting, digests.table_now(store.memo) if previous else [], world, signatures)
        number, of = pending.number, digests.of
        for n, (out, deps) in zip(todo, rendered, strict=True):
            if out is not None and deps is not None:
                pending.entries[tasks[n].file] = PageEntry(
                    fingerprints[n], tuple(number(k, of(k)) for k in deps))
        todo_set = set(todo)
        entries = pending.entries
        for n, task in enumerate(tasks):
            if n not in todo_set:
                file = task.file
                entries[file] = previous[file]
        store.pending = pending
    outputs = [o for o in pages if o is not None]
    # Files made of the records' data alone (no body): with the same tasks (see above),
    # those of the last build, linked from output/ (0.05 s at N=300).
    same = store is not None and known is not None and same_tasks
    sitemap = _kept(store, previous, ("sitemap.xml",)) if same else None
    # The search page is noindex: it stays out of the sitemap like the 404 page.
    outputs.extend(feeds.feed_outputs(model, [t for t in tasks
                                              if t.path not in ("404.html", "search/")],
                                      renderer.md, sitemap[0] if sitemap else None))
    if store is not None and not sitemap:
        assert store.pending is not None
        store.pending.entries["sitemap.xml"] = PageEntry("sitemap", ())
    outputs.extend(assets)
    outputs.extend(content_outputs(model, images))
    data = _kept(store, previous, DATA_FILES) if same else None
    outputs.extend(data or _open_data(model, digests, store, previous))
    if (sitemap or data) and os.environ.get("SITE_BUILDER_VERIFY_REUSE"):  # tests' check
        made = {"sitemap.xml": feeds.sitemap(model, [t for t in tasks if t.path not in (
            "404.html", "search/")]).encode("utf-8"), **dict(open_data(model))}
        for kept in (sitemap or []) + (data or []):
            if kept.data != made[kept.path]:
                raise AssertionError(f"same_tasks, but {kept.path} changed")
    return outputs


def _kept(store: PageStore | None, previous: Mapping[str, PageEntry],
          paths: Sequence[str]) -> list[Output] | None:
    """The last build's files at `paths`, carried into this build's memo; None unless all
    are still there as written."""
    if store is None or store.pending is None:
        return None
    entries = [previous.get(path) for path in paths]
    found = [store.fetch(path, e) for path, e in zip(paths, entries, strict=True)
             if e is not None]
    if len(found) != len(paths) or any(o is None for o in found):
        return None
    store.pending.entries.update(
        (path, e) for path, e in zip(paths, entries, strict=True) if e is not None)
    return found


_OPEN_DATA_MEMO: dict[str, list[tuple[str, bytes]]] = {}


def _open_data(model: Model, digests: Digests, store: PageStore | None,
               previous: Mapping[str, PageEntry]) -> list[Output]:
    """The open-data files, made again only when a station, alliance or member changed.

    A build keeps them in the page memo like pages (their key as the fingerprint), so the
    next one links them from output/ instead of writing 10,000 rows again."""
    key = digest((shape(model.config), [(i.record_kind, i.slug, digests.of(("i", *i.key)))
                                        for i in (*model.stations, *model.alliances,
                                                  *model.enterprises)]))
    if store is not None:
        assert store.pending is not None
        kept = [(path, previous.get(path)) for path in DATA_FILES]
        if all(e is not None and e.fingerprint == key for _, e in kept):
            found = [store.fetch(path, e) for path, e in kept if e is not None]
            if all(o is not None for o in found):
                store.pending.entries.update((p, e) for p, e in kept if e is not None)
                return found
        store.pending.entries.update((path, PageEntry(key, ())) for path in DATA_FILES)
    if key not in _OPEN_DATA_MEMO:
        _OPEN_DATA_MEMO.clear()
        _OPEN_DATA_MEMO[key] = list(open_data(model))
    return [Output(path, data) for path, data in _OPEN_DATA_MEMO[key]]
