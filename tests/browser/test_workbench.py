"""The editing workbench in a real browser: forms that write content/ files the build accepts,
refuse what it would not, keep every untouched byte, and refuse writes from anywhere else."""

from __future__ import annotations

import http.client
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

# `browser` and `page` (everything off localhost aborted, map tiles included) come from
# tests/browser/conftest.py.
from playwright.sync_api import Page, expect

from site_builder.preview.session import PreviewSession
from site_builder.workbench import coordinates
from tests.conftest import tree

STATION = "content/stations/shazhou-red-cube.yaml"  # coord_system: gcj02
ENTERPRISE = "content/enterprises/seyond.yaml"  # no coord_system: wgs84
STORY = "content/stories/baidu-ai-cloud-move-in.md"
ALLIANCE = "content/alliances/ganjiang-biomedicine/alliance.yaml"


@pytest.fixture
def preview(scratch_demo: Path, start_preview: Callable[..., PreviewSession]) -> PreviewSession:
    # A comment inside a list item the alliance test keeps: it must survive the save.
    path = scratch_demo / ALLIANCE
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - name: 党建圆桌会\n",
                                 "  - name: 党建圆桌会\n    # 每季度召开一次（注释）\n", 1),
                    encoding="utf-8")
    return start_preview(scratch_demo, log=lambda line: None)


def form_url(preview: PreviewSession, rel: str) -> str:
    return preview.url + "_edit/" + rel.removeprefix("content/")


def save(page: Page) -> None:
    """Submit the form and wait for the answer's page (the save waits for the rebuild)."""
    with page.expect_navigation(timeout=40_000):
        page.get_by_role("button", name="保存", exact=True).click()


def expect_saved(page: Page, rel: str) -> None:
    assert re.search(re.escape("/_edit/" + rel.removeprefix("content/")) + r"\?saved$",
                     page.url), page.url
    expect(page.get_by_role("status")).to_contain_text("已保存")


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(a) == len(b), (before, after)
    return [(x, y) for x, y in zip(a, b, strict=True) if x != y]


# ---- 1. a new enterprise, seen on its alliance's page ------------------------------------

def test_new_enterprise_is_written_and_listed_on_its_alliance_page(
        page: Page, preview: PreviewSession, scratch_demo: Path) -> None:
    before = set(tree(scratch_demo / "content"))
    page.goto(preview.url + "_new/enterprise")
    name = page.locator('[name="name"]')
    name.click()
    page.keyboard.insert_text("苏州智行测试科技有限公司")  # as an input method commits it
    page.keyboard.press("Tab")  # change: the file name is proposed from the pinyin
    slug = page.locator('[name="_slug"]')
    expect(slug).to_have_value(re.compile(r"^[a-z0-9][a-z0-9-]+$"), timeout=10_000)
    proposed = slug.input_value()
    assert "suzhou" in proposed or "zhixing" in proposed, proposed

    picker = page.locator('[name="memberships.0.alliance"]')
    picker.click()
    page.keyboard.type("xiangcheng-connected-vehicles")
    expect(picker.locator("xpath=..").locator("[data-ref-name]")).not_to_be_empty()
    page.locator('[name="memberships.0.role"]').select_option(label="龙头企业")
    page.locator('[name="memberships.0.segment"]').select_option(label="上游")
    page.locator('[name="summary"]').fill("车载感知测试企业，用于检验编辑工作台。")
    save(page)
    rel = f"content/enterprises/{proposed}.yaml"
    expect_saved(page, rel)

    created = scratch_demo / rel
    assert created.is_file()
    text = created.read_text(encoding="utf-8")
    assert "苏州智行测试科技有限公司" in text
    assert "xiangcheng-connected-vehicles" in text and "龙头企业" in text
    assert set(tree(scratch_demo / "content")) - before == {rel.removeprefix("content/")}

    # The preview was rebuilt before the save answered: no waiting here.
    page.goto(form_url(preview, "content/alliances/xiangcheng-connected-vehicles/alliance.yaml"))
    href = page.get_by_role("link", name="查看页面").get_attribute("href")
    assert href
    page.goto(preview.url + href.lstrip("/"))
    expect(page.locator("main")).to_contain_text("苏州智行测试科技有限公司", timeout=1_000)
    assert page.console_errors == []  # type: ignore[attr-defined]


# ---- 2. a station moved on the map --------------------------------------------------------

