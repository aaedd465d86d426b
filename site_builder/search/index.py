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

import html as htmlib
import json
from array import array
from collections import defaultdict, deque
from collections.abc import Collection, Sequence
from itertools import repeat
from typing import NamedTuple

from site_builder.core.forkpool import in_order
from site_builder.core.outputs import Output
from site_builder.link.model import SECTIONS, Model
from site_builder.search.text import _DESCRIPTION, main_text, normalize, page_terms

KINDS = ("alliance", "enterprise", "story", "station", "listing")
NAME_ORDER = ("alliance", "enterprise", "station", "listing", "story")  # of name matches
INDEX_DIR = "search-index/"
FORMAT = 1  # of the files; search.js checks it


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
        return [made for part in in_order(_record_chunk, chunks, jobs) for made in part]
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


