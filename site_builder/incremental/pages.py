"""Memo: re-render only the pages whose inputs changed, and prove which ones those are.

A page is the pure result of (templates, settings, its task, the records it reads). The
task (path, template, title, the lists handed to the template) is cheap to build every
time, so it is fingerprinted whole. The records a page reads are recorded while it
renders: every attribute a template reads of an Item or Term goes through
`TrackingEnvironment.getattr`, the Python side calls `track()`, the model is seen through
`ModelView`, and every site link a Markdown text checks is a probe. The next build
re-renders a page when its fingerprint or the digest of anything it read has changed;
otherwise the previous bytes are reused (from `output/`, after a stat check, or from the
preview server's memory).

Pages whose rendering reported a problem are never memoised, so every warning is
reported again by every build.
"""

from __future__ import annotations

import abc
import hashlib
import marshal
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from site_builder.core import cachefile
from site_builder.core.dates import PartialDate
from site_builder.link.model import Item, Membership, Model, Term

# Bump when what a page depends on, or how it is recorded, changes.
MEMO_VERSION = 6
MEMO_FILE = "pages.marshal"

# ('i', kind, slug): a whole record; ('f', kind, slug, field): one field of it;
# ('t', taxonomy, name): a term; ('m', attr): an index of the model; ('l', target): a link.
DepKey = tuple[str, ...]

# The deps of the page being rendered (empty: nothing is rendering, nothing is recorded).
_current: list[set[Any]] = []


def track(*objs: Any) -> None:
    """Record that the page being rendered read these records (lists are looked into)."""
    if not _current:
        return
    deps = _current[-1]
    for obj in objs:
        if isinstance(obj, Item | Term):
            deps.add(obj)
        elif isinstance(obj, Membership):
            deps.add(obj.enterprise)
            deps.add(obj.alliance)
        elif isinstance(obj, list | tuple):
            track(*obj)


def track_key(key: DepKey) -> None:
    if _current:
        _current[-1].add(key)


@contextmanager
def recording() -> Iterator[set[Any]]:
    deps: set[Any] = set()
    _current.append(deps)
    try:
        yield deps
    finally:
        _current.pop()


def dep_keys(deps: Iterable[Any]) -> list[DepKey]:
    """Recorded objects as sorted, picklable keys."""
    keys: set[DepKey] = set()
    for d in deps:
        if isinstance(d, Item):
            keys.add(("i", d.record_kind, d.slug))
        elif isinstance(d, Term):
            keys.add(("t", d.taxonomy, d.name))
        else:
            keys.add(d)
    # A record read whole makes reads of its single fields redundant.
    whole = {k[1:] for k in keys if k[0] == "i"}
    return sorted(k for k in keys if not (k[0] == "f" and k[1:3] in whole))


# What an item's key alone decides: reading these depends on nothing that can change
# (the item's presence is decided by the list or lookup that produced it, tracked there).
_KEY_ONLY = frozenset({"url", "key", "slug", "record_kind", "section"})
# Item attributes that are plain values: read one, depend on that one value only.
_VALUES = frozenset({"title", "label", "draft", "future", "file", "body_file", "body_line"})


# What reading each attribute of an Item depends on: 0 nothing, 1 that field, 2 the record.
_ITEM_READS: dict[str, int] = {}


def _item_read(name: Any) -> int:
    if name in _KEY_ONLY:
        return 0
    if name in _VALUES or (isinstance(name, str) and not hasattr(Item, name)):
        return 1
    return 2  # get(), data, body: the whole record


def _read(obj: Any, name: Any) -> None:
    """Record the read of `obj.name` by a template (a few hundred thousand a build)."""
    kind = type(obj)
    if kind is Item:
        how = _ITEM_READS.get(name) if type(name) is str else None
        if how is None:
            how = _item_read(name)
            if type(name) is str:
                _ITEM_READS[name] = how
        if how == 1:
            _current[-1].add(("f", obj.record_kind, obj.slug, name))
        elif how == 2:
            _current[-1].add(obj)
    elif kind is Term:
        _current[-1].add(obj)


