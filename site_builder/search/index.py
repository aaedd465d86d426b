"""Search: a static index of the item pages, made from their rendered HTML.

    outputs ──(HTML of alliances, enterprises, stories, stations, listings)──▶ records
    records ──(every character and every pair of neighbouring characters)──▶ postings
            ◀── Output('search-index/…', bytes) ──

Chinese has no spaces, and no word segmenter agrees with every reader (jieba keeps 张家港市
whole, the browser's ICU splits 张家港 as 张|家|港), so the index holds no words: each page
is listed under every character of its text and every pair of neighbouring characters. A
query is looked up by its pairs (a one-character query by itself), and the pages listed
under all of them are checked against their text when they are shown. This finds exactly
the pages whose text contains the query, whatever its length, with no dictionary.

Names have terms of their own (`#` + pair), made from the name with everything but letters
and digits taken out, so 张家港 finds 张家港市, and a short name that the page never
prints still finds it. Name matches are listed first.

Files (all under `search-index/`; assets/search.js reads them):
- `meta.json`: the format, the number of pages and shards, and which page ids are which kind.
- `t/NNN.bin`: shard NNN of the terms (FNV-1a of the term's UTF-8, modulo the shard count):
  a little-endian uint32 header length, a JSON header [[term, count], …] in term order,
  padding to 4 bytes, then each term's page ids as uint16 (uint32 past 65,535 pages).
- `r/N.json`: page N's record: URL, kind, title, names, summary and text.

Page ids follow the order results are listed in (alliances first, then by the length of the
shortest name), so a query's pages come out ranked by merging sorted lists.

A rebuild after an edit rewrites only the records whose text changed and the shards of the
terms that came or went (`SearchMemo`); any change to which pages exist or to their order
indexes everything again. Either way the bytes are those of a clean build.
"""

from __future__ import annotations

import hashlib
import html as htmlib
import json
import multiprocessing
import operator
import re
import unicodedata
from array import array
from collections import defaultdict, deque
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

from site_builder.core import cachefile
from site_builder.core.cachefile import Stamp, file_stamp
from site_builder.core.outputs import Output
from site_builder.link.model import SECTIONS, Model

KINDS = ("alliance", "enterprise", "story", "station", "listing")
NAME_ORDER = ("alliance", "enterprise", "station", "listing", "story")  # of name matches
INDEX_DIR = "search-index/"
FORMAT = 1  # of the files; search.js checks it
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


class SearchPage(NamedTuple):
    """One page to index: its site-relative URL, kind, names and rendered page."""

    url: str  # 'alliances/x/'
    kind: str
    names: tuple[str, ...]
    output: Output

    def order_key(self) -> tuple[int, int, str]:
        """Where its name matches are listed: alliances first, the shortest name first."""
        length = min((len(n) for n in map(normalize, self.names) if n), default=0)
        rank = NAME_ORDER.index(self.kind) if self.kind in NAME_ORDER else len(NAME_ORDER)
        return rank, length, self.url


# ---- text --------------------------------------------------------------------------------

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


def search_pages(outputs: Sequence[Output], model: Model) -> list[SearchPage]:
    """The rendered page of every published item of the five searchable kinds."""
    html = {o.path: o for o in outputs if o.path.endswith(".html")}
    items = [item for kind in KINDS for item in getattr(model, SECTIONS[kind])]
    pages = []
    for item in items:
        output = html.get(item.url + "index.html")
        if output is not None:
            names = tuple(dict.fromkeys(n for n in (item.title, item.label) if n))
            pages.append(SearchPage(item.url, item.record_kind, names, output))
    return pages


def make_record(page: SearchPage) -> tuple[bytes, set[str]]:
    """What search.js shows of a page and checks a query against, as JSON; and its terms."""
    data = page.output.data.decode("utf-8")
    summary = _DESCRIPTION.search(data)
    names = list(dict.fromkeys(n for n in map(normalize, page.names) if n))
    text = main_text(data)
    record = {"url": page.url, "kind": page.kind, "title": page.names[0] if page.names else "",
              "names": names,
              "summary": htmlib.unescape(summary.group(1)) if summary else "",
              "text": text}
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
            page_terms(text, names))


