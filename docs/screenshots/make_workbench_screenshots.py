"""Screenshots of the editing workbench (编辑工作台) for docs/内容编写指南.md.

Starts a preview of a temporary copy of the demo site (content/), drives headless Chromium
through the workbench, and writes small PNGs into docs/images/. Nothing outside the
temporary copy is changed; every request not to localhost is blocked (map tiles stay blank).

    cd <repo> && PYTHONPATH=. python docs/screenshots/make_workbench_screenshots.py
"""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, sync_playwright

from site_builder.preview.session import PreviewSession

REPO = Path(__file__).resolve().parents[2]
OUT = REPO / "docs" / "images"
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1200, "height": 900}


def _local(url: str) -> bool:
    host = url.split("/")[2] if "://" in url else ""
    return host.startswith(("127.0.0.1", "localhost", "[::1]"))


def save(png: bytes, name: str) -> None:
    """Store a screenshot with at most 256 colours: text and forms stay sharp, files small."""
    image = Image.open(io.BytesIO(png)).convert("RGB")
    small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    path = OUT / name
    small.save(path, optimize=True)
    print(f"{path.relative_to(REPO)}  {path.stat().st_size // 1024} KB")


def shot(page: Page, name: str) -> None:
    page.wait_for_timeout(300)
    save(page.screenshot(type="png"), name)


def scroll_to(page: Page, selector: str, margin: int = 80) -> None:
    page.locator(selector).first.evaluate(
        f"el => window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - {margin})")


def run(site: Path) -> None:
    session = PreviewSession(site, port=0, log=lambda *_a, **_k: None)
    session.start()
    base = session.url.rstrip("/")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1,
                                          locale="zh-CN")
            page = context.new_page()
            page.route("**/*", lambda r: r.continue_() if _local(r.request.url) else r.abort())
            take_all(page, base)
            browser.close()
    finally:
        session.stop()


def take_all(page: Page, base: str) -> None:
    # 1. A record's page in the preview, with the red 编辑 button at the bottom right.
    page.goto(f"{base}/enterprises/shagang-group/")
    page.wait_for_load_state("load")
    page.get_by_role("link", name="编辑", exact=True).wait_for()
    shot(page, "workbench-preview-button.png")

    # 2. The workbench's home, with a search typed (pinyin finds 沙钢).
    page.goto(f"{base}/_edit/")
    page.fill("#wb-search", "shagang")
    shot(page, "workbench-home-search.png")

    # 3. An enterprise's form.
    page.goto(f"{base}/_edit/enterprises/shagang-group.yaml")
    page.wait_for_load_state("load")
    shot(page, "workbench-enterprise-form.png")

    # 4. A list (加入的联盟) with 添加一项 and each item's 上移/下移/删除这一项.
    scroll_to(page, "#f-memberships", 20)
    page.locator("#f-memberships").hover()
    shot(page, "workbench-list.png")

    # 5. A station's position: a 百度 pair pasted and 识别 pressed, the marker on the map.
    page.goto(f"{base}/_edit/stations/shazhou-red-cube.yaml")
    page.wait_for_load_state("load")
    scroll_to(page, "[data-location]")
    box = page.locator("[data-location]").first
    box.locator("[data-paste]").fill("120.563830,31.878560")
    box.locator("[data-source]").select_option("baidu")
    box.get_by_role("button", name="识别").click()
    page.wait_for_timeout(800)
    shot(page, "workbench-position.png")

    # 6. 保存 refused: the name left empty; the message at the top and at the field.
    page.goto(f"{base}/_edit/enterprises/shagang-group.yaml")
    page.fill("#i-name", "")
    page.fill("#i-website", "www.shagang")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("load")
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "workbench-save-refused.png")

    # 7. A new enterprise: the file name proposed from the name's pinyin.
    page.goto(f"{base}/_new/enterprise")
    page.fill("#i-name", "苏州星河智能装备有限公司")
    page.locator("#i-name").dispatch_event("change")
    for _ in range(50):  # the page's rules forbid evaluated strings: poll from here
        if page.input_value("[data-slug]"):
            break
        page.wait_for_timeout(100)
    page.fill("#i-short_name", "星河智能")
    shot(page, "workbench-new-enterprise.png")


def main() -> int:
    if not Path(CHROMIUM).exists():
        print("需要 Chromium：apt-get install chromium", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wb-shots-") as tmp:
        site = Path(tmp) / "demo"
        shutil.copytree(REPO / "content", site / "content")
        run(site)
    return 0


if __name__ == "__main__":
    sys.exit(main())