def test_clicking_the_map_moves_a_station_and_changes_only_lat_and_lon(
        page: Page, preview: PreviewSession, scratch_demo: Path) -> None:
    path = scratch_demo / STATION
    before = path.read_text(encoding="utf-8")
    page.goto(form_url(preview, STATION))
    lat, lon = page.locator('[name="location.lat"]'), page.locator('[name="location.lon"]')
    expect(lat).to_have_value("31.872392")
    the_map = page.locator(".wb-map")
    expect(the_map.locator(".leaflet-marker-icon")).to_have_count(1, timeout=10_000)
    box = the_map.bounding_box()
    assert box and box["height"] > 100
    the_map.click(position={"x": box["width"] * 0.75, "y": box["height"] * 0.25})
    expect(lat).not_to_have_value("31.872392", timeout=10_000)
    expect(lon).not_to_have_value("120.557282")
    new_lat, new_lon = float(lat.input_value()), float(lon.input_value())
    assert 31.872392 < new_lat < 31.9 and 120.557282 < new_lon < 120.6  # up and right
    save(page)
    expect_saved(page, STATION)

    after = path.read_text(encoding="utf-8")
    changed = changed_lines(before, after)
    assert [(x.split(":")[0], y.split(":")[0]) for x, y in changed] == [
        ("  lat", "  lat"), ("  lon", "  lon")], changed
    assert float(changed[0][1].split(":")[1]) == pytest.approx(new_lat)
    assert float(changed[1][1].split(":")[1]) == pytest.approx(new_lon)
    assert not page.blocked or all("tile" in u or "openstreetmap" in u  # type: ignore[attr-defined]
                                   for u in page.blocked)  # type: ignore[attr-defined]


# ---- 3. a pasted 高德 position --------------------------------------------------------------

def paste(page: Page, text: str, source: str = "gaode") -> None:
    page.locator("[data-paste]").first.fill(text)
    page.locator("[data-source]").first.select_option(source)
    page.locator('button[data-act="paste"]').first.click()


def test_pasted_gaode_pair_fills_lat_lon_as_is_in_a_gcj02_file(
        page: Page, preview: PreviewSession) -> None:
    page.goto(form_url(preview, STATION))
    paste(page, "120.37,31.49")
    expect(page.locator('[name="location.lat"]')).to_have_value("31.49", timeout=10_000)
    expect(page.locator('[name="location.lon"]')).to_have_value("120.37")
    expect(page.locator("[data-paste-error]")).to_be_hidden()


def test_pasted_gaode_pair_is_converted_for_a_wgs84_file(
        page: Page, preview: PreviewSession) -> None:
    page.goto(form_url(preview, ENTERPRISE))
    lat, lon = page.locator('[name="location.lat"]'), page.locator('[name="location.lon"]')
    paste(page, "120.37,31.49")
    expect(lat).not_to_have_value("31.4105", timeout=10_000)
    # Around Suzhou GCJ-02 reads ~200 m south and ~450 m east of the WGS-84 position.
    got_lat, got_lon = float(lat.input_value()), float(lon.input_value())
    assert 0.001 < got_lat - 31.49 < 0.004 and 0.003 < 120.37 - got_lon < 0.007
    back = coordinates.convert(got_lat, got_lon, "wgs84", "gcj02")
    assert back == pytest.approx((31.49, 120.37), abs=2e-5)
    paste(page, "不是坐标")
    expect(page.locator("[data-paste-error]")).to_be_visible()


# ---- 4. Chinese text and a Markdown body --------------------------------------------------

def test_chinese_text_and_markdown_body_are_saved_exactly_and_previewed(
        page: Page, preview: PreviewSession, scratch_demo: Path) -> None:
    path = scratch_demo / STORY
    page.goto(form_url(preview, STORY))
    title = page.locator('[name="title"]')
    title.fill("")
    title.click()
    page.keyboard.insert_text("百度智能云“拎包入住”——新标题")
    body = page.locator('[name="body"]')
    text = "## 服务双人行\n\n党建工作指导员**全程陪同**，解决吃住行难题。\n"
    body.fill(text)
    md = page.locator("#f-body .wb-md-preview")
    expect(md.locator("h2")).to_have_text(["服务双人行"], timeout=10_000)
    expect(md.locator("strong")).to_have_text("全程陪同")
    save(page)
    expect_saved(page, STORY)

    saved = path.read_text(encoding="utf-8")
    assert re.search(r"^title: ['\"]?百度智能云“拎包入住”——新标题['\"]?$", saved, re.M), saved
    assert saved.split("\n---\n", 1)[1].strip() == text.strip()
    expect(page.locator('[name="title"]')).to_have_value("百度智能云“拎包入住”——新标题")
    expect(page.locator('[name="body"]')).to_have_value(re.compile("全程陪同"))


# ---- 5. bad values are shown at their field, nothing written ------------------------------