def record_terms(record: bytes) -> set[str]:
    data = json.loads(record)
    return page_terms(data["text"], data["names"])


# ---- files -------------------------------------------------------------------------------

def shard_count(pages: int) -> int:
    """Shards for a site of `pages`: about ten pages a shard, a power of two in 8…4096.

    A function of the page count alone, so an edit never moves a term to another shard."""
    count = 8
    while count < 4096 and count * 10 < pages:
        count *= 2
    return count


def shard_of(term: str, shards: int) -> int:
    """FNV-1a (32 bits) of the term's UTF-8, modulo `shards` (search.js's `shardOf`)."""
    h = 0x811C9DC5
    for byte in term.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h % shards


def encode_shard(postings: dict[str, list[int]], width: int) -> bytes:
    terms = sorted(postings)
    header = json.dumps([[t, len(postings[t])] for t in terms], ensure_ascii=False,
                        separators=(",", ":")).encode("utf-8")
    header += b" " * (-(len(header) + 4) % 4)  # the ids start 4-byte aligned
    code = "H" if width == 2 else "I"
    ids = array(code)
    for t in terms:
        ids.extend(postings[t])
    assert ids.itemsize == width, "array('I') is 4 bytes on every platform Python runs on"
    if array("H", [1]).tobytes() != b"\x01\x00":
        ids.byteswap()  # always little-endian, as search.js reads them
    return len(header).to_bytes(4, "little") + header + ids.tobytes()


def decode_shard(data: bytes, width: int) -> dict[str, list[int]]:
    size = int.from_bytes(data[:4], "little")
    header = json.loads(data[4:4 + size])
    ids = array("H" if width == 2 else "I")
    ids.frombytes(data[4 + size:])
    if array("H", [1]).tobytes() != b"\x01\x00":
        ids.byteswap()
    postings, at = {}, 0
    for term, count in header:
        postings[term] = ids[at:at + count].tolist()
        at += count
    return postings


def _meta(order: Sequence[SearchPage], shards: int, width: int) -> bytes:
    kinds: dict[str, list[int]] = {}
    for n, page in enumerate(order):
        kinds.setdefault(page.kind, [n, n])[1] = n + 1
    meta = {"format": FORMAT, "pages": len(order), "shards": shards, "width": width,
            "kinds": kinds}
    return json.dumps(meta, separators=(",", ":"), sort_keys=True).encode("utf-8")


def shard_path(n: int) -> str:
    return f"{INDEX_DIR}t/{n:03x}.bin"


def record_path(n: int) -> str:
    return f"{INDEX_DIR}r/{n}.json"


# By URL: a page's record and its terms joined by NULs (or None: read them from the record).
# Joined, because 18,000 pages' sets of 440 terms took 0.9 GB, and a string 2 KB each.
Made = dict[str, tuple[bytes, str | None]]

# Records: fewer are made here (forking the whole build costs more). At N=30 (1,800 records)
# two workers already make the index 0.55 -> 0.42 s.
_PARALLEL_MIN = 1000
_CHUNK = 250
_pending: list[SearchPage] = []  # what forked workers make records of (inherited)


def _joined(page: SearchPage) -> tuple[bytes, str]:
    record, terms = make_record(page)
    return record, "\0".join(terms)


def _record_chunk(bounds: tuple[int, int]) -> list[tuple[bytes, str]]:
    return [_joined(p) for p in _pending[bounds[0]:bounds[1]]]


def make_records(pages: Sequence[SearchPage], jobs: int = 1) -> list[tuple[bytes, str]]:
    """Each page's record and its terms joined, in forked processes when there are many."""
    if jobs < 2 or len(pages) < _PARALLEL_MIN:
        return [_joined(p) for p in pages]
    _pending[:] = pages
    try:
        chunks = [(i, min(i + _CHUNK, len(pages))) for i in range(0, len(pages), _CHUNK)]
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            return [made for part in pool.imap(_record_chunk, chunks) for made in part]
    finally:
        _pending.clear()


def _terms(record: bytes, joined: str | None) -> Collection[str]:
    if joined is None:
        return record_terms(record)
    return joined.split("\0") if joined else ()


