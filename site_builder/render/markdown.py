"""Render Markdown to HTML, rewriting and checking site links and images.

Editors write site links as they appear on the site (`/alliances/x/`, `/media/a.jpg`); the
output uses paths relative to the page so the site works under any sub-path and from a
plain folder. A link to a page or file that does not exist is reported with its line.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Set
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import markdown as md
import nh3
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.treeprocessors import Treeprocessor

from site_builder.core import cachefile
from site_builder.core.diagnostics import Diagnostic, Report, Severity, closest
from site_builder.incremental.deps import track_key
from site_builder.link.linker import resolve_content_path
from site_builder.load.sources import IMAGE_SUFFIXES
from site_builder.render.markdown_subset import subset_html
from site_builder.render.mdlimits import MAX_SUGGESTIONS, ParagraphBudget, render_bounded
from site_builder.render.outsideimages import file_column, locate, outside_url, shorten

MARKDOWN_MEMO_FILE = "markdown.marshal"  # markdown-00.marshal … markdown-15.marshal
# Part of every memo key: bump when the HTML made from the same text changes.
MARKDOWN_VERSION = f"{md.__version__}-{nh3.__version__ if hasattr(nh3, '__version__') else ''}-3"

# Links into the site, as an editor writes them: '/alliances/x/' or '/media/a.png#x'.
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")

# What editors' Markdown may produce, raw HTML included. Everything else is removed: no
# script, event handler, javascript:/data: URL, iframe, object, form or style survives.
SAFE_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})
SAFE_ATTRIBUTES = {
    "*": {"id", "title", "lang"},
    "a": {"href", "class"},  # class: footnote links
    "img": {"src", "alt", "width", "height", "loading", "decoding"},
    "td": {"colspan", "rowspan", "style"}, "th": {"colspan", "rowspan", "style", "scope"},
    "table": {"class"}, "div": {"class"}, "sup": {"class"}, "ol": {"start"},
    "abbr": {"title"}, "code": {"class"},
}
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})


def sanitize(html: str, check: LinkCheck | None = None) -> str:
    """Keep only safe HTML: the allowlist above; styles limited to table alignment.

    With a LinkCheck, site links in editors' raw HTML (<a href="/alliances/x/">) are checked
    and made relative like Markdown links, or they would break under a sub-path.
    """

    def site_links(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "style" and "url(" in value.lower():
            # Only text-align survives in a style, and it takes no url(): such a style is
            # nonsense at best, a request to another site if the allowlist ever grows.
            return None
        if tag == "img" and attribute == "src" and outside_url(value):
            # Every image of the text passes here, Markdown's and raw HTML's alike (those
            # we made absolute ourselves, for the feed, are the site's own).
            if check is not None and value not in check.written:
                check.outside_image(value)
            return value
        if check is not None and attribute in ("href", "src") and value.startswith("/") and (
                not value.startswith("//")) and value not in check.written:
            return check.resolve(value, image=tag == "img")
        return value

    return nh3.clean(html, tags=set(SAFE_TAGS), attributes=SAFE_ATTRIBUTES,
                     url_schemes=set(SAFE_SCHEMES), link_rel=None, attribute_filter=site_links,
                     clean_content_tags={"script", "style", "iframe", "object", "embed",
                                         "template", "noscript", "textarea", "select"},
                     filter_style_properties={"text-align"})


def find_path(known: Set[str], target: str | None) -> str | None:
    """The known site path a link to `target` means, if any."""
    if target is None:
        return None
    if target in known:
        return target
    if target + "/" in known:  # '/alliances/x' written without the last slash
        return target + "/"
    if target.endswith("index.html") and target[: -len("index.html")] in known:
        return target[: -len("index.html")]
    return None


@dataclass
class LinkCheck:
    """The site's known addresses and where found problems go."""

    known: Set[str]  # site-relative: 'alliances/x/', 'media/a.png'
    unpublished: Set[str] = frozenset()  # pages of drafts and future stories
    report: Report | None = None
    file: str = ""
    body: str = ""
    body_line: int = 1
    folder: str = ""  # content folder of the source, for relative image paths
    root: str = "./"  # prefix from the page to the site root
    links: list[str] = field(default_factory=list)
    written: set[str] = field(default_factory=set)  # URLs this check already produced
    probes: list[tuple[str, str | None]] = field(default_factory=list)  # (target, found)
    outside_images: str = "error"  # or "warn" (site.yaml outside_images)
    source: Callable[[str], str | None] | None = None  # reads a content file, for columns
    searched: dict[str, int] = field(default_factory=dict)  # where to look for a URL next
    suggestions: dict[str, str | None] = field(default_factory=dict)  # by broken link

    def line_of(self, url: str) -> int | None:
        index = self.body.find(url)
        if index < 0:
            return None
        return self.body_line + self.body.count("\n", 0, index)

    def outside_image(self, url: str) -> None:
        """Report an image from another site at its line and column (each occurrence at
        its own: the sanitizer meets the images in the order of the text)."""
        if self.report is None:
            return
        found = locate(self.body, self.body_line, url, self.searched.get(url, 0))
        line, col = self.body_line, None
        if found is not None:
            line, col, self.searched[url], written = found
            col = file_column(self.source(self.file) if self.source else None, line, col,
                              written)
        severity = Severity.WARNING if self.outside_images == "warn" else None
        self.report.add(Diagnostic("outside-image", self.file, line, col, "",
                                   {"value": shorten(url.strip())}, severity))

    def resolve(self, url: str, *, image: bool) -> str:
        """Return the URL to write into the page for `url` found in the text."""
        if not url or url.startswith("#") or _SCHEME.match(url) or url.startswith("//"):
            return url
        path, sep, fragment = url.partition("#")
        path, qsep, query = path.partition("?")
        if path.startswith("/"):
            target = resolve_content_path(path, "")
        elif image or "." in path.rsplit("/", 1)[-1]:
            # Relative file references (photo.jpg beside alliance.yaml) resolve from the
            # source's own folder; relative page links are left as written.
            target = resolve_content_path(path, self.folder)
        else:
            return url
        found = self._find(target)
        self.probes.append((target or "", found))
        if found is None:
            draft = self._find(target, self.unpublished)
            if draft is None:
                self._complain(url, target)
                return url
            if self.report is not None:
                self.report.emit("draft-link", self.file, self.line_of(url), None, "", value=url)
            found = draft
        if image and PurePosixPath(found).suffix.lower() not in IMAGE_SUFFIXES and (
                self.report is not None):
            # A PDF or a HEIC photo in an image's place is copied and linked, and shows
            # nowhere: an error here as in a cover or a logo (link.linker.image).
            self.report.emit("not-an-image", self.file, self.line_of(url), None, "",
                             value=url)
        self.links.append(found)
        result = self.root + found + (qsep + query if qsep else "") + (
            sep + fragment if sep else "")
        self.written.add(result)
        return result

    def _find(self, target: str | None, among: Set[str] | None = None) -> str | None:
        return find_path(self.known if among is None else among, target)

    def _complain(self, url: str, target: str | None) -> None:
        if self.report is None:
            return
        # The sanitizer resolves a broken link again: its search is not repeated, and only
        # a text's first few broken links are searched for (mdlimits.MAX_SUGGESTIONS).
        if url not in self.suggestions and len(self.suggestions) < MAX_SUGGESTIONS:
            self.suggestions[url] = closest(target or url, sorted(self.known), cutoff=0.75)
        suggestion = self.suggestions.get(url)
        code = "dangling-link" if suggestion else "dangling-link-nosuggest"
        self.report.emit(code, self.file, self.line_of(url), None, "",
                         value=url, suggestion="/" + suggestion if suggestion else "")


