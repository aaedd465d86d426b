"""长者模式 in headless Chromium: text size and contrast measured, each setting alone, kept on
the next page, keyboard, speech, axe in every mode, no sideways scrolling at 360 px."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import serve_folder
from tests.conftest import apply_files, build, copy_site

LONG_URL = ("https://www.example-very-long-enterprise-domain-name-for-testing.com.cn/"
            "about/party-building/introduction/index-of-the-company-profile.html")
PAGES = ["", "alliances/zhangjiagang-three-chains/", "enterprises/long-address/",
         "stories/baidu-ai-cloud-move-in/", "listings/", "stations/shazhou-red-cube/", "map/"]
ALL_ON = {"on": True, "size": 4, "contrast": True, "spacing": True, "cursor": True,
          "guide": True}

# Relative luminance contrast of an element's text on the first opaque background behind it.
CONTRAST = """el => {
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce((a, v, i) => a + v * [0.2126, 0.7152, 0.0722][i], 0);
  let bg = null;
  for (let n = el; n; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.length < 4 || c[3] > 0) { bg = c; break; }
  }
  bg = bg || [255, 255, 255];
  const a = lum(rgb(getComputedStyle(el).color)), b = lum(bg);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


@pytest.fixture(scope="module")
def elder_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo with an enterprise whose website address is very long, built and served."""
    from tests.conftest import REPO

    site = copy_site(REPO, tmp_path_factory.mktemp("elder") / "site")
    apply_files(site, {"content/enterprises/long-address.yaml": (
        "name: 长地址测试有限公司\n"
        f"website: {LONG_URL}\n"
        "summary: 联系邮箱 a-very-long-mailbox-name-for-party-building@example-company.com.cn\n"
        "memberships:\n"
        "  - {alliance: zhangjiagang-three-chains, role: 成员企业, segment: 服务}\n")})
    result = build(site)
    assert result.ok, result.report.format()
    yield from serve_folder(site / "output")


def _context(browser, width: int = 1280, state: dict | None = None):
    context = browser.new_context(viewport={"width": width, "height": 900},
                                  is_mobile=width < 500)
    context.route("**/*", lambda r: r.continue_() if "127.0.0.1" in r.request.url
                  else r.abort())
    if state is not None:
        stored = json.dumps(json.dumps(state))
        context.add_init_script(f"localStorage.setItem('sb-elder', {stored})")
    return context


def _body_text(page):
    return page.locator("main .prose p, main .lead").first


def test_elder_button_turns_on_large_text_and_high_contrast_and_is_kept(browser,
                                                                        elder_site) -> None:
    context = _context(browser)
    page = context.new_page()
    page.goto(elder_site + "stories/baidu-ai-cloud-move-in/")
    button = page.locator("header button", has_text="长者模式").first
    assert button.get_attribute("aria-pressed") == "false"
    text = _body_text(page)
    before = text.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    button.click()
    after = text.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert after >= 1.5 * before
    assert text.evaluate(CONTRAST) >= 7
    assert button.get_attribute("aria-pressed") == "true"
    assert page.locator("#elder-bar").is_visible()
    page.goto(elder_site + "alliances/zhangjiagang-three-chains/")  # the next page
    assert page.evaluate("document.documentElement.classList.contains('elder-contrast')")
    size = page.locator("main .lead").first.evaluate(
        "el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 1.5 * before
    page.locator("#elder-bar button", has_text="退出长者模式").click()
    assert page.locator("#elder-bar").is_hidden()
    page.reload()
    assert not page.evaluate("document.documentElement.classList.contains('elder')")
    context.close()


def test_toolbar_offers_each_setting_alone(browser, elder_site) -> None:
    context = _context(browser)
    page = context.new_page()
    page.goto(elder_site + "stories/baidu-ai-cloud-move-in/")
    page.locator("[data-elder-toggle]").click()
    bar = page.locator("#elder-bar")
    classes = "document.documentElement.className"
    bar.locator("button", has_text="高对比度").click()  # contrast off, large text stays
    assert "elder-contrast" not in page.evaluate(classes)
    assert page.evaluate("document.documentElement.style.fontSize") == "150%"
    for label, name in (("加大行距", "elder-spacing"), ("大鼠标", "elder-cursor"),
                        ("阅读辅助线", "elder-guide")):
        button = bar.locator("button", has_text=label)
        button.click()
        assert name in page.evaluate(classes)
        assert button.get_attribute("aria-pressed") == "true"
    line = page.locator("#elder-guide-line")
    assert line.is_visible()
    page.mouse.move(300, 420)
    assert "420" in line.evaluate("el => el.style.transform")
    assert "cursor-large.svg" in page.evaluate("getComputedStyle(document.body).cursor")
    spacing = page.evaluate("(s => parseFloat(s.lineHeight) / parseFloat(s.fontSize))"
                            "(getComputedStyle(document.querySelector('main .prose p')))")
    assert spacing >= 2
    sizes = []
    for _ in range(2):
        bar.locator("button", has_text="字号加大").click()
        sizes.append(page.evaluate("document.documentElement.style.fontSize"))
    assert sizes == ["175%", "200%"]
    assert bar.locator("button", has_text="字号加大").is_disabled()  # the largest step
    for _ in range(4):
        bar.locator("button", has_text="字号减小").click()
    assert page.evaluate("document.documentElement.style.fontSize") == ""
    context.close()


def test_elder_mode_works_by_keyboard_with_a_visible_focus(browser, elder_site) -> None:
    context = _context(browser)
    page = context.new_page()
    page.goto(elder_site)
    for _ in range(12):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.hasAttribute('data-elder-toggle')"):
            break
    assert page.evaluate("document.activeElement.textContent").find("长者模式") >= 0
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    page.keyboard.press("Tab")  # into the toolbar
    assert page.evaluate("document.activeElement.closest('#elder-bar') !== null")
    focused = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused != "none"
    page.keyboard.press("Space")  # the first control: smaller text
    assert page.evaluate("document.documentElement.style.fontSize") == "125%"
    context.close()


def test_speech_reads_the_main_text_where_there_is_a_chinese_voice(browser,
                                                                   elder_site) -> None:
    context = _context(browser, state={"on": True, "size": 2, "contrast": True})
    context.add_init_script("""
      window.__said = [];
      const voice = {lang: 'zh-CN', name: 'test voice'};
      Object.defineProperty(window, 'speechSynthesis', {value: {
        getVoices: () => [voice], speak: u => window.__said.push(u.text),
        cancel: () => {}, addEventListener: () => {}}});
      window.SpeechSynthesisUtterance = function (text) { this.text = text; };
    """)
    page = context.new_page()
    page.goto(elder_site + "stories/baidu-ai-cloud-move-in/")
    speak = page.locator("#elder-bar button", has_text="朗读正文")
    assert speak.is_visible()
    speak.click()
    said = page.evaluate("window.__said")
    assert len(said) == 1 and "百度智能云（江西）人工智能基础数据产业基地" in said[0]
    assert speak.get_attribute("aria-pressed") == "true"
    context.close()
    quiet = _context(browser, state={"on": True, "size": 2})
    quiet.add_init_script("Object.defineProperty(window, 'speechSynthesis', {value: {"
                          "getVoices: () => [{lang: 'en-US'}], addEventListener: () => {}}})")
    page = quiet.new_page()
    page.goto(elder_site + "stories/baidu-ai-cloud-move-in/")
    assert page.locator("#elder-bar button", has_text="朗读正文").is_hidden()
    quiet.close()


@pytest.mark.parametrize("state", [None, {"on": True, "size": 2, "contrast": True}, ALL_ON],
                         ids=["normal", "elder", "largest-all-settings"])
@pytest.mark.parametrize("path", PAGES)
def test_no_page_scrolls_sideways_at_360px(browser, elder_site, state, path) -> None:
    context = _context(browser, width=360, state=state)
    page = context.new_page()
    page.goto(elder_site + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 360, f"{path}: {width}px wide"


MODES = {"elder": {"on": True, "size": 2, "contrast": True},
         "largest-all": ALL_ON,
         "large-no-contrast": {"on": True, "size": 4, "spacing": True}}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("path", ["", "alliances/zhangjiagang-three-chains/",
                                  "enterprises/long-address/", "stories/baidu-ai-cloud-move-in/",
                                  "listings/", "map/"])
def test_axe_finds_no_serious_violation_in_any_mode(browser, elder_site, axe_source, mode,
                                                    path) -> None:
    context = _context(browser, state=MODES[mode])
    page = context.new_page()
    page.goto(elder_site + path)
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(400)
    page.add_script_tag(content=axe_source)
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations'],
            rules: {'label-content-name-mismatch': {enabled: true}}});
        return r.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
    }""")
    context.close()
    assert found == []


def test_elder_assets_are_local_and_small() -> None:
    from tests.conftest import REPO

    script = (REPO / "assets" / "elder.js").read_bytes()
    assert len(script) < 8000
    for name in ("elder.js", "elder.css"):
        text = (REPO / "assets" / name).read_text(encoding="utf-8")
        assert "http://" not in text and "https://" not in text, name
    assert Path(REPO / "assets" / "cursor-large.svg").is_file()