def index_pages(pages: Sequence[SearchPage], records: Made | None = None,
                jobs: int = 1) -> list[Output]:
    """The whole index of `pages`; the same pages always give the same bytes.

    `records` has the record of some pages already (their terms too, or None)."""
    order = sorted(pages, key=SearchPage.order_key)
    width = 2 if len(order) <= 2**16 else 4
    shards = shard_count(len(order))
    known = dict(records or {})
    todo = [p for p in order if p.url not in known]
    known.update(zip((p.url for p in todo), make_records(todo, jobs), strict=True))
    postings: list[dict[str, list[int]]] = [{} for _ in range(shards)]
    files = [Output(f"{INDEX_DIR}meta.json", _meta(order, shards, width))]
    ids: defaultdict[str, list[int]] = defaultdict(list)
    listed_under = ids.__getitem__
    for n, page in enumerate(order):
        record, terms = known[page.url]
        files.append(Output(record_path(n), record))
        # ids[term].append(n) for every term, looped in C: 8 million at N=300.
        deque(map(list.append, map(listed_under, _terms(record, terms)), repeat(n)),
              maxlen=0)
    for term, listed in ids.items():
        postings[shard_of(term, shards)][term] = listed
    files.extend(Output(shard_path(i), encode_shard(p, width)) for i, p in enumerate(postings))
    return sorted(files, key=lambda o: o.path)


# ---- rebuilds ----------------------------------------------------------------------------

SEARCH_MEMO_FILE = "search.marshal"
SEARCH_MEMO_VERSION = 2

@dataclass
class SearchMemo:
    """The index of the last build, to update instead of making anew.

    Kept in `file`: for each page (in id order) its URL, kind, names, the stamp of its
    HTML file and the digest of its record; and the stamp of every index file."""

    file: Path  # .cache/search.marshal
    out_dir: Path  # absolute
    pages: list[tuple[str, str, tuple[str, ...], Stamp | None, bytes]] = field(
        default_factory=list)
    files: dict[str, Stamp] = field(default_factory=dict)
    # Which index files are not as stamped, given the stamp of the memo file read (by
    # lookahead.py, ahead of time); None: each file is checked when it is needed.
    checked: Callable[[Stamp | None], set[str] | None] | None = None
    mismatched: set[str] | None = None
    loaded_from: Stamp | None = None  # the stamp of the file load() read

    def load(self) -> None:
        value, stamp = cachefile.load_stamped(self.file, (SEARCH_MEMO_VERSION, FORMAT))
        self.loaded_from = stamp
        try:
            pages, files = value
        except (ValueError, TypeError):  # none, or not ours
            return
        self.pages = [(u, k, tuple(n), tuple(s) if s else None, d) for u, k, n, s, d in pages]
        self.files = {p: tuple(s) for p, s in files.items()}  # type: ignore[misc]
        if self.checked is not None:
            self.mismatched = self.checked(stamp)

    def commit(self, outputs: Sequence[Output]) -> None:
        """Record the index just written (after the writer), for the next build."""
        if not self.pages:
            return
        files = {}
        for o in outputs:
            if o.path.startswith(INDEX_DIR):
                stamp = o.stat if o._data is None and o.stat else file_stamp(
                    str(self.out_dir / o.path))
                if stamp is None:
                    return
                files[o.path] = stamp
        pages = []
        for url, kind, names, stamp, digest in self.pages:
            if stamp is None:  # indexed from its HTML in this build
                stamp = file_stamp(str(self.out_dir / url / "index.html"))
            pages.append((url, kind, list(names), stamp, digest))
        cachefile.save(self.file, (SEARCH_MEMO_VERSION, FORMAT), (pages, files))


def _digest(record: bytes) -> bytes:
    return hashlib.blake2b(record, digest_size=16).digest()


