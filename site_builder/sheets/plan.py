"""Plan an import: match each would-be record to its file, work out the edits, validate the
result with the build's own `validate_doc` (problems mapped back to cells), then write all
or nothing."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.core.diagnostics import Diagnostic, Report
from site_builder.core.pinyin import term_slug
from site_builder.core.positions import KeyPath, Positions, format_key
from site_builder.load.files import is_ignored, read_record
from site_builder.load.sourcedoc import SourceDoc
from site_builder.sheets.columns import (
    COLUMNS,
    KIND_OF,
    NAME_KEY,
    canon_enum,
    cell_date,
    cell_number,
    cell_text,
    split_list,
)
from site_builder.sheets.newfile import new_file_text
from site_builder.sheets.read import find_sheet, read_tables
from site_builder.sheets.records import Draft, Names, make_drafts
from site_builder.sheets.yamledit import apply_edits
from site_builder.validate.schema import SLUG_MAX, validate_doc

_DEFAULTS: dict[KeyPath, str] = {("location", "coord_system"): "wgs84", ("status",): "征集中"}
_SUFFIXES = ("有限责任公司", "股份有限公司", "有限公司", "集团公司")


@dataclass
class Change:
    action: str  # new, update, same
    rel: str  # relative to content/
    text: str
    old: bytes | None
    draft: Draft
    changed: list[str] = field(default_factory=list)  # key paths, for the plan


@dataclass
class Plan:
    kind: str  # enterprise, station, listing
    changes: list[Change]
    report: Report

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)


def read_existing(content: Path, folder: str, report: Report) -> dict[str, SourceDoc]:
    """The records of one folder, by file name."""
    out: dict[str, SourceDoc] = {}
    base = content / folder
    if not base.is_dir():
        return out
    kind = KIND_OF.get(folder, "enterprise")
    for path in sorted(base.iterdir()):
        if path.suffix in (".yaml", ".yml") and not is_ignored(path.name) and path.is_file():
            out[path.stem] = read_record(path, f"{folder}/{path.name}", kind, path.stem, report)
    return out


def read_names(content: Path, enterprises: dict[str, SourceDoc] | None) -> dict[str, Names]:
    """Alliances (by full name, short name, folder) and enterprises, for the name columns."""
    names = {"alliance": Names(), "enterprise": Names()}
    root = content / "alliances"
    for folder in sorted(root.iterdir()) if root.is_dir() else ():
        doc = folder / "alliance.yaml"
        if doc.is_file():
            read = read_record(doc, f"alliances/{folder.name}/alliance.yaml", "alliance",
                               folder.name, Report())
            data = read.data if isinstance(read.data, dict) else {}
            names["alliance"].add(folder.name, data.get("name"), data.get("short_name"))
    if enterprises is None:
        enterprises = read_existing(content, "enterprises", Report())
    for slug, doc in enterprises.items():
        data = doc.data if isinstance(doc.data, dict) else {}
        names["enterprise"].add(slug, data.get("name"), data.get("short_name"))
    return names


Geocoder = Callable[[list[tuple[Draft, bool]], Report], None]


def make_plan(content: Path, folder: str, file: Path, report: Report,
              geocode: Geocoder | None = None) -> Plan:
    """Everything the import would do, and every problem it found, writing nothing."""
    kind = KIND_OF[folder]
    existing = read_existing(content, folder, Report())
    names = read_names(content, existing if kind == "enterprise" else None)
    sheet = find_sheet(read_tables(file, report), file.name, kind, report)
    drafts = make_drafts(sheet, kind, names, report) if sheet else []
    by_name: dict[str, str] = {}
    for slug, doc in existing.items():
        if isinstance(doc.data, dict):
            by_name.setdefault(cell_text(doc.data.get(NAME_KEY[kind])), slug)
    matched = [(d, existing.get(d.slug or by_name.get(d.name, "") or "")) for d in drafts]
    if geocode is not None:
        geocode([(d, doc is not None and isinstance(doc.data, dict)
                  and "location" in doc.data) for d, doc in matched], report)
    taken = set(existing)
    changes = []
    for draft, doc in matched:
        if doc is None:
            changes.append(_new(draft, folder, taken, report))
        else:
            changes.append(_update(draft, doc, folder, content, report))
    return Plan(kind, changes, report)


def _slug_for(draft: Draft, taken: set[str]) -> str:
    if draft.slug:
        return draft.slug
    base = draft.name
    for suffix in _SUFFIXES:  # 有限公司 adds length, not meaning
        if base.endswith(suffix) and len(base) > len(suffix) + 1:
            base = base[: -len(suffix)]
            break
    base = term_slug(base)[:SLUG_MAX - 4].strip("-") or "item"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _new(draft: Draft, folder: str, taken: set[str], report: Report) -> Change:
    slug = _slug_for(draft, taken)
    taken.add(slug)
    data: dict[str, Any] = {}
    cells: dict[KeyPath, str] = {}
    for path, value in draft.values.items():
        _set(data, path, value)
        cells[path] = draft.cells[path]
    if draft.memberships:
        data["memberships"] = draft.memberships
        for i, mc in enumerate(draft.member_cells):
            for k, cell in mc.items():
                if k:
                    cells[("memberships", i, k)] = cell
    rel = f"{folder}/{slug}.yaml"
    _validate(SourceDoc(draft.kind, slug, rel, data, Positions()), draft, cells, report,
              existing=False)
    return Change("new", rel, new_file_text(draft.kind, data, draft.row_cell), None, draft)


def _update(draft: Draft, doc: SourceDoc, folder: str, content: Path, report: Report
            ) -> Change:
    old = (content / doc.path).read_bytes()
    if not isinstance(doc.data, dict):  # the file itself is broken: say so, change nothing
        report.emit("sheet-file-broken", draft.row_cell, file=doc.path)
        return Change("same", doc.path, "", old, draft)
    edits, cells = _edits(draft, doc)
    data = copy.deepcopy(doc.data)
    for path, value in edits:
        _set(data, path, value)
    edited = {p for p, _ in edits}
    raw = {p: t for p, t in doc.positions.raw.items()
           if not any(p[: len(e)] == e for e in edited)}
    positions = Positions(doc.positions.keys, doc.positions.values, raw)
    _validate(SourceDoc(doc.kind, doc.slug, doc.path, data, positions), draft, cells, report,
              existing=True)
    if not edits:
        return Change("same", doc.path, "", old, draft)
    text = apply_edits(old.decode("utf-8-sig"), edits)
    if old.startswith(b"\xef\xbb\xbf"):
        text = "\ufeff" + text
    return Change("update", doc.path, text, old, draft, [format_key(p) for p, _ in edits])


_TYPES = {tuple(c.key.split(".")): c for cols in COLUMNS.values() for c in cols}


def _canon(path: KeyPath, value: Any) -> Any:
    """A value from a file or a cell in one comparable form."""
    col = _TYPES.get(tuple(p for p in path if isinstance(p, str)))
    if value is None:
        return _DEFAULTS.get(path)
    t = col.type if col is not None else "text"
    if t in ("float", "int"):
        return cell_number(value, t == "int")
    if t == "date":
        return cell_date(value)
    if t == "enum" and col is not None and col.enum is not None:
        return canon_enum(col.enum, value)
    if t in ("list", "alliances"):
        return [cell_text(v) for v in value] if isinstance(value, list) else split_list(value)
    return cell_text(value)


def _get(data: Any, path: KeyPath) -> Any:
    for part in path:
        if isinstance(data, dict) and isinstance(part, str):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _set(data: Any, path: KeyPath, value: Any) -> None:
    for i, part in enumerate(path[:-1]):
        nxt = path[i + 1]
        if isinstance(data, dict):
            if not isinstance(data.get(part), dict | list):
                data[part] = [] if isinstance(nxt, int) else {}
            data = data[part]
        else:
            if part >= len(data):
                data.append([] if isinstance(nxt, int) else {})
            data = data[part]
    if isinstance(data, list) and path[-1] >= len(data):
        data.append(value)
    else:
        data[path[-1]] = value


def _edits(draft: Draft, doc: SourceDoc) -> tuple[list[tuple[KeyPath, Any]], dict]:
    """What changes: only values the sheet gives and the file holds differently."""
    edits: list[tuple[KeyPath, Any]] = []
    cells: dict[KeyPath, str] = {}
    raw = doc.positions.raw
    for path, value in draft.values.items():
        cells[path] = draft.cells[path]
        old = raw.get(path, _get(doc.data, path))
        if _canon(path, old) != _canon(path, value):
            edits.append((path, value))
    members = doc.data.get("memberships")
    members = members if isinstance(members, list) else []
    added: list[dict[str, Any]] = []
    for m, mc in zip(draft.memberships, draft.member_cells, strict=True):
        index = next((i for i, x in enumerate(members) if isinstance(x, dict)
                      and cell_text(x.get("alliance")) == m.get("alliance")), None)
        if index is None:
            index = len(members) + len(added)
            added.append(m)
            if members:  # appended after the file's last item
                edits.append((("memberships", index), m))
        else:
            for k, v in m.items():
                p = ("memberships", index, k)
                if _canon(p, _get(doc.data, p)) != _canon(p, v):
                    edits.append((p, v))
        cells.update({("memberships", index, k): c for k, c in mc.items() if k})
    if added and not members:  # the file has no list yet: write it whole
        edits.append((("memberships",), added))
    return edits, cells


def _validate(doc: SourceDoc, draft: Draft, cells: dict[KeyPath, str], report: Report,
              existing: bool) -> None:
    """The build's own checks, each problem moved to the cell its value came from."""
    found = Report()
    validate_doc(doc, found)
    by_key = {format_key(p): c for p, c in cells.items()}
    for d in found.items:
        key = str(d.args.get("name", d.key)) if d.code == "missing-key" else d.key
        if re.sub(r"\[\d+\]", "", key) in draft.failed:
            continue  # the cell was reported already (an unknown alliance)
        cell = _cell_for(key, by_key)
        if d.code == "bad-slug":
            cell = draft.cells.get(("slug",), draft.row_cell)
        if cell is None and existing and d.line is not None:
            report.add(d)  # a problem already in the file, not from the sheet
            continue
        report.add(Diagnostic(d.code, cell or draft.row_cell, None, None, d.key, d.args))


def _cell_for(key: str, by_key: dict[str, str]) -> str | None:
    while key:
        if key in by_key:
            return by_key[key]
        cut = max(key.rfind("."), key.rfind("["))
        key = key[:cut] if cut > 0 else ""
    return None
