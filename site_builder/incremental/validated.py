"""Validation results kept in `.cache/` for the next `build` (a fresh process).

Validating a record is a pure function of its file's bytes and of the schema's code, so a
result is stored under the file's digest, in a table stamped with that code's own bytes:
an edited schema (even without a new version number) makes the table unreadable, not
wrong. Only records that validated without a problem are kept (problems must be reported
again by every build). At N=300 this spares a rebuild validating 18,000 records (0.4 s).
"""

from __future__ import annotations

import marshal
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from site_builder.core import cachefile
from site_builder.core.dates import PartialDate
from site_builder.core.diagnostics import Report
from site_builder.core.positions import KeyPath, Positions
from site_builder.load.sourcedoc import SourceDoc
from site_builder.validate import schema
from site_builder.validate.schema import Validated

VALID_MEMO_FILE = "validated.marshal"
VALID_MEMO_VERSION = 1


def _header() -> tuple[Any, ...]:
    return (VALID_MEMO_VERSION,)  # cachefile adds the code stamp


shard_of = cachefile.shard_of
SHARDS = cachefile.SHARDS


# ---- rows: what marshal can store --------------------------------------------------------

def _dates_in(value: Any, path: KeyPath, found: list[Any]) -> Any:
    """`value` with every PartialDate replaced by None, their places listed in `found`."""
    kind = type(value)
    if kind is dict:
        return {k: _dates_in(v, (*path, k), found) for k, v in value.items()}
    if kind is list or kind is tuple:
        out = [_dates_in(v, (*path, i), found) for i, v in enumerate(value)]
        return out if kind is list else tuple(out)
    if kind is PartialDate:
        found.append((path, value.year, value.month, value.day))
        return None
    return value


def to_row(v: Validated) -> tuple[Any, ...]:
    found: list[Any] = []
    data = _dates_in(v.data, (), found)
    # Usually the document's own positions; a promoted shorthand made new ones.
    own = v.positions is v.doc.positions
    return (v.doc.digest, data, found, None if own else v.positions.pack(),
            None if own else dict(v.positions.raw))


def from_row(doc: SourceDoc, row: tuple[Any, ...]) -> Validated | None:
    """The Validated a row holds, for `doc` as it is now (None if it changed since). It
    takes the row's data as its own: the row is not to be read again (same_data only
    reads rows of changed files)."""
    digest, data, found, packed, raw = row
    if digest != doc.digest:
        return None  # the file changed since
    for path, year, month, day in found:
        value = PartialDate(year, month, day)
        if path:
            parent = data
            for part in path[:-1]:
                parent = parent[part]
            if isinstance(parent, tuple):  # rebuilt: tuples cannot be assigned into
                return None
            parent[path[-1]] = value
        else:
            data = value
    positions = doc.positions if packed is None else Positions(raw=raw, packed=packed)
    return Validated(doc, data, True, positions)


# ---- the memo on disk ----------------------------------------------------------------------

def load_validated(path: Path, docs: Iterable[SourceDoc], rows: dict[str, Any] | None = None
                   ) -> tuple[list[Validated], set[str]]:
    """The kept results for those of `docs` whose file is as it was then, and the files
    the memo holds (to know which shards a build must save again). `rows`, when given,
    gets the memo's rows by file, those of changed files too (see same_data)."""
    table: dict[str, Any] = rows if rows is not None else {}
    for shard in range(SHARDS):
        rows = cachefile.load_shard(path, shard, _header())
        if isinstance(rows, dict):
            table.update(rows)
    results = []
    for doc in docs if table else ():
        row = table.get(doc.path)
        if row is not None:
            try:
                found = from_row(doc, row)
            except (ValueError, TypeError, IndexError, KeyError):
                found = None  # damaged: validate it again
            if found is not None:
                results.append(found)
    return results, set(table)


def same_data(changed: Iterable[Validated], rows: dict[str, Any]) -> bool:
    """Whether each of these records, validated anew, has the data the memo's row of its
    file (the previous version) had: an edit of a Markdown body only."""
    for v in changed:
        old = rows.get(v.doc.path)
        if old is None or not storable(v):
            return False
        if old[0] == v.doc.digest:
            continue  # the same bytes (saved again unchanged): the same data
        try:  # as marshal bytes: == would take keys in another order, or 1 and 1.0, as equal
            if marshal.dumps(to_row(v)[1:3], 2) != marshal.dumps(tuple(old[1:3]), 2):
                return False
        except (TypeError, IndexError, ValueError):
            return False
    return True


def storable(v: Validated) -> bool:
    """Worth keeping: a record without problems (an alliance's index.md is not validated)."""
    return v.ok and v.doc.kind != "alliance_body"


def save_validated(path: Path, results: Iterable[Validated],
                   changed: Iterable[str] | None = None) -> None:
    """Keep the `results` (problem-free, see storable); with `changed` (files validated
    anew, or gone), only their shards are written."""
    shards = set(range(SHARDS)) if changed is None else {shard_of(rel) for rel in changed}
    if not shards:
        return
    rows: dict[int, dict[str, Any]] = {k: {} for k in shards}
    for v in results:
        shard = shard_of(v.doc.path)
        if shard in rows:
            rows[shard][v.doc.path] = to_row(v)
    cachefile.save_shards(path, _header(), rows)


def check_row(doc: SourceDoc) -> tuple[Any, ...] | None:
    """The validation row of a document a parse worker read, when validating it reports
    nothing (as the parent keeps a result: only then); None for the parent to validate."""
    if not doc.ok or doc.kind == "alliance_body":
        return None
    problems = Report()
    checked = schema.validate_doc(doc, problems)
    return to_row(checked) if not len(problems) and storable(checked) else None
