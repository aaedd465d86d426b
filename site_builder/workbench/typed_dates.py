"""Dates as staff type them into a form, turned into the content format (2024, 2024-03 or
2024-03-05, at the precision typed), and back into the text a form shows."""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata

from site_builder.core.dates import PartialDate, parse_date
from site_builder.workbench.inputerror import InputError

# Separators may differ within one date (2024-3/5): a slip of the hand, not a second meaning.
_NUMERIC = re.compile(r"(\d{4})(?:\s*[-/.]\s*(\d{1,2})(?:\s*[-/.]\s*(\d{1,2}))?)?")
# 号 is how many people say the day aloud; a trailing 日 may be left off (2024年3月5).
_CHINESE = re.compile(r"(\d{4})\s*年(?:\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号]?)?)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")  # 20240305, as spreadsheets and cameras write
# parse_date (what validation accepts) takes these years only.
_MIN_YEAR, _MAX_YEAR = 1900, 2100

_FORMS_ZH = "请写成 2024-03-05、2024年3月5日 或 2024年3月；只知道年份就写 2024。"
_FORMS_EN = "Write it as 2024-03-05, 2024年3月5日 or 2024年3月; a year alone as 2024."


class TypedDateError(InputError):
    """What was typed is not a date."""


def parse_typed_date(text: str) -> str:
    """Read a date as typed (2024/3/5, 2024年3月5号, ２０２４．３…) as YYYY[-MM[-DD]]."""
    # NFKC turns full-width digits and punctuation (２０２４／３／５, 　) into ASCII.
    typed = unicodedata.normalize("NFKC", text).strip()
    if not typed:
        raise TypedDateError(f"日期是空的。{_FORMS_ZH}", f"The date is empty. {_FORMS_EN}")
    match = (_NUMERIC.fullmatch(typed) or _CHINESE.fullmatch(typed)
             or _COMPACT.fullmatch(typed))
    if match is None:
        raise TypedDateError(f"“{text.strip()}”看不出是日期。{_FORMS_ZH}",
                             f"'{text.strip()}' does not read as a date. {_FORMS_EN}")
    year, month, day = (int(g) if g else None for g in match.groups())
    assert year is not None  # the year group is not optional in any pattern
    _check(text.strip(), year, month, day)
    return str(PartialDate(year, month, day))


def _check(typed: str, year: int, month: int | None, day: int | None) -> None:
    """Refuse a year validation would refuse, a month 13, a 30 February."""
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise TypedDateError(
            f"“{typed}”的年份 {year} 不对：年份要在 {_MIN_YEAR} 到 {_MAX_YEAR} 之间，"
            f"请检查是不是多打或少打了一位数字。{_FORMS_ZH}",
            f"The year {year} in '{typed}' is out of range: it must be between {_MIN_YEAR} "
            f"and {_MAX_YEAR}; check for a missing or extra digit. {_FORMS_EN}")
    if month is not None and not 1 <= month <= 12:
        raise TypedDateError(
            f"“{typed}”里的月份 {month} 不存在：月份是 1 到 12。请检查月和日是否写反了，"
            f"年月日的顺序是 2024-03-05。",
            f"The month {month} in '{typed}' does not exist: months are 1 to 12. Check that "
            f"month and day are not swapped; the order is year-month-day, 2024-03-05.")
    if month is not None and day is not None:
        days = calendar.monthrange(year, month)[1]
        try:
            dt.date(year, month, day)
        except ValueError:
            raise TypedDateError(
                f"“{typed}”不是一个存在的日期：{year}年{month}月只有 {days} 天。"
                f"请检查日子，例如写成 {year}-{month:02d}-{days:02d}。",
                f"'{typed}' is not a real date: {calendar.month_name[month]} {year} has "
                f"{days} days. Check the day, e.g. {year}-{month:02d}-{days:02d}.") from None


def display_date(value: object) -> str:
    """The text a form shows for a date as loaded from a content file ('' when absent)."""
    if value is None:
        return ""
    parsed = parse_date(value)
    if parsed is not None:
        return str(parsed)
    # Not a valid date (a hand-edited file): show it as written, so staff can correct it.
    return str(value)
