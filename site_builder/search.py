"""Search: a static Pagefind index of the item pages, built in memory from rendered HTML.

    outputs ──(HTML of alliances, enterprises, stories, stations, listings)──▶ Pagefind
            ◀── Output('pagefind/…', bytes) ──

Pagefind's extended build segments Chinese with jieba when it indexes, but pagefind.js
segments the *query* with the browser's Intl.Segmenter (ICU), and the two disagree: ICU
reads 张家港 as 张|家|港 and 党建 as 党|建 where jieba keeps 张家港市 and 党建 whole, so on
the demo a plain Pagefind index misses 26 % of the pages that contain one of 23 typical
queries (all 22 for 雨花, 66 of 95 for 党建). Two changes make a query find what it should:

- Full text: every Chinese character is indexed as a word of its own (a zero-width space
  on each side, invisible in excerpts), and search.js asks for the query's characters as
  an exact phrase, which matches exactly the pages that contain the query.
- Names: each page also carries its name and short name as *name tokens*, every pair of
  characters written as one ASCII word (`zq` + 4 letters per character) that no segmenter
  splits. search.js asks for the query's pairs as a phrase (one character: a token
  prefix), so a name that contains the query always matches, even a short name that the
  page never prints; name matches are listed first (alliances first, shortest name first).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import itertools
import json
import os
import re
import unicodedata
from collections.abc import Coroutine, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pagefind.index import IndexConfig
from pagefind.service import PagefindService

from . import cachefile
from .model import SECTIONS, Model
from .render import Output

T = TypeVar("T")

KINDS = ("alliance", "enterprise", "story", "station", "listing")
NAME_ORDER = ("alliance", "enterprise", "station", "listing", "story")  # of name matches
# The query syntax, matching and service protocol relied on here are Pagefind 1.5's.
PAGEFIND_SERIES = "1.5."
# Always Chinese, even for an English theme: only then does the indexer split words at
# the zero-width spaces (the content of these sites is Chinese whatever the theme says).
LANGUAGE = "zh-cn"

TOKEN_MARK = "zq"  # no Chinese or English word starts so: a token is never a real word's prefix
_UNIT = 4  # letters per character: 26**4 covers the BMP and the CJK extension planes
_LIMIT = 26**_UNIT
NAME_SEPARATOR = TOKEN_MARK  # between two names, so no phrase runs across them
KIND_MARK = "zx"  # 'zxstation': search.js filters by kind with this word

# Inside <main> but not content: maps, directions, print buttons, paging.
EXCLUDE = (".map-block", ".nav-links", ".prevnext", ".no-print", ".print-only", ".pager",
           "script", "noscript", "style", "[data-search-ignore]")
# Pagefind's own UIs (≈ 420 KB) are left out of the bundle: search.js does their work.
_UI_FILE = re.compile(r"^(pagefind-(ui|modular-ui|component-ui|highlight)\.(js|css)"
                      r"|playground/.*)$")


@dataclass(frozen=True)
class SearchPage:
    """One page to index: its site-relative URL, rendered HTML, kind and names."""

    url: str  # 'alliances/x/'
    html: str | bytes  # bytes as written (decoded only while it is sent: 18,000 pages)
    kind: str
    names: tuple[str, ...]


class SearchError(RuntimeError):
    """Pagefind could not index the site (binary missing or crashed)."""


# ---- name tokens -------------------------------------------------------------------------

def normalize(text: str) -> str:
    """What names and queries are compared on: NFKC, lower case, letters and digits only.

    search.js does the same (`normalize`), so 'Ｇ60' matches 'g60' and quotes do not count.
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in folded if ch.isalnum() and ord(ch) < _LIMIT)


def _unit(ch: str) -> str:
    n, out = ord(ch), ""
    for _ in range(_UNIT):
        n, r = divmod(n, 26)
        out = chr(97 + r) + out
    return out


def name_tokens(names: Iterable[str]) -> str:
    """The words that make every name findable by any part of it.

    For 润芯微: zq<润><芯> zq<芯><微> zq<微>. Each pair is one word; the last character
    stands alone so that a one-character query (a token prefix) finds it too.
    """
    seen: list[str] = []
    for name in names:
        text = normalize(name)
        if text and not any(text in other for other in seen):
            seen = [s for s in seen if s not in text] + [text]
    runs = []
    for text in seen:
        units = [_unit(ch) for ch in text]
        words = [TOKEN_MARK + a + b for a, b in itertools.pairwise(units)]
        runs.append(" ".join([*words, TOKEN_MARK + units[-1]]))
    return f" {NAME_SEPARATOR} ".join(runs)


def query_tokens(query: str) -> str:
    """The Pagefind query that finds the names containing `query` (mirrors search.js)."""
    text = normalize(query)
    if not text:
        return ""
    units = [_unit(ch) for ch in text]
    if len(units) == 1:
        return TOKEN_MARK + units[0]
    return '"' + " ".join(TOKEN_MARK + a + b for a, b in itertools.pairwise(units)) + '"'


# ---- pages -------------------------------------------------------------------------------

