"""Live reload in a real browser: an open tab follows saves, shows mistakes, then clears them."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from site_builder.preview.session import PreviewSession

STORY = "content/stories/baidu-ai-cloud-move-in.md"
STORY_URL = "stories/baidu-ai-cloud-move-in/"

# `browser` and `page` (everything off localhost aborted) come from tests/browser/conftest.py:
# one Playwright per session, since two sync Playwrights cannot run in one process.
from playwright.sync_api import Page, expect  # noqa: E402


@pytest.fixture
def preview(scratch_demo: Path, start_preview: Callable[..., PreviewSession]) -> PreviewSession:
    return start_preview(scratch_demo, log=lambda line: None)


def edit(site: Path, old: str, new: str) -> None:
    path = site / STORY
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_open_page_reloads_after_a_save_and_shows_then_clears_the_overlay(
        page: Page, preview: PreviewSession, scratch_demo: Path) -> None:
    page.goto(preview.url + STORY_URL)
    main = page.locator("main")
    expect(main).to_contain_text("400余人“拎包入住”")
    overlay = page.get_by_role("alert")
    expect(overlay).to_have_count(0)
    page.evaluate("window.__beforeSave = true")

    edit(scratch_demo, "## 企业提需求", "保存后浏览器自动刷新。\n\n## 企业提需求")
    expect(main).to_contain_text("保存后浏览器自动刷新。", timeout=10_000)
    assert page.evaluate("window.__beforeSave") is None  # a real reload, not a patch

    edit(scratch_demo, "date: 2025-12-11", "date: 2025-12-11\nauthor 本站编辑部")
    expect(overlay).to_be_visible(timeout=10_000)
    expect(overlay).to_contain_text("网站生成失败")
    expect(overlay).to_contain_text("stories/baidu-ai-cloud-move-in.md:")
    expect(overlay).to_contain_text("YAML 格式错误")
    expect(overlay).to_contain_text("提示：")
    # The problem links to its file's form in the workbench.
    fix = overlay.get_by_role("link", name="在编辑工作台里修改")
    expect(fix).to_have_attribute("href", "/_edit/stories/baidu-ai-cloud-move-in.md")
    expect(main).to_contain_text("保存后浏览器自动刷新。")  # the last good page stays

    edit(scratch_demo, "\nauthor 本站编辑部", "")
    edit(scratch_demo, "保存后浏览器自动刷新。", "改正以后，错误提示消失。")
    expect(main).to_contain_text("改正以后，错误提示消失。", timeout=10_000)
    expect(overlay).to_have_count(0, timeout=10_000)


def test_overlay_names_the_place_and_can_be_hidden(
        page: Page, preview: PreviewSession, scratch_demo: Path) -> None:
    edit(scratch_demo, "date: 2025-12-11", "date: 2025-12-11\nauthor 本站编辑部")
    page.goto(preview.url)
    overlay = page.get_by_role("alert")
    expect(overlay).to_be_visible(timeout=10_000)
    expect(overlay.locator("code")).to_have_text(
        re.compile(r"^stories/baidu-ai-cloud-move-in\.md:\d+:\d+$"))
    page.get_by_role("button", name="暂时隐藏").click()
    expect(overlay).to_have_count(0)


def test_hidden_tab_stops_polling_and_catches_up_when_shown(
        page: Page, preview: PreviewSession, scratch_demo: Path) -> None:
    page.goto(preview.url + STORY_URL)
    polls: list[str] = []
    page.on("request", lambda r: polls.append(r.url) if "/__sb/status" in r.url else None)
    page.evaluate("""() => {
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => true});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    edit(scratch_demo, "## 企业提需求", "隐藏时保存的修改。\n\n## 企业提需求")
    page.wait_for_timeout(1500)
    assert polls == []  # no request while hidden, though the site changed
    expect(page.locator("main")).not_to_contain_text("隐藏时保存的修改。")
    page.evaluate("""() => {
        Object.defineProperty(document, 'hidden', {configurable: true, get: () => false});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    expect(page.locator("main")).to_contain_text("隐藏时保存的修改。", timeout=10_000)


def test_overlay_says_content_is_missing_and_the_page_returns_with_it(
        page: Page, preview: PreviewSession, scratch_demo: Path) -> None:
    page.goto(preview.url + STORY_URL)
    expect(page.locator("main")).to_contain_text("400余人“拎包入住”")
    (scratch_demo / "content").rename(scratch_demo / "content.away")
    overlay = page.get_by_role("alert")
    expect(overlay).to_be_visible(timeout=10_000)
    expect(overlay.get_by_role("heading")).to_have_text("content/ 文件夹不见了")
    expect(overlay).to_contain_text("恢复后会自动重新生成")
    expect(page.locator("main")).to_have_count(0)  # no stale page under the notice
    (scratch_demo / "content.away").rename(scratch_demo / "content")
    expect(page.locator("main")).to_contain_text("400余人“拎包入住”", timeout=30_000)
    expect(overlay).to_have_count(0)
    assert page.console_errors == []  # type: ignore[attr-defined]
