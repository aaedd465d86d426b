"""/_import: a spreadsheet uploaded from the browser, planned as `site-builder import` plans
it, shown for confirmation, then written all or nothing; /_edit/_export gives the workbook
to fill in. The plan is kept in memory between the two steps and refused if any file it
would change was changed meanwhile."""

from __future__ import annotations

import email.parser
import email.policy
import secrets
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from site_builder.core.diagnostics import Report
from site_builder.sheets.columns import KINDS
from site_builder.sheets.export import export_kind
from site_builder.sheets.plan import Plan, make_plan
from site_builder.sheets.read import SUFFIXES
from site_builder.sheets.write import WriteFailed, write_changes
from site_builder.workbench.documents import PathRefused, safe_path

KIND_WORDS = {"enterprises": "成员单位", "stations": "党建阵地", "listings": "三张清单"}
_KEEP = 8  # plans waiting for confirmation (one per open import page is plenty)


@dataclass(frozen=True)
class Upload:
    fields: dict[str, list[str]]
    files: dict[str, tuple[str, bytes]]  # input name → (file name, bytes)


def parse_multipart(content_type: str, body: bytes) -> Upload:
    """A multipart/form-data body: its fields and its files."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, list[str]] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts() if message.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        data = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = (filename, data)
        else:
            fields.setdefault(name, []).append(data.decode("utf-8", "replace"))
    return Upload(fields, files)


class Imports:
    """Plans made from uploaded sheets, waiting for the editor's 确认写入."""

    def __init__(self, content_dir: Path) -> None:
        self.content_dir = content_dir
        self._plans: dict[str, Plan] = {}
        self._lock = threading.Lock()

    def plan(self, kind: str, filename: str, data: bytes) -> tuple[Plan | None, str, str]:
        """(the plan or None, its token, a problem with the upload itself)."""
        suffix = Path(filename).suffix.lower()
        if kind not in KINDS:
            return None, "", "请选择要导入的内容种类。"
        if suffix not in SUFFIXES:
            return None, "", (f"“{filename}”不是能导入的表格：请上传 "
                              f"{' / '.join(SUFFIXES)} 文件（WPS 表格可另存为 .xlsx）。")
        # Saved under the sheet's own name, so every cell is located as 名单.xlsx!B3.
        name = Path(filename.replace("\\", "/")).name
        if not name or name.startswith(".") or len(name) > 120:
            name = "upload" + suffix
        with tempfile.TemporaryDirectory(prefix="sb-import-") as folder:
            path = Path(folder) / name
            path.write_bytes(data)
            plan = make_plan(self.content_dir, kind, path, Report(), None)
        token = secrets.token_urlsafe(12)
        with self._lock:
            self._plans[token] = plan
            while len(self._plans) > _KEEP:
                self._plans.pop(next(iter(self._plans)))
        return plan, token, ""

    def apply(self, token: str) -> tuple[list[str], str]:
        """Write a confirmed plan: (files written, a problem that stopped it)."""
        with self._lock:
            plan = self._plans.pop(token, None)
        if plan is None:
            return [], "这份导入计划已经用过或已过期，请重新上传表格。"
        for change in plan.changes:
            try:  # never through a link out of content/ (a linked stations/ folder)
                target = safe_path(self.content_dir, change.rel)
            except PathRefused:
                return [], f"{change.rel} 经过快捷方式（符号链接）指向 content/ 以外，没有写入。"
            now = target.read_bytes() if target.exists() else None
            if change.action in ("new", "update") and now != change.old:
                return [], (f"上传表格后，{change.rel} 在别处被改过，为了不覆盖那些修改，"
                            "这次没有写入。请重新上传表格。")
        try:
            write_changes(self.content_dir, plan.changes)
        except WriteFailed as exc:
            return [], f"写入 {exc.rel} 时出错（{exc.problem}），所有文件都保持原样。"
        return [c.rel for c in plan.changes if c.action in ("new", "update")], ""


def export_bytes(site_dir: Path, kind: str) -> bytes | None:
    """The kind's records as the import workbook (an empty template when there are none)."""
    if kind not in KINDS:
        return None
    with tempfile.TemporaryDirectory(prefix="sb-export-") as folder:
        out = Path(folder) / f"{kind}.xlsx"
        report = Report()
        export_kind(site_dir, kind, out, report)
        return None if report.has_errors else out.read_bytes()
