"""Check every internal link, anchor and asset in the rendered pages.

Markdown links are checked as they are rendered; this pass catches the rest: raw HTML in
Markdown, links built by templates (a site's own templates included) and #anchors. Each
problem names the content file (or template) that produced the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from html.parser import HTMLParser
from posixpath import dirname, join, normpath
from urllib.parse import unquote, urlsplit

from site_builder.core.diagnostics import Report
from site_builder.core.outputs import Output

_LINK_ATTRS = {"a": ("href",), "link": ("href",), "img": ("src", "srcset"),
               "script": ("src",), "source": ("srcset",), "iframe": ("src",)}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("id", "name") and value:
                self.ids.add(value)
            if value and name in _LINK_ATTRS.get(tag, ()) and not (
                    tag == "link" and ("canonical", "rel") in attrs):
                if name == "srcset":
                    self.links.extend(part.split()[0] for part in value.split(",") if part)
                else:
                    self.links.append(value)


def check_links(outputs: Iterable[Output], report: Report,
                unpublished: frozenset[str] = frozenset()) -> int:
    """Report links between outputs that lead nowhere; return how many links were checked.

    Links to drafts and future stories were already warned about where they were written.
    """
    files = {o.path: o for o in outputs}
    pages: dict[str, _Page] = {}
    for path, out in files.items():
        if path.endswith(".html"):
            parser = _Page()
            parser.feed(out.data.decode("utf-8", "replace"))
            pages[path] = parser
    checked = 0
    for path, page in sorted(pages.items()):
        if path == "404.html":
            continue  # its links are absolute under base_url by design
        for link in dict.fromkeys(page.links):
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or link == "#":
                continue  # another site, mail, phone: not ours to check
            checked += 1
            target = _resolve(path, unquote(parts.path)) if parts.path else path
            if target is not None and (target in unpublished or target + "/" in unpublished):
                continue
            if target is None or (target not in files and target + "index.html" not in files
                                  and target + "/index.html" not in files):
                _complain(report, files[path], link, "page")
                continue
            if parts.fragment:
                page_file = target if target.endswith(".html") else (
                    target.rstrip("/") + "/index.html" if target else "index.html")
                if page_file in pages and parts.fragment not in pages[page_file].ids:
                    _complain(report, files[path], link, "anchor")
    return checked


def _resolve(page: str, link_path: str) -> str | None:
    """The output path a relative link from `page` points at, or None outside the site."""
    joined = normpath(join(dirname(page), link_path))
    if joined.startswith(".."):
        return None
    joined = "" if joined == "." else joined
    return joined + "/" if link_path.endswith("/") and joined else joined


def _complain(report: Report, page: Output, link: str, what: str) -> None:
    from site_builder.core.diagnostics import L

    kind = L("锚点（#）", "anchor") if what == "anchor" else L("页面或文件", "page or file")
    report.emit("broken-link", page.source or None, None, None, "", page=page.path,
                value=link, what=kind)