class _LinkRewriter(Treeprocessor):
    def __init__(self, md_instance: md.Markdown, holder: list[LinkCheck]) -> None:
        super().__init__(md_instance)
        self.holder = holder

    def run(self, root: ET.Element) -> None:
        check = self.holder[0]
        for el in root.iter():
            if el.tag == "a" and el.get("href") is not None:
                el.set("href", check.resolve(el.get("href", ""), image=False))
            elif el.tag == "img" and el.get("src") is not None:
                el.set("src", check.resolve(el.get("src", ""), image=True))
                el.set("loading", "lazy")
                el.set("decoding", "async")
            elif el.tag == "table":
                el.set("class", "table")


class _SiteLinks(Extension):
    def __init__(self, holder: list[LinkCheck]) -> None:
        super().__init__()
        self.holder = holder

    def extendMarkdown(self, md_instance: md.Markdown) -> None:
        md_instance.treeprocessors.register(_LinkRewriter(md_instance, self.holder),
                                            "site_links", 1)


class MarkdownRenderer:
    """One Markdown converter reused for every text (a new one per page costs 7 %)."""

    def __init__(self, known: Set[str], report: Report | None = None,
                 memo: dict[str, Any] | None = None, lang: str = "zh",
                 unpublished: Set[str] = frozenset(), outside_images: str = "error",
                 source: Callable[[str], str | None] | None = None) -> None:
        self._holder: list[LinkCheck] = [LinkCheck(known)]
        self._known = known
        self._unpublished = unpublished
        self._report = report
        self._outside_images = outside_images
        self._source = source
        self._memo = memo if memo is not None else {}
        self.added: dict[str, Any] = {}  # new memo entries (a render worker sends them back)
        self._lang = lang
        self._converter: md.Markdown | None = None

    @property
    def _md(self) -> md.Markdown:
        # Made on first use (18 ms, loading its extensions): a rebuild's few texts mostly
        # take the shortcut or come from the memo and never need it.
        if self._converter is None:
            self._converter = md.Markdown(
                extensions=["tables", "fenced_code", "footnotes", "sane_lists", "toc",
                            _SiteLinks(self._holder), ParagraphBudget()],
                extension_configs={
                    "toc": {"slugify": slugify_unicode, "permalink": False},
                    "footnotes": {"BACKLINK_TITLE": "Back to note %d in the text"
                                  if self._lang == "en" else "返回正文第 %d 处注释"},
                },
                output_format="html",
            )
        return self._converter

    def render(self, text: str, *, file: str = "", body_line: int = 1, folder: str = "",
               root: str = "./") -> str:
        """Convert `text`; problems are reported against `file` at their line."""
        if not text or not text.strip():
            return ""
        # Most texts need neither Python-Markdown nor the sanitizer (see markdown_subset);
        # they have no links, so nothing to check or remember either.
        html = plain_paragraphs(text)
        if html is None:
            html = subset_html(text)
        if html is not None:
            return html
        key = hashlib.sha256(f"{MARKDOWN_VERSION}\0{self._lang}\0{root}\0{folder}\0{text}"
                             .encode()).hexdigest()
        # A memo hit must still report broken links, so only problem-free results are kept,
        # and a hit counts only while every site link in it resolves as it did.
        hit = self._memo.get(key)
        if hit is not None and all(self.find(t) == f for t, f in hit[1]):
            for target, _ in hit[1]:
                track_key(("l", target))
            return str(hit[0])
        check = LinkCheck(self._known, self._unpublished, self._report, file, text, body_line,
                          folder, root, outside_images=self._outside_images,
                          source=self._source)
        problems_before = self._problems()
        # A text Python-Markdown would take seconds or gigabytes for is refused (mdlimits).
        html = render_bounded(lambda: self.python_markdown(text, check), text, self._report,
                              file, body_line)
        for target, _ in check.probes:
            track_key(("l", target))
        if self._problems() == problems_before:
            self._memo[key] = self.added[key] = (html, tuple(check.probes))
        return html

    def python_markdown(self, text: str, check: LinkCheck | None = None) -> str:
        """`text` through Python-Markdown and the sanitizer: the HTML every shortcut here
        must equal."""
        self._holder[0] = check if check is not None else LinkCheck(self._known)
        self._md.reset()
        return sanitize(self._md.convert(text), check)

    def remember(self, key: str, value: Any) -> None:
        """Keep a result another process rendered."""
        self._memo[key] = value

    def find(self, target: str) -> str | None:
        """What a site link to `target` resolves to now (None: nothing published there)."""
        return find_path(self._known, target or None)

    def _problems(self) -> int:
        return 0 if self._report is None else len(self._report)