@pytest.mark.parametrize(("rel", "field", "value", "message"), [
    (ENTERPRISE, "website", "not a url", "not a url"),
    (STORY, "date", "2024年2月30日", "29 天"),
])
def test_a_bad_value_is_shown_at_its_field_and_the_file_is_unchanged(
        page: Page, preview: PreviewSession, scratch_demo: Path,
        rel: str, field: str, value: str, message: str) -> None:
    path = scratch_demo / rel
    before = path.read_bytes()
    page.goto(form_url(preview, rel))
    page.locator(f'[name="{field}"]').fill(value)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="保存", exact=True).click()
    assert answer.value.status == 422
    error = page.locator(f'.wb-error[data-for="{field}"]')
    expect(error).to_have_count(1)  # one clear message, not the same mistake twice
    expect(error).to_be_visible()
    expect(error).to_contain_text(message)
    expect(page.locator("#wb-summary")).to_contain_text("文件没有保存")
    expect(page.locator(f'[name="{field}"]')).to_have_value(value)  # what was typed stays
    expect(page.locator(f'[name="{field}"]')).to_be_focused()
    assert path.read_bytes() == before


# ---- 6. forged writes --------------------------------------------------------------------

def _request(preview: PreviewSession, method: str, path: str, body: bytes = b"",
             headers: dict[str, str] | None = None) -> tuple[int, str]:
    netloc = urlsplit(preview.url).netloc
    host, port = netloc.rsplit(":", 1)
    conn = http.client.HTTPConnection(host, int(port), timeout=40)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        sent = {"Host": netloc, **(headers or {})}
        if body or method == "POST":
            sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
            sent["Content-Length"] = str(len(body))
        for k, v in sent.items():
            if v is not None:
                conn.putheader(k, v)
        conn.endheaders(body)
        r = conn.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    finally:
        conn.close()


def test_forged_writes_are_refused_and_nothing_is_written(
        page: Page, preview: PreviewSession, scratch_demo: Path, tmp_path: Path) -> None:
    page.goto(form_url(preview, ENTERPRISE))
    fields: list[list[str]] = page.evaluate(
        "() => [...new FormData(document.querySelector('form.wb-form'))]")
    csrf = dict(fields)["_csrf"]
    assert csrf
    changed = [(k, "伪造的名称" if k == "name" else v) for k, v in fields]
    body = urlencode(changed).encode()
    no_csrf = urlencode([kv for kv in changed if kv[0] != "_csrf"]).encode()
    origin = preview.url.rstrip("/")
    target = "/_edit/enterprises/seyond.yaml"

    outside = tmp_path / "outside.yaml"
    outside.write_text("name: 外面的文件\n", encoding="utf-8")
    (scratch_demo / "content/enterprises/escape.yaml").symlink_to(outside)
    content_before = tree(scratch_demo / "content")
    site_before = {p for p in tree(scratch_demo) if not p.startswith("output/")}

    attempts = [
        ("no _csrf", target, no_csrf, {"Origin": origin}),
        ("wrong _csrf", target, body.replace(csrf.encode(), b"x" * len(csrf)),
         {"Origin": origin}),
        ("foreign Origin", target, body, {"Origin": "http://evil.example"}),
        ("no Origin", target, body, {}),
        ("foreign Host", target, body,
         {"Host": "evil.example", "Origin": "http://evil.example"}),
        ("foreign Host, our Origin", target, body, {"Host": "evil.example", "Origin": origin}),
        ("dot-dot", "/_edit/enterprises/../../site.yaml", body, {"Origin": origin}),
        ("encoded dot-dot", "/_edit/enterprises/..%2F..%2Fsite.yaml", body, {"Origin": origin}),
        ("dot-dot out of content", "/_edit/../outside.yaml", body, {"Origin": origin}),
        ("symlink out of content", "/_edit/enterprises/escape.yaml", body, {"Origin": origin}),
        ("new through a dot-dot slug", "/_new/enterprise",
         urlencode([*changed, ("_slug", "../../evil")]).encode(), {"Origin": origin}),
    ]
    for why, path, data, headers in attempts:
        status, text = _request(preview, "POST", path, data, headers)
        assert status in (403, 404, 422), (why, status, text[:300])
        assert "伪造的名称" not in outside.read_text(encoding="utf-8"), why
        assert tree(scratch_demo / "content") == content_before, why
        assert {p for p in tree(scratch_demo) if not p.startswith("output/")} == site_before, why

    status, text = _request(preview, "GET", "/_edit/enterprises/escape.yaml")
    assert status in (403, 404) and "外面的文件" not in text, (status, text[:300])

    # The same write, from the form's own origin with its token, is accepted: the refusals
    # above were for the reasons tested, not a broken request.
    status, _ = _request(preview, "POST", target, body, {"Origin": origin})
    assert status == 303
    assert "name: 伪造的名称" in (scratch_demo / ENTERPRISE).read_text(encoding="utf-8")


