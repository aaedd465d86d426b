"""The chain diagram: links, emphasis, order, escaping, and fitting a 360 px phone."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from site_builder.link.model import Item, Membership
from site_builder.render.diagram import HORIZONTAL, RED, VERTICAL, chain_svg
from site_builder.render.svg import text_width, wrap_text
from site_builder.validate.vocabularies import SEGMENT_ORDER
from tests.conftest import REPO, build

NS = "{http://www.w3.org/2000/svg}"
ROOT = "../../"
PHONE_CONTENT = 328  # a 360 px viewport less the page's 16 px padding on each side


def href(item: Item) -> str:
    return ROOT + item.url


def draw(model, slug: str, lang: str = "zh", layout: str = "vertical") -> ET.Element:
    alliance = model.get("alliance", slug)
    svg = chain_svg(alliance, model.members[slug], href, lang, "chain-title", layout=layout)
    return ET.fromstring(svg)


def links(svg: ET.Element) -> list[ET.Element]:
    return list(svg.iter(NS + "a"))


def segments(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(NS + "g") if g.get("class") == "seg"]


def line(t: ET.Element) -> str:
    """The words of one <text>, without its <title> (the full text of a shortened line)."""
    return (t.text or "") + "".join(child.tail or "" for child in t)


def all_text(el: ET.Element) -> str:
    return "".join(line(t) for t in el.iter(NS + "text"))


# ---- fake content for the edge cases ----------------------------------------------------

def alliance(chain: list[tuple[str, str]] | None = None, **data: object) -> Item:
    fields: dict[str, object] = {"name": "测试联盟", **data}
    if chain is not None:
        fields["chain"] = tuple({"segment": s, "name": n} for s, n in chain)
    return Item("alliance", "test", "alliances/test/alliance.yaml", fields)


def member(a: Item, slug: str, name: str, role: str, segment: str,
           short: str | None = None) -> Membership:
    data = {"name": name, **({"short_name": short} if short else {})}
    return Membership(Item("enterprise", slug, f"enterprises/{slug}.yaml", data), a, role,
                      segment)


# ---- what readers rely on ---------------------------------------------------------------

def test_every_box_links_to_its_enterprise_page_once(demo_model) -> None:
    for a in demo_model.alliances:
        members = demo_model.members.get(a.slug, ())
        for layout in ("vertical", "horizontal"):
            hrefs = [x.get("href") for x in links(draw(demo_model, a.slug, layout=layout))]
            expected = [ROOT + f"enterprises/{m.enterprise.slug}/" for m in members]
            assert sorted(hrefs) == sorted(expected), (a.slug, layout)
            assert len(set(hrefs)) == len(hrefs)  # nobody twice


def test_each_box_shows_the_short_name_and_is_named_by_it_then_the_full_name(demo_model) -> None:
    svg = draw(demo_model, "zhangjiagang-three-chains")
    shagang = next(x for x in links(svg) if x.get("href").endswith("/shagang-group/"))
    shown = all_text(shagang)
    assert shown.startswith("沙钢")
    # The name starts with what the box shows (WCAG 2.5.3), then the full name and role;
    # no <title> inside the link (its text would count as shown text).
    assert shown == "沙钢链主"  # its short name and the role tag
    assert shagang.get("aria-label") == "沙钢 链主，江苏沙钢集团有限公司（链主）"
    assert shagang.find(NS + "title") is None
    assert not list(svg.iter(NS + "image"))  # words are text, never pictures


def test_chain_owner_is_first_in_its_segment_and_filled_red(demo_model) -> None:
    for slug, owner, seg in (("zhangjiagang-three-chains", "shagang-group", "中游"),
                             ("songjiang-g60-clusters", "sinyang-semiconductor", "上游")):
        group = next(g for g in segments(draw(demo_model, slug)) if g.get("data-segment") == seg)
        first = links(group)[0]
        assert first.get("href") == ROOT + f"enterprises/{owner}/", slug
        assert "m-owner" in first.get("class").split()
        assert first.find(NS + "rect").get("fill") == RED
        assert "链主" in all_text(first)  # said in words too, not by colour alone


def test_leading_enterprises_have_a_red_border_and_others_do_not(demo_model) -> None:
    svg = draw(demo_model, "songjiang-g60-clusters")
    roles = {m.enterprise.slug: m.role for m in demo_model.members["songjiang-g60-clusters"]}
    for link in links(svg):
        slug = link.get("href").rstrip("/").rsplit("/", 1)[1]
        rect = link.find(NS + "rect")
        if roles[slug] == "龙头企业":
            assert rect.get("stroke") == RED and rect.get("stroke-width") == "2"
            assert "m-leader" in link.get("class")
        elif roles[slug] != "链主":
            assert rect.get("stroke") != RED and link.get("class") == "m"


def test_members_follow_role_order_within_a_segment(demo_model) -> None:
    from site_builder.validate.vocabularies import ROLE_ORDER
    slug = "songjiang-g60-clusters"
    roles = {ROOT + f"enterprises/{m.enterprise.slug}/": m.role for m in demo_model.members[slug]}
    for group in segments(draw(demo_model, slug)):
        ranks = [ROLE_ORDER.index(roles[x.get("href")]) for x in links(group)]
        assert ranks == sorted(ranks), group.get("data-segment")


def test_segments_run_in_chain_order_with_the_chain_names(demo_model) -> None:
    a = demo_model.get("alliance", "xiangcheng-connected-vehicles")
    for layout in ("vertical", "horizontal"):
        groups = segments(draw(demo_model, a.slug, layout=layout))
        assert [g.get("data-segment") for g in groups] == ["上游", "中游", "下游", "服务"]
        for entry, group in zip(a["chain"], groups, strict=True):
            assert entry["name"] in all_text(group)  # wrapped over lines, but all there


def test_horizontal_layout_puts_segments_side_by_side_and_service_underneath(demo_model) -> None:
    groups = segments(draw(demo_model, "zhangjiagang-three-chains", layout="horizontal"))
    frames = {g.get("data-segment"): g.find(NS + "rect") for g in groups}
    xs = [float(frames[s].get("x")) for s in ("上游", "中游", "下游")]
    assert xs == sorted(xs) and len(set(xs)) == 3
    main_bottom = max(float(frames[s].get("y")) + float(frames[s].get("height"))
                      for s in ("上游", "中游", "下游"))
    assert float(frames["服务"].get("y")) > main_bottom


def test_title_and_desc_name_the_figure(demo_model) -> None:
    svg = draw(demo_model, "zhangjiagang-three-chains")
    assert svg.get("role") == "group"  # it holds links: not role="img"
    assert svg.get("aria-labelledby") == "chain-title"
    assert svg.find(NS + "title").get("id") == "chain-title"
    desc = svg.find(NS + "desc")
    assert svg.get("aria-describedby") == desc.get("id") == "chain-title-desc"
    assert "7 家成员单位" in desc.text and "4 个环节" in desc.text
    assert "链主为江苏沙钢集团有限公司" in desc.text
    en = draw(demo_model, "zhangjiagang-three-chains", lang="en").find(NS + "desc").text
    assert en.startswith("7 members in 4 segments") and "chain owner: 江苏沙钢" in en


def test_output_is_deterministic(demo_model) -> None:
    a = demo_model.get("alliance", "songjiang-g60-clusters")
    first = chain_svg(a, demo_model.members[a.slug], href, "zh", "t")
    again = build(REPO, write=False).model
    second = chain_svg(again.get("alliance", a.slug), again.members[a.slug], href, "zh", "t")
    assert first == second


# ---- fitting a phone --------------------------------------------------------------------

def _check_fits(svg: ET.Element) -> None:
    """Nothing drawn beyond the viewBox, and text big enough on a 360 px phone."""
    x0, y0, width, height = map(float, svg.get("viewBox").split())
    assert (x0, y0) == (0, 0)
    assert svg.get("width") == "100%" and svg.get("height") is None
    for rect in svg.iter(NS + "rect"):
        x, w = float(rect.get("x", 0)), float(rect.get("width"))
        y, h = float(rect.get("y", 0)), float(rect.get("height"))
        assert x >= 0 and x + w <= width, ET.tostring(rect)
        assert y >= 0 and y + h <= height, ET.tostring(rect)
    for link in links(svg):
        box = link.find(NS + "rect")
        left = float(box.get("x"))
        right = left + float(box.get("width"))
        for t in link.iter(NS + "text"):
            start, span = _extent(t)
            assert left <= start and start + span <= right, line(t)
    for t in svg.iter(NS + "text"):
        size = float(t.get("font-size"))
        assert size * PHONE_CONTENT / width >= 13, line(t)
        left, span = _extent(t)
        assert left >= 0 and left + span <= width, line(t)


def _extent(t: ET.Element) -> tuple[float, float]:
    """Where a line of text starts and how wide it is (estimated generously)."""
    span = text_width(line(t), float(t.get("font-size")), t.get("font-weight") == "700")
    x = float(t.get("x"))
    return (x - span / 2 if t.get("text-anchor") == "middle" else x), span


def test_vertical_layout_fits_a_360px_phone(demo_model) -> None:
    assert VERTICAL.width <= 360
    for a in demo_model.alliances:
        _check_fits(draw(demo_model, a.slug))


def test_horizontal_layout_stays_inside_its_viewbox(demo_model) -> None:
    for a in demo_model.alliances:
        svg = draw(demo_model, a.slug, layout="horizontal")
        assert float(svg.get("viewBox").split()[2]) == HORIZONTAL.width
        for rect in svg.iter(NS + "rect"):
            assert float(rect.get("x", 0)) + float(rect.get("width")) <= HORIZONTAL.width


def test_forty_members_wrap_into_columns_and_long_names_are_shortened() -> None:
    a = alliance([("中游", "零部件制造" * 30)])
    long_name = "中国某某超长名称集团股份有限公司华东区域总部暨研发中心"
    members = [member(a, "owner", long_name, "链主", "中游")]
    members += [member(a, f"e{i:02d}", f"成员企业第{i}号有限公司", "成员企业", "中游")
                for i in range(44)]
    members.append(member(a, "latin", "Supercalifragilisticexpialidocious Holdings "
                          "International Limited", "骨干企业", "中游"))
    svg = ET.fromstring(chain_svg(a, members, href, "zh", "t"))
    _check_fits(svg)
    boxes = links(svg)
    assert len(boxes) == 46
    xs = {float(b.find(NS + "rect").get("x")) for b in boxes[1:]}
    assert len(xs) == 2  # two columns on a phone
    latin = next(b for b in boxes if b.get("href").endswith("/latin/"))
    assert all_text(latin).endswith("…")
    name = latin.get("aria-label")  # what the box shows, then the whole name
    assert name.replace(" ", "").startswith(all_text(latin))
    assert "Supercalifragilisticexpialidocious Holdings International Limited" in name
    heading = segments(svg)[0].findall(NS + "text")  # the segment's own words, not boxes'
    assert line(heading[-1]).endswith("…")  # a name too long for four lines is shortened …
    assert heading[-1].find(NS + "title").text == "零部件制造" * 30  # … and kept whole here


def test_text_is_escaped() -> None:
    evil = '</text><script>alert(1)</script>"&'
    a = alliance([("上游", evil)], short_name=evil)
    members = [member(a, "bad", evil, "链主", "上游", short=evil)]
    svg = chain_svg(a, members, href, "zh", 't"><script>')
    assert "<script" not in svg
    tree = ET.fromstring(svg)  # still well-formed
    assert tree.find(NS + "title").text.startswith(evil)
    assert links(tree)[0].get("aria-label") == f"{evil} 链主，{evil}（链主）"


def test_no_members_no_diagram() -> None:
    assert chain_svg(alliance([("上游", "材料")]), [], href, "zh", "t") == ""


def test_without_a_chain_the_segments_come_from_the_members() -> None:
    a = alliance()
    members = [member(a, "s", "服务商", "服务机构", "服务"),
               member(a, "d", "下游厂", "成员企业", "下游")]
    svg = ET.fromstring(chain_svg(a, members, href, "zh", "t"))
    assert [g.get("data-segment") for g in segments(svg)] == ["下游", "服务"]
    _check_fits(svg)


def test_a_chain_segment_without_members_is_drawn_empty() -> None:
    a = alliance([("上游", "原材料"), ("中游", "整机"), ("中游", "关键部件")])
    svg = ET.fromstring(chain_svg(a, [member(a, "x", "整机厂", "骨干企业", "中游")], href,
                                  "zh", "t"))
    groups = segments(svg)
    assert [g.get("data-segment") for g in groups] == ["上游", "中游"]
    assert "暂无" in all_text(groups[0]) and not links(groups[0])
    assert "整机" in all_text(groups[1]) and "关键部件" in all_text(groups[1])


def test_each_enterprise_is_drawn_once_even_if_listed_twice() -> None:
    a = alliance()
    twice = member(a, "x", "甲", "骨干企业", "上游")
    svg = ET.fromstring(chain_svg(a, [twice, twice], href, "zh", "t"))
    assert len(links(svg)) == 1


def test_unknown_layout_is_refused() -> None:
    a = alliance()
    with pytest.raises(ValueError):
        chain_svg(a, [member(a, "x", "甲", "骨干企业", "上游")], href, "zh", "t",
                  layout="diagonal")


# ---- line breaking ----------------------------------------------------------------------

def test_lines_never_start_with_closing_punctuation_nor_end_with_opening() -> None:
    text = "融合项目形成专利成果（约数，原文为“近3000项”）以及更多的文字，继续。"
    for width in range(60, 400, 7):
        lines = wrap_text(text, width, 14)
        assert "".join(lines) == text
        for line in lines[1:]:
            assert line[0] not in "，。、）”", (width, lines)
        for line in lines[:-1]:
            assert line[-1] not in "（“", (width, lines)


def test_balanced_lines_have_no_lonely_last_character() -> None:
    lines = wrap_text("高端纺织、装备制造等关联产业", 14 * 13, 14, balance=True)
    assert len(lines) == 2 and min(map(len, lines)) >= 6


def test_segment_order_constant_is_the_chain() -> None:
    assert SEGMENT_ORDER == ("上游", "中游", "下游", "服务")