# Text that Markdown can only turn into paragraphs: Chinese and its punctuation, letters,
# digits and a few marks; no Markdown or HTML syntax character, no tab, no odd space.
_PLAIN_TEXT = re.compile("[A-Za-z0-9 ,.;?%'\"/\u00b7\u2010-\u2027\u2030-\u205e"
                         "\u3001-\u9fff\uf900-\ufaff\uff01-\uffef\n]*")
_BLANK_LINES = re.compile(r"\n{2,}")


def plain_paragraphs(text: str) -> str | None:
    """What Python-Markdown makes of `text` when it is plain paragraphs of one line each
    (most descriptions of member enterprises), without running it (0.2 ms a text, 12,000
    texts at N=300); None for anything else. tests/unit/test_markdown.py checks this
    against Python-Markdown itself on generated texts."""
    if not _PLAIN_TEXT.fullmatch(text):
        return None
    blocks = _BLANK_LINES.split(text.strip("\n"))
    for block in blocks:
        # One line, nothing around it; a leading digit could start a list ('1. ').
        if not block or "\n" in block or block != block.strip(" ") or block[0].isdigit():
            return None
    return "\n".join(f"<p>{block}</p>" for block in blocks)


def render_inline(renderer: Callable[..., str], text: str, **kwargs: object) -> str:
    """Render a short Markdown text (a footer) without its wrapping paragraph."""
    html = renderer(text, **kwargs)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