_MAIN_OPEN = re.compile(r"<main\b", re.IGNORECASE)
_MAIN_CLOSE = re.compile(r"</main\s*>", re.IGNORECASE)
_BODY = re.compile(r"<body\b[^>]*>(.*)</body\s*>", re.IGNORECASE | re.DOTALL)
_DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)"', re.IGNORECASE)


# Ideographs: the same ranges as HAN in search.js, which splits the query the same way.
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN_RUN = re.compile(f"[{_HAN}]+")
_TAG = re.compile(r"(<[^>]*>)")
ZWSP = "\u200b"  # Pagefind's indexer splits words there, and readers never see it


def _split_text(text: str) -> str:
    # Not after a run that ends the text: that would cost Pagefind's ". " between two
    # blocks (<h1>北玻集团</h1><p>… gives 北玻集团. …).
    return _HAN_RUN.sub(lambda m: ZWSP + ZWSP.join(m.group())
                        + (ZWSP if m.end() < len(text) else ""), text)


def split_han(html: str) -> str:
    """A zero-width space around each Chinese character of the text (not in tags).

    Also at the start of a text: Pagefind joins <dt>类别</dt><dd>人才</dd> as 类别人才.
    """
    parts = _TAG.split(html)
    return "".join(p if i % 2 else _split_text(p) for i, p in enumerate(parts))


def prepare_html(page: SearchPage) -> str:
    """What Pagefind indexes of a page: its <main>, characters split, kind and name tokens.

    Only the copy handed to the indexer changes; the page written to the site does not.
    """
    source = page.html.decode("utf-8") if isinstance(page.html, bytes) else page.html
    start, ends = _MAIN_OPEN.search(source), list(_MAIN_CLOSE.finditer(source))
    if start and ends and ends[-1].start() > start.start():
        main = source[start.start():ends[-1].end()]
    else:  # a site template without <main>: the whole body
        body = _BODY.search(source)
        main = body.group(1) if body else source
    length = min((len(text) for text in map(normalize, page.names) if text), default=0)
    rank = NAME_ORDER.index(page.kind) if page.kind in NAME_ORDER else len(NAME_ORDER)
    description = _DESCRIPTION.search(source)
    # The kind as a word to filter on and as meta to show, the rank of its name matches
    # (alliances first, then by the shortest name), the name tokens, and the summary that
    # a name match shows as its text. Not a Pagefind filter: its filter files come out in
    # a different order on every run (a Rust HashMap); the output must not change.
    extra = (f'<div data-pagefind-meta="kind:{page.kind}" '
             f'data-pagefind-sort="name:{rank}{length:04d}">'
             f"{KIND_MARK}{page.kind} {name_tokens(page.names)}</div>"
             f'<p data-pagefind-meta="summary" data-pagefind-ignore>'
             f"{description.group(1) if description else ''}</p>")
    return f"<!doctype html><html><body>{split_han(main)}{extra}</body></html>"


def search_pages(outputs: Sequence[Output], model: Model) -> list[SearchPage]:
    """The rendered page of every published item of the five searchable kinds."""
    html = {o.path: o.data for o in outputs if o.path.endswith(".html")}
    items = [item for kind in KINDS for item in getattr(model, SECTIONS[kind])]
    pages = []
    for item in items:
        data = html.get(item.url + "index.html")
        if data is not None:
            names = (item.title, item.label)
            pages.append(SearchPage(item.url, data, item.record_kind, names))
    return pages


def search_outputs(outputs: Sequence[Output], model: Model,
                   memo: SearchMemo | None = None) -> list[Output]:
    """Pagefind's bundle for the site, as outputs under pagefind/ (nothing is written).

    With a `memo`, the index already in the output folder is kept when the pages it is
    made from are the same."""
    pages = search_pages(outputs, model)
    if memo is None:
        return index_pages(pages)
    memo.key = search_key(pages)
    return reuse_index(memo.file, memo.key, memo.out_dir) or index_pages(pages)


@dataclass
class SearchMemo:
    file: Path  # .cache/search.marshal
    out_dir: Path
    key: str = ""

    def commit(self, outputs: Sequence[Output]) -> None:
        if self.key:
            remember_index(self.file, self.key, self.out_dir.absolute(), outputs)


def index_pages(pages: Sequence[SearchPage]) -> list[Output]:
    """Index `pages` with Pagefind; the same pages always give the same bytes."""
    files = _run(_index(pages))
    entry = json.loads(files.get("pagefind-entry.json", b"{}"))
    if not str(entry.get("version", "")).startswith(PAGEFIND_SERIES):
        raise SearchError(f"Pagefind {entry.get('version')} is not the {PAGEFIND_SERIES}x "
                          "that search.py and search.js were written for")
    return sorted((Output(f"pagefind/{path}", data) for path, data in files.items()
                   if not _UI_FILE.match(path)), key=lambda o: o.path)


# ---- Pagefind ----------------------------------------------------------------------------

