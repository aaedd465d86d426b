"""`import` and `export`: the plan as editors read it, the confirmation, the exit status."""

from __future__ import annotations

import sys
from pathlib import Path

from site_builder.core.diagnostics import Report
from site_builder.sheets.columns import KINDS
from site_builder.sheets.export import export_kind
from site_builder.sheets.geocode import make_geocoder, tianditu_key
from site_builder.sheets.plan import Plan, make_plan
from site_builder.sheets.read import SUFFIXES
from site_builder.sheets.write import WriteFailed, write_changes

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
_ACTIONS = {"new": "新建", "update": "更新"}


def _usage(message: str) -> int:
    print(f"site-builder: {message}", file=sys.stderr)
    return EXIT_USAGE


def format_plan(plan: Plan, folder: str) -> str:
    lines = []
    for c in plan.changes:
        if c.action in _ACTIONS:
            what = f"：{', '.join(c.changed)}" if c.changed else f"（{c.draft.name}）"
            lines.append(f"  {_ACTIONS[c.action]} {c.rel}{what}")
    errors, warnings = len(plan.report.errors), len(plan.report.warnings)
    lines.append(f"新建 {plan.count('new')} / 更新 {plan.count('update')} / "
                 f"不变 {plan.count('same')} / 问题 {errors + warnings}"
                 f"（错误 {errors}，警告 {warnings}） → content/{folder}/")
    return "\n".join(lines)


def run_import(kind: str, file: Path, site_dir: Path, yes: bool, geocode: bool) -> int:
    if kind not in KINDS:
        return _usage(f"KIND 应为 {' / '.join(KINDS)} / KIND must be one of {', '.join(KINDS)}")
    content = site_dir / "content"
    if not content.is_dir():
        return _usage(f"{content} 不存在：SITE_DIR 应是包含 content/ 的网站文件夹")
    if not file.is_file():
        return _usage(f"找不到表格文件 {file} / no such file")
    if file.suffix.lower() not in SUFFIXES:
        return _usage(f"只能导入 {' '.join(SUFFIXES)} 文件 / only {', '.join(SUFFIXES)}")
    report = Report()
    geocoder = make_geocoder(tianditu_key(site_dir)) if geocode else None
    plan = make_plan(content, kind, file, report, geocoder)
    print(format_plan(plan, kind), flush=True)
    text = report.format()
    if text:  # after the plan: its last line counts them
        print("\n" + text + "\n", file=sys.stderr, flush=True)
    if report.has_errors:
        print("有错误，没有写入任何文件。改好表格后再导入。/ Errors: nothing was written.",
              file=sys.stderr)
        return EXIT_CONTENT
    if not plan.count("new") and not plan.count("update"):
        print("没有需要写入的变化。/ Nothing to change.")
        return EXIT_OK
    if not yes and not _confirmed():
        print("没有写入。确认无误后加 --yes 再运行一次。/ Nothing written; run again with --yes.")
        return EXIT_OK
    try:
        written = write_changes(content, plan.changes)
    except WriteFailed as exc:
        failed = Report()
        failed.emit("sheet-write-failed", exc.rel, target=exc.rel, problem=exc.problem)
        print(failed.format(), file=sys.stderr)
        return EXIT_CONTENT
    print(f"已写入 {written} 个文件。/ {written} files written.")
    return EXIT_OK


def _confirmed() -> bool:
    if not sys.stdin.isatty():
        return False
    try:
        answer = input("确认写入？输入 y 回车 / write these files? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes", "是")


def run_export(kind: str, site_dir: Path, output: Path) -> int:
    if kind not in KINDS:
        return _usage(f"KIND 应为 {' / '.join(KINDS)} / KIND must be one of {', '.join(KINDS)}")
    if not (site_dir / "content").is_dir():
        return _usage(f"{site_dir}/content 不存在：SITE_DIR 应是包含 content/ 的网站文件夹")
    if output.suffix.lower() != ".xlsx":
        return _usage("--output 应是 .xlsx 文件 / --output must end in .xlsx")
    report = Report()
    count = export_kind(site_dir, kind, output, report)
    if report.has_errors:
        print(report.format() + "\n\n有文件读不出，没有导出。/ Unreadable files: nothing exported.",
              file=sys.stderr)
        return EXIT_CONTENT
    what = f"{count} 条记录" if count else "空模板（还没有记录）"
    print(f"已导出 {what} → {output}")
    return EXIT_OK
