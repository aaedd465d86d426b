"""Time spreadsheet import (plan + validation) and export.

    python benchmarks/bench_sheets.py [--import-rows 1000] [--export-records 10000]

Targets (issue #23): importing 1,000 rows in at most 5 s, exporting 10,000 records in at most
10 s. Works on a scratch copy of the demo site; the enterprises are made by importing a
generated sheet (that time is printed too), so export reads real files.
"""

from __future__ import annotations

import argparse
import gc
import shutil
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from site_builder.core.diagnostics import Report  # noqa: E402
from site_builder.sheets.export import export_kind  # noqa: E402
from site_builder.sheets.plan import make_plan  # noqa: E402
from site_builder.sheets.write import write_changes  # noqa: E402

ALLIANCES = ("yuhuatai-software-valley", "zhangjiagang-three-chains", "songjiang-g60-clusters")
ROLES = ("成员企业", "骨干企业", "龙头企业")
SEGMENTS = ("上游", "中游", "下游", "服务")
WORDS = "华宁苏锡常通扬泰盐淮徐连宿镇新兴智能精密材料软件装备电子医药信息数据云链芯光"


def _name(i: int) -> str:
    a, b, c = WORDS[i % 37], WORDS[(i // 37) % 37], WORDS[(i // 1369) % 37]
    return f"{a}{b}{c}示例{i}号科技有限公司"


def write_sheet(path: Path, rows: int) -> None:
    """`rows` rows of enterprises; every fifth enterprise is in a second alliance."""
    book = Workbook()
    sheet = book.active
    sheet.append(["企业名称示例表"])
    sheet.append(["序号", "名称", "所属联盟", "角色", "环节", "行业", "党组织", "党员人数",
                  "党组织成立时间", "地址", "经度", "纬度"])
    i = n = 0
    while n < rows:
        for k in range(2 if i % 5 == 0 else 1):
            if n == rows:
                break
            sheet.append([n + 1, _name(i), ALLIANCES[(i + k) % 3], ROLES[i % 3],
                          SEGMENTS[i % 4], "人工智能", "党支部", 3 + i % 40, 43000 + i % 900,
                          f"南京市雨花台区示例路{i}号", 118.7 + (i % 100) / 1000,
                          31.9 + (i % 97) / 1000])
            n += 1
        i += 1
    book.save(path)


def timed(label: str, func, *args):  # type: ignore[no-untyped-def]
    # CPU time beside wall time: on a shared machine the wall time says more about the
    # neighbours than about this code.
    start, cpu = time.perf_counter(), time.process_time()
    result = func(*args)
    print(f"{label}: {time.perf_counter() - start:.2f} s "
          f"(CPU {time.process_time() - cpu:.2f} s)")
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--import-rows", type=int, default=1000)
    parser.add_argument("--export-records", type=int, default=10000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(REPO / "content", site / "content")
        small, large = Path(tmp) / "small.xlsx", Path(tmp) / "large.xlsx"
        write_sheet(small, args.import_rows)
        report = Report()
        plan = timed(f"import {args.import_rows} rows (read + plan + validation)",
                     make_plan, site / "content", "enterprises", small, report)
        assert not report.has_errors, report.format()
        print(f"  新建 {plan.count('new')} / 问题 {len(report)}")
        # Enough rows for the export's record count (one in five enterprises has two rows).
        write_sheet(large, int(args.export_records * 1.2) + 10)
        report = Report()
        plan = timed(f"import {int(args.export_records * 1.2) + 10} rows (plan)",
                     make_plan, site / "content", "enterprises", large, report)
        written = timed("  write the new files", write_changes, site / "content",
                        plan.changes)
        total = written + 54
        del plan  # the export runs in its own process, as `site-builder export` does
        gc.collect()
        # `site-builder` runs with the cycle collector off (cli.console), and so does this.
        gc.disable()
        count = timed(f"export {total} records", export_kind, site, "enterprises",
                      Path(tmp) / "out.xlsx", Report())
        assert count == total, (count, total)
    return 0


if __name__ == "__main__":
    sys.exit(main())
