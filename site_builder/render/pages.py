"""Render: pure functions from the model to output items (path, bytes). Nothing here writes.

One Jinja environment is built per build, with the site's templates/ in front of the
theme's. Links inside pages are relative to the page, so a site works under any sub-path
(`https://example.gov.cn/dangjian/`) and from a plain folder; canonical URLs, the sitemap
and the feed use absolute URLs from base_url.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import jinja2.bccache
from markupsafe import Markup

from site_builder.core.cachefile import code_stamp
from site_builder.core.diagnostics import L, Report
from site_builder.core.outputs import Output
from site_builder.incremental.deps import (
    DepKey,
    ModelView,
    dep_keys,
    recording,
    track,
    track_key,
    tracked,
)
from site_builder.incremental.digests import (
    digest,
    shape,
)
from site_builder.incremental.pages import PageStore
from site_builder.link.model import Item, Model, Term, group_members, member_counts, region_paths
from site_builder.render.charts import stats_chart_svg
from site_builder.render.diagram import chain_svg
from site_builder.render.i18n import enum_label, translate
from site_builder.render.images import ProcessedImages
from site_builder.render.inspection import inspection_meta
from site_builder.render.maps import (
    Provider,
    script_json,
)
from site_builder.render.mapshapes import MapMaker
from site_builder.render.markdown import MarkdownRenderer, render_inline
from site_builder.render.opendata import DATA_FILES
from site_builder.render.outsideimages import content_reader
from site_builder.render.pagemaps import PageMaps
from site_builder.render.plan import STORIES_PER_PAGE, PagePlanner
from site_builder.render.qrcodes import qr_svg
from site_builder.render.sharing import PageSharing
from site_builder.render.tasks import PageTask, source_of
from site_builder.render.theme import (
    Theme,
    asset_url,
    theme_environment,
)


def relative_root(path: str) -> str:
    """Prefix from the page at `path` to the site root: '' → './', 'a/b/' → '../../'."""
    depth = path.count("/")
    return "../" * depth if depth else "./"


class SiteRenderer(PagePlanner, PageSharing, PageMaps):
    """Renders every page of a model. Built once per build."""

    def __init__(self, job: RenderJob, assets: dict[str, str],
                 images: ProcessedImages | None = None) -> None:
        model, report, provider = job.model, job.report, job.provider
        md_memo, map_memo, related_memo = job.markdown, job.maps, job.related
        self.model = model
        self.config = model.config
        self.lang = self.config.lang
        self.report = report
        self.theme = job.theme
        self.asset_versions = assets  # 'assets/site.css' → short content hash
        self.images = images or ProcessedImages({}, {})
        self.bytecode_cache = job.templates
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
        return digest((code_stamp(), shape(self.config), sorted(self.asset_versions.items()),
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
            **inspection_meta(task, self.config, self._t),
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




@dataclass(frozen=True)
class RenderJob:
    """What render_site needs: the model and theme, and the memos and hooks of this build."""

    model: Model
    theme: Theme
    report: Report
    provider: Provider | None
    progress: Callable[[int, int], None] | None = None
    markdown: dict[str, Any] | None = None  # Markdown HTML by key (MarkdownMemo on disk)
    jobs: int = 1
    image_cache: Path | None = None
    templates: jinja2.BytecodeCache | None = None
    store: PageStore | None = None  # the page memo
    sink: Callable[[Output], None] | None = None
    maps: dict[str, Any] | None = None  # map shapes
    related: dict[str, Any] | None = None  # related stories
    before_fork: Callable[[], None] | None = None
    same_tasks: bool = False