def search_outputs(outputs: Sequence[Output], model: Model,
                   memo: SearchMemo | None = None, jobs: int = 1) -> list[Output]:
    """The index of the site, as outputs under search-index/ (nothing is written).

    With a `memo`, only what changed since the index in the output folder is made anew;
    `jobs` processes read the pages when there are many to read."""
    pages = search_pages(outputs, model)
    if memo is None:
        return index_pages(pages, jobs=jobs)
    memo.load()
    before = {p[0]: p for p in memo.pages}
    by_url = {p.url: p for p in pages}
    if len(by_url) == len(before) and all(
            (old := before.get(p.url)) is not None and old[1:3] == (p.kind, p.names)
            for p in pages):
        order = [by_url[url] for url in before]  # the same pages, names and kinds
    else:
        order = sorted(pages, key=SearchPage.order_key)
    digests: dict[str, bytes] = {}
    todo = []
    for page in order:
        old = before.get(page.url)
        out = page.output
        # Reused from the last output (even if something has read it since, as the link
        # check does): the same HTML file as when it was indexed, if its stamp says so.
        if out.origin is not None and old is not None and old[1:3] == (page.kind, page.names) \
                and old[3] is not None and (out.stat or file_stamp(out.origin)) == old[3]:
            digests[page.url] = old[4]
        else:
            todo.append(page)
    # Made now: the records of the pages rendered in this build.
    records: Made = dict(zip((p.url for p in todo), make_records(todo, jobs), strict=True))
    for url, (record, _terms) in records.items():
        digests[url] = _digest(record)
    files = _update(memo, order, records, digests) if memo.files else None
    if files is None:
        files = index_pages(order, records | _old_records(memo, records), jobs)
    memo.pages = [(p.url, p.kind, p.names,
                   None if p.url in records else before[p.url][3], digests[p.url])
                  for p in order]
    return files


def _kept(memo: SearchMemo, path: str) -> Output | None:
    """The file from the last build's index, if it is still as the memo says."""
    stamp = memo.files.get(path)
    origin = f"{memo.out_dir}/{path}"
    if stamp is None:
        return None
    if memo.mismatched is not None:  # checked ahead, in another process
        if path in memo.mismatched:
            return None
    elif file_stamp(origin) != stamp:
        return None
    return Output(path, None, origin=origin, stat=stamp)


def _old_records(memo: SearchMemo, made: Made) -> Made:
    """Records of unchanged pages, read from the last index instead of made again."""
    found: Made = {}
    for n, (url, *_rest) in enumerate(memo.pages):
        if url not in made:
            kept = _kept(memo, record_path(n))
            if kept is not None:
                found[url] = kept.data, None
    return found


_MOST = 0.2  # past this share of pages changed, indexing everything again is quicker


def _update(memo: SearchMemo, order: Sequence[SearchPage], records: Made,
            digests: dict[str, bytes]) -> list[Output] | None:
    """The last index with the changed pages' records and terms replaced, or None when
    the pages or their order changed (then every id moves)."""
    if [p.url for p in order] != [p[0] for p in memo.pages]:
        return None
    changed = [n for n, (url, *_r, digest) in enumerate(memo.pages) if digests[url] != digest]
    if len(changed) > _MOST * len(order):
        return None
    shards, width = shard_count(len(order)), 2 if len(order) <= 2**16 else 4
    edits: dict[int, dict[str, tuple[set[int], set[int]]]] = defaultdict(dict)
    fresh: dict[str, bytes] = {}
    for n in changed:
        kept = _kept(memo, record_path(n))
        if kept is None:
            return None
        record, new = records[order[n].url]
        old = record_terms(kept.data)
        new = set(_terms(record, new))
        for term in old ^ new:
            gone, came = edits[shard_of(term, shards)].setdefault(term, (set(), set()))
            (came if term in new else gone).add(n)
        fresh[record_path(n)] = record
    for at, terms in edits.items():
        kept = _kept(memo, shard_path(at))
        if kept is None:
            return None
        postings = decode_shard(kept.data, width)
        for term, (gone, came) in terms.items():
            ids = sorted(set(postings.get(term, ())) - gone | came)
            if ids:
                postings[term] = ids
            else:
                postings.pop(term, None)
        fresh[shard_path(at)] = encode_shard(postings, width)
    files = []
    for path in [f"{INDEX_DIR}meta.json", *map(shard_path, range(shards)),
                 *map(record_path, range(len(order)))]:
        if path in fresh:
            files.append(Output(path, fresh[path]))
        else:
            kept = _kept(memo, path)
            if kept is None:
                return None
            files.append(kept)
    return sorted(files, key=lambda o: o.path)
