"""Import and export of enterprises, stations and listings from the sheets staff keep."""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from openpyxl import Workbook, load_workbook

from site_builder.sheets import command
from site_builder.sheets.yamledit import apply_edits
from tests.conftest import build, tree


def _alliance_names(site: Path) -> dict[str, str]:
    out = {}
    for f in sorted((site / "content/alliances").glob("*/alliance.yaml")):
        out[f.parent.name] = yaml.safe_load(f.read_text(encoding="utf-8"))["name"]
    return out


def _xlsx(path: Path, rows: list[list[Any]], title: str = "Sheet1",
          merges: tuple[str, ...] = ()) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for rng in merges:
        sheet.merge_cells(rng)
    book.save(path)
    return path


def _import(site: Path, kind: str, file: Path, capsys: pytest.CaptureFixture[str],
            yes: bool = True, geocode: bool = False) -> tuple[int, str]:
    code = command.run_import(kind, file, site, yes, geocode)
    out = capsys.readouterr()
    return code, out.out + out.err


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture
def demo(scratch_demo: Path) -> Path:
    return scratch_demo


def _messy_enterprises(tmp_path: Path, alliance: str, other: str) -> Path:
    """Title rows, a header over two merged rows, 序号, 合计, empty rows and columns."""
    rows = [
        ["雨花台区产业链党建联盟成员企业一览表（一企一表）"],
        ["填报单位：区委组织部", None, None, None, "填报日期：2025年3月"],
        ["序号", "企业名称", "所属联盟", "角色", "环节", "党组织", "党员人数", None,
         "党组织成立时间", "位置", None, None],
        [None, None, None, None, None, None, None, None, None, "地址", "经度", "纬度"],
        [1, "南京示例算力科技有限公司", alliance, "链主", "中游", "党委", "１２", None,
         43647, "南京市雨花台区示例路８号", 118.7795, 31.9912],
        [None] * 12,
        [2, "南京示例算力科技有限公司", other, "成员企业", "服务", None, None, None, None,
         None, None, None],
        [3, "\u3000南京示例材料有限公司\u3000", alliance, "member", "上游", "未建", None, None,
         "2021年6月", None, None, None],
        ["合计", "3 家", None, None, None, None, 12],
    ]
    return _xlsx(tmp_path / "成员企业.xlsx", rows, "一企一表",
                 merges=("A1:L1", "A3:A4", "B3:B4", "C3:C4", "J3:L3"))


