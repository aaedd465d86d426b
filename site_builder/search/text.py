"""The text of a page as search sees it: its main content without navigation, normalised, and
the terms (characters and pairs of characters) it is listed under."""

from __future__ import annotations

import html as htmlib
import operator
import re
import unicodedata
from collections.abc import Iterable

NAME_MARK = "#"  # before a name term: never a letter or digit, so never a text term


# Inside <main> but not content: maps, directions, print buttons, paging, and the chain
# diagram's SVG (its list alternative carries the same names as text).
EXCLUDE = (".map-block", ".nav-links", ".prevnext", ".no-print", ".print-only", ".pager",
           "script", "noscript", "style", "svg", "[data-search-ignore]")


_EXCLUDED_TAGS = frozenset(s for s in EXCLUDE if s[0].isalpha())


_EXCLUDED_CLASSES = frozenset(s[1:] for s in EXCLUDE if s[0] == ".")


_EXCLUDED_ATTRS = tuple(s[1:-1] for s in EXCLUDE if s[0] == "[")


# Where text in one element ends and the next begins: a space, so words of two blocks
# (a heading and its paragraph) never run together into one.
BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "td", "th", "tr",
    "ul"})


_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"})


_RAW = ("script", "style")  # their text is not markup


_NOT_ALNUM = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """What names are compared on: NFKC, lower case, letters and digits only.

    search.js does the same (`normalize`), so 'Ｇ60' matches 'g60' and quotes do not count.
    """
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).lower())


def fold(text: str) -> str:
    """What text is compared on: NFKC, lower case, a space for each run of anything else
    than letters and digits (search.js's `fold`)."""
    return _NOT_ALNUM.sub(" ", unicodedata.normalize("NFKC", text).lower())


def page_terms(text: str, names: Iterable[str]) -> set[str]:
    """The terms a page is listed under: each character and pair of its text and names."""
    terms: set[str] = set()
    for run in fold(text).split():
        terms.update(run)  # its characters
        terms.update(map(operator.add, run, run[1:]))  # its pairs
    for name in map(normalize, names):
        terms.update(NAME_MARK + ch for ch in name)
        terms.update(NAME_MARK + name[i:i + 2] for i in range(len(name) - 1))
    return terms


def query_terms(query: str) -> tuple[list[str], list[str]]:
    """The terms whose pages contain `query` in their text, and in a name (search.js's
    `queryTerms`): pairs, or the character itself when there is only one."""
    def pick(run: str, mark: str) -> list[str]:
        if len(run) == 1:
            return [mark + run]
        return [mark + run[i:i + 2] for i in range(len(run) - 1)]

    text = [t for run in fold(query).split() for t in pick(run, "")]
    name = normalize(query)
    return text, pick(name, NAME_MARK) if name else []


_MAIN = re.compile(r"<main\b.*</main\s*>", re.IGNORECASE | re.DOTALL)


_BODY = re.compile(r"<body\b[^>]*>(.*)</body\s*>", re.IGNORECASE | re.DOTALL)


_DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)"', re.IGNORECASE)


_RAW_ELEMENT = re.compile(r"<!--.*?-->|<(script|style)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)


# Rendered attributes never hold a raw ">" (Jinja and the Markdown sanitiser escape it).
_BLOCK_TAG = re.compile(r"</?(?:" + "|".join(sorted(BLOCKS)) + r")\b[^>]*>")


_ANY_TAG = re.compile(r"<[^>]*>")


# What a left-out start tag holds: its name, an attribute's name, or a class name.
_MARKS = tuple(sorted({"<" + t for t in _EXCLUDED_TAGS - set(_RAW)} | set(_EXCLUDED_CLASSES)
                      | set(_EXCLUDED_ATTRS)))


_START_TAG = re.compile(r"<([a-zA-Z][\w-]*)([^>]*)>")


_CLASS = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


_SAME_NAME: dict[str, re.Pattern[str]] = {}


def _excluded(tag: str, attrs: str) -> bool:
    if tag in _EXCLUDED_TAGS:
        return True
    if "class" in attrs:
        found = _CLASS.search(attrs)
        if found and not _EXCLUDED_CLASSES.isdisjoint((found.group(1) or found.group(2)
                                                       or found.group(3) or "").split()):
            return True
    return any(re.search(rf"\s{re.escape(name)}(?![\w-])", attrs) for name in _EXCLUDED_ATTRS)


def _candidates(html: str) -> list[re.Match[str]]:
    """The start tags that may be left out, in order: those holding one of _MARKS."""
    starts = set()
    for mark in _MARKS:
        at = html.find(mark)
        while at >= 0:
            lt = html.rfind("<", 0, at + 1)
            if lt >= 0 and html.find(">", lt, at) < 0:  # the mark is inside this tag
                starts.add(lt)
            at = html.find(mark, at + 1)
    found = (_START_TAG.match(html, lt) for lt in sorted(starts))
    return [tag for tag in found if tag is not None]


def _element_end(html: str, name: str, start: int) -> int:
    """Where the element whose start tag ends at `start` ends (its end tag included)."""
    same = _SAME_NAME.get(name)
    if same is None:
        same = _SAME_NAME[name] = re.compile(rf"<(/?){name}\b[^>]*>", re.IGNORECASE)
    depth = 1
    for tag in same.finditer(html, start):
        if tag.group(1):
            depth -= 1
            if depth == 0:
                return tag.end()
        elif not tag.group().endswith("/>"):
            depth += 1
    return len(html)  # never closed: to the end, as a browser reads it


def main_text(html: str) -> str:
    """The text of the page's <main> (its whole body if it has none), as a reader sees it:
    without the EXCLUDE'd elements, a space between blocks, white space collapsed."""
    found = _MAIN.search(html)
    if found:
        html = found.group()
    else:
        body = _BODY.search(html)
        html = body.group(1) if body else html
    html = _RAW_ELEMENT.sub("", html)  # scripts and styles are always left out
    kept, pos = [], 0
    for tag in _candidates(html):
        if tag.start() < pos:
            continue  # inside an element already left out
        name, attrs = tag.group(1).lower(), tag.group(2)
        if name in _VOID or attrs.endswith("/") or not _excluded(name, attrs):
            continue
        kept.append(html[pos:tag.start()])
        pos = _element_end(html, name, tag.end())
    kept.append(html[pos:])
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", "".join(kept)))
    return " ".join(htmlib.unescape(text).split())
