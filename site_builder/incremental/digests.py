"""Digests of what pages read (records, terms, model indexes) and of the world they were
linked in: a page is rendered again when a digest of one of its dependencies changed."""

from __future__ import annotations

import hashlib
import marshal
from dataclasses import fields, is_dataclass
from typing import Any

from markupsafe import Markup

from site_builder.core import cachefile
from site_builder.core.dates import PartialDate
from site_builder.incremental.deps import _VALUES, DepKey
from site_builder.incremental.pages import PageMemo
from site_builder.link.model import Item, Membership, Model, Term


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
            # Start from the table as it was; make again only what may have changed.
            table = list(before)
            changed = set()
            for n, k in enumerate(keys):
                kind = k[0]
                if kind == "i" or kind == "f":
                    if k[2] not in slugs or (k[1], k[2]) not in stale:
                        continue
                elif same and (kind == "t" or kind == "m"):
                    continue  # no record's data changed (tests/integration/test_incremental)
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
