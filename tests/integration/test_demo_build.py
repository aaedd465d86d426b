"""End-to-end: the demo site builds completely, links resolve, rebuilds are identical."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from tests.conftest import REPO, build, copy_site, tree_digest


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []
        self.ids: set[str] = set()
        self.canonical: str | None = None
        self.description: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        for name in ("href", "src"):
            if a.get(name) and not (tag == "link" and a.get("rel") == "canonical"):
                self.refs.append(a[name] or "")
        if tag == "link" and a.get("rel") == "canonical":
            self.canonical = a.get("href")
        if tag == "meta" and a.get("name") == "description":
            self.description = a.get("content")


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_demo_has_every_kind_of_page(built_demo: Path) -> None:
    for rel in ("index.html", "alliances/index.html",
                "alliances/zhangjiagang-three-chains/index.html", "enterprises/index.html",
                "enterprises/shagang-group/index.html", "stories/index.html",
                "stories/page/2/index.html", "stations/index.html", "listings/index.html",
                "pages/about/index.html", "tags/index.html", "industries/index.html",
                "regions/index.html", "map/index.html", "404.html", "sitemap.xml",
                "robots.txt", "feed.xml", "assets/site.css"):
        assert (built_demo / rel).is_file(), rel
    for kind in ("stations", "listings"):
        assert len(list((built_demo / kind).glob("*/index.html"))) >= 20


def test_every_internal_link_image_and_anchor_resolves(built_demo: Path) -> None:
    pages = sorted(p for p in built_demo.rglob("*.html") if p.name != "404.html")
    ids = {p: parse(p).ids for p in pages}
    broken = []
    for page in pages:
        for ref in parse(page).refs:
            parts = urlsplit(ref)
            if parts.scheme or ref.startswith(("//", "mailto:", "tel:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file() or built_demo.resolve() not in target.parents:
                broken.append(f"{page.relative_to(built_demo)} → {ref}")
            elif (parts.fragment and target.suffix == ".html"
                  and parts.fragment not in ids.get(target, parse(target).ids)):
                broken.append(f"{page.relative_to(built_demo)} → {ref} (anchor)")
    assert broken == []


def test_every_page_has_canonical_url_and_description(built_demo: Path) -> None:
    for page in built_demo.rglob("*.html"):
        parsed = parse(page)
        assert parsed.canonical and parsed.canonical.startswith(
            "https://example.gov.cn/dangjian/"), page
        assert parsed.description, page
    story = parse(built_demo / "stories/page/2/index.html")
    assert story.canonical == "https://example.gov.cn/dangjian/stories/page/2/"


def test_404_page_links_use_the_base_path(built_demo: Path) -> None:
    html = (built_demo / "404.html").read_text(encoding="utf-8")
    assert 'href="/dangjian/assets/site.css?v=' in html
    assert 'href="/dangjian/alliances/"' in html


def test_rebuild_is_byte_identical(tmp_path: Path) -> None:
    site = copy_site(REPO, tmp_path / "site")
    assert build(site, output_dir=tmp_path / "a").ok
    assert build(site, output_dir=tmp_path / "b", jobs=2).ok
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


def test_parsing_validating_and_rendering_in_workers_gives_the_serial_site(
        tmp_path: Path, monkeypatch) -> None:
    from site_builder.load import sources
    from site_builder.render import workers as render

    serial = copy_site(REPO, tmp_path / "serial")
    alone = build(serial, output_dir=tmp_path / "a", jobs=1)
    assert alone.ok
    # The demo is below the sizes where workers start: make them start at once.
    monkeypatch.setattr(sources, "PARALLEL_MIN_FILES", 1)
    monkeypatch.setattr(sources, "_READ_CHUNK", 16)
    monkeypatch.setattr(render, "PARALLEL_MIN_PAGES", 1)
    parallel = copy_site(REPO, tmp_path / "parallel")
    done = build(parallel, output_dir=tmp_path / "b", jobs=2)
    assert done.ok
    # What a user relies on: the same bytes and the same messages as one process gives.
    # (That the workers parse and validate is checked where they are started, in
    # tests/unit/test_sources.py; what that saves is for benchmarks/bench_build.py.)
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")
    # What the build returns is what it published.
    out = tmp_path / "b"
    assert all(o.data == (out / o.path).read_bytes() for o in done.outputs)
    assert [d.format() for d in done.report.items] == [d.format() for d in alone.report.items]


def test_feed_is_atom_with_absolute_links(built_demo: Path) -> None:
    ns = {"a": "http://www.w3.org/2005/Atom"}
    feed = ET.parse(built_demo / "feed.xml").getroot()
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 20
    for entry in entries:
        link = entry.find("a:link", ns)
        assert link is not None
        assert link.get("href", "").startswith("https://example.gov.cn/dangjian/stories/")
    content = entries[0].find("a:content", ns)
    assert content is not None and 'href="../' not in (content.text or "")


def test_sitemap_lists_every_page_absolutely(built_demo: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    urls = [u.text or "" for u in ET.parse(built_demo / "sitemap.xml").getroot().iterfind(
        "s:url/s:loc", ns)]
    pages = [p for p in built_demo.rglob("index.html") if p.parent.name != "search"]
    assert len(urls) == len(pages)  # every page but the (noindex) search page
    assert "https://example.gov.cn/dangjian/alliances/ganjiang-biomedicine/" in urls
    robots = (built_demo / "robots.txt").read_text(encoding="utf-8")
    assert "Sitemap: https://example.gov.cn/dangjian/sitemap.xml" in robots


def test_home_totals_are_counted_from_content(built_demo: Path) -> None:
    html = (built_demo / "index.html").read_text(encoding="utf-8")
    figures = dict((label, int(value)) for value, label in re.findall(
        r'figure-value">(\d+)</span><span class="figure-label">([^<]+)<', html))
    alliances = len(list((REPO / "content/alliances").glob("*/alliance.yaml")))
    stations = len(list((REPO / "content/stations").glob("*.yaml")))
    assert figures["产业链联盟"] == alliances
    assert figures["党建阵地"] == stations
    published = [p for p in (REPO / "content/stories").glob("*.md")
                 if "draft: true" not in p.read_text(encoding="utf-8")]
    assert figures["案例故事"] == len(published)


def test_alliance_page_lists_chain_owner_first_with_figures_and_sources(built_demo: Path
                                                                        ) -> None:
    html = (built_demo / "alliances/zhangjiagang-three-chains/index.html").read_text(
        encoding="utf-8")
    members = re.findall(r'class="[^"]*member role-([^"]+)"', html)
    assert members[0] == "链主"
    assert "江苏沙钢集团有限公司" in html or "沙钢" in html
    assert "截至 2022年2月" in html
    assert "来源：" in html


def test_draft_story_is_built_only_with_drafts(tmp_path: Path) -> None:
    site = copy_site(REPO, tmp_path / "site")
    draft = "stories/ganjiang-brain-computer-interface/index.html"
    assert build(site).ok
    assert not (site / "output" / draft).exists()
    assert build(site, drafts=True).ok
    assert (site / "output" / draft).exists()


def test_future_story_waits_for_its_date(make_site, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({"content/stories/later.md":
                      "---\ntitle: 以后\ndate: 2030-01-01\nsummary: 未来的案例。\n---\n\n正文\n"})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1735689600")  # 2025-01-01
    assert build(site).ok
    assert not (site / "output/stories/later/index.html").exists()
    assert build(site, future=True).ok
    assert (site / "output/stories/later/index.html").exists()


def test_failed_build_leaves_previous_output_exactly(make_site) -> None:
    site = make_site()
    assert build(site).ok
    before = tree_digest(site / "output")
    (site / "content/stories/first-story.md").write_text("---\ntitle: 坏\n---\n", "utf-8")
    result = build(site)
    assert not result.ok
    assert tree_digest(site / "output") == before


def test_no_stale_files_survive_a_rebuild(make_site) -> None:
    site = make_site()
    assert build(site).ok
    (site / "output/leftover.html").write_text("old", encoding="utf-8")
    (site / "content/stations/test-station.yaml").unlink()
    assert build(site).ok
    assert not (site / "output/leftover.html").exists()
    assert not (site / "output/stations/test-station").exists()
    assert (site / "output/index.html").exists()


def test_site_templates_and_assets_override_the_theme(make_site) -> None:
    site = make_site({
        "templates/page.html": '{% extends "base.html" %}{% block main %}<p id="custom">'
                               "自定义页面 {{ item.title }}</p>{% endblock %}",
        "assets/site.css": "body { color: black; }",
    })
    assert build(site).ok
    page = (site / "output/pages/about/index.html").read_text(encoding="utf-8")
    assert '<p id="custom">自定义页面 关于本站</p>' in page
    assert (site / "output/assets/site.css").read_text(encoding="utf-8") == (
        "body { color: black; }")
    assert (site / "output/assets/site.js").is_file()  # not overridden: the theme's


def test_english_site_reports_problems_in_english(make_site) -> None:
    site = make_site({
        "content/site.yaml": "title: Test\nbase_url: https://example.org/\nlanguage: en\n",
        "content/enterprises/test-member.yaml": "name: X\nsumary: typo\nmemberships:\n"
                                                "  - {alliance: test-chain, role: member, "
                                                "segment: downstream}\n",
    })
    result = build(site)
    text = result.report.format("en")
    assert "enterprises/test-member.yaml:2:1  error  sumary" in text
    assert "Unknown key 'sumary'." in text
    assert "Did you mean 'summary'?" in text


def _json_ld(html: str) -> dict:
    import json

    block = html.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0]
    return json.loads(block)


def test_pages_carry_structured_data_and_share_images(built_demo: Path) -> None:
    story = (built_demo / "stories/baidu-ai-cloud-move-in/index.html").read_text("utf-8")
    data = _json_ld(story)
    assert data["@type"] == "NewsArticle" and data["datePublished"] == "2025-12-11"
    assert data["mainEntityOfPage"].startswith("https://example.gov.cn/dangjian/stories/")
    alliance = (built_demo / "alliances/zhangjiagang-three-chains/index.html").read_text("utf-8")
    org = _json_ld(alliance)
    assert org["@type"] == "Organization" and org["address"]["addressRegion"] == "江苏省"
    image = re.search(r'<meta property="og:image" content="([^"]+)"', alliance).group(1)
    assert image.startswith("https://example.gov.cn/dangjian/img/")
    assert (built_demo / image.split("/dangjian/", 1)[1]).is_file()
    assert '<link rel="alternate" type="application/atom+xml"' in story


def test_alliance_station_and_story_pages_carry_a_qr_code_of_their_url(built_demo: Path
                                                                       ) -> None:
    for page in ("alliances/ganjiang-biomedicine/", "stations/shazhou-red-cube/",
                 "stories/baidu-ai-cloud-move-in/"):
        html = (built_demo / page / "index.html").read_text(encoding="utf-8")
        assert html.count('class="qr-svg"') == 2, page  # share control + print
        assert f"https://example.gov.cn/dangjian/{page}" in html


def test_listing_rows_show_their_own_kind(built_demo: Path) -> None:
    html = (built_demo / "listings/index.html").read_text(encoding="utf-8")
    kinds = re.findall(r'<li class="listing-item" data-kind="([^"]+)"', html)
    assert set(kinds) == {"需求", "资源", "项目"}
    assert 'badge-kind kind-listing' not in html
