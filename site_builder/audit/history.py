"""Back-dating: a story dated much earlier than its file's first commit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from site_builder.audit.findings import Finding, locate_key
from site_builder.core.dates import PartialDate
from site_builder.link.model import Model
from site_builder.load.gitdates import GitDates

# Editors often commit a story a few days after they date it (approval takes time);
# a month earlier is what an inspector comparing dates notices.
BACKDATED_DAYS = 30


def check_backdating(model: Model, content_dir: Path, git: GitDates) -> Iterator[Finding]:
    for story in model.stories:
        first = git.first.get(story.file)
        date = story.get("date")
        if first is None or not isinstance(date, PartialDate):
            continue
        days = (first - date.last_day()).days
        if days > BACKDATED_DAYS:
            line, col = locate_key(content_dir, story.file, "date")
            yield Finding("backdated", story.file, line, col,
                          {"date": str(date), "first": first.isoformat(), "days": days})
