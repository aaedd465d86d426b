"""PageTask: one HTML page to render, made by the page planner and read by feeds and the memo."""

from __future__ import annotations

from typing import Any

from site_builder.link.model import Item


class PageTask:
    """One HTML page to render: where it goes, with which template and values.

    A plain class with slots, not a frozen dataclass: a build makes one per page (18,600
    at N=300), four times quicker. Nothing changes a task once made."""

    __slots__ = ("crumbs", "description", "file", "item", "og_type", "path", "section",
                 "template", "title", "values")

    def __init__(self, path: str, template: str, title: str, description: str = "",
                 values: dict[str, Any] | None = None, section: str = "",
                 crumbs: tuple[tuple[str, str], ...] = (), item: Item | None = None,
                 og_type: str = "website") -> None:
        self.path = path  # site-relative URL: 'alliances/x/' or '404.html'
        self.template = template
        self.title = title
        self.description = description
        self.values = values if values is not None else {}
        self.section = section  # which nav entry is current
        self.crumbs = crumbs  # (title, site-relative URL)
        self.item = item
        self.og_type = og_type
        self.file = path if path.endswith(".html") else path + "index.html"

    def __repr__(self) -> str:
        return f"PageTask({self.path!r}, {self.template!r})"



def source_of(task: PageTask) -> str:
    """The content file (or template) a page comes from, for messages about the page."""
    if task.item:
        return task.item.body_file or task.item.file
    return f"templates/{task.template}"
