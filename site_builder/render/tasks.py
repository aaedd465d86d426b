"""PageTask: one HTML page to render, made by the page planner, read by feeds and the memo."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from site_builder.link.model import Item


@dataclass(slots=True, eq=False, repr=False)
class PageTask:
    """One HTML page to render: where it goes, with which template and values.

    Not frozen: a build makes one per page (18,600 at N=300), and a frozen dataclass is
    four times slower to make. Nothing changes a task once made."""

    path: str  # site-relative URL: 'alliances/x/' or '404.html'
    template: str
    title: str
    description: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    section: str = ""  # which nav entry is current
    crumbs: tuple[tuple[str, str], ...] = ()  # (title, site-relative URL)
    item: Item | None = None
    og_type: str = "website"
    file: str = field(init=False)

    def __post_init__(self) -> None:
        self.file = self.path if self.path.endswith(".html") else self.path + "index.html"

    def __repr__(self) -> str:
        return f"PageTask({self.path!r}, {self.template!r})"


def source_of(task: PageTask) -> str:
    """The content file (or template) a page comes from, for messages about the page."""
    if task.item:
        return task.item.body_file or task.item.file
    return f"templates/{task.template}"
