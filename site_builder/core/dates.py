"""Dates kept at the precision an editor wrote: 2021, 2021-06 or 2021-06-21."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

_NUMERIC = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")
_CHINESE = re.compile(r"^(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?)?$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A year, a month or a day. Orders as the earliest day it could mean."""

    year: int
    month: int | None = None
    day: int | None = None

    def __str__(self) -> str:
        out = f"{self.year:04d}"
        if self.month:
            out += f"-{self.month:02d}"
            if self.day:
                out += f"-{self.day:02d}"
        return out

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month or 1, self.day or 1)

    def last_day(self) -> dt.date:
        month = self.month or 12
        day = self.day or calendar.monthrange(self.year, month)[1]
        return dt.date(self.year, month, day)

    def format(self, lang: str) -> str:
        """Format for readers: 2021年6月21日 or June 21, 2021 at the written precision."""
        if lang == "en":
            if self.day and self.month:
                return f"{calendar.month_name[self.month]} {self.day}, {self.year}"
            if self.month:
                return f"{calendar.month_name[self.month]} {self.year}"
            return str(self.year)
        out = f"{self.year}年"
        if self.month:
            out += f"{self.month}月"
            if self.day:
                out += f"{self.day}日"
        return out

    def iso_datetime(self) -> str:
        """The first instant of the date, as RFC 3339 (used by feeds and sitemaps)."""
        return self.first_day().isoformat() + "T00:00:00Z"


def parse_date(value: Any) -> PartialDate | None:
    """Read a YAML value as a PartialDate; None when it is not a valid date."""
    if isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, dt.date):
        return PartialDate(value.year, value.month, value.day)
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    match = _NUMERIC.match(text) or _CHINESE.match(text)
    if not match:
        return None
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if not 1900 <= year <= 2100:
        return None
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None:
        try:
            dt.date(year, month or 1, day)
        except ValueError:
            return None
    return PartialDate(year, month, day)
