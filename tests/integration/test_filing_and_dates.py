"""The filing block in every footer, the inspection meta tags, 更新日期 from updated: or git."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import build

FILING = """filing:
  icp: 苏ICP备12345678号-1
  police: 苏公网安备32011402000001号
  site_code: "3201140001"
  conac: 0123456789abcdef0123456789abcdef
  sponsor: 中共南京市雨花台区委组织部
  organizer: 雨花台区委社会工作部
  contact: 025-00000000
"""
SITE = ("title: 测试网站\nbase_url: https://www.example.gov.cn/dangjian/\npublisher: 测试单位\n"
        "map: {provider: osm, review_number: GS(2024)0000号}\n")


def _page(site: Path, path: str) -> str:
    return (site / "output" / path / "index.html").read_text(encoding="utf-8")


def _meta(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta name="([A-Z]\w+)" content="([^"]*)">', html))


def test_every_page_footer_carries_the_filing_block_in_order_with_local_icons(make_site) -> None:
    site = make_site({"content/site.yaml": SITE + FILING})
    assert build(site).ok
    for path in ("", "stories/first-story", "alliances/test-chain", "map"):
        html = _page(site, path)
        foot = html[html.index('<footer class="sitefoot">'):]
        order = [foot.index(s) for s in ("主办单位：中共南京市雨花台区委组织部",
                                         "承办单位：雨花台区委社会工作部", "联系方式：025-00000000",
                                         "网站标识码：3201140001", "苏ICP备12345678号-1",
                                         "苏公网安备32011402000001号", "我为政府网站找错")]
        assert order == sorted(order), path
        assert '<a href="https://beian.miit.gov.cn/" rel="noopener">苏ICP备12345678号-1</a>' in foot
        assert 'href="https://beian.mps.gov.cn/#/query/webSearch?code=32011402000001"' in foot
        assert "bszs.conac.cn/sitename?method=show&amp;id=0123456789abcdef0123456789abcdef" in foot
        # The default 找错 link: the national platform, for this site's code.
        assert "errorInfo_querySiteInfo.action?sitecode=3201140001" in foot
        # Icons are the site's own files, never loaded from the government sites.
        images = re.findall(r'<img src="([^"]+)"', foot)
        assert images and all("assets/" in src and "://" not in src for src in images)


def test_error_report_can_point_to_a_page_or_be_switched_off(make_site) -> None:
    site = make_site({"content/site.yaml": SITE + FILING + "  error_report: /pages/about/\n"})
    assert build(site).ok
    assert '<a class="error-report" href="../pages/about/"' in _page(site, "stories")
    site = make_site({"content/site.yaml": SITE + FILING + "  error_report: false\n"})
    assert build(site).ok
    assert "我为政府网站找错" not in _page(site, "")


def test_pages_carry_the_meta_tags_inspection_crawlers_read(make_site) -> None:
    site = make_site({"content/site.yaml": SITE + FILING,
                      "content/listings/test-need.yaml": (
                          "kind: 需求\ntitle: 测试需求\nalliance: test-chain\n"
                          "enterprise: test-member\nposted: 2024-06-01\nupdated: 2024-07-02\n")})
    assert build(site).ok
    story = _meta(_page(site, "stories/first-story"))
    assert story == {"SiteName": "测试网站", "SiteDomain": "www.example.gov.cn",
                     "SiteIDCode": "3201140001", "ColumnName": "案例故事",
                     "ColumnType": "政务动态", "ArticleTitle": "第一个案例",
                     "PubDate": "2024-05-20", "ContentSource": "测试报道"}
    listing = _meta(_page(site, "listings/test-need"))
    assert listing["PubDate"] == "2024-07-02" and listing["ColumnName"] == "三张清单"
    assert listing["ContentSource"] == "中共南京市雨花台区委组织部"
    home = _meta(_page(site, ""))
    assert home["ColumnType"] == "首页" and "ArticleTitle" not in home


def test_updated_field_is_shown_as_the_date_on_every_kind_of_record(make_site) -> None:
    files = {
        "content/listings/test-need.yaml": ("kind: 需求\ntitle: 测试需求\nalliance: test-chain\n"
                                            "enterprise: test-member\nposted: 2024-06-01\n"
                                            "updated: 2024-07-02\n"),
        "content/stations/test-station.yaml": (
            "name: 测试党建工作站\naddress: 南京市雨花台区软件大道 2 号\ntype: 党建工作站\n"
            "location: {lat: 31.98, lon: 118.76}\nupdated: 2024-08\n")}
    site = make_site(files)
    assert build(site).ok
    assert ('<p class="meta updated">更新日期：<time datetime="2024-07-02">2024年7月2日</time>'
            in _page(site, "listings/test-need"))
    assert '<time datetime="2024-08">2024年8月</time>' in _page(site, "stations/test-station")
    # Outside git and without updated: no date at all (never the file's time).
    assert "更新日期" not in _page(site, "enterprises/test-member")


def _git(site: Path, *args: str, date: str = "2025-03-04T10:00:00+08:00") -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date,
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    subprocess.run(["git", *args], cwd=site, check=True, capture_output=True, env=env)


@pytest.fixture
def git_site(make_site) -> Path:
    site = make_site()
    _git(site, "init", "-q")
    _git(site, "add", "content")
    _git(site, "commit", "-qm", "first")
    return site


def test_git_last_commit_is_the_updated_date_and_a_new_commit_rerenders(git_site) -> None:
    site = git_site
    assert build(site).ok
    assert '<time datetime="2025-03-04">' in _page(site, "enterprises/test-member")
    # An edit not committed yet keeps the last commit's date ...
    path = site / "content/enterprises/test-member.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "summary: 新简介\n", encoding="utf-8")
    assert build(site).ok
    assert '<time datetime="2025-03-04">' in _page(site, "enterprises/test-member")
    # ... and its commit changes the date without changing the bytes: the page is made again.
    _git(site, "commit", "-qam", "edit", date="2025-04-05T23:30:00+00:00")  # 04-06 in Beijing
    assert build(site).ok
    html = _page(site, "enterprises/test-member")
    assert '<time datetime="2025-04-06">' in html
    assert '<meta name="PubDate" content="2025-04-06">' in html
    assert '<time datetime="2025-03-04">' in _page(site, "stations/test-station")


def test_git_dates_are_read_in_one_git_log_for_all_files(git_site, monkeypatch) -> None:
    from site_builder.load import gitdates

    calls: list[list[str]] = []
    real = subprocess.run

    def counting(cmd, *a, **k):  # type: ignore[no-untyped-def]
        if cmd and cmd[0] == "git":
            calls.append(cmd)
        return real(cmd, *a, **k)

    monkeypatch.setattr(gitdates.subprocess, "run", counting)
    gitdates._MEMO.clear()
    dates = gitdates.read_git_dates(git_site / "content")
    assert len(dates.last) == len(list((git_site / "content").rglob("*.*")))
    assert [c[3] for c in calls] == ["rev-parse", "log"]
    again = gitdates.read_git_dates(git_site / "content")  # same HEAD: no log again
    assert again is dates and [c[3] for c in calls] == ["rev-parse", "log", "rev-parse"]
