"""Read a sheet as it really is: title rows above the header, merged header cells, 序号 and
合计 rows, empty rows and columns. Gives each data row with the cell of every value."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.core.diagnostics import Report
from site_builder.sheets.columns import (
    COLUMNS,
    Column,
    cell_text,
    header_key,
    header_table,
    match_header,
)

SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
_HEADER_SCAN = 12  # title rows above the header: a couple, never a dozen
_SKIP_HEADERS = {"序号", "编号", "no", "no.", "#", "备注说明"}
_TOTAL_WORDS = ("合计", "总计", "小计", "共计")


def column_letter(index: int) -> str:
    """0 → A, 26 → AA."""
    out = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass(frozen=True)
class Table:
    name: str  # sheet name; "" for a CSV file
    rows: list[list[Any]]


@dataclass
class SheetRow:
    """One data row: column → (value, cell name)."""

    number: int  # 1-based row number in the sheet
    values: dict[Column, tuple[Any, str]] = field(default_factory=dict)
    first_cell: str = ""


@dataclass
class Sheet:
    """The rows of one table, read under its header."""

    where: str  # FILE!SHEET (or FILE for a CSV file)
    columns: dict[int, Column]
    rows: list[SheetRow]


def read_tables(path: Path, report: Report) -> list[Table]:
    """Every sheet of a workbook, or the one table of a CSV file (UTF-8, BOM or GBK)."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return [Table("", _read_csv(path.read_bytes()))]
        from python_calamine import CalamineWorkbook  # reads .xlsx and .xls, fast

        book = CalamineWorkbook.from_path(str(path))
        return [Table(name, book.get_sheet_by_name(name).to_python(skip_empty_area=False))
                for name in book.sheet_names if name not in ("说明", "选项")]
    except Exception as exc:  # a damaged or mislabelled file: say so, never a traceback
        report.emit("sheet-unreadable", path.name, problem=f"{type(exc).__name__}: {exc}")
        return []


def _read_csv(raw: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):  # WPS and old Excel save GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        text = raw.decode("utf-8", "replace")
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]


def find_sheet(tables: list[Table], file: str, kind: str, report: Report) -> Sheet | None:
    """The first table with a header of this kind; its rows, each cell located."""
    table = header_table(kind)
    for t in tables:
        found = _find_header(t.rows, table)
        if found is None:
            continue
        where = f"{file}!{t.name}" if t.name else file
        index, columns = found
        _report_columns(t.rows, index, columns, where, report)
        return Sheet(where, columns, _data_rows(t.rows, index, columns, where))
    report.emit("sheet-no-header", file, expected=[c.label for c in COLUMNS[kind]])
    return None


def _find_header(rows: list[list[Any]], table: dict[str, Column]
                 ) -> tuple[int, dict[int, Column]] | None:
    """The row among the first few that names most columns; a header cell merged down from
    the row above (企业名称 over two header rows) is read from that row."""
    best: tuple[int, dict[int, Column]] | None = None
    for i, row in enumerate(rows[:_HEADER_SCAN]):
        above = rows[i - 1] if i else []
        columns: dict[int, Column] = {}
        for j, cell in enumerate(row):
            col = match_header(cell, table)
            if col is None and not cell_text(cell) and j < len(above):
                col = match_header(above[j], table)
            if col is not None:
                columns[j] = col
        if len(columns) >= 2 and (best is None or len(columns) > len(best[1])):
            best = (i, columns)
    return best


def _report_columns(rows: list[list[Any]], index: int, columns: dict[int, Column],
                    where: str, report: Report) -> None:
    header = rows[index]
    above = rows[index - 1] if index else []
    seen: dict[Column, int] = {}
    for j, col in sorted(columns.items()):
        if col in seen:
            report.emit("sheet-duplicate-column", f"{where}!{column_letter(j)}{index + 1}",
                        name=cell_text(header[j]), first=column_letter(seen[col]))
        seen.setdefault(col, j)
    for j in range(max((len(r) for r in rows[index + 1:]), default=0)):
        if j in columns:
            continue
        name = cell_text(header[j]) if j < len(header) else ""
        if not name and j < len(above):  # a header cell merged down from the row above
            name = cell_text(above[j])
        if header_key(name) in _SKIP_HEADERS:
            continue
        if name or any(j < len(r) and cell_text(r[j]) for r in rows[index + 1:]):
            report.emit("sheet-unknown-column", f"{where}!{column_letter(j)}{index + 1}",
                        name=name or "（无表头）")
    for col in list(columns.values()):
        if list(columns.values()).count(col) > 1:  # keep only the first of duplicates
            for j in [j for j, c in columns.items() if c == col][1:]:
                del columns[j]


def _data_rows(rows: list[list[Any]], index: int, columns: dict[int, Column],
               where: str) -> list[SheetRow]:
    out: list[SheetRow] = []
    first = min(columns)
    for i in range(index + 1, len(rows)):
        row = rows[i]
        texts = [cell_text(v) for v in row]
        filled = [t for t in texts if t]
        if not filled:
            continue  # empty rows between blocks
        if any(t.replace(" ", "").startswith(_TOTAL_WORDS) for t in filled[:2]):
            continue  # 合计 / 小计 rows
        sheet_row = SheetRow(i + 1, first_cell=f"{where}!{column_letter(first)}{i + 1}")
        for j, col in columns.items():
            if j < len(row) and texts[j]:
                sheet_row.values[col] = (row[j], f"{where}!{column_letter(j)}{i + 1}")
        if sheet_row.values:
            out.append(sheet_row)
    return out
