"""SourceDoc: one content file as read (data, positions, Markdown body), and the marshal rows
it travels as between parse workers and in the memo (packed until read)."""

from __future__ import annotations

import datetime as dt
import marshal
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.core.positions import KeyPath, Positions

MARKDOWN_FIELDS = ("description",)  # YAML keys whose text is Markdown


class _Tail:
    """A memo document's data and positions, still marshal bytes until asked for: a
    rebuild whose validation is memoised needs neither (decoding them for 18,000 files
    took most of the 0.4 s of reading the memo)."""

    __slots__ = ("_value", "blob")

    def __init__(self, blob: bytes) -> None:
        self.blob = blob
        self._value: tuple[Any, Mapping[KeyPath, str], bytes, Any] | None = None

    def value(self) -> tuple[Any, Mapping[KeyPath, str], bytes, Any]:
        """(data, raw, packed positions, top positions), decoded once."""
        if self._value is None:
            data, dates, raw, packed, top = marshal.loads(self.blob)
            self._value = (_with_dates(data, dates), raw, packed, top)
        return self._value


class SourceDoc:
    """One content record as read from disk: data, positions, Markdown body.

    A document from the memo keeps its data and positions packed (`_Tail`) until read."""

    __slots__ = ("_data", "_lines", "_tail", "body", "body_line", "digest", "kind", "ok",
                 "path", "positions", "slug")

    def __init__(self, kind: str, slug: str, path: str, data: Any, positions: Positions,
                 body: str | None = None, body_line: int = 1, digest: str = "") -> None:
        self.kind = kind
        self.slug = slug
        self.path = path  # relative to content/, forward slashes
        self._data = data
        self.positions = positions
        self.body = body
        self.body_line = body_line  # 1-based line of the body's first line
        self.digest = digest
        self.ok = True  # False when the file could not be read or parsed at all (failed())
        self._tail: _Tail | None = None
        self._lines: Mapping[str, int] | None = None

    @classmethod
    def failed(cls, kind: str, slug: str, path: str, digest: str, body: str | None = None,
               body_line: int = 1) -> SourceDoc:
        """A file that could not be read or parsed at all (its problems are reported)."""
        doc = cls(kind, slug, path, None, Positions(), body, body_line, digest)
        doc.ok = False
        return doc

    @classmethod
    def packed(cls, row: tuple[Any, ...], tail: _Tail) -> SourceDoc:
        """A document from the memo: its data and positions stay packed until read."""
        kind, slug, path, body, body_line, digest, ok, lines = row
        doc = cls(kind, slug, path, None, Positions(tail=tail), body, body_line, digest)
        doc.ok, doc._tail, doc._lines = ok, tail, lines
        return doc

    @property
    def data(self) -> Any:
        if self._tail is not None:
            self._data = self._tail.value()[0]
        return self._data

    @property
    def lines(self) -> Mapping[str, int]:
        """The line where each top-level Markdown field's text starts (kept in the memo's
        head: linking needs it for every record)."""
        if self._lines is None:
            data = self.data
            self._lines = {k: self.positions.of_value((k,))[0] or 1 for k in MARKDOWN_FIELDS
                           if isinstance(data, dict) and k in data}
        return self._lines

    def _fields(self) -> tuple[Any, ...]:
        return (self.kind, self.slug, self.path, self.data, self.positions, self.body,
                self.body_line, self.digest, self.ok)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceDoc):
            return NotImplemented
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((self.kind, self.slug, self.path, self.digest))

    def __repr__(self) -> str:
        return f"SourceDoc({self.kind!r}, {self.slug!r}, {self.path!r}, ok={self.ok})"


@dataclass(frozen=True)
class AssetFile:
    """A file that is copied as it is: media, alliance images."""

    path: str  # relative to content/
    abspath: Path


@dataclass(frozen=True)
class Sources:
    site: SourceDoc | None
    docs: tuple[SourceDoc, ...]
    assets: tuple[AssetFile, ...]
    content_dir: Path
    # Files the parse workers also validated without a problem: their validation memo row
    # (validmemo), so the parent need not validate 18,000 records alone.
    validated: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)


# rel → ((size, mtime_ns, inode), the document read from it): kept by the preview server.
DocMemo = dict[str, tuple[tuple[int, int, int], "SourceDoc"]]


def _at(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


def doc_to_row(d: SourceDoc) -> tuple[Any, ...]:
    """A document as plain values marshal can store: a head read by every build and a
    tail (data and positions, as marshal bytes) read only when the document is.

    Dates are the only values YAML makes that marshal cannot store; each is one of the
    document's non-text scalars (listed in positions.raw), stored apart as ISO text and put
    back in place when read."""
    head = (d.kind, d.slug, d.path, d.body, d.body_line, d.digest, d.ok, dict(d.lines))
    if d._tail is not None:  # never unpacked: the same bytes again
        return (*head, d._tail.blob)
    data, dates = d.data, []
    for path in d.positions.raw:
        value = _at(d.data, path)
        if isinstance(value, dt.date):
            dates.append((path, isinstance(value, dt.datetime), value.isoformat()))
    if dates:
        data = _without_dates(d.data)
    tail = marshal.dumps((data, dates, dict(d.positions.raw), d.positions.pack(),
                          dict(d.positions.top)))
    return (*head, tail)


def _without_dates(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_dates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_dates(v) for v in value]
    return None if isinstance(value, dt.date) else value


def _with_dates(data: Any, dates: list[Any]) -> Any:
    for where, is_datetime, text in dates:
        value = (dt.datetime if is_datetime else dt.date).fromisoformat(text)
        if where:
            _at(data, where[:-1])[where[-1]] = value
        else:  # the whole file is one date (the schema will say it is not a mapping)
            data = value
    return data


def doc_from_row(row: tuple[Any, ...]) -> SourceDoc:
    return SourceDoc.packed(row[:-1], _Tail(row[-1]))
