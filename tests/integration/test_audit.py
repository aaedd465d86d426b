"""site-builder audit on sample sites: each family of findings, at its exact place."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from site_builder.audit.inspect import Audit, audit_site
from site_builder.audit.report import format_html, format_text
from tests.conftest import build, cli

FILING = ("filing:\n  icp: 苏ICP备12345678号-1\n  site_code: \"3201140001\"\n"
          "  sponsor: 测试单位\n  contact: 025-00000000\n")
SITE = ("title: 测试网站\nbase_url: https://example.gov.cn/dangjian/\npublisher: 测试单位\n"
        "map: {provider: osm, review_number: GS(2024)0000号}\n")
# 2024-05-24 in Beijing: four days after the minimal site's story.
FRESH = str(int(dt.datetime(2024, 5, 24, 12, tzinfo=dt.UTC).timestamp()))


def _audit(site: Path) -> Audit:
    result = build(site, write=False)
    assert result.ok, result.report.format()
    assert result.model is not None
    return audit_site(result.model, result.outputs, site / "content")


def _found(audit: Audit) -> list[tuple[str, str | None, int | None, int | None]]:
    return [(f.code, f.file, f.line, f.col) for f in audit.findings]


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", FRESH)


def test_a_clean_site_passes(make_site, fresh) -> None:
    site = make_site({"content/site.yaml": SITE + FILING})
    audit = _audit(site)
    assert not audit.fails
    assert {f.code for f in audit.findings} <= {"outside-link", "outside-origin", "no-date"}


def test_home_page_older_than_two_weeks_fails(make_site, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(FRESH) + 11 * 86400))  # 15 days
    audit = _audit(make_site({"content/site.yaml": SITE + FILING}))
    assert ("stale-home", "stories/first-story.md", 3, 7) in _found(audit)
    assert audit.fails
    assert "首页已有 15 天没有更新" in format_text(audit)


def test_open_listing_left_for_six_months_is_found_at_its_status(make_site, fresh) -> None:
    listing = ("kind: 需求\ntitle: 测试需求\nalliance: test-chain\nenterprise: test-member\n"
               "status: 征集中\nposted: 2023-10-01\n")
    audit = _audit(make_site({"content/site.yaml": SITE + FILING,
                              "content/listings/test-need.yaml": listing}))
    assert ("stale-listing", "listings/test-need.yaml", 5, 9) in _found(audit)


def test_five_empty_columns_fail(make_site, fresh) -> None:
    audit = _audit(make_site({"content/site.yaml": SITE + FILING,
                              "content/stations/test-station.yaml": None,
                              "content/listings/test-need.yaml": None,
                              "content/pages/about.md": "---\ntitle: 关于\nnav_weight: 1\n---\n",
                              "content/pages/contact.md": "---\ntitle: 联系\nnav_weight: 2\n---"}))
    empty = sorted(f.args["path"] for f in audit.findings if f.code == "empty-column")
    assert empty == ["/listings/", "/map/", "/pages/about/", "/pages/contact/", "/stations/"]
    assert "empty-columns" in {f.code for f in audit.findings} and audit.fails


def test_wrong_terms_are_located_with_their_replacement(make_site, fresh) -> None:
    story = ("---\ntitle: 第一个案例\ndate: 2024-05-20\nsummary: 摘要。\n---\n\n"
             "正文说到中国特色社会注意，还有测试链联盟和中纪委。\n")
    glossary = "- {wrong: 测试链联盟, right: 测试产业链党建联盟, level: 严重, note: 写全称。}\n"
    audit = _audit(make_site({"content/site.yaml": SITE + FILING,
                              "content/stories/first-story.md": story,
                              "content/glossary.yaml": glossary}))
    found = {(f.code, f.file, f.line, f.col, f.args["right"]) for f in audit.findings
             if f.code in ("wrong-term", "term-note")}
    assert found == {("wrong-term", "alliances/test-chain/alliance.yaml", 2, 13,
                      "测试产业链党建联盟"),
                     ("wrong-term", "stories/first-story.md", 7, 5, "中国特色社会主义"),
                     ("wrong-term", "stories/first-story.md", 7, 16, "测试产业链党建联盟"),
                     ("term-note", "stories/first-story.md", 7, 22, "中央纪委")}
    assert audit.fails


def test_personal_data_id_numbers_anywhere_mobiles_outside_phone_fields(make_site, fresh) -> None:
    station = ("name: 测试党建工作站\naddress: 南京市雨花台区软件大道 2 号\ntype: 党建工作站\n"
               "location: {lat: 31.98, lon: 118.76}\nphone: 13812345678\n"
               "summary: 联系人张三 13912345678，身份证 11010519491231002X\n")
    audit = _audit(make_site({"content/site.yaml": SITE + FILING,
                              "content/stations/test-station.yaml": station}))
    found = [(f.code, f.line, f.col) for f in audit.findings if f.file ==
             "stations/test-station.yaml" and f.code != "no-date"]
    assert found == [("id-number", 6, 32), ("mobile-number", 6, 16)]
    # An 18-digit number whose check digit is wrong is not an ID number.
    assert "110105194912310021" not in format_text(audit)
    assert "11010519491231002X" not in format_text(audit)  # masked in the report


def test_story_dated_long_before_its_first_commit_looks_back_dated(make_site, fresh) -> None:
    import subprocess

    site = make_site({"content/site.yaml": SITE + FILING})
    env = {"GIT_COMMITTER_DATE": "2024-07-01T10:00:00+08:00", "GIT_AUTHOR_DATE":
           "2024-07-01T10:00:00+08:00", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e.cn",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e.cn", "PATH": "/usr/bin:/bin"}
    for args in (["init", "-q"], ["add", "content"], ["commit", "-qm", "x"]):
        subprocess.run(["git", *args], cwd=site, check=True, env=env, capture_output=True)
    audit = _audit(site)
    back = [f for f in audit.findings if f.code == "backdated"]
    assert [(f.file, f.line, f.col, f.args["days"]) for f in back] == [
        ("stories/first-story.md", 3, 7, 42)]


def test_outside_origins_and_insecure_resources_are_listed(make_site, fresh) -> None:
    # Tiles must be https:// (the build refuses others), so the insecure resource is an
    # outside image a site allowed with `outside_images: warn`.
    custom = ("map: {provider: custom, tiles: 'https://tiles.example.net/{z}/{x}/{y}.png', "
              "attribution: 测试底图, coord_system: wgs84, ")
    site = make_site({
        "content/site.yaml": SITE.replace("map: {provider: osm, ", custom) + FILING
        + "outside_images: warn\n",
        "content/pages/about.md": "---\ntitle: 关于本站\n---\n\n![图](http://img.example.net/a.png)\n"})
    audit = _audit(site)
    codes = {(f.code, f.args.get("origin") or f.args.get("url")) for f in audit.findings}
    assert ("outside-origin", "https://tiles.example.net") in codes
    assert ("outside-origin", "http://img.example.net") in codes
    assert ("insecure-resource", "http://img.example.net/a.png") in codes
    assert ("outside-link", "https://beian.miit.gov.cn") in codes


def test_missing_filing_consultation_and_review_number(make_site, fresh) -> None:
    site = make_site({"content/site.yaml": SITE.replace(", review_number: GS(2024)0000号", ""),
                      "content/pages/about.md": "---\ntitle: 关于本站\n---\n\n说明。\n"})
    found = _found(_audit(site))
    assert ("no-consultation", "site.yaml", None, None) in found
    assert ("no-review-number", "site.yaml", None, None) in found
    assert sum(1 for f in found if f[0] == "no-filing") == 4


def test_audit_command_prints_chinese_report_writes_html_and_exits_1_on_a_fail(
        make_site, tmp_path, monkeypatch) -> None:
    site = make_site({"content/site.yaml": SITE + FILING})
    report = tmp_path / "自查报告.html"
    done = cli("audit", str(site), "--html", str(report), env={"SOURCE_DATE_EPOCH": FRESH})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "自查结论：未发现会被判为单项否决的问题。" in done.stdout
    html = report.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "政府网站自查报告" in html
    assert "<script" not in html and "http" not in html.split("<body>")[1].split("网址")[0]
    late = cli("audit", str(site), env={"SOURCE_DATE_EPOCH": str(int(FRESH) + 30 * 86400)})
    assert late.returncode == 1
    assert "stories/first-story.md:3:7  严重" in late.stdout


def test_html_report_escapes_what_editors_wrote(make_site, fresh) -> None:
    site = make_site({"content/site.yaml": SITE.replace("title: 测试网站", "title: 测试<b>网站")
                      + FILING})
    assert "测试&lt;b&gt;网站" in format_html(_audit(site))
