"""Which files the workbench edits: one per record, named by kind and slug, inside content/."""

from __future__ import annotations

import re
from dataclasses import dataclass

from site_builder.validate.values import SLUG_MAX, SLUG_RE

# Kinds in the order the workbench home lists them, with their Chinese names.
KIND_LABELS: dict[str, str] = {
    "alliance": "联盟",
    "enterprise": "成员单位",
    "story": "案例",
    "station": "党建阵地",
    "listing": "三张清单",
    "page": "页面",
    "site": "网站设置",
}
NEW_KINDS = ("alliance", "enterprise", "story", "station", "listing", "page")

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("alliance", re.compile(r"^alliances/([^/]+)/alliance\.ya?ml$")),
    ("enterprise", re.compile(r"^enterprises/([^/]+)\.ya?ml$")),
    ("story", re.compile(r"^stories/([^/]+)\.(?:md|markdown)$")),
    ("station", re.compile(r"^stations/([^/]+)\.ya?ml$")),
    ("listing", re.compile(r"^listings/([^/]+)\.ya?ml$")),
    ("page", re.compile(r"^pages/([^/]+)\.(?:md|markdown)$")),
)


@dataclass(frozen=True)
class RecordFile:
    """A record's file under content/ (forward slashes) and where its Markdown body lives."""

    kind: str
    slug: str
    rel: str

    @property
    def front_matter(self) -> bool:
        """Stories and pages: YAML between two --- lines, then the Markdown body."""
        return self.kind in ("story", "page")

    @property
    def body_rel(self) -> str | None:
        """The file holding the record's Markdown body, if it has one."""
        if self.front_matter:
            return self.rel
        if self.kind == "alliance":
            return f"alliances/{self.slug}/index.md"
        return None

    @property
    def folder(self) -> str:
        """Where the record's own images go: its alliance folder, else media/."""
        return f"alliances/{self.slug}" if self.kind == "alliance" else "media"


def record_file(rel: str) -> RecordFile | None:
    """The record a path under content/ names; None for anything else (assets, `..`)."""
    if rel == "site.yaml":
        return RecordFile("site", "site", rel)
    for kind, pattern in _PATTERNS:
        m = pattern.match(rel)
        if m and valid_slug(m.group(1)):
            return RecordFile(kind, m.group(1), rel)
    return None


def new_record_file(kind: str, slug: str) -> RecordFile:
    """Where a new record of `kind` named `slug` is written."""
    rel = {
        "alliance": f"alliances/{slug}/alliance.yaml",
        "enterprise": f"enterprises/{slug}.yaml",
        "story": f"stories/{slug}.md",
        "station": f"stations/{slug}.yaml",
        "listing": f"listings/{slug}.yaml",
        "page": f"pages/{slug}.md",
    }[kind]
    return RecordFile(kind, slug, rel)


def valid_slug(slug: str) -> bool:
    return bool(SLUG_RE.match(slug)) and len(slug) <= SLUG_MAX