class TrackingEnvironment(jinja2.Environment):
    """Jinja compiles `x.y` and `x['y']` to these two calls: the one place to listen.

    A Membership's own fields come with the list that holds it (fingerprinted); its
    enterprise and alliance are Items, tracked when their fields are read.

    `fold`, when set, transforms each template's tree once when it is compiled (the
    theme's fixed translations become text); `fold_salt` names it for bytecode caches."""

    fold: Any = None
    fold_salt = ""

    def _parse(self, source: str, name: str | None, filename: str | None) -> Any:
        tree = super()._parse(source, name, filename)
        return self.fold(tree) if self.fold is not None else tree

    def getattr(self, obj: Any, attribute: str) -> Any:
        if _current:
            _read(obj, attribute)
        # Jinja's own, inlined: this runs for every `x.y` of every page.
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if _current:
            _read(obj, argument)
        return super().getitem(obj, argument)


class ModelView:
    """The model as templates see it: each attribute read is a dependency on that index."""

    def __init__(self, model: Model) -> None:
        self._model = model

    def __getattr__(self, name: str) -> Any:
        track_key(("m", name))
        return getattr(self._model, name)

    def term(self, taxonomy: str, name: str) -> Term | None:
        track_key(("t", taxonomy, name))
        return self._model.term(taxonomy, name)

    def get(self, kind: str, slug: str) -> Item | None:
        track_key(("i", kind, slug))
        return self._model.get(kind, slug)

    def region_of(self, item: Item) -> Term | None:
        track(item)
        term = self._model.region_of(item)
        track(term)
        return term

    def alliances_of_station(self, station: Item) -> tuple[Item, ...]:
        track(station)
        found = self._model.alliances_of_station(station)
        track(found)
        return found


def tracked(function: Any) -> Any:
    """Wrap a template helper so the records passed to it count as read."""

    def call(*args: Any, **kwargs: Any) -> Any:
        track(*args, *kwargs.values())
        return function(*args, **kwargs)

    return call


# ---- digests ----------------------------------------------------------------------------

