"""Link stage: references, orders, reverse indexes, URLs."""

from __future__ import annotations

from pathlib import Path

from site_builder.link.linker import resolve_content_path
from site_builder.link.model import url_for
from tests.conftest import build


def model_of(site: Path):
    result = build(site, write=False)
    assert result.ok, result.report.format()
    return result.model


def test_every_url_comes_from_url_for(make_site) -> None:
    m = model_of(make_site())
    assert url_for(m.get("alliance", "test-chain")) == "alliances/test-chain/"
    assert m.get("story", "first-story").url == "stories/first-story/"
    assert m.term("industries", "人工智能").url == "industries/rengongzhineng/"


def test_members_are_indexed_by_alliance_with_chain_owner_first(make_site) -> None:
    m = model_of(make_site())
    members = m.members["test-chain"]
    assert [(x.enterprise.slug, x.role) for x in members] == [
        ("test-owner", "链主"), ("test-member", "成员企业")]
    assert [s.slug for s in m.stories_of[("alliance", "test-chain")]] == ["first-story"]
    assert [s.slug for s in m.stations_of["test-chain"]] == ["test-station"]
    assert [x.slug for x in m.listings_of[("enterprise", "test-member")]] == ["test-need"]


def test_weighted_alliances_come_first_then_by_pinyin(make_site) -> None:
    extra = "summary: S\nregion: {province: 江苏省}\nindustries: [A]\norganization: {type: 其他}\n"
    m = model_of(make_site({
        "content/alliances/b/alliance.yaml": "name: 北京联盟\n" + extra,
        "content/alliances/a/alliance.yaml": "name: 安徽联盟\n" + extra,
    }))
    assert [a.slug for a in m.alliances] == ["test-chain", "a", "b"]


def test_stories_are_newest_first(make_site) -> None:
    m = model_of(make_site({"content/stories/newer.md":
                            "---\ntitle: 新\ndate: 2024-06\nsummary: S\n---\n"}))
    assert [s.slug for s in m.stories] == ["newer", "first-story"]


def test_region_terms_nest_province_city_district(make_site) -> None:
    m = model_of(make_site())
    district = m.term("regions", "江苏省/南京市/雨花台区")
    assert district.parent == "江苏省/南京市"
    assert m.term("regions", "江苏省/南京市").parent == "江苏省"
    assert m.region_of(m.get("alliance", "test-chain")) is district


def test_draft_target_is_dropped_with_a_warning(make_site) -> None:
    site = make_site({"content/enterprises/test-member.yaml":
                      "name: 草稿\ndraft: true\nmemberships:\n"
                      "  - {alliance: test-chain, role: 成员企业, segment: 下游}\n"})
    result = build(site, write=False)
    assert [d.code for d in result.report.warnings] == ["ref-draft"]
    assert "enterprise" not in result.model.get("listing", "test-need").data
    with_drafts = build(site, write=False, drafts=True)
    assert with_drafts.report.warnings == ()


def test_content_paths_never_climb_out() -> None:
    assert resolve_content_path("/media/a.png", "stories") == "media/a.png"
    assert resolve_content_path("cover.png", "alliances/x") == "alliances/x/cover.png"
    assert resolve_content_path("../y/c.png", "alliances/x") == "alliances/y/c.png"
    assert resolve_content_path("../../../etc/passwd", "alliances/x") is None


def test_a_symlink_out_of_content_is_refused(make_site, tmp_path: Path) -> None:
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG")
    site = make_site()
    (site / "content/media").mkdir(exist_ok=True)  # git keeps no empty folders
    (site / "content/media/link.png").symlink_to(secret)
    site_story = site / "content/stories/first-story.md"
    site_story.write_text(site_story.read_text(encoding="utf-8").replace(
        "title: 第一个案例", "title: 第一个案例\ncover: /media/link.png"), encoding="utf-8")
    result = build(site, write=False)
    assert [(d.code, d.file) for d in result.report.errors] == [
        ("path-escape", "media/link.png"), ("path-escape", "stories/first-story.md")]


def test_districts_with_the_same_name_get_separate_pages(make_site) -> None:
    extra = "summary: S\nindustries: [A]\norganization: {type: 其他}\n"
    m = model_of(make_site({
        "content/alliances/nj/alliance.yaml": "name: 南京鼓楼\nregion: {province: 江苏省, "
                                              "city: 南京市, district: 鼓楼区}\n" + extra,
        "content/alliances/fz/alliance.yaml": "name: 福州鼓楼\nregion: {province: 福建省, "
                                              "city: 福州市, district: 鼓楼区}\n" + extra,
    }))
    nj = m.term("regions", "江苏省/南京市/鼓楼区")
    fz = m.term("regions", "福建省/福州市/鼓楼区")
    assert nj.label == fz.label == "鼓楼区"
    assert nj.url != fz.url
    assert [a.slug for a in nj.items] == ["nj"]
    assert m.term("regions", "江苏省/南京市/雨花台区").url == "regions/yuhuataiqu/"