# ---- the memo on disk ---------------------------------------------------------------------

class MarkdownMemo(dict[str, Any]):
    """Markdown HTML by hash of (engine versions, language, page depth, folder, text), kept
    in .cache/markdown-NN.marshal between builds, in 16 shards (cachefile.shard_of).
    A shard is read on the first lookup of a key in it (a rebuild that reuses every page
    reads none), and only shards that got new entries are written back (an edit writes
    one sixteenth of 12 MB at N=300, not all of it)."""

    SHARDS = cachefile.SHARDS

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._loaded: set[int] = set()
        self._changed: set[int] = set()

    @property
    def changed(self) -> bool:
        return bool(self._changed)

    _shard = staticmethod(cachefile.shard_of)

    def _load(self, shard: int) -> None:
        self._loaded.add(shard)
        for key, (html, probes) in (cachefile.load_shard(self.path, shard, (MARKDOWN_VERSION,))
                                    or {}).items():
            super().setdefault(key, (html, tuple(map(tuple, probes))))

    def load_all(self) -> None:
        for shard in range(self.SHARDS):
            if shard not in self._loaded:
                self._load(shard)

    def get(self, key: str, default: Any = None) -> Any:
        shard = self._shard(key)
        if shard not in self._loaded:
            self._load(shard)
        return super().get(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self._changed.add(self._shard(key))
        super().__setitem__(key, value)

    def save(self, limit: int) -> None:
        """Write back the shards that grew, each keeping at most its share of `limit`
        entries (the newest)."""
        per = limit // self.SHARDS + 1
        for shard in sorted(self._changed):
            if shard not in self._loaded:
                self._load(shard)
            rows = [(k, v) for k, v in self.items() if self._shard(k) == shard]
            cachefile.save_shards(self.path, (MARKDOWN_VERSION,), {shard: dict(rows[-per:])})
        self._changed.clear()