def shape(value: Any) -> Any:
    """A value reduced to what identifies it: records by key, containers by content."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    if kind is Item:
        return value.ref
    if kind is list or kind is tuple:  # mostly lists of records: those without a call
        return [v.ref if (t := type(v)) is Item
                else v.ref if t is Membership else shape(v) for v in value]
    if kind is dict:  # mostly a page task's values: text keys, records and lists
        return [(k if type(k) is str else shape(k),
                 v.ref if type(v) is Item else shape(v))
                for k, v in value.items()]
    if kind is Term:
        return ("T", value.taxonomy, value.name)
    if kind is Membership:
        return value.ref
    if isinstance(value, PartialDate | Markup):
        return repr(value)
    if is_dataclass(value) and not isinstance(value, type):
        return [kind.__name__] + [shape(getattr(value, f.name)) for f in fields(value)]
    if hasattr(value, "items"):  # a read-only mapping
        return [(shape(k), shape(v)) for k, v in value.items()]
    if isinstance(value, list | tuple):
        return [shape(v) for v in value]
    return repr(value)


_PLAIN = frozenset({str, int, float, bool, type(None)})


def digest(value: Any) -> str:
    """A digest of a plain value (what shape() gives): its marshal bytes, five times
    faster to make than its repr. Version 2 is canonical: no back-references and no
    interning mark, so equal values encode alike however they share objects."""
    try:
        data = b"m" + marshal.dumps(value, 2)
    except ValueError:  # a str subclass (Markup) or an object marshal does not take
        data = b"r" + repr(value).encode("utf-8")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# The fields linking may change (a reference to a draft dropped, an image path resolved);
# all the rest of an item's data is a pure function of its file's bytes.
_LINKED = ("memberships", "alliances", "enterprises", "alliance", "enterprise", "logo",
           "cover", "photo", "chain_owner")


def item_digest(item: Item) -> str:
    """Everything of an item a page can show: its file's bytes (item.digest), the linked
    fields, its flags, and its body when that comes from another file (an alliance's
    index.md). Its data, body and Markdown lines are otherwise functions of its file."""
    data = item.data
    linked = [(k, _plain(data[k])) for k in _LINKED if k in data]
    body = (hashlib.blake2b((item.body or "").encode("utf-8")).hexdigest()
            if item.body_file else "")
    return digest((item.record_kind, item.slug, item.file, item.digest, linked, body,
                   item.body_line, item.body_file, item.draft, item.future))


def _plain(value: Any) -> Any:
    """`value` itself when marshal takes it (plain data: the common case, no copy), else
    its shape."""
    try:
        marshal.dumps(value, 2)
    except ValueError:
        return shape(value)
    return value


def value_digest(value: Any) -> str:
    """The digest of one field's value; a short text or number stands for itself (no hash
    to make: most fields read are names and labels)."""
    kind = type(value)
    if kind is str and len(value) <= 64:
        return "=" + value
    if kind is int or kind is bool or value is None:
        return f"={kind.__name__}:{value}"
    return digest(shape(value))


class Digests:
    """The current digest of each dependency key, computed once per build."""

    def __init__(self, model: Model, find_link: Any, known: PageMemo | None = None,
                 sources: dict[tuple[str, str], str] | None = None,
                 same_data: bool = False) -> None:
        self.model = model
        self.find_link = find_link  # target → what a Markdown link to it resolves to
        self._memo: dict[DepKey, str] = {}
        # The previous build's table, when its world is this one's: the digest of a key of
        # a record whose files are unchanged (`sources`: source_signature by item key) is
        # the one in there, not worth making again (71,000 keys at N=300). With
        # `same_data` (no record's data changed, only bodies), so is the digest of a term
        # or of one of the model's lists: made of the records' data and keys only.
        self._known = known
        self._sources = sources or {}
        self._same = same_data and known is not None
        self._table: tuple[PageMemo, list[str], set[int]] | None = None

    def of(self, key: DepKey) -> str:
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._carried(key) or self._compute(key)
        return found

    def _carried(self, key: DepKey) -> str | None:
        known = self._known
        if known is None or (key[0] != "i" and key[0] != "f"):
            return None
        item = (key[1], key[2])
        signature = self._sources.get(item)
        if signature is None or known.sources.get(item) != signature:
            return None
        n = known.position(key)
        return None if n is None else known.digests[n]

    def _compute(self, key: DepKey) -> str:
        kind = key[0]
        if kind == "i":
            item = self.model.get(key[1], key[2])
            return item_digest(item) if item is not None else "-"
        if kind == "f":
            item = self.model.get(key[1], key[2])
            if item is None:
                return "-"
            name = key[3]
            if name in _VALUES or not hasattr(Item, name):
                value = getattr(item, name) if name in _VALUES else item.data.get(name, "?")
                return value_digest(value)
            return item_digest(item)
        if kind == "t":
            term = self.model.term(key[1], key[2])
            if term is None:
                return "-"
            return digest((term.slug, term.parent, [i.key for i in term.items]))
        if kind == "m":
            return digest(shape(getattr(self.model, key[1], None)))
        if kind == "l":
            return str(self.find_link(key[1]))
        return "?"

    def table_now(self, memo: PageMemo) -> list[str]:
        """The digest now of every key in `memo`'s table, in its order. Keys of records
        whose files are unchanged keep theirs without a lookup each (when `memo` is the
        known table)."""
        return self._now(memo)[0]

    def changed(self, memo: PageMemo) -> set[int]:
        """The keys of `memo` (by number) whose digest is not what it was."""
        return self._now(memo)[1]

    def _now(self, memo: PageMemo) -> tuple[list[str], set[int]]:
        if self._table is not None and self._table[0] is memo:
            return self._table[1], self._table[2]
        of, keys, before = self.of, memo.keys, memo.digests
        if self._known is not memo:
            table = [of(k) for k in keys]
            changed = {n for n, (now, d) in enumerate(zip(table, before, strict=True))
                       if now != d}
        else:
            sources, known = self._sources, memo.sources
            stale = {i for i, sig in sources.items() if known.get(i) != sig}
            stale.update(i for i in known if i not in sources)
            slugs = {slug for _, slug in stale}
            same = self._same
            verify = same and bool(os.environ.get("SITE_BUILDER_VERIFY_REUSE"))
            # Start from the table as it was; make again only what may have changed.
            table = list(before)
            changed = set()
            for n, k in enumerate(keys):
                kind = k[0]
                if kind == "i" or kind == "f":
                    if k[2] not in slugs or (k[1], k[2]) not in stale:
                        continue
                elif same and (kind == "t" or kind == "m"):
                    if verify and of(k) != before[n]:  # the tests' check (render_site)
                        raise AssertionError(f"same data, but {k} changed")
                    continue
                now = table[n] = of(k)
                if now != before[n]:
                    changed.add(n)
        self._table = (memo, table, changed)
        return table, changed


def source_signature(item: Item) -> str:
    """What an item is read from: its file's digest, and its body's when that comes from
    another file (an alliance's index.md)."""
    if not item.body_file:
        return item.digest
    return item.digest + hashlib.blake2b((item.body or "").encode("utf-8"),
                                         digest_size=16).hexdigest()


def world_signature(model: Model) -> str:
    """Everything besides a record's own files that decides what it is once linked: which
    records are published (references to the others are dropped), which files exist
    (images), today (stories from the future), and the code that validates and links.
    While it stays the same, a record with the same source_signature has the same digests."""
    return digest((cachefile.code_stamp(), sorted(model.index),
                   sorted(a.path for a in model.assets), str(model.config.today),
                   str(model.content_dir)))


# ---- the memo ---------------------------------------------------------------------------

@dataclass
class PageEntry:
    fingerprint: str
    deps: tuple[int, ...]  # what the page read: numbers of keys in its memo's table
    stat: tuple[int, int, int] | None = None  # (size, mtime_ns, inode) of the written file


@dataclass
class PageMemo:
    """What each page was made of last time. `setting` covers everything global; `keys`
    lists every key some page read, `digests` (same order) its digest when read.

    The table is carried from build to build, new keys appended, so a reused page keeps
    its numbers: renumbering 18,000 pages' 430,000 reads took 0.3 s of every rebuild. It
    is compacted (keys no page reads any more dropped) once it has grown by half."""

    setting: str = ""
    entries: dict[str, PageEntry] = field(default_factory=dict)
    keys: list[DepKey] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    compacted: int = 0  # len(keys) when last compacted
    # The world_signature and every item's source_signature when `digests` were all taken.
    world: str = ""
    sources: dict[tuple[str, str], str] = field(default_factory=dict)
    _index: dict[DepKey, int] | None = field(default=None, repr=False, compare=False)
    # The stamp of the file it was loaded from (cachefile.load_stamped), if any.
    loaded_from: cachefile.Stamp | None = field(default=None, repr=False, compare=False)

    def position(self, key: DepKey) -> int | None:
        if self._index is None:
            self._index = {k: n for n, k in enumerate(self.keys)}
        return self._index.get(key)

    def lookup(self, setting: str) -> dict[str, PageEntry]:
        return self.entries if setting == self.setting else {}

    def successor(self, setting: str, digests_now: list[str], world: str = "",
                  sources: dict[tuple[str, str], str] | None = None) -> PageMemo:
        """An empty memo for this build that keeps (a copy of) the previous one's table
        with every digest as it is now (Digests.table_now): the next build carries those
        of unchanged records, so none may stay old, not even a key no page read again."""
        sources = sources if sources is not None else {}
        if setting != self.setting or len(digests_now) != len(self.keys):
            return PageMemo(setting, world=world, sources=sources)  # a fresh table
        return PageMemo(setting, {}, list(self.keys), list(digests_now), self.compacted,
                        world, sources)

    def number(self, key: DepKey, digest_now: str) -> int:
        """The number of `key`, recording `digest_now` as its digest."""
        n = self.position(key)
        if n is None:
            assert self._index is not None
            n = self._index[key] = len(self.keys)
            self.keys.append(key)
            self.digests.append(digest_now)
        else:
            self.digests[n] = digest_now
        return n

    def _compact(self) -> None:
        used = sorted({n for e in self.entries.values() for n in e.deps})
        renumber = {old: new for new, old in enumerate(used)}
        for e in self.entries.values():
            e.deps = tuple(renumber[n] for n in e.deps)
        self.keys = [self.keys[n] for n in used]
        self.digests = [self.digests[n] for n in used]
        self.compacted = len(self.keys)
        self._index = None

    def save(self, path: Path) -> None:
        if len(self.keys) > max(1000, self.compacted * 3 // 2):
            self._compact()
        rows = [(page, e.fingerprint, e.deps, e.stat) for page, e in self.entries.items()]
        cachefile.save(path, (MEMO_VERSION,),
                       (self.setting, self.keys, self.digests, self.compacted, rows,
                        self.world, self.sources))

    @classmethod
    def load(cls, path: Path) -> PageMemo:
        value, stamp = cachefile.load_stamped(path, (MEMO_VERSION,))
        memo = cls._from_value(value)
        memo.loaded_from = stamp
        return memo

    @classmethod
    def _from_value(cls, value: Any) -> PageMemo:
        try:
            setting, keys, digests, compacted, rows, world, sources = value
            if (len(keys) != len(digests) or not isinstance(keys, list)
                    or not isinstance(sources, dict)):
                return cls()
            size = len(keys)
            entries = {}
            for page, fp, ids, stat in rows:
                if ids and not 0 <= max(ids) < size:
                    return cls()  # damaged: start afresh
                entries[page] = PageEntry(fp, ids, tuple(stat) if stat else None)
            return cls(setting, entries, keys, list(digests), compacted, world, sources)
        except (ValueError, TypeError, IndexError):
            return cls()  # missing, damaged or from another version: start afresh


# ---- where the previous pages are ---------------------------------------------------------

class PageStore(abc.ABC):
    """The previous build's pages and what they were made of; `pending` is this build's."""

    def __init__(self) -> None:
        self.memo = PageMemo()
        self.pending: PageMemo | None = None
        self.reused = 0

    def setting_prefix(self) -> str:
        return ""

    @abc.abstractmethod
    def fetch(self, file: str, entry: PageEntry) -> Any:
        """The previous bytes of page `file`, as an Output, if they are still there."""

    @abc.abstractmethod
    def commit(self, outputs: Iterable[Any]) -> None:
        """The build was kept: what it rendered is what the next build compares with."""


class MemoryStore(PageStore):
    """For the preview server: the last good site is in memory anyway."""

    def __init__(self) -> None:
        super().__init__()
        self.previous: dict[str, bytes] = {}

    def fetch(self, file: str, entry: PageEntry) -> Any:
        from site_builder.core.outputs import Output

        data = self.previous.get(file)
        return None if data is None else Output(file, data)

    def commit(self, outputs: Iterable[Any]) -> None:
        if self.pending is None:
            return
        self.memo, self.pending = self.pending, None
        self.previous = {o.path: o.data for o in outputs if o.path in self.memo.entries}


class DiskStore(PageStore):
    """For `build`: pages are reused from output/ when the file is the one we wrote."""

    def __init__(self, cache_dir: Path, out_dir: Path,
                 checked: Callable[[cachefile.Stamp | None], set[str] | None] | None = None
                 ) -> None:
        """`checked`: which pages are not as stamped, given the stamp of the memo file
        read (lookahead.py checks them in another process while this one works)."""
        super().__init__()
        self.path = cache_dir / MEMO_FILE
        self.out_dir = out_dir.absolute()
        self._out = str(self.out_dir)
        memo = PageMemo.load(self.path)
        self._memo_stamp = memo.loaded_from
        # The memo describes one output folder; another folder starts afresh.
        self.memo = memo if memo.setting.startswith(f"{self.out_dir}|") else PageMemo()
        self._checked = checked
        self._mismatched: set[str] | None = None

    def fetch(self, file: str, entry: PageEntry) -> Any:
        from site_builder.core.outputs import Output

        path = f"{self._out}/{file}"  # strings, not Paths: 18,000 pages a rebuild
        if self._checked is not None:  # asked once, when the first page is fetched
            self._mismatched, self._checked = self._checked(self._memo_stamp), None
        if self._mismatched is not None and entry.stat is not None:
            if file in self._mismatched:
                return None
            return Output(file, None, origin=path, stat=entry.stat)
        try:
            st = os.stat(path)
        except OSError:
            return None
        stat = (st.st_size, st.st_mtime_ns, st.st_ino)
        if entry.stat != stat:
            return None  # changed or replaced since we wrote it
        return Output(file, None, origin=path, stat=stat)

    def setting_prefix(self) -> str:
        return f"{self.out_dir}|"

    def commit(self, outputs: Iterable[Any]) -> None:
        if self.pending is None:
            return
        memo, self.pending = self.pending, None
        for file, entry in memo.entries.items():
            if entry.stat is not None:
                continue  # reused: the same file (inode) as the one stat-checked in fetch
            try:
                st = (self.out_dir / file).stat()
            except OSError:
                continue
            entry.stat = (st.st_size, st.st_mtime_ns, st.st_ino)
        memo.entries = {f: e for f, e in memo.entries.items() if e.stat is not None}
        memo.save(self.path)  # in a read-only site folder the next build renders all
        self.memo = memo
