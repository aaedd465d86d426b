"""Images from other websites in Markdown: each one reported where it is written."""

from __future__ import annotations

import pytest

from site_builder.core.diagnostics import Report, Severity
from site_builder.render.markdown import MarkdownRenderer
from site_builder.render.outsideimages import outside_url

KNOWN = frozenset({"alliances/a/", "media/p.png"})


@pytest.mark.parametrize("url", [
    "https://evil.example/t.png", "http://evil.example/t.png", "HTTPS://evil.example/t.png",
    "//evil.example/t.png", " https://evil.example/t.png ", "ht\ttps://evil.example/t.png",
    "/\\evil.example/t.png", "\\\\evil.example/t.png", "https:evil.example/t.png",
    "ftp://evil.example/t.png"])
def test_addresses_a_browser_fetches_from_another_site_are_outside(url: str) -> None:
    assert outside_url(url)


@pytest.mark.parametrize("url", ["/media/p.png", "photo.jpg", "../x.png", "#top", "",
                                 "media/a b.png"])
def test_site_files_are_not_outside(url: str) -> None:
    assert not outside_url(url)


def _problems(text: str, mode: str = "error", **kwargs: object) -> list[tuple]:
    report = Report()
    MarkdownRenderer(KNOWN, report, outside_images=mode).render(
        text, file="stories/s.md", body_line=6, **kwargs)
    return [(d.code, d.line, d.col, d.args.get("value"), d.level) for d in report.items]


def test_markdown_and_html_images_are_errors_at_their_line_and_column() -> None:
    text = ("第一段。\n\n现场：![现场](https://evil.example/t.png)\n\n"
            '<p>合影 <img src="https://evil.example/t.png" alt=""></p>\n')
    assert _problems(text) == [
        ("outside-image", 8, 10, "https://evil.example/t.png", Severity.ERROR),
        ("outside-image", 10, 17, "https://evil.example/t.png", Severity.ERROR)]


def test_reference_images_and_character_references_are_found_too() -> None:
    text = ('![图][r] 与 <img src="&#104;ttps://evil.example/e.png">\n\n'
            "[r]: https://evil.example/r.png\n")
    assert sorted(_problems(text)) == [
        ("outside-image", 6, 21, "https://evil.example/e.png", Severity.ERROR),
        ("outside-image", 8, 6, "https://evil.example/r.png", Severity.ERROR)]


def test_outside_links_stay_allowed() -> None:
    text = ("[原文](https://www.gov.cn/) <a href=\"https://www.gov.cn/x\">链接</a> "
            "[![本站图](/media/p.png)](https://www.gov.cn/)\n")
    assert _problems(text) == []


def test_with_outside_images_warn_they_are_warnings_and_stay_in_the_page() -> None:
    report = Report()
    html = MarkdownRenderer(KNOWN, report, outside_images="warn").render(
        "![x](https://evil.example/t.png)", file="stories/s.md")
    assert [(d.code, d.level) for d in report.items] == [("outside-image", Severity.WARNING)]
    assert 'src="https://evil.example/t.png"' in html


def test_site_images_made_absolute_for_the_feed_are_not_outside() -> None:
    report = Report()
    html = MarkdownRenderer(KNOWN, report).render("![图](/media/p.png)", file="stories/s.md",
                                                  root="https://example.gov.cn/dangjian/")
    assert 'src="https://example.gov.cn/dangjian/media/p.png"' in html
    assert len(report) == 0


def test_a_text_with_an_outside_image_is_reported_on_every_render() -> None:
    report = Report()
    md = MarkdownRenderer(KNOWN, report, {})
    for _ in range(2):  # never memoised: the second render reports it as well
        md.render("![x](https://evil.example/t.png)", file="stories/s.md", body_line=6)
    assert len(report) == 2


def test_a_style_that_names_a_url_is_removed() -> None:
    html = MarkdownRenderer(KNOWN, Report()).render(
        "<table><tr><td style=\"text-align:url(https://evil.example/c.png)\">x</td>"
        '<td style="text-align:center">y</td></tr></table>')
    assert "evil.example" not in html and 'style="text-align:center"' in html
