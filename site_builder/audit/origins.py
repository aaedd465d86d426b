"""Outside origins the built pages load or link, and http:// resources on an https site."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from site_builder.audit.findings import Finding
from site_builder.core.outputs import Output

# Attributes whose URL the browser loads by itself, and those it only follows.
_LOADED = re.compile(r"""<(?:script|img|source|iframe|audio|video|embed)\b[^>]*?"""
                     r"""\s(?:src|srcset)=["']([^"']+)["']"""
                     r"""|<link\b[^>]*?\shref=["']([^"']+)["'][^>]*>""", re.IGNORECASE)
_LINKED = re.compile(r"""<a\b[^>]*?\shref=["']([^"']+)["']""", re.IGNORECASE)
# Map tile templates sit in the map's script data: https://…/{z}/{x}/{y}.png
_TILES = re.compile(r"""(https?:)?//[^"'\s<>]*\{[zxy]\}[^"'\s<>]*""")
_CSS_URL = re.compile(r"""url\(\s*["']?((?:https?:)?//[^"')\s]+)""")


def _origin(url: str) -> str | None:
    url = url.strip().split(" ")[0]
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.hostname}" + (f":{parts.port}" if parts.port else "")


def _link_tags_loaded(tag: str) -> bool:
    return bool(re.search(r"""rel=["'][^"']*(stylesheet|icon|preload|modulepreload)""", tag,
                          re.IGNORECASE))


def page_urls(html: str) -> tuple[set[str], set[str]]:
    """(URLs the page loads, URLs it links to)."""
    loaded: set[str] = set()
    for found in _LOADED.finditer(html):
        if found.group(1):
            loaded.update(u.strip().split(" ")[0] for u in found.group(1).split(","))
        elif _link_tags_loaded(found.group(0)):
            loaded.add(found.group(2))
    loaded.update(m.group(0) for m in _TILES.finditer(html))
    loaded.update(m.group(1) for m in _CSS_URL.finditer(html))
    linked = {m.group(1) for m in _LINKED.finditer(html)}
    return loaded, linked


def check_origins(outputs: Iterable[Output], base_url: str) -> Iterator[Finding]:
    """Each outside origin, with how many pages load or link it; http:// resources."""
    own = _origin(base_url)
    https = base_url.startswith("https://")
    loads: dict[str, list[str]] = defaultdict(list)
    links: dict[str, list[str]] = defaultdict(list)
    insecure: dict[str, list[str]] = defaultdict(list)
    for out in outputs:
        if not out.path.endswith((".html", ".css")):
            continue
        html = out.data.decode("utf-8", "replace")
        loaded, linked = page_urls(html)
        for url in sorted(loaded):
            origin = _origin(url.replace("{s}", "a"))
            if origin is None or origin == own:
                continue
            loads[origin].append(out.path)
            if https and origin.startswith("http://"):
                insecure[url].append(out.path)
        for url in sorted(linked):
            origin = _origin(url)
            if origin is not None and origin != own:
                links[origin].append(out.path)
    for url, pages in sorted(insecure.items()):
        yield Finding("insecure-resource", pages[0], None, None,
                      {"url": url, "count": len(pages), "example": pages[0]})
    for origin, pages in sorted(loads.items()):
        yield Finding("outside-origin", pages[0], None, None,
                      {"origin": origin, "count": len(set(pages)), "example": pages[0]})
    for origin, pages in sorted(links.items()):
        yield Finding("outside-link", pages[0], None, None,
                      {"origin": origin, "count": len(set(pages)), "example": pages[0]})
