"""What a page reads while it renders (records, fields, terms, model indexes, site links),
recorded as dependency keys."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import jinja2

from site_builder.link.model import Item, Membership, Model, Term

# ('i', kind, slug): a whole record; ('f', kind, slug, field): one field of it;
# ('t', taxonomy, name): a term; ('m', attr): an index of the model; ('l', target): a link.
DepKey = tuple[str, ...]

# What reading each attribute of an Item depends on: 0 nothing, 1 that field, 2 the record.
_ITEM_READS: dict[str, int] = {}


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
