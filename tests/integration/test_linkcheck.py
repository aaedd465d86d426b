"""check and build --strict verify every internal link, anchor and asset of the output."""

from __future__ import annotations

from site_builder.render.linkcheck import _resolve
from tests.conftest import build

STORY = "---\ntitle: 案例\ndate: 2024-05-20\nsummary: 摘要\n---\n\n{body}\n"


def test_raw_html_site_links_are_checked_and_made_relative(make_site) -> None:
    site = make_site({"content/stories/first-story.md":
                      STORY.format(body='<a href="/alliances/nope/">坏</a>\n'
                                        '<a href="/alliances/test-chain/">好</a>')})
    result = build(site, write=False)
    (d,) = result.report.errors  # once, with its line: the output crawl adds nothing
    assert (d.code, d.file, d.line) == ("dangling-link", "stories/first-story.md", 7)
    fixed = make_site({"content/stories/first-story.md":
                       STORY.format(body='<a href="/alliances/test-chain/">好</a>')})
    assert build(fixed).ok
    html = (fixed / "output/stories/first-story/index.html").read_text(encoding="utf-8")
    assert '<a href="../../alliances/test-chain/">好</a>' in html


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
