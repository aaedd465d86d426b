"""The index of a rebuild: records and shards of the pages that changed, the rest taken from
the last index in output/ (SearchMemo in .cache/ says which files are whose)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.core import cachefile
from site_builder.core.cachefile import Stamp, file_stamp
from site_builder.core.outputs import Output
from site_builder.link.model import Model
from site_builder.search.index import (
    FORMAT,
    INDEX_DIR,
    Made,
    SearchPage,
    _terms,
    decode_shard,
    encode_shard,
    index_pages,
    make_records,
    record_path,
    record_terms,
    search_pages,
    shard_count,
    shard_of,
    shard_path,
)

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
    for url, (record, _made) in records.items():
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
    if stamp is None or file_stamp(origin) != stamp:
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
