"""Rows → would-be records: cells converted by column, names of alliances and enterprises
resolved to file names, the rows of one enterprise in several alliances joined into one."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from site_builder.core.diagnostics import Report, closest
from site_builder.core.geo import bd09_to_gcj02
from site_builder.core.positions import KeyPath
from site_builder.sheets.columns import (
    CRS_NAMES,
    NAME_KEY,
    Column,
    canon_enum,
    cell_date,
    cell_number,
    cell_text,
    header_key,
    parse_coord,
    split_list,
)
from site_builder.sheets.read import Sheet, SheetRow
from site_builder.sheets.yamledit import Plain


@dataclass
class Names:
    """Names, short names and file names of existing records → their file name."""

    slugs: dict[str, str] = field(default_factory=dict)
    shown: list[str] = field(default_factory=list)

    def add(self, slug: str, *names: Any) -> None:
        for n in (slug, *names):
            if isinstance(n, str) and n.strip():
                self.slugs.setdefault(_loose(n), slug)
                self.shown.append(n.strip())

    def find(self, text: str) -> str | None:
        return self.slugs.get(_loose(text))


def _loose(text: str) -> str:
    """A name as matched: full-width as half, no spaces or quotes (“雨花红谷”, "雨花红谷")."""
    return re.sub(r"[\s\"'“”‘’「」『』]+", "", unicodedata.normalize("NFKC", text)).lower()


@dataclass
class Draft:
    """One record as the sheet gives it: values by key path, and the cell of each."""

    kind: str
    key: str  # what joins rows: the file name, else the name
    slug: str | None
    row_cell: str
    values: dict[KeyPath, Any] = field(default_factory=dict)
    cells: dict[KeyPath, str] = field(default_factory=dict)
    memberships: list[dict[str, Any]] = field(default_factory=list)
    member_cells: list[dict[str, str]] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)  # keys already reported (no second error)

    @property
    def name(self) -> str:
        return str(self.values.get((NAME_KEY[self.kind],), ""))


def _path(col: Column) -> KeyPath:
    return tuple(col.key.split("."))


def _convert(col: Column, raw: Any, cell: str, names: dict[str, Names], draft: Draft,
             report: Report) -> Any:
    """A cell's value for its column; None when it was reported and is left out."""
    t = col.type
    if t == "int" or t == "float":
        return cell_number(raw, t == "int")
    if t == "date":
        return Plain(cell_date(raw))
    if t == "enum" and col.enum is not None:
        return canon_enum(col.enum, raw)
    if t == "list":
        return split_list(raw)
    if t in ("alliance", "alliances", "enterprise"):
        table = names["enterprise" if t == "enterprise" else "alliance"]
        found = []
        for text in (split_list(raw) if t == "alliances" else [cell_text(raw)]):
            slug = table.find(text)
            if slug is None:
                hint = closest(text, table.shown, cutoff=0.4)
                code = "sheet-unknown-enterprise" if t == "enterprise" else \
                    "sheet-unknown-alliance"
                report.emit(code + ("" if hint else "-nosuggest"), cell, value=text,
                            suggestion=hint or "")
                draft.failed.add(col.key)
                return None
            found.append(slug)
        return found if t == "alliances" else found[0]
    return cell_text(raw)


def _row_values(row: SheetRow, names: dict[str, Names], draft: Draft, report: Report
                ) -> tuple[dict[KeyPath, Any], dict[KeyPath, str]]:
    values: dict[KeyPath, Any] = {}
    cells: dict[KeyPath, str] = {}
    crs: tuple[str, str] | None = None
    for col, (raw, cell) in row.values.items():
        if col.key == "coord":
            point = parse_coord(raw)
            if point is None:
                report.emit("sheet-bad-coordinate", cell, value=cell_text(raw))
                draft.failed.update(("location.lat", "location.lon"))
                continue
            for axis, v in zip(("lat", "lon"), point, strict=True):
                values.setdefault(("location", axis), v)
                cells.setdefault(("location", axis), cell)
            continue
        if col.key == "crs":
            found = CRS_NAMES.get(header_key(raw).replace(" ", ""))
            if found is None:
                report.emit("sheet-bad-coord-system", cell, value=cell_text(raw))
            else:
                crs = (found, cell)
            continue
        value = _convert(col, raw, cell, names, draft, report)
        if value is not None:
            values[_path(col)] = value
            cells[_path(col)] = cell
    if crs is not None:
        _set_crs(values, cells, crs, report)
    return values, cells


