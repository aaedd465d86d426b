"""Export every record of a kind as a workbook in the import layout: dropdowns on the
enumerated columns, a 说明 sheet for each column; an empty template when there are none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from site_builder.core.diagnostics import Report
from site_builder.load.sourcedoc import SourceDoc
from site_builder.sheets.columns import (
    COLUMNS,
    CRS_LABELS,
    KIND_OF,
    NAME_KEY,
    Column,
    canon_enum,
    cell_date,
    cell_text,
)
from site_builder.sheets.plan import read_existing
from site_builder.validate.schema import SCHEMAS, Record

SHEET_TITLES = {"enterprise": "成员单位", "station": "党建阵地", "listing": "三张清单"}
_OPTIONS = "选项"  # a hidden sheet holding long dropdown lists (a list in a rule ≤ 255 chars)
_ROWS_WITH_DROPDOWNS = 2000


def _required(kind: str, col: Column) -> bool:
    spec: Any = SCHEMAS[kind]
    for part in col.key.split("."):
        if not isinstance(spec, Record) or part not in spec.fields:
            return False
        field = spec.fields[part]
        if not field.required:
            return False
        spec = getattr(field.spec, "item", field.spec)
    return True


def _display(names: dict[str, dict[str, str]], col: Column, value: Any) -> Any:
    """A file's value as the cell the import reads back to the same value."""
    if value is None:
        return None
    t = col.type
    if t == "enum" and col.enum is not None:
        return canon_enum(col.enum, value)
    if t == "date":
        return cell_date(value)
    if t in ("float", "int"):
        return value if isinstance(value, int | float) and not isinstance(value, bool) \
            else cell_text(value)
    if t in ("list",):
        return "、".join(cell_text(v) for v in value) if isinstance(value, list) \
            else cell_text(value)
    if t == "alliances":
        items = value if isinstance(value, list) else [value]
        return "、".join(names["alliance"].get(cell_text(v), cell_text(v)) for v in items)
    if t in ("alliance", "enterprise"):
        return names[t].get(cell_text(value), cell_text(value))
    return cell_text(value)


def _get(data: Any, path: list[str], raw: dict[Any, str]) -> Any:
    if tuple(path) in raw:  # a phone 0512345670 as written, not the number YAML made
        return raw[tuple(path)]
    for part in path:
        data = data.get(part) if isinstance(data, dict) else None
    return data


def record_rows(kind: str, slug: str, doc: SourceDoc, names: dict[str, dict[str, str]]
                ) -> list[list[Any]]:
    """A record's rows: one per membership for enterprises, else one."""
    data, raw = doc.data, doc.positions.raw
    members = data.get("memberships") if kind == "enterprise" else None
    members = [m for m in members if isinstance(m, dict)] if isinstance(members, list) else []
    rows = []
    for member in members or [{}]:
        row: list[Any] = []
        for col in COLUMNS[kind]:
            if col.key == "slug":
                row.append(slug)
            elif col.key == "coord":
                row.append(None)  # the point is in 经度 and 纬度
            elif col.key == "crs":
                loc = data.get("location")
                has = isinstance(loc, dict) and "lat" in loc
                row.append(CRS_LABELS.get(str(loc.get("coord_system", "wgs84")).lower())
                           if has else None)
            elif col.key.startswith("memberships."):
                row.append(_display(names, col, member.get(col.key.split(".")[1])))
            else:
                row.append(_display(names, col, _get(data, col.key.split("."), raw)))
        rows.append(row)
    return rows


def _shown_names(content: Path, enterprises: dict[str, SourceDoc] | None) -> dict:
    """File name → the name a sheet shows (the short name of an alliance, when it has one)."""
    out: dict[str, dict[str, str]] = {"alliance": {}, "enterprise": {}}
    root = content / "alliances"
    from site_builder.load.files import read_record

    for folder in sorted(root.iterdir()) if root.is_dir() else ():
        if (folder / "alliance.yaml").is_file():
            doc = read_record(folder / "alliance.yaml", "", "alliance", folder.name, Report())
            data = doc.data if isinstance(doc.data, dict) else {}
            out["alliance"][folder.name] = cell_text(data.get("short_name") or data.get("name")
                                                     or folder.name)
    for slug, doc in (enterprises or {}).items():
        if isinstance(doc.data, dict) and doc.data.get("name"):
            out["enterprise"][slug] = cell_text(doc.data["name"])
    return out


