"""check and build --strict verify every internal link, anchor and asset of the output."""

from __future__ import annotations

from site_builder.linkcheck import _resolve
from tests.conftest import build

STORY = "---\ntitle: 案例\ndate: 2024-05-20\nsummary: 摘要\n---\n\n{body}\n"


def test_raw_html_link_to_a_missing_page_names_the_story(make_site) -> None:
    site = make_site({"content/stories/first-story.md":
                      STORY.format(body='<a href="/alliances/nope/">坏链接</a>')})
    result = build(site, write=False)
    (d,) = result.report.errors
    assert (d.code, d.file) == ("broken-link", "stories/first-story.md")
    assert d.message() == ("页面 stories/first-story/index.html 里的链接“/alliances/nope/”"
                           "指向不存在的页面或文件。")


def test_a_missing_anchor_is_reported(make_site) -> None:
    site = make_site({"content/stories/first-story.md":
                      STORY.format(body="见[介绍](/alliances/test-chain/#no-such-part)。")})
    result = build(site, write=False)
    assert [(d.code, d.args["what"].zh) for d in result.report.errors] == [
        ("broken-link", "锚点（#）")]
    ok = make_site({"content/stories/first-story.md":
                    STORY.format(body="见[机制](/alliances/test-chain/#figures)。")})
    assert build(ok, write=False).ok


def test_a_broken_template_link_names_the_template(make_site) -> None:
    site = make_site({"templates/page.html": '{% extends "base.html" %}{% block main %}'
                      '<a href="{{ url(\'no/such/page/\') }}">x</a>{% endblock %}'})
    strict = build(site, strict=True)
    (d,) = strict.report.errors
    assert (d.code, d.file) == ("broken-link", "pages/about.md")
    assert not (site / "output").exists()
    assert build(site).ok  # a plain build does not crawl its own output


def test_links_resolve_relative_to_the_page() -> None:
    assert _resolve("stories/a/index.html", "../../alliances/x/") == "alliances/x/"
    assert _resolve("index.html", "./map/") == "map/"
    assert _resolve("index.html", "../../etc/passwd") is None
