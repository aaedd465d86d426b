"""Machine-readable outputs: the Atom feed of stories, sitemap.xml and robots.txt."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from site_builder.core.xmltext import escape, quoteattr
from site_builder.link.model import Model
from site_builder.render.i18n import translate

if TYPE_CHECKING:
    from site_builder.core.outputs import Output
    from site_builder.render.markdown import MarkdownRenderer
    from site_builder.render.tasks import PageTask

FEED_SIZE = 20


def feed_outputs(model: Model, tasks: Sequence[PageTask], md: MarkdownRenderer,
                 kept_sitemap: Output | None = None) -> list[Output]:
    """The feed, the sitemap (`kept_sitemap`: the last build's, when it is known to be
    the same) and robots.txt."""
    from site_builder.core.outputs import Output

    return [
        Output("feed.xml", atom_feed(model, md).encode("utf-8")),
        kept_sitemap or Output("sitemap.xml", sitemap(model, tasks).encode("utf-8")),
        Output("robots.txt", robots(model).encode("utf-8")),
    ]


def atom_feed(model: Model, md: MarkdownRenderer) -> str:
    """An Atom feed (RFC 4287) of the newest stories; dates come from content only."""
    config = model.config
    stories = model.stories[:FEED_SIZE]
    updated = stories[0]["date"].iso_datetime() if stories else "2000-01-01T00:00:00Z"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{config.language}">',
        f"  <title>{escape(config.title)} · {escape(translate('nav.stories', config.lang))}"
        "</title>",
        f"  <id>{escape(config.absolute('feed.xml'))}</id>",
        f"  <link rel=\"self\" href={quoteattr(config.absolute('feed.xml'))}/>",
        f"  <link rel=\"alternate\" type=\"text/html\" href={quoteattr(config.base_url)}/>",
        f"  <updated>{updated}</updated>",
    ]
    if config.publisher:
        lines.append(f"  <author><name>{escape(config.publisher)}</name></author>")
    for story in stories:
        url = config.absolute(story.url)
        # Links in the feed must be absolute: render the body against the site's base URL.
        html = md.render(story.body or "", file=story.file, body_line=story.body_line,
                         folder="stories", root=config.base_url)
        lines += [
            "  <entry>",
            f"    <title>{escape(story['title'])}</title>",
            f"    <id>{escape(url)}</id>",
            f"    <link rel=\"alternate\" type=\"text/html\" href={quoteattr(url)}/>",
            f"    <published>{story['date'].iso_datetime()}</published>",
            f"    <updated>{story['date'].iso_datetime()}</updated>",
        ]
        if story.get("author"):
            lines.append(f"    <author><name>{escape(story['author'])}</name></author>")
        for tag in story.get("tags", ()):
            lines.append(f"    <category term={quoteattr(tag)}/>")
        lines += [
            f"    <summary>{escape(story['summary'])}</summary>",
            f"    <content type=\"html\">{escape(html)}</content>",
            "  </entry>",
        ]
    lines.append("</feed>")
    return "\n".join(lines) + "\n"


def sitemap(model: Model, tasks: Sequence[PageTask]) -> str:
    """Every HTML page with its absolute URL; lastmod where content gives a date."""
    lines = ['<?xml version="1.0" encoding="utf-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for task in sorted(tasks, key=lambda t: t.path):
        lines.append(f"  <url><loc>{escape(model.config.absolute(task.path))}</loc>")
        item = task.item
        date = item.get("date") or item.get("posted") if item is not None else None
        if date is not None:
            lines.append(f"    <lastmod>{date.first_day().isoformat()}</lastmod>")
        lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def robots(model: Model) -> str:
    return f"User-agent: *\nAllow: /\n\nSitemap: {model.config.absolute('sitemap.xml')}\n"