def _run(job: Coroutine[Any, Any, T]) -> T:
    """asyncio.run(job), also from a thread whose event loop is running (a server's)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(job)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, job).result()


async def _index(pages: Sequence[SearchPage]) -> dict[str, bytes]:
    config = IndexConfig(force_language=LANGUAGE, exclude_selectors=list(EXCLUDE))
    service = await _Service().launch()
    try:
        index = await service.create_index(config)
        # In a fixed order, a batch at a time: all at once held every prepared page (and
        # its base64 message) in memory together, 1.7 GB for 18,000 pages.
        ordered = sorted(pages, key=lambda p: p.url)
        for start in range(0, len(ordered), _BATCH):
            await asyncio.gather(*(index.add_html_file(content=prepare_html(p),
                                                       url="/" + p.url)
                                   for p in ordered[start:start + _BATCH]))
        files = await index.get_files()
    except (OSError, asyncio.IncompleteReadError) as exc:  # the service died under us
        raise SearchError(f"Pagefind stopped: {exc!r}") from exc
    finally:
        await service.stop()
    return {f["path"]: f["content"] for f in files}


_BATCH = 256  # pages in flight to the indexer at once


class _Service(PagefindService):
    """Pagefind's service with two fixes for a whole site.

    The stock reader sleeps 0.1 s before every reply (10,000 pages would take 17 minutes)
    and caps a reply at 2 MiB, less than get_files() sends for a large site.
    """

    async def launch(self) -> _Service:
        try:
            self._backend = await asyncio.create_subprocess_exec(
                self._bin, "--service", cwd=os.getcwd(), stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL,
                limit=2**31 - 1)
        except OSError as exc:
            raise SearchError(f"cannot start Pagefind ({self._bin}): {exc}") from exc
        self._poll_task = self._loop.create_task(self._wait_for_responses())
        return self

    async def stop(self) -> None:
        self._poll_task.cancel()
        with contextlib.suppress(ProcessLookupError):
            self._backend.terminate()
        await self._backend.wait()

    async def _wait_for_responses(self) -> None:
        assert self._backend.stdout is not None
        try:
            while True:
                raw = await self._backend.stdout.readuntil(b",")
                reply = json.loads(base64.b64decode(raw[:-1]))
                future = self._responses.pop(reply.get("message_id"), None)
                if future is None or future.done():
                    continue
                payload = reply["payload"]
                if payload["type"] == "Error":
                    future.set_exception(SearchError(f"Pagefind: {payload['message']}"))
                else:
                    future.set_result(payload)
        except (asyncio.IncompleteReadError, ValueError) as exc:
            # The service died or spoke garbage: fail every waiting call instead of hanging.
            for future in self._responses.values():
                if not future.done():
                    future.set_exception(SearchError(f"Pagefind stopped: {exc!r}"))
            self._responses.clear()


# ---- reuse -------------------------------------------------------------------------------

SEARCH_MEMO_FILE = "search.marshal"
SEARCH_MEMO_VERSION = 1


def search_key(pages: Sequence[SearchPage]) -> str:
    """What the index is made of: each page's kind, names, summary and <main>.

    Pages differ in their <head> after a style sheet changes (its ?v= hash), yet index the
    same; such a build then keeps the previous index instead of running Pagefind again."""
    digest = hashlib.blake2b(f"{SEARCH_MEMO_VERSION}|{PAGEFIND_SERIES}".encode(),
                             digest_size=20)
    for p in sorted(pages, key=lambda p: p.url):
        html = p.html if isinstance(p.html, bytes) else p.html.encode("utf-8")
        start, end = html.find(b"<main"), html.rfind(b"</main")
        described = _DESCRIPTION_BYTES.search(html)
        part = html[start:end] if 0 <= start < end else html
        digest.update("\0".join((p.url, p.kind, *p.names)).encode("utf-8"))
        digest.update(hashlib.blake2b(part).digest())
        digest.update(described.group(1) if described else b"")
    return digest.hexdigest()


_DESCRIPTION_BYTES = re.compile(rb'<meta name="description" content="([^"]*)"', re.IGNORECASE)


def reuse_index(memo_file: Path, key: str, out_dir: Path) -> list[Output] | None:
    """The index in `out_dir`, if it was made from the same pages and is untouched."""
    try:
        known_key, files = cachefile.load(memo_file, (SEARCH_MEMO_VERSION,))
    except (ValueError, TypeError):  # none, or not ours
        return None
    if known_key != key or not files:
        return None
    found = []
    for rel, stamp in files:
        path = out_dir / rel
        try:
            st = path.stat()
        except OSError:
            return None
        if (st.st_size, st.st_mtime_ns, st.st_ino) != tuple(stamp):
            return None
        found.append(Output(rel, None, origin=str(path), stat=tuple(stamp)))
    return found


def remember_index(memo_file: Path, key: str, out_dir: Path, outputs: Sequence[Output]) -> None:
    """Record the index just written, for reuse_index() next time."""
    files = []
    for o in outputs:
        if o.path.startswith("pagefind/"):
            try:
                st = (out_dir / o.path).stat()
            except OSError:
                return
            files.append((o.path, (st.st_size, st.st_mtime_ns, st.st_ino)))
    cachefile.save(memo_file, (SEARCH_MEMO_VERSION,), (key, files))