# ---- 7. lists: remove one item, move another up -------------------------------------------

def test_removing_and_moving_list_items_changes_only_their_lines(
        page: Page, preview: PreviewSession, scratch_demo: Path) -> None:
    path = scratch_demo / ALLIANCE
    before = path.read_text(encoding="utf-8")
    page.goto(form_url(preview, ALLIANCE))
    items = page.locator('[data-list="mechanisms"] > ol > li.wb-item')
    expect(items).to_have_count(4)
    expect(items.nth(1).locator('[name="mechanisms.1.name"]')).to_have_value("党员先锋岗与党员突击队")
    items.nth(1).get_by_role("button", name="删除这一项").click()
    expect(items).to_have_count(3)
    # now: 党建圆桌会, “书记领航”与挂点联系, “药管家”三员代办 — move the last one up
    items.nth(2).get_by_role("button", name="上移").click()
    expect(items.nth(1).locator('[name="mechanisms.1.name"]')).to_have_value("“药管家”三员代办")
    save(page)
    expect_saved(page, ALLIANCE)

    after = path.read_text(encoding="utf-8")
    start = before.index("mechanisms:\n")
    end = before.index("\n", before.index("“药管家”三员代办", start))
    end = before.index("\n", end + 1) + 1  # the item's description line
    old_block = before[start:end]
    blocks = re.split(r"(?m)^(?=  - )", old_block)
    head, roundtable, pioneer, secretary, steward = blocks
    assert "# 每季度召开一次（注释）" in roundtable
    assert after == before[:start] + head + roundtable + steward + secretary + before[end:]
    assert pioneer not in after


# ---- 8. delete ---------------------------------------------------------------------------

def test_delete_lists_users_of_a_referenced_enterprise_and_offers_no_button(
        page: Page, preview: PreviewSession, scratch_demo: Path) -> None:
    rel = "enterprises/baidu-ai-cloud-jiangxi.yaml"
    if not (scratch_demo / "content" / rel).is_file():
        story = (scratch_demo / STORY).read_text(encoding="utf-8")
        slug = re.search(r"enterprises:\s*\[?\s*-?\s*([a-z0-9-]+)", story)
        assert slug, story[:400]
        rel = f"enterprises/{slug.group(1)}.yaml"
    before = (scratch_demo / "content" / rel).read_bytes()
    page.goto(preview.url + "_edit/" + rel + "?delete")
    users = page.get_by_role("alert")
    expect(users).to_contain_text("引用了它")
    expect(users).to_contain_text(STORY.removeprefix("content/"))
    expect(page.get_by_role("button", name="确认删除")).to_have_count(0)
    assert (scratch_demo / "content" / rel).read_bytes() == before


def test_confirming_delete_of_an_unreferenced_page_removes_the_file(
        page: Page, preview: PreviewSession, scratch_demo: Path) -> None:
    extra = scratch_demo / "content/pages/notice.md"
    extra.write_text("---\ntitle: 临时通知\nsummary: 一个没有被引用的页面。\n---\n\n## 通知\n\n"
                     "内容。\n", encoding="utf-8")
    page.goto(preview.url + "_edit/")
    expect(page.locator("main")).to_contain_text("临时通知", timeout=10_000)
    page.goto(preview.url + "_edit/pages/notice.md?delete")
    expect(page.locator("main")).to_contain_text("没有其他内容引用它")
    with page.expect_navigation(timeout=40_000):
        page.get_by_role("button", name="确认删除").click()
    assert page.url.endswith("/_edit/?deleted"), page.url
    assert not extra.exists()
    assert (scratch_demo / "content/pages/about.md").is_file()


# ---- 9. the 编辑 link -----------------------------------------------------------------------

def test_edit_link_on_an_enterprise_page_opens_its_form(
        page: Page, preview: PreviewSession) -> None:
    page.goto(form_url(preview, ENTERPRISE))
    href = page.get_by_role("link", name="查看页面").get_attribute("href")
    assert href
    page.goto(preview.url + href.lstrip("/"))
    expect(page.locator("main")).to_contain_text("图达通")
    link = page.locator('a[rel="edit"]')
    expect(link).to_have_count(1)
    expect(link).to_have_text("编辑")
    expect(link).to_have_attribute("href", "/_edit/enterprises/seyond.yaml")
    link.click()
    page.wait_for_url("**/_edit/enterprises/seyond.yaml")
    expect(page.get_by_role("heading", level=1)).to_contain_text("图达通")
    expect(page.locator('[name="name"]')).to_have_value("图达通")
