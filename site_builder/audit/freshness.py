"""Freshness: days since the home page's newest story, per column, open listings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from site_builder.audit.findings import Finding, locate_key
from site_builder.core.dates import PartialDate
from site_builder.link.model import Item, Model

HOME_LIMIT = 14  # days: the inspection fails a home page not updated for two weeks
HOME_WARN = 10
COLUMN_LIMIT = 183  # about six months, for columns and open listings
COLUMNS = (("alliance", "产业链联盟", "alliances"), ("enterprise", "成员单位", "enterprises"),
           ("story", "案例故事", "stories"), ("station", "党建阵地", "stations"),
           ("listing", "三张清单", "listings"), ("page", "页面", "pages"))


def item_date(item: Item) -> dt.date | None:
    """The date an item's page shows: a story's date, or its 更新日期."""
    value = item.get("date") if item.record_kind == "story" else item.get("updated")
    if item.record_kind == "listing" and value is None:
        value = item.get("posted")
    # A date written to the month is taken at its last day: the editor's most recent claim.
    return value.last_day() if isinstance(value, PartialDate) else None


def column_dates(model: Model) -> list[tuple[str, str, dt.date | None, int]]:
    """(kind, column name, newest date shown, items) for each kind of page."""
    rows = []
    for kind, name, section in COLUMNS:
        items = getattr(model, section)
        dates = [d for d in map(item_date, items) if d is not None]
        rows.append((kind, name, max(dates) if dates else None, len(items)))
    return rows


def check_freshness(model: Model, content_dir: Path, today: dt.date) -> Iterator[Finding]:
    """The home page's newest story, every column's newest date, undated pages and open
    listings left alone for six months."""
    dated = [(item_date(s), s) for s in model.stories]
    newest = max(((d, s) for d, s in dated if d is not None), default=None,
                 key=lambda pair: pair[0])
    if newest is None:
        yield Finding("no-stories")
    else:
        day, story = newest
        days = (today - day).days
        args = {"days": days, "date": str(story["date"]), "title": story.title}
        line, col = locate_key(content_dir, story.file, "date")
        if days >= HOME_LIMIT:
            yield Finding("stale-home", story.file, line, col, args)
        elif days >= HOME_WARN:
            yield Finding("aging-home", story.file, line, col, {**args, "left": HOME_LIMIT - days})
    for kind, name, newest_day, count in column_dates(model):
        if kind == "story" or not count or newest_day is None:
            continue
        days = (today - newest_day).days
        if days > COLUMN_LIMIT:
            yield Finding("stale-section", None, None, None,
                          {"column": name, "days": days, "date": newest_day.isoformat()})
    for _kind, name, section in COLUMNS:
        undated = [i for i in getattr(model, section) if item_date(i) is None]
        if undated:
            yield Finding("no-date", undated[0].file, None, None,
                          {"count": len(undated), "kind": name, "example": undated[0].file})
    for listing in model.listings:
        day = item_date(listing)
        if listing.get("status") == "征集中" and day is not None:
            days = (today - day).days
            if days > COLUMN_LIMIT:
                line, col = locate_key(content_dir, listing.file, "status")
                if line is None:
                    line, col = locate_key(content_dir, listing.file, "posted")
                yield Finding("stale-listing", listing.file, line, col,
                              {"title": listing.title, "days": days})