def test_messy_sheet_imports_two_enterprises_one_in_two_alliances_and_the_site_builds(
        demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    names = _alliance_names(demo)
    sheet = _messy_enterprises(tmp_path, names["yuhuatai-software-valley"],
                               "zhangjiagang-three-chains")
    code, out = _import(demo, "enterprises", sheet, capsys)
    assert code == 0, out
    assert "新建 2 / 更新 0 / 不变 0 / 问题 0" in out
    made = {p.name: _load(p) for p in (demo / "content/enterprises").glob("*.yaml")
            if "shili" in p.name}
    assert set(made) == {"nanjingshilisuanlikeji.yaml", "nanjingshilicailiao.yaml"}
    first = made["nanjingshilisuanlikeji.yaml"]
    assert first["memberships"] == [
        {"alliance": "yuhuatai-software-valley", "role": "链主", "segment": "中游"},
        {"alliance": "zhangjiagang-three-chains", "role": "成员企业", "segment": "服务"}]
    assert first["party_org"] == {"type": "党委", "members": 12,
                                  "established": dt.date(2019, 7, 1)}
    assert first["location"] == {"address": "南京市雨花台区示例路8号", "lat": 31.9912,
                                 "lon": 118.7795}
    second = made["nanjingshilicailiao.yaml"]
    assert second["memberships"][0]["role"] == "成员企业"
    assert second["party_org"] == {"type": "未建", "established": "2021-06"}
    text = (demo / "content/enterprises/nanjingshilisuanlikeji.yaml").read_text("utf-8")
    assert text.startswith("# 成员单位") and "# 由表格导入：成员企业.xlsx!一企一表!B5" in text
    assert "# 链主 / 龙头企业" in text  # the commented layout of `site-builder new`
    result = build(demo)
    assert result.ok, result.report.format()
    assert (demo / "output/enterprises/nanjingshilisuanlikeji/index.html").is_file()


def test_bad_values_are_located_at_their_cells_and_nothing_is_written(
        demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [
        ["名称", "所属联盟", "角色", "环节", "党组织成立时间", "坐标", "官网", "备注"],
        ["甲公司", "雨花软件谷", "老大", "中游", "2021-13-01", "118.7", "www.x.cn", "x"],
        ["乙公司", "yuhuatai-software-valley", "成员企业", "中游", "2020", None, None, None],
        ["丙公司", "南京市雨花台区 \"雨花红谷'链'聚新质\" 产业链党建联盟", "成员企业", "中游", None,
         None, None, None],
        ["乙公司", "yuhuatai-software-valley", "骨干企业", "下游", "2021", None, None, None],
        [None, None, None, None, None, None, None, None, "没有表头的数据"],
        [None, None, "yuhuatai-software-valley", "链主", "上游", None, None, None],
    ]
    sheet = _xlsx(tmp_path / "bad.xlsx", rows, "企业")
    before = tree(demo / "content")
    code, out = _import(demo, "enterprises", sheet, capsys)
    assert code == 1
    assert tree(demo / "content") == before
    for where, words in [
        ("bad.xlsx!企业!B2", "找不到联盟“雨花软件谷”"),
        ("bad.xlsx!企业!C2", "老大"),
        ("bad.xlsx!企业!E2", "不是有效的日期"),
        ("bad.xlsx!企业!F2", "不是“经度,纬度”两个数字"),
        ("bad.xlsx!企业!G2", "www.x.cn"),
        ("bad.xlsx!企业!H1", "不认识的列“备注”"),
        ("bad.xlsx!企业!B5", "出现了两次（第一次在 bad.xlsx!企业!B3）"),
        ("bad.xlsx!企业!E5", "几行写法不一致：这里是“2021”，bad.xlsx!企业!E3 写的是“2020”"),
        ("bad.xlsx!企业!I1", "不认识的列“（无表头）”"),
        ("bad.xlsx!企业!A7", "第 7 行有内容但没有名称"),
    ]:
        block = next((b for b in out.split("\n\n") if b.startswith(where + " ")), "")
        assert words in block, (where, out)
    assert "有错误，没有写入任何文件" in out
    assert "企业!B4" not in out  # the alliance's name with other quotes and spaces is found


def test_station_csv_in_gbk_with_bd09_point_and_services_imports_as_gcj02(
        demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv_text = ("张家港市党建阵地一览\r\n"
                "阵地名称,类型,地址,坐标,坐标系,联系电话,服务项目,所属联盟,开放时间\r\n"
                "示例书记工作室,书记工作室,张家港市示例路1号,\"120.56,31.88\",百度,"
                "0512-58000000,政策咨询、党员教育；人才服务,zhangjiagang-three-chains,"
                "工作日 9:00—17:00\r\n")
    sheet = tmp_path / "阵地.csv"
    sheet.write_bytes(csv_text.encode("gbk"))
    code, out = _import(demo, "stations", sheet, capsys)
    assert code == 0, out
    assert "阵地.csv!E3" in out and "百度（BD-09）坐标已换算为 GCJ-02" in out
    data = _load(demo / "content/stations/shilishujigongzuoshi.yaml")
    assert data["location"]["coord_system"] == "gcj02"
    assert abs(data["location"]["lon"] - 120.5535) < 0.001
    assert data["services"] == ["政策咨询", "党员教育", "人才服务"]
    assert data["phone"] == "0512-58000000"
    assert data["hours"] == "工作日 9:00—17:00"


def test_phone_stored_as_number_and_serial_date_become_text_and_date(
        demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stations = _xlsx(tmp_path / "s.xlsx", [
        ["名称", "阵地类型", "地址", "经度", "纬度", "电话"],
        ["号码阵地", "先锋阵地", "某路1号", 118.7, 31.9, 13812345678],
    ])
    assert _import(demo, "stations", stations, capsys)[0] == 0
    text = (demo / "content/stations/haomazhendi.yaml").read_text("utf-8")
    assert "phone: '13812345678'" in text or 'phone: "13812345678"' in text
    listings = _xlsx(tmp_path / "l.xlsx", [
        ["清单类型", "标题", "所属联盟", "企业", "发布日期", "进展"],
        ["资源", "算力券申领", "zhangjiagang-three-chains", None, 45444.0, "对接中"],
    ])
    code, out = _import(demo, "listings", listings, capsys)
    assert code == 0, out
    data = _load(demo / "content/listings/suanliquanshenling.yaml")
    assert data["posted"] == dt.date(2024, 6, 1) and data["status"] == "对接中"


def test_reimport_after_a_hand_edit_changes_only_the_bytes_of_changed_values(
        demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = demo / "content/stations" / sorted(
        p.name for p in (demo / "content/stations").glob("*.yaml"))[0]
    hand = ("# 手工维护，勿删这行注释\n" + path.read_text("utf-8").replace(
        "\nhours:", "\n# 开放时间以公告为准\nhours:", 1).rstrip("\n")
        + "\nextra:\n  checked: 2024-05-01   # 最近核对\n  note: '保留的引号'\n")
    path.write_text(hand, encoding="utf-8")
    out_file = tmp_path / "stations.xlsx"
    assert command.run_export("stations", demo, out_file) == 0
    book = load_workbook(out_file)
    sheet = book["党建阵地"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == path.stem)
    row[header.index("简介")].value = "改过的简介：一句话。"
    row[header.index("纬度")].value = 31.5
    book.save(out_file)
    code, out = _import(demo, "stations", out_file, capsys)
    assert code == 0, out
    assert "更新 1 / 不变 24" in out
    after = path.read_text("utf-8")
    old_data, new_data = yaml.safe_load(hand), yaml.safe_load(after)
    expected = hand.replace(f"summary: {old_data['summary']}", 'summary: 改过的简介：一句话。')
    expected = expected.replace(f"lat: {old_data['location']['lat']}", "lat: 31.5")
    assert after == expected
    assert new_data["extra"] == {"checked": dt.date(2024, 5, 1), "note": "保留的引号"}


def test_reimport_adds_alliances_to_a_file_without_memberships(
        demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = demo / "content/enterprises/hand-made.yaml"
    path.write_text("# 手写的\nname: 手写公司   # 全称\n", encoding="utf-8")
    sheet = _xlsx(tmp_path / "m.xlsx", [
        ["名称", "所属联盟", "角色", "环节"],
        ["手写公司", "yuhuatai-software-valley", "成员企业", "上游"],
        ["手写公司", "zhangjiagang-three-chains", "链主", "中游"],
    ])
    code, out = _import(demo, "enterprises", sheet, capsys)
    assert code == 0, out
    assert path.read_text("utf-8") == (
        "# 手写的\nname: 手写公司   # 全称\nmemberships:\n"
        "  - alliance: yuhuatai-software-valley\n    role: 成员企业\n    segment: 上游\n"
        "  - alliance: zhangjiagang-three-chains\n    role: 链主\n    segment: 中游\n")


def test_export_then_import_changes_nothing_for_every_kind(
        demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tree(demo / "content")
    for kind in ("enterprises", "stations", "listings"):
        out_file = tmp_path / f"{kind}.xlsx"
        assert command.run_export(kind, demo, out_file) == 0
        code, out = _import(demo, kind, out_file, capsys)
        assert code == 0 and "新建 0 / 更新 0" in out and "问题 0" in out, out
    assert tree(demo / "content") == before


def test_export_has_dropdowns_a_guide_sheet_and_an_empty_template(
        demo: Path, tmp_path: Path, make_site: Any) -> None:
    out_file = tmp_path / "e.xlsx"
    assert command.run_export("enterprises", demo, out_file) == 0
    book = load_workbook(out_file)
    assert book.sheetnames == ["成员单位", "选项", "说明"]
    rules = {str(r.sqref).split(":")[0]: r.formula1
             for r in book["成员单位"].data_validations.dataValidation}
    header = [c.value for c in book["成员单位"][1]]
    role = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[header.index("角色")]
    assert f"{role}2" in rules
    options_col = rules[f"{role}2"].split("!")[1].split(":")[0].replace("$", "")[:-1]
    assert [c.value for c in book["选项"][options_col]][:2] == ["链主", "龙头企业"]
    assert book["说明"]["A1"].value == "列名"
    empty = make_site({"content/listings": None})
    template = tmp_path / "t.xlsx"
    assert command.run_export("listings", empty, template) == 0
    sheet = load_workbook(template)["三张清单"]
    assert [c.value for c in sheet[1]][:3] == ["文件名", "清单类型", "标题"]
    assert sheet.max_row == 1


def test_failed_write_restores_every_file_already_renamed(
        demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from site_builder.sheets import write

    sheet = _xlsx(tmp_path / "s.xlsx", [
        ["文件名", "名称", "阵地类型", "地址", "经度", "纬度"],
        ["a-station", "甲阵地", "先锋阵地", "某路1号", 118.7, 31.9],
        ["b-station", "乙阵地", "先锋阵地", "某路2号", 118.7, 31.9],
        ["c-station", "丙阵地", "先锋阵地", "某路3号", 118.7, 31.9],
    ])
    before = tree(demo / "content")
    real = os.replace
    calls = []

    def flaky(src: Any, dst: Any) -> None:
        calls.append(dst)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(write.os, "replace", flaky)
    code, out = _import(demo, "stations", sheet, capsys)
    assert code == 1 and "没有写入任何文件，content/ 保持原样" in out
    assert tree(demo / "content") == before


class _Geocoder(BaseHTTPRequestHandler):
    answers: ClassVar[dict[str, Any]] = {}

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        word = json.loads(query["ds"][0])["keyWord"]
        answer = self.answers.get(word)
        if answer is None or query.get("tk") != ["test-key"]:
            self.send_response(403)
            self.end_headers()
            return
        body = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def geocoder(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Geocoder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("SITE_BUILDER_GEOCODER_URL",
                       f"http://127.0.0.1:{server.server_address[1]}/geocoder")
    monkeypatch.setenv("SITE_BUILDER_TIANDITU_KEY", "test-key")
    yield
    server.shutdown()


def test_geocode_fills_points_notes_coarse_matches_and_locates_refusals(
        demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], geocoder: None) -> None:
    _Geocoder.answers = {
        "南京市雨花台区软件大道1号": {"status": "0", "msg": "ok", "location": {
            "lon": 118.7712, "lat": 31.9823, "level": "门址", "keyWord": "x"}},
        "南京市雨花台区": {"status": "0", "msg": "ok", "location": {
            "lon": 118.77, "lat": 31.99, "level": "区县"}},
    }
    sheet = _xlsx(tmp_path / "g.xlsx", [
        ["名称", "阵地类型", "地址"],
        ["门址阵地", "先锋阵地", "南京市雨花台区软件大道1号"],
        ["区县阵地", "先锋阵地", "南京市雨花台区"],
    ])
    code, out = _import(demo, "stations", sheet, capsys, geocode=True)
    assert code == 0, out
    data = _load(demo / "content/stations/menzhizhendi.yaml")
    assert data["location"] == {"lat": 31.9823, "lon": 118.7712, "coord_system": "wgs84"}
    assert data["extra"] == {"geocode_level": "门址"}
    assert "g.xlsx!Sheet1!C3" in out and "只定位到“区县”一级" in out
    refused = _xlsx(tmp_path / "r.xlsx", [
        ["名称", "阵地类型", "地址"], ["无名阵地", "先锋阵地", "查无此地"]])
    code, out = _import(demo, "stations", refused, capsys, geocode=True)
    assert code == 1
    assert "r.xlsx!Sheet1!C2" in out and "HTTP 403" in out and "Traceback" not in out


def test_cli_import_without_yes_writes_nothing_and_usage_errors_exit_2(
        demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from site_builder.cli import main

    sheet = _xlsx(tmp_path / "s.xlsx", [
        ["名称", "阵地类型", "地址", "经度", "纬度"], ["某阵地", "先锋阵地", "某路", 118.7, 31.9]])
    before = tree(demo / "content")
    assert main(["import", "stations", str(sheet), str(demo)]) == 0
    assert "新建 1" in capsys.readouterr().out
    assert tree(demo / "content") == before
    assert main(["import", "things", str(sheet), str(demo)]) == 2
    assert main(["import", "stations", str(tmp_path / "none.xlsx"), str(demo)]) == 2
    assert main(["export", "stations", str(demo), "--output", str(tmp_path / "x.csv")]) == 2


def test_span_edits_keep_comments_order_quotes_and_untouched_dates_byte_for_byte() -> None:
    text = ("# 头注释\nname: '甲公司'   # 全称\nestablished: 2019-07-01\n"
            "memberships:\n  - alliance: a   # 第一个\n    role: 链主\n    segment: 上游\n"
            "tags: [x, y]\nlocation:\n  lat: 31.1\n  lon: 118.2\ndescription: |\n  正文\n")
    out = apply_edits(text, [
        (("name",), "乙公司"),
        (("memberships", 0, "role"), "成员企业"),
        (("memberships", 1), {"alliance": "b", "role": "链主", "segment": "中游"}),
        (("location", "coord_system"), "gcj02"),
        (("tags",), ["x", "z: w"]),
        (("party_org", "type"), "党委"),
        (("description",), "新的正文\n\n第二段"),
        (("extra", "note"), "一行\n两行"),
    ])
    assert out == ("# 头注释\nname: '乙公司'   # 全称\nestablished: 2019-07-01\n"
                   "memberships:\n  - alliance: a   # 第一个\n    role: 成员企业\n"
                   "    segment: 上游\n  - alliance: b\n    role: 链主\n    segment: 中游\n"
                   "tags: [x, \"z: w\"]\nlocation:\n  lat: 31.1\n  lon: 118.2\n"
                   "  coord_system: gcj02\ndescription: |\n  新的正文\n\n  第二段\n"
                   "party_org:\n  type: 党委\nextra:\n  note: |\n    一行\n    两行\n")
