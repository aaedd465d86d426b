"""Partial dates: parsed from every form editors write, formatted per language."""

from __future__ import annotations

import datetime as dt

from site_builder.core.dates import PartialDate, parse_date


def test_forms_editors_write() -> None:
    assert parse_date(2021) == PartialDate(2021)
    assert parse_date("2021-6") == PartialDate(2021, 6)
    assert parse_date(dt.date(2021, 6, 21)) == PartialDate(2021, 6, 21)
    assert parse_date("2021/06/21") == PartialDate(2021, 6, 21)
    assert parse_date("2021年6月") == PartialDate(2021, 6)


def test_impossible_dates_are_rejected() -> None:
    for bad in ("2021-13", "2021-02-30", "21-06-01", "June 2021", True, 99999, None):
        assert parse_date(bad) is None, bad


def test_formatting_follows_the_language() -> None:
    assert PartialDate(2022, 2).format("zh") == "2022年2月"
    assert PartialDate(2022, 2, 14).format("en") == "February 14, 2022"
    assert str(PartialDate(2022, 2)) == "2022-02"


def test_a_month_orders_before_its_days_and_lasts_to_its_end() -> None:
    assert PartialDate(2022, 2).sort_key < PartialDate(2022, 2, 1).sort_key
    assert PartialDate(2024, 2).last_day() == dt.date(2024, 2, 29)