def _set_crs(values: dict[KeyPath, Any], cells: dict[KeyPath, str], crs: tuple[str, str],
             report: Report) -> None:
    """The datum; BD-09 points become GCJ-02 (the schema takes WGS-84 and GCJ-02 only)."""
    name, cell = crs
    lat, lon = values.get(("location", "lat")), values.get(("location", "lon"))
    if name == "bd09":
        if not (isinstance(lat, float | int) and isinstance(lon, float | int)):
            return  # nothing to convert: the missing point is reported by validation
        g_lat, g_lon = bd09_to_gcj02(float(lat), float(lon))
        values[("location", "lat")] = round(g_lat, 6)
        values[("location", "lon")] = round(g_lon, 6)
        report.emit("sheet-bd09-converted", cell, lat=round(g_lat, 6), lon=round(g_lon, 6))
        name = "gcj02"
    values[("location", "coord_system")] = name
    cells[("location", "coord_system")] = cell


def make_drafts(sheet: Sheet, kind: str, names: dict[str, Names], report: Report
                ) -> list[Draft]:
    """One draft per record; an enterprise's rows (same file name or name) joined."""
    drafts: dict[str, Draft] = {}
    name_key = (NAME_KEY[kind],)
    for row in sheet.rows:
        probe = Draft(kind, "", None, row.first_cell)
        values, cells = _row_values(row, names, probe, report)
        slug = values.pop(("slug",), None)
        slug_cell = cells.pop(("slug",), None)
        key = slug or values.get(name_key)
        if not key:
            report.emit("sheet-missing-name", row.first_cell, row=row.number)
            continue
        draft = drafts.get(key)
        if draft is None:
            draft = drafts[key] = Draft(kind, key, slug, row.first_cell)
            if slug_cell:
                draft.cells[("slug",)] = slug_cell
        elif kind != "enterprise":
            report.emit("sheet-duplicate-row", cells.get(name_key, row.first_cell), name=key,
                        first=draft.row_cell)
            continue
        draft.failed |= probe.failed
        member = {k[1]: values.pop(k) for k in list(values) if k[0] == "memberships"}
        member_cells = {k[1]: cells.pop(k) for k in list(cells) if k[0] == "memberships"}
        _join(draft, values, cells, report)
        if member:
            _add_membership(draft, member, member_cells, row, report)
    return list(drafts.values())


def _join(draft: Draft, values: dict[KeyPath, Any], cells: dict[KeyPath, str],
          report: Report) -> None:
    for path, value in values.items():
        if path in draft.values and draft.values[path] != value:
            report.emit("sheet-conflict", cells[path], name=draft.key,
                        first=draft.cells[path], value=cell_text(value),
                        before=cell_text(draft.values[path]))
            continue
        draft.values[path] = value
        draft.cells.setdefault(path, cells[path])


def _add_membership(draft: Draft, member: dict[str, Any], cells: dict[str, str],
                    row: SheetRow, report: Report) -> None:
    alliance = member.get("alliance")
    for i, m in enumerate(draft.memberships):
        if alliance is not None and m.get("alliance") == alliance:
            report.emit("sheet-duplicate-row", cells.get("alliance", row.first_cell),
                        name=f"{draft.key} / {alliance}",
                        first=draft.member_cells[i].get("alliance", draft.row_cell))
            return
    draft.memberships.append(member)
    draft.member_cells.append({**cells, "": row.first_cell})
