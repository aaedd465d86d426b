"""The figures chart: only like with like, each unit on its own scale from zero."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from site_builder.core.dates import PartialDate
from site_builder.render.charts import WIDTH, base_unit, stats_chart_svg
from site_builder.render.svg import text_width

NS = "{http://www.w3.org/2000/svg}"
PHONE_CONTENT = 328  # a 360 px viewport less the page's 16 px padding on each side


def fig(label: str, value: float, unit: str | None = "家", as_of: str = "2024") -> dict:
    year = int(as_of[:4])
    month = int(as_of[5:7]) if len(as_of) > 4 else None
    out = {"label": label, "value": value, "as_of": PartialDate(year, month)}
    if unit is not None:
        out["unit"] = unit
    return out


def bars(svg: ET.Element) -> list[ET.Element]:
    return [r for r in svg.iter(NS + "rect") if r.get("class") == "bar"]


def line(t: ET.Element) -> str:
    return (t.text or "") + "".join(child.tail or "" for child in t)


def texts(svg: ET.Element) -> list[str]:
    return [line(t) for t in svg.iter(NS + "text")]


def test_nothing_to_chart_gives_nothing() -> None:
    assert stats_chart_svg([], "zh", "数据") == ""
    assert stats_chart_svg([fig("企业", 10)], "zh", "数据") == ""  # one figure
    # Two figures, but nothing in common: no honest shared scale.
    assert stats_chart_svg([fig("企业", 10, "家"), fig("资金", 3, "亿元")], "zh", "数据") == ""
    assert stats_chart_svg([fig("a", 1, None), fig("b", 2, None)], "zh", "数据") == ""
    assert stats_chart_svg([fig("a", 0), fig("b", 0)], "zh", "数据") == ""


def test_units_are_grouped_without_their_qualifiers() -> None:
    assert base_unit("余家") == "家"
    assert base_unit("亿元以上") == "亿元"
    assert base_unit("%以上") == "%"
    assert base_unit("余个") == "个"
    assert base_unit("近千项") == "千项"
    assert base_unit("余") == "余"  # nothing but a qualifier: kept as it is
    assert base_unit("家") == "家"


def test_demo_figures_are_charted_per_unit_largest_first(demo_model) -> None:
    a = demo_model.get("alliance", "zhangjiagang-three-chains")
    svg = ET.fromstring(stats_chart_svg(a["stats"], "zh", "主要数据"))
    words = texts(svg)
    assert "单位：家" in words and "单位：个" in words
    assert "300余个" in words  # '余个' is charted with '个', and shown as written
    assert "263名" not in words and "498项" not in words  # alone in their unit
    shown = [w for w in words if w.endswith(("家", "个")) and w[0].isdigit()]
    assert shown == ["1383家", "163家", "34家", "32家", "300余个", "100个", "46个", "15个"]
    assert any("另有 3 项" in w for w in words)  # says what was left out
    assert any("分别" in w for w in words)  # and that each unit has its own scale


def test_bars_start_at_zero_and_are_proportional_within_a_unit() -> None:
    svg = ET.fromstring(stats_chart_svg(
        [fig("a", 50), fig("b", 200), fig("c", 100)], "zh", "数据"))
    rects = bars(svg)
    assert {r.get("x") for r in rects} == {"0"}
    widths = [float(r.get("width")) for r in rects]
    assert widths[0] / widths[1] == pytest.approx(2, rel=0.01)
    assert widths[0] / widths[2] == pytest.approx(4, rel=0.01)


def test_the_longest_bar_and_its_value_fit_a_phone(demo_model) -> None:
    for a in demo_model.alliances:
        out = stats_chart_svg(a.get("stats", ()), "zh", "主要数据")
        if not out:
            continue
        svg = ET.fromstring(out)
        width = float(svg.get("viewBox").split()[2])
        assert width == WIDTH <= 360 and svg.get("width") == "100%"
        for t in svg.iter(NS + "text"):
            size = float(t.get("font-size"))
            assert size * PHONE_CONTENT / width >= 13
            end = float(t.get("x")) + text_width(line(t), size, t.get("font-weight") == "700")
            assert end <= width, (a.slug, line(t))
        for r in svg.iter(NS + "rect"):
            assert float(r.get("x")) + float(r.get("width")) <= width


def test_dates_are_named_when_a_unit_mixes_them() -> None:
    svg = ET.fromstring(stats_chart_svg(
        [fig("支部", 100, "个", "2023"), fig("阵地", 15, "个", "2022-02")], "zh", "数据"))
    words = texts(svg)
    assert "支部（2023年）" in words and "阵地（2022年2月）" in words


def test_negative_values_are_not_drawn_from_zero() -> None:
    assert stats_chart_svg([fig("a", -5), fig("b", 10)], "zh", "数据") == ""


def test_chart_is_accessible_and_escaped() -> None:
    evil = "</text><script>alert(1)</script>"
    out = stats_chart_svg([fig(evil, 1, evil), fig("b", 2, evil)], "zh", evil, chart_id="fig")
    assert "<script" not in out
    svg = ET.fromstring(out)
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "fig-title" == svg.find(NS + "title").get("id")
    assert svg.find(NS + "title").text == evil
    assert svg.get("aria-describedby") == "fig-desc" == svg.find(NS + "desc").get("id")
    assert evil in svg.find(NS + "desc").text


def test_english_chart(demo_model) -> None:
    a = demo_model.get("alliance", "xiangcheng-connected-vehicles")
    svg = ET.fromstring(stats_chart_svg(a["stats"], "en", "Key figures"))
    assert "Unit: 家" in texts(svg)
    assert svg.find(NS + "desc").text.startswith("In 家: 吸纳链上企业 232家")


def test_output_is_deterministic(demo_model) -> None:
    stats = demo_model.get("alliance", "yuhuatai-software-valley")["stats"]
    assert stats_chart_svg(stats, "zh", "t") == stats_chart_svg(list(stats), "zh", "t")
