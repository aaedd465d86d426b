"""language: en renders every word of the theme in English."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from tests.conftest import SITES, build, copy_site

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


class _Text(HTMLParser):
    """Visible text and human-readable attributes (alt, title, aria-label, placeholder)."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self.skip += 1
        self.parts += [v or "" for k, v in attrs
                       if k in ("alt", "title", "aria-label", "placeholder", "content")]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def test_english_site_has_no_chinese_in_any_page(tmp_path: Path) -> None:
    site = copy_site(SITES / "english", tmp_path / "site")
    result = build(site, strict=True)
    assert result.ok, result.report.format("en")
    leaks = []
    for page in sorted((site / "output").rglob("*.html")):
        parser = _Text()
        parser.feed(page.read_text(encoding="utf-8"))
        for text in parser.parts:
            if CJK.search(text):
                leaks.append(f"{page.relative_to(site / 'output')}: {text.strip()[:60]}")
    assert leaks == []


def test_english_dates_numbers_and_enums(tmp_path: Path) -> None:
    site = copy_site(SITES / "english", tmp_path / "site")
    assert build(site).ok
    out = site / "output"
    alliance = (out / "alliances/solar-chain/index.html").read_text(encoding="utf-8")
    assert "4,355" in alliance and "as of June 30, 2024" in alliance
    assert "driven by leading enterprises" in alliance and "chain owner" in alliance
    listings = (out / "listings/index.html").read_text(encoding="utf-8")
    assert "matching" in listings and "resolved" in listings
    story = (out / "stories/first-exports/index.html").read_text(encoding="utf-8")
    assert "May 20, 2024" in story and '<html lang="en">' in story
