"""Weight budgets for phones: CSS+JS per page, and the home page before images."""

from __future__ import annotations

import re
from pathlib import Path
from posixpath import dirname, join, normpath

CSS_JS_BUDGET = 60 * 1024
HOME_BUDGET = 200 * 1024
ASSET = re.compile(r'<(?:link rel="stylesheet" href|script src)="([^"?]+)')


def _assets(page: Path, root: Path) -> list[Path]:
    rel = page.relative_to(root).as_posix()
    html = page.read_text(encoding="utf-8")
    return [root / normpath(join(dirname(rel), url)) for url in ASSET.findall(html)]


def test_pages_without_a_map_carry_at_most_60_kb_of_css_and_js(built_demo: Path) -> None:
    over = []
    for page in built_demo.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if 'class="folium-map' in html or page.parent.name == "search" or (
                page.name == "404.html"):  # 404 links under the base path; same assets
            continue
        weight = sum(p.stat().st_size for p in _assets(page, built_demo))
        if weight > CSS_JS_BUDGET:
            over.append(f"{page.relative_to(built_demo)}: {weight} bytes")
    assert over == []


def test_home_page_is_under_200_kb_before_images(built_demo: Path) -> None:
    home = built_demo / "index.html"
    total = home.stat().st_size + sum(p.stat().st_size for p in _assets(home, built_demo))
    assert total < HOME_BUDGET, total