def export_kind(site_dir: Path, folder: str, output: Path, report: Report) -> int:
    """Write the workbook; return the number of records (0: an empty template)."""
    kind = KIND_OF[folder]
    content = site_dir / "content"
    docs = read_existing(content, folder, report)
    if report.has_errors:  # a record left out would be lost by export-edit-import
        return 0
    enterprises = docs if kind == "enterprise" else read_existing(content, "enterprises",
                                                                    Report())
    shown = _shown_names(content, enterprises if kind == "listing" else None)
    rows = [row for slug, doc in docs.items() if isinstance(doc.data, dict)
            for row in record_rows(kind, slug, doc, shown)]
    _save(kind, rows, sorted(set(shown["alliance"].values())), output)
    return sum(1 for d in docs.values() if isinstance(d.data, dict))


def _save(kind: str, rows: list[list[Any]], alliances: list[str], output: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    # Write-only mode streams rows to the file: 10,000 records in half the time.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET_TITLES[kind])
    columns = COLUMNS[kind]
    sheet.freeze_panes = "B2"
    last = max(len(rows) + 1, _ROWS_WITH_DROPDOWNS)
    lists: list[list[str]] = []
    for j, col in enumerate(columns):
        letter = get_column_letter(j + 1)
        sheet.column_dimensions[letter].width = 24 if col.type != "enum" else 14
        choices = _choices(col, alliances)
        lists.append(choices)
        if not choices:
            continue
        rule = DataValidation(type="list", allow_blank=True,
                              formula1=f"'{_OPTIONS}'!${letter}$1:${letter}${len(choices)}",
                              error=f"请从下拉列表中选择{col.label}",
                              showErrorMessage=col.type != "alliance")
        rule.add(f"{letter}2:{letter}{last}")
        sheet.data_validations.append(rule)
    sheet.append([_bold(sheet, c.label, Font) for c in columns])
    for row in rows:
        sheet.append(row)
    options = book.create_sheet(_OPTIONS)
    options.sheet_state = "hidden"
    for i in range(max((len(x) for x in lists), default=0)):
        options.append([x[i] if i < len(x) else None for x in lists])
    _guide_sheet(book.create_sheet("说明"), kind, columns)
    output.parent.mkdir(parents=True, exist_ok=True)
    book.save(output)


def _bold(sheet: Any, value: str, font: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=value)
    cell.font = font(bold=True)
    return cell


def _choices(col: Column, alliances: list[str]) -> list[str]:
    if col.enum is not None:
        return [c.zh for c in col.enum.choices]
    if col.key == "crs":
        return ["WGS-84", "GCJ-02", "BD-09"]
    if col.type == "alliance":
        return alliances
    return []


def _guide_sheet(sheet: Any, kind: str, columns: tuple[Column, ...]) -> None:
    from openpyxl.styles import Font

    for letter, width in zip("ABCDE", (14, 6, 22, 60, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append([_bold(sheet, x, Font) for x in ("列名", "必填", "对应的键", "说明", "也可写作")])
    for col in columns:
        required = "必填" if _required(kind, col) or col.key == NAME_KEY[kind] else ""
        sheet.append([col.label, required, col.key if "." in col.key or col.key.isascii()
                      else "", col.help, "、".join(col.aliases)])
    sheet.append([])
    sheet.append(["", "", "", "表头下面每行一条；同一单位加入几个联盟就写几行。导入：site-builder "
                  f"import {kind}s 文件.xlsx；先显示计划，加 --yes 才写入。"])
