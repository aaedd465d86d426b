"""axe-core in headless Chromium on one page of every type; keyboard and phone checks."""

from __future__ import annotations

from pathlib import Path

import pytest

PAGES = ["", "alliances/", "alliances/zhangjiagang-three-chains/", "enterprises/",
         "enterprises/shagang-group/", "stories/", "stories/page/2/",
         "stories/baidu-ai-cloud-move-in/", "stations/", "stations/shazhou-red-cube/",
         "listings/", "listings/" + "{listing}/", "pages/about/", "tags/", "industries/",
         "regions/", "regions/yuhuataiqu/", "map/", "404.html"]


def _first_listing(built_demo: Path) -> str:
    return sorted(p.name for p in (built_demo / "listings").iterdir() if p.is_dir())[0]


@pytest.mark.parametrize("path", PAGES)
def test_no_serious_or_critical_accessibility_violations(page, demo_url, built_demo,
                                                         axe_source, path) -> None:
    page.goto(demo_url + path.format(listing=_first_listing(built_demo)))
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(600)  # let map clusters finish their animation
    page.add_script_tag(content=axe_source)
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    assert result == []


def test_keyboard_reaches_the_content_with_a_visible_focus(page, demo_url) -> None:
    page.goto(demo_url)
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.className")
    assert skip == "skip"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


@pytest.mark.parametrize("path", ["", "alliances/zhangjiagang-three-chains/", "map/",
                                  "listings/", "stories/baidu-ai-cloud-move-in/"])
def test_phone_viewport_never_scrolls_sideways(browser, demo_url, path) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    page.goto(demo_url + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 360, f"{path}: {width}px wide"


def test_filters_work_for_keyboard_and_screen_readers(page, demo_url) -> None:
    page.goto(demo_url + "alliances/")
    form = page.locator("form.filters")
    assert form.is_visible()
    select = form.locator("select[name=industry]")
    select.focus()
    select.select_option(label="生物医药")
    status = form.locator("[role=status]")
    assert status.get_attribute("aria-live") == "polite"
    shown = page.locator(".alliance-card:visible").count()
    assert 0 < shown < 6
    assert str(shown) in status.inner_text()
    page.goto(demo_url + "listings/")
    page.locator("select[name=kind]").select_option("需求")
    needs = page.locator(".listing-item:visible")
    assert needs.count() > 0
    assert all(needs.nth(i).locator(".badge-kind").inner_text() == "需求"
               for i in range(needs.count()))
    page.locator("select[name=kind]").select_option("")
    page.locator("select[name=status]").select_option("已解决")
    rows = page.locator(".listing-item:visible")
    assert rows.count() > 0
    assert all("已解决" in rows.nth(i).inner_text() for i in range(rows.count()))


def test_chain_diagram_boxes_link_to_member_pages(page, demo_url) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(demo_url + "alliances/zhangjiagang-three-chains/")
    box = page.locator(".chain-svg-horizontal a", has_text="沙钢").first
    box.click()
    page.wait_for_load_state()
    assert page.url.endswith("/enterprises/shagang-group/")


def test_images_load_as_webp_at_a_width_that_fits(browser, demo_url) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 800},
                                  device_scale_factor=2)
    page = context.new_page()
    page.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort())
    page.goto(demo_url + "alliances/zhangjiagang-three-chains/")
    cover = page.locator("img.cover")
    cover.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0",
                           arg=cover.element_handle())
    chosen = cover.evaluate("img => img.currentSrc")
    assert chosen.endswith(".webp"), chosen  # the browser took the WebP source
    assert "/img/" in chosen  # a resized, content-hashed variant, not the original
    assert cover.get_attribute("width") and cover.get_attribute("height")
    page.goto(demo_url)
    lazy = page.locator("img.card-cover").last
    assert lazy.get_attribute("loading") == "lazy"
    context.close()
